package report

import (
	"encoding/csv"
	"io"
	"strings"
)

// bom starts the file so that Excel, which otherwise reads a CSV in the
// system's GBK code page on a Chinese Windows, reads it as UTF-8.
const bom = "\uFEFF"

// WriteCSV writes the summary table: a header row (in Chinese when lang
// starts with "zh", else English), one row per group and the total last.
// Rates are percentages with one decimal and days have one decimal; a
// figure with nothing to measure, and a group that is not ranked, is "—".
func WriteCSV(w io.Writer, r Result, lang string) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // what Excel writes and expects
	header := make([]string, 0, len(columns)+1)
	if isZh(lang) {
		header = append(header, groupHeader)
	} else {
		header = append(header, groupHeaderEn)
	}
	for _, c := range columns {
		if isZh(lang) {
			header = append(header, c.zh)
		} else {
			header = append(header, c.en)
		}
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	line := func(name string, row Row, total bool) error {
		rec := make([]string, 0, len(columns)+1)
		rec = append(rec, safeText(name))
		for _, c := range columns {
			v := c.get(row)
			if total && v.kind == rankKind {
				rec = append(rec, "") // the total is not ranked against anything
				continue
			}
			rec = append(rec, v.text())
		}
		return cw.Write(rec)
	}
	for _, row := range r.Rows {
		if err := line(row.Label, row, false); err != nil {
			return err
		}
	}
	if err := line(totalLabel(lang), r.Total, true); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// safeText keeps a name that starts like a formula from being run as one
// when the file is opened in a spreadsheet (CSV injection): station and
// matter names are typed in by people.
func safeText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
