// Package records keeps the prevention records officers and planners
// write through the API: visits and contacts (走访), disputes (矛盾纠纷)
// and the stations' task lists (任务清单). The three are one shape — a
// keyed add under an Idempotency-Key, a filtered list one page at a time,
// a change by rules — and share one path through it (keyed.go): reading
// the body, the times and the place, attributing to grids, the officer's
// scope, the store's write and the document answered.
//
// It may import data, geo, geo/crs, geo/patrol and api/intake, and nothing
// above them: no HTTP, no api/httpx, no api. Its refusals are
// *data.RequestError values; a refusal for want of the caller's rights is
// of kind ErrForbidden, which the API answers as 403.
package records
