package server

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	t.Setenv("GOGC", "50")
	TuneGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set, TuneGC changed the target to %d", got)
	}
	t.Setenv("GOGC", "")
	TuneGC() // set, though empty: the operator's word
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set empty, TuneGC changed the target to %d", got)
	}
	os.Unsetenv("GOGC") // t.Setenv restores it
	TuneGC()
	if got := debug.SetGCPercent(100); got != GCPercent {
		t.Errorf("without GOGC, TuneGC set the target to %d, want %d", got, GCPercent)
	}
}
