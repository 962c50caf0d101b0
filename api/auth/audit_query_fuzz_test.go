package auth

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"jingge/data"
)

// FuzzParseAuditQuery checks the audit filters: any query string is
// parsed or refused with a 400 naming a known parameter.
func FuzzParseAuditQuery(f *testing.F) {
	for _, s := range []string{"actor=a&limit=5", "since=2026-01-01T00:00:00Z&until=x", "before=-1", "limit=1001", "action=' or 1=1 --", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		values, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		aq, err := ParseAuditQuery(func(name string) (string, bool) {
			vs, ok := values[name]
			if !ok || len(vs) == 0 {
				return "", false
			}
			return vs[0], true
		}, readRFC3339)
		if err != nil {
			var p *data.RequestError
			if !errors.As(err, &p) || len(p.Params) == 0 || !errors.Is(err, data.ErrInvalid) {
				t.Fatalf("%v", err)
			}
			for _, ip := range p.Params {
				if !strings.Contains(strings.Join(AuditQueryParams, " "), ip.Name) {
					t.Fatalf("unknown param %q", ip.Name)
				}
			}
			return
		}
		if aq.Limit < 1 || aq.Limit > data.MaxAuditLimit || aq.Before < 0 || len(aq.Actor) > 64 {
			t.Fatalf("%q gave %+v", raw, aq)
		}
	})
}

// readRFC3339 stands in for the API's reader of a window's ends: an RFC
// 3339 time or a refusal naming the parameter.
func readRFC3339(name, text string, _ bool) (time.Time, *data.Param) {
	t, err := time.Parse(time.RFC3339, text)
	if err != nil {
		return t, &data.Param{Name: name, Reason: name + " must be a time"}
	}
	return t, nil
}
