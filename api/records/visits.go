package records

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

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
	// At is when (RFC 3339; without an offset the dataset's time); now
	// when left out.
	At       string       `json:"at"`
	Lon      *json.Number `json:"lon"`
	Lat      *json.Number `json:"lat"`
	CRS      string       `json:"crs"`
	Kind     string       `json:"kind"`
	Whom     string       `json:"whom"`
	KeyPlace *string      `json:"key_place"`
	Outcome  string       `json:"outcome"`
}

// VisitProperties describe a visit feature. Times are RFC 3339 in the
// dataset's time; whom and outcome have phone numbers masked for the roles
// that see members' numbers masked.
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

// VisitParams are the query parameters of a list of visits.
var VisitParams = []string{"grid", "station", "officer", "from", "to", "limit", "cursor"}

// AddVisit records the visit of body (a VisitRequest) under key, or
// replays the visit first recorded under it; replayed says which.
func (s *Service) AddVisit(ctx context.Context, c Caller, body []byte, key string) (Located[*VisitProperties], bool, error) {
	return keyed[VisitRequest, geo.Visit, Located[*VisitProperties]]{
		members: "officer, at, lon, lat, kind, whom, key_place and outcome",
		build:   s.buildVisit,
		store: func(ctx context.Context, vis geo.Visit, in *VisitRequest, key, scope string) (geo.Visit, bool, error) {
			sent := vis // as the client sent it: a time the server filled in is not part of the request
			if in.At == "" {
				sent.At = time.Time{}
			}
			res, err := s.o.Visits.AddVisit(ctx, data.VisitWrite{Visit: vis, Key: key, Scope: scope, Digest: data.VisitDigest(&sent)})
			return res.Visit, res.Replayed, err
		},
		doc: func(c Caller, v *view, vis *geo.Visit, replayed bool) Located[*VisitProperties] {
			d := visitDoc(c, v, vis)
			d.Properties.Replayed = replayed
			return d
		},
	}.add(ctx, s, c, body, key)
}

// buildVisit checks a request's fields and who may record it, and returns
// the visit, attributed, its location in the dataset's datum.
func (s *Service) buildVisit(ctx context.Context, c Caller, v *view, in *VisitRequest) (geo.Visit, error) {
	vis := geo.Visit{OfficerID: strings.TrimSpace(in.Officer), Whom: strings.TrimSpace(in.Whom), Outcome: strings.TrimSpace(in.Outcome), RecordedBy: c.Name}
	if c.officer() {
		switch {
		case c.OfficerID == "":
			return vis, unlinked(c, "record no visits")
		case vis.OfficerID == "":
			vis.OfficerID = c.OfficerID
		case vis.OfficerID != c.OfficerID:
			return vis, forbidden("user " + c.Name + " may record only their own visits (officer " + c.OfficerID + "), not those of " + vis.OfficerID)
		}
	}
	var bad params
	if vis.OfficerID == "" {
		bad.add("officer", "officer is required: the member id of the officer who made the visit")
	} else if _, err := s.o.Rules(v.ix).Officer(vis.OfficerID); err != nil {
		bad.add("officer", "%s", strings.TrimPrefix(err.Error(), patrol.ErrUnknownOfficer.Error()+": "))
	}
	days := int(maxVisitAge.Hours() / 24)
	vis.At = s.pastTime(v, "at", in.At, maxVisitAge, "visits are recorded within "+strconv.Itoa(days)+" days", &bad)
	vis.Location = v.placeOf(in.Lon, in.Lat, in.CRS, &bad)
	vis.Kind, _ = enum("kind", in.Kind, geo.ParseVisitKind, &bad)
	if in.KeyPlace != nil {
		vis.KeyPlaceID = strings.TrimSpace(*in.KeyPlace)
	}
	if err := bad.err(); err != nil {
		return vis, err
	}
	return vis, s.attribute(ctx, v, vis.At, vis.Location, "visit", &vis.CommunityGridID, &vis.PoliceGridID, &vis.StationID)
}

// visitDoc is vis as c may read it.
func visitDoc(c Caller, v *view, vis *geo.Visit) Located[*VisitProperties] {
	p := &VisitProperties{
		ID: vis.ID, Officer: vis.OfficerID, OfficerName: v.memberName(vis.OfficerID), At: v.localTime(vis.At),
		Kind: vis.Kind, KindZH: vis.Kind.LabelZH(), KindEN: vis.Kind.LabelEN(), Whom: c.text(vis.Whom), Outcome: c.text(vis.Outcome),
		CommunityGrid: vis.CommunityGridID, PoliceGrid: vis.PoliceGridID, Station: vis.StationID,
		RecordedAt: v.localTime(vis.RecordedAt), RecordedBy: vis.RecordedBy,
	}
	if vis.KeyPlaceID != "" {
		kp := vis.KeyPlaceID
		p.KeyPlace = &kp
	}
	return Located[*VisitProperties]{ID: vis.ID, Point: v.toWGS84(vis.Location), Properties: p}
}

// ListVisits answers a page of the visits that q selects (VisitParams)
// and c may read: an officer their own, or those of a grid of their area.
func (s *Service) ListVisits(ctx context.Context, c Caller, q Query) (Page[Located[*VisitProperties]], error) {
	return listed[data.VisitFilter, geo.Visit, Located[*VisitProperties]]{
		filter: visitFilter,
		scope:  s.visitScope,
		query: func(ctx context.Context, f data.VisitFilter, p data.Page) ([]geo.Visit, string, error) {
			res, err := s.o.Visits.QueryVisits(ctx, f, p)
			return res.Visits, res.Next, err
		},
		doc: visitDoc,
	}.list(ctx, s, c, q)
}

// visitFilter reads grid, station, officer, from and to (a time window:
// intake.ParseWindowTime).
func visitFilter(q Query, v *view, bad *params) data.VisitFilter {
	f := data.VisitFilter{GridID: q.get("grid"), StationID: q.get("station"), OfficerID: q.get("officer")}
	for _, name := range []string{"from", "to"} {
		text, ok := q(name)
		if !ok {
			continue
		}
		bound := intake.WindowStart
		if name == "to" {
			bound = intake.WindowEnd
		}
		t, fault := intake.ParseWindowTime(name, text, bound, v.ix.Location())
		if fault != nil {
			*bad = append(*bad, *fault)
			continue
		}
		if bound == intake.WindowStart {
			f.From = t
		} else {
			f.To = t
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		bad.add("from", "from must be before to")
	}
	return f
}
