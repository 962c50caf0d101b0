package prevention

import (
	"errors"
	"testing"
	"time"

	"jingge/data"
	"jingge/geo/presence"
)

func TestWindow(t *testing.T) {
	now := time.Date(2026, 5, 10, 6, 30, 0, 0, time.UTC) // 14:30 in China
	cst, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Now: func() time.Time { return now }, Presence: presence.Options{Location: cst}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, from, to string
		wantFrom       time.Time
		wantTo         time.Time
		bad            string // the parameter named, "" when valid
	}{
		{"defaults: the week to now", "", "", now.Add(-7 * 24 * time.Hour), now, ""},
		{"dates are whole China days", "2026-05-01", "2026-05-07", time.Date(2026, 5, 1, 0, 0, 0, 0, cst), time.Date(2026, 5, 8, 0, 0, 0, 0, cst), ""},
		{"one date is that day", "2026-05-01", "2026-05-01", time.Date(2026, 5, 1, 0, 0, 0, 0, cst), time.Date(2026, 5, 2, 0, 0, 0, 0, cst), ""},
		{"RFC 3339", "2026-05-01T08:00:00Z", "2026-05-02T08:00:00+08:00", time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC), time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC), ""},
		{"from alone ends now", "2026-05-09", "", time.Date(2026, 5, 9, 0, 0, 0, 0, cst), now, ""},
		{"31 days is the most", "2026-04-09", "2026-05-09", time.Date(2026, 4, 9, 0, 0, 0, 0, cst), time.Date(2026, 5, 10, 0, 0, 0, 0, cst), ""},
		{"32 days is too long", "2026-04-08", "2026-05-09", time.Time{}, time.Time{}, "from"},
		{"to the day before from", "2026-05-02", "2026-05-01", time.Time{}, time.Time{}, "from"},
		{"empty period", "2026-05-01T08:00:00+08:00", "2026-05-01T08:00:00+08:00", time.Time{}, time.Time{}, "from"},
		{"unreadable to", "", "tomorrow", time.Time{}, time.Time{}, "to"},
		{"month only", "2026-05", "", time.Time{}, time.Time{}, "from"},
	} {
		t.Run(c.name, func(t *testing.T) {
			from, to, err := s.Window(c.from, c.to)
			if c.bad != "" {
				var re *data.RequestError
				if !errors.As(err, &re) || !errors.Is(err, data.ErrInvalid) || len(re.Params) != 1 || re.Params[0].Name != c.bad {
					t.Fatalf("Window(%q, %q) = %v, want a refusal naming %s", c.from, c.to, err, c.bad)
				}
				return
			}
			if err != nil || !from.Equal(c.wantFrom) || !to.Equal(c.wantTo) {
				t.Errorf("Window(%q, %q) = %v, %v, %v; want %v, %v", c.from, c.to, from, to, err, c.wantFrom, c.wantTo)
			}
			if from.Location() != cst {
				t.Errorf("from is in %v, want China time", from.Location())
			}
		})
	}
	if _, err := New(Options{Target: presenceTarget(-1)}); err == nil {
		t.Error("a negative target was accepted")
	}
}

func presenceTarget(perWeek float64) presence.Target {
	return presence.Target{PerWeek: perWeek}
}
