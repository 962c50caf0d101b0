package crs

import "github.com/paulmach/orb"

// ConvertMultiPolygon returns mp converted from one datum to another: mp
// itself when they are the same (no copy), else a converted copy, mp left
// as it was.
func ConvertMultiPolygon(mp orb.MultiPolygon, from, to CRS) orb.MultiPolygon {
	if from == to {
		return mp
	}
	out := mp.Clone()
	for _, poly := range out {
		for _, ring := range poly {
			for i, p := range ring {
				ring[i] = Convert(p, from, to)
			}
		}
	}
	return out
}
