package notice

import "testing"

func TestCoverage(t *testing.T) {
	cjk, err := coverage(cjkTTF)
	if err != nil {
		t.Fatal(err)
	}
	latin, err := coverage(latinTTF)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		font string
		has  []bool
		yes  string
		no   string
	}{
		{"Droid Sans Fallback", cjk, "中文办件、。，（）《》　", "AZaz09“”—…□"},
		{"DejaVu Sans", latin, "AZaz09-*“”—…□·", "中文、。"},
	} {
		for _, r := range tc.yes {
			if !tc.has[r] {
				t.Errorf("%s has no %q", tc.font, r)
			}
		}
		for _, r := range tc.no {
			if tc.has[r] {
				t.Errorf("%s has %q, which this package assumes it lacks", tc.font, r)
			}
		}
	}
	metricsOnce.Do(loadMetrics)
	for r, want := range map[rune]face{'中': cjkFace, '、': cjkFace, '（': cjkFace, 'X': latinFace, '0': latinFace, '“': latinFace, '□': latinFace} {
		if got := fontOf(r); got != want {
			t.Errorf("%q is drawn in %s, want %s", r, faceNames[got], faceNames[want])
		}
	}
}

// FuzzCoverage: a damaged font is an error, never a panic.
func FuzzCoverage(f *testing.F) {
	f.Add(latinTTF[:4096])
	f.Add([]byte("\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00cmap\x00\x00\x00\x00\x00\x00\x00\x1c\x00\x00\x00\x20"))
	f.Fuzz(func(t *testing.T, ttf []byte) {
		_, _ = coverage(ttf)
	})
}
