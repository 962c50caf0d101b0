package data

import (
	"fmt"
	"jingge/geo"
	"math"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// IncidentProblem names one bad incident of a batch by its position and
// says what is wrong, in words a person can act on.
type IncidentProblem struct {
	Index  int    `json:"index"`  // position in the batch, from 0
	Field  string `json:"field"`  // e.g. "category", "location"; "" for the whole incident
	Reason string `json:"reason"` // e.g. "severity must be 1 to 5, got 7"
}

// IncidentError rejects a batch for the content of some of its incidents.
// It wraps ErrInvalid; nothing of the batch was stored.
type IncidentError struct {
	Problems []IncidentProblem
}

func (e *IncidentError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d problem(s) in the batch", len(e.Problems))
	for i, p := range e.Problems {
		if i == maxProblemsInError {
			fmt.Fprintf(&b, "; and %d more", len(e.Problems)-i)
			break
		}
		fmt.Fprintf(&b, "; incident %d", p.Index)
		if p.Field != "" {
			b.WriteString(" " + p.Field)
		}
		b.WriteString(": " + p.Reason)
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *IncidentError) Unwrap() error { return ErrInvalid }

// Refusal implements Refuser: one parameter per problem, named
// incidents[i] or incidents[i].field by the incident's place in the batch.
func (e *IncidentError) Refusal() *RequestError {
	params := make([]Param, len(e.Problems))
	for i, p := range e.Problems {
		name := fmt.Sprintf("incidents[%d]", p.Index)
		if p.Field != "" {
			name += "." + p.Field
		}
		params[i] = Param{Name: name, Reason: p.Reason}
	}
	return &RequestError{Kind: ErrInvalid, Type: "invalid-incidents", Message: e.Error(), Params: params}
}

// Incident limits.
const (
	MaxSummaryRunes = 2000
	MaxSourceRunes  = 64
	// MaxFutureSkew is how far in the future an occurrence time may lie,
	// to allow for clocks that run a little fast.
	MaxFutureSkew = 5 * time.Minute
)

var categoryPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// NormalizeIncident fills the defaults of a new incident (status reported,
// severity 3, reported at its occurrence time), rounds its times to the
// microsecond every store keeps, and returns what is wrong with it, or nil.
// Whether the category is one the store knows is the store's to check.
func NormalizeIncident(inc *geo.Incident, now time.Time) []IncidentProblem {
	var out []IncidentProblem
	bad := func(field, format string, args ...any) {
		out = append(out, IncidentProblem{Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	inc.OccurredAt = inc.OccurredAt.Truncate(time.Microsecond)
	inc.ReportedAt = inc.ReportedAt.Truncate(time.Microsecond)
	if inc.ReportedAt.IsZero() {
		inc.ReportedAt = inc.OccurredAt
	}
	if inc.Status == "" {
		inc.Status = geo.Reported
	}
	if inc.Severity == 0 {
		inc.Severity = 3
	}
	switch {
	case inc.OccurredAt.IsZero():
		bad("occurred_at", "occurred_at is required: when the incident happened (RFC 3339, e.g. 2026-05-01T14:30:00+08:00)")
	case inc.OccurredAt.Year() < 1900:
		bad("occurred_at", "occurred_at %s is before 1900", inc.OccurredAt.Format(time.RFC3339))
	case inc.OccurredAt.After(now.Add(MaxFutureSkew)):
		bad("occurred_at", "occurred_at %s is in the future", inc.OccurredAt.Format(time.RFC3339))
	case inc.ReportedAt.Before(inc.OccurredAt):
		bad("reported_at", "reported_at %s is before occurred_at %s", inc.ReportedAt.Format(time.RFC3339), inc.OccurredAt.Format(time.RFC3339))
	}
	if !categoryPattern.MatchString(string(inc.Category)) {
		bad("category", "category %q is not a category id (want one of %s)", clipText(string(inc.Category), 40), categoryList())
	}
	if inc.Severity < 1 || inc.Severity > 5 {
		bad("severity", "severity must be 1 (minor) to 5 (major), got %d", inc.Severity)
	}
	if err := geo.Reported.CanMoveTo(inc.Status); err != nil && inc.Status != geo.Reported {
		bad("status", "status must be reported, dispatched, on_scene or closed, got %q", clipText(string(inc.Status), 40))
	}
	if inc.Cleared && inc.Category != geo.Criminal {
		bad("cleared", "only criminal cases are cleared (破案); this incident is %s", inc.Category)
	}
	if p := inc.Location; math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.Abs(p[0]) > 180 || math.Abs(p[1]) > 90 {
		bad("location", "location [%g, %g] is not a longitude/latitude pair", p[0], p[1])
	}
	if n := utf8.RuneCountInString(inc.Summary); n > MaxSummaryRunes || !ValidText(inc.Summary) {
		bad("summary", "summary must be UTF-8 text without NUL characters of at most %d characters, got %d%s", MaxSummaryRunes, n, textNote(inc.Summary))
	}
	if n := utf8.RuneCountInString(inc.Source); n > MaxSourceRunes || !ValidText(inc.Source) {
		bad("source", "source must be UTF-8 text without NUL characters of at most %d characters, got %d%s", MaxSourceRunes, n, textNote(inc.Source))
	}
	return out
}

// NormalizeIncidents applies NormalizeIncident to every incident of batch
// and returns an *IncidentError listing every problem, or nil.
func NormalizeIncidents(batch []geo.Incident, now time.Time) error {
	var probs []IncidentProblem
	for i := range batch {
		for _, p := range NormalizeIncident(&batch[i], now) {
			p.Index = i
			probs = append(probs, p)
		}
	}
	if len(probs) > 0 {
		return &IncidentError{Problems: probs}
	}
	return nil
}

// IncidentPatch changes an incident. Nil fields are left as they are.
type IncidentPatch struct {
	Status  *geo.IncidentStatus
	Cleared *bool
}

// CheckPatch reports what keeps p from applying to inc, as a
// *RequestError: ErrInvalid for a value that is never right, ErrConflict
// for one that clashes with the incident's state. It returns the incident as it would be after p, and
// whether anything changes.
func CheckPatch(inc geo.Incident, p IncidentPatch) (geo.Incident, bool, error) {
	changed := false
	if p.Status != nil && *p.Status != inc.Status {
		if err := inc.Status.CanMoveTo(*p.Status); err != nil {
			if _, known := map[geo.IncidentStatus]bool{geo.Reported: true, geo.Dispatched: true, geo.OnScene: true, geo.Closed: true}[*p.Status]; !known {
				return inc, false, userError(ErrInvalid, "status must be reported, dispatched, on_scene or closed, got %q", clipText(string(*p.Status), 40))
			}
			return inc, false, userError(ErrConflict, "incident %s is %s and cannot go back to %s; the lifecycle is reported → dispatched → on_scene → closed", inc.ID, inc.Status, *p.Status)
		}
		inc.Status = *p.Status
		changed = true
	}
	if p.Cleared != nil && *p.Cleared != inc.Cleared {
		if inc.Category != geo.Criminal {
			return inc, false, userError(ErrConflict, "only criminal cases are cleared (破案); incident %s is %s", inc.ID, inc.Category)
		}
		inc.Cleared = *p.Cleared
		changed = true
	}
	return inc, changed, nil
}

func categoryList() string {
	s := make([]string, len(geo.Categories))
	for i, c := range geo.Categories {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

// clipText quotes at most n runes of a client's input in a message.
func clipText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
