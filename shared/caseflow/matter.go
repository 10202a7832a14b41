package caseflow

import (
	"fmt"
	"slices"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/catalog"
)

// CheckMatter reports whether the matter lets action a be taken at level.
// Transition knows roles but not matters; the catalog's 行使层级 decides
// whether a township may decide a matter at all (下放) or must forward it, so
// both checks are needed before a change is applied.
//
// Forwarding at central's own window sends the case into the deciding
// department's review, so central may forward any matter it decides; a
// township or community may forward only what it cannot decide itself.
func CheckMatter(m *catalog.Matter, a Action, level catalog.Level) error {
	if m == nil {
		return bmerr.New(bmerr.Internal, "no_matter",
			"案件缺少事项信息，无法判断办理权限，请联系管理员。",
			"the case has no matter, so its authority cannot be checked; contact the administrator.")
	}
	lv := m.Levels
	switch a {
	case Receive:
		if !slices.Contains(lv.Accept, level) && !slices.Contains(lv.Proxy, level) {
			return matterLevelError(m, level, "收件或代办", "received or collected by proxy")
		}
	case Accept, RejectIntake:
		if !slices.Contains(lv.Accept, level) {
			return matterLevelError(m, level, "受理", "accepted")
		}
	case CloseOnSpot:
		// The handling type is about the matter, not the level: no level may
		// close a promised-time matter on the spot.
		if m.Handling != catalog.OnTheSpot {
			return bmerr.New(bmerr.FailedPrecondition, "not_on_the_spot",
				fmt.Sprintf("事项“%s”不是即办件，不能即办办结，请按承诺时限办理。", m.Name),
				fmt.Sprintf("the matter “%s” is not an on-the-spot matter, so it cannot be closed on the spot; handle it within its promised time limit.", nameEn(m)))
		}
		if !slices.Contains(lv.Decide, level) {
			return matterLevelError(m, level, "决定（即办办结）", "decided (closed on the spot)")
		}
	case Grant, Refuse, ReturnForSupplement, Suspend, Resume, Extend:
		if !slices.Contains(lv.Decide, level) {
			return matterLevelError(m, level, "决定（"+a.Label("zh")+"）", "decided ("+a.Label("en")+")")
		}
	case Forward:
		if !slices.Contains(lv.Decide, catalog.Central) {
			return bmerr.New(bmerr.PermissionDenied, "matter_level",
				fmt.Sprintf("事项“%s”不由县级决定，不能上报，请在%s办理。", m.Name, decideAt(m, "zh")),
				fmt.Sprintf("the matter “%s” is not decided at the central level, so it cannot be forwarded; it is decided at the %s level.", nameEn(m), decideAt(m, "en")))
		}
		if level != catalog.Central && slices.Contains(lv.Decide, level) {
			return bmerr.New(bmerr.PermissionDenied, "matter_level",
				fmt.Sprintf("事项“%s”可在%s决定，无需上报，请在本级办理。", m.Name, LevelLabel(level, "zh")),
				fmt.Sprintf("the matter “%s” can be decided at the %s level, so it is not forwarded; decide it there.", nameEn(m), LevelLabel(level, "en")))
		}
	}
	return nil
}

func matterLevelError(m *catalog.Matter, level catalog.Level, zhWhat, enWhat string) error {
	return bmerr.New(bmerr.PermissionDenied, "matter_level",
		fmt.Sprintf("事项“%s”不能在%s%s。", m.Name, LevelLabel(level, "zh"), zhWhat),
		fmt.Sprintf("the matter “%s” cannot be %s at the %s level.", nameEn(m), enWhat, LevelLabel(level, "en")))
}

// nameEn keeps English messages useful for a matter whose English name was
// never filled in.
func nameEn(m *catalog.Matter) string {
	if m.NameEn != "" {
		return m.NameEn
	}
	return m.Name
}

// decideAt names the lowest level that decides m, where a case that cannot
// be forwarded should be handled instead.
func decideAt(m *catalog.Matter, lang string) string {
	return LevelLabel(levels[firstFrom(levels, 0, m.Levels.Decide)], lang)
}

// Route is where a case is accepted and where it is decided, fixed when it is
// received so that later catalog edits do not move an open case.
type Route struct {
	AcceptAt catalog.Level `json:"accept_at"`
	DecideAt catalog.Level `json:"decide_at"`
}

// RouteFor routes a case received at origin: a community agent's case climbs
// to the first level that may accept the matter, and is decided at the
// lowest level at or above that which may decide it. Central is the fallback
// for both, because central may handle anything in its catalog; an unknown
// origin is treated as central for the same reason.
func RouteFor(m *catalog.Matter, origin catalog.Level) Route {
	if m == nil {
		return Route{AcceptAt: catalog.Central, DecideAt: catalog.Central}
	}
	start := slices.Index(levels, origin)
	if start < 0 {
		start = len(levels) - 1
	}
	accept := firstFrom(levels, start, m.Levels.Accept)
	return Route{AcceptAt: levels[accept], DecideAt: levels[firstFrom(levels, accept, m.Levels.Decide)]}
}

// firstFrom returns the index of the first level at or after start that is in
// set, or the last index (central) when there is none.
func firstFrom(order []catalog.Level, start int, set []catalog.Level) int {
	for i := start; i < len(order); i++ {
		if slices.Contains(set, order[i]) {
			return i
		}
	}
	return len(order) - 1
}
