package api

import (
	"sync"

	"jingge/geo/patrol"
)

// hub fans the events this server reads from the store out to its stream
// clients. Publishing never blocks: a client whose buffer is full is cut
// loose (its channel closed, lagged set) and its stream catches up from
// the store, which holds every event, before it goes live again.
type hub struct {
	buffer int

	mu      sync.Mutex
	clients map[*subscriber]struct{}
	closed  bool
}

// subscriber is one stream's place in the hub. Its channel is closed when
// it lagged or the hub closed; lagged tells which, and is safe to read
// once the channel is closed.
type subscriber struct {
	ch     chan patrol.Event
	lagged bool
}

func newHub(buffer int) *hub {
	return &hub{buffer: buffer, clients: map[*subscriber]struct{}{}}
}

// subscribe adds a client; ok is false once the hub is closed.
func (h *hub) subscribe() (sub *subscriber, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, false
	}
	sub = &subscriber{ch: make(chan patrol.Event, h.buffer)}
	h.clients[sub] = struct{}{}
	return sub, true
}

// count reports how many clients are subscribed.
func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

// unsubscribe removes a client that is done.
func (h *hub) unsubscribe(sub *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.clients[sub]; ok {
		delete(h.clients, sub)
		close(sub.ch)
	}
}

// publish offers evs, in order, to every client.
func (h *hub) publish(evs []patrol.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.clients {
		for _, e := range evs {
			select {
			case sub.ch <- e:
				continue
			default:
			}
			sub.lagged = true
			delete(h.clients, sub)
			close(sub.ch)
			break
		}
	}
}

// close ends every client's channel and refuses new ones.
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	for sub := range h.clients {
		delete(h.clients, sub)
		close(sub.ch)
	}
}

// clients returns the number of subscribed clients.
func (h *hub) size() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}
