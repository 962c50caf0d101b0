package patrolling

import (
	"sync"

	"jingge/geo/patrol"
)

// Hub fans the events this server reads from the store out to its stream
// clients. Publishing never blocks: a client whose buffer is full is cut
// loose (its channel closed, Lagged set) and its stream catches up from
// the store, which holds every event, before it goes live again. A
// client gets every event published after it subscribed; the events
// before, its stream reads from the store after subscribing.
type Hub struct {
	buffer int

	mu      sync.Mutex
	clients map[*Subscriber]struct{}
	closed  bool
}

// Subscriber is one stream's place in the hub. Its channel is closed when
// it lagged or the hub closed; Lagged tells which, and is safe to read
// once the channel is closed.
type Subscriber struct {
	ch     chan patrol.Event
	lagged bool
}

// C delivers the events published after the subscription, in order.
func (sub *Subscriber) C() <-chan patrol.Event { return sub.ch }

// Lagged reports, once C is closed, whether the hub dropped the
// subscriber for being behind (too slow, or subscribed before Run went
// live: CatchUpAll) rather than closing: its stream is to catch up from
// the store and subscribe again.
func (sub *Subscriber) Lagged() bool { return sub.lagged }

// NewHub returns a hub that lets buffer events wait for each client.
func NewHub(buffer int) *Hub {
	return &Hub{buffer: buffer, clients: map[*Subscriber]struct{}{}}
}

// Subscribe adds a client; ok is false once the hub is closed.
func (h *Hub) Subscribe() (sub *Subscriber, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, false
	}
	sub = &Subscriber{ch: make(chan patrol.Event, h.buffer)}
	h.clients[sub] = struct{}{}
	return sub, true
}

// Clients reports how many clients are subscribed.
func (h *Hub) Clients() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

// Unsubscribe removes a client that is done.
func (h *Hub) Unsubscribe(sub *Subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.clients[sub]; ok {
		delete(h.clients, sub)
		close(sub.ch)
	}
}

// CatchUpAll ends every client's channel as if it lagged, so each stream
// catches up from the store and subscribes again. Run calls it once it
// knows the id it publishes after: a stream that subscribed earlier
// replayed the store only as far as it then reached, and the events
// committed between that replay and the id Run starts from would reach
// it neither from the hub nor from the store.
func (h *Hub) CatchUpAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.clients {
		h.cutLocked(sub)
	}
}

// cutLocked drops sub for being behind: its stream catches up from the
// store. h.mu must be held.
func (h *Hub) cutLocked(sub *Subscriber) {
	sub.lagged = true
	delete(h.clients, sub)
	close(sub.ch)
}

// Publish offers evs, in order, to every client.
func (h *Hub) Publish(evs []patrol.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.clients {
		for _, e := range evs {
			select {
			case sub.ch <- e:
				continue
			default:
			}
			h.cutLocked(sub)
			break
		}
	}
}

// Close ends every client's channel and refuses new ones.
func (h *Hub) Close() {
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
