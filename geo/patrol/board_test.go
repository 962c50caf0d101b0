package patrol

import (
	"fmt"
	"sync"
	"testing"
)

func TestBoardKeepsTheNewest(t *testing.T) {
	b := NewBoard()
	r := testRules(t)
	s1, _, _ := r.Step(State{}, ping(r, "o1", 0, inC1), nil)
	s1.Version = 1
	s2, _, _ := r.Step(s1, ping(r, "o1", 5, inC2), nil)
	s2.Version = 2
	if n := b.Merge(s2, s1); n != 1 {
		t.Errorf("Merge kept %d states, want 1 (the older came second)", n)
	}
	if got, _ := b.Get("o1"); got.Version != 2 || got.Last.GridID != "C2" {
		t.Errorf("board holds %+v, want version 2 in C2", got)
	}
	if n := b.Merge(s2); n != 0 {
		t.Error("the same version merged twice")
	}
	b.Merge(State{Officer: "o2", Version: 1}) // known, never seen
	if states := b.States(); len(states) != 1 || states[0].Officer != "o1" || b.Len() != 2 {
		t.Errorf("States() = %+v (len %d); want only the officer seen", states, b.Len())
	}
}

func TestBoardConcurrent(t *testing.T) {
	b := NewBoard()
	r := testRules(t)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for v := range 200 {
				st, _, _ := r.Step(State{}, ping(r, fmt.Sprintf("o%d", v%7), v, inC1), nil)
				st.Version = int64(v)
				b.Merge(st)
				_ = b.States()
				_ = w
			}
		})
	}
	wg.Wait()
	for _, s := range b.States() {
		if s.Version < 193 {
			t.Errorf("%s at version %d, want its last", s.Officer, s.Version)
		}
	}
}
