package memory_test

import (
	"testing"

	"jingge/data"
	"jingge/data/memory"
	"jingge/data/storetest"
	"jingge/geo"
)

func TestVisitSuite(t *testing.T) {
	storetest.RunVisits(t, func(t *testing.T) data.VisitStore {
		st, err := memory.New(&geo.Dataset{})
		if err != nil {
			t.Fatalf("memory.New: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}, true)
}
