package ident

import (
	"strings"

	"github.com/bianmin/bianmin/shared/bmerr"
)

// CreditCode is a well-formed unified social credit code.
type CreditCode struct {
	Number string // 18 upper-case characters
	// Warning is set, with Reason "uscc_checksum", when the check character
	// does not match. Some codes assigned early fail the check yet are legal,
	// so the clerk is warned and may go on after looking at the licence.
	Warning *bmerr.Error
}

const creditChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// ParseCreditCode checks an 18-character unified social credit code as typed
// and returns it normalised (white space removed, full-width characters
// converted, letters upper-cased). A wrong length ("uscc_length") or a
// character the code never uses ("uscc_chars") is an error with Code
// bmerr.Invalid and Field FieldCreditCode; a failed check character is not
// an error but a Warning on the result.
func ParseCreditCode(s string) (CreditCode, error) {
	num := normalizeCredit(s)
	r := []rune(num)
	switch n := len(r); {
	case n == 18:
	case n == 0:
		return CreditCode{}, invalid(FieldCreditCode, "uscc_length",
			"请输入统一社会信用代码。", "Please enter the unified social credit code.")
	case n == 15 && allDigits(r):
		return CreditCode{}, invalid(FieldCreditCode, "uscc_length",
			"这是15位的旧工商注册号，请填写营业执照上的18位统一社会信用代码。",
			"This looks like an old 15-digit business registration number; please enter the 18-character unified social credit code from the licence.")
	default:
		return CreditCode{}, invalid(FieldCreditCode, "uscc_length",
			"统一社会信用代码应为18位，实际输入了%d位，请核对是否漏输或多输。",
			"A unified social credit code has 18 characters, but %d were typed; please check for a missing or extra character.", n)
	}
	if err := checkCreditChars(num); err != nil {
		return CreditCode{}, err
	}
	code := CreditCode{Number: num}
	if want := creditCheckChar(num[:17]); num[17] != want {
		code.Warning = invalid(FieldCreditCode, "uscc_checksum",
			"统一社会信用代码校验不通过：按前17位计算，第18位应为 %c，实际为 %c。部分早期赋予的代码校验不通过但仍然有效，请对照营业执照或登记证书核实后再继续。",
			"The unified social credit code fails its check: from the first 17 characters the 18th should be %c, but it is %c. Some codes issued early fail this check yet are valid; please compare it with the business licence or registration certificate before going on.",
			want, num[17])
	}
	return code, nil
}

// CreditCodeCheckChar returns the check character for the first 17
// characters of a unified social credit code, normalised as by
// ParseCreditCode.
func CreditCodeCheckChar(first17 string) (byte, error) {
	num := normalizeCredit(first17)
	if n := len([]rune(num)); n != 17 {
		return 0, invalid(FieldCreditCode, "uscc_length",
			"计算校验码需要统一社会信用代码的前17位，实际输入了%d位。",
			"The check character is computed from the first 17 characters of the credit code, but %d characters were given.", n)
	}
	if err := checkCreditChars(num); err != nil {
		return 0, err
	}
	return creditCheckChar(num), nil
}

// normalizeCredit upper-cases ASCII letters only: strings.ToUpper would turn
// look-alikes such as 'ſ' or 'ı' into letters and hide what was typed.
func normalizeCredit(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, normalize(s))
}

// creditLookAlikes maps letters the code leaves out because they look like
// digits to that digit: suggesting it fixes most typos. (V, left out for
// looking like U, gets the general message.)
var creditLookAlikes = map[rune]rune{'I': '1', 'O': '0', 'Z': '2', 'S': '5'}

func checkCreditChars(num string) *bmerr.Error {
	i := 0
	for _, r := range num {
		i++
		if r < 0x80 && strings.IndexByte(creditChars, byte(r)) >= 0 {
			continue
		}
		if d, ok := creditLookAlikes[r]; ok {
			return invalid(FieldCreditCode, "uscc_chars",
				"统一社会信用代码第%d位是字母 %c，但代码中不使用字母 I、O、Z、S、V，是否应为数字 %c？请核对。",
				"Character %d of the credit code is the letter %c, but credit codes never use the letters I, O, Z, S or V; should it be the digit %c? Please check the code.",
				i, r, d)
		}
		return invalid(FieldCreditCode, "uscc_chars",
			"统一社会信用代码第%d位“%s”不是代码中使用的字符：只能是数字或大写字母（不含 I、O、Z、S、V），请核对。",
			"Character %d of the credit code, %s, is not used in credit codes: only digits and capital letters other than I, O, Z, S and V; please check the code.",
			i, show(r))
	}
	return nil
}

// creditCheckChar computes the GB 32100 check character of 17 characters
// from creditChars.
func creditCheckChar(first17 string) byte {
	sum := 0
	for i, w := range creditWeights {
		sum += strings.IndexByte(creditChars, first17[i]) * w
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return creditChars[c]
}
