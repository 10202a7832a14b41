package notice

import (
	"encoding/binary"
	"errors"
)

// coverage reports which characters of the Basic Multilingual Plane a
// TrueType font has a glyph for, from its format-4 cmap subtable: the one
// fpdf itself maps characters with. (fpdf gives a missing character the
// font's default width and draws its empty glyph, and says nothing.)
func coverage(ttf []byte) ([]bool, error) {
	sub, err := cmap4(ttf)
	if err != nil {
		return nil, err
	}
	u16 := func(off int) (int, bool) {
		if off < 0 || off+2 > len(sub) {
			return 0, false
		}
		return int(binary.BigEndian.Uint16(sub[off:])), true
	}
	segX2, ok := u16(6)
	if !ok || segX2%2 != 0 {
		return nil, errBadCmap
	}
	ends, starts, deltas, ranges := 14, 16+segX2, 16+2*segX2, 16+3*segX2
	has := make([]bool, 0x10000)
	for i := 0; i < segX2; i += 2 {
		end, ok1 := u16(ends + i)
		start, ok2 := u16(starts + i)
		delta, ok3 := u16(deltas + i)
		rangeOff, ok4 := u16(ranges + i)
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return nil, errBadCmap
		}
		for c := start; c <= end && c < 0xffff; c++ {
			glyph := c
			if rangeOff != 0 {
				g, ok := u16(ranges + i + rangeOff + 2*(c-start))
				if !ok || g == 0 {
					continue
				}
				glyph = g
			}
			has[c] = (glyph+delta)&0xffff != 0
		}
	}
	return has, nil
}

var errBadCmap = errors.New("no usable format-4 cmap subtable")

// cmap4 finds the Unicode BMP subtable (platform 3 encoding 1, or platform 0)
// of format 4.
func cmap4(ttf []byte) ([]byte, error) {
	u16 := func(b []byte, off int) int { return int(binary.BigEndian.Uint16(b[off:])) }
	u32 := func(b []byte, off int) int { return int(binary.BigEndian.Uint32(b[off:])) }
	if len(ttf) < 12 {
		return nil, errBadCmap
	}
	var table []byte
	for i, n := 0, u16(ttf, 4); i < n; i++ {
		rec := 12 + 16*i
		if rec+16 > len(ttf) {
			return nil, errBadCmap
		}
		if string(ttf[rec:rec+4]) == "cmap" {
			off, size := u32(ttf, rec+8), u32(ttf, rec+12)
			if off+size > len(ttf) || size < 4 {
				return nil, errBadCmap
			}
			table = ttf[off : off+size]
		}
	}
	if table == nil {
		return nil, errBadCmap
	}
	for i, n := 0, u16(table, 2); i < n; i++ {
		rec := 4 + 8*i
		if rec+8 > len(table) {
			break
		}
		platform, encoding, off := u16(table, rec), u16(table, rec+2), u32(table, rec+4)
		if (platform == 3 && encoding == 1 || platform == 0) && off+14 <= len(table) && u16(table, off) == 4 {
			return table[off:], nil
		}
	}
	return nil, errBadCmap
}
