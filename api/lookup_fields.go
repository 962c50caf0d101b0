package api

import (
	"fmt"
	"jingge/api/httpx"
	"net/http"
	"net/url"
	"strings"

	"jingge/api/intake"
)

// A phone or a GPS gateway that asks where a point lies needs the grid,
// not a 1.6 KB document with the people who serve it: the fields
// parameter of both lookups selects what the answer carries, and the
// value ids writes grids and stations as their ids alone. An answer
// without members holds no personal data and is not audited.

// lookupField is one property of a lookup answer that fields may select.
type lookupField uint8

const (
	fieldQuery lookupField = 1 << iota
	fieldPoint
	fieldCommunityGrid
	fieldPoliceGrid
	fieldStation
	fieldRegion
	// fieldIDs writes grids and the station as their ids: a shape, not a
	// property.
	fieldIDs
)

// lookupFieldNames names the values of fields, in the order answers
// write them.
var lookupFieldNames = []struct {
	name  string
	field lookupField
	batch bool // a property of the batch lookup's results too
}{
	{"query", fieldQuery, false},
	{"point", fieldPoint, false},
	{"community_grid", fieldCommunityGrid, true},
	{"police_grid", fieldPoliceGrid, true},
	{"station", fieldStation, true},
	{"region", fieldRegion, false},
	{"ids", fieldIDs, true},
}

// The selections without a fields parameter (everything, as before) and
// with fields=ids alone (the three ids).
const (
	allLookupFields = fieldQuery | fieldPoint | fieldCommunityGrid | fieldPoliceGrid | fieldStation | fieldRegion
	idLookupFields  = fieldCommunityGrid | fieldPoliceGrid | fieldStation
	// membersFields carry the members' names and phones unless written as ids.
	membersFields = fieldCommunityGrid | fieldPoliceGrid
)

// lookupSelection is what one lookup answer carries.
type lookupSelection lookupField

func (s lookupSelection) has(f lookupField) bool { return lookupField(s)&f != 0 }

// ids reports whether grids and stations are written as their ids.
func (s lookupSelection) ids() bool { return s.has(fieldIDs) }

// full reports whether the answer is the full form, with every property
// in its full shape.
func (s lookupSelection) full() bool { return lookupField(s) == allLookupFields }

// personal reports whether the answer names people: a grid in full
// shape carries its members' names and phones.
func (s lookupSelection) personal() bool { return s.has(membersFields) && !s.ids() }

// parseLookupFields reads a fields parameter: a comma-separated list of
// property names, in any order; ids alone selects the three ids. Without
// the parameter the answer is the full form. batch restricts the names to
// those of the batch lookup's results.
func parseLookupFields(text string, given, batch bool) (lookupSelection, error) {
	if !given {
		if batch {
			return lookupSelection(idLookupFields), nil
		}
		return lookupSelection(allLookupFields), nil
	}
	var sel lookupField
	for _, part := range strings.Split(text, ",") {
		name := strings.TrimSpace(part)
		f, ok := lookupFieldByName(name, batch)
		if !ok {
			return 0, httpx.Invalid(httpx.InvalidParam{Name: "fields", Reason: fmt.Sprintf("%s; fields is a comma-separated list of %s (ids writes grids and the station as their ids; ids alone gives the three ids)",
				unknownFieldText(name), strings.Join(lookupFieldList(batch), ", "))})
		}
		sel |= f
	}
	if sel == fieldIDs {
		sel |= idLookupFields
	}
	return lookupSelection(sel), nil
}

func unknownFieldText(name string) string {
	if name == "" {
		return "a field name is empty"
	}
	return fmt.Sprintf("there is no field %q", intake.Clip([]byte(name)))
}

func lookupFieldByName(name string, batch bool) (lookupField, bool) {
	for _, n := range lookupFieldNames {
		if n.name == name && (n.batch || !batch) {
			return n.field, true
		}
	}
	return 0, false
}

// lookupFieldList is the names fields accepts.
func lookupFieldList(batch bool) []string {
	var out []string
	for _, n := range lookupFieldNames {
		if n.batch || !batch {
			out = append(out, n.name)
		}
	}
	return out
}

// lookupIsPersonal reports whether a GET /api/v1/lookup answers with
// personal data, from its query alone: true unless a valid fields
// parameter selects no grid in full shape. A request whose fields is bad
// counts as personal; it is refused anyway, after its audit entry.
func lookupIsPersonal(r *http.Request) bool {
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return true
	}
	vs, given := values["fields"]
	if given && len(vs) != 1 {
		return true
	}
	text := ""
	if given {
		text = vs[0]
	}
	sel, err := parseLookupFields(text, given, false)
	return err != nil || sel.personal()
}
