package overlayroutes

import (
	"context"
	"time"

	"jingge/api/httpx"
	"jingge/geo"
	"jingge/geo/crs"
)

// OverlayProperties describe a special area or a key place. Lists leave
// the liaison out (they carry no personal data); single items carry it,
// the phone masked for callers who may not read it in full, as members'
// phones are.
type OverlayProperties struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	KindZH      string `json:"kind_zh"`
	KindEN      string `json:"kind_en"`
	Station     string `json:"station"`
	StationName string `json:"station_name,omitempty"`
	// Liaison is the person to call, in single items only.
	Liaison *geo.Liaison `json:"liaison,omitempty"`
	Opening string       `json:"opening,omitempty"`
	// ValidFrom and ValidTo bound the feature's own period, in the
	// dataset's local time; left out when open.
	ValidFrom string `json:"valid_from,omitempty"`
	ValidTo   string `json:"valid_to,omitempty"`
	// InForce says whether the period holds now; lookups answer only
	// features in force.
	InForce bool `json:"in_force"`
	Version int  `json:"version"`
}

// CheckpointProperties describe a checkpoint (查控点). A checkpoint names
// no person, so lists and single items carry the same properties.
type CheckpointProperties struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Station     string `json:"station"`
	StationName string `json:"station_name,omitempty"`
	Road        string `json:"road,omitempty"`
	Notes       string `json:"notes,omitempty"`
	Version     int    `json:"version"`
}

// view is the index in force for one request, with its datum and the
// moment that says what is in force.
type view struct {
	ix    *geo.Index
	datum crs.CRS
	now   time.Time
}

func (rt *Routes) current() (*view, error) {
	ix, datum, err := rt.o.Index()
	if err != nil {
		return nil, err
	}
	return &view{ix: ix, datum: datum, now: rt.o.Now()}, nil
}

func (v *view) stationName(id string) string {
	if st, ok := v.ix.Station(id); ok {
		return st.Name
	}
	return ""
}

func (v *view) localTime(t time.Time) string { return t.In(v.ix.Location()).Format(time.RFC3339Nano) }

func (v *view) overlayProps(id, name, kind, zh, en, station, opening string, val geo.Validity, version int) OverlayProperties {
	p := OverlayProperties{ID: id, Name: name, Kind: kind, KindZH: zh, KindEN: en, Station: station, StationName: v.stationName(station),
		Opening: opening, InForce: val.In(v.now), Version: version}
	if !val.ValidFrom.IsZero() {
		p.ValidFrom = v.localTime(val.ValidFrom)
	}
	if !val.ValidTo.IsZero() {
		p.ValidTo = v.localTime(val.ValidTo)
	}
	return p
}

func (v *view) area(a *geo.Area) httpx.Feature[OverlayProperties] {
	p := v.overlayProps(a.ID, a.Name, string(a.Kind), a.Kind.LabelZH(), a.Kind.LabelEN(), a.StationID, a.Opening, a.Validity, a.Version)
	return httpx.NewFeature(a.ID, httpx.AreaGeometry(crs.ConvertMultiPolygon(a.Geometry, v.datum, crs.WGS84)), p)
}

func (v *view) place(p *geo.Place) httpx.Feature[OverlayProperties] {
	props := v.overlayProps(p.ID, p.Name, string(p.Kind), p.Kind.LabelZH(), p.Kind.LabelEN(), p.StationID, p.Opening, p.Validity, p.Version)
	return httpx.NewFeature(p.ID, crs.Convert(p.Location, v.datum, crs.WGS84), props)
}

func (v *view) checkpoint(c *geo.Checkpoint) httpx.Feature[CheckpointProperties] {
	p := CheckpointProperties{ID: c.ID, Name: c.Name, Station: c.StationID, StationName: v.stationName(c.StationID), Road: c.Road, Notes: c.Notes, Version: c.Version}
	return httpx.NewFeature(c.ID, crs.Convert(c.Location, v.datum, crs.WGS84), p)
}

// withLiaison is the single item f of an area or place with its liaison,
// the phone as the caller of ctx may read it.
func (rt *Routes) withLiaison(ctx context.Context, f httpx.Feature[OverlayProperties], l geo.Liaison) httpx.Feature[OverlayProperties] {
	f.Properties.Liaison = &geo.Liaison{Name: l.Name, Phone: rt.o.Phone(ctx, l.Phone)}
	return f
}

func (rt *Routes) areaItem(ctx context.Context) func(*view, *geo.Area) httpx.Feature[OverlayProperties] {
	return func(v *view, a *geo.Area) httpx.Feature[OverlayProperties] {
		return rt.withLiaison(ctx, v.area(a), a.Liaison)
	}
}

func (rt *Routes) placeItem(ctx context.Context) func(*view, *geo.Place) httpx.Feature[OverlayProperties] {
	return func(v *view, p *geo.Place) httpx.Feature[OverlayProperties] {
		return rt.withLiaison(ctx, v.place(p), p.Liaison)
	}
}
