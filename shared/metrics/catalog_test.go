package metrics_test

import (
	"testing"

	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/metrics"
	"github.com/bianmin/bianmin/shared/workcal"
)

func TestForCatalog(t *testing.T) {
	c := &catalog.Catalog{Matters: []catalog.Matter{
		// On the spot; legal 3 wd, promised 0 with no unit: 0 is 0 in any
		// unit, so it counts: L − P = 3, L = 3. One visit at most (0).
		{Code: "PEN", Handling: catalog.OnTheSpot, LegalLimit: lim(wd(3)), PromisedLimit: workcal.Limit{}, MaxVisits: 0},
		// No statutory limit: not in the speed-up. One visit.
		{Code: "TR", Handling: catalog.Promised, PromisedLimit: wd(5), MaxVisits: 1},
		// Legal in calendar days, promised in working days: left out, skipped 1. Two visits.
		{Code: "RP", Handling: catalog.Forwarded, LegalLimit: lim(cd(15)), PromisedLimit: wd(10), MaxVisits: 2},
		// Legal 20 wd, promised 10 wd: L − P = 10, L = 20. Two visits.
		{Code: "BP", Handling: catalog.Joint, LegalLimit: lim(wd(20)), PromisedLimit: wd(10), MaxVisits: 2},
	}}
	// Speed-up (3 + 10)/(3 + 20) = 13/23 = 56.5 %; on the spot 1/4; at most
	// one visit PEN, TR = 2/4.
	want := metrics.CatalogFigures{
		Matters:         4,
		PromisedSpeedUp: ratio(13, 23),
		SpeedUpSkipped:  1,
		OnTheSpotShare:  ratio(1, 4),
		AtMostOneVisit:  ratio(2, 4),
	}
	got := metrics.ForCatalog(c)
	if got != want {
		t.Errorf("ForCatalog = %+v, want %+v", got, want)
	}
	if s := got.PromisedSpeedUp.String(); s != "56.5%" {
		t.Errorf("PromisedSpeedUp = %s, want 56.5%%", s)
	}

	// With RP promised in calendar days it counts: (3 + 5 + 10)/(3 + 15 + 20) = 18/38.
	c.Matters[2].PromisedLimit = cd(10)
	if got := metrics.ForCatalog(c); got.PromisedSpeedUp != ratio(18, 38) || got.SpeedUpSkipped != 0 {
		t.Errorf("PromisedSpeedUp = %v, skipped %d; want 18/38, 0", got.PromisedSpeedUp, got.SpeedUpSkipped)
	}
}

func TestForCatalogEmpty(t *testing.T) {
	for _, c := range []*catalog.Catalog{nil, {}, {Matters: []catalog.Matter{{Code: "TR", PromisedLimit: wd(5), MaxVisits: 2}}}} {
		got := metrics.ForCatalog(c)
		if _, ok := got.PromisedSpeedUp.Value(); ok {
			t.Errorf("PromisedSpeedUp = %v, want undefined", got.PromisedSpeedUp)
		}
		if got.Matters == 0 && (got.OnTheSpotShare.String() != "—" || got.AtMostOneVisit.String() != "—") {
			t.Errorf("empty catalog shares = %v, %v; want —", got.OnTheSpotShare, got.AtMostOneVisit)
		}
	}
}
