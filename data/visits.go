package data

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math"
	"strings"
	"time"

	"jingge/geo"
)

// VisitWrite is one visit to record.
type VisitWrite struct {
	// Visit is attributed (grids and station set) and valid (CheckVisit);
	// its ID is assigned by the store.
	Visit geo.Visit
	// Key, when not empty, makes the write idempotent as for incidents
	// (IncidentBatch.Key): the same key again with the same visit answers
	// the first one with Replayed set, with another visit ErrConflict.
	Key string
	// Scope is whose key Key is (see ScopeCommandLine).
	Scope string
	// Digest, when set, fingerprints the request as the client sent it
	// (a visit whose time the server filled in is the same request when
	// sent again later); nil means VisitDigest(&Visit).
	Digest []byte
}

// KeyDigest returns the fingerprint a store keeps with w's key: Digest,
// or else VisitDigest of the visit.
func (w *VisitWrite) KeyDigest() []byte {
	if w.Digest != nil {
		return w.Digest
	}
	return VisitDigest(&w.Visit)
}

// VisitResult is what AddVisit committed.
type VisitResult struct {
	Visit    geo.Visit // as stored, with its id
	Replayed bool
}

// VisitFilter selects visits. Zero fields select everything; the fields
// that are set must all hold.
type VisitFilter struct {
	// From and To bound the visit's time: From <= at < To.
	From, To time.Time
	// GridID holds when the visit's community grid or police grid is it.
	GridID string
	// StationID and OfficerID hold when the visit's are them.
	StationID string
	OfficerID string
}

// Match reports whether v passes f. Stores without a query engine use it;
// those with one must agree with it.
func (f *VisitFilter) Match(v *geo.Visit) bool {
	switch {
	case !f.From.IsZero() && v.At.Before(f.From),
		!f.To.IsZero() && !v.At.Before(f.To),
		f.GridID != "" && v.CommunityGridID != f.GridID && v.PoliceGridID != f.GridID,
		f.StationID != "" && v.StationID != f.StationID,
		f.OfficerID != "" && v.OfficerID != f.OfficerID:
		return false
	}
	return true
}

// VisitPage is one page of visits, newest first.
type VisitPage struct {
	Visits []geo.Visit
	// Next is the cursor of the following page; "" on the last page.
	Next string
}

// VisitStore keeps visits and contacts (走访/上门服务). Visit ids are
// assigned by the store: decimal strings of positive integers, never
// reused. A write returns only after it is durable.
type VisitStore interface {
	// AddVisit stores one visit and returns it with its id. Content
	// problems (CheckVisit) come back as a *RequestError of kind
	// ErrInvalid.
	AddVisit(ctx context.Context, w VisitWrite) (VisitResult, error)
	// QueryVisits returns the visits that pass f, newest first (by time,
	// then id), one page at a time, paged by key like QueryIncidents (the
	// cursor is a Cursor of the visit's time and id).
	QueryVisits(ctx context.Context, f VisitFilter, p Page) (VisitPage, error)
}

// Limits of a visit's texts, in characters.
const (
	MaxVisitWhom     = 200
	MaxVisitOutcome  = 2000
	MaxVisitKeyPlace = 64
	MaxVisitOfficer  = 64
)

// CheckVisit returns a *RequestError of kind ErrInvalid naming the first
// problem of v, or nil: an officer, a time, a known kind, texts within
// their limits that every store can keep, a finite location, and an
// attribution to a grid.
func CheckVisit(v *geo.Visit) error {
	switch {
	case v.OfficerID == "":
		return userError(ErrInvalid, "a visit needs the officer who made it")
	case v.At.IsZero():
		return userError(ErrInvalid, "a visit needs the time it was made")
	case !v.Kind.Valid():
		_, err := geo.ParseVisitKind(string(v.Kind))
		return userError(ErrInvalid, "%s", strings.TrimPrefix(err.Error(), "geo: "))
	case math.IsNaN(v.Location[0]) || math.IsNaN(v.Location[1]) || math.IsInf(v.Location[0], 0) || math.IsInf(v.Location[1], 0):
		return userError(ErrInvalid, "a visit's location must be finite coordinates")
	case v.PoliceGridID == "" && v.CommunityGridID == "":
		return userError(ErrInvalid, "the visit is not attributed to any grid")
	}
	return checkTexts("visit", textLimit{"officer", v.OfficerID, MaxVisitOfficer}, textLimit{"whom", v.Whom, MaxVisitWhom},
		textLimit{"key_place", v.KeyPlaceID, MaxVisitKeyPlace}, textLimit{"outcome", v.Outcome, MaxVisitOutcome})
}

// VisitDigest fingerprints what a visit says (not its attribution, id or
// recording time), so one sent again under its key can be told from
// another.
func VisitDigest(v *geo.Visit) []byte {
	h := sha256.New()
	fmt.Fprintf(h, "%q|%d|%x|%x|%q|%q|%q|%q", v.OfficerID, v.At.UnixMicro(), math.Float64bits(v.Location[0]), math.Float64bits(v.Location[1]),
		v.Kind, v.Whom, v.KeyPlaceID, v.Outcome)
	return h.Sum(nil)
}
