package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// StreamWriter writes Server-Sent Events to one client. Every write gets
// its own deadline (WriteWait) through http.ResponseController, which
// lifts the server's WriteTimeout for as long as the stream lives; between
// writes the connection has no deadline.
type StreamWriter struct {
	w         http.ResponseWriter
	rc        *http.ResponseController
	writeWait time.Duration
	buf       bytes.Buffer
}

// ErrStreamWrite marks a failed write: the client went away or was too slow.
var ErrStreamWrite = errors.New("api: event stream write failed")

func NewStreamWriter(w http.ResponseWriter, writeWait time.Duration) *StreamWriter {
	return &StreamWriter{w: w, rc: http.NewResponseController(w), writeWait: writeWait}
}

// Start sends the stream's headers and a retry hint. (The server's read
// deadline needs no care: net/http lifts it once the request is read.)
func (sw *StreamWriter) Start(retry time.Duration) error {
	h := sw.w.Header()
	h.Set("Content-Type", ContentTypeEventStream)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	sw.w.WriteHeader(http.StatusOK)
	sw.buf.WriteString("retry: ")
	sw.buf.WriteString(strconv.FormatInt(retry.Milliseconds(), 10))
	sw.buf.WriteString("\n\n")
	return sw.Flush()
}

// Event writes one event: its id (what EventSource sends back as
// Last-Event-ID), no event name (so onmessage receives every kind), and
// the JSON data on one line.
func (sw *StreamWriter) Event(id int64, payload any) error {
	sw.buf.WriteString("id: ")
	sw.buf.WriteString(strconv.FormatInt(id, 10))
	sw.buf.WriteString("\n")
	return sw.Data(payload)
}

// Named writes an event with a name and no id, which EventSource delivers
// to that name's listeners (not onmessage) without moving Last-Event-ID.
func (sw *StreamWriter) Named(name string, payload any) error {
	sw.buf.WriteString("event: ")
	sw.buf.WriteString(name)
	sw.buf.WriteString("\n")
	return sw.Data(payload)
}

// Data ends the event in the buffer with payload as JSON on one data line
// and sends it.
func (sw *StreamWriter) Data(payload any) error {
	sw.buf.WriteString("data: ")
	enc := json.NewEncoder(&sw.buf) // Encode ends with the newline that ends the data line
	enc.SetEscapeHTML(false)
	if err := enc.Encode(payload); err != nil {
		sw.buf.Reset()
		return err
	}
	sw.buf.WriteString("\n")
	return sw.Flush()
}

// Comment writes a comment line, which clients ignore: heartbeats and the
// goodbye on shutdown.
func (sw *StreamWriter) Comment(text string) error {
	sw.buf.WriteString(": ")
	sw.buf.WriteString(text)
	sw.buf.WriteString("\n\n")
	return sw.Flush()
}

func (sw *StreamWriter) Flush() error {
	defer sw.buf.Reset()
	_ = sw.rc.SetWriteDeadline(time.Now().Add(sw.writeWait))
	if _, err := sw.w.Write(sw.buf.Bytes()); err != nil {
		return errors.Join(ErrStreamWrite, err)
	}
	if err := sw.rc.Flush(); err != nil {
		return errors.Join(ErrStreamWrite, err)
	}
	_ = sw.rc.SetWriteDeadline(time.Time{})
	return nil
}
