package data

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"jingge/geo"
)

// IncidentStore keeps incidents (警情). Incident ids are assigned by the
// store: decimal strings of positive integers, never reused.
type IncidentStore interface {
	// AddIncidents commits a batch atomically: every incident or none. It
	// returns the new ids in input order; an error means nothing was stored.
	// Each incident must already be attributed (see Attributor) to grids in
	// force at its occurrence time; if the grids changed since, the batch
	// fails with ErrConflict and can be attributed and sent again. Content
	// problems come back as an *IncidentError (wrapping ErrInvalid).
	AddIncidents(ctx context.Context, b IncidentBatch) (AddResult, error)
	// Incident returns one incident; ErrNotFound for an unknown id.
	Incident(ctx context.Context, id string) (geo.Incident, error)
	// UpdateIncident applies p and returns the incident as stored. A status
	// may only move forward (see geo.IncidentStatus.CanMoveTo); moving back,
	// or clearing a case that is not criminal, fails with ErrConflict.
	// Setting the status the incident already has changes nothing, so a
	// retried request succeeds.
	UpdateIncident(ctx context.Context, id string, p IncidentPatch) (geo.Incident, error)
	// QueryIncidents returns the incidents that pass f, newest first (by
	// occurrence time, then id), one page at a time. Paging is by key, so a
	// page never repeats or skips an incident because others were added
	// after the first page was read.
	QueryIncidents(ctx context.Context, f IncidentFilter, p Page) (IncidentPage, error)
	// AggregateIncidents counts the incidents that pass a.Filter per group
	// and time bucket, by category.
	AggregateIncidents(ctx context.Context, a Aggregation) ([]AggregateRow, error)
}

// IncidentWatcher is an IncidentStore shared by several processes (the
// replicas behind a load balancer) that tells each of the incidents the
// others add, so caches drawn from incidents (the incident tiles) follow
// at once.
type IncidentWatcher interface {
	// WatchIncidents returns a channel that receives a value after another
	// process sharing the store commits new incidents, and whenever some
	// may have been missed (a lost connection). Bursts may be coalesced.
	// The channel closes when ctx ends or the store closes.
	WatchIncidents(ctx context.Context) (<-chan struct{}, error)
}

// GridTimeline is the part of a store's grid history that attribution
// needs.
type GridTimeline interface {
	History
	// GridEpochs returns, oldest first and without repeats, every moment
	// at which a grid version came into force or ended. The set of grids in
	// force is constant from one moment to the next, so SnapshotAt(moment)
	// describes the whole epoch that moment begins. Before the first
	// moment no grids were in force.
	GridEpochs(ctx context.Context) ([]time.Time, error)
}

// ErrStaleAttribution is the conflict of a batch attributed on a map the
// grids have since left: attributing it again and retrying succeeds. It
// wraps ErrConflict.
var ErrStaleAttribution = fmt.Errorf("%w: the grids changed after the incidents were attributed", ErrConflict)

// MessageError is an error whose message is meant for the person who
// made the request: it names what is wrong in their terms and holds no
// storage detail. Kind is the sentinel it wraps (ErrInvalid, ErrConflict,
// ErrNotFound). The API sends Message as it is.
type MessageError struct {
	Kind    error
	Message string
}

func (e *MessageError) Error() string { return "data: " + e.Message }

// Unwrap makes errors.Is(err, e.Kind) hold.
func (e *MessageError) Unwrap() error { return e.Kind }

func userError(kind error, format string, args ...any) error {
	return &MessageError{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// IncidentBatch is a batch of new incidents.
type IncidentBatch struct {
	Incidents []geo.Incident
	// Key, when not empty, makes the write idempotent: a batch sent again
	// with the key of one already committed (because the caller never
	// heard back: a timeout, a 503 after the commit) is not stored again;
	// AddIncidents returns the first call's ids with Replayed set. The same
	// key with other incidents is ErrConflict (see KeyConflict). At most
	// MaxBatchKeyBytes.
	Key string
	// Scope is whose key Key is (see ScopeCommandLine): keys of two scopes
	// never meet.
	Scope string
	// GridsAsOf is the start of the newest grid epoch the attribution knew
	// of (Attributor.Attribute sets it). When the store knows of a newer
	// epoch that began before some incident of the batch occurred, that
	// incident may have been placed on an outdated map: ErrConflict. Zero
	// skips this check.
	GridsAsOf time.Time
}

// CheckGridsAsOf returns ErrConflict when epochs (the store's, as from
// GridEpochs) hold an epoch newer than asOf that began at or before the
// occurrence of an incident of batch.
func CheckGridsAsOf(epochs []time.Time, asOf time.Time, batch []geo.Incident) error {
	if asOf.IsZero() || len(epochs) == 0 || !epochs[len(epochs)-1].After(asOf) {
		return nil
	}
	latest := batch[0].OccurredAt
	for i := range batch {
		if batch[i].OccurredAt.After(latest) {
			latest = batch[i].OccurredAt
		}
	}
	for _, e := range epochs {
		if e.After(asOf) && !e.After(latest) {
			return userError(ErrStaleAttribution, "the grids changed at %s, after the batch was attributed; attribute it again and retry", e.Format(time.RFC3339Nano))
		}
	}
	return nil
}

// MaxBatchKeyBytes bounds IncidentBatch.Key.
const MaxBatchKeyBytes = 200

// AddResult is what AddIncidents committed.
type AddResult struct {
	IDs []string // in the batch's order
	// Replayed reports that the batch's key was committed before and
	// nothing new was stored.
	Replayed bool
}

// CheckBatchKey reports a key that is too long or not printable ASCII.
func CheckBatchKey(key string) error {
	if len(key) > MaxBatchKeyBytes {
		return userError(ErrInvalid, "the idempotency key is %d bytes long; at most %d", len(key), MaxBatchKeyBytes)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return userError(ErrInvalid, "the idempotency key must be printable ASCII without spaces")
		}
	}
	return nil
}

// BatchDigest fingerprints what a batch says (times, categories, places,
// text), not how it was attributed or which ids it got, so a batch sent
// again under its key can be told from a different one.
func BatchDigest(batch []geo.Incident) []byte {
	h := sha256.New()
	for i := range batch {
		x := &batch[i]
		fmt.Fprintf(h, "%d|%d|%s|%d|%s|%t|%x|%x|%q|%q\n", x.OccurredAt.UnixMicro(), x.ReportedAt.UnixMicro(), x.Category, x.Severity,
			x.Status, x.Cleared, math.Float64bits(x.Location[0]), math.Float64bits(x.Location[1]), x.Source, x.Summary)
	}
	return h.Sum(nil)
}

// IncidentPatch changes an incident. Nil fields are left as they are.
type IncidentPatch struct {
	Status  *geo.IncidentStatus
	Cleared *bool
}

// IncidentFilter selects incidents. Zero fields select everything; the
// fields that are set must all hold.
type IncidentFilter struct {
	// From and To bound the occurrence time: From <= occurred_at < To.
	From, To time.Time
	// Categories, Statuses and Stations hold when the incident's value is
	// one of those listed.
	Categories []geo.Category
	Statuses   []geo.IncidentStatus
	Stations   []string
	// Grids holds when the incident's community grid or police grid is one
	// of those listed.
	Grids []string
	// Bound holds for locations inside or on the edge of the box.
	Bound *orb.Bound
	// Within holds for locations inside or on the boundary of the area.
	Within orb.MultiPolygon
	// Near holds for locations within the circle (edge included).
	Near *Circle
}

// Circle is a disk on the earth's surface: the points at most RadiusMeters
// along the surface from Center (longitude, latitude in degrees).
type Circle struct {
	Center       orb.Point
	RadiusMeters float64
}

// MeanEarthRadiusMeters is the radius of the sphere circles are measured
// on: the mean radius of the WGS-84 ellipsoid, which PostGIS also uses
// for geography distances computed on a sphere.
const MeanEarthRadiusMeters = 6371008.7714

// Contains reports whether p is within c, by the haversine distance on a
// sphere of MeanEarthRadiusMeters.
func (c Circle) Contains(p orb.Point) bool {
	return SphereDistanceMeters(c.Center, p) <= c.RadiusMeters
}

// Bound returns a box holding the whole circle, for index searches. Near
// the poles it widens to every longitude.
func (c Circle) Bound() orb.Bound {
	dLat := c.RadiusMeters / MeanEarthRadiusMeters * 180 / math.Pi
	maxLat := math.Min(90, math.Abs(c.Center[1])+dLat)
	cos := math.Cos(maxLat * math.Pi / 180)
	dLon := 180.0
	if cos > 1e-9 {
		dLon = math.Min(180, dLat/cos)
	}
	return orb.Bound{
		Min: orb.Point{c.Center[0] - dLon, math.Max(-90, c.Center[1]-dLat)},
		Max: orb.Point{c.Center[0] + dLon, math.Min(90, c.Center[1]+dLat)},
	}
}

// SphereDistanceMeters is the haversine distance between a and b on a
// sphere of MeanEarthRadiusMeters.
func SphereDistanceMeters(a, b orb.Point) float64 {
	const rad = math.Pi / 180
	dLat := (b[1] - a[1]) * rad
	dLon := (b[0] - a[0]) * rad
	s := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a[1]*rad)*math.Cos(b[1]*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * MeanEarthRadiusMeters * math.Asin(math.Min(1, math.Sqrt(s)))
}

// Match reports whether inc passes f. Stores without a query engine use
// it; those with one must agree with it.
func (f *IncidentFilter) Match(inc *geo.Incident) bool {
	switch {
	case !f.From.IsZero() && inc.OccurredAt.Before(f.From),
		!f.To.IsZero() && !inc.OccurredAt.Before(f.To),
		len(f.Categories) > 0 && !slices.Contains(f.Categories, inc.Category),
		len(f.Statuses) > 0 && !slices.Contains(f.Statuses, inc.Status),
		len(f.Stations) > 0 && !slices.Contains(f.Stations, inc.StationID),
		len(f.Grids) > 0 && !slices.Contains(f.Grids, inc.CommunityGridID) && !slices.Contains(f.Grids, inc.PoliceGridID),
		f.Bound != nil && !f.Bound.Contains(inc.Location),
		len(f.Within) > 0 && !planar.MultiPolygonContains(f.Within, inc.Location),
		f.Near != nil && !f.Near.Contains(inc.Location):
		return false
	}
	return true
}

// Page asks for one page of a query.
type Page struct {
	// Limit is the most incidents to return: DefaultPageLimit when 0, at
	// most MaxPageLimit.
	Limit int
	// Cursor continues after the last incident of the previous page (its
	// IncidentPage.Next); "" starts at the newest.
	Cursor string
}

// Page sizes.
const (
	DefaultPageLimit = 100
	MaxPageLimit     = 1000
)

// IncidentPage is one page of a query.
type IncidentPage struct {
	Incidents []geo.Incident
	// Next is the cursor of the following page; "" on the last page.
	Next string
}

// Cursor is the position in the newest-first order a page continues
// after: the last incident's occurrence time and id.
type Cursor struct {
	OccurredAt time.Time
	ID         int64
}

// Encode writes c as an opaque URL-safe string.
func (c Cursor) Encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.OccurredAt.UnixMicro(), 10) + "." + strconv.FormatInt(c.ID, 10)))
}

// ParseCursor reads a cursor written by Cursor.Encode. An empty string is
// the zero Cursor (start at the newest); anything unreadable is a
// *MessageError of kind ErrInvalid.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	bad := userError(ErrInvalid, "the cursor %q is not one this server gave out; start again without a cursor", clipText(s, 40))
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, bad
	}
	us, id, ok := strings.Cut(string(b), ".")
	if !ok {
		return Cursor{}, bad
	}
	t, err1 := strconv.ParseInt(us, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || n <= 0 {
		return Cursor{}, bad
	}
	return Cursor{OccurredAt: time.UnixMicro(t), ID: n}, nil
}

// Before reports whether an incident at t with id comes after c in the
// newest-first order, i.e. belongs to the page c continues.
func (c Cursor) Before(t time.Time, id int64) bool {
	if c.ID == 0 {
		return true
	}
	return t.Before(c.OccurredAt) || t.Equal(c.OccurredAt) && id < c.ID
}

// ParseIncidentID reads an incident id; anything that is not a positive
// decimal integer is a *MessageError of kind ErrNotFound, since no
// incident has it.
func ParseIncidentID(id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != id {
		return 0, userError(ErrNotFound, "there is no incident %q (incident ids are positive whole numbers)", clipText(id, 40))
	}
	return n, nil
}

// GroupBy selects what AggregateIncidents groups by.
type GroupBy string

// The groupings of AggregateIncidents.
const (
	ByGrid       GroupBy = "grid"        // the community grid ("" for incidents in police grids without community grids)
	ByPoliceGrid GroupBy = "police_grid" // the police grid
	ByStation    GroupBy = "station"     // the station
)

// Bucket is the length of the time buckets of AggregateIncidents. Buckets
// follow China Standard Time (UTC+8): days start at midnight there, weeks
// on Monday, months on the first.
type Bucket string

// The buckets of AggregateIncidents.
const (
	Day   Bucket = "day"
	Week  Bucket = "week"
	Month Bucket = "month"
)

// ChinaTime is the zone of the county: UTC+8, without daylight saving.
var ChinaTime = time.FixedZone("CST", 8*3600)

// Start returns the start of the bucket holding t, in ChinaTime.
func (b Bucket) Start(t time.Time) time.Time {
	t = t.In(ChinaTime)
	y, m, d := t.Date()
	switch b {
	case Week:
		back := (int(t.Weekday()) + 6) % 7 // days since Monday
		return time.Date(y, m, d-back, 0, 0, 0, 0, ChinaTime)
	case Month:
		return time.Date(y, m, 1, 0, 0, 0, 0, ChinaTime)
	}
	return time.Date(y, m, d, 0, 0, 0, 0, ChinaTime)
}

// Aggregation asks AggregateIncidents for counts.
type Aggregation struct {
	GroupBy GroupBy
	Bucket  Bucket
	Filter  IncidentFilter
}

// Check reports an unknown grouping or bucket as ErrInvalid.
func (a Aggregation) Check() error {
	switch a.GroupBy {
	case ByGrid, ByPoliceGrid, ByStation:
	default:
		return userError(ErrInvalid, "cannot group incidents by %q (want grid, police_grid or station)", a.GroupBy)
	}
	switch a.Bucket {
	case Day, Week, Month:
	default:
		return userError(ErrInvalid, "unknown time bucket %q (want day, week or month)", a.Bucket)
	}
	return nil
}

// Key returns the group inc belongs to under a.GroupBy.
func (a Aggregation) Key(inc *geo.Incident) string {
	switch a.GroupBy {
	case ByPoliceGrid:
		return inc.PoliceGridID
	case ByStation:
		return inc.StationID
	}
	return inc.CommunityGridID
}

// AggregateRow counts the incidents of one group in one time bucket.
type AggregateRow struct {
	Key    string               // grid id or station id, per GroupBy
	Start  time.Time            // the bucket's first moment, in ChinaTime
	Counts map[geo.Category]int // incidents per category; categories without incidents are left out
	Total  int
}

// SortAggregateRows orders rows by key, then bucket, as stores return them.
func SortAggregateRows(rows []AggregateRow) {
	slices.SortFunc(rows, func(a, b AggregateRow) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		return a.Start.Compare(b.Start)
	})
}

// IncidentProblem names one bad incident of a batch by its position and
// says what is wrong, in words a person can act on.
type IncidentProblem struct {
	Index  int    `json:"index"`  // position in the batch, from 0
	Field  string `json:"field"`  // e.g. "category", "location"; "" for the whole incident
	Reason string `json:"reason"` // e.g. "severity must be 1 to 5, got 7"
}

// IncidentError rejects a batch for the content of some of its incidents.
// It wraps ErrInvalid; nothing of the batch was stored.
type IncidentError struct {
	Problems []IncidentProblem
}

func (e *IncidentError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d problem(s) in the batch", len(e.Problems))
	for i, p := range e.Problems {
		if i == maxProblemsInError {
			fmt.Fprintf(&b, "; and %d more", len(e.Problems)-i)
			break
		}
		fmt.Fprintf(&b, "; incident %d", p.Index)
		if p.Field != "" {
			b.WriteString(" " + p.Field)
		}
		b.WriteString(": " + p.Reason)
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *IncidentError) Unwrap() error { return ErrInvalid }

// Incident limits.
const (
	MaxSummaryRunes = 2000
	MaxSourceRunes  = 64
	// MaxFutureSkew is how far in the future an occurrence time may lie,
	// to allow for clocks that run a little fast.
	MaxFutureSkew = 5 * time.Minute
)

var categoryPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// NormalizeIncident fills the defaults of a new incident (status reported,
// severity 3, reported at its occurrence time), rounds its times to the
// microsecond every store keeps, and returns what is wrong with it, or nil.
// Whether the category is one the store knows is the store's to check.
func NormalizeIncident(inc *geo.Incident, now time.Time) []IncidentProblem {
	var out []IncidentProblem
	bad := func(field, format string, args ...any) {
		out = append(out, IncidentProblem{Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	inc.OccurredAt = inc.OccurredAt.Truncate(time.Microsecond)
	inc.ReportedAt = inc.ReportedAt.Truncate(time.Microsecond)
	if inc.ReportedAt.IsZero() {
		inc.ReportedAt = inc.OccurredAt
	}
	if inc.Status == "" {
		inc.Status = geo.Reported
	}
	if inc.Severity == 0 {
		inc.Severity = 3
	}
	switch {
	case inc.OccurredAt.IsZero():
		bad("occurred_at", "occurred_at is required: when the incident happened (RFC 3339, e.g. 2026-05-01T14:30:00+08:00)")
	case inc.OccurredAt.Year() < 1900:
		bad("occurred_at", "occurred_at %s is before 1900", inc.OccurredAt.Format(time.RFC3339))
	case inc.OccurredAt.After(now.Add(MaxFutureSkew)):
		bad("occurred_at", "occurred_at %s is in the future", inc.OccurredAt.Format(time.RFC3339))
	case inc.ReportedAt.Before(inc.OccurredAt):
		bad("reported_at", "reported_at %s is before occurred_at %s", inc.ReportedAt.Format(time.RFC3339), inc.OccurredAt.Format(time.RFC3339))
	}
	if !categoryPattern.MatchString(string(inc.Category)) {
		bad("category", "category %q is not a category id (want one of %s)", clipText(string(inc.Category), 40), categoryList())
	}
	if inc.Severity < 1 || inc.Severity > 5 {
		bad("severity", "severity must be 1 (minor) to 5 (major), got %d", inc.Severity)
	}
	if err := geo.Reported.CanMoveTo(inc.Status); err != nil && inc.Status != geo.Reported {
		bad("status", "status must be reported, dispatched, on_scene or closed, got %q", clipText(string(inc.Status), 40))
	}
	if inc.Cleared && inc.Category != geo.Criminal {
		bad("cleared", "only criminal cases are cleared (破案); this incident is %s", inc.Category)
	}
	if p := inc.Location; math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.Abs(p[0]) > 180 || math.Abs(p[1]) > 90 {
		bad("location", "location [%g, %g] is not a longitude/latitude pair", p[0], p[1])
	}
	if n := utf8.RuneCountInString(inc.Summary); n > MaxSummaryRunes || !ValidText(inc.Summary) {
		bad("summary", "summary must be UTF-8 text without NUL characters of at most %d characters, got %d%s", MaxSummaryRunes, n, textNote(inc.Summary))
	}
	if n := utf8.RuneCountInString(inc.Source); n > MaxSourceRunes || !ValidText(inc.Source) {
		bad("source", "source must be UTF-8 text without NUL characters of at most %d characters, got %d%s", MaxSourceRunes, n, textNote(inc.Source))
	}
	return out
}

// NormalizeIncidents applies NormalizeIncident to every incident of batch
// and returns an *IncidentError listing every problem, or nil.
func NormalizeIncidents(batch []geo.Incident, now time.Time) error {
	var probs []IncidentProblem
	for i := range batch {
		for _, p := range NormalizeIncident(&batch[i], now) {
			p.Index = i
			probs = append(probs, p)
		}
	}
	if len(probs) > 0 {
		return &IncidentError{Problems: probs}
	}
	return nil
}

// CheckPatch reports what keeps p from applying to inc, as a
// *MessageError: ErrInvalid for a value that is never right, ErrConflict
// for one that clashes with the incident's state. It returns the incident as it would be after p, and
// whether anything changes.
func CheckPatch(inc geo.Incident, p IncidentPatch) (geo.Incident, bool, error) {
	changed := false
	if p.Status != nil && *p.Status != inc.Status {
		if err := inc.Status.CanMoveTo(*p.Status); err != nil {
			if _, known := map[geo.IncidentStatus]bool{geo.Reported: true, geo.Dispatched: true, geo.OnScene: true, geo.Closed: true}[*p.Status]; !known {
				return inc, false, userError(ErrInvalid, "status must be reported, dispatched, on_scene or closed, got %q", clipText(string(*p.Status), 40))
			}
			return inc, false, userError(ErrConflict, "incident %s is %s and cannot go back to %s; the lifecycle is reported → dispatched → on_scene → closed", inc.ID, inc.Status, *p.Status)
		}
		inc.Status = *p.Status
		changed = true
	}
	if p.Cleared != nil && *p.Cleared != inc.Cleared {
		if inc.Category != geo.Criminal {
			return inc, false, userError(ErrConflict, "only criminal cases are cleared (破案); incident %s is %s", inc.ID, inc.Category)
		}
		inc.Cleared = *p.Cleared
		changed = true
	}
	return inc, changed, nil
}

func categoryList() string {
	s := make([]string, len(geo.Categories))
	for i, c := range geo.Categories {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

// clipText quotes at most n runes of a client's input in a message.
func clipText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
