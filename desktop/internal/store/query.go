package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/ident"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/google/uuid"
)

// CaseView is one case as the detail screen shows it.
type CaseView struct {
	Case      *casefile.Case // the local projection; nil when nothing applies (a rejected intake)
	Confirmed *casefile.Case // central's authoritative copy; nil until central confirmed the case
	SyncState string         // CaseSynced, CasePending, CaseConflict or CaseRejected
}

// Case returns one case, or a bmerr NotFound.
func (s *Store) Case(ctx context.Context, id uuid.UUID) (CaseView, error) {
	return s.caseWhere(ctx, `c.id = ?`, id.String())
}

// CaseByNumber returns the case with the given number, or a bmerr NotFound.
// Should an intake have been rejected and received again under the same
// number, the live case wins.
func (s *Store) CaseByNumber(ctx context.Context, number string) (CaseView, error) {
	return s.caseWhere(ctx, `c.number = ?`, strings.ToUpper(strings.TrimSpace(number)))
}

func (s *Store) caseWhere(ctx context.Context, where string, arg any) (CaseView, error) {
	var v CaseView
	var local, confirmed []byte
	err := s.read(ctx, func(tx querier) error {
		return tx.QueryRowContext(ctx, `SELECT `+localDocExpr+`, d.confirmed_doc, c.sync_state
			FROM cases c LEFT JOIN case_docs d ON d.rid = c.rid WHERE `+where+`
			ORDER BY c.local_version > 0 DESC, c.updated_at DESC LIMIT 1`, arg).Scan(&local, &confirmed, &v.SyncState)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return CaseView{}, notFound("case_unknown", "本机没有办件 %v。", "case %v is not on this computer.", arg)
	}
	if err != nil {
		return CaseView{}, err
	}
	if local != nil {
		if v.Case, err = decodeCase(local); err != nil {
			return CaseView{}, err
		}
	}
	if confirmed != nil {
		if v.Confirmed, err = decodeCase(confirmed); err != nil {
			return CaseView{}, err
		}
	}
	return v, nil
}

// ChangeRow is one change in a case's history or the rejected list.
type ChangeRow struct {
	Seq         int64 // the order the station recorded or learned it
	ChangeID    uuid.UUID
	CaseID      uuid.UUID
	Action      caseflow.Action
	ActorUser   string
	At          time.Time // by the actor's clock
	Origin      string    // "local" (this station) or "remote"
	State       string    // StatePending … StateRemote
	Code        string    // central's rejection or deferral, or the local conflict
	Reason      string
	MessageZh   string
	MessageEn   string
	Note        string // "conflict" when an outbox change no longer applies locally
	ServerSeq   int64
	CaseVersion int64
	AppliedAt   time.Time
	Attempts    int              // times central deferred it (outbox changes)
	Change      *casefile.Change // the change itself
}

const changeCols = `c.seq, c.id, c.case_id, c.action, c.actor_user, c.at, c.origin, c.state, c.code, c.reason,
	c.message_zh, c.message_en, c.note, COALESCE(c.server_seq, 0), COALESCE(c.case_version, 0),
	COALESCE(c.applied_at, 0), COALESCE(o.attempts, 0), c.body
	FROM changes c LEFT JOIN outbox o ON o.seq = c.seq`

// History returns every change of a case, the station's and central's, with
// its sync state, in the order the station recorded or learned them.
func (s *Store) History(ctx context.Context, caseID uuid.UUID) ([]ChangeRow, error) {
	return s.changes(ctx, `WHERE c.case_id = ? ORDER BY c.seq`, caseID.String())
}

// Rejected returns the station's changes central rejected, in recording order.
func (s *Store) Rejected(ctx context.Context) ([]ChangeRow, error) {
	return s.changes(ctx, `WHERE c.state = 'rejected' ORDER BY c.seq`)
}

func (s *Store) changes(ctx context.Context, tail string, args ...any) ([]ChangeRow, error) {
	var out []ChangeRow
	err := s.read(ctx, func(tx querier) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+changeCols+` `+tail, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r ChangeRow
			var id, caseID, action string
			var at, applied int64
			var body []byte
			if err := rows.Scan(&r.Seq, &id, &caseID, &action, &r.ActorUser, &at, &r.Origin, &r.State, &r.Code, &r.Reason,
				&r.MessageZh, &r.MessageEn, &r.Note, &r.ServerSeq, &r.CaseVersion, &applied, &r.Attempts, &body); err != nil {
				return err
			}
			r.ChangeID, r.CaseID, r.Action = uuid.MustParse(id), uuid.MustParse(caseID), caseflow.Action(action)
			r.At, r.AppliedAt = fromMillis(at), fromMillis(applied)
			if r.Change, err = decodeChange(body); err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// Filter selects and orders the case list.
type Filter struct {
	// Query is matched against the case number, the matter's name, the
	// applicant's name and the masked ID number; every word must match.
	// A word of three or more characters matches anywhere (养老保险 finds
	// 城乡居民养老保险参保登记, 0012 finds XQ01-20260212-0012). A shorter word
	// matches the start of the number or of the name, or anywhere in the
	// matter's name. A full resident ID number finds that person's cases.
	Query     string
	States    []caseflow.State
	Warning   string // "" all, "none", "any", or a level: "reminder", "yellow", "red"
	SyncState string // "" all, or CaseSynced, CasePending, CaseConflict, CaseRejected
	// Sort is "updated" (the default), "received", "number", "due" (cases
	// without a due date last), "warning" or "state"; ascending unless Desc.
	// With Sort "" the newest update comes first and Desc is ignored.
	Sort   string
	Desc   bool
	Limit  int // default 50, at most 1000
	Offset int
}

// CaseRow is one line of the case list. Names and ID numbers are masked:
// the list is on screen in a public hall.
type CaseRow struct {
	ID            uuid.UUID
	Number        string
	MatterCode    string
	MatterName    string
	ApplicantName string // masked: 张*
	IDMasked      string // masked: 110105********1234
	State         caseflow.State
	DueOn         workcal.Date // zero when there is none
	Warning       casefile.WarningLevel
	SyncState     string
	ReceivedAt    time.Time
	UpdatedAt     time.Time
}

var sortColumns = map[string]string{
	"updated": "c.updated_at", "received": "c.received_at", "number": "c.number",
	"due": "c.due_on", "warning": "c.warning_rank", "state": "c.state",
}

// ListCases returns one page of the case list and the number of cases that
// match the filter.
func (s *Store) ListCases(ctx context.Context, f Filter) ([]CaseRow, int, error) {
	order, dir := "c.updated_at", "ASC"
	if f.Sort == "" {
		dir = "DESC"
	} else if col, ok := sortColumns[f.Sort]; ok {
		order = col
		if f.Desc {
			dir = "DESC"
		}
	} else {
		return nil, 0, bmerr.Newf(bmerr.Invalid, "list_sort", "不能按“%s”排序。", "cannot sort by %q.", f.Sort).WithField("sort")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 1000)
	offset := max(f.Offset, 0)

	// The catalog is read before the transaction: loading it takes a read
	// connection of its own, and a pool of readers each waiting for another
	// would deadlock.
	cat, _, _, err := s.Catalog(ctx)
	if err != nil && bmerr.CodeOf(err) != bmerr.NotFound {
		return nil, 0, err
	}
	var rows []CaseRow
	var total int
	err = s.read(ctx, func(tx querier) error {
		where, args, ftsOnly, err := listWhere(ctx, tx, cat, f)
		if err != nil {
			return err
		}
		// When the search is the only condition, the index counts its
		// matches without visiting the cases.
		count, countArgs := `SELECT COUNT(*) FROM cases c`+where, args
		if ftsOnly {
			count = `SELECT COUNT(*) FROM cases_fts WHERE cases_fts MATCH ?`
		}
		if err := tx.QueryRowContext(ctx, count, countArgs...).Scan(&total); err != nil {
			return err
		}
		if total == 0 || offset >= total {
			return nil
		}
		// A search that matches many cases (a region code, a surname, a
		// common matter word) is paged fastest by walking the sort column's
		// index and keeping the rows the search matched, stopping at the
		// page's end: the search's matches are gathered once into a set, and
		// the page costs about limit × cases/total probes. A rarer search is
		// paged by fetching its few matches and sorting them, which is what
		// the planner does by default.
		if total >= manyMatches && hasSortIndex[order] {
			where = strings.Replace(where, ftsCond, "+"+ftsCond, 1)
		}
		// A deferred join: the page's rids are chosen from the indexes alone
		// (a covering index when the filter and sort allow it), and only the
		// rows of the page are read.
		orderBy := fmt.Sprintf(`ORDER BY %s %s, c.rid %s`, order, dir, dir)
		q := `SELECT c.id, c.number, c.matter_code, c.matter_name, c.name_masked, c.id_masked, c.state, c.due_on,
			c.warning, c.sync_state, c.received_at, c.updated_at
			FROM (SELECT c.rid FROM cases c` + where + ` ` + orderBy + ` LIMIT ? OFFSET ?) AS page
			JOIN cases c ON c.rid = page.rid ` + orderBy
		rs, err := tx.QueryContext(ctx, q, append(args, limit, offset)...)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var r CaseRow
			var id, state, due, warning string
			var received, updated int64
			if err := rs.Scan(&id, &r.Number, &r.MatterCode, &r.MatterName, &r.ApplicantName, &r.IDMasked, &state, &due,
				&warning, &r.SyncState, &received, &updated); err != nil {
				return err
			}
			r.ID, r.State, r.Warning = uuid.MustParse(id), caseflow.State(state), casefile.WarningLevel(warning)
			if due != noDue {
				r.DueOn, _ = workcal.ParseDate(due)
			}
			r.ReceivedAt, r.UpdatedAt = fromMillis(received), fromMillis(updated)
			rows = append(rows, r)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, 0, err
	}
	return rows, total, nil
}

// listWhere builds the WHERE clause of the case list.
// ftsOnly reports that the full-text search is the only condition; its one
// argument is then the MATCH expression.
func listWhere(ctx context.Context, tx querier, cat *catalog.Catalog, f Filter) (where string, args []any, ftsOnly bool, err error) {
	var conds []string
	var fts []string
	for _, word := range strings.Fields(f.Query) {
		switch {
		case looksLikeCaseNumber(word):
			// A whole case number: its index finds it directly.
			conds = append(conds, "c.number = ?")
			args = append(args, strings.ToUpper(word))
		case looksLikeResidentID(word):
			rids, err := casesOfResident(ctx, tx, word)
			if err != nil {
				return "", nil, false, err
			}
			conds = append(conds, "c.rid IN ("+placeholders(len(rids))+")")
			for _, r := range rids {
				args = append(args, r)
			}
		case utf8.RuneCountInString(word) >= 3:
			// A quoted phrase: FTS5 syntax characters in the word are text.
			fts = append(fts, `"`+strings.ReplaceAll(word, `"`, `""`)+`"`)
		default:
			// The trigram index cannot match fewer than three characters;
			// fall back to what the ordinary indexes can do.
			up := strings.ToUpper(word)
			cond := `(c.number >= ? AND c.number < ?) OR (c.applicant_name >= ? AND c.applicant_name < ?)`
			args = append(args, up, up+"\U0010FFFF", word, word+"\U0010FFFF")
			if codes := mattersNamed(cat, word); len(codes) > 0 {
				cond += ` OR c.matter_code IN (` + placeholders(len(codes)) + `)`
				for _, c := range codes {
					args = append(args, c)
				}
			}
			conds = append(conds, "("+cond+")")
		}
	}
	if len(fts) > 0 {
		conds = append(conds, ftsCond)
		args = append(args, strings.Join(fts, " AND "))
	}
	// One condition drives the query through its index and the others are
	// checked on the rows it finds; the unary + keeps the planner off their
	// indexes. Without statistics the planner takes every "column = ?" for
	// a rare value, and would happily walk all closed cases to find the few
	// that match a search. The driver is the most selective kind present:
	// a search, then a warning, then a sync state other than synced, then
	// the state.
	driven := len(conds) > 0
	cond := func(c string, selective bool) {
		if driven || !selective {
			c = "+" + c
		}
		driven = driven || selective
		conds = append(conds, c)
	}
	switch f.Warning {
	case "":
	case "none":
		cond("c.warning_rank = 0", false)
	case "any":
		cond("c.warning_rank > 0", true)
	default:
		rank, ok := warningRank[casefile.WarningLevel(f.Warning)]
		if !ok {
			return "", nil, false, bmerr.Newf(bmerr.Invalid, "list_warning", "预警级别“%s”无效。", "warning level %q is not valid.", f.Warning).WithField("warning")
		}
		cond("c.warning_rank = ?", true)
		args = append(args, rank)
	}
	if f.SyncState != "" {
		cond("c.sync_state = ?", f.SyncState != CaseSynced)
		args = append(args, f.SyncState)
	}
	if len(f.States) > 0 {
		cond("c.state IN ("+placeholders(len(f.States))+")", true)
		for _, st := range f.States {
			args = append(args, string(st))
		}
	}
	if len(conds) == 0 {
		return "", nil, false, nil
	}
	ftsOnly = len(conds) == 1 && len(fts) > 0
	return " WHERE " + strings.Join(conds, " AND "), args, ftsOnly, nil
}

// mattersNamed returns the codes of the catalog's matters whose name
// contains word. There are a few dozen matters, so a short word can match
// anywhere in a matter's name without a full scan of the cases.
func mattersNamed(cat *catalog.Catalog, word string) []string {
	if cat == nil {
		return nil
	}
	var codes []string
	for _, m := range cat.Matters {
		if strings.Contains(m.Name, word) {
			codes = append(codes, m.Code)
		}
	}
	return codes
}

// ftsCond is the search condition; its argument is the MATCH expression.
const ftsCond = `c.rid IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?)`

// manyMatches is the number of search matches from which a page is taken
// by walking the sort index (see ListCases).
var manyMatches = 2000

// hasSortIndex lists the sort columns with an index of their own, whose
// order (with the rowid it ends with) is the list's order.
var hasSortIndex = map[string]bool{"c.updated_at": true, "c.received_at": true, "c.number": true, "c.due_on": true}

func looksLikeCaseNumber(w string) bool {
	_, _, _, err := caseflow.ParseNumber(strings.ToUpper(w))
	return err == nil
}

func looksLikeResidentID(w string) bool {
	if len(w) != 18 {
		return false
	}
	for i := 0; i < 17; i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return w[17] >= '0' && w[17] <= '9' || w[17] == 'X' || w[17] == 'x'
}

// casesOfResident finds the cases of the person with this ID number. Full
// ID numbers are only inside the case documents, never in an indexed
// column, so the masked form narrows the search through its index and the
// documents of the few candidates are compared.
func casesOfResident(ctx context.Context, tx querier, number string) ([]int64, error) {
	number = strings.ToUpper(number)
	rows, err := tx.QueryContext(ctx, `SELECT c.rid, d.local_doc, d.confirmed_doc FROM cases c
		JOIN case_docs d ON d.rid = c.rid WHERE c.id_masked = ?`, ident.MaskID(number))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var rids []int64
	for rows.Next() {
		var rid int64
		var local, confirmed []byte
		if err := rows.Scan(&rid, &local, &confirmed); err != nil {
			return nil, err
		}
		for _, doc := range [][]byte{local, confirmed} {
			if doc == nil {
				continue
			}
			c, err := decodeCase(doc)
			if err != nil {
				return nil, err
			}
			if strings.ToUpper(c.Applicant.IDNumber) == number {
				rids = append(rids, rid)
				break
			}
		}
	}
	return slices.Compact(rids), rows.Err()
}

func placeholders(n int) string {
	if n == 0 {
		return "NULL"
	}
	return strings.Repeat("?, ", n-1) + "?"
}
