package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"jingge/api/httpx"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo"
)

// maxDisputeAge is how long after its report a dispute may still be
// recorded through the API; older ones come in by CSV import.
const maxDisputeAge = 90 * 24 * time.Hour

// DisputeRequest is the body of POST /api/v1/disputes.
type DisputeRequest struct {
	// ReportedAt is when it was reported (RFC 3339; without an offset
	// China time); now when left out.
	ReportedAt string       `json:"reported_at"`
	Lon        *json.Number `json:"lon"`
	Lat        *json.Number `json:"lat"`
	CRS        string       `json:"crs"`
	Kind       string       `json:"kind"`
	Parties    string       `json:"parties"`
	Summary    string       `json:"summary"`
	// Level is open when left out; a dispute recorded settled gives
	// method, mediation_brand (for method mediation_brand) and settled_at
	// (now when left out).
	Level          string `json:"level"`
	Method         string `json:"method"`
	MediationBrand string `json:"mediation_brand"`
	SettledAt      string `json:"settled_at"`
}

// DisputePatchRequest is the body of PATCH /api/v1/disputes/{id}: the
// level it was settled at (only ever higher), how, and when (now when
// left out).
type DisputePatchRequest struct {
	Level          *string `json:"level"`
	Method         *string `json:"method"`
	MediationBrand *string `json:"mediation_brand"`
	SettledAt      *string `json:"settled_at"`
}

// DisputeProperties describe a dispute feature. Times are RFC 3339 in
// China time. Parties have names and phone numbers masked, and summary
// phone numbers, for the roles that see members' numbers masked.
type DisputeProperties struct {
	ID             string           `json:"id"`
	ReportedAt     string           `json:"reported_at"`
	Kind           geo.DisputeKind  `json:"kind"`
	KindZH         string           `json:"kind_zh"`
	KindEN         string           `json:"kind_en"`
	Parties        string           `json:"parties"`
	Summary        string           `json:"summary"`
	Level          geo.DisputeLevel `json:"level"`
	LevelZH        string           `json:"level_zh"`
	LevelEN        string           `json:"level_en"`
	Method         geo.SettleMethod `json:"method,omitempty"`
	MediationBrand string           `json:"mediation_brand,omitempty"`
	SettledAt      *string          `json:"settled_at"`
	// DaysToSettle is the whole days from report to settlement; null
	// while open.
	DaysToSettle  *int    `json:"days_to_settle"`
	CommunityGrid string  `json:"community_grid,omitempty"`
	PoliceGrid    string  `json:"police_grid,omitempty"`
	Station       string  `json:"station,omitempty"`
	RecordedAt    string  `json:"recorded_at"`
	RecordedBy    string  `json:"recorded_by,omitempty"`
	UpdatedAt     *string `json:"updated_at"`
	UpdatedBy     string  `json:"updated_by,omitempty"`
	// Replayed is set on the answer to a POST whose Idempotency-Key was
	// used before: nothing new was stored.
	Replayed bool `json:"replayed,omitempty"`
}

// DisputeCollection answers GET /api/v1/disputes, one page at a time.
type DisputeCollection struct {
	Type           string                              `json:"type"`
	Features       []httpx.Feature[*DisputeProperties] `json:"features"`
	NumberReturned int                                 `json:"number_returned"`
	Links          []Link                              `json:"links"`
}

// errNoDisputes answers dispute routes on a server without a dispute store.
func errNoDisputes() error {
	return &httpx.Problem{Kind: data.ErrUnavailable, Detail: "this server keeps no disputes (it has no dispute store)"}
}

// optionalTime is t as the view writes times, nil when zero.
func (v *view) optionalTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := v.localTime(t)
	return &s
}

// disputeFeature is d as the caller of ctx may see it.
func (v *view) disputeFeature(ctx context.Context, d *geo.DisputeCase) httpx.Feature[*DisputeProperties] {
	p := &DisputeProperties{
		ID: d.ID, ReportedAt: v.localTime(d.ReportedAt), Kind: d.Kind, KindZH: d.Kind.LabelZH(), KindEN: d.Kind.LabelEN(),
		Parties: partiesFor(ctx, d.Parties), Summary: textFor(ctx, d.Summary),
		Level: d.Level, LevelZH: d.Level.LabelZH(), LevelEN: d.Level.LabelEN(), Method: d.Method, MediationBrand: d.MediationBrand,
		SettledAt: v.optionalTime(d.SettledAt), CommunityGrid: d.CommunityGridID, PoliceGrid: d.PoliceGridID, Station: d.StationID,
		RecordedAt: v.localTime(d.RecordedAt), RecordedBy: d.RecordedBy, UpdatedAt: v.optionalTime(d.UpdatedAt), UpdatedBy: d.UpdatedBy,
	}
	if n, ok := d.DaysToSettle(); ok {
		p.DaysToSettle = &n
	}
	return httpx.NewFeature(d.ID, orb.Geometry(v.toWGS84(d.Location)), p)
}

func (s *Server) handleCreateDispute(w http.ResponseWriter, r *http.Request, _ query) error {
	if s.disputes == nil {
		return errNoDisputes()
	}
	key, err := requestKey(r)
	if err != nil {
		return err
	}
	var in DisputeRequest
	if err := decodeStrict(r, &in, "reported_at, lon, lat, crs, kind, parties, summary, level, method, mediation_brand and settled_at"); err != nil {
		return err
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	d, err := s.decodeDispute(r, v, &in)
	if err != nil {
		return err
	}
	if d.CommunityGridID, d.PoliceGridID, d.StationID, err = s.attributePlace(r.Context(), v, d.ReportedAt, d.Location, "dispute"); err != nil {
		return err
	}
	sent := d // as the client sent it: times the server filled in are not part of the request
	if in.ReportedAt == "" {
		sent.ReportedAt = time.Time{}
	}
	if in.SettledAt == "" {
		sent.SettledAt = time.Time{}
	}
	res, err := s.disputes.AddDispute(r.Context(), data.DisputeWrite{Dispute: d, Key: key, Scope: keyScope(r.Context()), Digest: data.DisputeDigest(&sent)})
	if err != nil {
		return err
	}
	f := v.disputeFeature(r.Context(), &res.Dispute)
	f.Properties.Replayed = res.Replayed
	status := createdStatus(res.Replayed)
	httpx.WriteJSON(w, r, s.logger, status, httpx.ContentTypeGeoJSON, f)
	return nil
}

// decodeStrict reads a JSON object body into dst, refusing unknown
// members and trailing data; members lists what the object may hold.
func decodeStrict(r *http.Request, dst any, members string) error {
	body, err := httpx.ReadJSONBody(r)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return httpx.InvalidBody("the body must be a JSON object with %s: %s", members, strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return httpx.InvalidBody("the body must hold one JSON object, not more")
	}
	return nil
}

// pastTime reads the member name, a time no later than now (allowing the
// pings' clock skew) and no more than maxAge before it; empty is now.
func (s *Server) pastTime(v *view, name, text string, maxAge time.Duration, bad *[]httpx.InvalidParam) time.Time {
	now := s.patrols.opts.Now()
	if text == "" {
		return now
	}
	t, err := intake.ParseTime(text, v.ix.Location())
	switch {
	case err != nil:
		*bad = append(*bad, httpx.InvalidParam{Name: name, Reason: name + " " + err.Error()})
	case t.After(now.Add(s.patrols.opts.MaxPingAhead)):
		*bad = append(*bad, httpx.InvalidParam{Name: name, Reason: fmt.Sprintf("%s %s is in the future (the server's clock says %s)", name, t.Format(time.RFC3339), now.UTC().Format(time.RFC3339))})
	case maxAge > 0 && t.Before(now.Add(-maxAge)):
		days := int(maxAge.Hours() / 24)
		*bad = append(*bad, httpx.InvalidParam{Name: name, Reason: fmt.Sprintf("%s %s is more than %d days ago; older records come in by CSV import (jingge import --kind)", name, t.Format(time.RFC3339), days)})
	default:
		return t
	}
	return now
}

// decodeDispute checks a request's fields and returns the dispute, its
// location in the dataset's datum, unattributed.
func (s *Server) decodeDispute(r *http.Request, v *view, in *DisputeRequest) (geo.DisputeCase, error) {
	var bad []httpx.InvalidParam
	d := geo.DisputeCase{Parties: strings.TrimSpace(in.Parties), Summary: strings.TrimSpace(in.Summary), MediationBrand: strings.TrimSpace(in.MediationBrand), Level: geo.DisputeOpen}
	if p, ok := principalFrom(r.Context()); ok && !p.anonymous() {
		d.RecordedBy = p.user.Name
	}
	d.ReportedAt = s.pastTime(v, "reported_at", in.ReportedAt, maxDisputeAge, &bad)
	loc, badPlace := v.placeOf(in.Lon, in.Lat, in.CRS)
	bad = append(bad, badPlace...)
	d.Location = loc
	if k, err := geo.ParseDisputeKind(strings.TrimSpace(in.Kind)); err != nil {
		bad = append(bad, httpx.InvalidParam{Name: "kind", Reason: "kind " + strings.TrimPrefix(err.Error(), "geo: ")})
	} else {
		d.Kind = k
	}
	if text := strings.TrimSpace(in.Level); text != "" {
		if l, err := geo.ParseDisputeLevel(text); err != nil {
			bad = append(bad, httpx.InvalidParam{Name: "level", Reason: "level " + strings.TrimPrefix(err.Error(), "geo: ")})
		} else {
			d.Level = l
		}
	}
	if text := strings.TrimSpace(in.Method); text != "" {
		if m, err := geo.ParseSettleMethod(text); err != nil {
			bad = append(bad, httpx.InvalidParam{Name: "method", Reason: "method " + strings.TrimPrefix(err.Error(), "geo: ")})
		} else {
			d.Method = m
		}
	}
	if d.Level.Settled() {
		d.SettledAt = s.pastTime(v, "settled_at", in.SettledAt, 0, &bad)
	} else if in.SettledAt != "" {
		bad = append(bad, httpx.InvalidParam{Name: "settled_at", Reason: "an open dispute has no settled_at; give the level it was settled at with it"})
	}
	if len(bad) > 0 {
		return d, httpx.Invalid(bad...)
	}
	return d, nil
}

func (s *Server) handleUpdateDispute(w http.ResponseWriter, r *http.Request, _ query) error {
	if s.disputes == nil {
		return errNoDisputes()
	}
	var in DisputePatchRequest
	if err := decodeStrict(r, &in, "level, method, mediation_brand and settled_at"); err != nil {
		return err
	}
	if in.Level == nil && in.Method == nil && in.MediationBrand == nil && in.SettledAt == nil {
		return httpx.InvalidBody(`the body changes nothing; send e.g. {"level": "village", "method": "mediation_brand", "mediation_brand": "朱先生说事"}`)
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	cur, err := s.disputes.Dispute(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.officerMayChange(r, v, cur.StationID, "dispute "+id); err != nil {
		return err
	}
	var bad []httpx.InvalidParam
	p := data.DisputePatch{At: s.patrols.opts.Now(), MediationBrand: in.MediationBrand}
	if pr, ok := principalFrom(r.Context()); ok && !pr.anonymous() {
		p.By = pr.user.Name
	}
	if in.Level != nil {
		if l, err := geo.ParseDisputeLevel(strings.TrimSpace(*in.Level)); err != nil {
			bad = append(bad, httpx.InvalidParam{Name: "level", Reason: "level " + strings.TrimPrefix(err.Error(), "geo: ")})
		} else {
			p.Level = &l
		}
	}
	if in.Method != nil {
		if m, err := geo.ParseSettleMethod(strings.TrimSpace(*in.Method)); err != nil {
			bad = append(bad, httpx.InvalidParam{Name: "method", Reason: "method " + strings.TrimPrefix(err.Error(), "geo: ")})
		} else {
			p.Method = &m
		}
	}
	if in.SettledAt != nil {
		p.SettledAt = s.pastTime(v, "settled_at", *in.SettledAt, 0, &bad)
	}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	d, err := s.disputes.UpdateDispute(r.Context(), id, p)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, v.disputeFeature(r.Context(), &d))
	return nil
}

// officerMayChange refuses an officer signed in a change to a record
// (what) of a station other than their own. Other roles may.
func (s *Server) officerMayChange(r *http.Request, v *view, stationID, what string) error {
	p, ok := principalFrom(r.Context())
	if !ok || p.user.Role != data.RoleOfficer {
		return nil
	}
	m, found := v.ix.Member(p.user.OfficerID)
	switch {
	case p.user.OfficerID == "" || !found:
		return forbidden("user " + p.user.Name + " is an officer without a member id and may change nothing of a station; ask an admin to link it (jingge users add --officer)")
	case m.StationID != stationID:
		return forbidden(fmt.Sprintf("officer %s belongs to station %s and may change the records of that station only; %s is of station %s", m.ID, m.StationID, what, stationID))
	}
	return nil
}

// disputeParams are the query parameters of GET /api/v1/disputes.
var disputeParams = []string{"station", "grid", "month", "status", "limit", "cursor"}

func (s *Server) handleListDisputes(w http.ResponseWriter, r *http.Request, q query) error {
	if s.disputes == nil {
		return errNoDisputes()
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	f := data.DisputeFilter{GridID: q.get("grid"), StationID: q.get("station")}
	var bad []httpx.InvalidParam
	if text, ok := q.lookup("month"); ok {
		if f.From, f.To, err = data.MonthBounds(strings.TrimSpace(text), v.ix.Location()); err != nil {
			bad = append(bad, httpx.InvalidParam{Name: "month", Reason: fmt.Sprintf("month %q: write it as YYYY-MM, e.g. 2026-03", text)})
		}
	}
	switch status := q.get("status"); status {
	case "":
	case "open", "settled":
		open := status == "open"
		f.Open = &open
	default:
		bad = append(bad, httpx.InvalidParam{Name: "status", Reason: fmt.Sprintf("status must be open or settled, got %q", status)})
	}
	page, badPage := parsePage(q)
	bad = append(bad, badPage...)
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	if err := officerStationScope(r, v, &f.StationID); err != nil {
		return err
	}
	res, err := s.disputes.QueryDisputes(r.Context(), f, page)
	if err != nil {
		return httpx.AboutParam(err, "cursor")
	}
	out := DisputeCollection{Type: "FeatureCollection", Features: make([]httpx.Feature[*DisputeProperties], len(res.Disputes)), NumberReturned: len(res.Disputes)}
	for i := range res.Disputes {
		out.Features[i] = v.disputeFeature(r.Context(), &res.Disputes[i])
	}
	out.Links = pageLinks(r, res.Next)
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, out)
	return nil
}

// officerStationScope narrows what an officer signed in reads to their
// own station: station, when given, must be it. Other roles read every
// station.
func officerStationScope(r *http.Request, v *view, station *string) error {
	p, ok := principalFrom(r.Context())
	if !ok || p.user.Role != data.RoleOfficer {
		return nil
	}
	m, found := v.ix.Member(p.user.OfficerID)
	switch {
	case p.user.OfficerID == "" || !found:
		return forbidden("user " + p.user.Name + " is an officer without a member id and may read no station's records; ask an admin to link it (jingge users add --officer)")
	case *station != "" && *station != m.StationID:
		return forbidden(fmt.Sprintf("officer %s reads the records of their own station %s, not those of %s", m.ID, m.StationID, *station))
	}
	*station = m.StationID
	return nil
}
