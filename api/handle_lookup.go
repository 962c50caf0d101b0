package api

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"jingge/api/httpx"
	"jingge/api/intake"
	"jingge/api/locate"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/crs"
)

// The documents of the lookups are package locate's; these names stay for
// the handlers that embed them in answers of their own.
type (
	// MemberInfo is one person serving a grid (locate.MemberInfo).
	MemberInfo = locate.MemberInfo
	// StationRef describes a station (locate.StationRef).
	StationRef = locate.StationRef
	// DatumPoint is a point in the dataset's datum (locate.DatumPoint).
	DatumPoint = locate.DatumPoint
	// Ref names a grid or a station (locate.Ref).
	Ref = locate.Ref
)

func (s *Server) handleLookup(w http.ResponseWriter, r *http.Request, q query) error {
	lon, _ := q.lookup("lon")
	lat, _ := q.lookup("lat")
	pt, err := intake.ParseCoordinates(lon, lat)
	from, crsErr := parseQueryCRS(q)
	fieldsText, fieldsGiven := q.lookup("fields")
	sel, fieldsErr := locate.ParseFields(fieldsText, fieldsGiven, false)
	inc, incErr := locate.ParseInclude(q.lookup)
	if err != nil || crsErr != nil || fieldsErr != nil || incErr != nil {
		return joinInvalid(err, crsErr, fieldsErr, incErr)
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	resp, err := v.loc.Lookup(pt, from, sel.Personal())
	if err != nil {
		return outsideProblem(err)
	}
	s.metrics.Traffic.LookupSingle.Inc()
	v.loc.AddOverlays(resp, inc, time.Now())
	resp.MaskPhones(maskPolicy(r.Context()))
	if !sel.Full() {
		httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, locate.Select(resp, sel))
		return nil
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, resp)
	return nil
}

// outsideProblem is the 404 of a point in no grid (a *locate.OutsideError),
// with the point, the dataset's bounds and the nearest station as members
// of the problem; other errors pass as they are.
func outsideProblem(err error) error {
	oe, ok := err.(*locate.OutsideError) // as Lookup returns it; errors.As would cost an allocation
	if !ok {
		return err
	}
	p := &httpx.Problem{Kind: data.ErrNotFound, Type: httpx.ProblemType("outside-grids"), Detail: oe.Detail}
	if oe.HasGrids {
		p.Extra = map[string]any{"point": oe.Point, "dataset_bounds": oe.Bounds}
		if oe.Nearest != nil {
			p.Extra["nearest_station"] = oe.Nearest
		}
	}
	return p
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
	sel, err := locate.ParseFields(text, given, false)
	return err != nil || sel.Personal()
}

// queryCRSText returns the crs query parameter and whether it is given; a
// crs given empty is refused (locate.CRSText).
func queryCRSText(q query) (string, bool, error) {
	text, ok := q.lookup("crs")
	if err := locate.CRSText(text, ok); err != nil {
		return "", true, err
	}
	return text, ok, nil
}

// parseQueryCRS reads the crs query parameter: WGS-84 when left out.
func parseQueryCRS(q query) (crs.CRS, error) {
	text, ok := q.lookup("crs")
	return locate.ParseQueryCRS(text, ok)
}

// parseCRS reads a crs parameter; "" means WGS-84.
func parseCRS(name, text string) (crs.CRS, error) { return locate.ParseCRS(name, text) }

// stationRef describes st in lookup answers.
func stationRef(st *geo.Station) *StationRef { return locate.NewStationRef(st) }

// memberInfos describes ms with their phone numbers as stored.
func memberInfos(ms []*geo.Member) []MemberInfo { return locate.MemberInfos(ms) }

// joinInvalid merges 400 problems so the client hears of every bad
// parameter at once; nil arguments are skipped.
func joinInvalid(errs ...error) error {
	var params []httpx.InvalidParam
	for _, err := range errs {
		if p, ok := err.(*httpx.Problem); ok {
			params = append(params, p.InvalidParams...)
		} else if p := httpx.RequestProblem(err); p != nil && errors.Is(err, data.ErrInvalid) {
			params = append(params, p.InvalidParams...)
		} else if err != nil {
			return err
		}
	}
	if len(params) == 0 {
		return nil
	}
	return httpx.Invalid(params...)
}

// httpParams are the invalid parameters of an application package's
// refusal as the API lists them.
func httpParams(ps []data.Param) []httpx.InvalidParam {
	if ps == nil {
		return nil
	}
	out := make([]httpx.InvalidParam, len(ps))
	for i, p := range ps {
		out[i] = httpx.InvalidParam{Name: p.Name, Reason: p.Reason, Code: p.Code}
	}
	return out
}
