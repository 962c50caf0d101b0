package lantian

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"jingge/data/datafile"
)

var update = flag.Bool("update", false, "rewrite lantian.geojson from the generator")

// TestBundledIsGenerated proves the committed dataset is exactly what the
// generator makes from the committed sources, so nobody edits it by hand and
// generator changes are never forgotten. Run with -update to rewrite it.
func TestBundledIsGenerated(t *testing.T) {
	ds, err := Generate(Source, DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := datafile.Write(&buf, ds); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("lantian.geojson", buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(buf.Bytes(), Bundled()) {
		t.Fatalf("lantian.geojson is stale: run `make generate` (or go test ./data/lantian -run TestBundledIsGenerated -update)")
	}
}
