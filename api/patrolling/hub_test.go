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
