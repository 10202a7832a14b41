package ident_test

import (
	"testing"

	"github.com/bianmin/bianmin/shared/ident"
)

func TestMask(t *testing.T) {
	tests := []struct {
		name     string
		mask     func(string) string
		in, want string
	}{
		{"ID", ident.MaskID, "110105194912311234", "110105********1234"},
		{"ID with X", ident.MaskID, "11010519491231002X", "110105********002X"},
		{"ID short", ident.MaskID, "110105", "******"},
		{"ID first generation", ident.MaskID, "110105491231002", "***************"},
		{"ID too long", ident.MaskID, "11010519491231002X1", "*******************"},
		{"ID empty", ident.MaskID, "", ""},
		{"ID multi-byte", ident.MaskID, "一二三四五六七八九十一二三四五六七八", "一二三四五六********五六七八"},
		{"ID broken UTF-8", ident.MaskID, "\xff\xfe", "**"},
		{"phone", ident.MaskPhone, "13812345678", "138****5678"},
		{"phone short", ident.MaskPhone, "1381234", "*******"},
		{"phone with country code", ident.MaskPhone, "+8613812345678", "**************"},
		{"phone empty", ident.MaskPhone, "", ""},
		{"credit code", ident.MaskCreditCode, "91350100M000100Y43", "91350100********43"},
		{"credit code short", ident.MaskCreditCode, "91350100", "********"},
		{"name, two characters", ident.MaskName, "张三", "张*"},
		{"name, three characters", ident.MaskName, "李小明", "李**"},
		{"name, compound surname", ident.MaskName, "欧阳娜娜", "欧***"},
		{"name, with middle dot", ident.MaskName, "买买提·艾力", "买*****"},
		{"name, one character", ident.MaskName, "张", "*"},
		{"name, Latin", ident.MaskName, "Li Lei", "L*****"},
		{"name, empty", ident.MaskName, "", ""},
		{"name, broken UTF-8", ident.MaskName, "\xe5\xbc", "\uFFFD*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.mask(tt.in); got != tt.want {
				t.Errorf("mask(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
