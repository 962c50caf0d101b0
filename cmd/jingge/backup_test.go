package main

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/memory"
	"jingge/data/storetest"
)

// jingge backup copies a data directory a server holds, into a directory
// or a tar file, and either opens with what was written before it.
func TestBackupCommandWhileTheDirectoryIsInUse(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "data")
	d, err := memory.OpenDir(dir, memory.DirOptions{Seed: func(d *memory.Durable) error {
		_, err := d.Import(ctx, storetest.Small(), data.ImportOptions{})
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ids := storetest.AddIncidents(t, d, storetest.RandomIncidents(1, 3, storetest.Partition{Cols: 4, Rows: 4, Stations: 2, Seed: 1}.Bound(), time.Now()))
	if err := d.Auth.CreateUser(ctx, data.User{Name: "ops", Role: data.RoleAdmin}); err != nil {
		t.Fatal(err)
	}

	for _, args := range [][]string{
		{"--data-dir", dir},
		{"--data-dir", filepath.Join(tmp, "nothing"), "-o", filepath.Join(tmp, "x")},
		{"--data-dir", dir, "-o", filepath.Join(tmp, "x"), "extra"},
	} {
		if err := runBackup(ctx, args, io.Discard, io.Discard); !errors.Is(err, errUsage) {
			t.Errorf("backup %q: %v, want a usage error", args, err)
		}
	}
	// The tests' environment names an auth file of its own.
	auth := []string{"--auth-file", filepath.Join(dir, "auth.json")}
	copyDir := filepath.Join(tmp, "copy")
	var out bytes.Buffer
	if err := runBackup(ctx, append(auth, "--data-dir", dir, "-o", copyDir), &out, io.Discard); err != nil {
		t.Fatalf("backup into a directory: %v", err)
	}
	if !strings.Contains(out.String(), "backed up") {
		t.Errorf("backup said %q", out.String())
	}
	tarFile := filepath.Join(tmp, "copy.tar")
	if err := runBackup(ctx, append(auth, "--data-dir", dir, "-o", tarFile), io.Discard, io.Discard); err != nil {
		t.Fatalf("backup into a tar file: %v", err)
	}
	if err := runBackup(ctx, []string{"--data-dir", dir, "-o", copyDir}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("a backup over another: %v", err)
	}
	untarred := filepath.Join(tmp, "untarred")
	untar(t, tarFile, untarred)
	for _, c := range []string{copyDir, untarred} {
		b, err := memory.OpenDir(c, memory.DirOptions{})
		if err != nil {
			t.Fatalf("the backup %s does not open: %v", c, err)
		}
		for _, id := range ids {
			if _, err := b.Incident(ctx, id); err != nil {
				t.Errorf("%s: incident %s: %v", c, id, err)
			}
		}
		if _, err := b.Auth.User(ctx, "ops"); err != nil {
			t.Errorf("%s: the user made before the backup: %v", c, err)
		}
		b.Close()
	}
}

func untar(t *testing.T, file, dir string) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeDir {
			if h.Name != "copy/" {
				t.Errorf("the tar holds the folder %q, want copy/", h.Name)
			}
			continue
		}
		if !strings.HasPrefix(h.Name, "copy/") {
			t.Errorf("the tar holds %q outside its folder copy/", h.Name)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(h.Name)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
