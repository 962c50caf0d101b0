package imports_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"jingge/api/imports"
	"jingge/data/memory"
	"jingge/data/storetest"
	"jingge/geo/crs"
)

// TestIncidentFileImportsOnce checks the rules of an incident import on
// the memory store: a bad row refuses the file, SkipBad stores the good
// rows, and the same import again stores nothing twice.
func TestIncidentFileImportsOnce(t *testing.T) {
	ctx := context.Background()
	ds := storetest.Small()
	st, err := memory.New(ds)
	if err != nil {
		t.Fatal(err)
	}
	imp, err := imports.NewIncidents(st, ds)
	if err != nil {
		t.Fatal(err)
	}
	in := ds.Grids[1].Geometry.Bound().Center()
	csv := "occurred_at,category,lon,lat\n" +
		fmt.Sprintf("2025-03-01 08:15:00,criminal,%v,%v\n", in[0], in[1]) +
		"2025-03-01 09:00:00,criminal,108.5,33.1\n" +
		fmt.Sprintf("2025-03-01 10:00:00,nonsense,%v,%v\n", in[0], in[1])
	f, err := imp.Read("x.csv", []byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := imp.Import(ctx, f, crs.WGS84, imports.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := rep.Finish(&out, false); !errors.Is(err, imports.ErrRejected) || rep.Imported != 0 || rep.Bad != 2 || rep.Good != 1 {
		t.Fatalf("without SkipBad: err %v, report %+v", err, rep)
	}
	if !strings.Contains(out.String(), "is outside every grid in force") || !strings.Contains(out.String(), "category") {
		t.Errorf("the report does not say why:\n%s", out.String())
	}
	for round, want := range []bool{false, true} {
		rep, err := imp.Import(ctx, f, crs.WGS84, imports.Options{SkipBad: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := rep.Finish(&out, true); err != nil || rep.Imported != 1 || rep.Replayed != want || rep.FirstID == "" {
			t.Fatalf("round %d with SkipBad: err %v, report %+v", round, err, rep)
		}
	}
}

// TestWorkFileRefusesUnknownColumns checks a dispute file's header is
// held to the columns the import knows.
func TestWorkFileRefusesUnknownColumns(t *testing.T) {
	ds := storetest.Small()
	st, err := memory.New(ds)
	if err != nil {
		t.Fatal(err)
	}
	imp, err := imports.NewWork("tasks", st, ds, crs.WGS84)
	if err != nil {
		t.Fatal(err)
	}
	_, err = imp.Import(context.Background(), "odd.csv", []byte("station,title,due,colour\n"), imports.Options{})
	if !errors.Is(err, imports.ErrRejected) || !strings.Contains(err.Error(), `unknown column "colour"`) {
		t.Fatalf("err = %v", err)
	}
}
