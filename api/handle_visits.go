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

	"github.com/paulmach/orb"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/patrol"
)

// maxVisitAge is how long after a visit it may still be recorded.
const maxVisitAge = 30 * 24 * time.Hour

// VisitRequest is the body of POST /api/v1/visits.
type VisitRequest struct {
	// Officer is who made the visit; an officer signed in may leave it
	// out (their own) and may give no one else.
	Officer string `json:"officer"`
	// At is when (RFC 3339; without an offset China time); now when left
	// out.
	At       string       `json:"at"`
	Lon      *json.Number `json:"lon"`
	Lat      *json.Number `json:"lat"`
	CRS      string       `json:"crs"`
	Kind     string       `json:"kind"`
	Whom     string       `json:"whom"`
	KeyPlace *string      `json:"key_place"`
	Outcome  string       `json:"outcome"`
}

// VisitProperties describe a visit feature. Times are RFC 3339 in China
// time; whom and outcome have phone numbers masked for the roles that see
// members' numbers masked.
type VisitProperties struct {
	ID            string        `json:"id"`
	Officer       string        `json:"officer"`
	OfficerName   string        `json:"officer_name,omitempty"`
	At            string        `json:"at"`
	Kind          geo.VisitKind `json:"kind"`
	KindZH        string        `json:"kind_zh"`
	KindEN        string        `json:"kind_en"`
	Whom          string        `json:"whom"`
	KeyPlace      *string       `json:"key_place"`
	Outcome       string        `json:"outcome"`
	CommunityGrid string        `json:"community_grid,omitempty"`
	PoliceGrid    string        `json:"police_grid,omitempty"`
	Station       string        `json:"station,omitempty"`
	RecordedAt    string        `json:"recorded_at"`
	RecordedBy    string        `json:"recorded_by,omitempty"`
	// Replayed is set on the answer to a POST whose Idempotency-Key was
	// used before: nothing new was stored.
	Replayed bool `json:"replayed,omitempty"`
}

// VisitCollection answers GET /api/v1/visits, one page at a time.
type VisitCollection struct {
	Type           string                            `json:"type"`
	Features       []httpx.Feature[*VisitProperties] `json:"features"`
	NumberReturned int                               `json:"number_returned"`
	Links          []Link                            `json:"links"`
}

// errNoVisits answers visit routes on a server without a visit store.
func errNoVisits() error {
	return &httpx.Problem{Kind: data.ErrUnavailable, Detail: "this server keeps no visits (it has no visit store)"}
}

// visitFeature is vis as the caller of ctx may see it.
func (v *view) visitFeature(ctx context.Context, vis *geo.Visit) httpx.Feature[*VisitProperties] {
	p := &VisitProperties{
		ID: vis.ID, Officer: vis.OfficerID, At: v.localTime(vis.At), Kind: vis.Kind, KindZH: vis.Kind.LabelZH(), KindEN: vis.Kind.LabelEN(),
		Whom: textFor(ctx, vis.Whom), Outcome: textFor(ctx, vis.Outcome),
		CommunityGrid: vis.CommunityGridID, PoliceGrid: vis.PoliceGridID, Station: vis.StationID,
		RecordedAt: v.localTime(vis.RecordedAt), RecordedBy: vis.RecordedBy,
	}
	if vis.KeyPlaceID != "" {
		kp := vis.KeyPlaceID
		p.KeyPlace = &kp
	}
	if m, ok := v.ix.Member(vis.OfficerID); ok {
		p.OfficerName = m.Name
	}
	return httpx.NewFeature(vis.ID, orb.Geometry(v.toWGS84(vis.Location)), p)
}

func (s *Server) handleCreateVisit(w http.ResponseWriter, r *http.Request, _ query) error {
	if s.visits == nil {
		return errNoVisits()
	}
	key, err := requestKey(r)
	if err != nil {
		return err
	}
	body, err := httpx.ReadJSONBody(r)
	if err != nil {
		return err
	}
	var in VisitRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		return httpx.InvalidBody("the body must be a JSON object with officer, at, lon, lat, kind, whom, key_place and outcome: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return httpx.InvalidBody("the body must hold one JSON object, not more")
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	vis, err := s.decodeVisit(r, v, &in)
	if err != nil {
		return err
	}
	if err := s.attributeVisit(r.Context(), v, &vis); err != nil {
		return err
	}
	sent := vis // as the client sent it: a time the server filled in is not part of the request
	if in.At == "" {
		sent.At = time.Time{}
	}
	res, err := s.visits.AddVisit(r.Context(), data.VisitWrite{Visit: vis, Key: key, Scope: keyScope(r.Context()), Digest: data.VisitDigest(&sent)})
	if err != nil {
		return err
	}
	f := v.visitFeature(r.Context(), &res.Visit)
	f.Properties.Replayed = res.Replayed
	status := createdStatus(res.Replayed)
	httpx.WriteJSON(w, r, s.logger, status, httpx.ContentTypeGeoJSON, f)
	return nil
}

// decodeVisit checks a request's fields and who may record it, and
// returns the visit, its location in the dataset's datum, unattributed.
func (s *Server) decodeVisit(r *http.Request, v *view, in *VisitRequest) (geo.Visit, error) {
	var bad []httpx.InvalidParam
	vis := geo.Visit{OfficerID: strings.TrimSpace(in.Officer), Whom: strings.TrimSpace(in.Whom), Outcome: strings.TrimSpace(in.Outcome)}
	p, signedIn := principalFrom(r.Context())
	if signedIn && !p.anonymous() {
		vis.RecordedBy = p.user.Name
		if p.user.Role == data.RoleOfficer {
			switch {
			case p.user.OfficerID == "":
				return vis, forbidden("user " + p.user.Name + " is an officer without a member id and may record no visits; ask an admin to link it (jingge users add --officer)")
			case vis.OfficerID == "":
				vis.OfficerID = p.user.OfficerID
			case vis.OfficerID != p.user.OfficerID:
				return vis, forbidden("user " + p.user.Name + " may record only their own visits (officer " + p.user.OfficerID + "), not those of " + vis.OfficerID)
			}
		}
	}
	if vis.OfficerID == "" {
		bad = append(bad, httpx.InvalidParam{Name: "officer", Reason: "officer is required: the member id of the officer who made the visit"})
	} else if _, err := s.patrols.rulesFor(v.ix).Officer(vis.OfficerID); err != nil {
		bad = append(bad, httpx.InvalidParam{Name: "officer", Reason: strings.TrimPrefix(err.Error(), patrol.ErrUnknownOfficer.Error()+": ")})
	}
	now := s.patrols.opts.Now()
	vis.At = now
	if in.At != "" {
		t, err := intake.ParseTime(in.At, v.ix.Location())
		switch {
		case err != nil:
			bad = append(bad, httpx.InvalidParam{Name: "at", Reason: "at " + err.Error()})
		case t.After(now.Add(s.patrols.opts.MaxPingAhead)):
			bad = append(bad, httpx.InvalidParam{Name: "at", Reason: fmt.Sprintf("at %s is in the future (the server's clock says %s)", t.Format(time.RFC3339), now.UTC().Format(time.RFC3339))})
		case t.Before(now.Add(-maxVisitAge)):
			bad = append(bad, httpx.InvalidParam{Name: "at", Reason: fmt.Sprintf("at %s is more than %d days ago; visits are recorded within %d days", t.Format(time.RFC3339), int(maxVisitAge.Hours()/24), int(maxVisitAge.Hours()/24))})
		default:
			vis.At = t
		}
	}
	loc, badPlace := v.placeOf(in.Lon, in.Lat, in.CRS)
	bad = append(bad, badPlace...)
	vis.Location = loc
	if k, err := geo.ParseVisitKind(strings.TrimSpace(in.Kind)); err != nil {
		bad = append(bad, httpx.InvalidParam{Name: "kind", Reason: "kind " + strings.TrimPrefix(err.Error(), "geo: ")})
	} else {
		vis.Kind = k
	}
	if in.KeyPlace != nil {
		vis.KeyPlaceID = strings.TrimSpace(*in.KeyPlace)
	}
	if len(bad) > 0 {
		return vis, httpx.Invalid(bad...)
	}
	return vis, nil
}

// attributeVisit sets the grids and station of vis (attributePlace).
func (s *Server) attributeVisit(ctx context.Context, v *view, vis *geo.Visit) error {
	var err error
	vis.CommunityGridID, vis.PoliceGridID, vis.StationID, err = s.attributePlace(ctx, v, vis.At, vis.Location, "visit")
	return err
}

// visitParams are the query parameters of GET /api/v1/visits.
var visitParams = []string{"grid", "station", "officer", "from", "to", "limit", "cursor"}

func (s *Server) handleListVisits(w http.ResponseWriter, r *http.Request, q query) error {
	if s.visits == nil {
		return errNoVisits()
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	f := data.VisitFilter{GridID: q.get("grid"), StationID: q.get("station"), OfficerID: q.get("officer")}
	var bad []httpx.InvalidParam
	for _, name := range []string{"from", "to"} {
		text, ok := q.lookup(name)
		if !ok {
			continue
		}
		t, err := intake.ParseTime(text, v.ix.Location())
		if err != nil {
			if d, derr := time.ParseInLocation("2006-01-02", strings.TrimSpace(text), v.ix.Location()); derr == nil {
				t, err = d, nil
			}
		}
		if err != nil {
			bad = append(bad, httpx.InvalidParam{Name: name, Reason: name + " " + err.Error() + " or a date such as 2026-05-01"})
			continue
		}
		if name == "from" {
			f.From = t
		} else {
			f.To = t
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		bad = append(bad, httpx.InvalidParam{Name: "from", Reason: "from must be before to"})
	}
	page, badPage := parsePage(q)
	bad = append(bad, badPage...)
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	if err := s.officerVisitScope(r, v, &f); err != nil {
		return err
	}
	res, err := s.visits.QueryVisits(r.Context(), f, page)
	if err != nil {
		return httpx.AboutParam(err, "cursor")
	}
	out := VisitCollection{Type: "FeatureCollection", Features: make([]httpx.Feature[*VisitProperties], len(res.Visits)), NumberReturned: len(res.Visits)}
	for i := range res.Visits {
		out.Features[i] = v.visitFeature(r.Context(), &res.Visits[i])
	}
	out.Links = pageLinks(r, res.Next)
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, out)
	return nil
}

// officerVisitScope narrows what an officer signed in may read: the
// visits in a grid of their own area (grid=), or else their own visits.
// Other roles read every visit.
func (s *Server) officerVisitScope(r *http.Request, v *view, f *data.VisitFilter) error {
	p, ok := principalFrom(r.Context())
	if !ok || p.user.Role != data.RoleOfficer {
		return nil
	}
	me := p.user.OfficerID
	switch {
	case me == "":
		return forbidden("user " + p.user.Name + " is an officer without a member id and may read no visits; ask an admin to link it (jingge users add --officer)")
	case f.GridID != "":
		if !s.patrols.rulesFor(v.ix).InArea(me, f.GridID) {
			return forbidden("officer " + me + " may read the visits of the grids of their own area; " + f.GridID + " is not one of them")
		}
	case f.OfficerID != "" && f.OfficerID != me:
		return forbidden("officer " + me + " may read their own visits, or those of a grid of their area (grid=), not those of " + f.OfficerID)
	default:
		f.OfficerID = me
	}
	return nil
}
