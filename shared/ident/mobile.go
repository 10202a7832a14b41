package ident

import "strings"

// ParseMobile checks a mainland China mobile number and returns its 11
// digits. Spaces, dashes, full-width characters and a +86, 0086 or 86
// country code are accepted as typed. Errors have Code bmerr.Invalid, Field
// FieldMobile and Reason "phone_chars", "phone_length" or "phone_prefix".
func ParseMobile(s string) (string, error) {
	num := strings.ReplaceAll(normalize(s), "-", "")
	switch {
	case strings.HasPrefix(num, "+86"):
		num = num[3:]
	case strings.HasPrefix(num, "+"):
		return "", invalid(FieldMobile, "phone_prefix",
			"这里只能填写中国大陆的手机号码（国家代码 +86），请核对。",
			"Only a mainland China mobile number (country code +86) can be entered here; please check the number.")
	case strings.HasPrefix(num, "0086"):
		num = num[4:]
	case strings.HasPrefix(num, "86") && len(num) == 13:
		// Only with 13 digits: a mobile number itself starts with 1, so this
		// cannot misread one, and a short "86…" is reported as it was typed.
		num = num[2:]
	}
	if num == "" {
		return "", invalid(FieldMobile, "phone_length", "请输入手机号码。", "Please enter the mobile number.")
	}
	i := 0
	for _, r := range num {
		i++
		if !isDigit(r) {
			return "", invalid(FieldMobile, "phone_chars",
				"手机号码第%d位“%s”不是数字，请核对。",
				"Character %d of the mobile number, %s, is not a digit; please check the number.", i, show(r))
		}
	}
	if num[0] == '0' {
		// Checked before the length: a landline with its area code has 10 to
		// 12 digits, and "this is a landline" is the useful thing to say.
		return "", invalid(FieldMobile, "phone_prefix",
			"以0开头的是固定电话号码（含区号），这里请填写11位手机号码。",
			"A number starting with 0 is a landline with its area code; please enter an 11-digit mobile number here.")
	}
	if len(num) != 11 {
		return "", invalid(FieldMobile, "phone_length",
			"手机号码应为11位数字，实际输入了%d位，请核对是否漏输或多输。",
			"A mobile number has 11 digits, but %d were typed; please check for a missing or extra digit.", len(num))
	}
	if num[0] != '1' {
		return "", invalid(FieldMobile, "phone_prefix",
			"手机号码应以1开头，实际以%c开头，请核对。",
			"A mobile number starts with 1, but this one starts with %c; please check the number.", num[0])
	}
	if num[1] < '3' {
		return "", invalid(FieldMobile, "phone_prefix",
			"手机号码的第2位应为3至9，实际为%c，请核对。",
			"The second digit of a mobile number is 3 to 9, but it is %c here; please check the number.", num[1])
	}
	return num, nil
}
