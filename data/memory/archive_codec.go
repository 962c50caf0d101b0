package memory

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"math"

	"jingge/data"
	"jingge/geo/patrol"
)

// Archive records use the binary layout of ping records
// (durable_pings.go) for pings and events; audit chunks are gob, being
// few and varied.

// appendOfficerPings encodes one officer's pings, oldest first: the
// officer, the count, then each ping with its time as the step from the
// one before.
func appendOfficerPings(b []byte, officer string, list []storedPing) []byte {
	w := recordWriter{b: b}
	w.string(officer)
	w.int(int64(len(list)))
	prev := int64(0)
	for _, sp := range list {
		w.int(sp.at - prev)
		prev = sp.at
		w.float(sp.lon)
		w.float(sp.lat)
		w.float(float64(sp.speed))
		w.float(float64(sp.heading))
		w.string(sp.grid)
	}
	return w.b
}

// decodeOfficerPings reads what appendOfficerPings wrote.
func decodeOfficerPings(b []byte) (string, []storedPing, error) {
	r := recordReader{b: b}
	officer := r.string()
	list := make([]storedPing, r.count())
	prev := int64(0)
	for i := range list {
		prev += r.int()
		list[i] = storedPing{at: prev, lon: r.float(), lat: r.float(), speed: float32(r.float()), heading: float32(r.float()), grid: r.string()}
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = errors.New("memory: an archived ping record has bytes after its end")
	}
	return officer, list, r.err
}

func appendEvents(b []byte, events []patrol.Event) []byte {
	w := recordWriter{b: b}
	w.int(int64(len(events)))
	for _, e := range events {
		w.event(e)
	}
	w.eventAreas(events)
	return w.b
}

func decodeEvents(b []byte) ([]patrol.Event, error) {
	r := recordReader{b: b}
	out := make([]patrol.Event, r.count())
	for i := range out {
		out[i] = r.event()
	}
	r.eventAreas(out)
	if r.err == nil && len(r.b) != 0 {
		r.err = errors.New("memory: an archived event record has bytes after its end")
	}
	return out, r.err
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
