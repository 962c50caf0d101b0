// Package lantian bundles the Lantian County demo dataset and the generator
// that builds it from real reference data (see source/README.md).
//
// The county outline, township list, village and community names and codes,
// and the 15 stations with their regions and brands are real. The grid
// boundaries, police-grid grouping, station points, populations and members
// are synthesised deterministically (see Generate).
package lantian

import (
	"bytes"
	_ "embed"
	"fmt"

	"jingge/data/datafile"
	"jingge/geo"
)

//go:embed lantian.geojson
var bundled []byte

// Load parses the bundled dataset. Each call returns a fresh copy.
func Load() (*geo.Dataset, error) {
	ds, err := datafile.Read(bytes.NewReader(bundled))
	if err != nil {
		return nil, fmt.Errorf("lantian: bundled dataset: %w", err)
	}
	return ds, nil
}

// Bundled returns the bundled dataset file as it is embedded.
func Bundled() []byte { return bundled }
