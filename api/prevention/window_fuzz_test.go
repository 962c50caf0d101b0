package prevention

import (
	"errors"
	"testing"
	"time"

	"jingge/data"
)

// FuzzWindow feeds the period's parser any texts: it never panics, refuses
// only with ErrInvalid, and what it accepts is a period of at most
// MaxWindow that ends after it begins.
func FuzzWindow(f *testing.F) {
	for _, seed := range [][2]string{{"", ""}, {"2026-05-01", "2026-05-08"}, {"2026-05-01T08:00:00Z", ""}, {"2026-13-01", "x"}, {"0000-01-01", "9999-12-31"}} {
		f.Add(seed[0], seed[1])
	}
	now := time.Date(2026, 5, 10, 6, 30, 0, 0, time.UTC)
	s, err := New(Options{Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, fromText, toText string) {
		from, to, err := s.Window(fromText, toText)
		if err != nil {
			if !errors.Is(err, data.ErrInvalid) {
				t.Fatalf("Window(%q, %q): %v, want ErrInvalid", fromText, toText, err)
			}
			return
		}
		if !from.Before(to) || to.Sub(from) > MaxWindow {
			t.Fatalf("Window(%q, %q) = %v, %v", fromText, toText, from, to)
		}
	})
}
