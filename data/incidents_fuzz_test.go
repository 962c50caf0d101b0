package data

import "testing"

// FuzzParseCursor checks paging cursors: an accepted cursor encodes back
// to one that parses to the same cursor.
func FuzzParseCursor(f *testing.F) {
	f.Add("")
	f.Add("x")
	f.Add(Cursor{}.Encode())
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCursor(s)
		if err != nil || c.OccurredAt.IsZero() && c.ID == 0 {
			return // "" is no cursor: the first page
		}
		again, err := ParseCursor(c.Encode())
		if err != nil || !again.OccurredAt.Equal(c.OccurredAt) || again.ID != c.ID {
			t.Fatalf("%q -> %+v -> %q -> %+v, %v", s, c, c.Encode(), again, err)
		}
	})
}

// FuzzParseIncidentID checks incident ids: accepted ones are positive.
func FuzzParseIncidentID(f *testing.F) {
	for _, s := range []string{"1", "0", "-1", "9223372036854775808", "1e3", " 7", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if id, err := ParseIncidentID(s); err == nil && id <= 0 {
			t.Fatalf("%q gave %d", s, id)
		}
	})
}
