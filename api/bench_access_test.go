package api

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"jingge/data"
	"jingge/data/memory"
)

// BenchmarkAccessControl measures what access control adds to a request:
// one point lookup through the whole handler without access control (the
// baseline), with a bearer token (authentication from the cache, role
// check, rate limit, and the audit entry of a personal read, appended to
// the in-memory log).
func BenchmarkAccessControl(b *testing.B) {
	ds := benchDataset(b)
	auth := memory.NewAuth(1 << 16)
	ctx := context.Background()
	if err := auth.CreateUser(ctx, data.User{Name: "bench", Role: data.RoleOfficer, OfficerID: "m"}); err != nil {
		b.Fatal(err)
	}
	secret, hash, id := data.NewSecret(data.KindToken)
	if err := auth.CreateCredential(ctx, data.Credential{ID: id, Kind: data.KindToken, UserName: "bench", Hash: hash}); err != nil {
		b.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	open := newTestServer(b, ds, Config{Logger: quiet})
	guarded := newTestServer(b, ds, Config{Logger: quiet, Access: &Access{Store: auth, Limits: Limits{PerCredential: 1e9, PerCredentialBurst: 1e9}}})
	pts := benchPoints(b, open.live.Load(), 1024)
	targets := make([]string, len(pts))
	for i, p := range pts {
		targets[i] = fmt.Sprintf("/api/v1/lookup?lon=%v&lat=%v", p[0], p[1])
	}
	run := func(b *testing.B, h http.Handler, token string) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			req := httptest.NewRequest(http.MethodGet, targets[i%len(targets)], nil)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK && rec.Code != http.StatusNotFound {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
	}
	b.Run("lookup/open", func(b *testing.B) { run(b, open.Handler(), "") })
	b.Run("lookup/token+audit", func(b *testing.B) { run(b, guarded.Handler(), secret) })
}
