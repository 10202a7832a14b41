package metrics

import "github.com/bianmin/bianmin/shared/catalog"

// CatalogFigures are the figures of the catalog itself (domain.md §5): what
// the service promises before any case is filed.
type CatalogFigures struct {
	Matters int // matters in the catalog

	// PromisedSpeedUp (承诺提速率): Σ(L − P) ÷ ΣL over matters with a
	// statutory limit L > 0 whose promised limit P is counted in the same
	// unit as L (P = 0, on the spot, is the same in any unit). Working and
	// calendar days are not converted into each other: no conversion is
	// exact across holidays, so a matter whose two limits differ in unit is
	// left out and counted in SpeedUpSkipped instead. Undefined when no
	// matter qualifies.
	PromisedSpeedUp Ratio
	SpeedUpSkipped  int // matters with L > 0 left out because P's unit differs from L's

	// OnTheSpotShare (即办件比例): matters handled on the spot ÷ all matters.
	// Undefined for an empty catalog.
	OnTheSpotShare Ratio
	// AtMostOneVisit (最多跑一次率): matters with MaxVisits ≤ 1 ÷ all matters.
	// Undefined for an empty catalog.
	AtMostOneVisit Ratio
}

// ForCatalog computes the catalog figures. A nil catalog has none.
func ForCatalog(c *catalog.Catalog) CatalogFigures {
	var f CatalogFigures
	if c == nil {
		return f
	}
	var onSpot, oneVisit int
	for _, m := range c.Matters {
		f.Matters++
		if m.Handling == catalog.OnTheSpot {
			onSpot++
		}
		if m.MaxVisits <= 1 {
			oneVisit++
		}
		if l := m.LegalLimit; l != nil && l.N > 0 {
			if m.PromisedLimit.N != 0 && m.PromisedLimit.Unit != l.Unit {
				f.SpeedUpSkipped++
				continue
			}
			f.PromisedSpeedUp.Num += l.N - m.PromisedLimit.N
			f.PromisedSpeedUp.Den += l.N
		}
	}
	f.OnTheSpotShare = Ratio{onSpot, f.Matters}
	f.AtMostOneVisit = Ratio{oneVisit, f.Matters}
	return f
}
