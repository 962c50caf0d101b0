package data

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
)

func TestStorableText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""}, {"新民街社区", "新民街社区"}, {"x\x00", `x\x00`}, {"\xff\xfe ok", `\xff\xfe ok`},
		{"a\x00b\xe4\xb8", `a\x00b\xe4\xb8`}, // a NUL, then a cut-off character
	} {
		got := StorableText(tc.in)
		if got != tc.want || !ValidText(got) {
			t.Errorf("StorableText(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if (TextReason(tc.in) == "") != ValidText(tc.in) {
			t.Errorf("TextReason(%q) = %q disagrees with ValidText", tc.in, TextReason(tc.in))
		}
	}
}

// TestNormalizeIncidentText checks an incident whose summary or source
// holds a NUL (as a CSV import or a JSON \u0000 may bring) is refused by
// the rule every store applies, naming the field.
func TestNormalizeIncidentText(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, field := range []string{"summary", "source"} {
		inc := geo.Incident{OccurredAt: now.Add(-time.Hour), Category: "traffic", Location: orb.Point{109.3, 34.15}}
		if field == "summary" {
			inc.Summary = "两车\x00剐蹭"
		} else {
			inc.Source = "\x00"
		}
		probs := NormalizeIncident(&inc, now)
		if len(probs) != 1 || probs[0].Field != field || !strings.Contains(probs[0].Reason, "NUL") {
			t.Errorf("%s with a NUL: %+v", field, probs)
		}
	}
}

// TestRecordTextsNameKindAndField checks that the three prevention
// records refuse a text the same way, naming the record's kind and the
// field, for a character no store keeps and for a text over its limit.
func TestRecordTextsNameKindAndField(t *testing.T) {
	at := time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)
	long := func(n int) string { return strings.Repeat("长", n+1) }
	visit := geo.Visit{OfficerID: "o1", At: at, Kind: geo.VisitKinds[0], PoliceGridID: "P1", Location: orb.Point{109.3, 34.1}}
	dispute := geo.DisputeCase{ReportedAt: at, Kind: geo.DisputeKinds[0], Level: geo.DisputeOpen, PoliceGridID: "P1"}
	task := geo.Task{StationID: "s1", GridID: "P1", Title: "走访", Due: at}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"visit NUL", func() error { v := visit; v.Whom = "a\x00b"; return CheckVisit(&v) }(), "the visit's whom holds a NUL character"},
		{"visit long", func() error { v := visit; v.Outcome = long(MaxVisitOutcome); return CheckVisit(&v) }(), "the visit's outcome is 2001 characters long; at most 2000"},
		{"dispute bad UTF-8", func() error { d := dispute; d.Parties = "\xff"; return CheckDispute(&d) }(), "the dispute's parties is not valid UTF-8"},
		{"dispute long", func() error { d := dispute; d.Summary = long(MaxDisputeSummary); return CheckDispute(&d) }(), "the dispute's summary is 2001 characters long; at most 2000"},
		{"task NUL", func() error { k := task; k.Detail = "\x00"; return CheckTask(&k) }(), "the task's detail holds a NUL character"},
		{"task long", func() error { k := task; k.DoneBy = long(MaxTaskID); return CheckTask(&k) }(), "the task's done_by is 65 characters long; at most 64"},
	} {
		var re *RequestError
		if !errors.As(tc.err, &re) || re.Kind != ErrInvalid || !strings.HasPrefix(re.Message, tc.want) {
			t.Errorf("%s: %v, want a RequestError of kind ErrInvalid saying %q", tc.name, tc.err, tc.want)
		}
	}
	for name, err := range map[string]error{"visit": CheckVisit(&visit), "dispute": CheckDispute(&dispute), "task": CheckTask(&task)} {
		if err != nil {
			t.Errorf("a valid %s: %v", name, err)
		}
	}
}
