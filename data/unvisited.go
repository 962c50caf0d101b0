package data

import (
	"time"

	"jingge/geo/patrol"
)

// UnvisitedSweep asks a PatrolStore to raise "grid not visited" events
// (patrol.GridUnvisited).
type UnvisitedSweep struct {
	// Rules hold the index of the grids.
	Rules *patrol.Rules
	// LastVisits maps the police grids to check to the last visit by their
	// own officers the caller knows of (zero: none).
	LastVisits map[string]time.Time
	// After is how long a grid may go without a visit; 0 or less raises
	// nothing.
	After time.Duration
	// Now is the time of the check.
	Now time.Time
}
