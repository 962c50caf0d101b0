// Package imports brings files of records into a store as `jingge import
// incidents|disputes|tasks` does: every row is read (package intake) and
// checked, attributed to the grids in force where and when it happened,
// and stored under a key made from the file, so importing a file again
// stores nothing twice; a report says what became of each row. Unless
// told to skip them, a file with a bad row imports nothing.
//
// It imports data, geo, geo/crs and api/intake; no HTTP, no concrete
// store. Reading the file, flags and printing where are the caller's.
package imports

import "errors"

// ErrRejected marks an import refused for its content (a bad header, bad
// rows without SkipBad, nothing to import); the report says why.
var ErrRejected = errors.New("import rejected")

// Options are the choices of one import.
type Options struct {
	// SkipBad imports the good rows and reports the bad ones, instead of
	// importing nothing.
	SkipBad bool
	// DryRun checks and reports, storing nothing.
	DryRun bool
}
