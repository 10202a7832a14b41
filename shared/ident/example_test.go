package ident_test

import (
	"fmt"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/ident"
)

func ExampleParseResidentID() {
	now := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)

	id, err := ident.ParseResidentID(" 110105 19491231 002x ", now)
	if err != nil {
		panic(err)
	}
	fmt.Println(id.Number, id.Birth, id.Sex.Label("zh"))
	fmt.Println(id) // masked, for logs

	_, err = ident.ParseResidentID("110105194912310023", now)
	fmt.Println(bmerr.ReasonOf(err))
	fmt.Println(bmerr.Message(err, "zh"))
	// Output:
	// 11010519491231002X 1949-12-31 女
	// 110105********002X
	// id_checksum
	// 身份证号码校验不通过：按前17位计算，第18位校验码应为 X，实际输入为 3。请对照证件逐位核对，任何一位输错都会导致校验不通过。
}

func ExampleCheckPartialResidentID() {
	for _, typed := range []string{"1101051949", "110105194913"} {
		fmt.Printf("%s: %v\n", typed, ident.CheckPartialResidentID(typed))
	}
	// Output:
	// 1101051949: <nil>
	// 110105194913: id_number: Characters 11–12 of the ID number are the birth month, 01 to 12, but 13 was typed; please check the number.
}

func ExampleParseCreditCode() {
	code, err := ident.ParseCreditCode("91350100M000100Y44")
	if err != nil {
		panic(err)
	}
	// Accepted, with a warning the clerk must see.
	fmt.Println(code.Number, code.Warning.Reason)
	// Output: 91350100M000100Y44 uscc_checksum
}

func ExampleParseMobile() {
	phone, err := ident.ParseMobile("+86 138-1234-5678")
	fmt.Println(phone, err, ident.MaskPhone(phone))
	// Output: 13812345678 <nil> 138****5678
}

func ExampleMaskName() {
	fmt.Println(ident.MaskName("张三"), ident.MaskName("欧阳娜娜"), ident.MaskID("110105194912311234"))
	// Output: 张* 欧*** 110105********1234
}
