package catalog

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"io"
	"slices"

	"github.com/bianmin/bianmin/shared/bmerr"
)

//go:embed data/demo.json
var demoJSON []byte

// Demo returns the demo catalog compiled into the program: the livelihood
// matters of a county and its townships plus a city-style market-access
// matter. Each call returns a fresh copy the caller may change.
func Demo() *Catalog {
	c, err := Parse(demoJSON)
	if err != nil {
		panic("catalog: built-in demo catalog is invalid: " + err.Error())
	}
	return c
}

// DemoJSON returns the demo catalog file.
func DemoJSON() []byte { return bytes.Clone(demoJSON) }

// Parse reads a catalog file and validates it. Unknown fields are errors: a
// misspelt field would otherwise be silently dropped and the matter published
// without it. A syntax error is a *bmerr.Error with reason "catalog_syntax";
// a catalog that reads but breaks the rules returns ValidationErrors.
//
// The result is in canonical form: lists the file format always writes
// (levels, materials, stages, a branch's steps) are empty rather than nil,
// and optional lists that are empty are nil, so Parse(c.JSON()) equals c.
func Parse(data []byte) (*Catalog, error) {
	var c Catalog
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		e := bmerr.Newf(bmerr.Invalid, "catalog_syntax",
			"事项目录文件无法读取：%v", "the matter catalog file cannot be read: %v", err)
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			e = e.WithField(te.Field)
		}
		return nil, e
	}
	// A second value after the catalog means the file was truncated,
	// concatenated or edited by hand; loading only the first part would hide it.
	if _, err := dec.Token(); err != io.EOF {
		return nil, bmerr.New(bmerr.Invalid, "catalog_syntax",
			"事项目录文件在结尾处有多余内容。", "the matter catalog file has extra data after its end.")
	}
	c.normalize()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// JSON returns the catalog file: indented, with HTML characters left as they
// are so the Chinese text and any "&" in a name stay readable in an editor.
func (c *Catalog) JSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return nil, bmerr.Newf(bmerr.Internal, "catalog_encode",
			"事项目录无法保存：%v", "the matter catalog cannot be written: %v", err)
	}
	return buf.Bytes(), nil
}

// normalize puts c in canonical form (see Parse).
func (c *Catalog) normalize() {
	c.Departments = nonNil(c.Departments)
	c.Matters = nonNil(c.Matters)
	for i := range c.Matters {
		m := &c.Matters[i]
		m.CoDepartments = nilIfEmpty(m.CoDepartments)
		m.SpecialProcedures = nilIfEmpty(m.SpecialProcedures)
		m.Keywords = nilIfEmpty(m.Keywords)
		m.Levels.Accept = nonNil(m.Levels.Accept)
		m.Levels.Decide = nonNil(m.Levels.Decide)
		m.Levels.Proxy = nonNil(m.Levels.Proxy)
		m.Materials = nonNil(m.Materials)
		if m.Workflow == nil {
			continue
		}
		m.Workflow.Stages = nonNil(m.Workflow.Stages)
		for j := range m.Workflow.Stages {
			s := &m.Workflow.Stages[j]
			s.Steps = nilIfEmpty(s.Steps)
			s.Branches = nilIfEmpty(s.Branches)
			for k := range s.Branches {
				s.Branches[k].Steps = nonNil(s.Branches[k].Steps)
			}
		}
	}
}

func nonNil[S ~[]E, E any](s S) S {
	if s == nil {
		return S{}
	}
	return s
}

func nilIfEmpty[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return s
}

// Matter returns the matter with the given implementation code (实施编码).
// The pointer refers into c: changing it changes the catalog.
func (c *Catalog) Matter(code string) (*Matter, bool) {
	for i := range c.Matters {
		if c.Matters[i].Code == code {
			return &c.Matters[i], true
		}
	}
	return nil, false
}

// Department returns the department with the given code. The pointer refers
// into c.
func (c *Catalog) Department(code string) (*Department, bool) {
	for i := range c.Departments {
		if c.Departments[i].Code == code {
			return &c.Departments[i], true
		}
	}
	return nil, false
}

// Material returns the matter's material with the given code. The pointer
// refers into m.
func (m *Matter) Material(code string) (*Material, bool) {
	for i := range m.Materials {
		if m.Materials[i].Code == code {
			return &m.Materials[i], true
		}
	}
	return nil, false
}

// RequiredMaterials returns the materials without which the case cannot be
// accepted (必要). Deferrable materials (容缺后补) are not among them: the case
// may be accepted and the material supplied later.
func (m *Matter) RequiredMaterials() []Material {
	var out []Material
	for _, mat := range m.Materials {
		if mat.Necessity == Required {
			out = append(out, mat)
		}
	}
	return out
}

// IsOnTheSpot reports whether the matter is handled on the spot (即办件):
// accepted and closed the same day at the window.
func (m *Matter) IsOnTheSpot() bool { return m.Handling == OnTheSpot }

// CanAccept reports whether a window at level l may accept (受理) the matter.
func (m *Matter) CanAccept(l Level) bool { return slices.Contains(m.Levels.Accept, l) }

// CanDecide reports whether level l may decide (决定) the matter; township
// means the matter is devolved (下放) to the township.
func (m *Matter) CanDecide(l Level) bool { return slices.Contains(m.Levels.Decide, l) }

// CanProxy reports whether an agent at level l may collect the application on
// a resident's behalf (帮办代办).
func (m *Matter) CanProxy(l Level) bool { return slices.Contains(m.Levels.Proxy, l) }
