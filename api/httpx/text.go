package httpx

import (
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"

	"github.com/gorilla/mux"

	"jingge/data"
)

// WithValidText refuses, with a 400 naming the field, a request whose
// path variables or query parameters hold text no store can keep: a NUL
// (%00) or bytes that are not UTF-8. It runs before access control, so
// such a request is neither looked up nor audited: one GET
// /api/v1/grids/x%00 must not reach PostgreSQL, whose refusal of the text
// would otherwise fail the request with a 500 (or its audit entry with
// the entries it is committed with).
func WithValidText(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if bad := invalidText(r); len(bad) > 0 {
			WriteError(w, r, logger, Invalid(bad...))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// invalidText lists the path variables and query parameters of r that are
// not valid text (data.ValidText).
func invalidText(r *http.Request) []InvalidParam {
	if r.URL.RawQuery == "" && data.ValidText(r.URL.Path) && pathVarsValid(r) {
		// The common case, checked without allocating: every request
		// passes here, a tile request many times a second.
		return nil
	}
	vars := PathVars(r)
	var bad []InvalidParam
	for _, name := range slices.Sorted(maps.Keys(vars)) {
		if why := data.TextReason(vars[name]); why != "" {
			bad = append(bad, InvalidParam{Name: name, Reason: "the path segment " + name + " " + why})
		}
	}
	if len(bad) == 0 {
		if why := data.TextReason(r.URL.Path); why != "" {
			bad = append(bad, InvalidParam{Name: "path", Reason: "the path " + why})
		}
	}
	// A query string that does not parse is refused by the endpoint; what
	// parses is checked here.
	values, _ := url.ParseQuery(r.URL.RawQuery)
	return append(bad, InvalidTextValues(values, "query parameter")...)
}

// pathVarsValid reports whether every path variable of r (PathVar) is
// valid text.
func pathVarsValid(r *http.Request) bool {
	if st := StateOf(r.Context()); st != nil && st.nvars > 0 {
		for _, v := range st.vars[:st.nvars] {
			if !data.ValidText(v.value) {
				return false
			}
		}
		return true
	}
	for _, v := range mux.Vars(r) {
		if !data.ValidText(v) {
			return false
		}
	}
	return true
}

// InvalidTextValues lists the names and values of v (a query or a form)
// that are not valid text; what says which.
func InvalidTextValues(v url.Values, what string) []InvalidParam {
	var bad []InvalidParam
	for _, name := range slices.Sorted(maps.Keys(v)) {
		if why := data.TextReason(name); why != "" {
			bad = append(bad, InvalidParam{Name: data.StorableText(name), Reason: "the name of a " + what + " " + why})
			continue
		}
		for _, value := range v[name] {
			if why := data.TextReason(value); why != "" {
				bad = append(bad, InvalidParam{Name: name, Reason: "the " + what + " " + name + " " + why})
				break
			}
		}
	}
	return bad
}
