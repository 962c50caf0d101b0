package memory_test

import (
	"testing"

	"jingge/data/memory"
	"jingge/data/storetest"
	"jingge/geo"
)

func TestIncidentSuite(t *testing.T) {
	storetest.RunIncidents(t, func(t *testing.T, ds *geo.Dataset) storetest.IncidentStore {
		st, err := memory.New(ds)
		if err != nil {
			t.Fatalf("memory.New: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}, true)
}
