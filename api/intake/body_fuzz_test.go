package intake

import (
	"errors"
	"math"
	"testing"

	"jingge/data"
)

// FuzzDecodeIncidents checks the incident body parser never panics, that every
// refusal is a *data.RequestError of kind data.ErrInvalid or ErrTooMany (a
// 400 or a 413) saying what is wrong and naming each bad input, and that
// what it accepts has the fields an incident needs, each in range.
func FuzzDecodeIncidents(f *testing.F) {
	for _, seed := range []string{
		`{"occurred_at":"2026-05-01T14:30:00+08:00","category":"traffic","location":[109.3,34.1]}`,
		`{"crs":"gcj02","incidents":[{"occurred_at":"2026-05-01 14:30","category":"交通","severity":2,"location":[109.3,34.1,5]}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","id":1,"geometry":{"type":"Point","coordinates":[1,2]},"properties":{"occurred_at":"2026-05-01T00:00:00Z","category":"fire"}}]}`,
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":null}`,
		`{"incidents":[{"occured_at":"x"},{"severity":"high"},{"location":[1e999,0]},null,[]]}`,
		`{"incidents":[]}`, `{"incidents":{}}`, `{"type":7}`, `[]`, `null`, `{`, ``, `{"crs":{}}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		in, err := Decode([]byte(body), Options{MaxCount: 50})
		if err != nil {
			var p *data.RequestError
			if !errors.As(err, &p) {
				t.Fatalf("error %v is not a *data.RequestError", err)
			}
			if !errors.Is(err, data.ErrInvalid) && !errors.Is(err, ErrTooMany) || p.Message == "" {
				t.Fatalf("refusal %+v for %q", p, body)
			}
			for _, ip := range p.Params {
				if ip.Name == "" || ip.Reason == "" {
					t.Fatalf("unnamed invalid param %+v for %q", ip, body)
				}
			}
			return
		}
		if len(in.Incidents) == 0 || len(in.Incidents) > 50 || len(in.Names) != len(in.Incidents) {
			t.Fatalf("%d incidents, %d names from %q", len(in.Incidents), len(in.Names), body)
		}
		for _, x := range in.Incidents {
			p := x.Location
			if x.OccurredAt.IsZero() || x.Category == "" || math.IsNaN(p[0]) || math.Abs(p[0]) > 180 || math.Abs(p[1]) > 90 || x.Severity < 0 || x.Severity > 5 {
				t.Fatalf("accepted %+v from %q", x, body)
			}
		}
	})
}
