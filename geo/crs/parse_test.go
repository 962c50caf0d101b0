package crs

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want CRS
	}{
		{"empty-is-default", "", WGS84},
		{"blank-is-default", " \t\n", WGS84},
		{"wgs84", "wgs84", WGS84},
		{"wgs-84-upper", "WGS-84", WGS84},
		{"epsg-4326", "EPSG:4326", WGS84},
		{"bare-4326", "4326", WGS84},
		{"cgcs2000", "CGCS2000", WGS84},
		{"epsg-4490", "epsg:4490", WGS84},
		{"bare-4490", "4490", WGS84},
		{"gps-padded", "  gps  ", WGS84},
		{"gcj02", "gcj02", GCJ02},
		{"gcj-02-upper", "GCJ-02", GCJ02},
		{"gcj", "gcj", GCJ02},
		{"amap-mixed-case", "AMap", GCJ02},
		{"gaode", "gaode", GCJ02},
		{"tencent", "Tencent", GCJ02},
		{"mars", "mars", GCJ02},
		{"bd09", "bd09", BD09},
		{"bd-09", "BD-09", BD09},
		{"bd09ll", "bd09ll", BD09},
		{"baidu-ideographic-space", "\u3000baidu\u3000", BD09},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			if err != nil || got != tc.want {
				t.Errorf("Parse(%q) = %q, %v; want %q, nil", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		mentions string // besides the accepted values
	}{
		{"typo", "wgs48", `"wgs48"`},
		{"mercator", "bd09mc", "bd09ll"},
		{"mercator-upper", " BD09MC ", `"BD09MC"`},
		{"other-epsg", "epsg:3857", `"epsg:3857"`},
		{"inner-space", "gcj 02", `"gcj 02"`},
		{"invalid-utf8", "\xff\xfe", `"\xff\xfe"`},
		{"long-input-is-cut", strings.Repeat("x", 500), strings.Repeat("x", maxQuoted) + `…"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %q, nil; want an error", tc.in, got)
			}
			if !errors.Is(err, ErrUnknown) {
				t.Errorf("error %v does not wrap ErrUnknown", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "crs: ") {
				t.Errorf("error %q lacks the package prefix", msg)
			}
			if !strings.Contains(msg, tc.mentions) {
				t.Errorf("error %q does not mention %q", msg, tc.mentions)
			}
			for _, a := range aliases {
				if !strings.Contains(msg, a.name) {
					t.Errorf("error %q does not list accepted value %q", msg, a.name)
				}
			}
			if strings.Contains(msg, strings.Repeat("x", maxQuoted+1)) {
				t.Errorf("error echoes more than %d characters of the input: %q", maxQuoted, msg)
			}
		})
	}
}

func TestParseErrorText(t *testing.T) {
	// The message is API surface: users read it. Pin it.
	_, err := Parse("wgs48")
	const want = `crs: unknown coordinate system "wgs48"; use one of ` +
		`wgs84 (also wgs-84, gps, epsg:4326, 4326, cgcs2000, epsg:4490, 4490), ` +
		`gcj02 (also gcj-02, gcj, mars, amap, gaode, tencent), ` +
		`bd09 (also bd-09, bd09ll, baidu); empty means wgs84`
	if err == nil || err.Error() != want {
		t.Errorf("Parse error =\n%v\nwant\n%s", err, want)
	}
}

func TestEveryAliasParsesAndCanonicalRoundTrips(t *testing.T) {
	for _, a := range aliases {
		if got, err := Parse(a.name); err != nil || got != a.crs {
			t.Errorf("Parse(%q) = %q, %v; want %q", a.name, got, err, a.crs)
		}
	}
	for _, c := range []CRS{WGS84, GCJ02, BD09} {
		if got, err := Parse(string(c)); err != nil || got != c {
			t.Errorf("Parse(%q) = %q, %v; the canonical name must parse to itself", c, got, err)
		}
	}
}

func TestValidAndLabel(t *testing.T) {
	tests := []struct {
		name      string
		c         CRS
		wantValid bool
		wantLabel string
	}{
		{"wgs84", WGS84, true, "WGS-84"},
		{"gcj02", GCJ02, true, "GCJ-02"},
		{"bd09", BD09, true, "BD-09"},
		{"zero", "", false, `unknown CRS ""`},
		{"alias-is-not-a-value", "gps", false, `unknown CRS "gps"`},
		{"wrong-case", "WGS84", false, `unknown CRS "WGS84"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.c.Valid(); got != tc.wantValid {
				t.Errorf("%q.Valid() = %v, want %v", tc.c, got, tc.wantValid)
			}
			if got := tc.c.Label(); got != tc.wantLabel {
				t.Errorf("%q.Label() = %q, want %q", tc.c, got, tc.wantLabel)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, a := range aliases {
		f.Add(a.name)
		f.Add(" " + strings.ToUpper(a.name) + "\t")
	}
	for _, s := range []string{"", "bd09mc", "gcj 02", "\xff", "\u3000", strings.Repeat("é", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			if c != "" {
				t.Errorf("Parse(%q) returned %q with error %v", s, c, err)
			}
			if !errors.Is(err, ErrUnknown) {
				t.Errorf("Parse(%q) error %v does not wrap ErrUnknown", s, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "crs: ") || !utf8.ValidString(msg) || len(msg) > 1000 {
				t.Errorf("Parse(%q) error is not a short, valid, prefixed message: %q", s, msg)
			}
			return
		}
		if !c.Valid() {
			t.Errorf("Parse(%q) = %q, which is not Valid", s, c)
		}
		if again, err := Parse(string(c)); err != nil || again != c {
			t.Errorf("Parse(%q) = %q but Parse(%q) = %q, %v", s, c, c, again, err)
		}
	})
}
