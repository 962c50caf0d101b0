package records

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"jingge/data"
	"jingge/geo"
)

// maxDisputeAge is how long after its report a dispute may still be
// recorded through the API; older ones come in by CSV import.
const maxDisputeAge = 90 * 24 * time.Hour

// tooOldDispute says where disputes older than maxDisputeAge go.
const tooOldDispute = "older records come in by CSV import (jingge import --kind)"

// DisputeRequest is the body of POST /api/v1/disputes.
type DisputeRequest struct {
	// ReportedAt is when it was reported (RFC 3339; without an offset the
	// dataset's time); now when left out.
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

// DisputeProperties describe a dispute feature. Times are RFC 3339 in the
// dataset's time. Parties have names and phone numbers masked, and summary
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

// DisputeParams are the query parameters of a list of disputes.
var DisputeParams = []string{"station", "grid", "month", "status", "limit", "cursor"}

// AddDispute records the dispute of body (a DisputeRequest) under key, or
// replays the dispute first recorded under it; replayed says which.
func (s *Service) AddDispute(ctx context.Context, c Caller, body []byte, key string) (Located[*DisputeProperties], bool, error) {
	return keyed[DisputeRequest, geo.DisputeCase, Located[*DisputeProperties]]{
		members: "reported_at, lon, lat, crs, kind, parties, summary, level, method, mediation_brand and settled_at",
		build:   s.buildDispute,
		store: func(ctx context.Context, d geo.DisputeCase, in *DisputeRequest, key, scope string) (geo.DisputeCase, bool, error) {
			sent := d // as the client sent it: times the server filled in are not part of the request
			if in.ReportedAt == "" {
				sent.ReportedAt = time.Time{}
			}
			if in.SettledAt == "" {
				sent.SettledAt = time.Time{}
			}
			res, err := s.o.Disputes.AddDispute(ctx, data.DisputeWrite{Dispute: d, Key: key, Scope: scope, Digest: data.DisputeDigest(&sent)})
			return res.Dispute, res.Replayed, err
		},
		doc: func(c Caller, v *view, d *geo.DisputeCase, replayed bool) Located[*DisputeProperties] {
			out := disputeDoc(c, v, d)
			out.Properties.Replayed = replayed
			return out
		},
	}.add(ctx, s, c, body, key)
}

// buildDispute checks a request's fields and returns the dispute,
// attributed, its location in the dataset's datum.
func (s *Service) buildDispute(ctx context.Context, c Caller, v *view, in *DisputeRequest) (geo.DisputeCase, error) {
	var bad params
	d := geo.DisputeCase{Parties: strings.TrimSpace(in.Parties), Summary: strings.TrimSpace(in.Summary), MediationBrand: strings.TrimSpace(in.MediationBrand), Level: geo.DisputeOpen, RecordedBy: c.Name}
	d.ReportedAt = s.pastTime(v, "reported_at", in.ReportedAt, maxDisputeAge, tooOldDispute, &bad)
	d.Location = v.placeOf(in.Lon, in.Lat, in.CRS, &bad)
	d.Kind, _ = enum("kind", in.Kind, geo.ParseDisputeKind, &bad)
	if strings.TrimSpace(in.Level) != "" {
		if l, ok := enum("level", in.Level, geo.ParseDisputeLevel, &bad); ok {
			d.Level = l
		}
	}
	if strings.TrimSpace(in.Method) != "" {
		d.Method, _ = enum("method", in.Method, geo.ParseSettleMethod, &bad)
	}
	if d.Level.Settled() {
		d.SettledAt = s.pastTime(v, "settled_at", in.SettledAt, 0, "", &bad)
	} else if in.SettledAt != "" {
		bad.add("settled_at", "an open dispute has no settled_at; give the level it was settled at with it")
	}
	if err := bad.err(); err != nil {
		return d, err
	}
	return d, s.attribute(ctx, v, d.ReportedAt, d.Location, "dispute", &d.CommunityGridID, &d.PoliceGridID, &d.StationID)
}

// UpdateDispute changes the settlement of dispute id by body (a
// DisputePatchRequest); an officer changes their own station's only.
// Under keep's key the store keeps keep's answer with the change (Keep),
// and a retry under the key fails with the data.Replay of the first
// answer.
func (s *Service) UpdateDispute(ctx context.Context, c Caller, id string, body []byte, keep Keep[Located[*DisputeProperties]]) (Located[*DisputeProperties], error) {
	var in DisputePatchRequest
	if err := decodeStrict(body, &in, "level, method, mediation_brand and settled_at"); err != nil {
		return Located[*DisputeProperties]{}, err
	}
	if in.Level == nil && in.Method == nil && in.MediationBrand == nil && in.SettledAt == nil {
		return Located[*DisputeProperties]{}, invalidBody(`the body changes nothing; send e.g. {"level": "village", "method": "mediation_brand", "mediation_brand": "朱先生说事"}`)
	}
	v, err := s.current()
	if err != nil {
		return Located[*DisputeProperties]{}, err
	}
	cur, err := s.o.Disputes.Dispute(ctx, id)
	if err != nil {
		return Located[*DisputeProperties]{}, err
	}
	if err := mayChange(c, v, cur.StationID, "dispute "+id); err != nil {
		return Located[*DisputeProperties]{}, err
	}
	var bad params
	p := data.DisputePatch{At: s.o.Now(), MediationBrand: in.MediationBrand, By: c.Name, Key: keep.Key}
	p.Answer = answerOf(keep, func(d *geo.DisputeCase) Located[*DisputeProperties] { return disputeDoc(c, v, d) })
	if in.Level != nil {
		if l, ok := enum("level", *in.Level, geo.ParseDisputeLevel, &bad); ok {
			p.Level = &l
		}
	}
	if in.Method != nil {
		if m, ok := enum("method", *in.Method, geo.ParseSettleMethod, &bad); ok {
			p.Method = &m
		}
	}
	if in.SettledAt != nil {
		p.SettledAt = s.pastTime(v, "settled_at", *in.SettledAt, 0, "", &bad)
	}
	if err := bad.err(); err != nil {
		return Located[*DisputeProperties]{}, err
	}
	d, err := s.o.Disputes.UpdateDispute(ctx, id, p)
	if err != nil {
		return Located[*DisputeProperties]{}, err
	}
	return disputeDoc(c, v, &d), nil
}

// disputeDoc is d as c may read it.
func disputeDoc(c Caller, v *view, d *geo.DisputeCase) Located[*DisputeProperties] {
	p := &DisputeProperties{
		ID: d.ID, ReportedAt: v.localTime(d.ReportedAt), Kind: d.Kind, KindZH: d.Kind.LabelZH(), KindEN: d.Kind.LabelEN(),
		Parties: c.parties(d.Parties), Summary: c.text(d.Summary),
		Level: d.Level, LevelZH: d.Level.LabelZH(), LevelEN: d.Level.LabelEN(), Method: d.Method, MediationBrand: d.MediationBrand,
		SettledAt: v.optionalTime(d.SettledAt), CommunityGrid: d.CommunityGridID, PoliceGrid: d.PoliceGridID, Station: d.StationID,
		RecordedAt: v.localTime(d.RecordedAt), RecordedBy: d.RecordedBy, UpdatedAt: v.optionalTime(d.UpdatedAt), UpdatedBy: d.UpdatedBy,
	}
	if n, ok := d.DaysToSettle(); ok {
		p.DaysToSettle = &n
	}
	return Located[*DisputeProperties]{ID: d.ID, Point: v.toWGS84(d.Location), Properties: p}
}

// ListDisputes answers a page of the disputes that q selects
// (DisputeParams); an officer reads their own station's.
func (s *Service) ListDisputes(ctx context.Context, c Caller, q Query) (Page[Located[*DisputeProperties]], error) {
	return listed[data.DisputeFilter, geo.DisputeCase, Located[*DisputeProperties]]{
		filter: func(q Query, v *view, bad *params) data.DisputeFilter {
			f := data.DisputeFilter{GridID: q.get("grid"), StationID: q.get("station")}
			month(q, v, &f.From, &f.To, bad)
			switch status := q.get("status"); status {
			case "":
			case "open", "settled":
				open := status == "open"
				f.Open = &open
			default:
				bad.add("status", "status must be open or settled, got %q", status)
			}
			return f
		},
		scope: func(c Caller, v *view, f *data.DisputeFilter) error { return stationScope(c, v, &f.StationID) },
		query: func(ctx context.Context, f data.DisputeFilter, p data.Page) ([]geo.DisputeCase, string, error) {
			res, err := s.o.Disputes.QueryDisputes(ctx, f, p)
			return res.Disputes, res.Next, err
		},
		doc: disputeDoc,
	}.list(ctx, s, c, q)
}
