package datafile

import (
	"errors"
	"fmt"
	"time"

	"jingge/geo"
)

// overlayProps are the properties areas and places share. Times are
// RFC 3339; a date alone ("2027-06-30") is midnight in the dataset's zone.
type overlayProps struct {
	Kind         string `json:"kind"`
	ID           string `json:"id"`
	Name         string `json:"name"`
	Type         string `json:"type"` // the area's or place's kind, e.g. "works"
	Station      string `json:"station"`
	LiaisonName  string `json:"liaison_name,omitempty"`
	LiaisonPhone string `json:"liaison_phone,omitempty"`
	Opening      string `json:"opening,omitempty"`
	ValidFrom    string `json:"valid_from,omitempty"`
	ValidTo      string `json:"valid_to,omitempty"`
}

// readOverlay reads the shared properties of an area or a place feature:
// its id, name and station, its kind (by parseKind) and its validity. p
// holds what was read, its id even when err is set.
func readOverlay[K any](ds *geo.Dataset, f feature, parseKind func(string) (K, error)) (p overlayProps, kind K, v geo.Validity, err error) {
	if err = strict(f.Properties, &p); err != nil {
		return p, kind, v, err
	}
	if v, err = readOverlayHead(ds, &p); err != nil {
		return p, kind, v, err
	}
	if kind, err = parseKind(p.Type); err != nil {
		return p, kind, v, errors.New(`"type": ` + err.Error()[len("geo: "):])
	}
	return p, kind, v, nil
}

// readOverlayHead checks the shared properties of an area or a place and
// returns its validity.
func readOverlayHead(ds *geo.Dataset, p *overlayProps) (geo.Validity, error) {
	if p.ID == "" || p.Name == "" || p.Station == "" {
		return geo.Validity{}, fmt.Errorf(`%s %s needs "id", "name" and "station"`, map[string]string{"area": "an", "place": "a"}[p.Kind], p.Kind)
	}
	loc, err := ds.Meta.Location()
	if err != nil {
		loc = time.UTC // the meta's own problem, reported by geo.Check
	}
	var v geo.Validity
	if v.ValidFrom, err = readTime("valid_from", p.ValidFrom, loc); err != nil {
		return v, err
	}
	if v.ValidTo, err = readTime("valid_to", p.ValidTo, loc); err != nil {
		return v, err
	}
	return v, nil
}

func readTime(name, s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%s %q is not a date (2027-06-30) or an RFC 3339 time", name, s)
}

// writeTime writes t in the dataset's zone, so a file reads the same
// whichever store kept the time (PostgreSQL gives it back in UTC).
func writeTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(time.RFC3339)
}

// readArea reads a feature of kind "area" into ds and returns its id.
func readArea(ds *geo.Dataset, f feature) (string, error) {
	p, kind, v, err := readOverlay(ds, f, geo.ParseAreaKind)
	if err != nil {
		return p.ID, err
	}
	mp, err := areal(f.Geometry)
	if err != nil {
		return p.ID, err
	}
	ds.Areas = append(ds.Areas, geo.Area{ID: p.ID, Name: p.Name, Kind: kind, StationID: p.Station,
		Liaison: geo.Liaison{Name: p.LiaisonName, Phone: p.LiaisonPhone}, Opening: p.Opening, Validity: v, Geometry: mp})
	return p.ID, nil
}

// readPlace reads a feature of kind "place" into ds and returns its id.
func readPlace(ds *geo.Dataset, f feature) (string, error) {
	p, kind, v, err := readOverlay(ds, f, geo.ParsePlaceKind)
	if err != nil {
		return p.ID, err
	}
	pt, err := point(f.Geometry)
	if err != nil {
		return p.ID, err
	}
	ds.Places = append(ds.Places, geo.Place{ID: p.ID, Name: p.Name, Kind: kind, StationID: p.Station,
		Liaison: geo.Liaison{Name: p.LiaisonName, Phone: p.LiaisonPhone}, Opening: p.Opening, Validity: v, Location: pt})
	return p.ID, nil
}

func areaProps(a *geo.Area, loc *time.Location) overlayProps {
	return overlayProps{Kind: "area", ID: a.ID, Name: a.Name, Type: string(a.Kind), Station: a.StationID,
		LiaisonName: a.Liaison.Name, LiaisonPhone: a.Liaison.Phone, Opening: a.Opening,
		ValidFrom: writeTime(a.ValidFrom, loc), ValidTo: writeTime(a.ValidTo, loc)}
}

func placeProps(p *geo.Place, loc *time.Location) overlayProps {
	return overlayProps{Kind: "place", ID: p.ID, Name: p.Name, Type: string(p.Kind), Station: p.StationID,
		LiaisonName: p.Liaison.Name, LiaisonPhone: p.Liaison.Phone, Opening: p.Opening,
		ValidFrom: writeTime(p.ValidFrom, loc), ValidTo: writeTime(p.ValidTo, loc)}
}

// checkpointProps are a checkpoint's properties.
type checkpointProps struct {
	Kind    string `json:"kind"`
	ID      string `json:"id"`
	Name    string `json:"name"`
	Station string `json:"station"`
	Road    string `json:"road,omitempty"`
	Notes   string `json:"notes,omitempty"`
}

// readCheckpoint reads a feature of kind "checkpoint" (a Point) into ds and
// returns its id.
func readCheckpoint(ds *geo.Dataset, f feature) (string, error) {
	var p checkpointProps
	if err := strict(f.Properties, &p); err != nil {
		return p.ID, err
	}
	if p.ID == "" || p.Name == "" || p.Station == "" {
		return p.ID, errors.New(`a checkpoint needs "id", "name" and "station"`)
	}
	pt, err := point(f.Geometry)
	if err != nil {
		return p.ID, err
	}
	ds.Checkpoints = append(ds.Checkpoints, geo.Checkpoint{ID: p.ID, Name: p.Name, StationID: p.Station, Road: p.Road, Notes: p.Notes, Location: pt})
	return p.ID, nil
}

func checkpointPropsOf(c *geo.Checkpoint) checkpointProps {
	return checkpointProps{Kind: "checkpoint", ID: c.ID, Name: c.Name, Station: c.StationID, Road: c.Road, Notes: c.Notes}
}
