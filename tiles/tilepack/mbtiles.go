package tilepack

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/paulmach/orb/maptile"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, pure Go
)

// MBTiles writes an MBTiles 1.3 file: an SQLite database with the tiles
// table (rows in TMS order, y counted from the south) holding each tile's
// gzip-compressed MVT, as the specification's common practice for pbf
// tiles, and the metadata table (name, format pbf, bounds, center, zooms,
// and json with vector_layers). It writes a temporary file beside the
// target and renames it into place on Finish, so a failed export leaves
// nothing behind and a reader never opens half a package.
type MBTiles struct {
	path, tmp string
	db        *sql.DB
	tx        *sql.Tx
	insert    *sql.Stmt
}

// CreateMBTiles starts an MBTiles file at path, replacing any file there
// once finished.
func CreateMBTiles(path string) (*MBTiles, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, fmt.Errorf("tilepack: %w", err)
	}
	f.Close()
	m := &MBTiles{path: path, tmp: f.Name()}
	// One connection: the whole file is written in one transaction, and
	// without a rollback journal (a failed export deletes the file).
	m.db, err = sql.Open("sqlite", "file:"+m.tmp+"?_pragma=journal_mode(OFF)&_pragma=synchronous(OFF)")
	if err != nil {
		return nil, m.fail(err)
	}
	m.db.SetMaxOpenConns(1)
	ctx := context.Background()
	if m.tx, err = m.db.BeginTx(ctx, nil); err != nil {
		return nil, m.fail(err)
	}
	for _, stmt := range []string{
		`CREATE TABLE metadata (name TEXT, value TEXT)`,
		`CREATE UNIQUE INDEX name ON metadata (name)`,
		`CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)`,
		`CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)`,
	} {
		if _, err := m.tx.ExecContext(ctx, stmt); err != nil {
			return nil, m.fail(err)
		}
	}
	if m.insert, err = m.tx.PrepareContext(ctx, `INSERT INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?, ?, ?, ?)`); err != nil {
		return nil, m.fail(err)
	}
	return m, nil
}

// WriteTile stores one tile; MBTiles counts rows from the south (TMS).
func (m *MBTiles) WriteTile(t maptile.Tile, data []byte) error {
	row := (uint32(1) << t.Z) - 1 - t.Y
	if _, err := m.insert.Exec(int(t.Z), t.X, row, data); err != nil {
		return fmt.Errorf("tilepack: writing tile %d/%d/%d: %w", t.Z, t.X, t.Y, err)
	}
	return nil
}

// Finish writes the metadata, commits and moves the file into place.
func (m *MBTiles) Finish(md Metadata) error {
	layers, err := json.Marshal(map[string]any{"vector_layers": md.VectorLayers})
	if err != nil {
		return fmt.Errorf("tilepack: %w", err)
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	rows := [][2]string{
		{"name", md.Name},
		{"format", "pbf"},
		{"bounds", f(md.Bounds.Min[0]) + "," + f(md.Bounds.Min[1]) + "," + f(md.Bounds.Max[0]) + "," + f(md.Bounds.Max[1])},
		{"center", f(md.Center[0]) + "," + f(md.Center[1]) + "," + strconv.Itoa(md.CenterZoom)},
		{"minzoom", strconv.Itoa(md.MinZoom)},
		{"maxzoom", strconv.Itoa(md.MaxZoom)},
		{"json", string(layers)},
		{"description", md.Description},
		{"attribution", md.Attribution},
		{"version", md.Version},
		{"type", "overlay"},
	}
	for _, r := range rows {
		if _, err := m.tx.Exec(`INSERT INTO metadata (name, value) VALUES (?, ?)`, r[0], r[1]); err != nil {
			return fmt.Errorf("tilepack: writing metadata %s: %w", r[0], err)
		}
	}
	if err := m.insert.Close(); err != nil {
		return fmt.Errorf("tilepack: %w", err)
	}
	if err := m.tx.Commit(); err != nil {
		return fmt.Errorf("tilepack: %w", err)
	}
	m.tx = nil
	if err := m.db.Close(); err != nil {
		return fmt.Errorf("tilepack: %w", err)
	}
	m.db = nil
	if err := syncFile(m.tmp); err != nil {
		return err
	}
	if err := os.Rename(m.tmp, m.path); err != nil {
		return fmt.Errorf("tilepack: %w", err)
	}
	return nil
}

// Abort drops the unfinished file.
func (m *MBTiles) Abort() error {
	if m.tx != nil {
		_ = m.tx.Rollback()
	}
	if m.db != nil {
		_ = m.db.Close()
	}
	if err := os.Remove(m.tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("tilepack: %w", err)
	}
	return nil
}

// fail aborts a half-made writer and returns err.
func (m *MBTiles) fail(err error) error {
	return errors.Join(fmt.Errorf("tilepack: creating %s: %w", m.path, err), m.Abort())
}

// syncFile flushes a finished file to disk before it is renamed into
// place, so the name never points at a file a crash left incomplete, and
// makes it readable by all like any file handed on (a temporary file is
// the owner's alone).
func syncFile(name string) error {
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("tilepack: %w", err)
	}
	if err := errors.Join(f.Chmod(0o644), f.Sync()); err != nil {
		f.Close()
		return fmt.Errorf("tilepack: %w", err)
	}
	return f.Close()
}
