package desk

import (
	"slices"
	"strings"
	"unicode"

	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/mozillazg/go-pinyin"
)

// MatterIndex finds catalog matters the way a clerk types them: part of the
// Chinese name (养老保险), a keyword (低保), the implementation code or its
// tail, or the pinyin initials of the name or a keyword ("ylbx" for
// 养老保险, "db" for 低保). Initials are computed once, when the index is
// built, so a search is a scan of a few dozen short strings.
type MatterIndex struct {
	entries []matterEntry
}

type matterEntry struct {
	m        *catalog.Matter
	name     string   // lower-cased
	keywords []string // lower-cased
	initials []string // of the name and each keyword
	code     string
}

// NewMatterIndex indexes the matters of cat that a station at level may
// take in: those it may accept, or collect as a proxy.
func NewMatterIndex(cat *catalog.Catalog, level catalog.Level) *MatterIndex {
	ix := &MatterIndex{}
	if cat == nil {
		return ix
	}
	for i := range cat.Matters {
		m := &cat.Matters[i]
		if !m.CanAccept(level) && !m.CanProxy(level) {
			continue
		}
		e := matterEntry{m: m, name: strings.ToLower(m.Name), code: strings.ToLower(m.Code)}
		e.initials = append(e.initials, Initials(m.Name))
		for _, k := range m.Keywords {
			e.keywords = append(e.keywords, strings.ToLower(k))
			e.initials = append(e.initials, Initials(k))
		}
		ix.entries = append(ix.entries, e)
	}
	return ix
}

// Len is the number of matters indexed.
func (ix *MatterIndex) Len() int { return len(ix.entries) }

// Initials returns the pinyin initials of the Chinese characters in s,
// lower-case, with letters and digits kept as they are: 城乡居民养老保险 →
// "cxjmylbx", 社保卡申领/补换 → "sbksqbh".
func Initials(s string) string {
	var b strings.Builder
	args := pinyin.NewArgs()
	args.Style = pinyin.FirstLetter
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			if p := pinyin.SinglePinyin(r, args); len(p) > 0 && p[0] != "" {
				b.WriteString(p[0][:1])
			}
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// Search returns up to limit matters for the query, best first: the exact
// code, then a name that starts with the query, contains it, a keyword that
// contains it, pinyin initials that start with it, contain it, and last a
// code that contains it. An empty query lists every matter in catalog order.
func (ix *MatterIndex) Search(q string, limit int) []*catalog.Matter {
	q = strings.ToLower(strings.Join(strings.Fields(q), ""))
	type hit struct {
		rank, pos int
		m         *catalog.Matter
	}
	var hits []hit
	for i, e := range ix.entries {
		rank := -1
		switch {
		case q == "":
			rank = 0
		case e.code == q:
			rank = 0
		case strings.HasPrefix(e.name, q):
			rank = 1
		case strings.Contains(e.name, q):
			rank = 2
		case slices.ContainsFunc(e.keywords, func(k string) bool { return strings.Contains(k, q) }):
			rank = 3
		case isASCIIAlnum(q) && strings.HasPrefix(e.initials[0], q):
			rank = 4
		case isASCIIAlnum(q) && slices.ContainsFunc(e.initials, func(in string) bool { return strings.Contains(in, q) }):
			rank = 5
		case len(q) >= 4 && strings.Contains(e.code, q):
			rank = 6
		}
		if rank >= 0 {
			hits = append(hits, hit{rank, i, e.m})
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int {
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		return a.pos - b.pos
	})
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	out := make([]*catalog.Matter, len(hits))
	for i, h := range hits {
		out[i] = h.m
	}
	return out
}

func isASCIIAlnum(s string) bool {
	for _, r := range s {
		if r >= unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return false
		}
	}
	return s != ""
}
