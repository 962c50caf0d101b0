package httpx

import (
	"context"
	"net/http"

	"github.com/gorilla/mux"
)

// State is what the server's layers learn about one request, kept in one
// value of its context: WithRequestID makes it with the request's id, the
// path router adds the path's variables, the access guard the caller. Each
// layer adds to it rather than copying the request to carry a context
// with one more value (a copy of an *http.Request is some 250 bytes, and
// each value of a context one more allocation), which on a warm tile was
// most of what it cost beyond /healthz (docs/performance.md).
//
// A State belongs to its request: a layer writes it before it calls the
// next one, from the request's goroutine, and whatever reads it runs after
// that write (in the same goroutine, or one started after it).
type State struct {
	id     string
	caller any
	nvars  int
	vars   [maxStateVars]stateVar
}

type stateVar struct{ name, value string }

// maxStateVars bounds the path variables a State holds; the route table's
// longest template has five.
const maxStateVars = 8

type stateKey struct{}

// StateOf returns the State of the request with ctx, or nil when the
// request did not pass WithRequestID (a handler tested on its own).
func StateOf(ctx context.Context) *State {
	st, _ := ctx.Value(stateKey{}).(*State)
	return st
}

// AddPathVar adds a path variable a router matched; it reports false,
// keeping nothing more, when the State holds as many as it can.
func (st *State) AddPathVar(name, value string) bool {
	if st.nvars == maxStateVars {
		return false
	}
	st.vars[st.nvars] = stateVar{name, value}
	st.nvars++
	return true
}

// ResetPathVars forgets the path variables added so far.
func (st *State) ResetPathVars() { st.nvars = 0 }

// Caller returns what SetCaller kept, or nil.
func (st *State) Caller() any { return st.caller }

// SetCaller keeps who makes the request, once the access guard admitted
// it; it reports false, keeping nothing, when a caller is kept already, so
// the first caller of a request is never replaced under its earlier
// readers.
func (st *State) SetCaller(c any) bool {
	if st.caller != nil {
		return false
	}
	st.caller = c
	return true
}

// PathVar returns the path variable name of r: the one the path router
// kept in r's State, or else the one mux matched (mux answers the routes
// the path router leaves to it).
func PathVar(r *http.Request, name string) string {
	if st := StateOf(r.Context()); st != nil {
		for _, v := range st.vars[:st.nvars] {
			if v.name == name {
				return v.value
			}
		}
	}
	return mux.Vars(r)[name]
}

// PathVars returns every path variable of r, as PathVar reads them.
func PathVars(r *http.Request) map[string]string {
	if st := StateOf(r.Context()); st != nil && st.nvars > 0 {
		out := make(map[string]string, st.nvars)
		for _, v := range st.vars[:st.nvars] {
			out[v.name] = v.value
		}
		return out
	}
	return mux.Vars(r)
}
