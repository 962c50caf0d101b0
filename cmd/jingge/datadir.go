package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"jingge/data"
	"jingge/data/journal"
	"jingge/data/lantian"
	"jingge/data/memory"
)

// demoSeedNote says, in the data directory, what its first start wrote.
const demoSeedNote = "synthetic demo data: the bundled Lantian dataset with a year of synthetic incidents, visits, disputes, tasks and assessment figures, written at the first start"

// defaultDataDir is where the embedded store keeps its data:
// $JINGGE_DATA_DIR, else jingge in $XDG_DATA_HOME (~/.local/share).
func defaultDataDir() string {
	if d := os.Getenv("JINGGE_DATA_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "jingge")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "jingge")
	}
	return "jingge-data"
}

// authFileIn is the auth file of a data directory.
func authFileIn(dataDir string) string { return filepath.Join(dataDir, "auth.json") }

// legacyAuthFile is where the auth file was kept before it moved into the
// data directory: jingge/auth.json in the user's configuration directory.
func legacyAuthFile() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "jingge", "auth.json")
}

// adoptLegacyAuthFile copies the auth file of the old default location to
// path when path does not exist yet, so users and tokens made before the
// move keep working. The old file stays where it was.
func adoptLegacyAuthFile(path string, logger *slog.Logger) error {
	old := legacyAuthFile()
	if old == "" || old == path {
		return nil
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	b, err := os.ReadFile(old)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the auth file of the old location %s: %w", old, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("moving the auth file: %w", err)
	}
	if err := journal.WriteFileSynced(path, b); err != nil {
		return fmt.Errorf("moving the auth file: %w", err)
	}
	logger.Info("the users and tokens of the old auth file now live in the data directory; the old file is no longer used", "old", old, "new", path)
	return nil
}

// openDataDir opens the embedded store in dataDir, creating the directory
// and filling it with the synthetic demo data at its first start; later
// starts find what users did, unchanged. authFile "" is the directory's.
func openDataDir(ctx context.Context, dataDir, authFile string, logger *slog.Logger) (*memory.Durable, error) {
	if authFile == "" {
		authFile = authFileIn(dataDir)
		if err := adoptLegacyAuthFile(authFile, logger); err != nil {
			return nil, err
		}
	}
	d, err := memory.OpenDir(dataDir, memory.DirOptions{
		AuthFile: authFile,
		Logger:   logger,
		SeedNote: demoSeedNote,
		Seed:     func(d *memory.Durable) error { return seedDemo(ctx, d, logger) },
	})
	if err != nil {
		return nil, fmt.Errorf("embedded store: %w", err)
	}
	if note, at := d.Seed(); note != "" {
		logger.InfoContext(ctx, "the data directory began with synthetic demo data; everything since is what users did", "dir", dataDir, "seeded", at.Format(time.DateOnly))
	}
	return d, nil
}

// seedDemo fills a new data directory with the bundled dataset, a year of
// synthetic incidents, visits, disputes and tasks, and a year of assessment figures.
func seedDemo(ctx context.Context, d *memory.Durable, logger *slog.Logger) error {
	ds, err := lantian.Load()
	if err != nil {
		return err
	}
	if _, err := d.Import(ctx, ds, data.ImportOptions{Actor: "demo"}); err != nil {
		return fmt.Errorf("the bundled dataset: %w", err)
	}
	if err := seedDemoIncidents(ctx, d.Store, ds, logger); err != nil {
		return err
	}
	if err := seedDemoWork(ctx, d.Store, ds, logger); err != nil {
		return err
	}
	return seedDemoAssessment(ctx, d.PlanStore, ds, logger)
}
