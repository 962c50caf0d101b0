package data

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseDecimal checks ParseDecimal agrees with strconv.ParseFloat on
// what it takes and takes no underscores or hex.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"109.3", "1_09.3", "0x1p3", "1e3", ".5", "-0", "NaN", "Inf", "1e999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseDecimal(s)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return
		}
		if math.IsNaN(v) || math.IsInf(v, 0) && err == nil {
			return
		}
		if strings.ContainsAny(s, "_xXpP") {
			t.Fatalf("%q read as %v", s, v)
		}
		w, werr := strconv.ParseFloat(s, 64)
		if w != v || (werr == nil) != (err == nil) {
			t.Fatalf("%q: %v, %v; ParseFloat %v, %v", s, v, err, w, werr)
		}
	})
}
