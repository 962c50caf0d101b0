package tilepack

// TileID is the PMTiles v3 tile id of tile z/x/y: the number of tiles of
// all lower zooms plus the tile's position along the Hilbert curve that
// fills zoom z, so tiles near each other on the map are near each other in
// the file. x and y must be below 2^z, and z at most 31.
func TileID(z uint8, x, y uint32) uint64 {
	below := ((uint64(1) << (2 * uint64(z))) - 1) / 3 // 4^0 + … + 4^(z-1)
	n := uint64(1) << z
	tx, ty := uint64(x), uint64(y)
	var d uint64
	for s := n / 2; s > 0; s /= 2 {
		var rx, ry uint64
		if tx&s != 0 {
			rx = 1
		}
		if ty&s != 0 {
			ry = 1
		}
		d += s * s * ((3 * rx) ^ ry)
		// Turn the quadrant so the curve inside it starts where the
		// previous quadrant's ended; only the bits below s matter from
		// here on, so flipping within n is flipping within s.
		if ry == 0 {
			if rx == 1 {
				tx, ty = n-1-tx, n-1-ty
			}
			tx, ty = ty, tx
		}
	}
	return below + d
}
