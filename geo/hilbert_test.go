package geo

import "testing"

func TestHilbertDVisitsEveryCellOnce(t *testing.T) {
	const n = 16
	seen := map[uint64]bool{}
	for x := uint32(0); x < n; x++ {
		for y := uint32(0); y < n; y++ {
			d := hilbertD(n, x, y)
			if d >= n*n || seen[d] {
				t.Fatalf("hilbertD(%d, %d) = %d: out of range or repeated", x, y, d)
			}
			seen[d] = true
		}
	}
}
