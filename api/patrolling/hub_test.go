package patrolling

import (
	"testing"

	"jingge/geo/patrol"
)

func TestHubDropsSlowSubscribers(t *testing.T) {
	h := NewHub(2)
	fast, _ := h.Subscribe()
	slow, _ := h.Subscribe()
	h.Publish([]patrol.Event{{ID: 1}, {ID: 2}})
	<-fast.ch
	<-fast.ch
	h.Publish([]patrol.Event{{ID: 3}})
	if _, open := <-slow.ch; !open {
		t.Fatal("slow subscriber closed before its buffer filled")
	}
	<-slow.ch
	for range slow.ch { // drains to the close
	}
	if !slow.lagged {
		t.Error("slow subscriber not marked lagged")
	}
	if e := <-fast.ch; e.ID != 3 || h.Clients() != 1 {
		t.Errorf("fast subscriber: %+v, %d subscribers", e, h.Clients())
	}
	h.Close()
	if _, open := <-fast.ch; open || fast.lagged {
		t.Error("close did not end the fast subscriber cleanly")
	}
	if _, ok := h.Subscribe(); ok {
		t.Error("subscribed to a closed hub")
	}
}

// TestHubCatchUpAll: every client is cut loose as lagged, so its stream
// catches up from the store; the hub takes new clients after.
func TestHubCatchUpAll(t *testing.T) {
	h := NewHub(4)
	a, _ := h.Subscribe()
	b, _ := h.Subscribe()
	h.Publish([]patrol.Event{{ID: 1}})
	h.CatchUpAll()
	for i, sub := range []*Subscriber{a, b} {
		for range sub.C() { // drains to the close
		}
		if !sub.Lagged() {
			t.Errorf("client %d not marked lagged", i)
		}
	}
	if h.Clients() != 0 {
		t.Errorf("%d clients after CatchUpAll, want 0", h.Clients())
	}
	c, ok := h.Subscribe()
	if !ok {
		t.Fatal("the hub refused a client after CatchUpAll")
	}
	h.Publish([]patrol.Event{{ID: 2}})
	if e := <-c.C(); e.ID != 2 {
		t.Errorf("new client got %+v, want event 2", e)
	}
}
