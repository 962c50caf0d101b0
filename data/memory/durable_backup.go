package memory

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"jingge/data/journal"
)

// Backup copies the data directory src into dst (new or empty) while a
// server may be using src: the journal's consistent copy (journal.Backup:
// the newest snapshot and the whole records after it, checksums
// verified), then the auth file (o.AuthFile, by default src's auth.json)
// as auth.json. The copy holds every write acknowledged before Backup was
// called; Backup reads it back as a store before it returns, so a copy it
// reports done opens with `jingge serve --data-dir dst`.
func Backup(src, dst string, o DirOptions) (journal.BackupInfo, error) {
	if o.AuthFile == "" {
		o.AuthFile = filepath.Join(src, "auth.json")
	}
	info, err := journal.Backup(src, dst)
	if err != nil {
		return info, fmt.Errorf("memory: %w", err)
	}
	// The auth file is replaced whole, by rename, so one read sees one
	// version of it.
	b, err := os.ReadFile(o.AuthFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return info, fmt.Errorf("memory: backup: the auth file: %w", err)
	default:
		if err := journal.WriteFileSynced(filepath.Join(dst, "auth.json"), b); err != nil {
			return info, fmt.Errorf("memory: backup: the auth file: %w", err)
		}
		info.Bytes += int64(len(b))
	}
	d, err := ReadDir(dst, DirOptions{})
	if err != nil {
		return info, fmt.Errorf("memory: backup: the copy in %s does not open: %w", dst, err)
	}
	d.Close()
	return info, nil
}
