package catalog_test

import (
	"fmt"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/catalog"
)

// A window looks up a matter and lists what the resident must bring.
func ExampleCatalog_Matter() {
	c := catalog.Demo()
	for _, m := range c.Matters {
		if m.Name != "高龄津贴" {
			continue
		}
		dept, _ := c.Department(m.Department)
		fmt.Println(m.Name, m.Handling.Label("zh"), m.PromisedLimit, dept.Name)
		for _, mat := range m.Materials {
			fmt.Printf("- %s（%s，原件%d份，复印件%d份）\n", mat.Name, mat.Necessity.Label("zh"), mat.Originals, mat.Copies)
		}
	}
	// Output:
	// 高龄津贴 上报件 15个工作日 县民政局
	// - 居民身份证、户口簿（必要，原件1份，复印件1份）
	// - 高龄津贴申请表（必要，原件1份，复印件0份）
	// - 本人社会保障卡或银行卡（容缺后补，原件0份，复印件1份）
}

// Validate reports every problem at once, each naming the matter and field.
func ExampleCatalog_Validate() {
	c := catalog.Demo()
	for i := range c.Matters {
		m := &c.Matters[i]
		switch m.Name {
		case "生育登记":
			m.PromisedLimit.N = 5
		case "最低生活保障审核确认":
			m.MaxVisits = 3
		}
	}
	err := c.Validate()
	if errs, ok := err.(catalog.ValidationErrors); ok {
		for _, e := range errs {
			fmt.Println(e.Field, e.Reason)
		}
		fmt.Println(bmerr.Message(errs[0], "zh"))
	}
	// Output:
	// matters[最低生活保障审核确认].max_visits max_visits_range
	// matters[生育登记].promised_limit on_the_spot_limit
	// 事项“最低生活保障审核确认”（编码 1133112200250300320500001001）：到办事现场次数应为0、1或2（现为3）。
}
