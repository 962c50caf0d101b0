package api

import (
	"net/http"

	"jingge/api/auth"
	"jingge/api/authhttp"
)

// The sign-in routes and the audit log are api/authhttp's; these mount
// them in the route table. A nil ac answers as a server without access
// control does.

func (ac *accessControl) handler() *authhttp.Guard {
	if ac == nil {
		return nil
	}
	return ac.web
}

// authQuery lets api/authhttp read a route's checked query.
type authQuery query

func (q authQuery) Lookup(name string) (string, bool) { return query(q).lookup(name) }

func (ac *accessControl) handleMe(w http.ResponseWriter, r *http.Request, q query) error {
	return ac.handler().Me(w, r, authQuery(q))
}

func (ac *accessControl) handleLogin(w http.ResponseWriter, r *http.Request, q query) error {
	return ac.handler().Login(w, r, authQuery(q))
}

func (ac *accessControl) handleLogout(w http.ResponseWriter, r *http.Request, q query) error {
	return ac.handler().Logout(w, r, authQuery(q))
}

func (ac *accessControl) handleLoginLink(w http.ResponseWriter, r *http.Request, q query) error {
	return ac.handler().LoginLink(w, r, authQuery(q))
}

func (ac *accessControl) handleLoginPage(w http.ResponseWriter, r *http.Request, q query) error {
	return ac.handler().LoginPage(w, r, authQuery(q))
}

// handleAudit lists the audit log; since= and until= are read in the
// dataset's zone, as every time window of the API.
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request, q query) error {
	return s.access.handler().ListAudit(w, r, authQuery(q), s.zone())
}

// checkOwnPings returns a 403 unless the caller may post patrol pings for
// every officer in officerIDs (auth.CheckOwnPings). Without access control
// it allows everything.
func checkOwnPings(r *http.Request, officerIDs func(yield func(string) bool)) error {
	p, ok := principalFrom(r.Context())
	if !ok {
		return nil
	}
	return authhttp.Problem(auth.CheckOwnPings(p.user, officerIDs))
}
