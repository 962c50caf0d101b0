package postgis_test

import (
	"testing"

	"jingge/data"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
)

func TestVisitSuite(t *testing.T) {
	postgistest.URL(t)
	storetest.RunVisits(t, func(t *testing.T) data.VisitStore {
		return postgistest.MustOpen(t)
	}, true)
}
