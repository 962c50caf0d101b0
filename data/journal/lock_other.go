//go:build !unix

package journal

import (
	"fmt"
	"os"
)

// lockDir creates the lock file exclusively where flock is missing; a
// crash leaves it behind, and the message says to remove it.
func lockDir(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o600)
	if err != nil {
		if os.IsExist(err) {
			return nil, fmt.Errorf("journal: %w: the lock file %s exists; if no jingge uses the directory, remove it", ErrLocked, path)
		}
		return nil, fmt.Errorf("journal: locking the data directory: %w", err)
	}
	return f, nil
}

func unlockDir(f *os.File) {
	name := f.Name()
	f.Close()
	os.Remove(name)
}

func syncDir(string) error { return nil }
