package locate

import (
	"fmt"
	"strings"

	"jingge/api/intake"
	"jingge/data"
)

// A phone or a GPS gateway that asks where a point lies needs the grid,
// not a 1.6 KB document with the people who serve it: the fields
// parameter of both lookups selects what the answer carries, and the
// value ids writes grids and stations as their ids alone. An answer
// without members holds no personal data and is not audited.

// field is one property of a lookup answer that fields may select.
type field uint8

const (
	fieldQuery field = 1 << iota
	fieldPoint
	fieldCommunityGrid
	fieldPoliceGrid
	fieldStation
	fieldRegion
	// fieldIDs writes grids and the station as their ids: a shape, not a
	// property.
	fieldIDs
)

// fieldNames names the values of fields, in the order answers write them.
var fieldNames = []struct {
	name  string
	field field
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
	allFields = fieldQuery | fieldPoint | fieldCommunityGrid | fieldPoliceGrid | fieldStation | fieldRegion
	idFields  = fieldCommunityGrid | fieldPoliceGrid | fieldStation
	// membersFields carry the members' names and phones unless written as ids.
	membersFields = fieldCommunityGrid | fieldPoliceGrid
)

// Selection is what one lookup answer carries, from its fields parameter.
type Selection field

func (s Selection) has(f field) bool { return field(s)&f != 0 }

// ids reports whether grids and stations are written as their ids.
func (s Selection) ids() bool { return s.has(fieldIDs) }

// Full reports whether the answer is the full form, with every property
// in its full shape.
func (s Selection) Full() bool { return field(s) == allFields }

// Personal reports whether the answer names people: a grid in full
// shape carries its members' names and phones.
func (s Selection) Personal() bool { return s.has(membersFields) && !s.ids() }

// ParseFields reads a fields parameter (given reports whether it was
// given): a comma-separated list of property names, in any order; ids
// alone selects the three ids. Without the parameter the answer is the
// full form. batch restricts the names to those of the batch lookup's
// results, whose answer without fields carries the three grids and
// station as names.
func ParseFields(text string, given, batch bool) (Selection, error) {
	if !given {
		if batch {
			return Selection(idFields), nil
		}
		return Selection(allFields), nil
	}
	var sel field
	for _, part := range strings.Split(text, ",") {
		name := strings.TrimSpace(part)
		f, ok := fieldByName(name, batch)
		if !ok {
			return 0, data.InvalidParams(data.Param{Name: "fields", Reason: fmt.Sprintf("%s; fields is a comma-separated list of %s (ids writes grids and the station as their ids; ids alone gives the three ids)",
				unknownFieldText(name), strings.Join(fieldList(batch), ", "))})
		}
		sel |= f
	}
	if sel == fieldIDs {
		sel |= idFields
	}
	return Selection(sel), nil
}

func unknownFieldText(name string) string {
	if name == "" {
		return "a field name is empty"
	}
	return fmt.Sprintf("there is no field %q", intake.Clip([]byte(name)))
}

func fieldByName(name string, batch bool) (field, bool) {
	for _, n := range fieldNames {
		if n.name == name && (n.batch || !batch) {
			return n.field, true
		}
	}
	return 0, false
}

// fieldList is the names fields accepts.
func fieldList(batch bool) []string {
	var out []string
	for _, n := range fieldNames {
		if n.batch || !batch {
			out = append(out, n.name)
		}
	}
	return out
}
