package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"jingge/api"
	"jingge/api/patrolling"
	"jingge/api/patrolling/webhook"
	"jingge/data"
	"jingge/data/memory"
	"jingge/data/postgis"
)

// patrolFlags are the patrol settings of `jingge serve`.
type patrolFlags struct {
	silentAfter   time.Duration
	fenceKinds    areaKindList
	webhooks      urlList
	webhookSecret string
}

// urlList is a flag that may be given several times.
type urlList []string

func (l *urlList) String() string { return strings.Join(*l, " ") }

func (l *urlList) Set(v string) error {
	if !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
		return fmt.Errorf("want an http:// or https:// URL, got %q", v)
	}
	*l = append(*l, v)
	return nil
}

// addPatrolFlags defines the patrol flags on fs.
func addPatrolFlags(fs *flag.FlagSet) *patrolFlags {
	f := &patrolFlags{}
	fs.DurationVar(&f.silentAfter, "silent-after", patrolling.DefaultSilentAfter, "how long an officer may send no position before a \"silent\" event (0 never)")
	fs.Var(&f.fenceKinds, "fence-areas", "comma-separated `kinds` of special area whose borders raise overlay_enter/overlay_leave events (park, scenic, water_protection, works, school_zone, other; \"none\" for none; default water_protection,works); every server of one database must give the same")
	fs.Var(&f.webhooks, "webhook", "`URL` that receives the geofence events this server produces as signed JSON POSTs; give it again for more")
	fs.StringVar(&f.webhookSecret, "webhook-secret", os.Getenv("JINGGE_WEBHOOK_SECRET"), "HMAC-SHA256 key of the X-Jingge-Signature header of webhooks (env JINGGE_WEBHOOK_SECRET)")
	return f
}

// openPatrols returns the patrol store that goes with store: pings, states
// and events in PostGIS beside the grids, in the data directory (the last
// day) for the embedded store, else in memory. close must be called before store is closed.
func openPatrols(store data.Store) (ps data.PatrolStore, close func() error) {
	if st, ok := store.(*postgis.Store); ok {
		p := postgis.NewPatrols(st, postgis.PatrolOptions{})
		return p, p.Close
	}
	if d, ok := store.(*memory.Durable); ok {
		return d.Patrols, func() error { return nil } // closed with the store
	}
	return memory.NewPatrols(memory.PatrolOptions{}), func() error { return nil }
}

// withPatrols gives cfg the patrol store and settings.
func withPatrols(cfg api.Config, ps data.PatrolStore, f *patrolFlags) api.Config {
	cfg.Patrols = ps
	cfg.PatrolOptions.SilentAfter = f.silentAfter
	if f.silentAfter == 0 {
		cfg.PatrolOptions.SilentAfter = -1 // never
	}
	cfg.PatrolOptions.FenceKinds = f.fenceKinds.kinds
	cfg.PatrolOptions.Webhooks = webhook.Options{URLs: f.webhooks, Secret: f.webhookSecret}
	return cfg
}

// runPatrols starts a's background patrol work (state sync, silence
// sweeps, event streams, webhooks) and makes srv's Shutdown end the event
// streams, which would otherwise hold it until its timeout. stop ends the
// work and waits for it.
func runPatrols(ctx context.Context, srv *http.Server, a *api.Server, logger *slog.Logger) (stop func()) {
	srv.RegisterOnShutdown(a.CloseStreams)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := a.Run(ctx); err != nil {
			logger.Error("patrols stopped", "err", err)
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
