// Command icongen draws the app icon: the character 便 in white on a calm
// blue rounded square, 512×512. It writes desktop/Icon.png (for FyneApp.toml
// and packaging) and the copy the ui package embeds. Run it from the module
// root with `go generate ./desktop/internal/ui`.
package main

import (
	"flag"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"log"
	"math"
	"os"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

func main() {
	fontPath := flag.String("font", "../notice/fonts/DroidSansFallbackFull.ttf", "a TrueType font with 便")
	out := flag.String("o", "icon.png", "output files, comma separated")
	flag.Parse()
	img := draw512(*fontPath)
	for _, path := range splitComma(*out) {
		f, err := os.Create(path)
		if err != nil {
			log.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			log.Fatal(err)
		}
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
	}
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

const size = 512

func draw512(fontPath string) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	// A rounded square with a soft vertical gradient, anti-aliased by 4×4
	// supersampling of its edge.
	top, bottom := color.NRGBA{0x2f, 0x6f, 0xb5, 0xff}, color.NRGBA{0x1f, 0x4e, 0x8c, 0xff}
	const margin, radius = 16.0, 96.0
	for y := 0; y < size; y++ {
		t := float64(y) / size
		c := color.NRGBA{lerp(top.R, bottom.R, t), lerp(top.G, bottom.G, t), lerp(top.B, bottom.B, t), 0xff}
		for x := 0; x < size; x++ {
			cover := 0
			for sy := 0; sy < 4; sy++ {
				for sx := 0; sx < 4; sx++ {
					if inside(float64(x)+(float64(sx)+0.5)/4, float64(y)+(float64(sy)+0.5)/4, margin, radius) {
						cover++
					}
				}
			}
			if cover > 0 {
				cc := c
				cc.A = uint8(255 * cover / 16)
				img.SetNRGBA(x, y, cc)
			}
		}
	}
	data, err := os.ReadFile(fontPath)
	if err != nil {
		log.Fatal(err)
	}
	ft, err := opentype.Parse(data)
	if err != nil {
		log.Fatal(err)
	}
	face, err := opentype.NewFace(ft, &opentype.FaceOptions{Size: 330, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		log.Fatal(err)
	}
	const glyph = "便"
	bounds, adv := font.BoundString(face, glyph)
	w := (bounds.Max.X - bounds.Min.X).Ceil()
	h := (bounds.Max.Y - bounds.Min.Y).Ceil()
	_ = adv
	x := (size-w)/2 - bounds.Min.X.Floor()
	y := (size-h)/2 - bounds.Min.Y.Floor()
	d := font.Drawer{Dst: img, Src: image.NewUniform(color.White), Face: face, Dot: fixed.P(x, y)}
	d.DrawString(glyph)
	// A thin light line under the character: a counter, the station's window.
	draw.Draw(img, image.Rect(150, 452, 362, 460), image.NewUniform(color.NRGBA{0xff, 0xff, 0xff, 0x90}), image.Point{}, draw.Over)
	return img
}

func lerp(a, b uint8, t float64) uint8 { return uint8(float64(a) + (float64(b)-float64(a))*t) }

// inside reports whether (x, y) lies in the rounded square.
func inside(x, y, margin, r float64) bool {
	lo, hi := margin, size-margin
	if x < lo || x > hi || y < lo || y > hi {
		return false
	}
	cx := math.Min(math.Max(x, lo+r), hi-r)
	cy := math.Min(math.Max(y, lo+r), hi-r)
	return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r
}
