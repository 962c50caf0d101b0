// Package authhttp is the HTTP side of access control (api/auth): the
// guard every route runs behind (a bearer token or session cookie read
// from the request, the role check against the route's declaration, the
// cross-site check of cookie-borne writes, the rate limits, the bound on
// expensive requests and the audit entry stored before the handler runs),
// the sign-in routes (password sign-in, the one-time sign-in link, sign-out,
// who am I, the sign-in page) and the audit log's listing.
//
// It may import api/auth, api/httpx, api/intake (the clipping of echoed
// input) and data, never api: the route table and the role declarations
// stay api's, which hands the guard each route's declaration as a Route
// and says how a request's principal rides in its context (Options.Attach
// and Options.Caller). Refusals of api/auth become problem documents here
// (Problem).
package authhttp
