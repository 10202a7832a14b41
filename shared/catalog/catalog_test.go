package catalog_test

import (
	"bytes"
	"flag"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/workcal"
)

var update = flag.Bool("update", false, "rewrite data/demo.json in canonical form")

func TestDemoIsValid(t *testing.T) {
	c := catalog.Demo()
	if err := c.Validate(); err != nil {
		t.Fatalf("demo catalog invalid: %v", err)
	}
	if len(c.Matters) < 26 {
		t.Errorf("demo has %d matters, want at least 26", len(c.Matters))
	}
	parallel, anyRule := 0, 0
	for _, m := range c.Matters {
		if n := len(m.Materials); n < 3 || n > 6 {
			t.Errorf("%s has %d materials, want 3–6", m.Name, n)
		}
		if len(m.Keywords) == 0 {
			t.Errorf("%s has no keywords", m.Name)
		}
		if m.Workflow == nil {
			continue
		}
		for _, s := range m.Workflow.Stages {
			if s.Kind == catalog.ParallelStage {
				parallel++
				if s.Rule == catalog.AnyAgree {
					anyRule++
				}
			}
		}
	}
	if parallel < 3 || anyRule < 1 {
		t.Errorf("demo has %d parallel stages (%d with rule any), want ≥3 and ≥1", parallel, anyRule)
	}
}

// TestDemoFile keeps data/demo.json in the form JSON() writes, so a diff of
// the file after an edit in the admin UI shows only what was changed.
func TestDemoFile(t *testing.T) {
	out, err := catalog.Demo().JSON()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("data/demo.json", out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(out, catalog.DemoJSON()) {
		t.Errorf("data/demo.json is not in canonical form; run go test ./shared/catalog -run TestDemoFile -update")
	}
}

func wd(n int) workcal.Limit { return workcal.Limit{N: n, Unit: workcal.WorkingDays} }
func cd(n int) workcal.Limit { return workcal.Limit{N: n, Unit: workcal.CalendarDays} }

// TestDemoMatchesDomainTable checks the facts of domain.md §8 for every matter.
func TestDemoMatchesDomainTable(t *testing.T) {
	const (
		C = catalog.Central
		T = catalog.Township
		S = catalog.Community
	)
	tests := []struct {
		name     string
		kind     catalog.Kind
		legal    *workcal.Limit
		promised workcal.Limit
		spot     bool
		accept   []catalog.Level // must all accept
		decide   []catalog.Level // must all decide
		dept     string
	}{
		{"城乡居民养老保险参保登记", catalog.PublicService, new(wd(3)), wd(0), true, []catalog.Level{T, S}, []catalog.Level{T, S, C}, "rs"},
		{"城乡居保待遇申领", catalog.Benefit, nil, wd(15), false, []catalog.Level{T}, []catalog.Level{C}, "rs"},
		{"城乡居民医保参保登记", catalog.PublicService, nil, wd(0), true, []catalog.Level{T, S}, []catalog.Level{T, S}, "yb"},
		{"异地就医备案", catalog.PublicService, nil, wd(0), true, []catalog.Level{T}, []catalog.Level{T}, "yb"},
		{"社保卡申领/补换", catalog.PublicService, nil, wd(0), true, []catalog.Level{T}, []catalog.Level{T}, "rs"},
		{"就业/失业登记", catalog.PublicService, nil, wd(0), true, []catalog.Level{T}, []catalog.Level{T}, "rs"},
		{"最低生活保障审核确认", catalog.Benefit, new(wd(30)), wd(25), false, []catalog.Level{T}, []catalog.Level{T, C}, "mz"},
		{"特困人员认定", catalog.Confirmation, new(wd(15)), wd(15), false, []catalog.Level{T}, []catalog.Level{T}, "mz"},
		{"临时救助", catalog.Benefit, nil, wd(5), false, []catalog.Level{T}, []catalog.Level{T, C}, "mz"},
		{"残疾人两项补贴", catalog.Benefit, nil, wd(15), false, []catalog.Level{T}, []catalog.Level{C}, "mz"},
		{"残疾人证核发", catalog.PublicService, new(wd(10)), wd(10), false, []catalog.Level{T}, []catalog.Level{C}, "cl"},
		{"生育登记", catalog.PublicService, nil, wd(0), true, []catalog.Level{T, S}, []catalog.Level{T, S}, "wj"},
		{"计生家庭奖励扶助确认", catalog.Benefit, nil, wd(30), false, []catalog.Level{S, T}, []catalog.Level{C}, "wj"},
		{"居住证申领", catalog.PublicService, new(cd(15)), wd(10), false, []catalog.Level{S}, []catalog.Level{C}, "ga"},
		{"居住登记", catalog.PublicService, nil, wd(0), true, []catalog.Level{S}, []catalog.Level{S}, "ga"},
		{"老年人优待证", catalog.PublicService, nil, wd(0), true, []catalog.Level{T, S}, []catalog.Level{T, S}, "mz"},
		{"高龄津贴", catalog.Benefit, nil, wd(15), false, []catalog.Level{T}, []catalog.Level{C}, "mz"},
		{"城乡居保领取资格认证", catalog.PublicService, nil, wd(0), true, []catalog.Level{S, T}, []catalog.Level{S, T}, "rs"},
		{"门诊慢特病待遇认定", catalog.Confirmation, nil, wd(15), false, []catalog.Level{T}, []catalog.Level{C}, "yb"},
		{"农村宅基地和建房审批", catalog.Licensing, new(wd(20)), wd(15), false, []catalog.Level{T}, []catalog.Level{C}, "zr"},
		{"乡村建设规划许可证", catalog.Licensing, new(wd(20)), wd(10), false, []catalog.Level{T}, []catalog.Level{T}, "zr"},
		{"法律援助申请", catalog.PublicService, new(cd(7)), wd(5), false, []catalog.Level{T}, []catalog.Level{C}, "sf"},
		{"人民调解申请", catalog.PublicService, nil, cd(30), false, []catalog.Level{S, T}, []catalog.Level{S, T}, "sf"},
		{"退役军人优待证", catalog.PublicService, nil, wd(30), false, []catalog.Level{T}, []catalog.Level{C}, "ty"},
		{"城乡居保丧葬补助", catalog.Benefit, nil, wd(15), false, []catalog.Level{T}, []catalog.Level{C}, "rs"},
	}
	c := catalog.Demo()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := find(c, tt.name)
			if m.Kind != tt.kind {
				t.Errorf("kind = %s, want %s", m.Kind, tt.kind)
			}
			if !reflect.DeepEqual(m.LegalLimit, tt.legal) {
				t.Errorf("legal limit = %v, want %v", m.LegalLimit, tt.legal)
			}
			if m.PromisedLimit != tt.promised {
				t.Errorf("promised limit = %v, want %v", m.PromisedLimit, tt.promised)
			}
			if m.IsOnTheSpot() != tt.spot {
				t.Errorf("on the spot = %v, want %v", m.IsOnTheSpot(), tt.spot)
			}
			for _, l := range tt.accept {
				if !m.CanAccept(l) {
					t.Errorf("cannot be accepted at %s", l)
				}
			}
			for _, l := range tt.decide {
				if !m.CanDecide(l) {
					t.Errorf("cannot be decided at %s", l)
				}
			}
			// A matter the table routes to central ("→县") is not decided
			// below it unless it is on the spot or the table says "乡/县".
			if !tt.spot && !slices.Contains(tt.decide, catalog.Township) && m.CanDecide(catalog.Township) {
				t.Errorf("decided at township, but the table sends it to central")
			}
			if m.Department != tt.dept {
				t.Errorf("department = %s, want %s", m.Department, tt.dept)
			}
			if _, ok := c.Department(m.Department); !ok {
				t.Errorf("department %s not in catalog", m.Department)
			}
		})
	}
}

func TestDemoSpecialProcedures(t *testing.T) {
	c := catalog.Demo()
	for name, want := range map[string][]catalog.Procedure{
		"特困人员认定":     {catalog.PublicNotice},
		"残疾人证核发":     {catalog.PublicNotice},
		"农村宅基地和建房审批": {catalog.PublicNotice, catalog.SiteInspection},
	} {
		m := find(c, name)
		for _, p := range want {
			if !slices.Contains(m.SpecialProcedures, p) {
				t.Errorf("%s lacks special procedure %s", name, p)
			}
		}
	}
}

func TestDemoParallelStages(t *testing.T) {
	c := catalog.Demo()
	tests := []struct {
		name     string
		lead     string
		branches []string
		rule     catalog.CompletionRule
	}{
		{"农村宅基地和建房审批", "zr", []string{"zr", "nn"}, catalog.AllAgree},
		{"残疾人两项补贴", "mz", []string{"mz", "cl"}, catalog.AllAgree},
		{"餐饮店开业“一件事”", "sc", []string{"sc", "wj", "xf"}, catalog.AllAgree},
		{"临时救助", "mz", []string{"mz", "xz"}, catalog.AnyAgree},
	}
	for _, tt := range tests {
		m := find(c, tt.name)
		if m.Workflow == nil {
			t.Fatalf("%s has no workflow", tt.name)
		}
		s := m.Workflow.Stages[0]
		var got []string
		for _, b := range s.Branches {
			got = append(got, b.Department)
			if b.Days > m.PromisedLimit.N {
				t.Errorf("%s: branch %s has %d days, promised limit is %v", tt.name, b.Department, b.Days, m.PromisedLimit)
			}
		}
		if s.Kind != catalog.ParallelStage || s.Department != tt.lead || s.Rule != tt.rule || !slices.Equal(got, tt.branches) {
			t.Errorf("%s: first stage = %+v", tt.name, s)
		}
	}
}

func TestParseRoundTrip(t *testing.T) {
	c, err := catalog.Parse(catalog.DemoJSON())
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.JSON()
	if err != nil {
		t.Fatal(err)
	}
	c2, err := catalog.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, c2) {
		t.Errorf("catalog changed in a JSON round trip")
	}
	out2, _ := c2.JSON()
	if !bytes.Equal(out, out2) {
		t.Errorf("JSON not stable across a round trip")
	}
	// A catalog built in code without the empty lists the file format
	// always writes still reads back.
	m := find(c, "居住登记")
	m.Levels.Proxy = nil
	out, _ = c.JSON()
	c3, err := catalog.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(find(c3, "居住登记").Levels.Proxy) != 0 {
		t.Errorf("proxy levels appeared")
	}
}

func TestParseSyntax(t *testing.T) {
	demo := string(catalog.DemoJSON())
	tests := []struct {
		name  string
		data  string
		field string
	}{
		{"not json", "目录", ""},
		{"empty", "", ""},
		{"unknown field", strings.Replace(demo, `"version": 1,`, `"version": 1, "versoin": 2,`, 1), ""},
		{"unknown matter field", strings.Replace(demo, `"max_visits": 0,`, `"max_visit": 0, "max_visits": 0,`, 1), ""},
		{"wrong type", strings.Replace(demo, `"version": 1,`, `"version": "1",`, 1), "version"},
		{"trailing data", demo + "{}", ""},
		{"two catalogs", demo + demo, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := catalog.Parse([]byte(tt.data))
			if err == nil || c != nil {
				t.Fatalf("Parse succeeded")
			}
			e := bmerr.As(err)
			if e == nil || e.Reason != "catalog_syntax" || e.Code != bmerr.Invalid {
				t.Fatalf("err = %#v, want reason catalog_syntax", err)
			}
			if e.Field != tt.field {
				t.Errorf("field = %q, want %q", e.Field, tt.field)
			}
			if e.Zh == "" || e.En == "" {
				t.Errorf("message missing: %#v", e)
			}
		})
	}
}

func TestLookups(t *testing.T) {
	c := catalog.Demo()
	want := find(c, "城乡居保待遇申领")
	m, ok := c.Matter(want.Code)
	if !ok || m != want {
		t.Fatalf("Matter(%s) = %v, %v", want.Code, m, ok)
	}
	if _, ok := c.Matter("nope"); ok {
		t.Errorf("found a matter that does not exist")
	}
	d, ok := c.Department("rs")
	if !ok || d.Name != "县人力资源和社会保障局" {
		t.Errorf("Department(rs) = %v, %v", d, ok)
	}
	if _, ok := c.Department(""); ok {
		t.Errorf("found department with empty code")
	}

	bank, ok := m.Material("bank_card")
	if !ok || bank.Necessity != catalog.Deferrable {
		t.Errorf("Material(bank_card) = %v, %v", bank, ok)
	}
	if _, ok := m.Material("passport"); ok {
		t.Errorf("found a material that does not exist")
	}
	var req []string
	for _, mat := range m.RequiredMaterials() {
		req = append(req, mat.Code)
	}
	if !slices.Equal(req, []string{"id_card", "hukou", "claim_form"}) {
		t.Errorf("RequiredMaterials = %v", req)
	}

	if m.IsOnTheSpot() || !m.CanAccept(catalog.Township) || m.CanAccept(catalog.Community) ||
		!m.CanDecide(catalog.Central) || m.CanDecide(catalog.Township) || m.CanProxy(catalog.Community) {
		t.Errorf("levels of %s wrong: %+v", m.Name, m.Levels)
	}
	spot := find(c, "城乡居民养老保险参保登记")
	if !spot.IsOnTheSpot() || !spot.CanProxy(catalog.Community) || !spot.CanDecide(catalog.Community) {
		t.Errorf("levels of %s wrong: %+v", spot.Name, spot.Levels)
	}
}

func TestLabels(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{catalog.Licensing.Label("zh"), "行政许可"},
		{catalog.Licensing.Label("en"), "administrative licensing"},
		{catalog.PublicService.Label("zh-CN"), "公共服务"},
		{catalog.OnTheSpot.Label("zh"), "即办件"},
		{catalog.Joint.Label(""), "multi-department"},
		{catalog.PublicNotice.Label("zh"), "公示"},
		{catalog.SiteInspection.Label("en-GB"), "site inspection"},
		{catalog.Form.Label("zh"), "申请表格"},
		{catalog.FromGovernment.Label("zh"), "政府部门核发"},
		{catalog.Deferrable.Label("zh"), "容缺后补"},
		{catalog.Either.Label("zh"), "纸质或电子"},
		{catalog.Review.Label("zh"), "审核"},
		{catalog.Approve.Label("en"), "approve"},
		{catalog.Community.Label("zh"), "村（社区）便民服务站"},
		{catalog.AnyAgree.Label("zh"), "任一同意"},
		{catalog.ParallelStage.Label("zh"), "并联审批"},
		{catalog.Kind("new_kind").Label("zh"), "new_kind"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("label = %q, want %q", tt.got, tt.want)
		}
	}
	if catalog.Kind("").Valid() || !catalog.Award.Valid() || catalog.Level("province").Valid() {
		t.Errorf("Valid wrong")
	}
}
