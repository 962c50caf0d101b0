package memory_test

import (
	"context"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/memory"
	"jingge/data/storetest"
	"jingge/geo"
)

// seedWith fills a new directory with ds, as the first start of a server
// fills it with the demo year.
func seedWith(ds *geo.Dataset) func(*memory.Durable) error {
	return func(d *memory.Durable) error {
		_, err := d.Import(context.Background(), ds, data.ImportOptions{})
		return err
	}
}

func openDurable(t testing.TB, path string, o memory.DirOptions) *memory.Durable {
	t.Helper()
	d, err := memory.OpenDir(path, o)
	if err != nil {
		t.Fatalf("OpenDir: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// The durable store runs every suite three ways: as it is; closed and
// opened again after every write, so each check reads what the journal
// replays; and the same with a snapshot written at every close.
var durableModes = []struct {
	name   string
	reopen bool
	opts   memory.DirOptions
}{
	{"AsIs", false, memory.DirOptions{}},
	{"ReopenAfterEveryWrite", true, memory.DirOptions{}},
	{"ReopenFromSnapshot", true, memory.DirOptions{CompactAfterBytes: 1}},
}

// durableStore opens a store for one suite case.
func durableStore(t *testing.T, reopen bool, o memory.DirOptions, ds *geo.Dataset) any {
	if ds != nil {
		o.Seed = seedWith(ds)
	}
	path := t.TempDir()
	if reopen {
		return newReopening(t, path, o)
	}
	return openDurable(t, path, o)
}

func TestDurableStoreSuite(t *testing.T) {
	for _, m := range durableModes {
		t.Run(m.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, ds *geo.Dataset) storetest.Store {
				return durableStore(t, m.reopen, m.opts, ds).(storetest.Store)
			}, true)
		})
	}
}

func TestDurableIncidentSuite(t *testing.T) {
	for _, m := range durableModes {
		t.Run(m.name, func(t *testing.T) {
			storetest.RunIncidents(t, func(t *testing.T, ds *geo.Dataset) storetest.IncidentStore {
				return durableStore(t, m.reopen, m.opts, ds).(storetest.IncidentStore)
			}, true)
		})
	}
}

func TestDurableVisitSuite(t *testing.T) {
	for _, m := range durableModes {
		t.Run(m.name, func(t *testing.T) {
			storetest.RunVisits(t, func(t *testing.T) data.VisitStore {
				return durableStore(t, m.reopen, m.opts, nil).(data.VisitStore)
			}, true)
		})
	}
}

func TestDurablePlanSuite(t *testing.T) {
	for _, m := range durableModes {
		t.Run(m.name, func(t *testing.T) {
			storetest.RunPlans(t, func(t *testing.T, ds *geo.Dataset) storetest.PlanStore {
				return durableStore(t, m.reopen, m.opts, ds).(storetest.PlanStore)
			}, true)
		})
	}
}

func TestDurablePatrolSuite(t *testing.T) {
	for _, m := range durableModes {
		t.Run(m.name, func(t *testing.T) {
			storetest.RunPatrols(t, func(t *testing.T) data.PatrolStore {
				st := durableStore(t, m.reopen, m.opts, nil)
				if d, ok := st.(*memory.Durable); ok {
					return d.Patrols
				}
				return st.(data.PatrolStore)
			}, true)
		})
	}
}

func TestDurableAuthSuite(t *testing.T) {
	for _, m := range durableModes {
		t.Run(m.name, func(t *testing.T) {
			storetest.RunAuth(t, func(t *testing.T) data.AuthStore {
				st := durableStore(t, m.reopen, m.opts, nil)
				if d, ok := st.(*memory.Durable); ok {
					return d.Auth
				}
				return st.(data.AuthStore)
			})
		})
	}
}

// historyWindows are memory windows far smaller than the history suite's
// data, so a compaction moves most of it into the archive.
var historyWindows = memory.DirOptions{AuditCapacity: 10, Patrols: memory.PatrolOptions{Retention: time.Hour, MaxEvents: 10, MaxPingsPerOfficer: 5}}

// durableHistory is a durable store's patrols and audit log as one.
type durableHistory struct {
	*memory.Patrols
	*memory.Auth
}

func TestDurableHistorySuite(t *testing.T) {
	for _, m := range durableModes {
		t.Run(m.name, func(t *testing.T) {
			o := historyWindows
			o.CompactAfterBytes = m.opts.CompactAfterBytes
			storetest.RunHistory(t, func(t *testing.T) storetest.HistoryStore {
				st := durableStore(t, m.reopen, o, nil)
				if d, ok := st.(*memory.Durable); ok {
					return durableHistory{d.Patrols, d.Auth}
				}
				return st.(storetest.HistoryStore)
			}, true)
		})
	}
}

func TestDurableOverlaySuite(t *testing.T) {
	for _, m := range durableModes {
		t.Run(m.name, func(t *testing.T) {
			storetest.RunOverlays(t, func(t *testing.T, ds *geo.Dataset) storetest.OverlayStore {
				return durableStore(t, m.reopen, m.opts, ds).(storetest.OverlayStore)
			}, true)
		})
	}
}
