package postgis_test

import (
	"context"
	"testing"

	"jingge/data"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
	"jingge/geo"
)

func TestIncidentSuite(t *testing.T) {
	postgistest.URL(t)
	storetest.RunIncidents(t, func(t *testing.T, ds *geo.Dataset) storetest.IncidentStore {
		st := postgistest.MustOpen(t)
		if _, err := st.Import(context.Background(), ds, data.ImportOptions{Actor: "storetest"}); err != nil {
			t.Fatalf("Import: %v", err)
		}
		return st
	}, true)
}
