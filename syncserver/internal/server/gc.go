package server

import (
	"os"
	"runtime/debug"
)

// GCPercent is the garbage collector's target central runs with unless the
// GOGC environment variable says otherwise. Central's live heap is small
// next to a server's memory (caches and the pushes in flight, tens of MB),
// and at Go's default of 100 a steady stream of pushes spends about a tenth
// of its CPU collecting. At 300 the heap may grow to four times the live
// data between collections; measured on push_10k against the plain-insert
// ceiling, three interleaved pairs of runs: 0.270 / 0.250 / 0.264 at 100,
// 0.279 / 0.257 / 0.276 at 300.
const GCPercent = 300

// TuneGC sets GCPercent, unless GOGC is set, for `syncserver serve` and the
// load generator that stands in for it.
func TuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(GCPercent)
	}
}
