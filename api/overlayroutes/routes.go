package overlayroutes

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"jingge/api/overlays"
	"jingge/geo"
	"jingge/geo/crs"
)

// Query reads one query parameter of a request: its value and whether it
// was given.
type Query = func(name string) (string, bool)

// Options configure New. Every field is required but Now.
type Options struct {
	Service *overlays.Service
	Logger  *slog.Logger
	// Index returns the index in force and its datum, or the API's
	// refusal before one is loaded.
	Index func() (*geo.Index, crs.CRS, error)
	// Phone is a liaison's phone as the caller of ctx may read it.
	Phone func(ctx context.Context, phone string) string
	// Actor names who makes r, for the history of an edit.
	Actor func(r *http.Request) string
	// AwaitEdit returns when this server's index holds the edit just
	// committed (read-your-writes), or gives up and logs why.
	AwaitEdit func(r *http.Request)
	// Now is the clock that says which features are in force; nil means
	// time.Now.
	Now func() time.Time
}

// Routes handles the overlay routes. It keeps no state of its own.
type Routes struct{ o Options }

// New returns the routes over opts.
func New(opts Options) *Routes {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Routes{o: opts}
}
