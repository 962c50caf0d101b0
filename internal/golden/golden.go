// Package golden compares what a test produced with the answer recorded in
// a file beside it, and records the answer again when the test runs with
// -update. A change in a golden file is a change in what users get: read
// the difference before updating.
package golden

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files (testdata/) with what the tests produce now")

// Recorded returns the answer recorded at path. Under -update it first
// writes got there (making its folder), so the comparison that follows
// passes; a missing file fails tb with how to record it.
func Recorded(tb testing.TB, path string, got []byte) []byte {
	tb.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run the test with -update to record it)", err)
	}
	return want
}

// FirstDifference says where got first differs from want, with 80 bytes
// of each around it.
func FirstDifference(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(0, i-80)
	return fmt.Sprintf("at byte %d of %d (want %d):\ngot  …%q\nwant …%q", i, len(got), len(want), got[from:min(len(got), i+80)], want[from:min(len(want), i+80)])
}
