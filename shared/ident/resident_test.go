package ident_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/ident"
	"github.com/bianmin/bianmin/shared/workcal"
)

func TestResidentIDCheckChar(t *testing.T) {
	tests := []struct {
		first17 string
		want    byte
	}{
		// The example from GB 11643 / domain §7.
		{"11010519491231002", 'X'},
		// By hand, weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2:
		// 4·7 + 4·9 + 0·10 + 3·5 + 0·8 + 4·4 + 1·2 + 9·1 + 9·6 + 0·3 + 0·7 + 3·9 + 0·10 + 7·5 + 1·8 + 2·4 + 3·2
		// = 28+36+0+15+0+16+2+9+54+0+0+27+0+35+8+8+6 = 244; 244 mod 11 = 2; "10X98765432"[2] = 'X'.
		{"44030419900307123", 'X'},
		// 3·7 + 2·9 + 0·10 + 1·5 + 0·8 + 6·4 + 2·2 + 0·1 + 0·6 + 0·3 + 0·7 + 2·9 + 2·10 + 9·5 + 0·8 + 0·4 + 2·2
		// = 21+18+0+5+0+24+4+0+0+0+0+18+20+45+0+0+4 = 159; 159 mod 11 = 5; "10X98765432"[5] = '7'.
		{"32010620000229002", '7'},
		// Typed loosely: normalised like ParseResidentID.
		{" 110105 19491231 002 ", 'X'},
	}
	for _, tt := range tests {
		got, err := ident.ResidentIDCheckChar(tt.first17)
		if err != nil || got != tt.want {
			t.Errorf("ResidentIDCheckChar(%q) = %q, %v; want %q", tt.first17, got, err, tt.want)
		}
	}

	for _, tt := range []struct{ in, reason string }{
		{"", "id_length"},
		{"1101051949123100", "id_length"},
		{"11010519491231002X", "id_length"},
		{"1101051949123100X", "id_chars"},
		{"11010519491231a02", "id_chars"},
	} {
		_, err := ident.ResidentIDCheckChar(tt.in)
		checkErr(t, err, ident.FieldResidentID, tt.reason)
	}
}

func TestParseResidentIDValid(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		number string
		birth  workcal.Date
		sex    ident.Sex
	}{
		{"standard example", "11010519491231002X", "11010519491231002X", workcal.D(1949, 12, 31), ident.Female},
		{"lower-case x", "11010519491231002x", "11010519491231002X", workcal.D(1949, 12, 31), ident.Female},
		{"spaces around and inside", "  110105 19491231 002X\t", "11010519491231002X", workcal.D(1949, 12, 31), ident.Female},
		{"full-width from an input method", "１１０１０５１９４９１２３１００２ｘ", "11010519491231002X", workcal.D(1949, 12, 31), ident.Female},
		{"ideographic space", "110105\u300019491231002X", "11010519491231002X", workcal.D(1949, 12, 31), ident.Female},
		{"hand-checked, male", "44030419900307123X", "44030419900307123X", workcal.D(1990, 3, 7), ident.Male},
		{"hand-checked, 29 Feb of a leap century", "320106200002290027", "320106200002290027", workcal.D(2000, 2, 29), ident.Female},
		{"first day allowed", withIDCheck("11010519000101001"), withIDCheck("11010519000101001"), workcal.D(1900, 1, 1), ident.Male},
		{"born today", withIDCheck("51010720260315004"), withIDCheck("51010720260315004"), workcal.D(2026, 3, 15), ident.Female},
		{"29 Feb 2024", withIDCheck("51010720240229019"), withIDCheck("51010720240229019"), workcal.D(2024, 2, 29), ident.Male},
		{"31 December", withIDCheck("65010219991231998"), withIDCheck("65010219991231998"), workcal.D(1999, 12, 31), ident.Female},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ident.ParseResidentID(tt.in, now)
			if err != nil {
				t.Fatalf("ParseResidentID(%q): %v", tt.in, err)
			}
			want := ident.ResidentID{Number: tt.number, Region: tt.number[:6], Birth: tt.birth, Sex: tt.sex}
			if got != want {
				t.Errorf("ParseResidentID(%q) = %#v, want %#v", tt.in, got, want)
			}
		})
	}
}

func TestParseResidentIDInvalid(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		reason string
		zh     string // a part of the Chinese message that tells the clerk what to fix
	}{
		{"empty", "", "id_length", "请输入"},
		{"blank", "   ", "id_length", "请输入"},
		{"one digit missing", "11010519491231002", "id_length", "实际输入了17位"},
		{"one digit extra", "110105194912310021X", "id_length", "实际输入了19位"},
		{"first generation", "110105491231002", "id_length", "第一代"},
		{"characters counted, not bytes", "11010519491231002X号", "id_length", "实际输入了19位"},
		{"Chinese character last", "11010519491231002号", "id_chars", "第18位只能是数字或字母 X，实际输入为“号”"},
		{"letter inside", "11010A19491231002X", "id_chars", "第6位“A”不是数字"},
		{"X before the end", "1101051949123100X2", "id_chars", "第17位却是 X"},
		{"bad last character", "11010519491231002Y", "id_chars", "第18位只能是数字或字母 X"},
		{"control character shown by code point", "1101051949123\x01002X", "id_chars", "U+0001"},
		{"broken UTF-8", "1101051949123\xff002X", "id_chars", "U+FFFD"},
		{"wrong check character", "110105194912310023", "id_checksum", "第18位校验码应为 X，实际输入为 3"},
		{"transposed digits", "11010519491213002X", "id_checksum", "应为 "},
		{"month 13", withIDCheck("11010519491331002"), "id_birth_date", "出生月份"},
		{"month 00", withIDCheck("11010519490031002"), "id_birth_date", "出生月份"},
		{"day 00", withIDCheck("11010519491200002"), "id_birth_date", "出生日"},
		{"31 April", withIDCheck("11010519490431002"), "id_birth_date", "1949年4月只有30天"},
		{"30 February", withIDCheck("11010520260230002"), "id_birth_date", "2026年2月只有28天"},
		{"29 Feb of 1900, not a leap year", withIDCheck("11010519000229002"), "id_birth_date", "1900年2月只有28天"},
		{"29 Feb 2023", withIDCheck("11010520230229002"), "id_birth_date", "只有28天"},
		{"before 1900", withIDCheck("11010518991231002"), "id_too_old", "1900"},
		{"year 0000", withIDCheck("11010500000101002"), "id_too_old", "1900"},
		{"tomorrow", withIDCheck("11010520260316002"), "id_future", "晚于今天（2026-03-15）"},
		{"next year", withIDCheck("11010520270101002"), "id_future", "不能晚于今年"},
		{"typed 2049 for 1949", withIDCheck("11010520491231002"), "id_future", "2049"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ident.ParseResidentID(tt.in, now)
			if err == nil {
				t.Fatalf("ParseResidentID(%q) succeeded, want %s", tt.in, tt.reason)
			}
			e := checkErr(t, err, ident.FieldResidentID, tt.reason)
			if !strings.Contains(e.Zh, tt.zh) {
				t.Errorf("Zh = %q, want it to contain %q", e.Zh, tt.zh)
			}
		})
	}
}

func TestParseResidentIDChecksumMessage(t *testing.T) {
	_, err := ident.ParseResidentID("110105194912310023", now)
	e := checkErr(t, err, ident.FieldResidentID, "id_checksum")
	if !strings.Contains(e.En, "should be X, but 3 was typed") {
		t.Errorf("En = %q", e.En)
	}
}

// "Today" is the date in China, whatever the zone of the time passed in or
// of the machine.
func TestParseResidentIDTodayInChina(t *testing.T) {
	born := withIDCheck("11010520260315002")
	// 17:30 UTC on the 14th is 01:30 on the 15th in China: born today.
	lateUTC := time.Date(2026, 3, 14, 17, 30, 0, 0, time.UTC)
	if _, err := ident.ParseResidentID(born, lateUTC); err != nil {
		t.Errorf("born on the 15th, at %v: %v", lateUTC, err)
	}
	// 15:30 UTC on the 14th is 23:30 on the 14th in China: born tomorrow.
	earlyUTC := time.Date(2026, 3, 14, 15, 30, 0, 0, time.UTC)
	_, err := ident.ParseResidentID(born, earlyUTC)
	checkErr(t, err, ident.FieldResidentID, "id_future")
}

func TestCheckPartialResidentID(t *testing.T) {
	tests := []struct {
		in     string
		reason string // "" when the input may still become valid
	}{
		{"", ""},
		{"1", ""},
		{"110105", ""},
		{"1101051", ""},
		{"11010519", ""},
		{"110105 1949", ""},
		{"11010519491", ""},
		{"110105194912", ""},
		{"1101051949123", ""},
		{"11010519491231", ""},
		{"11010519491231002", ""},
		{"11010519491231002X", ""},
		{"11010519491231002x", ""},
		{"1101052000022", ""},
		{"11010520000229", ""},
		{"1101051949043", ""},  // 30 April is still possible
		{"11010520991231", ""}, // far ahead, but the check does not know today
		{"1101X", "id_chars"},
		{"11010a", "id_chars"},
		{"11010519491231002Z", "id_chars"},
		{"1101050", "id_too_old"},
		{"11010518", "id_too_old"},
		{"110105189", "id_too_old"},
		{"1101053", "id_future"},
		{"11010521", "id_future"},
		{"11010519492", "id_birth_date"},
		{"110105194913", "id_birth_date"},
		{"110105194900", "id_birth_date"},
		{"1101051949124", "id_birth_date"},
		{"1101051949023", "id_birth_date"}, // no 30 or 31 February
		{"11010519490400", "id_birth_date"},
		{"11010519000229", "id_birth_date"},
		{"110105194912310023", "id_checksum"},
		{"11010519491231002X1", "id_length"},
		{"11010519491231002X 0", "id_length"},
	}
	for _, tt := range tests {
		err := ident.CheckPartialResidentID(tt.in)
		if tt.reason == "" {
			if err != nil {
				t.Errorf("CheckPartialResidentID(%q) = %v, want nil", tt.in, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("CheckPartialResidentID(%q) = nil, want %s", tt.in, tt.reason)
			continue
		}
		checkErr(t, err, ident.FieldResidentID, tt.reason)
	}
}

func TestSexLabel(t *testing.T) {
	tests := []struct {
		sex        ident.Sex
		lang, want string
	}{
		{ident.Male, "zh", "男"},
		{ident.Female, "zh-CN", "女"},
		{ident.Male, "en", "male"},
		{ident.Female, "", "female"},
		{ident.Sex("x"), "zh", "x"},
	}
	for _, tt := range tests {
		if got := tt.sex.Label(tt.lang); got != tt.want {
			t.Errorf("%q.Label(%q) = %q, want %q", tt.sex, tt.lang, got, tt.want)
		}
	}
}

// A ResidentID that ends up in a log line or an error message by accident
// shows only the masked number.
func TestResidentIDDoesNotLeak(t *testing.T) {
	id, err := ident.ParseResidentID("11010519491231002X", now)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("accepted", "applicant", id)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("accepted", "applicant", id)
	fmt.Fprintf(&buf, "%v %+v %s\n", id, id, id)
	out := buf.String()
	if strings.Contains(out, id.Number) || strings.Contains(out, "19491231") {
		t.Errorf("full number leaked:\n%s", out)
	}
	if !strings.Contains(out, "110105********002X") {
		t.Errorf("masked number missing:\n%s", out)
	}
}

func TestParseResidentIDErrorIsBmerr(t *testing.T) {
	_, err := ident.ParseResidentID("123", now)
	if bmerr.CodeOf(err) != bmerr.Invalid || bmerr.ReasonOf(err) != "id_length" {
		t.Errorf("got %v / %q", bmerr.CodeOf(err), bmerr.ReasonOf(err))
	}
	if got := bmerr.Message(err, "zh"); !strings.Contains(got, "实际输入了3位") {
		t.Errorf("Message(zh) = %q", got)
	}
}

func BenchmarkParseResidentID(b *testing.B) {
	for b.Loop() {
		if _, err := ident.ParseResidentID("11010519491231002X", now); err != nil {
			b.Fatal(err)
		}
	}
}
