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

// DisputeWrite is one dispute to record.
type DisputeWrite struct {
	// Dispute is attributed (grids and station set) and valid
	// (CheckDispute); its ID is assigned by the store.
	Dispute geo.DisputeCase
	// Key, Scope and Digest make the write idempotent as for visits
	// (VisitWrite); nil Digest means DisputeDigest(&Dispute).
	Key    string
	Scope  string
	Digest []byte
}

// KeyDigest returns the fingerprint a store keeps with w's key.
func (w *DisputeWrite) KeyDigest() []byte {
	if w.Digest != nil {
		return w.Digest
	}
	return DisputeDigest(&w.Dispute)
}

// DisputeResult is what AddDispute committed.
type DisputeResult struct {
	Dispute  geo.DisputeCase // as stored, with its id
	Replayed bool
}

// DisputeFilter selects disputes. Zero fields select everything; the
// fields that are set must all hold.
type DisputeFilter struct {
	// From and To bound the time it was reported: From <= reported < To.
	From, To time.Time
	// SettledFrom and SettledTo bound the time it was settled; either
	// set selects settled disputes only.
	SettledFrom, SettledTo time.Time
	// GridID holds when the dispute's community or police grid is it.
	GridID    string
	StationID string
	// Open selects the open disputes when true, the settled ones when
	// false; nil selects both.
	Open *bool
}

// Match reports whether d passes f. Stores without a query engine use
// it; those with one must agree with it.
func (f *DisputeFilter) Match(d *geo.DisputeCase) bool {
	settledBound := !f.SettledFrom.IsZero() || !f.SettledTo.IsZero()
	switch {
	case !f.From.IsZero() && d.ReportedAt.Before(f.From),
		!f.To.IsZero() && !d.ReportedAt.Before(f.To),
		settledBound && !d.Level.Settled(),
		!f.SettledFrom.IsZero() && d.SettledAt.Before(f.SettledFrom),
		!f.SettledTo.IsZero() && !d.SettledAt.Before(f.SettledTo),
		f.GridID != "" && d.CommunityGridID != f.GridID && d.PoliceGridID != f.GridID,
		f.StationID != "" && d.StationID != f.StationID,
		f.Open != nil && *f.Open == d.Level.Settled():
		return false
	}
	return true
}

// DisputePage is one page of disputes, newest reported first.
type DisputePage struct {
	Disputes []geo.DisputeCase
	// Next is the cursor of the following page; "" on the last page.
	Next string
}

// DisputePatch is a change to a dispute's settlement (ApplyDisputePatch).
// Nil fields stay as they are.
type DisputePatch struct {
	Level          *geo.DisputeLevel
	Method         *geo.SettleMethod
	MediationBrand *string
	// SettledAt is when it was settled at the new level; zero means At.
	SettledAt time.Time
	// At and By are when and by whom the change is made.
	At time.Time
	By string
	// Key, when set, makes the change idempotent as GridEdit.Key does:
	// the store keeps the answer Answer builds from the dispute as stored
	// in the same commit, and a change under a key kept already changes
	// nothing and fails with a *Replay of that answer (or a KeyConflict
	// for another request), even when the dispute has changed since.
	Key    *AnswerKey
	Answer func(geo.DisputeCase) Answer
}

// DisputeStore keeps disputes (矛盾纠纷). Ids are assigned by the store:
// decimal strings of positive integers, never reused. A write returns
// only after it is durable.
type DisputeStore interface {
	// AddDispute stores one dispute and returns it with its id. Content
	// problems (CheckDispute) come back as a *RequestError of kind
	// ErrInvalid.
	AddDispute(ctx context.Context, w DisputeWrite) (DisputeResult, error)
	// UpdateDispute applies p to the dispute with id (ApplyDisputePatch)
	// and returns it as stored: ErrNotFound for an unknown id, the
	// errors of ApplyDisputePatch for a refused change. A patch with a
	// Key is idempotent as DisputePatch.Key says: its key is looked up
	// before the dispute is.
	UpdateDispute(ctx context.Context, id string, p DisputePatch) (geo.DisputeCase, error)
	// QueryDisputes returns the disputes that pass f, newest reported
	// first (by reported time, then id), paged by a Cursor of the
	// reported time and id.
	QueryDisputes(ctx context.Context, f DisputeFilter, p Page) (DisputePage, error)
	// Dispute returns the dispute with id; ErrNotFound when there is none.
	Dispute(ctx context.Context, id string) (geo.DisputeCase, error)
}

// Limits of a dispute's texts, in characters.
const (
	MaxDisputeParties = 500
	MaxDisputeSummary = 2000
	MaxDisputeBrand   = 64
)

// CheckDispute returns a *RequestError of kind ErrInvalid naming the
// first problem of d, or nil: a report time, a known kind, a known level
// with a method and a settled time not before the report when settled
// (none while open), texts within their limits, a finite location and an
// attribution to a grid.
func CheckDispute(d *geo.DisputeCase) error {
	switch {
	case d.ReportedAt.IsZero():
		return userError(ErrInvalid, "a dispute needs the time it was reported")
	case !d.Kind.Valid():
		_, err := geo.ParseDisputeKind(string(d.Kind))
		return userError(ErrInvalid, "%s", strings.TrimPrefix(err.Error(), "geo: "))
	case !d.Level.Valid():
		_, err := geo.ParseDisputeLevel(string(d.Level))
		return userError(ErrInvalid, "%s", strings.TrimPrefix(err.Error(), "geo: "))
	case math.IsNaN(d.Location[0]) || math.IsNaN(d.Location[1]) || math.IsInf(d.Location[0], 0) || math.IsInf(d.Location[1], 0):
		return userError(ErrInvalid, "a dispute's location must be finite coordinates")
	case d.PoliceGridID == "" && d.CommunityGridID == "":
		return userError(ErrInvalid, "the dispute is not attributed to any grid")
	}
	if err := checkSettlement(d); err != nil {
		return err
	}
	return checkTexts("dispute", textLimit{"parties", d.Parties, MaxDisputeParties}, textLimit{"summary", d.Summary, MaxDisputeSummary},
		textLimit{"mediation_brand", d.MediationBrand, MaxDisputeBrand})
}

// checkSettlement checks that d's settlement fields agree with its level.
func checkSettlement(d *geo.DisputeCase) error {
	if !d.Level.Settled() {
		if d.Method != "" || d.MediationBrand != "" || !d.SettledAt.IsZero() {
			return userError(ErrInvalid, "an open dispute has no method, mediation_brand or settled_at; give the level it was settled at (group, village, township or county) with them")
		}
		return nil
	}
	switch {
	case !d.Method.Valid():
		if d.Method == "" {
			return userError(ErrInvalid, "a dispute settled at %s level needs the method: mediation_brand, people_mediation, judicial_office or referral", d.Level)
		}
		_, err := geo.ParseSettleMethod(string(d.Method))
		return userError(ErrInvalid, "%s", strings.TrimPrefix(err.Error(), "geo: "))
	case d.Method == geo.MediationBrand && strings.TrimSpace(d.MediationBrand) == "":
		return userError(ErrInvalid, "a dispute settled by a mediation brand needs its name in mediation_brand, e.g. 朱先生说事 or 枫桥+乡约")
	case d.Method != geo.MediationBrand && d.MediationBrand != "":
		return userError(ErrInvalid, "mediation_brand names the brand of method mediation_brand; the method is %s", d.Method)
	case d.SettledAt.IsZero():
		return userError(ErrInvalid, "a settled dispute needs the time it was settled")
	case d.SettledAt.Before(d.ReportedAt):
		return userError(ErrInvalid, "the dispute was settled at %s, before it was reported at %s", d.SettledAt.UTC().Format(time.RFC3339), d.ReportedAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// ApplyDisputePatch returns cur changed by p, checked (CheckDispute). The
// level only moves forward (open, group, village, township, county): a
// patch moving it back or reopening the dispute is refused with a
// *RequestError of kind ErrConflict; a settled dispute keeps its method
// unless the level moves up or the method is given again. Every change
// sets UpdatedAt and UpdatedBy.
func ApplyDisputePatch(cur geo.DisputeCase, p DisputePatch) (geo.DisputeCase, error) {
	next := cur
	if p.Level != nil && *p.Level != cur.Level {
		l := *p.Level
		if !l.Valid() {
			_, err := geo.ParseDisputeLevel(string(l))
			return cur, userError(ErrInvalid, "%s", strings.TrimPrefix(err.Error(), "geo: "))
		}
		if l.Rank() < cur.Level.Rank() {
			if l == geo.DisputeOpen {
				return cur, userError(ErrConflict, "dispute %s was settled at %s level; a settled dispute is not reopened (its level only moves up: record a new dispute if it broke out again)", cur.ID, cur.Level)
			}
			return cur, userError(ErrConflict, "dispute %s was settled at %s level; its level only moves up (%s), not back to %s", cur.ID, cur.Level, higherLevels(cur.Level), l)
		}
		next.Level = l
		next.SettledAt = p.SettledAt
		if next.SettledAt.IsZero() {
			next.SettledAt = p.At
		}
		if p.Method == nil { // a new level is settled anew
			next.Method, next.MediationBrand = "", ""
		}
	} else if !p.SettledAt.IsZero() && !p.SettledAt.Equal(cur.SettledAt) {
		return cur, userError(ErrInvalid, "settled_at changes only with the level; give the level it was settled at with it")
	}
	if p.Method != nil {
		if !next.Level.Settled() {
			return cur, userError(ErrInvalid, "dispute %s is open: give the level it was settled at (group, village, township or county) with the method", cur.ID)
		}
		next.Method = *p.Method
		if p.MediationBrand == nil {
			next.MediationBrand = ""
		}
	}
	if p.MediationBrand != nil {
		next.MediationBrand = strings.TrimSpace(*p.MediationBrand)
	}
	next.UpdatedAt, next.UpdatedBy = p.At, p.By
	if err := CheckDispute(&next); err != nil {
		return cur, err
	}
	return next, nil
}

// higherLevels lists the levels above l, for messages.
func higherLevels(l geo.DisputeLevel) string {
	var up []string
	for _, k := range geo.DisputeLevels[l.Rank()+1:] {
		up = append(up, string(k))
	}
	if len(up) == 0 {
		return "it is at the highest level already"
	}
	return "to " + strings.Join(up, " or ")
}

// DisputeDigest fingerprints what a dispute says (not its attribution, id
// or recording time), so one sent again under its key can be told from
// another.
func DisputeDigest(d *geo.DisputeCase) []byte {
	h := sha256.New()
	fmt.Fprintf(h, "%d|%x|%x|%q|%q|%q|%q|%q|%q|%d", d.ReportedAt.UnixMicro(), math.Float64bits(d.Location[0]), math.Float64bits(d.Location[1]),
		d.Kind, d.Parties, d.Summary, d.Level, d.Method, d.MediationBrand, d.SettledAt.UnixMicro())
	return h.Sum(nil)
}
