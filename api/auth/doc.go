// Package auth is access control as an application service: who may sign
// in (passwords, sessions, one-time sign-in links), the cache of checked
// credentials that rides out a store restart, the request rate limits and
// the sign-in throttle, the bounds on expensive requests and password
// checks, the audit log's group commit and what an audit entry holds, and
// the rule of whose patrol pings an officer may post.
//
// It may import data (users, credentials, the audit log and their errors)
// and nothing above it: no HTTP, no api, no httpx. Its refusals are
// *Refusal values, which say why (unauthenticated, forbidden, too many
// requests, busy, audit unavailable), for the people who sent the request,
// and how long to wait; the HTTP side (api/authhttp) turns them into
// problem documents. Reading credentials from headers and cookies, CSRF
// checks and the sign-in pages are that package's.
package auth
