package journal

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// A record on disk is a header of 8 bytes, the payload's length and its
// CRC-32C (both little-endian uint32), then the payload. The checksum
// tells a record cut short or half-written by a crash from a whole one;
// the length lets the reader step to the next record without parsing the
// payload.
const headerSize = 8

// MaxRecordBytes bounds one record's payload. A longer length in a header
// is taken as damage rather than read: it cannot have been written.
const MaxRecordBytes = 1 << 30

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// appendFrame appends payload, framed, to buf.
func appendFrame(buf, payload []byte) []byte {
	var h [headerSize]byte
	binary.LittleEndian.PutUint32(h[0:4], uint32(len(payload)))
	binary.LittleEndian.PutUint32(h[4:8], crc32.Checksum(payload, castagnoli))
	buf = append(buf, h[:]...)
	return append(buf, payload...)
}

// nextFrame reads the record at the start of b. It returns the payload
// and the record's whole size, or an error saying why b does not start
// with a whole record (too short, a length out of range, a checksum that
// does not match).
func nextFrame(b []byte) (payload []byte, size int, err error) {
	if len(b) < headerSize {
		return nil, 0, fmt.Errorf("a header of %d bytes where %d are needed", len(b), headerSize)
	}
	n := binary.LittleEndian.Uint32(b[0:4])
	if n == 0 || n > MaxRecordBytes {
		return nil, 0, fmt.Errorf("a record length of %d", n)
	}
	if uint64(len(b)-headerSize) < uint64(n) {
		return nil, 0, fmt.Errorf("a record of %d bytes with only %d present", n, len(b)-headerSize)
	}
	payload = b[headerSize : headerSize+int(n)]
	if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(b[4:8]) {
		return nil, 0, fmt.Errorf("a checksum mismatch in a record of %d bytes", n)
	}
	return payload, headerSize + int(n), nil
}
