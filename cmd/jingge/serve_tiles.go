package main

import (
	"context"
	"errors"
	"log/slog"

	"jingge/tiles"
)

// prerenderTiles renders the tile pyramid of the index in force to
// maxZoom in the background (tiles.Service.Prerender: one goroutine,
// yielding between tiles, again after each change for the tiles it
// touched) and logs each pass with its count and time. The returned
// function stops it and waits until it has; with maxZoom 0 nothing runs.
func prerenderTiles(ctx context.Context, svc *tiles.Service, maxZoom int, logger *slog.Logger) (stop func()) {
	if maxZoom <= 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		svc.Prerender(ctx, tiles.PrerenderOptions{MaxZoom: maxZoom, OnPass: func(p tiles.PrerenderPass) {
			attrs := []any{"max_zoom", maxZoom, "tiles", p.Tiles, "rendered", p.Rendered, "duration", p.Duration}
			switch {
			case p.Stopped == nil:
				logger.Info("tiles pre-rendered", attrs...)
			case errors.Is(p.Stopped, context.Canceled), errors.Is(p.Stopped, tiles.ErrSuperseded):
				logger.Info("tile pre-render stopped", append(attrs, "reason", p.Stopped.Error())...)
			default:
				logger.Warn("tile pre-render stopped", append(attrs, "err", p.Stopped)...)
			}
		}})
	}()
	return func() {
		cancel()
		<-done
	}
}
