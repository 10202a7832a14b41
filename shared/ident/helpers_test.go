package ident_test

import (
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/ident"
	"github.com/bianmin/bianmin/shared/workcal"
)

// now is the fixed "today" of the tests: 15 March 2026, mid-morning in China.
var now = time.Date(2026, 3, 15, 10, 0, 0, 0, workcal.Shanghai)

var (
	idReasons     = []string{"id_length", "id_chars", "id_birth_date", "id_too_old", "id_future", "id_checksum"}
	creditReasons = []string{"uscc_length", "uscc_chars"}
	phoneReasons  = []string{"phone_length", "phone_chars", "phone_prefix"}
)

// withIDCheck completes 17 digits into a resident ID number with the right
// check character, so that a test row fails only for the reason it is about.
func withIDCheck(first17 string) string {
	c, err := ident.ResidentIDCheckChar(first17)
	if err != nil {
		panic(err)
	}
	return first17 + string(c)
}

func withCreditCheck(first17 string) string {
	c, err := ident.CreditCodeCheckChar(first17)
	if err != nil {
		panic(err)
	}
	return first17 + string(c)
}

// checkErr asserts that err is the package's kind of error: a *bmerr.Error
// with Code Invalid, the field, one of reasons, and a message in both
// languages.
func checkErr(t *testing.T, err error, field string, reasons ...string) *bmerr.Error {
	t.Helper()
	e := bmerr.As(err)
	if e == nil {
		t.Fatalf("error %v (%T) is not a *bmerr.Error", err, err)
	}
	if e.Code != bmerr.Invalid {
		t.Errorf("Code = %q, want %q", e.Code, bmerr.Invalid)
	}
	if e.Field != field {
		t.Errorf("Field = %q, want %q", e.Field, field)
	}
	if !slices.Contains(reasons, e.Reason) {
		t.Errorf("Reason = %q, want one of %q", e.Reason, reasons)
	}
	if e.Zh == "" || e.En == "" || e.Zh == e.En {
		t.Errorf("messages not bilingual: Zh %q, En %q", e.Zh, e.En)
	}
	if !utf8.ValidString(e.Zh) || !utf8.ValidString(e.En) {
		t.Errorf("messages are not valid UTF-8: Zh %q, En %q", e.Zh, e.En)
	}
	return e
}

// checkMask asserts that masked is in, rune for rune, with every rune either
// kept or replaced by '*', and that at most keep runes were kept.
func checkMask(t *testing.T, in, masked string, keep int) {
	t.Helper()
	a, b := []rune(in), []rune(masked)
	if len(a) != len(b) {
		t.Fatalf("mask of %q is %q: %d runes, want %d", in, masked, len(b), len(a))
	}
	kept := 0
	for i := range b {
		switch {
		case b[i] == '*':
		case b[i] == a[i]:
			kept++
		default:
			t.Fatalf("mask of %q is %q: rune %d changed to %q", in, masked, i, b[i])
		}
	}
	if kept > keep {
		t.Fatalf("mask of %q is %q: keeps %d runes, at most %d allowed", in, masked, kept, keep)
	}
}
