package pgsql

import (
	"jingge/data"
	"jingge/geo"
)

// CheckDatasetText lists each text field of ds that PostgreSQL cannot
// store (a NUL, invalid UTF-8; see data.ValidText), so an import names
// the record and field instead of failing with the database's encoding
// error.
func CheckDatasetText(ds *geo.Dataset) []data.Problem {
	var out []data.Problem
	check := func(kind, id string, fields map[string]string) {
		for _, name := range []string{"id", "code", "name", "name_en", "brand", "phone", "station", "parent", "township", "description", "generated", "datum", "what", "license", "liaison_name", "liaison_phone", "opening"} {
			v, ok := fields[name]
			if !ok {
				continue
			}
			if why := data.TextReason(v); why != "" {
				out = append(out, data.Problem{Kind: kind, ID: data.StorableText(id), Reason: name + " " + why})
			}
		}
	}
	list := func(kind, id, name string, vs []string) {
		for _, v := range vs {
			if why := data.TextReason(v); why != "" {
				out = append(out, data.Problem{Kind: kind, ID: data.StorableText(id), Reason: name + " " + why})
				return
			}
		}
	}
	m := ds.Meta
	check("dataset", "", map[string]string{"name": m.Name, "description": m.Description, "generated": m.Generated, "datum": m.Datum})
	list("dataset", "", "real", m.Real)
	list("dataset", "", "synthetic", m.Synthetic)
	list("dataset", "", "caveats", m.Caveats)
	for _, s := range m.Sources {
		check("dataset", "", map[string]string{"name": s.Name, "what": s.What, "license": s.License})
	}
	for _, st := range ds.Stations {
		check("station", st.ID, map[string]string{"id": st.ID, "name": st.Name, "name_en": st.NameEN, "brand": st.Brand, "phone": st.Phone})
	}
	for _, t := range ds.Townships {
		check("township", t.Code, map[string]string{"code": t.Code, "name": t.Name})
		list("township", t.Code, "stations", t.StationIDs)
	}
	for _, g := range ds.Grids {
		check("grid", g.ID, map[string]string{"id": g.ID, "name": g.Name, "station": g.StationID, "parent": g.ParentID, "township": g.Township})
	}
	for _, mb := range ds.Members {
		check("member", mb.ID, map[string]string{"id": mb.ID, "name": mb.Name, "phone": mb.Phone, "station": mb.StationID})
		list("member", mb.ID, "grids", mb.GridIDs)
	}
	for _, a := range ds.Areas {
		check("area", a.ID, overlayText(a.ID, a.Name, a.StationID, a.Liaison, a.Opening))
	}
	for _, p := range ds.Places {
		check("place", p.ID, overlayText(p.ID, p.Name, p.StationID, p.Liaison, p.Opening))
	}
	for _, c := range ds.Checkpoints {
		check("checkpoint", c.ID, map[string]string{"id": c.ID, "name": c.Name, "station": c.StationID, "road": c.Road, "notes": c.Notes})
	}
	return out
}

// overlayText names the text fields of an area or a place.
func overlayText(id, name, station string, l geo.Liaison, opening string) map[string]string {
	return map[string]string{"id": id, "name": name, "station": station, "liaison_name": l.Name, "liaison_phone": l.Phone, "opening": opening}
}
