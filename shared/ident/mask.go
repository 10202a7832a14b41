package ident

import "strings"

// Masking works on runes and never fails: a value of the wrong shape (a
// typo, an old 15-digit ID, garbage) is masked completely, keeping only its
// length, because showing part of a value nobody checked could show all of it.

// MaskID masks an 18-character resident ID number, keeping the region code
// and the last four characters: 110105********1234.
func MaskID(s string) string { return maskKeep(s, 18, 6, 4) }

// MaskPhone masks an 11-digit mobile number as ParseMobile returns it:
// 138****5678.
func MaskPhone(s string) string { return maskKeep(s, 11, 3, 4) }

// MaskCreditCode masks an 18-character unified social credit code, keeping
// the first 8 and the last 2 characters. The codes of organisations are
// public, but those of sole traders (个体工商户) point at a person.
func MaskCreditCode(s string) string { return maskKeep(s, 18, 8, 2) }

// MaskName keeps a person's first character and masks the rest, one '*' per
// character: 张三 → 张*, 欧阳娜娜 → 欧***. A one-character name is masked
// completely, since keeping its first character would keep all of it.
func MaskName(s string) string {
	r := []rune(s)
	if len(r) <= 1 {
		return strings.Repeat("*", len(r))
	}
	return string(r[0]) + strings.Repeat("*", len(r)-1)
}

// maskKeep replaces every rune of s with '*' except the first head and last
// tail runes, which are kept only when s has exactly n runes.
func maskKeep(s string, n, head, tail int) string {
	r := []rune(s)
	for i := range r {
		if len(r) != n || (i >= head && i < n-tail) {
			r[i] = '*'
		}
	}
	return string(r)
}
