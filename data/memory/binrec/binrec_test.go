package binrec

import (
	"math"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/patrol"
)

// TestRoundTrip writes one value of every kind and reads them back:
// NaN and the zero time survive, and an event's area comes back from the
// trailing section.
func TestRoundTrip(t *testing.T) {
	at := time.Date(2026, 6, 1, 8, 30, 0, 123, time.UTC)
	p := geo.Ping{OfficerID: "m1", At: at, Location: orb.Point{109.1, 33.9}, SpeedMPS: math.NaN(), HeadingDeg: 90, GridID: "g1"}
	events := []patrol.Event{
		{ID: 7, Kind: patrol.EventKind("grid_enter"), Officer: "m1", At: at, Location: orb.Point{1, 2}, GridID: "g1"},
		{ID: 8, Kind: patrol.EventKind("overlay_enter"), Officer: "m1", At: at, AreaID: "a1", AreaName: "园区"},
	}
	var w Writer
	w.Int(-5)
	w.Float(math.NaN())
	w.Bytes([]byte{1, 2})
	w.String("警格")
	w.Bool(true)
	w.Time(time.Time{})
	w.Time(at)
	w.Ping(p)
	w.Int(int64(len(events)))
	for _, e := range events {
		w.Event(e)
	}
	w.EventAreas(events)

	r := NewReader(w.B)
	if v := r.Int(); v != -5 {
		t.Errorf("Int = %d, want -5", v)
	}
	if v := r.Float(); !math.IsNaN(v) {
		t.Errorf("Float = %v, want NaN", v)
	}
	if v := r.Bytes(); len(v) != 2 || v[0] != 1 || v[1] != 2 {
		t.Errorf("Bytes = %v", v)
	}
	if v := r.String(); v != "警格" {
		t.Errorf("String = %q", v)
	}
	if !r.Bool() {
		t.Error("Bool = false")
	}
	if v := r.Time(); !v.IsZero() {
		t.Errorf("zero Time = %v", v)
	}
	if v := r.Time(); !v.Equal(at) {
		t.Errorf("Time = %v, want %v", v, at)
	}
	got := r.Ping()
	if got.OfficerID != p.OfficerID || !got.At.Equal(p.At) || got.Location != p.Location || !math.IsNaN(got.SpeedMPS) || got.HeadingDeg != 90 || got.GridID != "g1" {
		t.Errorf("Ping = %+v, want %+v", got, p)
	}
	back := make([]patrol.Event, r.Count())
	for i := range back {
		back[i] = r.Event()
	}
	r.EventAreas(back)
	if err := r.Finish("trailing"); err != nil {
		t.Fatal(err)
	}
	if len(back) != 2 || back[0].AreaID != "" || back[1].AreaID != "a1" || back[1].AreaName != "园区" || back[0].ID != 7 || back[1].Kind != events[1].Kind {
		t.Errorf("events = %+v", back)
	}
}

// TestShortAndLongRecords: a record cut anywhere fails without a panic,
// and bytes after the layout's end are an error too.
func TestShortAndLongRecords(t *testing.T) {
	var w Writer
	w.String("officer")
	w.Ping(geo.Ping{OfficerID: "m1", At: time.Unix(0, 1)})
	for n := range len(w.B) {
		r := NewReader(w.B[:n])
		_ = r.String()
		r.Ping()
		if err := r.Finish("trailing"); err == nil {
			t.Fatalf("a record cut at %d of %d bytes read without error", n, len(w.B))
		}
	}
	r := NewReader(append(w.B, 0))
	_ = r.String()
	r.Ping()
	if err := r.Finish("trailing"); err == nil || err.Error() != "trailing" {
		t.Errorf("a record with a byte too many: %v, want trailing", err)
	}
}
