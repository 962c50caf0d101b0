package api

import (
	"errors"
	"math"
	"net/http"
	"testing"
)

// FuzzDecodeIncidents checks the incident body parser never panics, that
// every refusal is a 400 or 413 problem naming something, and that what
// it accepts has the fields an incident needs, each in range.
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
		in, err := DecodeIncidents([]byte(body), DecodeOptions{MaxCount: 50})
		if err != nil {
			var p *Problem
			if !errors.As(err, &p) {
				t.Fatalf("error %v is not a problem", err)
			}
			pr, _ := problemOf(err)
			if pr.Status != http.StatusBadRequest && pr.Status != http.StatusRequestEntityTooLarge || pr.Detail == "" {
				t.Fatalf("problem %+v for %q", pr, body)
			}
			for _, ip := range pr.InvalidParams {
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
