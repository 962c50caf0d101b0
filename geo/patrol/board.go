package patrol

import (
	"cmp"
	"slices"
	"sync"
)

// Board is a server's in-memory picture of every officer's latest state.
// It only moves forward: of two states of one officer, the one with the
// higher Version stays, so states may arrive in any order and more than
// once (from this server's writes and from other servers' notifications)
// and the board still converges on the store. It is safe for concurrent
// use.
type Board struct {
	mu     sync.RWMutex
	states map[string]State
}

// NewBoard returns an empty board.
func NewBoard() *Board { return &Board{states: map[string]State{}} }

// Merge keeps each of states that is newer than what the board holds for
// its officer, and reports how many it kept.
func (b *Board) Merge(states ...State) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	kept := 0
	for _, s := range states {
		if cur, ok := b.states[s.Officer]; ok && cur.Version >= s.Version {
			continue
		}
		b.states[s.Officer] = s
		kept++
	}
	return kept
}

// Get returns the officer's state, if the board has one.
func (b *Board) Get(officer string) (State, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	s, ok := b.states[officer]
	return s, ok
}

// States returns every state of an officer seen at least once, by officer id.
func (b *Board) States() []State {
	b.mu.RLock()
	out := make([]State, 0, len(b.states))
	for _, s := range b.states {
		if s.Seen() {
			out = append(out, s)
		}
	}
	b.mu.RUnlock()
	slices.SortFunc(out, func(a, b State) int { return cmp.Compare(a.Officer, b.Officer) })
	return out
}

// Len returns how many officers the board holds.
func (b *Board) Len() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.states)
}
