package caseflow

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/google/uuid"
)

// NewCaseID returns a new case's identity. Stations create cases offline, so
// the ID must be unique without asking central; version 7 is also ordered by
// time, which keeps new rows together in SQLite's indexes.
func NewCaseID() uuid.UUID {
	// NewV7 fails only when crypto/rand does, which since Go 1.24 crashes
	// the program rather than returning an error.
	return uuid.Must(uuid.NewV7())
}

// maxSeqDigits bounds the sequence so that a parsed number always fits an
// int and a typing slip cannot produce an absurd sequence.
const maxSeqDigits = 9

// FormatNumber returns the case number (办件编号) a station prints on the
// receipt: "XQ01-20260212-0001". Stations issue numbers offline, so each one
// starts with the station's own code and the stations' numbers can never
// collide; the sequence restarts every day at 1 and is padded to four digits
// so numbers sort and read evenly. FormatNumber does not validate: station
// codes are checked with ValidStationCode when the station is registered, and
// a number built from bad parts will not parse.
func FormatNumber(station string, day workcal.Date, seq int) string {
	return fmt.Sprintf("%s-%04d%02d%02d-%04d", station, day.Year, int(day.Month), day.Day, seq)
}

// ParseNumber splits a case number into its parts. Only the canonical form
// FormatNumber writes is accepted, so one case never has two spellings, and a
// number typed in from a paper receipt is checked before it is searched for.
func ParseNumber(s string) (station string, day workcal.Date, seq int, err error) {
	parts := strings.Split(s, "-")
	if len(parts) != 3 || ValidStationCode(parts[0]) != nil {
		return "", workcal.Date{}, 0, badNumber(s)
	}
	day, okDay := parseDay(parts[1])
	seq, okSeq := parseSeq(parts[2])
	if !okDay || !okSeq {
		return "", workcal.Date{}, 0, badNumber(s)
	}
	return parts[0], day, seq, nil
}

func parseDay(s string) (workcal.Date, bool) {
	if len(s) != 8 || !allDigits(s) {
		return workcal.Date{}, false
	}
	y, _ := strconv.Atoi(s[:4])
	m, _ := strconv.Atoi(s[4:6])
	d, _ := strconv.Atoi(s[6:])
	day := workcal.Date{Year: y, Month: time.Month(m), Day: d}
	// D normalises 2026-02-30 to 2 March; a date that changes was not real.
	if workcal.D(y, time.Month(m), d) != day {
		return workcal.Date{}, false
	}
	return day, true
}

func parseSeq(s string) (int, bool) {
	if len(s) < 4 || len(s) > maxSeqDigits || !allDigits(s) {
		return 0, false
	}
	// More than four digits means no padding, so a leading zero would be a
	// second spelling of a shorter number.
	if len(s) > 4 && s[0] == '0' {
		return 0, false
	}
	seq, _ := strconv.Atoi(s)
	return seq, seq >= 1
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func badNumber(s string) error {
	return bmerr.Newf(bmerr.Invalid, "bad_case_number",
		"办件编号“%s”格式不正确，应为“站点代码-年月日-序号”，例如 XQ01-20260212-0001。",
		"case number %q is not valid; it should be station code-date-sequence, e.g. XQ01-20260212-0001.", s)
}

// ValidStationCode checks a station code (站点代码). The code begins every case
// number the station issues, so it must be short, unambiguous when read
// aloud or typed, and free of the hyphen that separates a number's parts.
func ValidStationCode(code string) error {
	valid := len(code) >= 2 && len(code) <= 16 && code[0] >= 'A' && code[0] <= 'Z'
	for i := 0; valid && i < len(code); i++ {
		c := code[i]
		valid = c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	if !valid {
		return bmerr.Newf(bmerr.Invalid, "bad_station_code",
			"站点代码“%s”不正确：应为 2 到 16 位大写字母或数字，并以字母开头，例如 XQ01。",
			"station code %q is not valid: use 2 to 16 capital letters or digits, starting with a letter, e.g. XQ01.", code).WithField("station_code")
	}
	return nil
}
