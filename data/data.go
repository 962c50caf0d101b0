// Package data defines how jingge reaches its system of record: the Store
// interface every backend implements (the embedded memory store and
// PostGIS), and the sentinel errors they return. The api package sees only
// these interfaces.
package data

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"jingge/geo"
)

// Sentinel errors. Backends wrap them with %w so callers can map them (the
// API turns them into HTTP statuses in one place).
var (
	ErrNotFound    = errors.New("data: not found")
	ErrInvalid     = errors.New("data: invalid input")
	ErrConflict    = errors.New("data: conflict")
	ErrUnavailable = errors.New("data: store unavailable")
	ErrReadOnly    = errors.New("data: store is read-only")
)

// Store is a system of record for a dataset.
type Store interface {
	// Snapshot returns the dataset in force now. The caller owns the result.
	Snapshot(ctx context.Context) (*geo.Dataset, error)
	// Watch returns a channel that receives a value after every committed
	// change to the dataset, from this process or any other sharing the
	// store. Bursts may be coalesced into one value. The channel is closed
	// when ctx ends.
	Watch(ctx context.Context) (<-chan struct{}, error)
	// Close releases the store's resources.
	Close() error
}

// ImportOptions control Importer.Import.
type ImportOptions struct {
	// Fix repairs invalid geometries where the store can (PostGIS: with
	// ST_MakeValid) instead of rejecting them; each repair is listed in
	// ImportReport.Fixed.
	Fix bool
	// DryRun checks the dataset and reports what the import would do, but
	// commits nothing and wakes no watcher.
	DryRun bool
	// Actor names who imports, for the grid audit ("" means "import").
	Actor string
}

// Problem names one bad feature of an imported dataset and what is wrong
// with it, in words a person can act on. It is geo.Problem: the stores,
// the imports and the index share one dataset check (geo.Check) and one
// problem type; problems found only by a store's geometry engine
// (overlaps, invalid rings) carry the store's reason and no Code.
type Problem = geo.Problem

// ImportReport says what an import did, or would do for a dry run.
type ImportReport struct {
	DryRun bool `json:"dry_run"`
	// Counts of the imported dataset.
	Stations  int `json:"stations"`
	Townships int `json:"townships"`
	Grids     int `json:"grids"`
	Members   int `json:"members"`
	Areas     int `json:"areas"`
	Places    int `json:"places"`
	// Checkpoints counts the dataset's checkpoints (查控点).
	Checkpoints int `json:"checkpoints"`
	// Grid versions: Created for new grid codes, Changed for grids whose
	// attributes or geometry differ from the version in force, Unchanged for
	// grids kept as they were, Retired for grids in force before but absent
	// from the dataset.
	Created   int `json:"created"`
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
	Retired   int `json:"retired"`
	// Fixed lists the repairs made because ImportOptions.Fix was set.
	Fixed []Problem `json:"fixed,omitempty"`
	// Warnings are worth a look but did not stop the import.
	Warnings []Problem `json:"warnings,omitempty"`
	// Problems stopped the import; the store is unchanged when it is not empty.
	Problems []Problem `json:"problems,omitempty"`
}

// ValidationError is returned by an import or an edit that was rejected
// for its content. It wraps ErrInvalid, and the store is unchanged.
type ValidationError struct {
	Problems []Problem
}

// maxProblemsInError caps the problems ValidationError.Error spells out;
// the full list stays in Problems.
const maxProblemsInError = 10

func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d problem(s) found", len(e.Problems))
	for i, p := range e.Problems {
		if i == maxProblemsInError {
			fmt.Fprintf(&b, "; and %d more", len(e.Problems)-i)
			break
		}
		b.WriteString("; ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Refusal implements Refuser: one parameter per problem, named by the
// feature's kind and id.
func (e *ValidationError) Refusal() *RequestError {
	params := make([]Param, len(e.Problems))
	for i, p := range e.Problems {
		params[i] = Param{Name: strings.TrimSpace(p.Kind + " " + p.ID), Reason: p.String()}
	}
	return &RequestError{Kind: ErrInvalid, Type: "invalid-dataset", Message: e.Error(), Params: params}
}

// Importer replaces a store's whole dataset at once.
type Importer interface {
	// Import makes ds the dataset in force, atomically: on any error the
	// store is exactly as it was. Grids whose content is unchanged keep
	// their version; changed grids get a new version, grids missing from ds
	// are retired, and every change is audited. Content problems are
	// returned as a *ValidationError (wrapping ErrInvalid) and also listed in
	// the report, which is filled in as far as the import got.
	Import(ctx context.Context, ds *geo.Dataset, opts ImportOptions) (ImportReport, error)
}

// GridEdit is a change to one grid in force.
type GridEdit struct {
	// Grid is the grid's new content; Grid.ID selects the grid. The level
	// cannot change.
	Grid geo.Grid
	// BaseVersion, when not 0, is the version the edit was made against:
	// the edit fails with ErrConflict if the grid has moved on since.
	BaseVersion int
	Actor       string // who edits, for the audit
	Reason      string // why, for the audit
	// Key, when set, makes the edit idempotent: the store keeps the
	// answer Answer builds from the version put in force in the same
	// commit (Answer runs inside it, so it cannot fail and must not
	// block), and an edit under a key kept already changes nothing and
	// fails with a *Replay of that answer (or a KeyConflict for another
	// request).
	Key    *AnswerKey
	Answer func(GridVersion) Answer
}

// GridVersion is one version of a grid and the time it was in force:
// from ValidFrom (inclusive) to ValidTo (exclusive; zero while in force).
type GridVersion struct {
	Grid      geo.Grid
	Version   int
	ValidFrom time.Time
	ValidTo   time.Time
}

// GridEditor changes single grids.
type GridEditor interface {
	// EditGrid puts a new version of one grid in force and returns it. An
	// unknown or retired grid gives ErrNotFound, a stale BaseVersion
	// ErrConflict, bad content a *ValidationError.
	EditGrid(ctx context.Context, e GridEdit) (GridVersion, error)
}

// History answers questions about the past.
type History interface {
	// SnapshotAt returns the dataset with the grids in force at t, the
	// stations they name, and today's county, townships and members (member
	// grid lists keep only grids present at t). Before the first import it
	// has no grids.
	SnapshotAt(ctx context.Context, t time.Time) (*geo.Dataset, error)
	// GridHistory returns every version of a grid, oldest first; ErrNotFound
	// for a code that never existed.
	GridHistory(ctx context.Context, id string) ([]GridVersion, error)
}
