package api

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"jingge/api/httpx"
)

// pathRouter picks a request's route by comparing its path with the route
// table's templates segment by segment, and hands everything it does not
// pick to mux, which answers as it always did: redirects of unclean paths,
// 405 with Allow, 404 and the pages.
//
// mux tries the routes' regular expressions one by one, in table order, and
// copies the request twice to carry the route and its variables; for a tile
// or a lookup that was about a quarter of the handler's time, more than the
// rest of the answer (docs/performance.md). A template here is a list of
// segments, each a literal or one of the forms the table uses: "{v}",
// "{v}.{w}" (split at the last dot that leaves both sides non-empty, as
// mux's greedy regular expression does) and "{v}.suffix". The route chosen
// is the first in table order whose template matches the path and whose
// methods hold the request's, which is mux's rule; a template of any other
// form stops the search there, so mux decides from that route on.
// TestPathRouterAgrees and FuzzPathRouterAgrees compare both choices.
type pathRouter struct {
	// bySegments lists the routes by their number of segments, in table
	// order: a path can only match a template with as many segments.
	bySegments map[int][]*pathRoute
	// opaque is set by the first template of another form: routes from
	// there on are mux's alone.
	opaque bool
	next   http.Handler
}

// pathRoute is one route of the table as pathRouter matches it.
type pathRoute struct {
	name     string
	segments []segmentPattern
	vars     int
	methods  []string
	handler  http.Handler
}

type segmentKind uint8

const (
	segmentLiteral   segmentKind = iota
	segmentVar                   // {v}
	segmentVarDotVar             // {v}.{w}
	segmentVarSuffix             // {v}.suffix, suffix holding the dot
)

type segmentPattern struct {
	kind          segmentKind
	literal       string // the literal, or the suffix
	first, second string // variable names
}

// maxPathSegments bounds the paths pathRouter splits; longer ones, which
// no route takes, go to mux.
const maxPathSegments = 12

// newPathRouter builds the router over the routes in table order, each
// with its methods and handler; next answers what it does not pick.
func newPathRouter(next http.Handler) *pathRouter {
	return &pathRouter{bySegments: map[int][]*pathRoute{}, next: next}
}

// add appends a route, the next in table order.
func (pr *pathRouter) add(name, template string, methods []string, h http.Handler) {
	if pr.opaque {
		return
	}
	segs, ok := parseTemplate(template)
	if !ok || len(segs) > maxPathSegments {
		pr.opaque = true
		return
	}
	rt := &pathRoute{name: name, segments: segs, methods: methods, handler: h}
	for _, s := range segs {
		switch s.kind {
		case segmentVar, segmentVarSuffix:
			rt.vars++
		case segmentVarDotVar:
			rt.vars += 2
		}
	}
	pr.bySegments[len(segs)] = append(pr.bySegments[len(segs)], rt)
}

// parseTemplate splits a mux path template into segment patterns, and
// reports false for a form pathRouter does not match itself (a variable
// with its own pattern, a variable inside a literal, an empty segment).
func parseTemplate(template string) ([]segmentPattern, bool) {
	rest, ok := strings.CutPrefix(template, "/")
	if !ok {
		return nil, false
	}
	var segs []segmentPattern
	for part := range strings.SplitSeq(rest, "/") {
		s, ok := parseSegment(part)
		if !ok {
			return nil, false
		}
		segs = append(segs, s)
	}
	return segs, true
}

func parseSegment(part string) (segmentPattern, bool) {
	if !strings.ContainsAny(part, "{}") {
		return segmentPattern{kind: segmentLiteral, literal: part}, part != ""
	}
	name, rest, ok := cutVar(part)
	switch {
	case !ok:
		return segmentPattern{}, false
	case rest == "":
		return segmentPattern{kind: segmentVar, first: name}, true
	case !strings.HasPrefix(rest, ".") || len(rest) == 1:
		return segmentPattern{}, false
	case !strings.ContainsAny(rest, "{}"):
		return segmentPattern{kind: segmentVarSuffix, first: name, literal: rest}, true
	}
	second, tail, ok := cutVar(rest[1:])
	if !ok || tail != "" {
		return segmentPattern{}, false
	}
	return segmentPattern{kind: segmentVarDotVar, first: name, second: second}, true
}

// cutVar reads "{name}" at the start of s: a plain name, no pattern of its
// own.
func cutVar(s string) (name, rest string, ok bool) {
	inner, ok := strings.CutPrefix(s, "{")
	if !ok {
		return "", "", false
	}
	name, rest, ok = strings.Cut(inner, "}")
	if !ok || name == "" || strings.ContainsAny(name, ":{") {
		return "", "", false
	}
	return name, rest, true
}

// ServeHTTP answers from the route the path picks, or hands the request on.
// The variables go to the request's State (httpx.PathVar reads them),
// which costs no copy of the request; mux's way, a copy with a new context
// and a map, is left for a request that has no State.
func (pr *pathRouter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var segs [maxPathSegments]string
	rt, n := pr.route(r.Method, r.URL.Path, &segs)
	if rt == nil {
		pr.next.ServeHTTP(w, r)
		return
	}
	if rt.vars > 0 && !rt.keepVars(httpx.StateOf(r.Context()), segs[:n]) {
		r = mux.SetURLVars(r, rt.varsOf(segs[:n]))
	}
	rt.handler.ServeHTTP(w, r)
}

// match returns the route for method and path, with its variables (nil
// when it has none), or nil when mux is to decide.
func (pr *pathRouter) match(method, path string) (*pathRoute, map[string]string) {
	var segs [maxPathSegments]string
	rt, n := pr.route(method, path, &segs)
	if rt == nil || rt.vars == 0 {
		return rt, nil
	}
	return rt, rt.varsOf(segs[:n])
}

// route returns the route for method and path, having split the path into
// segs, and the number of segments; nil when mux is to decide.
func (pr *pathRouter) route(method, path string, segs *[maxPathSegments]string) (*pathRoute, int) {
	n, ok := splitCleanPath(path, segs)
	if !ok {
		return nil, 0
	}
	for _, rt := range pr.bySegments[n] {
		if rt.matches(segs[:n]) && hasMethod(rt.methods, method) {
			return rt, n
		}
	}
	return nil, 0
}

// splitCleanPath splits an absolute path into its segments, and reports
// false for a path mux would redirect to its clean form (an empty, "." or
// ".." segment) or one with more segments than segs holds.
func splitCleanPath(path string, segs *[maxPathSegments]string) (int, bool) {
	rest, ok := strings.CutPrefix(path, "/")
	if !ok {
		return 0, false
	}
	n := 0
	for {
		seg, after, more := strings.Cut(rest, "/")
		if seg == "" || seg == "." || seg == ".." || n == maxPathSegments {
			return 0, false
		}
		segs[n] = seg
		n++
		if !more {
			return n, true
		}
		rest = after
	}
}

func (rt *pathRoute) matches(segs []string) bool {
	for i, p := range rt.segments {
		s := segs[i]
		switch p.kind {
		case segmentLiteral:
			if s != p.literal {
				return false
			}
		case segmentVarDotVar:
			if lastInnerDot(s) < 0 {
				return false
			}
		case segmentVarSuffix:
			if len(s) <= len(p.literal) || !strings.HasSuffix(s, p.literal) {
				return false
			}
		}
	}
	return true
}

// varsOf returns the route's variables in the path's segments.
func (rt *pathRoute) varsOf(segs []string) map[string]string {
	vars := make(map[string]string, rt.vars)
	rt.eachVar(segs, func(name, value string) bool {
		vars[name] = value
		return true
	})
	return vars
}

// keepVars adds the route's variables in the path's segments to st, and
// reports whether it holds them all.
func (rt *pathRoute) keepVars(st *httpx.State, segs []string) bool {
	if st == nil {
		return false
	}
	st.ResetPathVars()
	if !rt.eachVar(segs, st.AddPathVar) {
		st.ResetPathVars()
		return false
	}
	return true
}

// eachVar calls add with each of the route's variables in the path's
// segments, in template order, while add returns true; it reports whether
// add took them all.
func (rt *pathRoute) eachVar(segs []string, add func(name, value string) bool) bool {
	for i, p := range rt.segments {
		s := segs[i]
		ok := true
		switch p.kind {
		case segmentVar:
			ok = add(p.first, s)
		case segmentVarDotVar:
			dot := lastInnerDot(s)
			ok = add(p.first, s[:dot]) && add(p.second, s[dot+1:])
		case segmentVarSuffix:
			ok = add(p.first, s[:len(s)-len(p.literal)])
		}
		if !ok {
			return false
		}
	}
	return true
}

// lastInnerDot is where "{v}.{w}" splits s: the last dot with something on
// both sides, or -1.
func lastInnerDot(s string) int {
	for i := len(s) - 2; i >= 1; i-- {
		if s[i] == '.' {
			return i
		}
	}
	return -1
}

func hasMethod(methods []string, method string) bool {
	for _, m := range methods {
		if m == method {
			return true
		}
	}
	return false
}
