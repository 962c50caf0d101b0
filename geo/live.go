package geo

import "sync/atomic"

// Live holds the Index currently in force. Readers call Load and never
// block; a reload builds a whole new Index and publishes it with Store.
type Live struct{ p atomic.Pointer[Index] }

// Load returns the current index, or nil before the first Store.
func (l *Live) Load() *Index { return l.p.Load() }

// Store publishes ix as the current index.
func (l *Live) Store(ix *Index) { l.p.Store(ix) }
