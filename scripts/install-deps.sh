#!/usr/bin/env bash
# Installs the system packages Bianmin needs to build, test and run on
# Debian/Ubuntu: a C compiler and the GL/X11 headers (Fyne's window needs cgo),
# a CJK font (Chinese glyphs), Xvfb and ImageMagick (screenshots), poppler
# (PDF checks) and git/make; with --windows also mingw-w64 (the Windows
# cross-compiler). Skips the install when everything is present.
set -euo pipefail
pkgs=(build-essential git make pkg-config libgl1-mesa-dev xorg-dev fonts-noto-cjk xvfb imagemagick xdotool poppler-utils)
# mingw-w64 cross-compiles the Windows .exe; only `make build-windows` asks for it.
if [[ ${1:-} == --windows ]]; then
  pkgs+=(mingw-w64)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi
if ! command -v go >/dev/null && [[ ! -x /usr/local/go/bin/go ]]; then
  echo "Go 1.26 or newer is required: https://go.dev/dl/ (or apt-get install golang-1.26 where available)" >&2
  exit 1
fi
