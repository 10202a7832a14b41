package ident

import (
	"log/slog"
	"strings"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/workcal"
)

// Sex is the sex recorded in a resident ID number (odd 17th digit: male).
type Sex string

const (
	Male   Sex = "male"
	Female Sex = "female"
)

// Label returns the sex's name in lang ("zh…" or English).
func (s Sex) Label(lang string) string {
	zh := len(lang) >= 2 && lang[:2] == "zh"
	switch s {
	case Male:
		if zh {
			return "男"
		}
		return "male"
	case Female:
		if zh {
			return "女"
		}
		return "female"
	}
	return string(s)
}

// ResidentID is a checked resident ID number and what it says about its holder.
type ResidentID struct {
	Number string       // 18 characters, upper-case X
	Region string       // the 6-digit administrative division code of first registration
	Birth  workcal.Date // date of birth
	Sex    Sex
}

// String returns the masked number, so that a ResidentID printed into a log
// or an error by accident does not leak the full number. Use Number where a
// role needs the full value.
func (r ResidentID) String() string { return MaskID(r.Number) }

// LogValue implements slog.LogValuer with the masked number, for the same
// reason as String (slog's JSON handler would otherwise write every field).
func (r ResidentID) LogValue() slog.Value { return slog.StringValue(MaskID(r.Number)) }

var (
	idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	idChecks  = "10X98765432"
)

// partialLatestYear bounds the birth year CheckPartialResidentID accepts: it
// does not know today's date, but no one alive when this code runs was born
// after 2099, and rejecting a year that starts "3" as soon as it is typed is
// what makes the as-you-type check useful.
const partialLatestYear = 2099

// ParseResidentID checks an 18-character resident ID number as typed and
// returns it normalised (white space removed, full-width characters and a
// lower-case x converted) with the birth date and sex it encodes.
//
// Checks run in this order: length ("id_length"), characters ("id_chars"),
// birth date ("id_birth_date"; "id_too_old" before 1900, "id_future" after
// today in China as given by now), and last the check character
// ("id_checksum"), because it only says that some digit is wrong while the
// others tell the clerk which part of the number to look at.
// Every error is a *bmerr.Error with Code bmerr.Invalid and Field
// FieldResidentID.
func ParseResidentID(s string, now time.Time) (ResidentID, error) {
	num := normalizeID(s)
	if err := checkIDLength([]rune(num)); err != nil {
		return ResidentID{}, err
	}
	if err := checkIDChars(num); err != nil {
		return ResidentID{}, err
	}
	// From here num is 18 ASCII characters.
	today := workcal.DateOf(now)
	if err := checkBirthPrefix(num[6:14], today.Year); err != nil {
		return ResidentID{}, err
	}
	birth := workcal.D(atoi(num[6:10]), time.Month(atoi(num[10:12])), atoi(num[12:14]))
	if birth.After(today) {
		return ResidentID{}, invalid(FieldResidentID, "id_future",
			"身份证号码中的出生日期 %s 晚于今天（%s），请核对号码；如果号码无误，请检查本机日期是否正确。",
			"The birth date in the ID number, %s, is after today (%s); please check the number, and if it is right, check this computer's date.",
			birth, today)
	}
	if err := checkIDChecksum(num); err != nil {
		return ResidentID{}, err
	}
	sex := Female
	if (num[16]-'0')%2 == 1 {
		sex = Male
	}
	return ResidentID{Number: num, Region: num[:6], Birth: birth, Sex: sex}, nil
}

// CheckPartialResidentID checks a resident ID number while it is being typed:
// it returns nil as long as some way of finishing the input could give a
// valid number, and otherwise the error ParseResidentID would give for it.
// The birth date is checked digit by digit (a month cannot start with 2, a
// year must fall in 1900–2099), and the check character once all 18
// characters are in. It does not know today's date, so a birth date later
// this century is caught only by ParseResidentID.
func CheckPartialResidentID(s string) error {
	num := normalizeID(s)
	if n := len([]rune(num)); n > 18 {
		return lengthError(n)
	}
	if err := checkIDChars(num); err != nil {
		return err
	}
	if len(num) > 6 {
		if err := checkBirthPrefix(num[6:min(len(num), 14)], partialLatestYear); err != nil {
			return err
		}
	}
	if len(num) == 18 {
		// Not "return checkIDChecksum(num)": a nil *bmerr.Error would come back
		// as a non-nil error.
		if err := checkIDChecksum(num); err != nil {
			return err
		}
	}
	return nil
}

// ResidentIDCheckChar returns the check character ('0'–'9' or 'X') for the
// first 17 digits of a resident ID number, normalised as by ParseResidentID.
func ResidentIDCheckChar(first17 string) (byte, error) {
	num := normalizeID(first17)
	if n := len([]rune(num)); n != 17 {
		return 0, invalid(FieldResidentID, "id_length",
			"计算校验码需要身份证号码的前17位，实际输入了%d位。",
			"The check character is computed from the first 17 digits of the ID number, but %d characters were given.", n)
	}
	if err := checkIDChars(num); err != nil {
		return 0, err
	}
	return idCheckChar(num), nil
}

func normalizeID(s string) string { return strings.ReplaceAll(normalize(s), "x", "X") }

// idCheckChar computes the GB 11643 check character of 17 ASCII digits.
func idCheckChar(first17 string) byte {
	sum := 0
	for i, w := range idWeights {
		sum += int(first17[i]-'0') * w
	}
	return idChecks[sum%11]
}

func checkIDLength(r []rune) *bmerr.Error {
	switch n := len(r); {
	case n == 18:
		return nil
	case n == 0:
		return invalid(FieldResidentID, "id_length", "请输入身份证号码。", "Please enter the resident ID number.")
	case n == 15 && allDigits(r):
		// First-generation cards carried 15 digits and stopped being valid in 2013.
		return invalid(FieldResidentID, "id_length",
			"这是15位的第一代身份证号码，已停止使用，请填写第二代身份证上的18位号码。",
			"This is a 15-digit first-generation ID number, which is no longer valid; please enter the 18-character number from the second-generation card.")
	default:
		return lengthError(n)
	}
}

func lengthError(n int) *bmerr.Error {
	return invalid(FieldResidentID, "id_length",
		"身份证号码应为18位，实际输入了%d位，请核对是否漏输或多输。",
		"A resident ID number has 18 characters, but %d were typed; please check for a missing or extra character.", n)
}

// checkIDChars checks up to 18 characters: digits, and X only in the last place.
func checkIDChars(num string) *bmerr.Error {
	i := 0
	for _, r := range num {
		i++
		switch {
		case isDigit(r):
		case i == 18 && r == 'X':
		case i == 18:
			return invalid(FieldResidentID, "id_chars",
				"身份证号码第18位只能是数字或字母 X，实际输入为“%s”，请核对。",
				"The 18th character of the ID number must be a digit or X, but %s was typed; please check the number.", show(r))
		case r == 'X':
			return invalid(FieldResidentID, "id_chars",
				"身份证号码只有第18位可以是 X，第%d位却是 X，请核对。",
				"Only the 18th character of the ID number may be X, but character %d is X; please check the number.", i)
		default:
			return invalid(FieldResidentID, "id_chars",
				"身份证号码第%d位“%s”不是数字，请核对。",
				"Character %d of the ID number, %s, is not a digit; please check the number.", i, show(r))
		}
	}
	return nil
}

// checkBirthPrefix checks the birth-date digits typed so far (characters
// 7–14 of the number, 0 to 8 ASCII digits): some way of finishing them must
// give a real date from 1900-01-01 to the end of latestYear.
func checkBirthPrefix(p string, latestYear int) *bmerr.Error {
	n := len(p)
	if n == 0 {
		return nil
	}
	yp := p[:min(n, 4)]
	if hi := atoi(yp + "9999"[len(yp):]); hi < 1900 {
		return invalid(FieldResidentID, "id_too_old",
			"身份证号码第7至10位是出生年份，应在1900年或以后，实际输入为“%s”，请核对。",
			"Characters 7–10 of the ID number are the birth year, which must be 1900 or later, but %s was typed; please check the number.", yp)
	}
	if lo := atoi(yp + "0000"[len(yp):]); lo > latestYear {
		return invalid(FieldResidentID, "id_future",
			"身份证号码第7至10位是出生年份，不能晚于今年，实际输入为“%s”，请核对。",
			"Characters 7–10 of the ID number are the birth year, which cannot be after this year, but %s was typed; please check the number.", yp)
	}
	if n <= 4 {
		return nil
	}
	mp := p[4:min(n, 6)]
	if (n == 5 && mp[0] > '1') || (n >= 6 && (atoi(mp) < 1 || atoi(mp) > 12)) {
		return invalid(FieldResidentID, "id_birth_date",
			"身份证号码第11至12位是出生月份，应为01至12，实际输入为“%s”，请核对。",
			"Characters 11–12 of the ID number are the birth month, 01 to 12, but %s was typed; please check the number.", mp)
	}
	if n <= 6 {
		return nil
	}
	year, month, dp := atoi(yp), atoi(mp), p[6:]
	last := daysIn(year, time.Month(month))
	if (n == 7 && atoi(dp)*10 > last) || (n == 8 && (atoi(dp) < 1 || atoi(dp) > last)) {
		return invalid(FieldResidentID, "id_birth_date",
			"身份证号码第13至14位是出生日，%d年%d月只有%d天，实际输入为“%s”，请核对。",
			"Characters 13–14 of the ID number are the day of birth; %d-%02d has %d days, but %s was typed; please check the number.",
			year, month, last, dp)
	}
	return nil
}

func checkIDChecksum(num string) *bmerr.Error {
	want := idCheckChar(num[:17])
	if num[17] == want {
		return nil
	}
	return invalid(FieldResidentID, "id_checksum",
		"身份证号码校验不通过：按前17位计算，第18位校验码应为 %c，实际输入为 %c。请对照证件逐位核对，任何一位输错都会导致校验不通过。",
		"The ID number fails its check: from the first 17 digits the check character (18th) should be %c, but %c was typed. Please compare every digit with the card; a mistake in any of them causes this.",
		want, num[17])
}

func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func allDigits(r []rune) bool {
	for _, c := range r {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

// atoi converts at most 8 ASCII digits; callers have checked them.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
