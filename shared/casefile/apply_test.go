package casefile_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	cf "github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/ident"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/google/uuid"
)

const validHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

func TestReceive(t *testing.T) {
	const on = "2026-03-02"
	number := cf.FormatNumber("XZ01", day(on), 7)
	applicant := func(a casefile.Applicant) func(*casefile.Intake) {
		return func(in *casefile.Intake) { in.Applicant = a }
	}
	materials := func(recs ...casefile.MaterialRecord) func(*casefile.Intake) {
		return func(in *casefile.Intake) { in.Materials = recs }
	}
	tests := []struct {
		name   string
		change *casefile.Change
		env    *casefile.Env // default env()

		code     bmerr.Code
		reason   string
		field    string
		mentions []string
		check    func(t *testing.T, c *casefile.Case)
	}{
		{
			name: "person: identity derived from the ID, phone normalised",
			change: receive(t, clerkXZ, number, sbCard, on, applicant(casefile.Applicant{
				Name: "  王秀英 ", IDNumber: "110105 19491231 002x", Phone: "+86 138-0013-8000",
				// What a client claims is ignored: the ID says otherwise.
				Birth: workcal.D(2000, time.January, 1), Sex: ident.Male,
			}), func(in *casefile.Intake) { in.Mode = "" }),
			check: func(t *testing.T, c *casefile.Case) {
				want := casefile.Applicant{Kind: casefile.Person, Name: "王秀英", IDNumber: applicantID, Phone: "13800138000",
					Birth: workcal.D(1949, time.December, 31), Sex: ident.Female}
				if c.Applicant != want {
					t.Errorf("applicant\n got %+v\nwant %+v", c.Applicant, want)
				}
				if c.Mode != casefile.WalkIn {
					t.Errorf("mode %q, want walk_in by default", c.Mode)
				}
			},
		},
		{
			name: "a man's ID",
			change: receive(t, clerkXZ, number, sbCard, on, applicant(casefile.Applicant{
				Kind: casefile.Person, Name: "李建国", IDNumber: residentID(t, "1980-06-15", 123), Sex: ident.Female,
			})),
			check: func(t *testing.T, c *casefile.Case) {
				if c.Applicant.Sex != ident.Male || c.Applicant.Birth != workcal.D(1980, time.June, 15) {
					t.Errorf("applicant %+v, want a man born 1980-06-15", c.Applicant)
				}
			},
		},
		{
			name: "organisation with a credit code",
			change: receive(t, clerkXZ, number, sbCard, on, applicant(casefile.Applicant{
				Kind: casefile.Organisation, Name: "青山镇幸福村股份经济合作社", CreditCode: "91350100m000100y43",
				Birth: workcal.D(2000, time.January, 1), Sex: ident.Male,
			}), func(in *casefile.Intake) { in.Mode = casefile.DoorToDoor }),
			check: func(t *testing.T, c *casefile.Case) {
				want := casefile.Applicant{Kind: casefile.Organisation, Name: "青山镇幸福村股份经济合作社", CreditCode: "91350100M000100Y43"}
				if c.Applicant != want {
					t.Errorf("applicant\n got %+v\nwant %+v", c.Applicant, want)
				}
				if c.Mode != casefile.DoorToDoor {
					t.Errorf("mode %q", c.Mode)
				}
			},
		},
		{
			// Some early codes fail the check yet are legal: warn, do not block.
			name: "organisation whose code fails its check",
			change: receive(t, clerkXZ, number, sbCard, on, applicant(casefile.Applicant{
				Kind: casefile.Organisation, Name: "某早期登记单位", CreditCode: "91350100M000100Y44",
			})),
		},
		{
			name: "ID with a wrong check character",
			change: receive(t, clerkXZ, number, sbCard, on, applicant(casefile.Applicant{
				Kind: casefile.Person, Name: "王秀英", IDNumber: "110105194912310021",
			})),
			code: bmerr.Invalid, reason: "id_checksum", field: ident.FieldResidentID,
		},
		{
			name: "ID of someone born after the day of receipt",
			change: receive(t, clerkXZ, number, sbCard, on, applicant(casefile.Applicant{
				Kind: casefile.Person, Name: "王小宝", IDNumber: residentID(t, "2026-03-03", 12),
			})),
			code: bmerr.Invalid, reason: "id_future",
		},
		{
			name: "landline instead of a mobile",
			change: receive(t, clerkXZ, number, sbCard, on, applicant(casefile.Applicant{
				Kind: casefile.Person, Name: "王秀英", IDNumber: applicantID, Phone: "0571-87654321",
			})),
			code: bmerr.Invalid, reason: "phone_prefix", field: ident.FieldMobile,
		},
		{
			name:   "no name",
			change: receive(t, clerkXZ, number, sbCard, on, applicant(casefile.Applicant{Name: " ", IDNumber: applicantID})),
			code:   bmerr.Invalid, reason: "applicant_name",
		},
		{
			name:   "unknown applicant kind",
			change: receive(t, clerkXZ, number, sbCard, on, applicant(casefile.Applicant{Kind: "robot", Name: "R2", IDNumber: applicantID})),
			code:   bmerr.Invalid, reason: "applicant_kind",
		},
		{
			name:   "organisation without a credit code",
			change: receive(t, clerkXZ, number, sbCard, on, applicant(casefile.Applicant{Kind: casefile.Organisation, Name: "某合作社"})),
			code:   bmerr.Invalid, reason: "uscc_length",
		},
		{
			name:   "unknown matter",
			change: receive(t, clerkXZ, number, sbCard, on, func(in *casefile.Intake) { in.Matter = "NO-SUCH-MATTER" }),
			code:   bmerr.Invalid, reason: "matter_unknown",
		},
		{
			name:   "material of another matter",
			change: receive(t, clerkXZ, number, sbCard, on, materials(casefile.MaterialRecord{Code: "bank_card", Received: true})),
			code:   bmerr.Invalid, reason: "material_unknown",
		},
		{
			name: "material listed twice",
			change: receive(t, clerkXZ, number, sbCard, on, materials(
				casefile.MaterialRecord{Code: "photo", Received: true}, casefile.MaterialRecord{Code: "photo", Received: true})),
			code: bmerr.Invalid, reason: "material_duplicate",
		},
		{
			name:   "required material deferred",
			change: receive(t, clerkXZ, number, dibao, on, materials(casefile.MaterialRecord{Code: "family_ids", Deferred: true})),
			code:   bmerr.Invalid, reason: "material_not_deferrable", mentions: []string{"家庭成员居民身份证、户口簿"},
		},
		{
			name:   "negative copies",
			change: receive(t, clerkXZ, number, sbCard, on, materials(casefile.MaterialRecord{Code: "photo", Received: true, Copies: -1})),
			code:   bmerr.Invalid, reason: "material_copies",
		},
		{
			name: "attachment hash in upper case",
			change: receive(t, clerkXZ, number, sbCard, on, materials(casefile.MaterialRecord{Code: "photo", Received: true,
				Attachments: []casefile.Attachment{{SHA256: strings.ToUpper(validHash), Name: "photo.jpg"}}})),
			code: bmerr.Invalid, reason: "attachment_hash",
		},
		{
			name: "attachment hash that is a path",
			change: receive(t, clerkXZ, number, sbCard, on, materials(casefile.MaterialRecord{Code: "photo", Received: true,
				Attachments: []casefile.Attachment{{SHA256: "../../../../etc/passwd", Name: "photo.jpg"}}})),
			code: bmerr.Invalid, reason: "attachment_hash",
		},
		{
			name: "materials: one record per catalog material, in catalog order",
			change: receive(t, clerkXZ, number, sbCard, on, materials(
				casefile.MaterialRecord{Code: "card_form", Received: true},
				casefile.MaterialRecord{Code: "id_card", Received: true, Original: true,
					Attachments: []casefile.Attachment{{SHA256: validHash, Name: "id.jpg", MIME: "image/jpeg", Size: 1024}}})),
			check: func(t *testing.T, c *casefile.Case) {
				want := []casefile.MaterialRecord{
					{Code: "id_card", Received: true, Original: true, Attachments: []casefile.Attachment{{SHA256: validHash, Name: "id.jpg", MIME: "image/jpeg", Size: 1024}}},
					{Code: "photo"},
					{Code: "card_form", Received: true},
					{Code: "old_card"},
				}
				if mustJSON(t, c.Materials) != mustJSON(t, want) {
					t.Errorf("materials\n got %+v\nwant %+v", c.Materials, want)
				}
			},
		},
		{
			name:   "unknown service mode",
			change: receive(t, clerkXZ, number, sbCard, on, func(in *casefile.Intake) { in.Mode = "drive_through" }),
			code:   bmerr.Invalid, reason: "mode_unknown",
		},
		{
			name:   "a number issued by another station",
			change: receive(t, clerkXZ, cf.FormatNumber("XZ02", day(on), 1), sbCard, on),
			code:   bmerr.Invalid, reason: "number_station", field: "intake.number",
		},
		{
			name:   "a malformed number",
			change: receive(t, clerkXZ, "XZ01-2026-0302-1", sbCard, on),
			code:   bmerr.Invalid, reason: "bad_case_number",
		},
		{
			name:   "central may enter any station's number",
			change: receive(t, clerkZX, number, dibao, on),
			check: func(t *testing.T, c *casefile.Case) {
				if c.OriginStation != "" || c.OriginLevel != catalog.Central || c.Number != number {
					t.Errorf("origin %q at %s, number %s", c.OriginStation, c.OriginLevel, c.Number)
				}
				if want := (cf.Route{AcceptAt: catalog.Central, DecideAt: catalog.Central}); c.Route != want {
					t.Errorf("route %+v, want %+v", c.Route, want)
				}
			},
		},
		{
			name:   "no intake",
			change: &casefile.Change{Action: cf.Receive, Actor: clerkXZ, At: at(on)},
			code:   bmerr.Invalid, reason: "intake_missing",
		},
		{
			name:   "no catalog yet",
			change: receive(t, clerkXZ, number, sbCard, on),
			env:    &casefile.Env{Calendar: calendar},
			code:   bmerr.Unavailable, reason: "no_catalog",
		},
		{
			name: "a community collects what it may not",
			change: receive(t, agentSQ, cf.FormatNumber("SQ01", day(on), 1), sbCard, on, func(in *casefile.Intake) {
				in.Proxy = &casefile.Proxy{AgentUser: agentSQ.User, Authorization: "授权书", ForwardTo: "XZ01"}
			}),
			code: bmerr.PermissionDenied, reason: "matter_level",
		},
		{
			name:   "a community accepts what it may accept itself",
			change: receive(t, agentSQ, cf.FormatNumber("SQ01", day(on), 1), "居住登记", on),
			check: func(t *testing.T, c *casefile.Case) {
				if c.HandlingStation != "SQ01" || c.Proxy != nil {
					t.Errorf("handled by %s with proxy %+v, want SQ01 without one", c.HandlingStation, c.Proxy)
				}
			},
		},
		{
			name: "a township keeps the proxy details it is given",
			change: receive(t, clerkXZ, number, sbCard, on, func(in *casefile.Intake) {
				in.Proxy = &casefile.Proxy{AgentName: "李代办", Authorization: "授权书", ForwardTo: "XZ09"}
			}),
			check: func(t *testing.T, c *casefile.Case) {
				if c.HandlingStation != "XZ01" || c.Proxy == nil || c.Proxy.AgentName != "李代办" {
					t.Errorf("handled by %s with proxy %+v", c.HandlingStation, c.Proxy)
				}
			},
		},
		{
			name:   "an administrator",
			change: receive(t, casefile.Actor{User: "admin", Role: cf.Admin, Level: catalog.Township, Station: "XZ01"}, number, sbCard, on),
			code:   bmerr.PermissionDenied, reason: "role_not_allowed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := env()
			if tt.env != nil {
				e = *tt.env
			}
			tt.change.ID, tt.change.CaseID = changeID(1), caseID
			c := &casefile.Case{}
			err := applyChecked(t, c, tt.change, e)
			if tt.reason != "" {
				wantErr(t, err, tt.code, tt.reason, tt.mentions...)
				if tt.field != "" && bmerr.As(err).Field != tt.field {
					t.Errorf("field %q, want %q", bmerr.As(err).Field, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Status != (cf.Status{State: cf.Received}) || c.Version != 1 || c.ID != caseID {
				t.Fatalf("status %+v version %d id %s", c.Status, c.Version, c.ID)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

func TestChangeShape(t *testing.T) {
	base := func() *casefile.Case {
		return received(t, receive(t, clerkXZ, cf.FormatNumber("XZ01", day("2026-03-02"), 1), sbCard, "2026-03-02"))
	}
	tests := []struct {
		name   string
		edit   func(*casefile.Change)
		code   bmerr.Code
		reason string
	}{
		{"no id", func(ch *casefile.Change) { ch.ID = uuid.Nil }, bmerr.Invalid, "change_id"},
		{"no case", func(ch *casefile.Change) { ch.CaseID = uuid.Nil }, bmerr.Invalid, "case_id"},
		{"another case", func(ch *casefile.Change) { ch.CaseID = changeID(99) }, bmerr.Invalid, "case_id"},
		{"no time", func(ch *casefile.Change) { ch.At = time.Time{} }, bmerr.Invalid, "change_time"},
		{"no station", func(ch *casefile.Change) { ch.Actor.Station = "" }, bmerr.Invalid, "actor_station"},
		{"unknown action", func(ch *casefile.Change) { ch.Action = "approve_everything" }, bmerr.Invalid, "unknown_action"},
		{"unknown level", func(ch *casefile.Change) { ch.Actor.Level = "province" }, bmerr.Invalid, "unknown_level"},
		{"receive again", func(ch *casefile.Change) {
			*ch = *receive(t, clerkXZ, cf.FormatNumber("XZ01", day("2026-03-02"), 1), sbCard, "2026-03-02")
			ch.ID, ch.CaseID = changeID(2), caseID
		}, bmerr.Conflict, "case_exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			ch := do(cf.Accept, clerkXZ, "2026-03-02")
			ch.ID, ch.CaseID = changeID(1), caseID
			tt.edit(ch)
			wantErr(t, applyChecked(t, c, ch, env()), tt.code, tt.reason)
		})
	}

	t.Run("a case not received here", func(t *testing.T) {
		ch := do(cf.Accept, clerkXZ, "2026-03-02")
		ch.ID, ch.CaseID = changeID(1), caseID
		wantErr(t, applyChecked(t, &casefile.Case{}, ch, env()), bmerr.NotFound, "case_unknown")
	})
}

func TestAcceptMaterials(t *testing.T) {
	recs := allReceived(matterOf(t, dibao))
	withBank := func(r casefile.MaterialRecord) []casefile.MaterialRecord {
		return append(without(recs, "bank_card"), r)
	}
	tests := []struct {
		name     string
		recs     []casefile.MaterialRecord
		missing  []string // material names the refusal lists; nil when it accepts
		notNamed []string
	}{
		{"everything handed in", recs, nil, nil},
		{"the bank card to follow (容缺后补)", withBank(casefile.MaterialRecord{Code: "bank_card", Deferred: true}), nil, nil},
		{"the bank card neither handed in nor deferred", without(recs, "bank_card"),
			[]string{"本人社会保障卡或银行卡"}, []string{"最低生活保障申请书"}},
		{"a required material missing", without(recs, "family_ids"),
			[]string{"家庭成员居民身份证、户口簿"}, []string{"本人社会保障卡或银行卡"}},
		{"a required material logged but not received", append(without(recs, "application"), casefile.MaterialRecord{Code: "application", Copies: 1}),
			[]string{"最低生活保障申请书"}, nil},
		{"nothing at all", nil,
			[]string{"最低生活保障申请书", "家庭成员居民身份证、户口簿", "家庭经济状况核对授权书", "家庭收入申报及承诺书", "本人社会保障卡或银行卡"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := received(t, receive(t, clerkXZ, cf.FormatNumber("XZ01", day("2026-03-09"), 1), dibao, "2026-03-09",
				func(in *casefile.Intake) { in.Materials = tt.recs }))
			ch := do(cf.Accept, clerkXZ, "2026-03-09")
			ch.ID, ch.CaseID = changeID(1), caseID
			err := applyChecked(t, c, ch, env())
			if tt.missing == nil {
				if err != nil {
					t.Fatal(err)
				}
				if c.Status.State != cf.Accepted || c.AcceptedOn != day("2026-03-09") {
					t.Fatalf("status %+v accepted %s", c.Status, c.AcceptedOn)
				}
				return
			}
			wantErr(t, err, bmerr.FailedPrecondition, "materials_missing", tt.missing...)
			for _, name := range tt.notNamed {
				if strings.Contains(bmerr.Message(err, "zh"), name) {
					t.Errorf("message %q names %q, which is not missing", bmerr.Message(err, "zh"), name)
				}
			}
		})
	}
}

// MissingForAcceptance is exported for the window's checklist; it must agree
// with what Apply refuses.
func TestMissingForAcceptance(t *testing.T) {
	m := matterOf(t, dibao)
	recs := []casefile.MaterialRecord{
		{Code: "application", Received: true},
		{Code: "family_ids", Deferred: true}, // not deferrable: does not count
		{Code: "bank_card", Deferred: true},
	}
	var got []string
	for _, mat := range casefile.MissingForAcceptance(m, recs) {
		got = append(got, mat.Code)
	}
	if want := []string{"family_ids", "check_auth", "income_pledge"}; !slices.Equal(got, want) {
		t.Errorf("missing %v, want %v", got, want)
	}
}

// Acceptance is judged by the materials the case was received under (its
// snapshot), not by whatever catalog the judging side has now: a later
// catalog that drops a required material does not let a case without it be
// accepted, and one that adds a material does not block a complete case. So a
// station on an old catalog and central always agree.
func TestAcceptJudgedByTheSnapshot(t *testing.T) {
	incomplete := received(t, receive(t, clerkXZ, cf.FormatNumber("XZ01", day("2026-03-09"), 1), dibao, "2026-03-09",
		func(in *casefile.Intake) { in.Materials = without(in.Materials, "application") }))
	complete := received(t, receive(t, clerkXZ, cf.FormatNumber("XZ01", day("2026-03-09"), 2), dibao, "2026-03-09"))

	later := catalog.Demo()
	m, _ := later.Matter(codeOf(t, dibao))
	m.Materials = slices.DeleteFunc(m.Materials, func(mat catalog.Material) bool { return mat.Code == "application" })
	m.Materials = append(m.Materials, catalog.Material{Code: "new_form", Name: "新增表格", Necessity: catalog.Required})

	ch := do(cf.Accept, clerkXZ, "2026-03-09")
	ch.ID, ch.CaseID = changeID(1), caseID
	for _, env := range []casefile.Env{{Catalog: later, Calendar: calendar}, {Calendar: calendar}} {
		wantErr(t, applyChecked(t, incomplete, ch, env), bmerr.FailedPrecondition, "materials_missing")
		fresh := *complete
		if err := applyChecked(t, &fresh, ch, env); err != nil {
			t.Fatalf("complete case refused: %v", err)
		}
	}
}

// Supplemented materials are checked as strictly as those logged at intake.
func TestSupplementMaterials(t *testing.T) {
	tests := []struct {
		name   string
		recs   []casefile.MaterialRecord
		reason string
	}{
		{"negative copies", []casefile.MaterialRecord{{Code: "check_auth", Received: true, Copies: -2}}, "material_copies"},
		{"bad attachment hash", []casefile.MaterialRecord{{Code: "check_auth", Received: true,
			Attachments: []casefile.Attachment{{SHA256: "../blob", Name: "auth.pdf"}}}}, "attachment_hash"},
		{"listed twice", []casefile.MaterialRecord{{Code: "check_auth", Received: true}, {Code: "check_auth"}}, "material_duplicate"},
		{"unknown", []casefile.MaterialRecord{{Code: "nope", Received: true}}, "material_unknown"},
		{"good", []casefile.MaterialRecord{{Code: "check_auth", Received: true,
			Attachments: []casefile.Attachment{{SHA256: validHash, Name: "auth.pdf"}}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := received(t, receive(t, clerkXZ, cf.FormatNumber("XZ01", day("2026-03-09"), 1), dibao, "2026-03-09",
				func(in *casefile.Intake) { in.Materials = without(in.Materials, "check_auth") }))
			steps := []*casefile.Change{
				do(cf.RequestSupplement, clerkXZ, "2026-03-09", withNotice(1, 0, 0)),
				do(cf.Supplement, clerkXZ, "2026-03-10", withMaterials(tt.recs...)),
			}
			var err error
			for i, ch := range steps {
				ch.ID, ch.CaseID = changeID(i+1), caseID
				err = applyChecked(t, c, ch, env())
			}
			if tt.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantErr(t, err, bmerr.Invalid, tt.reason)
		})
	}
}

// Once a community agent has forwarded a proxy case, the township decides it.
// The demo catalog's levels keep agents from deciding what they only collect,
// so this catalog lets a community decide 生育登记 on the spot but not accept
// it, leaving only the station check to stop the agent closing it.
func TestForwardedProxyCase(t *testing.T) {
	cat := catalog.Demo()
	m, _ := cat.Matter(codeOf(t, "生育登记"))
	m.Levels.Accept = []catalog.Level{catalog.Township}
	e := casefile.Env{Catalog: cat, Calendar: calendar}

	apply := func(c *casefile.Case, n int, ch *casefile.Change) error {
		ch.ID, ch.CaseID = changeID(n), caseID
		return applyChecked(t, c, ch, e)
	}
	c := &casefile.Case{}
	rc := receive(t, agentSQ, cf.FormatNumber("SQ01", day("2026-03-02"), 1), "生育登记", "2026-03-02", func(in *casefile.Intake) {
		in.Proxy = &casefile.Proxy{AgentUser: agentSQ.User, Authorization: "授权委托书", ForwardTo: "XZ01"}
	})
	if err := apply(c, 0, rc); err != nil {
		t.Fatal(err)
	}
	// Telling the resident what is missing before forwarding is the agent's job.
	if err := apply(c, 1, do(cf.RequestSupplement, agentSQ, "2026-03-02", withNotice(1, 0, 0))); err != nil {
		t.Fatal(err)
	}
	if err := apply(c, 2, do(cf.Supplement, agentSQ, "2026-03-03", withMaterials(casefile.MaterialRecord{Code: "marriage", Received: true}))); err != nil {
		t.Fatal(err)
	}
	if err := apply(c, 3, do(cf.Accept, clerkXZ, "2026-03-03")); err != nil {
		t.Fatal(err)
	}
	err := apply(c, 4, do(cf.CloseOnSpot, agentSQ, "2026-03-03"))
	wantErr(t, err, bmerr.PermissionDenied, "forwarded_case", "XZ01")
	wantErr(t, apply(c, 5, do(cf.CloseOnSpot, clerkXZ2, "2026-03-03")), bmerr.PermissionDenied, "foreign_case")
	if err := apply(c, 6, do(cf.CloseOnSpot, clerkXZ, "2026-03-03")); err != nil {
		t.Fatal(err)
	}
	// The agent still hands over the result and records the rating.
	if err := apply(c, 7, do(cf.Rate, agentSQ, "2026-03-03", withRating(4))); err != nil {
		t.Fatal(err)
	}
}

// Apply's result must not share memory with its inputs: the catalog is
// edited by central and the change is kept by the outbox, and neither may
// reach into a case afterwards.
func TestCaseSharesNothingWithItsInputs(t *testing.T) {
	t.Run("catalog", func(t *testing.T) {
		cat := catalog.Demo()
		c := &casefile.Case{}
		ch := receive(t, clerkXZ, cf.FormatNumber("XZ01", day("2026-03-02"), 1), homestead, "2026-03-02")
		ch.ID, ch.CaseID = changeID(0), caseID
		if err := applyChecked(t, c, ch, casefile.Env{Catalog: cat, Calendar: calendar}); err != nil {
			t.Fatal(err)
		}
		before := mustJSON(t, c)

		m, _ := cat.Matter(codeOf(t, homestead))
		m.Levels.Accept[0] = catalog.Central
		m.Levels.Decide[0] = catalog.Township
		m.Levels.Proxy[0] = catalog.Township
		m.SpecialProcedures[0] = catalog.Hearing
		m.LegalLimit.N = 99
		m.Workflow.Stages[0].Branches[0].Steps[0] = catalog.Approve
		m.Workflow.Stages[1].Steps[0] = catalog.Handle
		m.Workflow.Stages[0].Branches[0].Days = 1
		if len(m.CoDepartments) > 0 {
			m.CoDepartments[0] = "xx"
		}
		if after := mustJSON(t, c); after != before {
			t.Errorf("editing the catalog changed the case's snapshot:\nbefore %s\nafter  %s", before, after)
		}
	})
	t.Run("change", func(t *testing.T) {
		c := &casefile.Case{}
		att := []casefile.Attachment{{SHA256: validHash, Name: "id.jpg"}}
		ch := receive(t, clerkXZ, cf.FormatNumber("XZ01", day("2026-03-02"), 1), dibao, "2026-03-02", func(in *casefile.Intake) {
			in.Materials = without(in.Materials, "check_auth")
			in.Materials[0].Attachments = att
		})
		supp := []casefile.Attachment{{SHA256: validHash, Name: "auth.pdf"}}
		changes := []*casefile.Change{
			ch,
			do(cf.RequestSupplement, clerkXZ, "2026-03-02", withNotice(1, 0, 0)),
			do(cf.Supplement, clerkXZ, "2026-03-03", withMaterials(casefile.MaterialRecord{Code: "check_auth", Received: true, Attachments: supp})),
			do(cf.Accept, clerkXZ, "2026-03-03"),
			do(cf.Refuse, clerkXZ, "2026-03-04", withDecision(casefile.Decision{Reasons: []string{"收入超标"}, Remedies: []string{"可申请复议"}})),
		}
		for i, ch := range changes {
			ch.ID, ch.CaseID = changeID(i), caseID
			if err := applyChecked(t, c, ch, env()); err != nil {
				t.Fatalf("%s: %v", ch.Action, err)
			}
		}
		before := mustJSON(t, c)
		att[0].Name = "changed"
		supp[0].Name = "changed"
		changes[1].Notice.Items[0].Name = "changed"
		changes[4].Decision.Reasons[0] = "changed"
		changes[4].Decision.Remedies[0] = "changed"
		if after := mustJSON(t, c); after != before {
			t.Errorf("editing the changes changed the case:\nbefore %s\nafter  %s", before, after)
		}
	})
}
