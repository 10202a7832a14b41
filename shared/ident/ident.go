// Package ident parses, checks and masks the identifiers a service station
// handles: the resident ID number (居民身份证号, GB 11643-1999), the unified
// social credit code of an organisation (统一社会信用代码, GB 32100-2015) and
// a mainland mobile number.
//
// Parsers are lenient about how a value was typed and strict about what it
// is: surrounding and embedded spaces, full-width characters from a Chinese
// input method and lower-case letters are normalised away, and everything
// else that is wrong comes back as a *bmerr.Error with Code bmerr.Invalid, the
// Field named below, a stable Reason and a message telling the clerk what to
// fix. Stored values are the normalised form.
//
// The Mask functions are for lists, logs and printouts (domain §7): a full
// value belongs only in views a role needs, and those are audited.
package ident

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bianmin/bianmin/shared/bmerr"
)

// Field names set on the errors of each parser, so a form can put the message
// next to the right input.
const (
	FieldResidentID = "id_number"
	FieldCreditCode = "credit_code"
	FieldMobile     = "phone"
)

// invalid returns a bmerr.Invalid error for field.
func invalid(field, reason, zh, en string, args ...any) *bmerr.Error {
	e := bmerr.Newf(bmerr.Invalid, reason, zh, en, args...)
	e.Field = field
	return e
}

// normalize undoes what an input method or a copied document adds to an
// identifier: full-width forms (Ｘ, １, －, the ideographic space) become
// ASCII and all white space is dropped, since numbers are often written in
// groups ("110105 19491231 002X").
func normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\u3000':
			continue
		case r >= '\uFF01' && r <= '\uFF5E':
			r -= 0xFF01 - 0x21
		}
		if unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// show quotes one typed character for a message. Control characters, broken
// UTF-8 and the like are shown by code point: the clerk cannot see them, and
// messages must stay valid text.
func show(r rune) string {
	if r == utf8.RuneError || !unicode.IsPrint(r) {
		return fmt.Sprintf("U+%04X", r)
	}
	return string(r)
}

// isDigit reports whether r is an ASCII digit.
func isDigit(r rune) bool { return r >= '0' && r <= '9' }
