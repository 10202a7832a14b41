package metrics_test

import (
	"slices"
	"strconv"
	"testing"

	"github.com/bianmin/bianmin/shared/metrics"
)

func TestGroupByStation(t *testing.T) {
	// S1 holds C1, C3, C5, C7, C10, C11. In February: accepted C1, C3, C5,
	// C7, C11 = 5; closed C1, C3, C5, C10 granted and C7 withdrawn = 5, all
	// on time; on the spot C1; within legal C1, C5, C10 = 3/3; speed-up C5,
	// C10 = (11 + 2)/40; average C3 5, C5 9, C7 1, C10 18 = 33/4. Ratings:
	// C1 ×2 (5, 4), C10 (3), the caseless one (4) = 4, all satisfied. Rated:
	// C1, C5, C10 = 3/5.
	s1 := metrics.Figures{
		Accepted: 5, Closed: 5, Granted: 4, Withdrawn: 1, Extended: 1,
		OnSpotRate: ratio(1, 5), OnTimeRate: ratio(5, 5), OverdueRate: ratio(0, 5), WithinLegalRate: ratio(3, 3),
		ActualSpeedUp: ratio(13, 40), AvgDays: metrics.Average{Sum: 33, N: 4},
		Ratings: 4, RatingRate: ratio(3, 5), Satisfaction: ratio(4, 4), BadRate: ratio(0, 4),
	}
	// S2 holds C2, C4, C6, C8, C9, C12. Accepted C2, C4, C6, C9, C12 = 5;
	// closed C2, C6, C12 granted and C4 refused = 4; not accepted C8. On the
	// spot none; on time C6 only; within legal C2, C6 of C2, C6, C12; speed-up
	// C6 = −4/15; average C4 6, C6 8 = 14/2. Ratings C2 (4), C4 (1), C12 (2):
	// 1/3 satisfied, 2/3 bad, rectified 1/2, followed up 1/2, named 1/1.
	// Rated: C2, C4, C12 = 3/4.
	s2 := metrics.Figures{
		Accepted: 5, Closed: 4, Granted: 3, Refused: 1, NotAccepted: 1,
		OnSpotRate: ratio(0, 4), OnTimeRate: ratio(1, 4), OverdueRate: ratio(3, 4), WithinLegalRate: ratio(2, 3),
		ActualSpeedUp: ratio(-4, 15), AvgDays: metrics.Average{Sum: 14, N: 2},
		Ratings: 3, RatingRate: ratio(3, 4), Satisfaction: ratio(1, 3), BadRate: ratio(2, 3),
		RectificationRate: ratio(1, 2), FollowUpRate: ratio(1, 2), NamedFollowUpRate: ratio(1, 1),
	}
	got := metrics.GroupBy(cal, cases, ratings, feb, metrics.ByStation)
	if len(got) != 2 || got[0].Key != "S1" || got[1].Key != "S2" {
		t.Fatalf("groups = %v, want S1, S2", keys(got))
	}
	checkFigures(t, got[0].Figures, s1)
	checkFigures(t, got[1].Figures, s2)

	// S1 ranks above S2 on the on-time rate (5/5 against 1/4).
	r := metrics.Rank(got, 1)
	if names := rankedKeys(r.Ranked); !slices.Equal(names, []string{"S1:1", "S2:2"}) {
		t.Errorf("ranking = %v", names)
	}
}

func TestGroupByDepartment(t *testing.T) {
	// Keys: D1–D4 from cases, and "" from the caseless rating.
	got := metrics.GroupBy(cal, cases, ratings, feb, metrics.ByDepartment)
	if k := keys(got); !slices.Equal(k, []string{"", "D1", "D2", "D3", "D4"}) {
		t.Fatalf("groups = %v", k)
	}
	// "": the caseless rating only.
	checkFigures(t, got[0].Figures, metrics.Figures{Ratings: 1, Satisfaction: ratio(1, 1), BadRate: ratio(0, 1)})
	// D3 (BP): C5, C9, C10. Accepted C5, C9 = 2; closed C5, C10 = 2, both on
	// time and within legal; speed-up (11 + 2)/40; average (9 + 18)/2.
	// February ratings: C10's (3); C5's is in March. Rated: C5, C10 = 2/2.
	checkFigures(t, got[3].Figures, metrics.Figures{
		Accepted: 2, Closed: 2, Granted: 2, Extended: 1,
		OnSpotRate: ratio(0, 2), OnTimeRate: ratio(2, 2), OverdueRate: ratio(0, 2), WithinLegalRate: ratio(2, 2),
		ActualSpeedUp: ratio(13, 40), AvgDays: metrics.Average{Sum: 27, N: 2},
		Ratings: 1, RatingRate: ratio(2, 2), Satisfaction: ratio(1, 1), BadRate: ratio(0, 1),
	})
	// The rated-case test looks across groups: the ratings of D1's cases sit
	// in D1 anyway, so D1 (PEN: C1, C2, C12 closed, C8 not accepted) has
	// rated 3/3; on time only C1; within legal C1, C2 of 3.
	d1 := got[1].Figures
	if d1.Closed != 3 || d1.NotAccepted != 1 || d1.RatingRate != ratio(3, 3) || d1.OnTimeRate != ratio(1, 3) || d1.WithinLegalRate != ratio(2, 3) {
		t.Errorf("D1 = %+v", d1)
	}
	// On-the-spot matters are not promised-time cases: no speed-up, no average.
	if _, ok := d1.ActualSpeedUp.Value(); ok || d1.AvgDays.N != 0 {
		t.Errorf("D1 speed-up %v, average %v; want both undefined", d1.ActualSpeedUp, d1.AvgDays)
	}
}

func TestGroupByMatterMatchesRatingsAcrossGroups(t *testing.T) {
	// The C5 rating names matter "BP" but is filed under "other" here: C5
	// still counts as rated in BP's group, and the rating counts in "other".
	rs := []metrics.RatingFacts{{CaseID: "C5", Matter: "other", Day: d("2026-02-27"), Level: 5}}
	got := metrics.GroupBy(cal, cases, rs, feb, metrics.ByMatter)
	if k := keys(got); !slices.Equal(k, []string{"BP", "PEN", "RP", "TR", "other"}) {
		t.Fatalf("groups = %v", k)
	}
	if bp := got[0].Figures; bp.RatingRate != ratio(1, 2) || bp.Ratings != 0 {
		t.Errorf("BP rating rate %v, ratings %d; want 1/2 and 0", bp.RatingRate, bp.Ratings)
	}
	if o := got[4].Figures; o.Ratings != 1 || o.Closed != 0 {
		t.Errorf("other = %+v", o)
	}
}

func keys(gs []metrics.Group) []string {
	var k []string
	for _, g := range gs {
		k = append(k, g.Key)
	}
	return k
}

func rankedKeys(rs []metrics.Ranked) []string {
	var k []string
	for _, r := range rs {
		k = append(k, r.Key+":"+strconv.Itoa(r.Rank))
	}
	return k
}

func group(key string, onTime, closed, satNum, satDen int) metrics.Group {
	return metrics.Group{Key: key, Figures: metrics.Figures{
		Closed: closed, OnTimeRate: ratio(onTime, closed), Satisfaction: ratio(satNum, satDen),
	}}
}

func TestRank(t *testing.T) {
	groups := []metrics.Group{
		group("A", 9, 10, 8, 10),  // 90 %, 80 %, 10 closed
		group("B", 18, 20, 4, 5),  // 90 %, 80 %, 20 closed: above A on volume
		group("C", 9, 10, 4, 5),   // equal to A on all three: tied with A
		group("D", 1, 1, 0, 0),    // 100 % on time: first, though unrated and small
		group("E", 9, 10, 0, 0),   // 90 %, no ratings: below A and C
		group("F", 1, 2, 1, 1),    // 50 %
		group("G", 0, 0, 3, 3),    // nothing closed: not ranked
		group("H", 0, 3, 0, 2),    // 0 %: last
		group("I", 27, 30, 0, 10), // 90 %, a defined 0 % satisfaction: above E's undefined
	}
	// Order: D(1); B(2); A, C tied (3, 3); I (5); E (6); F (7); H (8).
	// Best: ranks ≤ 3 = D, B, A, C (four: the tie at 3). Bottom, worst
	// first: H (nothing worse), F (one worse), E (two worse); I has three
	// worse and is out.
	r := metrics.Rank(groups, 0)
	if got, want := rankedKeys(r.Ranked), []string{"D:1", "B:2", "A:3", "C:3", "I:5", "E:6", "F:7", "H:8"}; !slices.Equal(got, want) {
		t.Errorf("Ranked = %v, want %v", got, want)
	}
	if got, want := rankedKeys(r.Best), []string{"D:1", "B:2", "A:3", "C:3"}; !slices.Equal(got, want) {
		t.Errorf("Best = %v, want %v", got, want)
	}
	if got, want := rankedKeys(r.Bottom), []string{"H:8", "F:7", "E:6"}; !slices.Equal(got, want) {
		t.Errorf("Bottom = %v, want %v", got, want)
	}
	if got := keys(r.Unranked); !slices.Equal(got, []string{"G"}) {
		t.Errorf("Unranked = %v, want [G]", got)
	}

	// At least 2 closed cases: D (1) joins G among the unranked, and the
	// ranks close up: B 1, A and C 2, I 4, E 5, F 6, H 7.
	r = metrics.Rank(groups, 2)
	if got, want := rankedKeys(r.Ranked), []string{"B:1", "A:2", "C:2", "I:4", "E:5", "F:6", "H:7"}; !slices.Equal(got, want) {
		t.Errorf("Ranked(min 2) = %v, want %v", got, want)
	}
	if got, want := rankedKeys(r.Best), []string{"B:1", "A:2", "C:2"}; !slices.Equal(got, want) {
		t.Errorf("Best(min 2) = %v, want %v", got, want)
	}
	if got := keys(r.Unranked); !slices.Equal(got, []string{"D", "G"}) {
		t.Errorf("Unranked(min 2) = %v, want [D G]", got)
	}
}

func TestRankTiesAtTheBottom(t *testing.T) {
	tests := []struct {
		name         string
		onTime       []int // out of 10 closed, one group each, keys a, b, c…
		best, bottom []string
	}{
		// Ranks 1, 2, 3, 4, 5, 5, 5: the three tied last fill Bottom.
		{"three tied last", []int{10, 9, 8, 7, 6, 6, 6}, []string{"a:1", "b:2", "c:3"}, []string{"e:5", "f:5", "g:5"}},
		// Ranks 1–5, 6, 6, 8: h (none worse), f and g (one worse); e has three worse.
		{"tie inside the three", []int{10, 9, 8, 7, 6, 5, 5, 4}, []string{"a:1", "b:2", "c:3"}, []string{"h:8", "f:6", "g:6"}},
		// Ranks 1–4, 5, 5, 7, 8: h, g, then e and f with two worse: four in Bottom.
		{"tie across the cut", []int{10, 9, 8, 7, 6, 6, 5, 4}, []string{"a:1", "b:2", "c:3"}, []string{"h:8", "g:7", "e:5", "f:5"}},
		// Ranks 1, 2, 2, 2: all in Best, none left for Bottom.
		{"few groups", []int{10, 9, 9, 9}, []string{"a:1", "b:2", "c:2", "d:2"}, nil},
		// Ranks 1, 2, 3, 4, 4: Bottom holds d and e only.
		{"five groups", []int{10, 9, 8, 7, 7}, []string{"a:1", "b:2", "c:3"}, []string{"d:4", "e:4"}},
		{"no groups", nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gs []metrics.Group
			for i, n := range tt.onTime {
				gs = append(gs, group(string(rune('a'+i)), n, 10, 1, 1))
			}
			r := metrics.Rank(gs, 1)
			if got := rankedKeys(r.Best); !slices.Equal(got, tt.best) {
				t.Errorf("Best = %v, want %v", got, tt.best)
			}
			if got := rankedKeys(r.Bottom); !slices.Equal(got, tt.bottom) {
				t.Errorf("Bottom = %v, want %v", got, tt.bottom)
			}
		})
	}
}
