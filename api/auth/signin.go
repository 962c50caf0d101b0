package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"jingge/data"
)

// ErrWrongPassword is a sign-in refused for its user name or password. It
// says no more, so a guesser learns nothing of which was wrong or whether
// the user is disabled; the audit entry of the attempt says.
var ErrWrongPassword = errors.New("auth: wrong user name or password")

// Session is a session opened by a sign-in: its secret goes to the
// browser (a cookie), its credential is stored.
type Session struct {
	Secret     string
	Credential data.Credential
	User       data.User
}

// SignIn checks a password sign-in of req from the client address
// req.Remote, made by caller (anonymous, or someone signed in already):
// it charges the sign-in throttle, bounds the password checks running at
// once, and returns the user whose password it is. A failure is
// ErrWrongPassword, audited with what went wrong; a throttled or crowded
// sign-in a TooManyRequests or Busy refusal. Opening the session is
// OpenSession's, and auditing the success AuditSignIn's.
func (s *Service) SignIn(ctx context.Context, caller Principal, login LoginRequest, req Request) (data.User, error) {
	throttle := s.limits.loginKeys(login.User, req.Remote)
	if err := s.limits.startLogin(throttle); err != nil {
		return data.User{}, err
	}
	release, err := s.limits.acquireLogin(ctx)
	if err != nil {
		return data.User{}, err
	}
	u, err := s.cfg.Store.User(ctx, login.User)
	if err != nil && !errors.Is(err, data.ErrNotFound) {
		release()
		return data.User{}, err
	}
	ok := data.CheckPassword(u.PasswordHash, login.Password) // also for unknown users: same time
	release()
	switch {
	case !ok:
		return data.User{}, s.signInFailed(ctx, caller, login.User, req, "wrong user name or password")
	case u.Disabled:
		return data.User{}, s.signInFailed(ctx, caller, login.User, req, "user disabled")
	}
	s.limits.loginSucceeded(throttle, login.User, req.Remote)
	return u, nil
}

// signInFailed audits a failed sign-in as user and returns
// ErrWrongPassword. An audit log that cannot take the entry is logged: the
// sign-in fails anyway.
func (s *Service) signInFailed(ctx context.Context, caller Principal, user string, req Request, detail string) error {
	e := s.Entry("login", caller, req)
	e.Actor, e.Status, e.Detail = user, 401, detail
	if err := s.audit.Append(ctx, e); err != nil {
		s.logger.WarnContext(ctx, "could not audit a failed sign-in", "user", user, "err", err)
	}
	return ErrWrongPassword
}

// OpenSession stores a new session of u, labelled label, lasting
// SessionTTL.
func (s *Service) OpenSession(ctx context.Context, u data.User, label string) (Session, error) {
	secret, hash, id := data.NewSecret(data.KindSession)
	now := s.cfg.Now()
	c := data.Credential{ID: id, Kind: data.KindSession, UserName: u.Name, Label: label, Hash: hash, CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL)}
	if err := s.cfg.Store.CreateCredential(ctx, c); err != nil {
		return Session{}, err
	}
	return Session{Secret: secret, Credential: c, User: u}, nil
}

// AuditSignIn stores the audit entry of a sign-in that opened sess, as
// action with status and detail; the answer must not go out before it is
// stored.
func (s *Service) AuditSignIn(ctx context.Context, action string, sess Session, req Request, status int, detail string) error {
	e := s.Entry(action, Principal{User: sess.User, Credential: sess.Credential}, req)
	e.Status, e.Detail = status, detail
	return s.audit.Append(ctx, e)
}

// SignOut revokes the session p signed in with (tokens are revoked with
// `jingge tokens revoke`) and forgets its cached answer. A credential
// gone already is no error.
func (s *Service) SignOut(ctx context.Context, p Principal) error {
	if p.Credential.Kind != data.KindSession {
		return nil
	}
	if err := s.cfg.Store.RevokeCredential(ctx, p.Credential.ID, s.cfg.Now()); err != nil && !errors.Is(err, data.ErrNotFound) {
		return err
	}
	s.forget(p.Secret)
	return nil
}

// LoginLinkPath is the path of the one-time sign-in link; its token query
// parameter carries the secret.
const LoginLinkPath = "/api/v1/login/link"

// UseLoginLink spends the one-time sign-in link whose secret is given and
// returns the user it signs in and the link's credential. A malformed,
// used or expired link is an Unauthenticated refusal.
func (s *Service) UseLoginLink(ctx context.Context, secret string) (data.Authenticated, error) {
	if !data.WellFormedSecret(secret) || !strings.HasPrefix(secret, "jgl_") {
		return data.Authenticated{}, RefuseUnauthenticated("this sign-in link is malformed; copy the whole link")
	}
	a, err := s.cfg.Store.Authenticate(ctx, data.KindLoginLink, data.HashSecret(secret), s.cfg.Now())
	if errors.Is(err, data.ErrUnauthenticated) {
		return data.Authenticated{}, RefuseUnauthenticated("this sign-in link was used already or has expired; restart the server for a new one, or sign in at /login")
	}
	return a, err
}

// NewLoginLink stores a one-time sign-in link for user, valid for ttl
// (DefaultLoginLinkTTL when <= 0), and returns its path and query, to be
// put after the server's base URL.
func NewLoginLink(ctx context.Context, creds data.Credentials, user string, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		ttl = DefaultLoginLinkTTL
	}
	secret, hash, id := data.NewSecret(data.KindLoginLink)
	now := time.Now()
	c := data.Credential{ID: id, Kind: data.KindLoginLink, UserName: user, Label: "login link", Hash: hash, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := creds.CreateCredential(ctx, c); err != nil {
		return "", fmt.Errorf("auth: login link: %w", err)
	}
	return LoginLinkPath + "?token=" + secret, nil
}
