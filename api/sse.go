package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

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

// streamWriter writes Server-Sent Events to one client. Every write gets
// its own deadline (WriteWait) through http.ResponseController, which
// lifts the server's WriteTimeout for as long as the stream lives; between
// writes the connection has no deadline.
type streamWriter struct {
	w         http.ResponseWriter
	rc        *http.ResponseController
	writeWait time.Duration
	buf       bytes.Buffer
}

// errStreamWrite marks a failed write: the client went away or was too slow.
var errStreamWrite = errors.New("api: event stream write failed")

func newStreamWriter(w http.ResponseWriter, writeWait time.Duration) *streamWriter {
	return &streamWriter{w: w, rc: http.NewResponseController(w), writeWait: writeWait}
}

// start sends the stream's headers and a retry hint. (The server's read
// deadline needs no care: net/http lifts it once the request is read.)
func (sw *streamWriter) start(retry time.Duration) error {
	h := sw.w.Header()
	h.Set("Content-Type", contentTypeEventStream)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	sw.w.WriteHeader(http.StatusOK)
	sw.buf.WriteString("retry: ")
	sw.buf.WriteString(strconv.FormatInt(retry.Milliseconds(), 10))
	sw.buf.WriteString("\n\n")
	return sw.flush()
}

// event writes one event: its id (what EventSource sends back as
// Last-Event-ID), no event name (so onmessage receives every kind), and
// the JSON data on one line.
func (sw *streamWriter) event(id int64, payload any) error {
	sw.buf.WriteString("id: ")
	sw.buf.WriteString(strconv.FormatInt(id, 10))
	sw.buf.WriteString("\n")
	return sw.data(payload)
}

// named writes an event with a name and no id, which EventSource delivers
// to that name's listeners (not onmessage) without moving Last-Event-ID.
func (sw *streamWriter) named(name string, payload any) error {
	sw.buf.WriteString("event: ")
	sw.buf.WriteString(name)
	sw.buf.WriteString("\n")
	return sw.data(payload)
}

// data ends the event in the buffer with payload as JSON on one data line
// and sends it.
func (sw *streamWriter) data(payload any) error {
	sw.buf.WriteString("data: ")
	enc := json.NewEncoder(&sw.buf) // Encode ends with the newline that ends the data line
	enc.SetEscapeHTML(false)
	if err := enc.Encode(payload); err != nil {
		sw.buf.Reset()
		return err
	}
	sw.buf.WriteString("\n")
	return sw.flush()
}

// comment writes a comment line, which clients ignore: heartbeats and the
// goodbye on shutdown.
func (sw *streamWriter) comment(text string) error {
	sw.buf.WriteString(": ")
	sw.buf.WriteString(text)
	sw.buf.WriteString("\n\n")
	return sw.flush()
}

func (sw *streamWriter) flush() error {
	defer sw.buf.Reset()
	_ = sw.rc.SetWriteDeadline(time.Now().Add(sw.writeWait))
	if _, err := sw.w.Write(sw.buf.Bytes()); err != nil {
		return errors.Join(errStreamWrite, err)
	}
	if err := sw.rc.Flush(); err != nil {
		return errors.Join(errStreamWrite, err)
	}
	_ = sw.rc.SetWriteDeadline(time.Time{})
	return nil
}
