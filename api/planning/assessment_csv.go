package planning

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"

	"jingge/data"
	"jingge/geo"
)

// maxAssessmentRows bounds one CSV import: 15 stations × 12 months is 180,
// a county of 200 stations over ten years 24,000.
const maxAssessmentRows = 50000

// maxCSVProblems is where a CSV import stops listing problems.
const maxCSVProblems = 100

// assessmentColumns are the CSV columns, by canonical name, with the
// Chinese headings a bureau's spreadsheet may use instead.
var assessmentColumns = []struct{ name, zh string }{
	{"station", "派出所"},
	{"month", "月份"},
	{"familiarity_numerator", "熟悉率分子"},
	{"familiarity_denominator", "熟悉率分母"},
	{"risk_warning_numerator", "预警率分子"},
	{"risk_warning_denominator", "预警率分母"},
	{"control_tasks_numerator", "管处率分子"},
	{"control_tasks_denominator", "管处率分母"},
	{"satisfaction_numerator", "满意度分子"},
	{"satisfaction_denominator", "满意度分母"},
	{"scored_by", "考核单位"},
}

// AssessmentRow is one parsed CSV row: an entry whose station is as
// written (an id or a station's name) and the line it came from.
type AssessmentRow struct {
	Line  int
	Entry data.AssessmentEntry
}

// ParseAssessmentCSV reads entered assessment metrics from CSV: a header
// row naming the columns (in any order; see assessmentColumns for the
// names, English or Chinese), then one row per station and month. station
// and month are required; a missing metric column or an empty cell is 0,
// so a metric left out is "not measured". Months may be written 2026-03,
// 2026-3, 2026/03 or 2026年3月. A UTF-8 byte-order mark (as Excel writes)
// is skipped. Every problem is reported, with its line, in one
// *data.ValidationError.
func ParseAssessmentCSV(r io.Reader) ([]AssessmentRow, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	ar := &assessmentReader{cr: cr, seen: map[[2]string]int{}}
	if !ar.readHeader() {
		return nil, ar.invalid()
	}
	var out []AssessmentRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			ar.bad(csvLine(err, 0), "%s", csvReason(err))
			if len(ar.problems) >= maxCSVProblems {
				break
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		if len(ar.problems) >= maxCSVProblems {
			ar.bad(line, "stopped reading after %d problems; fix those first", len(ar.problems))
			break
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if ar.badText(line, rec) {
			continue
		}
		if len(out) == maxAssessmentRows {
			ar.bad(line, "more than %d rows; import the file in parts", maxAssessmentRows)
			break
		}
		out = append(out, AssessmentRow{Line: line, Entry: ar.entry(line, rec)})
	}
	if len(ar.problems) > 0 {
		return nil, ar.invalid()
	}
	return out, nil
}

// assessmentReader carries ParseAssessmentCSV through a file: the columns
// found in its header, the station-months seen, every problem so far.
type assessmentReader struct {
	cr       *csv.Reader
	col      map[string]int // column name -> its index + 1; 0 means absent
	seen     map[[2]string]int
	problems []data.Problem
}

// bad notes a problem of a line.
func (ar *assessmentReader) bad(line int, format string, args ...any) {
	ar.problems = append(ar.problems, data.Problem{Kind: "line", ID: strconv.Itoa(line), Reason: fmt.Sprintf(format, args...)})
}

// invalid is the error listing every problem.
func (ar *assessmentReader) invalid() error {
	return &data.ValidationError{Problems: ar.problems}
}

// badText notes the first cell of rec holding text no store can keep.
func (ar *assessmentReader) badText(line int, rec []string) bool {
	for i, c := range rec {
		if why := data.TextReason(c); why != "" {
			ar.bad(line, "column %d %s", i+1, why)
			return true
		}
	}
	return false
}

// readHeader reads the first line and maps its columns; false when the
// file cannot be read on.
func (ar *assessmentReader) readHeader() bool {
	header, err := ar.cr.Read()
	if errors.Is(err, io.EOF) {
		ar.bad(1, "the file is empty; the first line must name the columns: %s", columnList())
		return false
	}
	if err != nil {
		ar.bad(csvLine(err, 1), "%s", csvReason(err))
		return false
	}
	if ar.badText(1, header) {
		return false
	}
	ar.col = map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		name := ""
		for _, c := range assessmentColumns {
			if h == c.name || h == c.zh {
				name = c.name
			}
		}
		switch {
		case name == "":
			ar.bad(1, "unknown column %q; the columns are %s", h, columnList())
		case ar.col[name] > 0:
			ar.bad(1, "column %s is given twice", name)
		default:
			ar.col[name] = i + 1
		}
	}
	for _, req := range []string{"station", "month"} {
		if ar.col[req] == 0 {
			ar.bad(1, "the column %s is missing; the first line must name the columns: %s", req, columnList())
		}
	}
	return len(ar.problems) == 0
}

// entry reads the entry of one record, noting its problems.
func (ar *assessmentReader) entry(line int, rec []string) data.AssessmentEntry {
	cell := func(name string) string {
		i := ar.col[name]
		if i == 0 || i > len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i-1])
	}
	e := data.AssessmentEntry{StationID: cell("station"), ScoredBy: cell("scored_by")}
	var err error
	if e.Month, err = normalizeMonth(cell("month")); err != nil {
		ar.bad(line, "%v", err)
	}
	num := func(name string) float64 {
		text := cell(name)
		if text == "" {
			return 0
		}
		v, err := data.ParseDecimal(text)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			ar.bad(line, "%s %q is not a number", name, text)
			return 0
		}
		return v
	}
	e.Familiarity = data.Ratio{Numerator: num("familiarity_numerator"), Denominator: num("familiarity_denominator")}
	e.RiskWarning = data.Ratio{Numerator: num("risk_warning_numerator"), Denominator: num("risk_warning_denominator")}
	e.ControlTasks = data.Ratio{Numerator: num("control_tasks_numerator"), Denominator: num("control_tasks_denominator")}
	e.Satisfaction = data.Ratio{Numerator: num("satisfaction_numerator"), Denominator: num("satisfaction_denominator")}
	if e.Month != "" {
		for _, is := range data.AssessmentIssues(e) {
			ar.problems = append(ar.problems, data.Problem{Code: geo.ProblemCode(is.Code), Kind: "line", ID: strconv.Itoa(line), Reason: is.Reason})
		}
	} else if e.StationID == "" {
		ar.bad(line, "the station is empty")
	}
	k := [2]string{e.StationID, e.Month}
	if first, dup := ar.seen[k]; dup && e.Month != "" {
		ar.bad(line, "station %s, month %s is also on line %d; give each once", e.StationID, e.Month, first)
	}
	ar.seen[k] = line
	return e
}

func columnList() string {
	names := make([]string, len(assessmentColumns))
	for i, c := range assessmentColumns {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

// csvLine is the line a csv error names, else fallback.
func csvLine(err error, fallback int) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) && pe.Line > 0 {
		return pe.Line
	}
	return fallback
}

func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return "not valid CSV: " + pe.Err.Error()
	}
	return "not valid CSV: " + err.Error()
}

var monthPattern = regexp.MustCompile(`^(\d{4})\s*(?:-|/|年)\s*(\d{1,2})\s*月?$`)

// normalizeMonth writes a month as 2026-03.
func normalizeMonth(s string) (string, error) {
	m := monthPattern.FindStringSubmatch(s)
	if m == nil {
		return "", fmt.Errorf("month %q: write it as YYYY-MM, e.g. 2026-03", s)
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	if y < 1 || mo < 1 || mo > 12 {
		return "", fmt.Errorf("month %q is not a month", s)
	}
	return fmt.Sprintf("%04d-%02d", y, mo), nil
}
