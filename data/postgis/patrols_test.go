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
