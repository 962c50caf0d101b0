package memory_test

import (
	"testing"

	"jingge/data/memory"
	"jingge/data/storetest"
	"jingge/geo"
)

func TestStoreSuite(t *testing.T) {
	storetest.Run(t, func(t *testing.T, ds *geo.Dataset) storetest.Store {
		st, err := memory.New(ds)
		if err != nil {
			t.Fatalf("memory.New: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}, true)
}

func TestOverlaySuite(t *testing.T) {
	storetest.RunOverlays(t, func(t *testing.T, ds *geo.Dataset) storetest.OverlayStore {
		st, err := memory.New(ds)
		if err != nil {
			t.Fatalf("memory.New: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}, true)
}
