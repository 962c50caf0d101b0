// Package postgis is jingge's system of record in PostgreSQL + PostGIS: a
// data.Store on a pgx/v5 pool with embedded, versioned migrations, grid
// history (valid_from/valid_to), an audit of grid changes, LISTEN/NOTIFY so
// every server learns of every committed change, and imports that go
// through COPY in one transaction.
//
// Every object lives in one schema (Options.Schema); PostGIS must be
// installed in public or on the connection's search_path. docs/postgis.md
// describes the tables for GIS users.
package postgis

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"jingge/data"
)

// Options configure Open.
type Options struct {
	// Schema holds jingge's tables and is created when missing. Empty means
	// the first schema named in the URL's search_path parameter, else public.
	Schema string
	// Logger receives migration and reconnection messages; nil discards them.
	Logger *slog.Logger
}

// Store is the PostGIS store. It is safe for concurrent use.
type Store struct {
	pool   *pgxpool.Pool
	listen *pgx.ConnConfig // for the dedicated LISTEN connection
	schema string
	logger *slog.Logger

	ctx    context.Context // ends at Close; bounds the listener
	cancel context.CancelFunc

	// origin tells this Store's own incident notifications from other
	// processes' (see WatchIncidents).
	origin string

	mu          sync.Mutex
	watchers    map[chan struct{}]struct{}
	incWatchers map[chan struct{}]struct{} // of WatchIncidents
	// gridWatchers are WatchGrids' (watch_grids.go).
	gridWatchers map[chan []string]struct{}
	listening    bool // the listener goroutine runs
	closed       bool
	wg           sync.WaitGroup

	// health is how the listening connection fares (health.go).
	health listenHealth
}

var (
	_ data.Store      = (*Store)(nil)
	_ data.Importer   = (*Store)(nil)
	_ data.GridEditor = (*Store)(nil)
	_ data.History    = (*Store)(nil)
)

// defaultConnectTimeout bounds each connection attempt when the URL sets none.
const defaultConnectTimeout = 5 * time.Second

// Open connects to the database at dbURL (a postgres:// URL or key=value
// string), creates the schema if needed and applies the migrations it
// lacks. An unreachable database gives an error wrapping data.ErrUnavailable.
func Open(ctx context.Context, dbURL string, opts Options) (*Store, error) {
	cfg, schema, err := parseConfig(dbURL, opts.Schema)
	if err != nil {
		return nil, err
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if _, err := prepareSchema(ctx, cfg.ConnConfig, schema, logger); err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, mapError("open", err)
	}
	lc := cfg.ConnConfig.Copy()
	lc.RuntimeParams["application_name"] = listenerAppName(schema)
	sctx, cancel := context.WithCancel(context.Background())
	return &Store{
		pool:         pool,
		listen:       lc,
		schema:       schema,
		logger:       logger,
		ctx:          sctx,
		cancel:       cancel,
		origin:       newOrigin(),
		watchers:     map[chan struct{}]struct{}{},
		incWatchers:  map[chan struct{}]struct{}{},
		gridWatchers: map[chan []string]struct{}{},
	}, nil
}

// Migrate creates the schema if needed and applies the migrations it lacks,
// like Open, and returns those it applied.
func Migrate(ctx context.Context, dbURL string, opts Options) ([]Migration, error) {
	cfg, schema, err := parseConfig(dbURL, opts.Schema)
	if err != nil {
		return nil, err
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return prepareSchema(ctx, cfg.ConnConfig, schema, logger)
}

func parseConfig(dbURL, schema string) (*pgxpool.Config, string, error) {
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, "", fmt.Errorf("postgis: %w: the database URL does not parse: %w", data.ErrInvalid, err)
	}
	if schema == "" {
		schema = firstSchema(cfg.ConnConfig.RuntimeParams["search_path"])
	}
	if schema == "" {
		schema = "public"
	}
	path := pgx.Identifier{schema}.Sanitize()
	if schema != "public" {
		path += ", public"
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = path
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	return cfg, schema, nil
}

// firstSchema returns the first schema of a search_path value, skipping
// "$user"; "" if there is none.
func firstSchema(searchPath string) string {
	for _, s := range strings.Split(searchPath, ",") {
		s = strings.TrimSpace(s)
		if strings.HasPrefix(s, `"`) && strings.HasSuffix(s, `"`) && len(s) >= 2 {
			s = strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
		}
		if s != "" && s != "$user" {
			return s
		}
	}
	return ""
}

// listenerAppName names the LISTEN connection in pg_stat_activity.
func listenerAppName(schema string) string {
	n := "jingge-listen:" + schema
	if len(n) > 63 {
		n = n[:63]
	}
	return n
}

// prepareSchema creates the schema and migrates it on one connection.
func prepareSchema(ctx context.Context, cc *pgx.ConnConfig, schema string, logger *slog.Logger) ([]Migration, error) {
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return nil, mapError("open", err)
	}
	defer conn.Close(context.Background())
	if schema != "public" {
		if _, err := conn.Exec(ctx, "create schema if not exists "+pgx.Identifier{schema}.Sanitize()); err != nil {
			return nil, mapError("create schema "+schema, err)
		}
	}
	done, err := migrate(ctx, conn)
	if err != nil {
		return nil, mapError("migrate", err)
	}
	for _, m := range done {
		logger.InfoContext(ctx, "applied database migration", "schema", schema, "version", m.Version, "name", m.Name)
	}
	return done, nil
}

// Schema is the schema the store's tables live in.
func (s *Store) Schema() string { return s.schema }

// Pool is the store's connection pool, for packages that keep their own
// tables in the same schema (incidents, patrols).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// EnsurePartitions creates the monthly partitions of the incidents and
// patrol_pings tables for every month from the one holding from to the one
// holding to, and returns how many it created.
func (s *Store) EnsurePartitions(ctx context.Context, from, to time.Time) (int, error) {
	total := 0
	for _, tbl := range []string{"incidents", "patrol_pings"} {
		var n int
		if err := s.pool.QueryRow(ctx, "select ensure_month_partitions($1, $2, $3)", tbl, from, to).Scan(&n); err != nil {
			return total, mapError("ensure partitions", err)
		}
		total += n
	}
	return total, nil
}

// Close stops the listener, closes every watch channel and the pool.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	s.pool.Close()
	return nil
}
