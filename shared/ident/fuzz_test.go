package ident_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/ident"
	"github.com/bianmin/bianmin/shared/workcal"
)

func addIDSeeds(f *testing.F) {
	for _, s := range []string{
		"", "11010519491231002X", "11010519491231002x", " 110105 19491231 002X ",
		"44030419900307123X", "320106200002290027", "110105194912310023",
		"11010519000229002", "1101051949123", "110105491231002", "１１０１０５１９４９１２３１００２ｘ",
		"1101051949123\xff002X", "11010519491231002X1", "11010520991231001",
	} {
		f.Add(s)
	}
}

func FuzzParseResidentID(f *testing.F) {
	addIDSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ident.ParseResidentID(s, now)
		if err != nil {
			checkErr(t, err, ident.FieldResidentID, idReasons...)
			return
		}
		if len(id.Number) != 18 || id.Region != id.Number[:6] {
			t.Fatalf("ParseResidentID(%q) = %#v", s, id)
		}
		again, err := ident.ParseResidentID(id.Number, now)
		if err != nil || again != id {
			t.Fatalf("re-parsing %q gave %#v, %v; want %#v", id.Number, again, err, id)
		}
		if id.Birth.After(workcal.DateOf(now)) || id.Birth.Before(workcal.D(1900, 1, 1)) {
			t.Fatalf("ParseResidentID(%q): birth %v out of range", s, id.Birth)
		}
		if want := fmt.Sprintf("%04d%02d%02d", id.Birth.Year, id.Birth.Month, id.Birth.Day); id.Number[6:14] != want {
			t.Fatalf("ParseResidentID(%q): birth %v does not match the number", s, id.Birth)
		}
		if male := (id.Number[16]-'0')%2 == 1; male != (id.Sex == ident.Male) {
			t.Fatalf("ParseResidentID(%q): sex %q does not match the number", s, id.Sex)
		}
		if err := ident.CheckPartialResidentID(id.Number); err != nil {
			t.Fatalf("CheckPartialResidentID(%q) = %v for a valid number", id.Number, err)
		}
		masked := ident.MaskID(id.Number)
		checkMask(t, id.Number, masked, 10)
		if masked[:6] != id.Number[:6] || masked[14:] != id.Number[14:] || masked[6:14] != "********" {
			t.Fatalf("MaskID(%q) = %q", id.Number, masked)
		}
		if id.String() != masked {
			t.Fatalf("String() = %q, want %q", id.String(), masked)
		}
	})
}

func FuzzCheckPartialResidentID(f *testing.F) {
	for _, s := range []string{"", "1", "1101053", "11010519491231002X", "110105194912310023", "1101051949023", "\xef\xbc"} {
		f.Add(s, "\x91", uint32(110105), uint16(18000), uint16(2))
	}
	// The last day CheckPartialResidentID cannot rule out.
	end := time.Date(2099, 12, 31, 12, 0, 0, 0, workcal.Shanghai)
	first := workcal.D(1900, 1, 1)
	span := first.DaysUntil(workcal.DateOf(now)) + 1

	f.Fuzz(func(t *testing.T, s, tail string, region uint32, days, seq uint16) {
		err := ident.CheckPartialResidentID(s)
		if err != nil {
			checkErr(t, err, ident.FieldResidentID, idReasons...)
			// Typing more cannot repair an input. (Broken UTF-8 can: "\xef\xbc"
			// and "\x91" join into a full-width 1.)
			if utf8.ValidString(s) && utf8.ValidString(tail) && ident.CheckPartialResidentID(s+tail) == nil {
				t.Fatalf("CheckPartialResidentID(%q) = %v, but %q passes", s, err, s+tail)
			}
		}
		// On a complete number it agrees with ParseResidentID on the last day
		// it can know about.
		_, perr := ident.ParseResidentID(s, end)
		if r := bmerr.ReasonOf(perr); r != "id_length" && r != bmerr.ReasonOf(err) {
			t.Fatalf("%q: ParseResidentID says %v, CheckPartialResidentID says %v", s, perr, err)
		}
		if _, perr := ident.ParseResidentID(s, now); perr == nil && utf8.ValidString(s) {
			checkPrefixes(t, s)
		}

		// A valid number built from the inputs: every prefix passes.
		birth := first.AddDays(int(days) % span)
		first17 := fmt.Sprintf("%06d%04d%02d%02d%03d", region%1_000_000, birth.Year, birth.Month, birth.Day, seq%1000)
		number := withIDCheck(first17)
		id, err := ident.ParseResidentID(number, now)
		if err != nil || id.Birth != birth || (id.Sex == ident.Male) != (seq%2 == 1) {
			t.Fatalf("ParseResidentID(%q) = %#v, %v; want birth %v", number, id, err, birth)
		}
		checkPrefixes(t, number)
		checkPrefixes(t, number[:6]+" "+number[6:14]+" "+strings.ToLower(number[14:]))
	})
}

// checkPrefixes asserts that every prefix of a valid number passes the
// as-you-type check.
func checkPrefixes(t *testing.T, s string) {
	t.Helper()
	for i := range s {
		if err := ident.CheckPartialResidentID(s[:i]); err != nil {
			t.Fatalf("CheckPartialResidentID(%q) = %v, but %q is valid", s[:i], err, s)
		}
	}
	if err := ident.CheckPartialResidentID(s); err != nil {
		t.Fatalf("CheckPartialResidentID(%q) = %v for a valid number", s, err)
	}
}

func FuzzParseCreditCode(f *testing.F) {
	for _, s := range []string{"", "91350100M000100Y43", "91350100m000100y44", "91350100M0001O0Y43", "350100100012345", "９１３５０１００Ｍ０００１００Ｙ４３"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, err := ident.ParseCreditCode(s)
		if err != nil {
			checkErr(t, err, ident.FieldCreditCode, creditReasons...)
			return
		}
		if len(code.Number) != 18 || strings.Trim(code.Number, "0123456789ABCDEFGHJKLMNPQRTUWXY") != "" {
			t.Fatalf("ParseCreditCode(%q) = %q", s, code.Number)
		}
		again, err := ident.ParseCreditCode(code.Number)
		if err != nil || again.Number != code.Number || (again.Warning == nil) != (code.Warning == nil) {
			t.Fatalf("re-parsing %q gave %+v, %v", code.Number, again, err)
		}
		c, err := ident.CreditCodeCheckChar(code.Number[:17])
		if err != nil {
			t.Fatal(err)
		}
		if (code.Warning == nil) != (c == code.Number[17]) {
			t.Fatalf("ParseCreditCode(%q): warning %v, check character %c", s, code.Warning, c)
		}
		if code.Warning != nil {
			checkErr(t, code.Warning, ident.FieldCreditCode, "uscc_checksum")
		}
		checkMask(t, code.Number, ident.MaskCreditCode(code.Number), 10)
	})
}

func FuzzParseMobile(f *testing.F) {
	for _, s := range []string{"", "13812345678", "+86 138-1234-5678", "8613812345678", "008613812345678", "010-12345678", "+852 9123 4567", "１３８１２３４５６７８"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ident.ParseMobile(s)
		if err != nil {
			checkErr(t, err, ident.FieldMobile, phoneReasons...)
			return
		}
		if len(got) != 11 || strings.Trim(got, "0123456789") != "" || got[0] != '1' || got[1] < '3' {
			t.Fatalf("ParseMobile(%q) = %q", s, got)
		}
		for _, typed := range []string{got, "+86 " + got, got[:3] + "-" + got[3:7] + "-" + got[7:]} {
			if again, err := ident.ParseMobile(typed); err != nil || again != got {
				t.Fatalf("ParseMobile(%q) = %q, %v; want %q", typed, again, err, got)
			}
		}
		checkMask(t, got, ident.MaskPhone(got), 7)
	})
}

func FuzzMask(f *testing.F) {
	for _, s := range []string{"", "张", "张三", "欧阳娜娜", "11010519491231002X", "13812345678", "91350100M000100Y43", "\xff", "一二三四五六七八九十一二三四五六七八"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := utf8.RuneCountInString(s)
		keep := func(want, k int) int {
			if n != want {
				return 0
			}
			return k
		}
		checkMask(t, s, ident.MaskID(s), keep(18, 10))
		checkMask(t, s, ident.MaskCreditCode(s), keep(18, 10))
		checkMask(t, s, ident.MaskPhone(s), keep(11, 7))
		nameKeep := 1
		if n <= 1 {
			nameKeep = 0
		}
		checkMask(t, s, ident.MaskName(s), nameKeep)
	})
}
