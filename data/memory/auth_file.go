package memory

import (
	"time"

	"jingge/data"
	"jingge/data/memory/authfile"
)

// authFile is where an Auth keeps its users and API tokens.
type authFile struct {
	*authfile.File
	// sessionsValidFrom holds, per user, when the password last changed or
	// the user was disabled: sessions opened before then stop working, even
	// in a server that learnt of the change from the file.
	sessionsValidFrom map[string]time.Time
}

// refreshEvery is how often a server re-reads the file for changes made by
// `jingge users` and `jingge tokens`.
const refreshEvery = time.Second

// OpenAuthFile returns an Auth whose users and API tokens are kept in the
// JSON file at path (created, mode 0600, on the first change). Several
// processes may share the file: changes are made under an exclusive lock
// of path+".lock", and a store re-reads the file at most once a second
// when another process changed it.
func OpenAuthFile(path string, auditCap int) (*Auth, error) {
	a := NewAuth(auditCap)
	a.file = &authFile{File: authfile.New(path), sessionsValidFrom: map[string]time.Time{}}
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.loadLocked(); err != nil {
		return nil, err
	}
	return a, nil
}

// refreshLocked re-reads the file if it changed since it was loaded; on
// error the store keeps what it had. a.mu must be held.
func (a *Auth) refreshLocked() {
	f := a.file
	if f == nil || f.CheckedWithin(refreshEvery) {
		return
	}
	if f.Changed() {
		_ = a.loadLocked()
	}
}

// forceRefreshLocked re-reads the file now if it changed, whatever the
// time since the last check, and reports whether it did: a name or secret
// made by the command line a moment ago is found at once. Lookups that
// miss are rate-limited by the API, so this stat is cheap enough.
func (a *Auth) forceRefreshLocked() bool {
	f := a.file
	if f == nil {
		return false
	}
	return f.Changed() && a.loadLocked() == nil
}

// loadLocked replaces the users and tokens with the file's; sessions,
// login links and last-use times stay. A missing file is an empty one.
// a.mu must be held.
func (a *Auth) loadLocked() error {
	c, err := a.file.Read()
	if err != nil {
		return err
	}
	users := make(map[string]data.User, len(c.Users))
	valid := map[string]time.Time{}
	for _, u := range c.Users {
		users[u.Name] = u.User
		if !u.SessionsValidFrom.IsZero() {
			valid[u.Name] = u.SessionsValidFrom
		}
	}
	// Keep in-memory credentials (sessions, links) and last-use times.
	old := a.creds
	a.creds = map[string]*data.Credential{}
	a.hash = map[[32]byte]string{}
	for id, cr := range old {
		if !persisted(cr) {
			a.creds[id] = cr
			a.hash[cr.Hash] = id
		}
	}
	for i := range c.Tokens {
		cr := &c.Tokens[i]
		if prev, ok := old[cr.ID]; ok {
			cr.LastUsedAt = prev.LastUsedAt
		}
		a.creds[cr.ID] = cr
		a.hash[cr.Hash] = cr.ID
	}
	a.users = users
	a.file.sessionsValidFrom = valid
	return nil
}

// saveLocked writes the users and tokens to the file (authfile.File.Write
// replaces it whole). a.mu must be held.
func (a *Auth) saveLocked() error {
	f := a.file
	var c authfile.Contents
	for _, u := range a.users {
		c.Users = append(c.Users, authfile.User{User: u, SessionsValidFrom: f.sessionsValidFrom[u.Name]})
	}
	for _, cr := range a.creds {
		if persisted(cr) {
			c.Tokens = append(c.Tokens, *cr)
		}
	}
	return f.Write(c)
}
