package postgis_test

import (
	"context"
	"testing"

	"jingge/data"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
	"jingge/geo"
)

func TestStoreSuite(t *testing.T) {
	postgistest.URL(t)
	storetest.Run(t, func(t *testing.T, ds *geo.Dataset) storetest.Store {
		st := postgistest.MustOpen(t)
		if _, err := st.Import(context.Background(), ds, data.ImportOptions{Actor: "storetest"}); err != nil {
			t.Fatalf("Import: %v", err)
		}
		return st
	}, true)
}

func TestOverlaySuite(t *testing.T) {
	postgistest.URL(t)
	storetest.RunOverlays(t, func(t *testing.T, ds *geo.Dataset) storetest.OverlayStore {
		st := postgistest.MustOpen(t)
		if _, err := st.Import(context.Background(), ds, data.ImportOptions{Actor: "storetest"}); err != nil {
			t.Fatalf("Import: %v", err)
		}
		return st
	}, true)
}
