package auth

import (
	"context"
	"errors"
	"sync"
	"time"

	"jingge/data"
)

// credentialCacheMax bounds the cache of authenticated secrets.
const credentialCacheMax = 20_000

// credentialCache remembers the store's answers for secrets, by hash.
type credentialCache struct {
	mu      sync.Mutex
	entries map[[32]byte]cachedCredential
}

type cachedCredential struct {
	auth    data.Authenticated
	checked time.Time
}

func newCredentialCache() *credentialCache {
	return &credentialCache{entries: map[[32]byte]cachedCredential{}}
}

// Authenticate finds who presents secret, a credential of kind: through
// the cache, then the store. A secret this server cannot have issued, or
// one the store does not know, is an Unauthenticated refusal; a store
// that cannot answer (and no cached answer) is data.ErrUnavailable.
func (s *Service) Authenticate(ctx context.Context, kind data.CredentialKind, secret string) (Principal, error) {
	if !data.WellFormedSecret(secret) {
		return Principal{}, RefuseUnauthenticated("the credential is not one this server issued; sign in again or ask an admin for a token")
	}
	hash := data.HashSecret(secret)
	a, _, err := s.AuthenticateHash(ctx, kind, hash)
	if err != nil {
		return Principal{}, err
	}
	return Principal{User: a.User, Credential: a.Credential, Secret: hash}, nil
}

// AuthenticateHash authenticates the secret with hash through the cache,
// then the store, and says when the answer was had from the store: it
// holds until CacheTTL after that (or the credential's expiry, if sooner).
func (s *Service) AuthenticateHash(ctx context.Context, kind data.CredentialKind, hash [32]byte) (data.Authenticated, time.Time, error) {
	now := s.cfg.Now()
	c := s.creds
	c.mu.Lock()
	e, cached := c.entries[hash]
	c.mu.Unlock()
	usable := cached && e.auth.Credential.Kind == kind && e.auth.Credential.Active(now)
	if usable && now.Sub(e.checked) < s.cfg.CacheTTL {
		return e.auth, e.checked, nil
	}
	a, err := s.cfg.Store.Authenticate(ctx, kind, hash, now)
	switch {
	case err == nil:
		s.remember(hash, a, now)
		return a, now, nil
	case errors.Is(err, data.ErrUnauthenticated):
		s.forget(hash)
		return data.Authenticated{}, now, RefuseUnauthenticated("the credential is unknown, expired or revoked, or its user is disabled; sign in again or ask an admin for a new token")
	case errors.Is(err, data.ErrUnavailable) && usable && now.Sub(e.checked) < s.cfg.MaxStale:
		s.logger.WarnContext(ctx, "auth store unavailable; trusting a recent answer", "credential", e.auth.Credential.ID, "err", err)
		return e.auth, now, nil
	}
	return data.Authenticated{}, now, err
}

func (s *Service) remember(hash [32]byte, a data.Authenticated, now time.Time) {
	if s.cfg.CacheTTL < 0 {
		return
	}
	c := s.creds
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= credentialCacheMax {
		for h, e := range c.entries {
			if now.Sub(e.checked) >= s.cfg.MaxStale || !e.auth.Credential.Active(now) {
				delete(c.entries, h)
			}
		}
		if len(c.entries) >= credentialCacheMax {
			clear(c.entries)
		}
	}
	c.entries[hash] = cachedCredential{auth: a, checked: now}
}

func (s *Service) forget(hash [32]byte) {
	s.creds.mu.Lock()
	delete(s.creds.entries, hash)
	s.creds.mu.Unlock()
}
