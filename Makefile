# Bianmin — run `make help` for the targets.
SHELL := /bin/bash
export LANG := C.UTF-8
export CGO_ENABLED := 1
GO ?= go
BUF := $(GO) tool -modfile=tools/buf.mod buf
STATICCHECK := $(GO) tool -modfile=tools/gen.mod staticcheck
FUZZTIME ?= 30s
BENCHFLAGS ?=
BIN := bin

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

test: check-generate lint unit fuzz-short ## everything CI runs: generated code fresh, lint, race tests, short fuzzing

unit: ## go test -race on every package (short mode)
	$(GO) test -race -short -count=1 ./...

test-long: ## the fault-injection and property tests at full length
	$(GO) test -race -count=1 -timeout 60m ./...

lint: ## go vet, gofmt, staticcheck, buf lint
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^shared/gen/')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(STATICCHECK) ./...
	$(BUF) lint

generate: ## regenerate protobuf and Connect code from shared/proto
	$(BUF) generate

check-generate: generate ## fail if the committed generated code is stale
	@git diff --exit-code --stat -- shared/gen || { echo "generated code is stale: run make generate and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- shared/gen)" || { echo "untracked generated files: run make generate and commit"; exit 1; }

fuzz: ## fuzz every parser and validator for FUZZTIME each (default 30s)
	./scripts/fuzz.sh $(FUZZTIME)

fuzz-short: ## a few seconds of fuzzing per target, for CI
	./scripts/fuzz.sh 4s

bench: ## sync benchmarks: prints BENCH lines
	$(GO) run ./syncserver/cmd/loadgen $(BENCHFLAGS)

build: ## build bin/syncserver and bin/bianmin (the station app) for this Linux machine
	$(GO) build -o $(BIN)/syncserver ./syncserver
	$(GO) build -o $(BIN)/bianmin ./desktop

build-windows: ## cross-build bin/bianmin.exe for Windows with mingw-w64
	./scripts/install-deps.sh --windows
	CC=x86_64-w64-mingw32-gcc CGO_ENABLED=1 GOOS=windows GOARCH=amd64 \
		$(GO) build -ldflags "-H=windowsgui" -o $(BIN)/bianmin.exe ./desktop

demo: ## run it: a demo central server and the station app enrolled to it (.demo/)
	./scripts/demo.sh

screenshots: ## run the real app under Xvfb and save PNGs of the main screens to docs/screenshots/
	./scripts/screenshots.sh

bench-desktop: ## station app benchmarks over 200,000 cases: launch, search p50/p95, intake save
	$(GO) test -run '^$$' -bench . -benchtime 5x ./desktop/internal/ui/ | grep -E '^(BENCH|Benchmark)'

tidy: ## go mod tidy
	$(GO) mod tidy

.PHONY: help test unit test-long lint generate check-generate fuzz fuzz-short bench build build-windows demo screenshots bench-desktop tidy
