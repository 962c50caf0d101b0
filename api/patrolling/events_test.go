package patrolling

import (
	"strconv"
	"strings"
	"testing"
)

func TestParseLastEventID(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"42", 42, true}, {" 42 ", 42, true}, {"9223372036854775807", 1<<63 - 1, true},
		{"", 0, false}, {"-1", 0, false}, {"+1", 0, false}, {"1.5", 0, false}, {"abc", 0, false},
		{"9223372036854775808", 0, false}, {"0x10", 0, false},
	} {
		got, err := ParseLastEventID(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseLastEventID(%q) = %d, %v; want %d, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}

func FuzzParseLastEventID(f *testing.F) {
	for _, s := range []string{"0", "17", " 3", "-1", "+4", "", "1e3", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseLastEventID(s)
		if err != nil {
			return
		}
		if id < 0 || strconv.FormatInt(id, 10) != strings.TrimLeft(strings.TrimSpace(s), "0") && id != 0 {
			t.Fatalf("ParseLastEventID(%q) = %d", s, id)
		}
	})
}
