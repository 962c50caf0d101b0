// Package pack builds the offline station pack of GET /api/v1/pack: the
// grids, members and stations the officer page needs to answer "which grid
// am I in, and whom do I call" with no network, with coordinates encoded
// so that the browser gets back every float64 of the dataset bit for bit.
// It owns the pack document (Pack), its scale and geometry encoding, which
// stations' grids a partial pack holds, and the per-index cache of encoded
// packs with their versions.
//
// It may import geo and api/locate (whose member it shares) and nothing
// above them: no HTTP, no api, no store. Who may read full phone numbers
// is the API's to decide; the cache takes the mask to apply and is told
// which form each request gets.
package pack
