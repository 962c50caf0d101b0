package data

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Authentication errors. ErrUnauthenticated covers every reason a secret
// does not authenticate (unknown, expired, revoked, used, user disabled),
// so a caller cannot tell them apart from outside.
var (
	ErrUnauthenticated = errors.New("data: not authenticated")
)

// Role is what a user may do. The roles form a small lattice:
//
//	admin ⊇ planner ⊇ viewer        officer (separate)
//
// An admin may do everything a planner may, a planner everything a viewer
// may; an officer's rights (field lookups, posting their own patrol pings)
// are neither above nor below the others, and neither are a metrics
// scraper's (the server's metrics, which admins may read too). Role.Grants says which roles a
// user of a role counts as.
type Role string

// The roles, from the issue that introduced access control.
const (
	RoleViewer  Role = "viewer"  // the command-center wall: maps, tiles, the live stream
	RoleOfficer Role = "officer" // field lookups, their own patrol pings
	RolePlanner Role = "planner" // plans and assessment input, plus everything a viewer sees
	RoleAdmin   Role = "admin"   // imports, grids, users, the audit log, plus everything a planner does
	// RoleMetrics is a monitoring system's scraper: it reads /metrics and
	// nothing else, so its token, kept in a Prometheus configuration,
	// opens no personal data.
	RoleMetrics Role = "metrics"
)

// Roles lists every role, least privileged first.
var Roles = []Role{RoleViewer, RoleOfficer, RolePlanner, RoleAdmin, RoleMetrics}

// ParseRole returns the role named s (case-insensitive), or an error
// wrapping ErrInvalid that lists the roles.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	for _, k := range Roles {
		if r == k {
			return r, nil
		}
	}
	return "", fmt.Errorf("data: %w: unknown role %q; the roles are viewer, officer, planner, admin and metrics", ErrInvalid, s)
}

// Grants reports whether a user holding r counts as holding want.
func (r Role) Grants(want Role) bool {
	switch r {
	case RoleAdmin:
		return want == RoleAdmin || want == RolePlanner || want == RoleViewer
	case RolePlanner:
		return want == RolePlanner || want == RoleViewer
	case RoleViewer, RoleOfficer, RoleMetrics:
		return want == r
	}
	return false
}

// SeesFullPhones reports whether r is shown people's phone numbers in
// full. Officers call the people responsible for a place, admins maintain
// the records; viewers (a wall display) and planners (who move officers,
// not call them) see them masked.
func (r Role) SeesFullPhones() bool { return r == RoleOfficer || r == RoleAdmin }

// User is a person or machine that may sign in.
type User struct {
	Name string // unique; 1 to 64 letters, digits and . _ @ -
	Role Role
	// OfficerID, for officers, is the member id whose patrol pings the user
	// may post; empty for other roles.
	OfficerID string
	// PasswordHash is the PHC-format hash of HashPassword; empty for users
	// who sign in only with tokens.
	PasswordHash string
	Disabled     bool
	CreatedAt    time.Time
}

var userNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// ValidateUserName returns an error wrapping ErrInvalid unless name is 1 to
// 64 letters, digits and . _ @ - starting with a letter or digit.
func ValidateUserName(name string) error {
	if !userNameRE.MatchString(name) {
		return fmt.Errorf("data: %w: user name %q must be 1 to 64 letters, digits and . _ @ -, starting with a letter or digit", ErrInvalid, name)
	}
	return nil
}

// Validate checks a user before it is stored.
func (u User) Validate() error {
	if err := ValidateUserName(u.Name); err != nil {
		return err
	}
	if _, err := ParseRole(string(u.Role)); err != nil {
		return err
	}
	if u.OfficerID != "" && u.Role != RoleOfficer {
		return fmt.Errorf("data: %w: only an officer is linked to a member id (user %s is %s)", ErrInvalid, u.Name, u.Role)
	}
	if len(u.OfficerID) > 64 {
		return fmt.Errorf("data: %w: officer id is longer than 64 characters", ErrInvalid)
	}
	return nil
}

// CredentialKind says what a credential is for.
type CredentialKind string

// The credential kinds.
const (
	// KindToken is an API token for machines, sent as "Authorization:
	// Bearer <secret>".
	KindToken CredentialKind = "token"
	// KindSession is a web session, sent as a cookie.
	KindSession CredentialKind = "session"
	// KindLoginLink is a one-time secret that opens a session once.
	KindLoginLink CredentialKind = "login_link"
)

// Credential is a secret that authenticates a user, stored as the SHA-256
// of the secret only (the secrets carry 256 bits of randomness, so a fast
// hash is enough; passwords use HashPassword).
type Credential struct {
	ID         string // public handle for listing and revoking; not secret
	Kind       CredentialKind
	UserName   string
	Label      string // what the holder called it, e.g. "simulator"
	Hash       [32]byte
	CreatedAt  time.Time
	ExpiresAt  time.Time // zero: never
	RevokedAt  time.Time // zero: in force
	LastUsedAt time.Time // zero: never used; updated at most once a minute
}

// Active reports whether c authenticates at now.
func (c Credential) Active(now time.Time) bool {
	return c.RevokedAt.IsZero() && (c.ExpiresAt.IsZero() || now.Before(c.ExpiresAt))
}

// Secret prefixes say at a glance what a leaked string is (and let secret
// scanners find them).
const (
	tokenPrefix   = "jgt_"
	sessionPrefix = "jgs_"
	linkPrefix    = "jgl_"
)

// NewSecret returns a new random secret of kind, its hash and a public id.
// Secrets are 32 random bytes, base64url, behind a kind prefix.
func NewSecret(kind CredentialKind) (secret string, hash [32]byte, id string) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	prefix := tokenPrefix
	switch kind {
	case KindSession:
		prefix = sessionPrefix
	case KindLoginLink:
		prefix = linkPrefix
	}
	secret = prefix + base64.RawURLEncoding.EncodeToString(b[:])
	var idb [8]byte
	_, _ = rand.Read(idb[:])
	return secret, HashSecret(secret), hex.EncodeToString(idb[:])
}

// HashSecret is the stored form of a credential secret.
func HashSecret(secret string) [32]byte { return sha256.Sum256([]byte(secret)) }

// WellFormedSecret reports whether s looks like a secret NewSecret made, so
// garbage is refused without a store round trip.
func WellFormedSecret(s string) bool {
	if len(s) != 4+43 {
		return false
	}
	switch s[:4] {
	case tokenPrefix, sessionPrefix, linkPrefix:
	default:
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s[4:])
	return err == nil
}

// Authenticated is what a secret proved.
type Authenticated struct {
	User       User
	Credential Credential
}

// Users keeps the people and machines that may sign in.
type Users interface {
	// CreateUser stores a new user; ErrConflict if the name is taken,
	// ErrInvalid if u does not validate.
	CreateUser(ctx context.Context, u User) error
	// User returns the user named name, or ErrNotFound.
	User(ctx context.Context, name string) (User, error)
	// ListUsers returns every user, by name.
	ListUsers(ctx context.Context) ([]User, error)
	// SetPassword stores a new password hash for name and revokes the
	// user's sessions; ErrNotFound for an unknown user.
	SetPassword(ctx context.Context, name, passwordHash string) error
	// SetDisabled disables or enables name. A disabled user's credentials
	// stop authenticating at once, and its sessions are revoked.
	SetDisabled(ctx context.Context, name string, disabled bool) error
}

// Credentials keeps API tokens, web sessions and one-time login links.
type Credentials interface {
	// CreateCredential stores c (with its hash, never the secret);
	// ErrNotFound if its user does not exist, ErrConflict for a duplicate
	// id or hash.
	CreateCredential(ctx context.Context, c Credential) error
	// Authenticate finds the credential of kind with hash, active at now,
	// of an enabled user. It records the use (LastUsedAt, at most once a
	// minute); a login link is consumed, so it authenticates once only.
	// Any failure to authenticate is ErrUnauthenticated.
	Authenticate(ctx context.Context, kind CredentialKind, hash [32]byte, now time.Time) (Authenticated, error)
	// ListCredentials returns the credentials of kind (all kinds when
	// empty) of user (every user when empty), newest first.
	ListCredentials(ctx context.Context, kind CredentialKind, user string) ([]Credential, error)
	// RevokeCredential revokes the credential with id at now; ErrNotFound
	// for an unknown id. Revoking twice keeps the first time.
	RevokeCredential(ctx context.Context, id string, now time.Time) error
}

// AuditEntry is one audited request: who did what, when, from where.
type AuditEntry struct {
	Seq        int64     // assigned by the log, increasing
	At         time.Time // when the request arrived
	Actor      string    // the user name; "" for an anonymous request
	Role       Role      // the actor's role; "" when anonymous
	Credential string    // the credential id used; "" when anonymous
	Action     string    // the route name, e.g. "lookupPoint", or "login"
	Method     string
	Target     string // the path and query, secrets removed
	Remote     string // the client address (the proxy's view when trusted)
	RequestID  string
	Status     int    // the answer's status when known at append time; 0 otherwise
	Detail     string // e.g. the reason a login failed
}

// AuditQuery selects audit entries, newest first.
type AuditQuery struct {
	Actor  string    // only this actor
	Action string    // only this action
	Since  time.Time // At >= Since when not zero
	Until  time.Time // At < Until when not zero
	Before int64     // Seq < Before when positive (paging)
	Limit  int       // at most this many; <= 0 means 100
}

// MaxAuditLimit caps AuditQuery.Limit.
const MaxAuditLimit = 1000

// AuditLog is an append-only record of who did what. Entries are never
// changed or deleted through it (the PostGIS table refuses UPDATE and
// DELETE outright).
type AuditLog interface {
	// AppendAudit durably records entries, in order, and returns only once
	// they are stored; on error none of them is. Text that is not valid
	// (ValidText: a NUL, invalid UTF-8) is stored as StorableText gives
	// it, so no entry's content can make a batch fail.
	AppendAudit(ctx context.Context, entries []AuditEntry) error
	// QueryAudit returns the entries q selects, newest first.
	QueryAudit(ctx context.Context, q AuditQuery) ([]AuditEntry, error)
}

// AuthStore is everything access control needs from a store.
type AuthStore interface {
	Users
	Credentials
	AuditLog
}
