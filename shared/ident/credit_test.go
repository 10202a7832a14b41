package ident_test

import (
	"strings"
	"testing"

	"github.com/bianmin/bianmin/shared/ident"
)

func TestParseCreditCodeValid(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"standard example", "91350100M000100Y43", "91350100M000100Y43"},
		{"lower case and spaces", " 91350100m000100y43 ", "91350100M000100Y43"},
		{"grouped", "913501 00M000100 Y43", "91350100M000100Y43"},
		{"full-width", "９１３５０１００Ｍ０００１００Ｙ４３", "91350100M000100Y43"},
		{"generated, enterprise", withCreditCheck("91110000600037341"), "91110000600037341L"},
		{"generated, public institution", withCreditCheck("12100000400000999"), "121000004000009995"},
		{"generated, check character 0", withCreditCheck("5244030000000001H"), withCreditCheck("5244030000000001H")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ident.ParseCreditCode(tt.in)
			if err != nil {
				t.Fatalf("ParseCreditCode(%q): %v", tt.in, err)
			}
			if got.Number != tt.want || got.Warning != nil {
				t.Errorf("ParseCreditCode(%q) = %q, warning %v; want %q, no warning", tt.in, got.Number, got.Warning, tt.want)
			}
		})
	}
}

// The check character maps 31 to 0; make sure some code exercises that.
func TestCreditCodeCheckCharZero(t *testing.T) {
	for i := range 31 * 31 {
		first17 := "91350100M0001" + string("0123456789ABCDEFGHJKLMNPQRTUWXY"[i%31]) + "00" + string("0123456789ABCDEFGHJKLMNPQRTUWXY"[i/31])
		c, err := ident.CreditCodeCheckChar(first17)
		if err != nil {
			t.Fatal(err)
		}
		if c == '0' {
			if code, err := ident.ParseCreditCode(first17 + "0"); err != nil || code.Warning != nil {
				t.Fatalf("ParseCreditCode(%q) = %+v, %v", first17+"0", code, err)
			}
			return
		}
	}
	t.Fatal("no code with check character 0 found")
}

func TestParseCreditCodeInvalid(t *testing.T) {
	tests := []struct {
		name, in, reason, zh string
	}{
		{"empty", "", "uscc_length", "请输入"},
		{"one short", "91350100M000100Y4", "uscc_length", "实际输入了17位"},
		{"one extra", "91350100M000100Y433", "uscc_length", "实际输入了19位"},
		{"old registration number", "350100100012345", "uscc_length", "工商注册号"},
		{"letter O for zero", "91350100M0001O0Y43", "uscc_chars", "第14位是字母 O"},
		{"letter I for one", "9I350100M000100Y43", "uscc_chars", "是否应为数字 1"},
		{"letter S", "91350100M00010SY43", "uscc_chars", "是否应为数字 5"},
		{"letter V", "91350100M000100V43", "uscc_chars", "第16位“V”"},
		{"dash", "91350100-M00100Y43", "uscc_chars", "第9位“-”"},
		{"Chinese character", "91350100M000100Y4号", "uscc_chars", "第18位“号”"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, err := ident.ParseCreditCode(tt.in)
			if err == nil {
				t.Fatalf("ParseCreditCode(%q) = %+v, want %s", tt.in, code, tt.reason)
			}
			e := checkErr(t, err, ident.FieldCreditCode, tt.reason)
			if !strings.Contains(e.Zh, tt.zh) {
				t.Errorf("Zh = %q, want it to contain %q", e.Zh, tt.zh)
			}
		})
	}
}

// A failed check character does not block: some early codes are legal and
// fail it.
func TestParseCreditCodeChecksumWarning(t *testing.T) {
	code, err := ident.ParseCreditCode("91350100m000100y44")
	if err != nil {
		t.Fatalf("ParseCreditCode: %v", err)
	}
	if code.Number != "91350100M000100Y44" {
		t.Errorf("Number = %q", code.Number)
	}
	if code.Warning == nil {
		t.Fatal("no warning")
	}
	w := checkErr(t, code.Warning, ident.FieldCreditCode, "uscc_checksum")
	for _, want := range []string{"应为 3，实际为 4", "营业执照"} {
		if !strings.Contains(w.Zh, want) {
			t.Errorf("Zh = %q, want it to contain %q", w.Zh, want)
		}
	}
	if !strings.Contains(w.En, "licence") {
		t.Errorf("En = %q, want it to mention the licence", w.En)
	}
}

func TestCreditCodeCheckCharInvalid(t *testing.T) {
	for _, tt := range []struct{ in, reason string }{
		{"", "uscc_length"},
		{"91350100M000100Y", "uscc_length"},
		{"91350100M000100Y43", "uscc_length"},
		{"91350100M0001O0Y", "uscc_length"},
		{"91350100M00010OY4", "uscc_chars"},
	} {
		_, err := ident.CreditCodeCheckChar(tt.in)
		checkErr(t, err, ident.FieldCreditCode, tt.reason)
	}
}
