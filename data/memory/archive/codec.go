package archive

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"math"

	"jingge/data"
	"jingge/data/memory/binrec"
	"jingge/geo/patrol"
)

// Archive records use the binary layout of the journal's ping records
// (binrec) for pings and events; audit chunks are gob, being few and
// varied.

// appendOfficerPings encodes one officer's pings, oldest first: the
// officer, the count, then each ping with its time as the step from the
// one before.
func appendOfficerPings(b []byte, officer string, list []Ping) []byte {
	w := binrec.Writer{B: b}
	w.String(officer)
	w.Int(int64(len(list)))
	prev := int64(0)
	for _, sp := range list {
		w.Int(sp.At - prev)
		prev = sp.At
		w.Float(sp.Lon)
		w.Float(sp.Lat)
		w.Float(float64(sp.Speed))
		w.Float(float64(sp.Heading))
		w.String(sp.Grid)
	}
	return w.B
}

// decodeOfficerPings reads what appendOfficerPings wrote.
func decodeOfficerPings(b []byte) (string, []Ping, error) {
	r := binrec.NewReader(b)
	officer := r.String()
	list := make([]Ping, r.Count())
	prev := int64(0)
	for i := range list {
		prev += r.Int()
		list[i] = Ping{At: prev, Lon: r.Float(), Lat: r.Float(), Speed: float32(r.Float()), Heading: float32(r.Float()), Grid: r.String()}
	}
	return officer, list, r.Finish("memory: an archived ping record has bytes after its end")
}

func appendEvents(b []byte, events []patrol.Event) []byte {
	w := binrec.Writer{B: b}
	w.Int(int64(len(events)))
	for _, e := range events {
		w.Event(e)
	}
	w.EventAreas(events)
	return w.B
}

func decodeEvents(b []byte) ([]patrol.Event, error) {
	r := binrec.NewReader(b)
	out := make([]patrol.Event, r.Count())
	for i := range out {
		out[i] = r.Event()
	}
	r.EventAreas(out)
	return out, r.Finish("memory: an archived event record has bytes after its end")
}

func encodeAudit(entries []data.AuditEntry) ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(entries); err != nil {
		return nil, fmt.Errorf("memory: encoding archived audit entries: %w", err)
	}
	return buf.Bytes(), nil
}

func decodeAudit(b []byte) ([]data.AuditEntry, error) {
	var out []data.AuditEntry
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&out); err != nil {
		return nil, fmt.Errorf("memory: decoding archived audit entries: %w", err)
	}
	return out, nil
}

// timeRange is the range of unix nanoseconds a chunk's times span.
func timeRange(n int, at func(i int) int64) (lo, hi int64) {
	lo, hi = math.MaxInt64, math.MinInt64
	for i := range n {
		lo, hi = min(lo, at(i)), max(hi, at(i))
	}
	return lo, hi
}
