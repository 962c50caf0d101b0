package httpx

import (
	"net/url"
	"testing"
)

// FuzzRedactQuery checks a secret parameter's value never survives and a
// query without one is kept byte for byte.
func FuzzRedactQuery(f *testing.F) {
	for _, s := range []string{"token=jgl_abc", "a=1&token=x&b=2", "tok%65n=x", "password", "a=1", "", "&&token=&", "token=a=b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := RedactQuery(raw)
		vals, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		gotVals, _ := url.ParseQuery(got)
		for _, name := range secretParams {
			for _, v := range gotVals[name] {
				if v != "REDACTED" && v != "" {
					t.Fatalf("%q kept %s=%q", raw, name, v)
				}
			}
			if len(vals[name]) > 0 {
				return
			}
		}
		if got != raw {
			t.Fatalf("%q changed to %q", raw, got)
		}
	})
}
