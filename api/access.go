package api

import (
	"net/http"
	"slices"
	"strings"

	"jingge/api/authhttp"
	"jingge/data"
)

// access is a route's access declaration: who may call it and how it is
// guarded. Every route must declare one; the zero value is "undeclared",
// which the server refuses to serve (500) and TestRouteRoles rejects.
//
// The role lattice (data.Role.Grants):
//
//	admin ⊇ planner ⊇ viewer        officer (separate)
//
// so allow(data.RoleViewer) admits viewers, planners and admins, and
// allow(data.RoleOfficer) officers only. A route lists every role that is
// not implied by another it lists.
type access struct {
	declared bool
	public   bool        // anyone, signed in or not
	roles    []data.Role // else: a user whose role grants one of these
	// personal marks routes whose answers hold personal data (names, phone
	// numbers, positions of people): every call is audited, reads included.
	// Writes (methods other than GET and HEAD) are always audited, except
	// on routes marked readOnly.
	personal bool
	// personalWhen, when set, narrows personal to the requests it reports
	// true for: a route whose parameters select an answer without personal
	// fields (a lookup's fields=ids) needs no audit entry for it.
	personalWhen func(r *http.Request) bool
	// readOnly marks a route that changes nothing although its method is
	// not GET (a query whose points travel in a POST body): it is audited
	// only when personal, like a GET.
	readOnly bool
	// costly marks routes whose answers take much CPU or memory: they run
	// under the server's concurrency bound.
	costly bool
	// ownAudit marks routes whose handlers write their own, richer audit
	// entries (sign-ins, with the user who signed in and the outcome).
	ownAudit bool
	// twin names the REST route whose data this route serves in another
	// form (a tile layer, its TileJSON); see mirrors.
	twin string
}

// public is the access of health checks, static assets and the sign-in
// endpoints: no credentials needed.
func public() access { return access{declared: true, public: true} }

// allow admits users holding (by the lattice) any of roles.
func allow(roles ...data.Role) access {
	return access{declared: true, roles: slices.Clone(roles)}
}

// signedIn admits every signed-in user, whatever the role.
func signedIn() access { return allow(data.RoleViewer, data.RoleOfficer) }

// mirrors declares a route that serves the data of the REST route twin
// in another form (vector tiles of a layer, the layer's TileJSON): it
// admits exactly the callers twin admits, so a tile layer can never be
// read by a role its REST twin refuses. The roles are copied when the
// route table is built (resolveTwins); a twin missing from the table
// leaves the route undeclared, which serves no one. Whether the route is
// personal data or expensive is still said with the modifiers below.
func mirrors(twin string) access { return access{twin: twin} }

// resolveTwins gives every route declared with mirrors the roles of its
// twin, and returns rts.
func resolveTwins(rts []route) []route {
	byName := map[string]access{}
	for _, rt := range rts {
		if rt.roles.twin == "" {
			byName[rt.name] = rt.roles
		}
	}
	for i := range rts {
		a := &rts[i].roles
		if a.twin == "" {
			continue
		}
		if t, ok := byName[a.twin]; ok && t.declared {
			a.declared, a.public, a.roles = true, t.public, slices.Clone(t.roles)
		}
	}
	return rts
}

// personalData marks a route as answering with personal data.
func (a access) personalData() access { a.personal = true; return a }

// personalDataWhen marks a route whose answer holds personal data for
// the requests answers reports true for, and only those: they are audited,
// the others are not. Cache-Control stays that of personal data for every
// request, so no cache has to tell the forms apart.
func (a access) personalDataWhen(answers func(r *http.Request) bool) access {
	a.personal, a.personalWhen = true, answers
	return a
}

// readsOnly marks a route that changes nothing although its method is not
// GET or HEAD: its calls are audited only if it is personal data.
func (a access) readsOnly() access { a.readOnly = true; return a }

// audited reports whether r, a request to a route declared a, must have
// its audit entry stored before it runs: every write, and every read of
// personal data. Routes whose handlers audit themselves say no.
func (a access) audited(r *http.Request) bool {
	if a.ownAudit {
		return false
	}
	if !authhttp.SafeMethod(r.Method) && !a.readOnly {
		return true
	}
	return a.personal && (a.personalWhen == nil || a.personalWhen(r))
}

// route is a as the guard reads it, for the route named name.
func (a access) route(name string) authhttp.Route {
	return authhttp.Route{Name: name, Declared: a.declared, Public: a.public, Admits: a.admits, For: a.String(), Audited: a.audited, Costly: a.costly}
}

// expensive marks a route as running under the concurrency bound.
func (a access) expensive() access { a.costly = true; return a }

// auditedByHandler marks a route whose handler audits itself.
func (a access) auditedByHandler() access { a.ownAudit = true; return a }

// admits reports whether a user of role may call a route declared a.
func (a access) admits(role data.Role) bool {
	if a.public {
		return true
	}
	for _, want := range a.roles {
		if role.Grants(want) {
			return true
		}
	}
	return false
}

// String describes a for problems and documentation: "public" or the
// roles admitted, e.g. "viewer, planner, admin".
func (a access) String() string {
	if !a.declared {
		return "undeclared"
	}
	if a.public {
		return "public"
	}
	var names []string
	for _, r := range data.Roles {
		if a.admits(r) {
			names = append(names, string(r))
		}
	}
	return strings.Join(names, ", ")
}
