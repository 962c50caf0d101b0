package data

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"math"
	"slices"
	"strings"
	"time"

	"jingge/geo"
)

// Plan is a saved proposal of the planner: which station each police grid
// should belong to and how many officers each station should have, with
// the planner's own account of it (measures, moves) kept as a document the
// store does not interpret.
type Plan struct {
	// ID is assigned by the store when the plan is saved: "1", "2", ... in
	// the order plans were saved.
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	Note      string    `json:"note,omitempty"`
	// Dataset is the Fingerprint of the dataset the plan was made against;
	// a plan can be applied only while the dataset in force has it.
	Dataset string `json:"dataset"`
	// Grids maps every police grid to its station under the plan;
	// Officers every station to its number of officers.
	Grids    map[string]string `json:"grids"`
	Officers map[string]int    `json:"officers"`
	// Summary is a small JSON object for plan lists; Document the whole
	// account of the plan. Both are stored and returned byte for byte.
	// Plans leaves Document nil.
	Summary  json.RawMessage `json:"summary,omitempty"`
	Document json.RawMessage `json:"document,omitempty"`
	// AppliedAt is zero until the plan is applied; AppliedBy says who did.
	AppliedAt time.Time `json:"applied_at"`
	AppliedBy string    `json:"applied_by,omitempty"`
}

// Applied reports whether the plan has been applied.
func (p Plan) Applied() bool { return !p.AppliedAt.IsZero() }

// GridReassignment puts one grid in force under another station.
type GridReassignment struct {
	GridID    string `json:"grid"`
	StationID string `json:"station"`
}

// MemberReassignment gives one member a new station and grid list.
type MemberReassignment struct {
	MemberID  string   `json:"member"`
	StationID string   `json:"station"`
	GridIDs   []string `json:"grids"`
}

// PlanApplication is everything applying a plan changes, worked out against
// the dataset whose Fingerprint is Dataset.
type PlanApplication struct {
	PlanID string
	// Dataset must be the Fingerprint of the dataset in force when the
	// store applies the changes, else nothing changes and the store
	// returns ErrConflict: the changes were worked out on an older dataset.
	Dataset string
	// Grids lists every grid, police and community, whose station changes.
	Grids []GridReassignment
	// Members lists every member whose station or grids change.
	Members []MemberReassignment
	Actor   string // who applies, for the audit
	Reason  string // why, for the audit; "" means "plan <id>"
	// Key, when set, makes the apply idempotent as GridEdit.Key does: the
	// answer Answer builds from what was applied is kept in its commit.
	Key    *AnswerKey
	Answer func(PlanApplied) Answer
}

// PlanApplied says what applying a plan did.
type PlanApplied struct {
	Plan Plan `json:"plan"`
	// GridVersions are the new versions put in force, in the order of
	// PlanApplication.Grids.
	GridVersions []GridVersion `json:"-"`
	Members      int           `json:"members"`
	// Dataset is the Fingerprint of the dataset in force after the change.
	Dataset string `json:"dataset"`
}

// PlanStore keeps the planner's plans and applies them.
type PlanStore interface {
	// SavePlan stores p (its ID, CreatedAt and applied fields are set by
	// the store) and returns it as stored.
	SavePlan(ctx context.Context, p Plan) (Plan, error)
	// Plan returns one plan with its document; ErrNotFound for an unknown id.
	Plan(ctx context.Context, id string) (Plan, error)
	// Plans returns at most limit plans (all when limit <= 0), newest
	// first, without their documents.
	Plans(ctx context.Context, limit int) ([]Plan, error)
	// ApplyPlan makes the changes of a atomically: every grid of a.Grids
	// gets a new version under its new station (the old one is kept in the
	// history and the change audited), every member of a.Members gets its
	// new station and grids, and the plan is marked applied; watchers are
	// woken once. On any error nothing has changed: ErrNotFound for an
	// unknown plan, member or grid, ErrConflict when the plan is already
	// applied or the dataset in force no longer has a.Dataset's
	// fingerprint, a *ValidationError (ErrInvalid) when the result would
	// not be a valid dataset (a community grid under another station than
	// its police grid, an unknown station).
	ApplyPlan(ctx context.Context, a PlanApplication) (PlanApplied, error)
}

// Ratio is an entered rate with its denominator: 45 satisfied of 50 asked.
// A zero denominator means "not measured".
type Ratio struct {
	Numerator   float64 `json:"numerator"`
	Denominator float64 `json:"denominator"`
}

// AssessmentEntry is what one station reports for one month of the
// monthly assessment (考评): the four entered rates with their
// denominators.
type AssessmentEntry struct {
	StationID string `json:"station"`
	// Month is "2026-03".
	Month        string `json:"month"`
	Familiarity  Ratio  `json:"familiarity"`
	RiskWarning  Ratio  `json:"risk_warning"`
	ControlTasks Ratio  `json:"control_tasks"`
	Satisfaction Ratio  `json:"satisfaction"`
	// ScoredBy is the station that scored this one (cross-assessment,
	// 每月交叉考核): never StationID itself. Empty on entries saved before
	// it was recorded; a month is final only when every station's entry
	// names another station here.
	ScoredBy string `json:"scored_by,omitempty"`
	// UpdatedAt and UpdatedBy are set by the store.
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by,omitempty"`
}

// AssessmentStore keeps the entered metrics of the monthly assessment.
type AssessmentStore interface {
	// PutAssessment saves entries, each replacing the whole entry of its
	// station and month, all or none: a *ValidationError (wrapping
	// ErrInvalid) lists every bad entry (CheckAssessmentEntry) or unknown
	// station, and then nothing is saved.
	// A write with a Key is idempotent as GridEdit.Key says.
	PutAssessment(ctx context.Context, w AssessmentWrite) error
	// Assessment returns the entries of the months from..to (inclusive,
	// "2026-01"; an empty bound is open), ordered by month, then station.
	Assessment(ctx context.Context, from, to string) ([]AssessmentEntry, error)
}

// AssessmentWrite is entered metrics to save (AssessmentStore).
type AssessmentWrite struct {
	Entries []AssessmentEntry
	Actor   string // who entered them, for the record
	// Key, when set, makes the write idempotent as GridEdit.Key does; the
	// answer Answer builds is kept in the write's commit.
	Key    *AnswerKey
	Answer func() Answer
}

// CheckAssessmentEntries returns a problem (kind "assessment", id
// "station/month") for every entry CheckAssessmentEntry rejects and every
// station and month entered twice. Stores call it before anything else.
func CheckAssessmentEntries(entries []AssessmentEntry) []Problem {
	var out []Problem
	seen := make(map[[2]string]bool, len(entries))
	for _, e := range entries {
		id := e.StationID + "/" + e.Month
		for _, why := range CheckAssessmentEntry(e) {
			out = append(out, Problem{Kind: "assessment", ID: id, Reason: why})
		}
		k := [2]string{e.StationID, e.Month}
		if seen[k] {
			out = append(out, Problem{Kind: "assessment", ID: id, Reason: "entered twice; give each station and month once"})
		}
		seen[k] = true
	}
	return out
}

// The codes of AssessmentIssue: stable names of the rules an entry can
// break, for programs (a page translates them).
const (
	IssueEmptyStation              = "empty_station"
	IssueBadStationText            = "bad_station_text"
	IssueBadMonth                  = "bad_month"
	IssueNegativeCount             = "negative_count"
	IssueNumeratorAboveDenominator = "numerator_above_denominator"
	IssueScoredBySelf              = "scored_by_self"
	IssueBadScoredByText           = "bad_scored_by_text"
	IssueUnknownScorer             = "unknown_scorer"
)

// AssessmentIssue is one rule an assessment entry breaks: the member at
// fault ("station", "month", "familiarity", ...), the rule's Code and the
// Reason in words that name the member, so it reads alone.
type AssessmentIssue struct {
	Field  string
	Code   string
	Reason string
}

// CheckAssessmentEntry returns what is wrong with e, in words, or nil: a
// month not written as YYYY-MM, an empty station, a count that is negative,
// not finite, or a numerator above its denominator. It is
// AssessmentIssues' reasons.
func CheckAssessmentEntry(e AssessmentEntry) []string {
	var out []string
	for _, is := range AssessmentIssues(e) {
		out = append(out, is.Reason)
	}
	return out
}

// AssessmentIssues returns every rule e breaks, with the member at fault
// and a code, in the order of CheckAssessmentEntry; nil when e is good.
func AssessmentIssues(e AssessmentEntry) []AssessmentIssue {
	var out []AssessmentIssue
	if e.StationID == "" {
		out = append(out, AssessmentIssue{"station", IssueEmptyStation, "the station is empty"})
	}
	if why := TextReason(e.StationID); why != "" {
		out = append(out, AssessmentIssue{"station", IssueBadStationText, "the station " + why})
	}
	if why := TextReason(e.ScoredBy); why != "" {
		out = append(out, AssessmentIssue{"scored_by", IssueBadScoredByText, "the scoring station " + why})
	} else if e.ScoredBy != "" && e.ScoredBy == e.StationID {
		out = append(out, AssessmentIssue{"scored_by", IssueScoredBySelf, fmt.Sprintf("station %q scores itself; the cross-assessment has each station scored by another, so name the station that scored it", e.StationID)})
	}
	if !ValidMonth(e.Month) {
		out = append(out, AssessmentIssue{"month", IssueBadMonth, fmt.Sprintf("month %q: write it as YYYY-MM, e.g. 2026-03", e.Month)})
	}
	for _, r := range []struct {
		name string
		r    Ratio
	}{{"familiarity", e.Familiarity}, {"risk_warning", e.RiskWarning}, {"control_tasks", e.ControlTasks}, {"satisfaction", e.Satisfaction}} {
		n, d := r.r.Numerator, r.r.Denominator
		switch {
		case !finite(n) || !finite(d) || n < 0 || d < 0:
			out = append(out, AssessmentIssue{r.name, IssueNegativeCount, fmt.Sprintf("%s %v/%v: counts must be 0 or more", r.name, n, d)})
		case n > d:
			out = append(out, AssessmentIssue{r.name, IssueNumeratorAboveDenominator, fmt.Sprintf("%s %v/%v: the numerator is above the denominator", r.name, n, d)})
		}
	}
	return out
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// ValidMonth reports whether s is a month written as YYYY-MM (year 1–9999).
func ValidMonth(s string) bool {
	t, err := time.Parse("2006-01", s)
	return err == nil && t.Year() > 0 && t.Format("2006-01") == s
}

// Fingerprint identifies the content of ds that a plan depends on: every
// station (id, terrain, location), grid (id, level, station, parent,
// population, geometry, terrain) and member (id, role, station, grids).
// Names, townships, the county and the description do not count, and
// neither does the order of anything. Two datasets with the same
// fingerprint measure the same under any plan; the stores compare it to
// refuse a plan made against an older dataset. Grid terrains are hashed
// after everything else and only when some grid has one, so a dataset
// without them keeps the fingerprint it had before grids had terrains (and
// plans saved then can still be applied).
func Fingerprint(ds *geo.Dataset) string {
	h := sha256.New()
	str := func(s string) {
		writeUint(h, uint64(len(s)))
		h.Write([]byte(s))
	}
	num := func(f float64) { writeUint(h, math.Float64bits(f)) }

	stations := slices.Clone(ds.Stations)
	slices.SortFunc(stations, func(a, b geo.Station) int { return strings.Compare(a.ID, b.ID) })
	writeUint(h, uint64(len(stations)))
	for _, s := range stations {
		str(s.ID)
		str(string(s.Region))
		num(s.Location[0])
		num(s.Location[1])
	}
	order := make([]int, len(ds.Grids))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(ds.Grids[a].ID, ds.Grids[b].ID) })
	writeUint(h, uint64(len(order)))
	for _, i := range order {
		g := &ds.Grids[i]
		str(g.ID)
		str(string(g.Level))
		str(g.StationID)
		str(g.ParentID)
		writeUint(h, uint64(g.Population))
		writeUint(h, uint64(len(g.Geometry)))
		for _, poly := range g.Geometry {
			writeUint(h, uint64(len(poly)))
			for _, ring := range poly {
				writeUint(h, uint64(len(ring)))
				for _, p := range ring {
					num(p[0])
					num(p[1])
				}
			}
		}
	}
	members := make([]int, len(ds.Members))
	for i := range members {
		members[i] = i
	}
	slices.SortFunc(members, func(a, b int) int { return strings.Compare(ds.Members[a].ID, ds.Members[b].ID) })
	writeUint(h, uint64(len(members)))
	for _, i := range members {
		m := &ds.Members[i]
		str(m.ID)
		str(string(m.Role))
		str(m.StationID)
		writeUint(h, uint64(len(m.GridIDs)))
		for _, g := range m.GridIDs {
			str(g)
		}
	}
	withTerrain := 0
	for _, i := range order {
		if ds.Grids[i].Terrain != "" {
			withTerrain++
		}
	}
	if withTerrain > 0 {
		writeUint(h, uint64(withTerrain))
		for _, i := range order {
			if g := &ds.Grids[i]; g.Terrain != "" {
				str(g.ID)
				str(string(g.Terrain))
			}
		}
	}
	// Further roles likewise: a dataset without them keeps its print.
	withRoles := 0
	for _, i := range members {
		if len(ds.Members[i].Roles) > 0 {
			withRoles++
		}
	}
	if withRoles > 0 {
		str("roles")
		writeUint(h, uint64(withRoles))
		for _, i := range members {
			if m := &ds.Members[i]; len(m.Roles) > 0 {
				str(m.ID)
				writeUint(h, uint64(len(m.Roles)))
				for _, r := range m.Roles {
					str(string(r))
				}
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func writeUint(h hash.Hash, v uint64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	h.Write(b[:])
}

// ApplyToDataset makes a's grid and member changes in ds, in place, and
// returns a problem for every grid or member a names that ds lacks. It
// checks nothing else: build an index of the result to know it is valid.
// Stores use it so that every store turns an application into the same
// dataset.
//
// A grid that changes station keeps the terrain of its place: one without
// a terrain of its own is given the terrain it had before the change (its
// police grid's own, else its old station's region; see
// geo.Index.GridTerrain), so the plan measures after applying as it did
// when proposed.
func ApplyToDataset(ds *geo.Dataset, a PlanApplication) []Problem {
	var problems []Problem
	grid := make(map[string]int, len(ds.Grids))
	for i := range ds.Grids {
		grid[ds.Grids[i].ID] = i
	}
	region := make(map[string]geo.Terrain, len(ds.Stations))
	for _, s := range ds.Stations {
		region[s.ID] = s.Region
	}
	// Every terrain is taken before any station changes.
	terrain := make([]geo.Terrain, len(a.Grids))
	for k, c := range a.Grids {
		i, ok := grid[c.GridID]
		if !ok {
			continue
		}
		g := &ds.Grids[i]
		terrain[k] = g.Terrain
		if p, ok := grid[g.ParentID]; ok && terrain[k] == "" && g.ParentID != "" {
			terrain[k] = ds.Grids[p].Terrain
		}
		if terrain[k] == "" {
			terrain[k] = region[g.StationID]
		}
	}
	for k, c := range a.Grids {
		i, ok := grid[c.GridID]
		if !ok {
			problems = append(problems, Problem{Kind: "grid", ID: c.GridID, Reason: "no grid with this code is in force"})
			continue
		}
		if ds.Grids[i].StationID != c.StationID {
			ds.Grids[i].Terrain = terrain[k]
		}
		ds.Grids[i].StationID = c.StationID
	}
	member := make(map[string]int, len(ds.Members))
	for i := range ds.Members {
		member[ds.Members[i].ID] = i
	}
	for _, c := range a.Members {
		i, ok := member[c.MemberID]
		if !ok {
			problems = append(problems, Problem{Kind: "member", ID: c.MemberID, Reason: "no member with this id"})
			continue
		}
		ds.Members[i].StationID = c.StationID
		ds.Members[i].GridIDs = slices.Clone(c.GridIDs)
	}
	return problems
}
