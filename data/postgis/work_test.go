package postgis_test

import (
	"testing"

	"jingge/data"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
)

func TestDisputeSuite(t *testing.T) {
	postgistest.URL(t)
	storetest.RunDisputes(t, func(t *testing.T) data.DisputeStore {
		return postgistest.MustOpen(t)
	}, true)
}

func TestTaskSuite(t *testing.T) {
	postgistest.URL(t)
	storetest.RunTasks(t, func(t *testing.T) data.TaskStore {
		return postgistest.MustOpen(t)
	}, true)
}
