package api

import (
	"context"

	"jingge/api/patrolling"
	"jingge/data"
)

// PatrolOptions tune the live side of patrols (patrolling.Options).
type PatrolOptions = patrolling.Options

// patrols is this server's patrol service, with the names the handlers
// use: the store (nil when patrols are not configured), the options with
// their defaults, and the hub whose clients /metrics counts.
type patrols struct {
	*patrolling.Service
	store data.PatrolStore
	opts  PatrolOptions
}

func (s *Server) newPatrols(cfg Config) *patrols {
	svc := patrolling.New(patrolling.Config{Store: cfg.Patrols, Options: cfg.PatrolOptions, Logger: s.logger,
		Live: s.live, Presence: s.presence, Names: s.names})
	return &patrols{Service: svc, store: cfg.Patrols, opts: svc.Options()}
}

// names is the dataset in force as the patrol service names things
// with it; zero before one is loaded.
func (s *Server) names() patrolling.Names {
	v, err := s.current()
	if err != nil {
		return patrolling.Names{}
	}
	return v.names()
}

// names is the dataset of v as the patrol service names things with it.
func (v *view) names() patrolling.Names { return patrolling.Names{Index: v.ix, Datum: v.datum} }

// Run keeps the server's patrol picture current until ctx ends
// (patrolling.Service.Run): the board follows the store, silent officers
// and unvisited grids are declared, events reach the streams and the
// webhooks. The request handlers work without Run, but the board is then
// this server's writes only and streams get no events.
func (s *Server) Run(ctx context.Context) error { return s.patrols.Run(ctx) }

// CloseStreams ends every event stream, telling clients to reconnect
// elsewhere; register it with http.Server.RegisterOnShutdown, since
// Shutdown does not wait for streams to end by themselves.
func (s *Server) CloseStreams() { s.patrols.CloseStreams() }
