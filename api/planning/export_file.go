package planning

import (
	"bytes"
	"io"
)

// The plan's CSV exports, by the name of what they list.
var csvExports = map[string]func(io.Writer, Document) error{"moves": WriteMovesCSV, "stations": WriteStationsCSV}

// ExportCSV returns doc's moves or stations (what) as a CSV file, and the
// file's name. The file starts with a byte-order mark, so Excel (which
// planners open these with) reads the Chinese names as UTF-8 rather than
// the system's code page.
func ExportCSV(doc Document, what string) ([]byte, string, error) {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	if err := csvExports[what](&buf, doc); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), "plan-" + doc.ID + "-" + what + ".csv", nil
}
