package postgis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"jingge/data"
	"jingge/data/postgis/pgsql"
)

var _ data.AuthStore = (*Store)(nil)

// lastUseInterval is how stale credentials.last_used_at may get: a busy
// token costs one UPDATE a minute, not one per request.
const lastUseInterval = time.Minute

// CreateUser implements data.Users.
func (s *Store) CreateUser(ctx context.Context, u data.User) error {
	if err := u.Validate(); err != nil {
		return fmt.Errorf("postgis: create user: %w", err)
	}
	created := u.CreatedAt
	if created.IsZero() {
		created = time.Now()
	}
	_, err := s.pool.Exec(ctx, `insert into users (name, role, officer_id, password_hash, disabled, created_at)
		values ($1, $2, nullif($3, ''), $4, $5, $6)`, u.Name, string(u.Role), u.OfficerID, u.PasswordHash, u.Disabled, created)
	if err != nil {
		return mapError("create user "+u.Name, err)
	}
	return nil
}

const userColumns = `name, role, coalesce(officer_id, ''), password_hash, disabled, created_at`

func scanUser(row pgx.Row) (data.User, error) {
	var u data.User
	var role string
	err := row.Scan(&u.Name, &role, &u.OfficerID, &u.PasswordHash, &u.Disabled, &u.CreatedAt)
	u.Role = data.Role(role)
	return u, err
}

// User implements data.Users.
func (s *Store) User(ctx context.Context, name string) (data.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `select `+userColumns+` from users where name = $1`, name))
	if errors.Is(err, pgx.ErrNoRows) {
		return data.User{}, fmt.Errorf("postgis: user %q: %w", name, data.ErrNotFound)
	}
	if err != nil {
		return data.User{}, mapError("user", err)
	}
	return u, nil
}

// ListUsers implements data.Users.
func (s *Store) ListUsers(ctx context.Context) ([]data.User, error) {
	rows, err := s.pool.Query(ctx, `select `+userColumns+` from users order by name`)
	if err != nil {
		return nil, mapError("list users", err)
	}
	defer rows.Close()
	var out []data.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, mapError("list users", err)
		}
		out = append(out, u)
	}
	return out, mapError("list users", rows.Err())
}

// SetPassword implements data.Users.
func (s *Store) SetPassword(ctx context.Context, name, passwordHash string) error {
	return s.changeUser(ctx, "set password", name, `update users set password_hash = $2 where name = $1`, passwordHash)
}

// SetDisabled implements data.Users.
func (s *Store) SetDisabled(ctx context.Context, name string, disabled bool) error {
	return s.changeUser(ctx, "set disabled", name, `update users set disabled = $2 where name = $1`, disabled)
}

// changeUser runs update (with $1 the user name and $2 arg) and revokes the
// user's sessions and unused login links, in one transaction.
func (s *Store) changeUser(ctx context.Context, op, name, update string, arg any) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, update, name, arg)
		if err != nil {
			return mapError(op, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("postgis: %s: user %q: %w", op, name, data.ErrNotFound)
		}
		if _, err := tx.Exec(ctx, `update credentials set revoked_at = now()
			where user_name = $1 and kind in ('session', 'login_link') and revoked_at is null`, name); err != nil {
			return mapError(op, err)
		}
		return nil
	})
}

// CreateCredential implements data.Credentials.
func (s *Store) CreateCredential(ctx context.Context, c data.Credential) error {
	created := c.CreatedAt
	if created.IsZero() {
		created = time.Now()
	}
	_, err := s.pool.Exec(ctx, `insert into credentials (id, kind, user_name, label, secret_hash, created_at, expires_at)
		values ($1, $2, $3, $4, $5, $6, $7)`,
		c.ID, string(c.Kind), c.UserName, c.Label, c.Hash[:], created, pgsql.OptTime(c.ExpiresAt))
	if err != nil {
		err = mapError("create credential", err)
		if errors.Is(err, data.ErrInvalid) {
			// The only reference is the user.
			return fmt.Errorf("postgis: create credential: user %q: %w", c.UserName, data.ErrNotFound)
		}
		return err
	}
	return nil
}

const credentialColumns = `c.id, c.kind, c.user_name, c.label, c.secret_hash, c.created_at, c.expires_at, c.revoked_at, c.last_used_at`

func scanCredential(row pgx.Row, extra ...any) (data.Credential, error) {
	var c data.Credential
	var kind string
	var hash []byte
	var expires, revoked, used *time.Time
	dest := append([]any{&c.ID, &kind, &c.UserName, &c.Label, &hash, &c.CreatedAt, &expires, &revoked, &used}, extra...)
	if err := row.Scan(dest...); err != nil {
		return c, err
	}
	c.Kind = data.CredentialKind(kind)
	copy(c.Hash[:], hash)
	c.ExpiresAt, c.RevokedAt, c.LastUsedAt = pgsql.TimeOrZero(expires), pgsql.TimeOrZero(revoked), pgsql.TimeOrZero(used)
	return c, nil
}

// Authenticate implements data.Credentials.
func (s *Store) Authenticate(ctx context.Context, kind data.CredentialKind, hash [32]byte, now time.Time) (data.Authenticated, error) {
	var a data.Authenticated
	var role string
	userDest := []any{&a.User.Name, &role, &a.User.OfficerID, &a.User.PasswordHash, &a.User.Disabled, &a.User.CreatedAt}
	var err error
	if kind == data.KindLoginLink {
		// Consume the link in the same statement that finds it, so two
		// clicks racing each other open one session.
		a.Credential, err = scanCredential(s.pool.QueryRow(ctx, `
			with used as (
				update credentials set revoked_at = $3, last_used_at = $3
				where secret_hash = $1 and kind = $2 and revoked_at is null and (expires_at is null or expires_at > $3)
				returning *)
			select `+credentialColumns+`, `+userColumnsU+`
			from used c join users u on u.name = c.user_name`, hash[:], string(kind), now), userDest...)
	} else {
		a.Credential, err = scanCredential(s.pool.QueryRow(ctx, `
			select `+credentialColumns+`, `+userColumnsU+`
			from credentials c join users u on u.name = c.user_name
			where c.secret_hash = $1 and c.kind = $2 and c.revoked_at is null and (c.expires_at is null or c.expires_at > $3)`,
			hash[:], string(kind), now), userDest...)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return data.Authenticated{}, fmt.Errorf("postgis: authenticate: %w", data.ErrUnauthenticated)
	}
	if err != nil {
		return data.Authenticated{}, mapError("authenticate", err)
	}
	a.User.Role = data.Role(role)
	if a.User.Disabled {
		return data.Authenticated{}, fmt.Errorf("postgis: authenticate: %w", data.ErrUnauthenticated)
	}
	if kind != data.KindLoginLink && (a.Credential.LastUsedAt.IsZero() || now.Sub(a.Credential.LastUsedAt) >= lastUseInterval) {
		if _, err := s.pool.Exec(ctx, `update credentials set last_used_at = $2 where id = $1 and (last_used_at is null or last_used_at < $2)`,
			a.Credential.ID, now); err != nil {
			return data.Authenticated{}, mapError("authenticate", err)
		}
		a.Credential.LastUsedAt = now
	}
	return a, nil
}

// userColumnsU is userColumns of the users table aliased u.
const userColumnsU = `u.name, u.role, coalesce(u.officer_id, ''), u.password_hash, u.disabled, u.created_at`

// ListCredentials implements data.Credentials.
func (s *Store) ListCredentials(ctx context.Context, kind data.CredentialKind, user string) ([]data.Credential, error) {
	rows, err := s.pool.Query(ctx, `select `+credentialColumns+` from credentials c
		where ($1 = '' or c.kind = $1) and ($2 = '' or c.user_name = $2)
		order by c.created_at desc, c.id`, string(kind), user)
	if err != nil {
		return nil, mapError("list credentials", err)
	}
	defer rows.Close()
	var out []data.Credential
	for rows.Next() {
		c, err := scanCredential(rows)
		if err != nil {
			return nil, mapError("list credentials", err)
		}
		out = append(out, c)
	}
	return out, mapError("list credentials", rows.Err())
}

// RevokeCredential implements data.Credentials.
func (s *Store) RevokeCredential(ctx context.Context, id string, now time.Time) error {
	tag, err := s.pool.Exec(ctx, `update credentials set revoked_at = coalesce(revoked_at, $2) where id = $1`, id, now)
	if err != nil {
		return mapError("revoke credential", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgis: revoke credential %q: %w", id, data.ErrNotFound)
	}
	return nil
}

// AppendAudit implements data.AuditLog: one INSERT of every entry, in
// order, so a batch is stored whole or not at all. Each entry is made
// storable first: PostgreSQL refuses a NUL or invalid UTF-8 in text, and
// one such entry would otherwise fail every entry of its batch (and, from
// the audit spool, every batch after it).
func (s *Store) AppendAudit(ctx context.Context, entries []data.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	n := len(entries)
	at := make([]time.Time, n)
	actor, role, cred, action, method, target, remote, reqID, detail := make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	status := make([]int32, n)
	for i, e := range entries {
		e = e.Storable()
		at[i], actor[i], role[i], cred[i], action[i], method[i] = e.At, e.Actor, string(e.Role), e.Credential, e.Action, e.Method
		target[i], remote[i], reqID[i], status[i], detail[i] = e.Target, e.Remote, e.RequestID, int32(e.Status), e.Detail
	}
	_, err := s.pool.Exec(ctx, `insert into audit_log (at, actor, role, credential, action, method, target, remote, request_id, status, detail)
		select at, actor, role, credential, action, method, target, remote, request_id, status, detail
		from unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::integer[], $11::text[])
		with ordinality as t(at, actor, role, credential, action, method, target, remote, request_id, status, detail, ord)
		order by ord`,
		at, actor, role, cred, action, method, target, remote, reqID, status, detail)
	return mapError("append audit", err)
}

// QueryAudit implements data.AuditLog.
func (s *Store) QueryAudit(ctx context.Context, q data.AuditQuery) ([]data.AuditEntry, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, data.MaxAuditLimit)
	rows, err := s.pool.Query(ctx, `select seq, at, actor, role, credential, action, method, target, remote, request_id, status, detail
		from audit_log
		where ($1 = '' or actor = $1) and ($2 = '' or action = $2)
		  and ($3::timestamptz is null or at >= $3) and ($4::timestamptz is null or at < $4)
		  and ($5 <= 0 or seq < $5)
		order by seq desc limit $6`,
		q.Actor, q.Action, pgsql.OptTime(q.Since), pgsql.OptTime(q.Until), q.Before, limit)
	if err != nil {
		return nil, mapError("query audit", err)
	}
	defer rows.Close()
	var out []data.AuditEntry
	for rows.Next() {
		var e data.AuditEntry
		var role string
		if err := rows.Scan(&e.Seq, &e.At, &e.Actor, &role, &e.Credential, &e.Action, &e.Method, &e.Target, &e.Remote, &e.RequestID, &e.Status, &e.Detail); err != nil {
			return nil, mapError("query audit", err)
		}
		e.Role = data.Role(role)
		out = append(out, e)
	}
	return out, mapError("query audit", rows.Err())
}
