package catalog_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/bianmin/bianmin/shared/catalog"
)

// small is a valid one-matter catalog: a seed the fuzzer can mutate quickly.
const small = `{"version":1,"published":"2026-01-05T09:00:00+08:00",
"departments":[{"code":"mz","name":"县民政局","name_en":"Civil Affairs"},{"code":"xz","name":"乡镇便民服务中心","name_en":"Township centre"}],
"matters":[{"code":"M1","name":"临时救助","name_en":"Temporary relief","kind":"benefit","department":"mz","co_departments":["xz"],
"levels":{"accept":["township"],"decide":["township","central"],"proxy":["community"]},
"legal_limit":{"n":10,"unit":"working_days"},"promised_limit":{"n":5,"unit":"working_days"},"handling":"joint",
"fee":{"charged":false},"max_visits":1,"online_depth":2,"special_procedures":["public_notice"],
"materials":[{"code":"app","name":"申请书","name_en":"Application","type":"form","source":"applicant","necessity":"required","form":"paper","originals":1,"copies":0}],
"workflow":{"stages":[{"kind":"parallel","department":"mz","branches":[{"department":"mz","steps":["handle","approve"],"days":5},{"department":"xz","steps":["approve"],"days":3}],"rule":"any"}]},
"keywords":["救助"]}]}`

func FuzzParse(f *testing.F) {
	demo := string(catalog.DemoJSON())
	f.Add([]byte(demo))
	f.Add([]byte(small))
	for _, r := range [][2]string{
		{`"version":1`, `"version":0`},
		{`"code":"M1"`, `"code":""`},
		{`"promised_limit":{"n":5`, `"promised_limit":{"n":50`},
		{`"unit":"working_days"}`, `"unit":"weeks"}`},
		{`"department":"mz","co`, `"department":"xx","co`},
		{`"co_departments":["xz"]`, `"co_departments":["mz"]`},
		{`"handling":"joint"`, `"handling":"on_the_spot"`},
		{`"rule":"any"`, `"rule":"most"`},
		{`"days":3`, `"days":-3`},
		{`"steps":["approve"]`, `"steps":["approve","handle"]`},
		{`"materials":[{`, `"materials":[],"x":[{`},
		{`"proxy":["community"]`, `"proxy":[]`},
		{`,"special_procedures":["public_notice"]`, `,"special_procedures":[]`},
		{`"workflow":{`, `"workflow":null,"w":{`},
	} {
		f.Add([]byte(strings.Replace(small, r[0], r[1], 1)))
	}
	f.Add([]byte(demo[:len(demo)/2]))
	f.Add([]byte(`null`))
	f.Add([]byte(`{}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := catalog.Parse(data)
		if err != nil {
			if c != nil {
				t.Fatalf("Parse returned a catalog and an error")
			}
			if err.Error() == "" {
				t.Fatalf("empty error")
			}
			return
		}
		out, err := c.JSON()
		if err != nil {
			t.Fatalf("JSON: %v", err)
		}
		c2, err := catalog.Parse(out)
		if err != nil {
			t.Fatalf("own JSON does not parse: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(c, c2) {
			t.Fatalf("round trip changed the catalog:\n%+v\n%+v", c, c2)
		}
		out2, _ := c2.JSON()
		if string(out) != string(out2) {
			t.Fatalf("JSON not stable")
		}
	})
}

// The fuzz seeds only exercise the round trip if the small seed is valid.
func TestSmallSeedIsValid(t *testing.T) {
	if _, err := catalog.Parse([]byte(small)); err != nil {
		t.Fatal(err)
	}
}
