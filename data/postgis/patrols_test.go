package postgis_test

import (
	"testing"

	"jingge/data"
	"jingge/data/postgis"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
)

func TestPatrolSuite(t *testing.T) {
	postgistest.URL(t)
	storetest.RunPatrols(t, func(t *testing.T) data.PatrolStore {
		p := postgis.NewPatrols(postgistest.MustOpen(t), postgis.PatrolOptions{})
		t.Cleanup(func() { p.Close() })
		return p
	}, true)
}

// pgHistory is a PostGIS store's patrols and audit log as one.
type pgHistory struct {
	*postgis.Patrols
	*postgis.Store
}

func TestHistorySuite(t *testing.T) {
	postgistest.URL(t)
	storetest.RunHistory(t, func(t *testing.T) storetest.HistoryStore {
		st := postgistest.MustOpen(t)
		p := postgis.NewPatrols(st, postgis.PatrolOptions{})
		t.Cleanup(func() { p.Close() })
		return pgHistory{p, st}
	}, true)
}
