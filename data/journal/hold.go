package journal

import "sync"

// HoldWrites keeps the writer from writing and syncing anything until
// release is called: records appended meanwhile stay queued, not on disk,
// and Wait for them blocks, as on a very slow disk. It is for tests of
// stores built on a Dir, which must show that they acknowledge nothing
// the disk does not hold yet; a server never calls it. release may be
// called more than once, and must be called before Close.
func (d *Dir) HoldWrites() (release func()) {
	held := make(chan struct{})
	d.mu.Lock()
	d.beforeWrite = func() { <-held }
	d.mu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { close(held) }) }
}
