package api

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/paulmach/orb/maptile"

	"jingge/data"
	"jingge/data/memory"
	"jingge/tiles"
)

// discardWriter is a ResponseWriter that keeps nothing but the status, so
// a benchmark of the handler measures the handler, not the recorder.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }

// BenchmarkTileHandler serves warm (cached) tiles through the whole
// handler as shipped, access control on with a bearer token: the combined
// tile and each grid layer's tile, beside /healthz through the same
// handler as the floor of a request.
func BenchmarkTileHandler(b *testing.B) {
	ds := benchDataset(b)
	auth := memory.NewAuth(1 << 16)
	ctx := context.Background()
	if err := auth.CreateUser(ctx, data.User{Name: "bench", Role: data.RoleViewer}); err != nil {
		b.Fatal(err)
	}
	secret, hash, id := data.NewSecret(data.KindToken)
	if err := auth.CreateCredential(ctx, data.Credential{ID: id, Kind: data.KindToken, UserName: "bench", Hash: hash}); err != nil {
		b.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	s := newTestServer(b, ds, Config{Logger: quiet, Access: &Access{Store: auth, Limits: Limits{PerCredential: 1e9, PerCredentialBurst: 1e9}}})
	src := s.tiles.Source()
	bound, _ := src.Bounds()
	var cover []maptile.Tile
	for z := maptile.Zoom(12); z <= 14; z++ {
		min, max := maptile.At(bound.Min, z), maptile.At(bound.Max, z)
		for x := min.X; x <= max.X; x++ {
			for y := max.Y; y <= min.Y; y++ {
				cover = append(cover, maptile.New(x, y, z))
			}
		}
	}
	h := s.Handler()
	run := func(b *testing.B, targets []string) {
		for _, t := range targets { // fill the cache
			h.ServeHTTP(&discardWriter{h: http.Header{}}, tileRequest(t, secret))
		}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			w := &discardWriter{h: http.Header{}}
			h.ServeHTTP(w, tileRequest(targets[i%len(targets)], secret))
			if w.status != http.StatusOK && w.status != http.StatusNoContent {
				b.Fatalf("%s: status %d", targets[i%len(targets)], w.status)
			}
		}
	}
	b.Run("healthz", func(b *testing.B) { run(b, []string{"/healthz"}) })
	for _, layer := range []string{"", tiles.LayerCommunityGrids, tiles.LayerPoliceGrids} {
		name := layer
		if name == "" {
			name = "combined"
		}
		targets := make([]string, len(cover))
		for i, t := range cover {
			if layer == "" {
				targets[i] = fmt.Sprintf("/tiles/%d/%d/%d.mvt", t.Z, t.X, t.Y)
			} else {
				targets[i] = fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", layer, t.Z, t.X, t.Y)
			}
		}
		b.Run(name, func(b *testing.B) { run(b, targets) })
	}
}

// tileRequest is a browser's tile request: gzip accepted, a bearer token.
func tileRequest(target, token string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}
