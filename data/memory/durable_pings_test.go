package memory

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/patrol"
)

func samplePingsRecord() pingsRecord {
	at := time.Date(2026, 5, 1, 6, 30, 0, 123456789, time.UTC)
	p := geo.Ping{OfficerID: "M00001", At: at, Location: orb.Point{109.3175, 34.1512}, SpeedMPS: math.NaN(), HeadingDeg: 90, GridID: "61012200100101"}
	return pingsRecord{
		Now: at.Add(time.Second), Scope: "gateway", Key: "device-7", Digest: []byte{1, 2, 3},
		Pings:  []geo.Ping{p, {OfficerID: "M00002", At: at, Location: orb.Point{-1, 2}, HeadingDeg: math.NaN()}},
		States: []patrol.State{{Officer: "M00001", Version: 7, Last: p, InArea: true}, {Officer: "M00002", Silent: true}},
		Events: []patrol.Event{{ID: 42, Kind: patrol.GridEnter, Officer: "M00001", At: at, Location: p.Location, GridID: "g", PoliceGridID: "pg", StationID: "s"},
			{ID: 43, Kind: patrol.OverlayEnter, Officer: "M00001", At: at, Location: p.Location, GridID: "g", PoliceGridID: "pg", StationID: "s", AreaID: "A01", AreaName: "李家河饮用水源保护区"}},
	}
}

func TestPingsRecordRoundTrip(t *testing.T) {
	want := samplePingsRecord()
	b := appendPingsRecord(nil, want)
	got, err := decodePingsRecord(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(appendPingsRecord(nil, got), b) {
		t.Fatalf("decoded %+v, which encodes differently", got)
	}
	if !got.Pings[0].At.Equal(want.Pings[0].At) || !math.IsNaN(got.Pings[0].SpeedMPS) || got.States[1].Last.At != (time.Time{}) ||
		got.Events[0].ID != 42 || got.Scope != "gateway" || got.Key != "device-7" || !got.Now.Equal(want.Now) {
		t.Errorf("decoded %+v, want %+v", got, want)
	}
	if got.Events[1].AreaID != "A01" || got.Events[1].AreaName != "李家河饮用水源保护区" || got.Events[0].AreaID != "" {
		t.Errorf("decoded events %+v, want the second naming area A01", got.Events)
	}
	// A record cut where the area section starts reads as one written
	// before areas were journalled: the events without their areas.
	old := want
	old.Events = append([]patrol.Event(nil), want.Events...)
	old.Events[1].AreaID, old.Events[1].AreaName = "", ""
	boundary := len(appendPingsRecord(nil, old))
	if got, err := decodePingsRecord(b[:boundary]); err != nil || got.Events[1].AreaID != "" {
		t.Errorf("a record without the area section: %v, events %+v", err, got.Events)
	}
	for cut := range b {
		if cut == boundary {
			continue
		}
		if _, err := decodePingsRecord(b[:cut]); err == nil {
			t.Fatalf("a record cut at byte %d of %d decoded", cut, len(b))
		}
	}
}

// FuzzPingsRecord: no input makes the decoder panic, and what it decodes
// encodes back to the same bytes.
func FuzzPingsRecord(f *testing.F) {
	f.Add(appendPingsRecord(nil, samplePingsRecord()))
	f.Add(appendPingsRecord(nil, pingsRecord{}))
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := decodePingsRecord(b)
		if err != nil {
			return
		}
		again, err := decodePingsRecord(appendPingsRecord(nil, rec))
		if err != nil {
			t.Fatalf("a decoded record does not decode again: %v", err)
		}
		if !bytes.Equal(appendPingsRecord(nil, again), appendPingsRecord(nil, rec)) {
			t.Fatal("a decoded record does not round-trip")
		}
	})
}
