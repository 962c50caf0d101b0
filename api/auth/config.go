package auth

import (
	"log/slog"
	"time"

	"jingge/data"
)

// Access control defaults for the zero fields of Config.
const (
	DefaultSessionTTL   = 12 * time.Hour
	DefaultLoginLinkTTL = 15 * time.Minute
	DefaultCacheTTL     = 10 * time.Second
	// DefaultMaxStale is how long a secret checked before keeps working
	// while the store cannot be reached, so reads go on during a database
	// restart. A revocation made meanwhile applies once the store is back.
	DefaultMaxStale = 15 * time.Minute
)

// Config configures access control: who may call what, with which
// credentials, how often, and the audit of what they did.
type Config struct {
	// Store holds users and credentials, and is the audit log unless Audit
	// is set.
	Store data.AuthStore
	// Audit receives the audit entries; nil means Store.
	Audit data.AuditLog
	// SecureCookies marks the session cookie Secure even over plain HTTP
	// (behind a TLS-terminating proxy that does not say so).
	SecureCookies bool
	// TrustProxy takes the client address from the last X-Forwarded-For
	// entry and the scheme from X-Forwarded-Proto, as set by a reverse
	// proxy in front of the server. Leave it off when clients connect
	// directly: they could claim any address.
	TrustProxy bool
	// SessionTTL is how long a web session lasts (DefaultSessionTTL).
	SessionTTL time.Duration
	// CacheTTL is how long an authenticated secret is trusted before the
	// store is asked again (DefaultCacheTTL): a revocation elsewhere
	// takes effect within it. Negative disables the cache.
	CacheTTL time.Duration
	// MaxStale is how long a cached secret stays good while the store is
	// unavailable (DefaultMaxStale).
	MaxStale time.Duration
	// Limits are the request rate and concurrency limits.
	Limits Limits
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// withDefaults returns c with its zero fields set to the defaults.
func (c Config) withDefaults() Config {
	if c.SessionTTL <= 0 {
		c.SessionTTL = DefaultSessionTTL
	}
	if c.CacheTTL == 0 {
		c.CacheTTL = DefaultCacheTTL
	}
	if c.MaxStale <= 0 {
		c.MaxStale = DefaultMaxStale
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Audit == nil {
		c.Audit = c.Store
	}
	return c
}

// Service is a server's access-control state: the credential cache, the
// limiters and the audit writer. It is safe for concurrent use.
type Service struct {
	cfg    Config
	creds  *credentialCache
	limits *Limiter
	audit  *AuditWriter
	logger *slog.Logger
}

// New returns the access control cfg describes; logger hears of a store
// outage ridden out on cached answers, and nil discards that.
func New(cfg Config, logger *slog.Logger) *Service {
	c := cfg.withDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{
		cfg:    c,
		creds:  newCredentialCache(),
		limits: NewLimiter(c.Limits, c.Now),
		audit:  NewAuditWriter(c.Audit),
		logger: logger,
	}
}

// Config is the configuration in force, defaults filled in.
func (s *Service) Config() Config { return s.cfg }

// Limiter is the service's request limiter.
func (s *Service) Limiter() *Limiter { return s.limits }

// AuditWriter is the service's audit writer.
func (s *Service) AuditWriter() *AuditWriter { return s.audit }
