package authfile

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

// File is the JSON file of users and API tokens at one path. It
// remembers the version it last read or wrote (modification time and
// size), so Changed can tell when another process wrote it. A File is
// not safe for concurrent use: its store holds a lock around every call.
type File struct {
	path    string
	mod     time.Time // of the version read or written last
	size    int64
	checked time.Time // last stat
}

// New returns the file at path; nothing is read until Read.
func New(path string) *File { return &File{path: path} }

// Contents is what the file holds: users with the moment their sessions
// became valid, and API tokens (credentials of kind data.KindToken,
// without last-use times, which the file does not keep).
type Contents struct {
	Users  []User
	Tokens []data.Credential
}

// User is a user as the file keeps it.
type User struct {
	data.User
	// SessionsValidFrom is when the password last changed or the user
	// was disabled: sessions opened before then stop working, even in a
	// server that learnt of the change from the file. Zero: never.
	SessionsValidFrom time.Time
}

// version is the file format's version.
const version = 1

type fileJSON struct {
	Version int         `json:"version"`
	Users   []userJSON  `json:"users"`
	Tokens  []tokenJSON `json:"tokens"`
}

type userJSON struct {
	Name              string    `json:"name"`
	Role              data.Role `json:"role"`
	OfficerID         string    `json:"officer_id,omitempty"`
	PasswordHash      string    `json:"password_hash,omitempty"`
	Disabled          bool      `json:"disabled,omitempty"`
	CreatedAt         time.Time `json:"created_at"`
	SessionsValidFrom time.Time `json:"sessions_valid_from,omitzero"`
}

type tokenJSON struct {
	ID        string    `json:"id"`
	User      string    `json:"user"`
	Label     string    `json:"label,omitempty"`
	SHA256    string    `json:"sha256"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// CheckedWithin reports whether the file was read, written or checked
// (Changed) less than d ago.
func (f *File) CheckedWithin(d time.Duration) bool { return time.Since(f.checked) < d }

// Changed reports whether the file on disk differs from the version read
// or written last; a file that cannot be looked at has not changed.
func (f *File) Changed() bool {
	st, err := os.Stat(f.path)
	f.checked = time.Now()
	return err == nil && !(st.ModTime().Equal(f.mod) && st.Size() == f.size)
}

// Read reads the file; a missing file is an empty one. Nothing is kept
// of a damaged file or one of another version: the error says which.
func (f *File) Read() (Contents, error) {
	b, err := os.ReadFile(f.path)
	var st fs.FileInfo
	switch {
	case errors.Is(err, fs.ErrNotExist):
		b = nil
	case err != nil:
		return Contents{}, fmt.Errorf("authfile: reading the auth file: %w", err)
	default:
		if st, err = os.Stat(f.path); err != nil {
			return Contents{}, fmt.Errorf("authfile: reading the auth file: %w", err)
		}
	}
	var doc fileJSON
	if len(b) > 0 {
		if err := json.Unmarshal(b, &doc); err != nil {
			return Contents{}, fmt.Errorf("authfile: the auth file %s is damaged: %w", f.path, err)
		}
		if doc.Version != version {
			return Contents{}, fmt.Errorf("authfile: the auth file %s has version %d; this jingge reads version %d", f.path, doc.Version, version)
		}
	}
	var c Contents
	for _, u := range doc.Users {
		c.Users = append(c.Users, User{User: data.User{Name: u.Name, Role: u.Role, OfficerID: u.OfficerID, PasswordHash: u.PasswordHash,
			Disabled: u.Disabled, CreatedAt: u.CreatedAt}, SessionsValidFrom: u.SessionsValidFrom})
	}
	for _, t := range doc.Tokens {
		h, err := hex.DecodeString(t.SHA256)
		if err != nil || len(h) != 32 {
			return Contents{}, fmt.Errorf("authfile: the auth file %s is damaged: token %s has a bad hash", f.path, t.ID)
		}
		cr := data.Credential{ID: t.ID, Kind: data.KindToken, UserName: t.User, Label: t.Label, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, RevokedAt: t.RevokedAt}
		copy(cr.Hash[:], h)
		c.Tokens = append(c.Tokens, cr)
	}
	if st != nil {
		f.mod, f.size = st.ModTime(), st.Size()
	}
	f.checked = time.Now()
	return c, nil
}

// Write writes c to a temporary file (mode 0600) and renames it over the
// file, so readers see the old or the new file, never half; users and
// tokens are sorted by name and id.
func (f *File) Write(c Contents) error {
	doc := fileJSON{Version: version, Users: []userJSON{}, Tokens: []tokenJSON{}}
	for _, u := range c.Users {
		doc.Users = append(doc.Users, userJSON{Name: u.Name, Role: u.Role, OfficerID: u.OfficerID, PasswordHash: u.PasswordHash,
			Disabled: u.Disabled, CreatedAt: u.CreatedAt, SessionsValidFrom: u.SessionsValidFrom})
	}
	slices.SortFunc(doc.Users, func(x, y userJSON) int { return strings.Compare(x.Name, y.Name) })
	for _, t := range c.Tokens {
		doc.Tokens = append(doc.Tokens, tokenJSON{ID: t.ID, User: t.UserName, Label: t.Label, SHA256: hex.EncodeToString(t.Hash[:]),
			CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, RevokedAt: t.RevokedAt})
	}
	slices.SortFunc(doc.Tokens, func(x, y tokenJSON) int { return strings.Compare(x.ID, y.ID) })
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("authfile: writing the auth file: %w", err)
	}
	dir := filepath.Dir(f.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("authfile: writing the auth file: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".auth-*.json")
	if err != nil {
		return fmt.Errorf("authfile: writing the auth file: %w", err)
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
		return fmt.Errorf("authfile: writing the auth file: %w", err)
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
