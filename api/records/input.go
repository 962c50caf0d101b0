package records

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo/crs"
)

// Query reads one query parameter of a request: its value and whether it
// was given.
type Query func(name string) (string, bool)

func (q Query) get(name string) string {
	v, _ := q(name)
	return v
}

// params gathers the faults of one request, to refuse them all at once.
type params []data.Param

func (p *params) add(name, format string, args ...any) {
	*p = append(*p, data.Param{Name: name, Reason: fmt.Sprintf(format, args...)})
}

// err is the refusal naming every fault, nil when there is none.
func (p params) err() error {
	if len(p) == 0 {
		return nil
	}
	return data.InvalidParams(p...)
}

func invalidBody(format string, args ...any) error {
	return &data.RequestError{Kind: data.ErrInvalid, Type: "invalid-body", Message: fmt.Sprintf(format, args...)}
}

// decodeStrict reads a JSON object body into dst, refusing unknown
// members and trailing data; members lists what the object may hold.
func decodeStrict(body []byte, dst any, members string) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return invalidBody("the body must be a JSON object with %s: %s", members, strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return invalidBody("the body must hold one JSON object, not more")
	}
	return nil
}

// pastTime reads the member name, a time no later than now (allowing the
// clock skew) and, when maxAge is set, no more than maxAge before it (tooOld
// says where older ones go); empty is now.
func (s *Service) pastTime(v *view, name, text string, maxAge time.Duration, tooOld string, bad *params) time.Time {
	now := s.o.Now()
	if text == "" {
		return now
	}
	t, err := intake.ParseTime(text, v.ix.Location())
	switch {
	case err != nil:
		bad.add(name, "%s %v", name, err)
	case t.After(now.Add(s.o.MaxAhead)):
		bad.add(name, "%s %s is in the future (the server's clock says %s)", name, t.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	case maxAge > 0 && t.Before(now.Add(-maxAge)):
		bad.add(name, "%s %s is more than %d days ago; %s", name, t.Format(time.RFC3339), int(maxAge.Hours()/24), tooOld)
	default:
		return t
	}
	return now
}

// placeOf reads the lon, lat and crs members of a record's body into a
// point in the dataset's datum; each problem is named after its member.
func (v *view) placeOf(lon, lat *json.Number, crsText string, bad *params) orb.Point {
	var lonText, latText string
	if lon != nil {
		lonText = lon.String()
	}
	if lat != nil {
		latText = lat.String()
	}
	pt, err := intake.ParseCoordinates(lonText, latText)
	var re *data.RequestError
	if errors.As(err, &re) {
		for _, prm := range re.Params {
			*bad = append(*bad, data.Param{Name: prm.Name, Reason: prm.Reason})
		}
	}
	from := crs.WGS84
	if crsText != "" {
		c, err := crs.Parse(crsText)
		if err != nil {
			bad.add("crs", "%v", err)
		}
		from = c
	}
	return crs.Convert(pt, from, v.datum)
}

// enum reads a member of a closed set with parse, naming it when it is
// none of them.
func enum[T any](name, text string, parse func(string) (T, error), bad *params) (T, bool) {
	t, err := parse(strings.TrimSpace(text))
	if err != nil {
		bad.add(name, "%s %s", name, strings.TrimPrefix(err.Error(), "geo: "))
		return t, false
	}
	return t, true
}

// month reads month= (YYYY-MM) into the bounds of that month.
func month(q Query, v *view, from, to *time.Time, bad *params) {
	text, ok := q("month")
	if !ok {
		return
	}
	var err error
	if *from, *to, err = data.MonthBounds(strings.TrimSpace(text), v.ix.Location()); err != nil {
		bad.add("month", "month %q: write it as YYYY-MM, e.g. 2026-03", text)
	}
}

// page reads limit= and cursor= of a paged list.
func page(q Query, bad *params) data.Page {
	p, fault := intake.ParsePage(q)
	if fault != nil {
		*bad = append(*bad, *fault)
	}
	return p
}
