package main

import (
	"archive/tar"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"jingge/data/memory"
)

// runBackup copies the embedded store's data directory, also while a
// server is using it, into a new directory or a tar file.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jingge backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `Usage: jingge backup [--data-dir DIR] -o NEWDIR|FILE.tar

Copies the embedded store's data directory, also while jingge serve is
using it: the copy holds every write answered before the backup started,
each record's checksum checked, and opens as a data directory
(jingge serve --data-dir NEWDIR; tar -xf FILE.tar gives the folder FILE,
which opens the same way). A PostGIS
store is backed up with pg_dump instead. Flags:`)
		fs.PrintDefaults()
	}
	dataDir := fs.String("data-dir", defaultDataDir(), "the embedded store's data `directory` (env JINGGE_DATA_DIR)")
	authFile := fs.String("auth-file", os.Getenv("JINGGE_AUTH_FILE"), "the `file` of users and tokens the server uses, copied into the backup as auth.json; empty is auth.json in the data directory (env JINGGE_AUTH_FILE)")
	out := fs.String("o", "", "write the copy to this new `directory`, or to this tar file when it ends in .tar")
	if err := fs.Parse(args); err != nil {
		return cliFlagError(err)
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("%w: backup takes no arguments, got %q", errUsage, fs.Args())
	case *out == "":
		return fmt.Errorf("%w: say where the copy goes: -o NEWDIR or -o FILE.tar", errUsage)
	}
	if _, err := os.Stat(*dataDir); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: there is no data directory %s", errUsage, *dataDir)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	asTar := strings.HasSuffix(*out, ".tar")
	dst := *out
	if asTar {
		if _, err := os.Stat(*out); err == nil {
			return fmt.Errorf("%w: %s exists; give a new file", errUsage, *out)
		}
		tmp, err := os.MkdirTemp(filepath.Dir(*out), ".jingge-backup-*")
		if err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		defer os.RemoveAll(tmp)
		dst = tmp
	}
	info, err := memory.Backup(*dataDir, dst, memory.DirOptions{AuthFile: *authFile})
	if err != nil {
		return err
	}
	if asTar {
		if err := writeTar(*out, dst); err != nil {
			os.Remove(*out)
			return fmt.Errorf("backup: writing %s: %w", *out, err)
		}
	}
	fmt.Fprintf(stdout, "backed up %s to %s: the snapshot and %d journal records after it, %d bytes, checked\n", *dataDir, *out, info.Records, info.Bytes)
	return nil
}

// writeTar writes the files of dir into a new tar file at path, synced,
// under one folder named like the file (FILE.tar holds FILE/), so that
// tar -xf FILE.tar gives a directory jingge serve --data-dir FILE opens.
func writeTar(path, dir string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	err = tarFiles(f, dir, strings.TrimSuffix(filepath.Base(path), ".tar"))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func tarFiles(w io.Writer, dir, folder string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(w)
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: folder + "/", Mode: 0o700}); err != nil {
		return err
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: folder + "/" + e.Name(), Mode: 0o600, Size: int64(len(b))}); err != nil {
			return err
		}
		if _, err := tw.Write(b); err != nil {
			return err
		}
	}
	return tw.Close()
}
