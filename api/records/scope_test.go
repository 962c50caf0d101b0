package records

import (
	"errors"
	"strings"
	"testing"
	"time"

	"jingge/api/apitest"
	"jingge/data"
	"jingge/geo"
)

func smallView(t *testing.T) *view {
	t.Helper()
	ix, err := geo.NewIndex(apitest.Small())
	if err != nil {
		t.Fatal(err)
	}
	return &view{ix: ix, datum: "wgs84"}
}

func TestStationScope(t *testing.T) {
	v := smallView(t)
	officer := Caller{Name: "wang", Role: data.RoleOfficer, OfficerID: "m1"}
	for _, tc := range []struct {
		name    string
		c       Caller
		station string
		want    string // the station read, or "forbidden"
	}{
		{"a planner reads every station", Caller{Name: "p", Role: data.RolePlanner}, "", ""},
		{"an officer reads their own station", officer, "", apitest.StationA},
		{"an officer names their own station", officer, apitest.StationA, apitest.StationA},
		{"an officer names another station", officer, apitest.StationB, "forbidden"},
		{"an officer without a member id", Caller{Name: "x", Role: data.RoleOfficer}, "", "forbidden"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			station := tc.station
			err := stationScope(tc.c, v, &station)
			switch {
			case tc.want == "forbidden":
				if !errors.Is(err, ErrForbidden) {
					t.Errorf("err %v, want a refusal of kind ErrForbidden", err)
				}
			case err != nil || station != tc.want:
				t.Errorf("station %q, err %v; want %q", station, err, tc.want)
			}
		})
	}
}

func TestPastTime(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	s := New(Options{Now: func() time.Time { return now }, MaxAhead: time.Minute})
	v := smallView(t)
	var bad params
	if got := s.pastTime(v, "at", "", time.Hour, "", &bad); !got.Equal(now) || len(bad) > 0 {
		t.Errorf("empty: %v %v, want now", got, bad)
	}
	s.pastTime(v, "at", "2026-05-01T13:00:00Z", 0, "", &bad)
	s.pastTime(v, "at", "2026-04-01T12:00:00Z", 24*time.Hour, "they go elsewhere", &bad)
	if len(bad) != 2 || !strings.Contains(bad[0].Reason, "in the future") || !strings.Contains(bad[1].Reason, "more than 1 days ago; they go elsewhere") {
		t.Errorf("refusals %+v, want one in the future and one too old", bad)
	}
}
