package crs

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrUnknown is wrapped by every error Parse returns, so callers can map it
// to a client error with errors.Is.
var ErrUnknown = errors.New("crs: unknown coordinate system")

// aliases maps every spelling Parse accepts (lower case, trimmed) to its
// system. Parse's error message is generated from it, so the two never
// disagree. Canonical names come first in each group.
var aliases = []struct {
	name string
	crs  CRS
}{
	{"wgs84", WGS84}, {"wgs-84", WGS84}, {"gps", WGS84},
	{"epsg:4326", WGS84}, {"4326", WGS84},
	{"cgcs2000", WGS84}, {"epsg:4490", WGS84}, {"4490", WGS84},
	{"gcj02", GCJ02}, {"gcj-02", GCJ02}, {"gcj", GCJ02}, {"mars", GCJ02},
	{"amap", GCJ02}, {"gaode", GCJ02}, {"tencent", GCJ02},
	{"bd09", BD09}, {"bd-09", BD09}, {"bd09ll", BD09}, {"baidu", BD09},
}

// Parse returns the coordinate system named by s. Matching ignores case and
// leading and trailing white space (including the ideographic space U+3000);
// an empty or all-space s means WGS84, the default for GPS fixes.
//
// Accepted spellings:
//
//	WGS84: wgs84, wgs-84, gps, epsg:4326, 4326, cgcs2000, epsg:4490, 4490
//	GCJ02: gcj02, gcj-02, gcj, mars, amap, gaode, tencent
//	BD09:  bd09, bd-09, bd09ll, baidu
//
// Anything else yields an error wrapping ErrUnknown whose message quotes the
// input (cut to 40 characters) and lists the accepted values; it is written
// to be shown to API users as is.
func Parse(s string) (CRS, error) {
	key := strings.ToLower(strings.TrimSpace(s))
	if key == "" {
		return WGS84, nil
	}
	for _, a := range aliases {
		if a.name == key {
			return a.crs, nil
		}
	}
	return "", unknownError(s, key)
}

// unknownError builds Parse's error. Its text is for people: it names what
// was sent and what would have worked.
func unknownError(raw, key string) error {
	var b strings.Builder
	b.WriteString(quote(strings.TrimSpace(raw)))
	if key == "bd09mc" {
		b.WriteString(" (Baidu Mercator metres are not supported; send Baidu longitude/latitude, bd09ll)")
	}
	b.WriteString("; use one of ")
	for i, c := range []CRS{WGS84, GCJ02, BD09} {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(c))
		b.WriteString(" (also ")
		sep := ""
		for _, a := range aliases {
			if a.crs == c && a.name != string(c) {
				b.WriteString(sep)
				b.WriteString(a.name)
				sep = ", "
			}
		}
		b.WriteString(")")
	}
	b.WriteString("; empty means wgs84")
	return fmt.Errorf("%w %s", ErrUnknown, b.String())
}

// maxQuoted bounds how much of a caller's input is echoed back, so an error
// message stays readable whatever was sent.
const maxQuoted = 40

// quote returns s as a Go-quoted string, cut to maxQuoted runes with an
// ellipsis; invalid UTF-8 and control characters come out escaped.
func quote(s string) string {
	if utf8.RuneCountInString(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	n := 0
	for i := range s {
		if n == maxQuoted {
			return strconv.Quote(s[:i] + "…")
		}
		n++
	}
	return strconv.Quote(s)
}
