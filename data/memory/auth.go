package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"jingge/data"
	"jingge/data/memory/archive"
)

// DefaultAuditCapacity is how many audit entries an Auth keeps by default.
const DefaultAuditCapacity = 100_000

// lastUseInterval matches the PostGIS store: last-use times are refreshed
// at most once a minute.
const lastUseInterval = time.Minute

// Auth is an in-memory data.AuthStore for the embedded mode and tests.
// Users and API tokens can be kept in a file (OpenAuthFile) shared with
// the `jingge users` and `jingge tokens` commands; sessions, login links,
// last-use times and the audit log live in memory. On its own the audit
// log is a ring of the newest entries (AuditCapacity), so memory stays
// bounded; in a data directory (OpenDir) every entry is kept, the older
// ones in the directory's archive rather than in memory.
type Auth struct {
	mu    sync.Mutex
	users map[string]data.User
	creds map[string]*data.Credential // by id
	hash  map[[32]byte]string         // secret hash -> id

	audit    []data.AuditEntry // ring buffer
	auditCap int
	auditLen int
	auditPos int // next write position
	seq      int64

	file *authFile // nil: memory only
	// jr keeps sessions, login links, last-use times and the audit log in
	// a data directory (durable.go); nil keeps them in memory only.
	jr *journaler
	// arch, in a data directory, keeps the entries that leave the newest
	// auditCap (package archive): nothing is dropped, and audit is a plain
	// list, oldest first, that compaction trims.
	arch *archive.Archive
}

var _ data.AuthStore = (*Auth)(nil)

// NewAuth returns an empty in-memory auth store keeping at most auditCap
// audit entries (DefaultAuditCapacity when <= 0).
func NewAuth(auditCap int) *Auth {
	if auditCap <= 0 {
		auditCap = DefaultAuditCapacity
	}
	return &Auth{
		users:    map[string]data.User{},
		creds:    map[string]*data.Credential{},
		hash:     map[[32]byte]string{},
		audit:    make([]data.AuditEntry, 0, min(auditCap, 1024)),
		auditCap: auditCap,
	}
}

// persisted reports whether c is kept in the file, when there is one.
func persisted(c *data.Credential) bool { return c.Kind == data.KindToken }

// CreateUser implements data.Users.
func (a *Auth) CreateUser(ctx context.Context, u data.User) error {
	if err := u.Validate(); err != nil {
		return fmt.Errorf("memory: create user: %w", err)
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = time.Now()
	}
	return a.change(ctx, true, func() error {
		if _, ok := a.users[u.Name]; ok {
			return fmt.Errorf("memory: create user: %w: a user named %q already exists", data.ErrConflict, u.Name)
		}
		a.users[u.Name] = u
		return nil
	})
}

// User implements data.Users.
func (a *Auth) User(ctx context.Context, name string) (data.User, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.refreshLocked()
	u, ok := a.users[name]
	if !ok && a.forceRefreshLocked() {
		u, ok = a.users[name]
	}
	if !ok {
		return data.User{}, fmt.Errorf("memory: user %q: %w", name, data.ErrNotFound)
	}
	return u, nil
}

// ListUsers implements data.Users.
func (a *Auth) ListUsers(ctx context.Context) ([]data.User, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.refreshLocked()
	out := make([]data.User, 0, len(a.users))
	for _, u := range a.users {
		out = append(out, u)
	}
	slices.SortFunc(out, func(x, y data.User) int { return strings.Compare(x.Name, y.Name) })
	return out, nil
}

// SetPassword implements data.Users.
func (a *Auth) SetPassword(ctx context.Context, name, passwordHash string) error {
	return a.changeUser(ctx, name, func(u *data.User) { u.PasswordHash = passwordHash })
}

// SetDisabled implements data.Users.
func (a *Auth) SetDisabled(ctx context.Context, name string, disabled bool) error {
	return a.changeUser(ctx, name, func(u *data.User) { u.Disabled = disabled })
}

func (a *Auth) changeUser(ctx context.Context, name string, f func(*data.User)) (err error) {
	now := time.Now()
	var tk ticket
	defer func() { err = a.jr.settle(tk, err) }()
	return a.change(ctx, true, func() error {
		u, ok := a.users[name]
		if !ok {
			return fmt.Errorf("memory: user %q: %w", name, data.ErrNotFound)
		}
		f(&u)
		a.users[name] = u
		for _, c := range a.creds {
			if c.UserName == name && c.Kind != data.KindToken && c.RevokedAt.IsZero() {
				c.RevokedAt = now
			}
		}
		if a.file != nil {
			a.file.sessionsValidFrom[name] = now
		}
		tk = a.jr.log(recRevokeSessions, revokeSessionsRecord{User: name, At: now})
		return nil
	})
}

// CreateCredential implements data.Credentials.
func (a *Auth) CreateCredential(ctx context.Context, c data.Credential) (err error) {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = time.Now()
	}
	var tk ticket
	defer func() { err = a.jr.settle(tk, err) }()
	return a.change(ctx, persisted(&c), func() error {
		if _, ok := a.users[c.UserName]; !ok {
			return fmt.Errorf("memory: create credential: user %q: %w", c.UserName, data.ErrNotFound)
		}
		if _, ok := a.creds[c.ID]; ok {
			return fmt.Errorf("memory: create credential: %w: id %q is taken", data.ErrConflict, c.ID)
		}
		if _, ok := a.hash[c.Hash]; ok {
			return fmt.Errorf("memory: create credential: %w: the secret is already in use", data.ErrConflict)
		}
		a.creds[c.ID] = &c
		a.hash[c.Hash] = c.ID
		if !persisted(&c) || a.file == nil {
			tk = a.jr.log(recCredential, credentialRecord{Credential: c})
		}
		return nil
	})
}

// Authenticate implements data.Credentials.
func (a *Auth) Authenticate(ctx context.Context, kind data.CredentialKind, hash [32]byte, now time.Time) (_ data.Authenticated, err error) {
	if err := ctx.Err(); err != nil {
		return data.Authenticated{}, err
	}
	var tk ticket
	defer func() { err = a.jr.settle(tk, err) }()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.refreshLocked()
	fail := fmt.Errorf("memory: authenticate: %w", data.ErrUnauthenticated)
	id, ok := a.hash[hash]
	if !ok && a.forceRefreshLocked() {
		id, ok = a.hash[hash]
	}
	if !ok {
		return data.Authenticated{}, fail
	}
	c := a.creds[id]
	if c.Kind != kind || !c.Active(now) {
		return data.Authenticated{}, fail
	}
	u, ok := a.users[c.UserName]
	if !ok || u.Disabled {
		return data.Authenticated{}, fail
	}
	if a.file != nil && kind == data.KindSession && c.CreatedAt.Before(a.file.sessionsValidFrom[u.Name]) {
		// The password changed or the user was disabled by another process.
		return data.Authenticated{}, fail
	}
	if kind == data.KindLoginLink {
		c.RevokedAt = now
		c.LastUsedAt = now
		tk = a.jr.log(recCredentialUse, credentialUseRecord{ID: c.ID, LastUsedAt: now, RevokedAt: now})
	} else if c.LastUsedAt.IsZero() || now.Sub(c.LastUsedAt) >= lastUseInterval {
		c.LastUsedAt = now
		tk = a.jr.log(recCredentialUse, credentialUseRecord{ID: c.ID, LastUsedAt: now})
	}
	return data.Authenticated{User: u, Credential: *c}, nil
}

// ListCredentials implements data.Credentials.
func (a *Auth) ListCredentials(ctx context.Context, kind data.CredentialKind, user string) ([]data.Credential, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.refreshLocked()
	var out []data.Credential
	for _, c := range a.creds {
		if (kind == "" || c.Kind == kind) && (user == "" || c.UserName == user) {
			out = append(out, *c)
		}
	}
	slices.SortFunc(out, func(x, y data.Credential) int {
		if c := y.CreatedAt.Compare(x.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	return out, nil
}

// RevokeCredential implements data.Credentials.
func (a *Auth) RevokeCredential(ctx context.Context, id string, now time.Time) (err error) {
	var tk ticket
	defer func() { err = a.jr.settle(tk, err) }()
	a.mu.Lock()
	c, ok := a.creds[id]
	persist := ok && persisted(c)
	a.mu.Unlock()
	if !ok && a.file != nil {
		persist = true // it may be a token another process created
	}
	return a.change(ctx, persist, func() error {
		c, ok := a.creds[id]
		if !ok {
			return fmt.Errorf("memory: revoke credential %q: %w", id, data.ErrNotFound)
		}
		if c.RevokedAt.IsZero() {
			c.RevokedAt = now
			tk = a.jr.log(recCredentialUse, credentialUseRecord{ID: id, LastUsedAt: c.LastUsedAt, RevokedAt: now})
		}
		return nil
	})
}

// AppendAudit implements data.AuditLog.
func (a *Auth) AppendAudit(ctx context.Context, entries []data.AuditEntry) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	var tk ticket
	defer func() { err = a.jr.settle(tk, err) }()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.jr != nil {
		tk = a.jr.log(recAudit, auditRecord{Entries: entries, FirstSeq: a.seq + 1})
	}
	for _, e := range entries {
		e = e.Storable()
		a.seq++
		e.Seq = a.seq
		a.appendAuditLocked(e)
	}
	return nil
}

// appendAuditLocked keeps e as the newest entry: in the ring, which drops
// the oldest when full, or with an archive at the end of the list.
func (a *Auth) appendAuditLocked(e data.AuditEntry) {
	if a.arch != nil {
		a.audit = append(a.audit, e)
		a.auditLen = len(a.audit)
		return
	}
	if len(a.audit) < a.auditCap {
		a.audit = append(a.audit, e)
	} else {
		a.audit[a.auditPos] = e
	}
	a.auditPos = (a.auditPos + 1) % a.auditCap
	a.auditLen = min(a.auditLen+1, a.auditCap)
}

// newestAuditLocked returns the i-th newest entry held in memory, from 1
// to auditLen.
func (a *Auth) newestAuditLocked(i int) data.AuditEntry {
	if a.arch != nil {
		return a.audit[len(a.audit)-i]
	}
	return a.audit[(a.auditPos-i+a.auditCap)%a.auditCap]
}

// QueryAudit implements data.AuditLog.
func (a *Auth) QueryAudit(ctx context.Context, q data.AuditQuery) ([]data.AuditEntry, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, data.MaxAuditLimit)
	a.mu.Lock()
	var out []data.AuditEntry
	for i := 1; i <= a.auditLen && len(out) < limit; i++ {
		if e := a.newestAuditLocked(i); archive.AuditMatches(q, e) {
			out = append(out, e)
		}
	}
	if a.arch == nil || len(out) >= limit {
		a.mu.Unlock()
		return out, nil
	}
	for i := len(a.arch.PendingAudit) - 1; i >= 0 && len(out) < limit; i-- {
		if e := a.arch.PendingAudit[i]; archive.AuditMatches(q, e) {
			out = append(out, e)
		}
	}
	chunks := a.arch.AuditChunks(q)
	a.arch.Files.RLock()
	a.mu.Unlock()
	defer a.arch.Files.RUnlock()
	out, err := a.arch.ReadAuditQuery(out, chunks, q, limit)
	if err != nil {
		return nil, fmt.Errorf("memory: audit query: %w", err)
	}
	return out, nil
}

// change applies f under the lock. When persist is set and the store has a
// file, the file is re-read under its lock first and written after, so
// changes made by other processes are kept.
func (a *Auth) change(ctx context.Context, persist bool, f func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if !persist || a.file == nil {
		return f()
	}
	unlock, err := a.file.Lock()
	if err != nil {
		return err
	}
	defer unlock()
	if err := a.loadLocked(); err != nil {
		return err
	}
	if err := f(); err != nil {
		return err
	}
	return a.saveLocked()
}
