package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

// A computer that is not a station offers the central staff's sign-in on
// its first-run screen, and can go back to enrolling.
func TestFirstRunOffersCentralSignIn(t *testing.T) {
	h := newHarness(t, setup{})
	e := h.u.enroll
	if e == nil || e.central == nil {
		t.Fatal("the first-run screen does not offer central sign-in")
	}
	test.AssertRendersToMarkup(t, "first_run.xml", h.w.Canvas())
	test.Tap(e.central)
	if h.u.central == nil || h.u.enroll != nil {
		t.Fatal("central sign-in not shown")
	}
	if h.w.Title() != "便民服务县级中心" {
		t.Errorf("title %q", h.w.Title())
	}
	h.u.leaveCentral() // the central sign-in's back link
	if h.u.enroll == nil || h.u.central != nil || h.w.Title() != "便民服务站" {
		t.Fatal("no way back to enrollment")
	}
}

// An enrolled station never opens the central screens: its users hold no
// central session.
func TestStationCannotOpenCentralScreens(t *testing.T) {
	h := newHarness(t, setup{enrolled: true, users: true})
	h.u.showCentral()
	if h.u.central != nil {
		t.Fatal("an enrolled station opened the central screens")
	}
	if h.u.signIn == nil {
		t.Error("the station's sign-in screen was replaced")
	}
}
