package data

import (
	"math"
	"strconv"
)

// ParseDecimal reads a number written the ordinary way: an optional sign,
// digits with an optional decimal point and fraction, and an optional
// exponent (109.3, -0.5, .5, 1e3, 2.5E-4). It is the one number parser of
// the query parameters and CSV cells, because strconv.ParseFloat also
// takes forms nobody means in a coordinate or a count and reads them
// silently: underscores (1_09.3 is 109.3) and hex floats (0x1p3 is 8).
// Like ParseFloat, a value beyond float64 gives ±Inf and an error wrapping
// strconv.ErrRange; Inf and NaN are read as ParseFloat reads them, for the
// caller to refuse as not finite with a message that says so.
func ParseDecimal(text string) (float64, error) {
	if !decimalSyntax(text) {
		if v, err := strconv.ParseFloat(text, 64); err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
			return v, nil
		}
		return 0, &strconv.NumError{Func: "parseDecimal", Num: text, Err: strconv.ErrSyntax}
	}
	return strconv.ParseFloat(text, 64)
}

// decimalSyntax reports whether s is [+-]?(d+(.d*)?|.d+)([eE][+-]?d+)?.
func decimalSyntax(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, exp = i+1, exp+1
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}
