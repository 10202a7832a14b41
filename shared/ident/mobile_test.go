package ident_test

import (
	"strings"
	"testing"

	"github.com/bianmin/bianmin/shared/ident"
)

func TestParseMobileValid(t *testing.T) {
	for _, in := range []string{
		"13812345678",
		" 13812345678 ",
		"138 1234 5678",
		"138-1234-5678",
		"+86 138 1234 5678",
		"+86-138-1234-5678",
		"+8613812345678",
		"8613812345678",
		"86 138 1234 5678",
		"008613812345678",
		"１３８１２３４５６７８",
		"＋８６　１３８１２３４５６７８",
	} {
		got, err := ident.ParseMobile(in)
		if err != nil || got != "13812345678" {
			t.Errorf("ParseMobile(%q) = %q, %v; want 13812345678", in, got, err)
		}
	}
	for _, in := range []string{"13012345678", "14512345678", "16612345678", "17012345678", "19912345678"} {
		if got, err := ident.ParseMobile(in); err != nil || got != in {
			t.Errorf("ParseMobile(%q) = %q, %v", in, got, err)
		}
	}
}

func TestParseMobileInvalid(t *testing.T) {
	tests := []struct {
		name, in, reason, zh string
	}{
		{"empty", "", "phone_length", "请输入"},
		{"country code only", "+86", "phone_length", "请输入"},
		{"one short", "1381234567", "phone_length", "实际输入了10位"},
		{"one extra", "138123456789", "phone_length", "实际输入了12位"},
		{"86 not taken as a country code in 11 digits", "86138123456", "phone_prefix", "应以1开头"},
		{"letter l for 1", "138l2345678", "phone_chars", "第4位“l”"},
		{"letter O in groups", "138 O234 5678", "phone_chars", "第4位“O”"},
		{"parentheses", "(138)12345678", "phone_chars", "第1位“(”"},
		{"second digit 2", "12812345678", "phone_prefix", "第2位应为3至9"},
		{"second digit 0", "10086123456", "phone_prefix", "实际为0"},
		{"starts with 2", "23812345678", "phone_prefix", "应以1开头"},
		{"Beijing landline", "010-12345678", "phone_prefix", "固定电话"},
		{"Hangzhou landline", "0571-87654321", "phone_prefix", "固定电话"},
		{"Hong Kong", "+852 9123 4567", "phone_prefix", "+86"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ident.ParseMobile(tt.in)
			if err == nil {
				t.Fatalf("ParseMobile(%q) = %q, want %s", tt.in, got, tt.reason)
			}
			e := checkErr(t, err, ident.FieldMobile, tt.reason)
			if !strings.Contains(e.Zh, tt.zh) {
				t.Errorf("Zh = %q, want it to contain %q", e.Zh, tt.zh)
			}
		})
	}
}
