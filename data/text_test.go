package data

import (
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
