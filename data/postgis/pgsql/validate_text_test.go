package pgsql

import (
	"strings"
	"testing"

	"jingge/data/lantian"
)

// TestCheckDatasetText checks that a dataset whose text PostgreSQL cannot
// store is refused by name before any of it reaches the database.
func TestCheckDatasetText(t *testing.T) {
	ds, err := lantian.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := CheckDatasetText(ds); len(got) != 0 {
		t.Fatalf("the bundled dataset: %v", got)
	}
	ds.Grids[3].Name = "x\x00"
	ds.Members[0].Phone = "\xff"
	got, _, _, _ := CheckDataset(ds)
	var text []string
	for _, p := range got {
		if strings.Contains(p.Reason, "NUL") || strings.Contains(p.Reason, "UTF-8") {
			text = append(text, p.String())
		}
	}
	if len(text) != 2 || !strings.Contains(text[0], ds.Grids[3].ID) || !strings.Contains(text[0], "name") || !strings.Contains(text[1], "phone") {
		t.Errorf("problems: %q", text)
	}
}
