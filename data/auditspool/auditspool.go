// Package auditspool keeps the audit log durable while its store is down.
// A Log appends to its primary log (PostGIS) when it can; when the primary
// is unavailable it appends to a local file, fsynced before it returns, and
// moves the file's entries to the primary once it is back. So a server
// whose database restarts goes on serving audited reads without losing an
// audit entry.
//
// Delivery is at least once: a crash between storing a drained batch in the
// primary and truncating the file stores that batch twice (the entries keep
// their request ids, so duplicates can be told apart). It is never zero
// times for an entry AppendAudit accepted.
package auditspool

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"jingge/data"
)

// Log is a data.AuditLog with a local spool file. It is safe for
// concurrent use; only one process may use a spool file at a time.
type Log struct {
	primary data.AuditLog
	path    string
	logger  *slog.Logger

	mu      sync.Mutex
	file    *os.File // open for appending while spooling; nil otherwise
	spooled int      // entries in the file
}

var _ data.AuditLog = (*Log)(nil)

// drainBatch is how many spooled entries go to the primary at once.
const drainBatch = 1000

// Open returns a Log over primary spooling to the file at path. Entries
// left in the file by an earlier run are moved to the primary by the next
// Drain.
func Open(primary data.AuditLog, path string, logger *slog.Logger) (*Log, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	l := &Log{primary: primary, path: path, logger: logger}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("auditspool: %w", err)
	}
	if err := trimTornTail(path); err != nil {
		return nil, err
	}
	n, err := l.count()
	if err != nil {
		return nil, err
	}
	if n > 0 {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, fmt.Errorf("auditspool: %w", err)
		}
		l.file, l.spooled = f, n
		logger.Warn("audit entries from an earlier run wait in the spool", "entries", n, "file", path)
	}
	return l, nil
}

// Spooled reports how many entries wait in the spool file.
func (l *Log) Spooled() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.spooled
}

// AppendAudit implements data.AuditLog. While entries wait in the spool,
// new ones join them there, so the primary receives entries in order.
func (l *Log) AppendAudit(ctx context.Context, entries []data.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.file == nil {
		err := l.primary.AppendAudit(ctx, entries)
		if err == nil || !errors.Is(err, data.ErrUnavailable) {
			return err
		}
		l.logger.Warn("the audit log is unavailable; spooling entries to a local file until it is back", "file", l.path, "err", err)
		f, ferr := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if ferr != nil {
			return fmt.Errorf("auditspool: %w (and the primary: %w)", ferr, err)
		}
		l.file = f
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, e := range entries {
		// Spooled as the primary will store it (JSON would keep a NUL).
		if err := enc.Encode(e.Storable()); err != nil {
			return fmt.Errorf("auditspool: %w", err)
		}
	}
	if _, err := l.file.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("auditspool: writing the spool: %w", err)
	}
	if err := l.file.Sync(); err != nil {
		return fmt.Errorf("auditspool: syncing the spool: %w", err)
	}
	l.spooled += len(entries)
	return nil
}

// QueryAudit implements data.AuditLog from the primary; spooled entries
// appear once drained.
func (l *Log) QueryAudit(ctx context.Context, q data.AuditQuery) ([]data.AuditEntry, error) {
	return l.primary.QueryAudit(ctx, q)
}

// Drain moves the spooled entries to the primary, in order, and empties
// the spool. It returns how many it moved; on error the rest stay. An
// entry the primary refuses while it is up (not ErrUnavailable) does not
// hold back the others: it is set aside in the file RejectedPath names,
// with a warning, and the entries after it move on.
func (l *Log) Drain(ctx context.Context) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.file == nil {
		return 0, nil
	}
	entries, err := l.read()
	if err != nil {
		return 0, err
	}
	done := 0
	for done < len(entries) {
		n, err := l.store(ctx, entries[done:min(done+drainBatch, len(entries))])
		done += n
		if err != nil {
			if done > 0 {
				// Keep only what is not stored yet.
				if werr := l.rewrite(entries[done:]); werr != nil {
					return done, werr
				}
			}
			return done, err
		}
	}
	if err := l.file.Close(); err != nil {
		return len(entries), fmt.Errorf("auditspool: %w", err)
	}
	l.file = nil
	if err := os.Remove(l.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return len(entries), fmt.Errorf("auditspool: %w", err)
	}
	l.spooled = 0
	l.logger.Info("spooled audit entries stored", "entries", len(entries))
	return len(entries), nil
}

// RejectedPath is the file beside the spool at path where Drain sets
// aside the entries the primary refuses, one JSON object a line.
func RejectedPath(path string) string { return path + ".rejected" }

// store appends batch to the primary and returns how many of its entries
// are done with (stored, or set aside) before an error that stops the
// drain: the primary being unavailable, or the rejected file failing.
func (l *Log) store(ctx context.Context, batch []data.AuditEntry) (int, error) {
	err := l.primary.AppendAudit(ctx, batch)
	if err == nil {
		return len(batch), nil
	}
	if errors.Is(err, data.ErrUnavailable) || ctx.Err() != nil {
		return 0, err
	}
	// The primary is up and refuses the batch: find the entries it
	// refuses one by one, so one of them cannot block the spool forever.
	for i, e := range batch {
		err := l.primary.AppendAudit(ctx, batch[i:i+1])
		switch {
		case err == nil:
			continue
		case errors.Is(err, data.ErrUnavailable) || ctx.Err() != nil:
			return i, err
		}
		if serr := l.setAside(e); serr != nil {
			return i, fmt.Errorf("%w (setting aside an entry the audit log refuses: %w)", serr, err)
		}
		l.logger.Warn("the audit log refuses a spooled entry; it is set aside and the others go on",
			"request_id", e.RequestID, "action", e.Action, "at", e.At, "file", RejectedPath(l.path), "err", err)
	}
	return len(batch), nil
}

// setAside appends e to the rejected file, fsynced, so it is kept for a
// person to look at though the primary will not take it.
func (l *Log) setAside(e data.AuditEntry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("auditspool: %w", err)
	}
	f, err := os.OpenFile(RejectedPath(l.path), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("auditspool: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("auditspool: setting aside a refused entry: %w", err)
	}
	return nil
}

// Run drains the spool every interval until ctx ends.
func (l *Log) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if l.Spooled() == 0 {
				continue
			}
			_, err := l.Drain(ctx)
			switch {
			case err == nil || ctx.Err() != nil:
			case errors.Is(err, data.ErrUnavailable):
				l.logger.Debug("the audit log is still unavailable", "err", err)
			default:
				// Not an outage: entries wait in the spool for a reason a
				// person must see.
				l.logger.Warn("the spooled audit entries cannot be moved to the audit log", "file", l.path, "entries", l.Spooled(), "err", err)
			}
		}
	}
}

// Close closes the spool file; entries in it stay for the next Open.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.file == nil {
		return nil
	}
	err := l.file.Close()
	l.file = nil
	return err
}

func (l *Log) count() (int, error) {
	entries, err := l.read()
	return len(entries), err
}

// read returns the spooled entries; a torn last line (a crash mid-write,
// before the fsync that would have acknowledged it) is dropped.
func (l *Log) read() ([]data.AuditEntry, error) {
	b, err := os.ReadFile(l.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("auditspool: %w", err)
	}
	var out []data.AuditEntry
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var e data.AuditEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			l.logger.Warn("skipping a torn line of the audit spool", "file", l.path)
			continue
		}
		// A spool written by an older version may hold a NUL.
		out = append(out, e.Storable())
	}
	return out, sc.Err()
}

// rewrite replaces the spool with entries, atomically.
func (l *Log) rewrite(entries []data.AuditEntry) error {
	tmp := l.path + ".tmp"
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, e := range entries {
		_ = enc.Encode(e)
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("auditspool: %w", err)
	}
	if _, err = f.Write(buf.Bytes()); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, l.path)
	}
	if err != nil {
		return fmt.Errorf("auditspool: %w", err)
	}
	l.file.Close()
	l.file, err = os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND, 0o600)
	l.spooled = len(entries)
	return err
}

// trimTornTail cuts a last line without its newline (a write cut short by
// a crash, never acknowledged), so the next append starts a fresh line.
func trimTornTail(path string) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) || len(b) == 0 || b[len(b)-1] == '\n' {
		return nil
	}
	if err != nil {
		return fmt.Errorf("auditspool: %w", err)
	}
	if err := os.Truncate(path, int64(bytes.LastIndexByte(b, '\n')+1)); err != nil {
		return fmt.Errorf("auditspool: %w", err)
	}
	return nil
}
