package plan

import "testing"

// FuzzParseMonth checks months: an accepted one has a month 1 to 12 and
// prints back as what parses to it.
func FuzzParseMonth(f *testing.F) {
	for _, s := range []string{"2026-03", "2026-13", "0000-01", "2026-3", "x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMonth(s)
		if err != nil {
			return
		}
		if m.Month < 1 || m.Month > 12 {
			t.Fatalf("%q gave %+v", s, m)
		}
		if again, err := ParseMonth(m.String()); err != nil || again != m {
			t.Fatalf("%q -> %+v -> %q -> %+v, %v", s, m, m.String(), again, err)
		}
	})
}
