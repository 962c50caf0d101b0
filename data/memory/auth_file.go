package memory

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"jingge/data"
)

// authFile is where an Auth keeps its users and API tokens.
type authFile struct {
	path    string
	mod     time.Time // of the version loaded
	size    int64
	checked time.Time // last stat
	// sessionsValidFrom holds, per user, when the password last changed or
	// the user was disabled: sessions opened before then stop working, even
	// in a server that learnt of the change from the file.
	sessionsValidFrom map[string]time.Time
}

// refreshEvery is how often a server re-reads the file for changes made by
// `jingge users` and `jingge tokens`.
const refreshEvery = time.Second

// authFileVersion is the file format's version.
const authFileVersion = 1

type authFileJSON struct {
	Version int             `json:"version"`
	Users   []authFileUser  `json:"users"`
	Tokens  []authFileToken `json:"tokens"`
}

type authFileUser struct {
	Name              string    `json:"name"`
	Role              data.Role `json:"role"`
	OfficerID         string    `json:"officer_id,omitempty"`
	PasswordHash      string    `json:"password_hash,omitempty"`
	Disabled          bool      `json:"disabled,omitempty"`
	CreatedAt         time.Time `json:"created_at"`
	SessionsValidFrom time.Time `json:"sessions_valid_from,omitzero"`
}

type authFileToken struct {
	ID        string    `json:"id"`
	User      string    `json:"user"`
	Label     string    `json:"label,omitempty"`
	SHA256    string    `json:"sha256"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// OpenAuthFile returns an Auth whose users and API tokens are kept in the
// JSON file at path (created, mode 0600, on the first change). Several
// processes may share the file: changes are made under an exclusive lock
// of path+".lock", and a store re-reads the file at most once a second
// when another process changed it.
func OpenAuthFile(path string, auditCap int) (*Auth, error) {
	a := NewAuth(auditCap)
	a.file = &authFile{path: path, sessionsValidFrom: map[string]time.Time{}}
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
	if f == nil || time.Since(f.checked) < refreshEvery {
		return
	}
	f.checked = time.Now()
	st, err := os.Stat(f.path)
	if err != nil || (st.ModTime().Equal(f.mod) && st.Size() == f.size) {
		return
	}
	_ = a.loadLocked()
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
	st, err := os.Stat(f.path)
	f.checked = time.Now()
	if err != nil || (st.ModTime().Equal(f.mod) && st.Size() == f.size) {
		return false
	}
	return a.loadLocked() == nil
}

// loadLocked replaces the users and tokens with the file's; sessions and
// login links stay. A missing file is an empty one. a.mu must be held.
func (a *Auth) loadLocked() error {
	f := a.file
	b, err := os.ReadFile(f.path)
	var st fs.FileInfo
	switch {
	case errors.Is(err, fs.ErrNotExist):
		b = nil
	case err != nil:
		return fmt.Errorf("memory: reading the auth file: %w", err)
	default:
		if st, err = os.Stat(f.path); err != nil {
			return fmt.Errorf("memory: reading the auth file: %w", err)
		}
	}
	var doc authFileJSON
	if len(b) > 0 {
		if err := json.Unmarshal(b, &doc); err != nil {
			return fmt.Errorf("memory: the auth file %s is damaged: %w", f.path, err)
		}
		if doc.Version != authFileVersion {
			return fmt.Errorf("memory: the auth file %s has version %d; this jingge reads version %d", f.path, doc.Version, authFileVersion)
		}
	}
	users := map[string]data.User{}
	valid := map[string]time.Time{}
	for _, u := range doc.Users {
		users[u.Name] = data.User{Name: u.Name, Role: u.Role, OfficerID: u.OfficerID, PasswordHash: u.PasswordHash, Disabled: u.Disabled, CreatedAt: u.CreatedAt}
		if !u.SessionsValidFrom.IsZero() {
			valid[u.Name] = u.SessionsValidFrom
		}
	}
	// Keep in-memory credentials (sessions, links) and last-use times.
	old := a.creds
	a.creds = map[string]*data.Credential{}
	a.hash = map[[32]byte]string{}
	for id, c := range old {
		if !persisted(c) {
			a.creds[id] = c
			a.hash[c.Hash] = id
		}
	}
	for _, t := range doc.Tokens {
		h, err := hex.DecodeString(t.SHA256)
		if err != nil || len(h) != 32 {
			return fmt.Errorf("memory: the auth file %s is damaged: token %s has a bad hash", f.path, t.ID)
		}
		c := &data.Credential{ID: t.ID, Kind: data.KindToken, UserName: t.User, Label: t.Label, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, RevokedAt: t.RevokedAt}
		copy(c.Hash[:], h)
		if prev, ok := old[t.ID]; ok {
			c.LastUsedAt = prev.LastUsedAt
		}
		a.creds[c.ID] = c
		a.hash[c.Hash] = c.ID
	}
	a.users = users
	f.sessionsValidFrom = valid
	if st != nil {
		f.mod, f.size = st.ModTime(), st.Size()
	}
	f.checked = time.Now()
	return nil
}

// saveLocked writes the users and tokens to a temporary file and renames
// it over the file, so readers see the old or the new file, never half.
func (a *Auth) saveLocked() error {
	f := a.file
	doc := authFileJSON{Version: authFileVersion, Users: []authFileUser{}, Tokens: []authFileToken{}}
	for _, u := range a.users {
		doc.Users = append(doc.Users, authFileUser{Name: u.Name, Role: u.Role, OfficerID: u.OfficerID, PasswordHash: u.PasswordHash,
			Disabled: u.Disabled, CreatedAt: u.CreatedAt, SessionsValidFrom: f.sessionsValidFrom[u.Name]})
	}
	slices.SortFunc(doc.Users, func(x, y authFileUser) int { return strings.Compare(x.Name, y.Name) })
	for _, c := range a.creds {
		if persisted(c) {
			doc.Tokens = append(doc.Tokens, authFileToken{ID: c.ID, User: c.UserName, Label: c.Label, SHA256: hex.EncodeToString(c.Hash[:]),
				CreatedAt: c.CreatedAt, ExpiresAt: c.ExpiresAt, RevokedAt: c.RevokedAt})
		}
	}
	slices.SortFunc(doc.Tokens, func(x, y authFileToken) int { return strings.Compare(x.ID, y.ID) })
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("memory: writing the auth file: %w", err)
	}
	dir := filepath.Dir(f.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("memory: writing the auth file: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".auth-*.json")
	if err != nil {
		return fmt.Errorf("memory: writing the auth file: %w", err)
	}
	defer os.Remove(tmp.Name())
	err = writeSyncClose(tmp, append(b, '\n'))
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o600)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), f.path)
	}
	if err != nil {
		return fmt.Errorf("memory: writing the auth file: %w", err)
	}
	if st, err := os.Stat(f.path); err == nil {
		f.mod, f.size = st.ModTime(), st.Size()
	}
	return nil
}

// syncedFile is what writeSyncClose needs of an *os.File.
type syncedFile interface {
	Write(b []byte) (int, error)
	Sync() error
	Close() error
}

// writeSyncClose writes b to f, flushes it to disk and closes f, and
// returns the first error of the three: a short write on a full disk or a
// failed sync must stop the rename that would put the partial file in
// place of the good one.
func writeSyncClose(f syncedFile, b []byte) error {
	_, err := f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
