package memory_test

import (
	"testing"

	"jingge/data"
	"jingge/data/memory"
	"jingge/data/storetest"
	"jingge/geo"
)

func newEmpty(t *testing.T) *memory.Store {
	t.Helper()
	st, err := memory.New(&geo.Dataset{})
	if err != nil {
		t.Fatalf("memory.New: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestDisputeSuite(t *testing.T) {
	storetest.RunDisputes(t, func(t *testing.T) data.DisputeStore { return newEmpty(t) }, true)
}

func TestTaskSuite(t *testing.T) {
	storetest.RunTasks(t, func(t *testing.T) data.TaskStore { return newEmpty(t) }, true)
}

func TestDurableDisputeSuite(t *testing.T) {
	for _, m := range durableModes {
		t.Run(m.name, func(t *testing.T) {
			storetest.RunDisputes(t, func(t *testing.T) data.DisputeStore {
				return durableStore(t, m.reopen, m.opts, nil).(data.DisputeStore)
			}, true)
		})
	}
}

func TestDurableTaskSuite(t *testing.T) {
	for _, m := range durableModes {
		t.Run(m.name, func(t *testing.T) {
			storetest.RunTasks(t, func(t *testing.T) data.TaskStore {
				return durableStore(t, m.reopen, m.opts, nil).(data.TaskStore)
			}, true)
		})
	}
}
