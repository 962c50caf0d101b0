package planning

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo/plan"
)

// The planner's requests as they come: bodies still JSON and query
// parameters still text, read here so every caller refuses them alike.
// A query is read one parameter at a time by q: its value and whether it
// was given.

// MaxPlansListed caps the plans one list may ask for.
const MaxPlansListed = 1000

// DecodeJSON decodes a request body b into v, refusing unknown members
// and trailing data; an empty body leaves v as it is.
func DecodeJSON(b []byte, v any) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return invalidBody("the request body is not the JSON this endpoint takes: %v", err)
	}
	if dec.More() {
		return invalidBody("the request body holds more than one JSON value")
	}
	return nil
}

func invalidBody(format string, args ...any) error {
	return &data.RequestError{Kind: data.ErrInvalid, Type: "invalid-body", Message: fmt.Sprintf(format, args...)}
}

func invalidParam(name, format string, args ...any) error {
	return data.InvalidParams(data.Param{Name: name, Reason: fmt.Sprintf(format, args...)})
}

// ProposeJSON proposes the plan of body, a ProposeRequest (Propose).
func (p *Planner) ProposeJSON(ctx context.Context, body []byte, actor string) (Document, error) {
	var req ProposeRequest
	if err := DecodeJSON(body, &req); err != nil {
		return Document{}, err
	}
	return p.Propose(ctx, req, actor)
}

// ProposeCheckpointsJSON proposes checkpoints by body, a
// ProposeCheckpointsRequest (ProposeCheckpoints).
func (p *Planner) ProposeCheckpointsJSON(ctx context.Context, body []byte) (CheckpointProposal, error) {
	var req ProposeCheckpointsRequest
	if err := DecodeJSON(body, &req); err != nil {
		return CheckpointProposal{}, err
	}
	return p.ProposeCheckpoints(ctx, req)
}

// AssessmentRowsJSON reads the rows of body, an AssessmentEntries.
func AssessmentRowsJSON(body []byte) ([]AssessmentRow, error) {
	var in AssessmentEntries
	if err := DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	rows := make([]AssessmentRow, len(in.Entries))
	for i, e := range in.Entries {
		rows[i] = AssessmentRow{Entry: e}
	}
	return rows, nil
}

// AssessMonthText assesses the month text names (YYYY-MM), the month of
// an assessment's path.
func (p *Planner) AssessMonthText(ctx context.Context, text string) (AssessmentResult, error) {
	m, err := plan.ParseMonth(text)
	if err != nil || !m.Valid() {
		return AssessmentResult{}, invalidParam("month", "the month must be written YYYY-MM, e.g. /api/v1/assessment/2026-03, got %q", text)
	}
	return p.Assess(ctx, m, m)
}

// monthParam reads a month query parameter; ok is false when it is absent.
func monthParam(q func(string) (string, bool), name string, bad *[]data.Param) (m plan.Month, ok bool) {
	text, ok := q(name)
	if !ok {
		return plan.Month{}, false
	}
	m, err := plan.ParseMonth(text)
	if err != nil || !m.Valid() {
		*bad = append(*bad, data.Param{Name: name, Reason: fmt.Sprintf("%s must be a month written YYYY-MM, e.g. 2026-03, got %q", name, text)})
		return plan.Month{}, false
	}
	return m, true
}

// AssessTrend assesses the months from and to of q, both required.
func (p *Planner) AssessTrend(ctx context.Context, q func(string) (string, bool)) (AssessmentResult, error) {
	var bad []data.Param
	from, okFrom := monthParam(q, "from", &bad)
	to, okTo := monthParam(q, "to", &bad)
	if len(bad) == 0 && (!okFrom || !okTo) {
		bad = append(bad, data.Param{Name: "from", Reason: "give both from and to, e.g. ?from=2026-01&to=2026-06"})
	}
	if len(bad) > 0 {
		return AssessmentResult{}, data.InvalidParams(bad...)
	}
	return p.Assess(ctx, from, to)
}

// EntriesOf returns the entries of the months from and to of q, either
// open when left out (Entries).
func (p *Planner) EntriesOf(ctx context.Context, q func(string) (string, bool)) (AssessmentEntries, error) {
	var bad []data.Param
	from, okFrom := monthParam(q, "from", &bad)
	to, okTo := monthParam(q, "to", &bad)
	if len(bad) > 0 {
		return AssessmentEntries{}, data.InvalidParams(bad...)
	}
	var f, t string
	if okFrom {
		f = from.String()
	}
	if okTo {
		t = to.String()
	}
	return p.Entries(ctx, f, t)
}

// PlansOf lists the saved plans, as many as limit of q (100 when left
// out, at most MaxPlansListed).
func (p *Planner) PlansOf(ctx context.Context, q func(string) (string, bool)) (List, error) {
	limit := 100
	if text, ok := q("limit"); ok {
		n, err := strconv.Atoi(text)
		if err != nil || n < 1 || n > MaxPlansListed {
			return List{}, invalidParam("limit", "limit must be a whole number from 1 to %d, got %q", MaxPlansListed, text)
		}
		limit = n
	}
	return p.Plans(ctx, limit)
}

// CompareOf compares plans a (current when left out) and b of q.
func (p *Planner) CompareOf(ctx context.Context, q func(string) (string, bool)) (PlanComparison, error) {
	a, _ := q("a")
	b, _ := q("b")
	if a == "" {
		a = "current"
	}
	if b == "" {
		return PlanComparison{}, invalidParam("b", "give b, the plan to compare (a saved plan's id, or current); a defaults to current")
	}
	return p.Compare(ctx, a, b)
}

// CoverageOf computes the response coverage from the origins of q
// (stations when left out).
func (p *Planner) CoverageOf(ctx context.Context, q func(string) (string, bool)) (PlanCoverage, error) {
	which := OriginsStations
	if v, ok := q("origins"); ok {
		which = v
	}
	return p.Coverage(ctx, which)
}

// CheckpointCoverageOf computes the checkpoint circle of q: minutes is
// required, spacing_km optional.
func (p *Planner) CheckpointCoverageOf(ctx context.Context, q func(string) (string, bool)) (CheckpointCoverage, error) {
	var minutes, spacing float64
	var bad []data.Param
	text, ok := q("minutes")
	if !ok {
		bad = append(bad, data.Param{Name: "minutes", Reason: "minutes is required: the time within which a checkpoint must reach an exit, e.g. minutes=10"})
	} else if n, err := strconv.ParseFloat(text, 64); err != nil {
		bad = append(bad, data.Param{Name: "minutes", Reason: fmt.Sprintf("minutes must be a number of minutes, got %q", intake.Clip([]byte(text)))})
	} else {
		minutes = n
	}
	if text, ok := q("spacing_km"); ok {
		n, err := strconv.ParseFloat(text, 64)
		if err != nil {
			bad = append(bad, data.Param{Name: "spacing_km", Reason: fmt.Sprintf("spacing_km must be a number of kilometres, got %q", intake.Clip([]byte(text)))})
		}
		spacing = n
	}
	if len(bad) > 0 {
		return CheckpointCoverage{}, data.InvalidParams(bad...)
	}
	return p.CheckpointCoverage(ctx, minutes, spacing)
}

// ReportLangOf reads the report's language, lang of q (ParseReportLang).
func ReportLangOf(q func(string) (string, bool)) (int, error) {
	text, _ := q("lang")
	lang, err := ParseReportLang(text)
	if err != nil {
		return 0, invalidParam("lang", "lang must be zh (the default) or en, got %q", text)
	}
	return lang, nil
}
