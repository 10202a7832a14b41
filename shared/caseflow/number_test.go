package caseflow_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	cf "github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/google/uuid"
)

func TestNewCaseID(t *testing.T) {
	a, b := cf.NewCaseID(), cf.NewCaseID()
	if a.Version() != 7 || b.Version() != 7 {
		t.Errorf("versions %d, %d, want 7", a.Version(), b.Version())
	}
	if a == b || a == uuid.Nil {
		t.Errorf("ids %s, %s", a, b)
	}
	// Version 7 sorts by creation time, which keeps new rows together.
	if strings.Compare(a.String(), b.String()) >= 0 {
		t.Errorf("%s does not sort before %s", a, b)
	}
}

func TestFormatNumber(t *testing.T) {
	day := workcal.D(2026, time.February, 12)
	for _, tc := range []struct {
		seq  int
		want string
	}{
		{1, "XQ01-20260212-0001"},
		{42, "XQ01-20260212-0042"},
		{9999, "XQ01-20260212-9999"},
		{10000, "XQ01-20260212-10000"},
		{123456789, "XQ01-20260212-123456789"},
	} {
		got := cf.FormatNumber("XQ01", day, tc.seq)
		if got != tc.want {
			t.Errorf("FormatNumber(seq %d) = %q, want %q", tc.seq, got, tc.want)
		}
		station, d, seq, err := cf.ParseNumber(got)
		if err != nil || station != "XQ01" || d != day || seq != tc.seq {
			t.Errorf("ParseNumber(%q) = %q, %v, %d, %v", got, station, d, seq, err)
		}
	}
	if got := cf.FormatNumber("ZX", workcal.D(2025, time.January, 5), 7); got != "ZX-20250105-0007" {
		t.Errorf("got %q", got)
	}
}

func TestParseNumberRejects(t *testing.T) {
	for _, s := range []string{
		"",
		"XQ01",
		"XQ01-20260212",
		"XQ01-20260212-0001-2",
		"xq01-20260212-0001",              // lower case station
		"1XQ-20260212-0001",               // starts with a digit
		"X-20260212-0001",                 // station too short
		"ABCDEFGHIJKLMNOPQ-20260212-0001", // station too long
		"XQ01-2026212-0001",               // short date
		"XQ01-20260230-0001",              // 30 February
		"XQ01-20261301-0001",              // month 13
		"XQ01-20260212-001",               // seq not padded
		"XQ01-20260212-0000",              // seq counts from 1
		"XQ01-20260212-01234",             // padded beyond four digits
		"XQ01-20260212-+123",
		"XQ01-20260212- 123",
		"XQ01-20260212-1234567890", // too many digits
		"XQ01-2026-02-12-0001",
		"XQ01-20260212-0001\n",
		"ＸＱ01-20260212-0001", // full-width letters
	} {
		_, _, _, err := cf.ParseNumber(s)
		if err == nil {
			t.Errorf("ParseNumber(%q) succeeded", s)
			continue
		}
		if bmerr.CodeOf(err) != bmerr.Invalid || bmerr.ReasonOf(err) != "bad_case_number" {
			t.Errorf("ParseNumber(%q): %v", s, err)
		}
	}
}

// TestNumbersNeverCollide issues numbers at several stations over several
// days, including stations whose codes are prefixes of each other.
func TestNumbersNeverCollide(t *testing.T) {
	stations := []string{"XQ", "XQ0", "XQ01", "XQ010", "XQ1", "ZX01", "A1", "AB"}
	seen := map[string]string{}
	start := workcal.D(2025, time.December, 30)
	for _, st := range stations {
		for d := range 5 {
			day := start.AddDays(d)
			for _, seq := range []int{1, 2, 10, 100, 1000, 9999, 10000, 100000} {
				n := cf.FormatNumber(st, day, seq)
				who := st + " " + day.String()
				if prev, dup := seen[n]; dup {
					t.Fatalf("%q issued by %s and by %s", n, prev, who)
				}
				seen[n] = who
				if gotSt, gotDay, gotSeq, err := cf.ParseNumber(n); err != nil || gotSt != st || gotDay != day || gotSeq != seq {
					t.Errorf("ParseNumber(%q) = %q %v %d %v", n, gotSt, gotDay, gotSeq, err)
				}
			}
		}
	}
}

func TestValidStationCode(t *testing.T) {
	for _, code := range []string{"XQ", "XQ01", "A1", "ABCDEFGHIJKLMNOP", "Z9999999"} {
		if err := cf.ValidStationCode(code); err != nil {
			t.Errorf("ValidStationCode(%q): %v", code, err)
		}
	}
	for _, code := range []string{"", "X", "1X", "xq01", "XQ-01", "XQ 01", "ABCDEFGHIJKLMNOPQ", "站点01", "XQ_1"} {
		err := cf.ValidStationCode(code)
		if bmerr.CodeOf(err) != bmerr.Invalid || bmerr.ReasonOf(err) != "bad_station_code" {
			t.Errorf("ValidStationCode(%q) = %v", code, err)
		}
	}
}
