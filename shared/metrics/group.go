package metrics

import (
	"cmp"
	"slices"

	"github.com/bianmin/bianmin/shared/workcal"
)

// By names the field cases and ratings are grouped on.
type By int

const (
	ByStation    By = iota + 1 // CaseFacts.Station, RatingFacts.Station
	ByDepartment               // CaseFacts.Department, RatingFacts.Department
	ByMatter                   // CaseFacts.Matter, RatingFacts.Matter
)

func (b By) caseKey(c CaseFacts) string {
	switch b {
	case ByStation:
		return c.Station
	case ByDepartment:
		return c.Department
	case ByMatter:
		return c.Matter
	}
	panic("metrics: unknown grouping")
}

func (b By) ratingKey(r RatingFacts) string {
	switch b {
	case ByStation:
		return r.Station
	case ByDepartment:
		return r.Department
	case ByMatter:
		return r.Matter
	}
	panic("metrics: unknown grouping")
}

// Group is the figures of one station, department or matter.
type Group struct {
	Key     string
	Figures Figures
}

// GroupBy computes the figures for period p separately for every value of
// the field by names, in key order. Every key found in cases or ratings gets
// a group, even one with nothing in the period (its figures are zero and its
// rates undefined). Cases and ratings are grouped by their own fields; a
// case counts as rated (RatingRate) when any rating names it, whichever
// group the rating falls in.
func GroupBy(cal *workcal.Calendar, cases []CaseFacts, ratings []RatingFacts, p Period, by By) []Group {
	caseGroups := map[string][]CaseFacts{}
	ratingGroups := map[string][]RatingFacts{}
	for _, c := range cases {
		k := by.caseKey(c)
		caseGroups[k] = append(caseGroups[k], c)
	}
	for _, r := range ratings {
		k := by.ratingKey(r)
		ratingGroups[k] = append(ratingGroups[k], r)
	}
	keys := make([]string, 0, len(caseGroups)+len(ratingGroups))
	for k := range caseGroups {
		keys = append(keys, k)
	}
	for k := range ratingGroups {
		if _, ok := caseGroups[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	rated := ratedCases(ratings)
	groups := make([]Group, len(keys))
	for i, k := range keys {
		groups[i] = Group{Key: k, Figures: compute(cal, caseGroups[k], ratingGroups[k], rated, p)}
	}
	return groups
}

// Ranked is a group with its place in a ranking.
type Ranked struct {
	Rank int // 1 is best; tied groups share a rank and the next rank is skipped (1, 2, 2, 4)
	Group
}

// Ranking is the monthly ranking of stations, departments or matters
// (三优三差).
type Ranking struct {
	Ranked   []Ranked // best first; tied groups in key order
	Best     []Ranked // 三优: every group ranked 1–3 (more than three when tied), best first
	Bottom   []Ranked // 三差: the worst three (more when tied), worst first; never a group in Best
	Unranked []Group  // too few closed cases to rank, in key order
}

// Rank orders groups for the monthly ranking. Groups with fewer than
// minClosed closed cases, and always those with none, are not ranked: their
// rates are undefined or rest on too few cases to compare.
//
// The order is, best first:
//
//  1. higher OnTimeRate (按时办结率), compared exactly;
//  2. then higher Satisfaction; a group with no ratings ranks below any
//     group with ratings, since collecting ratings is itself supervised;
//  3. then more closed cases (the busier station bore more load at that level).
//
// Groups equal on all three share a rank. Bottom counts from the end the
// same way: a group is in it when fewer than three ranked groups are
// strictly worse, unless it is already in Best, so with fewer than six groups
// Bottom may hold fewer than three.
func Rank(groups []Group, minClosed int) Ranking {
	var r Ranking
	minClosed = max(minClosed, 1)
	for _, g := range groups {
		if g.Figures.Closed >= minClosed {
			r.Ranked = append(r.Ranked, Ranked{Group: g})
		} else {
			r.Unranked = append(r.Unranked, g)
		}
	}
	slices.SortStableFunc(r.Unranked, func(a, b Group) int { return cmp.Compare(a.Key, b.Key) })
	slices.SortStableFunc(r.Ranked, func(a, b Ranked) int {
		if c := better(a.Figures, b.Figures); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	for i := range r.Ranked {
		if i > 0 && better(r.Ranked[i-1].Figures, r.Ranked[i].Figures) == 0 {
			r.Ranked[i].Rank = r.Ranked[i-1].Rank
		} else {
			r.Ranked[i].Rank = i + 1
		}
	}
	n := len(r.Ranked)
	inBest := 0
	for _, g := range r.Ranked {
		if g.Rank > 3 {
			break
		}
		r.Best = append(r.Best, g)
		inBest++
	}
	// Walk from the worst end; worse counts the groups strictly worse than
	// the current tie block.
	for i := n - 1; i >= inBest; {
		j := i
		for j > inBest && better(r.Ranked[j-1].Figures, r.Ranked[i].Figures) == 0 {
			j--
		}
		if worse := n - 1 - i; worse >= 3 {
			break
		}
		r.Bottom = append(r.Bottom, r.Ranked[j:i+1]...)
		i = j - 1
	}
	return r
}

// better orders a before b (negative) when a ranks higher.
func better(a, b Figures) int {
	if c := b.OnTimeRate.compare(a.OnTimeRate); c != 0 {
		return c
	}
	if c := b.Satisfaction.compare(a.Satisfaction); c != 0 {
		return c
	}
	return cmp.Compare(b.Closed, a.Closed)
}
