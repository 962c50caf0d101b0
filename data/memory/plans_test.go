package memory_test

import (
	"testing"

	"jingge/data/memory"
	"jingge/data/storetest"
	"jingge/geo"
)

func TestPlanSuite(t *testing.T) {
	storetest.RunPlans(t, func(t *testing.T, ds *geo.Dataset) storetest.PlanStore {
		st, err := memory.New(ds)
		if err != nil {
			t.Fatalf("memory.New: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		return memory.WithPlans(st)
	}, true)
}
