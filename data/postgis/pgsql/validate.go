package pgsql

import (
	"jingge/data"
	"jingge/geo"
)

// MaxProblems caps each kind of geometry problem the database is asked to
// list, so a hopeless file gives a readable report.
const MaxProblems = 200

// CheckDataset finds the problems of ds that need no geometry engine
// (geo.Check, the rule every store and import shares) and the text
// PostgreSQL cannot store. It returns the problems and the ids of grids and
// areas whose geometry is structurally broken, which the geometry checks
// skip.
func CheckDataset(ds *geo.Dataset) (problems []data.Problem, brokenGrid map[string]bool, brokenCounty bool, brokenTownship map[string]bool) {
	brokenGrid = map[string]bool{}
	brokenTownship = map[string]bool{}
	problems = append(problems, CheckDatasetText(ds)...)
	for _, p := range geo.Check(ds) {
		problems = append(problems, p)
		if p.Code != geo.ProblemEmptyGeometry && p.Code != geo.ProblemMalformedGeometry {
			continue
		}
		switch p.Kind {
		case "grid":
			brokenGrid[p.ID] = true
		case "township":
			brokenTownship[p.ID] = true
		case "county":
			brokenCounty = true
		}
	}
	return problems, brokenGrid, brokenCounty, brokenTownship
}
