package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"jingge/data"
)

// AuthOpener returns a new, empty auth store isolated from every other,
// closed when the test ends.
type AuthOpener func(t *testing.T) data.AuthStore

// RunAuth runs the access-control suite (users, credentials, audit log)
// against the stores open returns.
func RunAuth(t *testing.T, open AuthOpener) {
	cases := []struct {
		name string
		fn   func(t *testing.T, st data.AuthStore)
	}{
		{"Users", testUsers},
		{"UserValidation", testUserValidation},
		{"TokenAuthenticates", testTokenAuthenticates},
		{"ExpiredRevokedDisabled", testExpiredRevokedDisabled},
		{"LoginLinkOnce", testLoginLinkOnce},
		{"PasswordChangeEndsSessions", testPasswordChangeEndsSessions},
		{"ListAndRevokeCredentials", testListAndRevokeCredentials},
		{"AuditAppendQuery", testAuditAppendQuery},
		{"AuditUnstorableText", testAuditUnstorableText},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.fn(t, open(t))
		})
	}
}

// at is a fixed instant at the microsecond precision both stores keep.
var at = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

func mustUser(t *testing.T, st data.AuthStore, name string, role data.Role) data.User {
	t.Helper()
	u := data.User{Name: name, Role: role, PasswordHash: "$argon2id$fake", CreatedAt: at}
	if role == data.RoleOfficer {
		u.OfficerID = "m-" + name
	}
	if err := st.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("CreateUser(%s): %v", name, err)
	}
	return u
}

// mustCredential stores a new credential of kind for user and returns its secret.
func mustCredential(t *testing.T, st data.AuthStore, kind data.CredentialKind, user string, expires time.Time) (string, data.Credential) {
	t.Helper()
	secret, hash, id := data.NewSecret(kind)
	c := data.Credential{ID: id, Kind: kind, UserName: user, Label: "test", Hash: hash, CreatedAt: at, ExpiresAt: expires}
	if err := st.CreateCredential(context.Background(), c); err != nil {
		t.Fatalf("CreateCredential: %v", err)
	}
	return secret, c
}

func authenticate(st data.AuthStore, kind data.CredentialKind, secret string, now time.Time) (data.Authenticated, error) {
	return st.Authenticate(context.Background(), kind, data.HashSecret(secret), now)
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: error %v, want %v", what, err, want)
	}
}

func testUsers(t *testing.T, st data.AuthStore) {
	ctx := context.Background()
	mustUser(t, st, "zhang.wei", data.RoleOfficer)
	mustUser(t, st, "admin", data.RoleAdmin)
	mustUser(t, st, "wall-1", data.RoleViewer)
	wantErr(t, "duplicate", st.CreateUser(ctx, data.User{Name: "admin", Role: data.RoleViewer}), data.ErrConflict)
	u, err := st.User(ctx, "zhang.wei")
	if err != nil || u.Role != data.RoleOfficer || u.OfficerID != "m-zhang.wei" || u.PasswordHash != "$argon2id$fake" || !u.CreatedAt.Equal(at) || u.Disabled {
		t.Errorf("User: %+v, %v", u, err)
	}
	_, err = st.User(ctx, "nobody")
	wantErr(t, "unknown user", err, data.ErrNotFound)
	list, err := st.ListUsers(ctx)
	if err != nil || len(list) != 3 || list[0].Name != "admin" || list[1].Name != "wall-1" || list[2].Name != "zhang.wei" {
		t.Errorf("ListUsers: %+v, %v", list, err)
	}
	if err := st.SetPassword(ctx, "admin", "$argon2id$new"); err != nil {
		t.Fatal(err)
	}
	if u, _ := st.User(ctx, "admin"); u.PasswordHash != "$argon2id$new" {
		t.Errorf("password hash %q after SetPassword", u.PasswordHash)
	}
	if err := st.SetDisabled(ctx, "wall-1", true); err != nil {
		t.Fatal(err)
	}
	if u, _ := st.User(ctx, "wall-1"); !u.Disabled {
		t.Error("not disabled")
	}
	wantErr(t, "SetPassword unknown", st.SetPassword(ctx, "nobody", "x"), data.ErrNotFound)
	wantErr(t, "SetDisabled unknown", st.SetDisabled(ctx, "nobody", true), data.ErrNotFound)
}

func testUserValidation(t *testing.T, st data.AuthStore) {
	ctx := context.Background()
	for _, u := range []data.User{
		{Name: "", Role: data.RoleViewer},
		{Name: "has space", Role: data.RoleViewer},
		{Name: "x'; drop table users; --", Role: data.RoleViewer},
		{Name: "ok", Role: "superuser"},
		{Name: "ok", Role: data.RoleViewer, OfficerID: "m1"},
	} {
		wantErr(t, fmt.Sprintf("CreateUser(%+v)", u), st.CreateUser(ctx, u), data.ErrInvalid)
	}
	if list, _ := st.ListUsers(ctx); len(list) != 0 {
		t.Errorf("invalid users were stored: %+v", list)
	}
}

func testTokenAuthenticates(t *testing.T, st data.AuthStore) {
	mustUser(t, st, "sim", data.RoleAdmin)
	secret, c := mustCredential(t, st, data.KindToken, "sim", time.Time{})
	a, err := authenticate(st, data.KindToken, secret, at.Add(time.Hour))
	if err != nil || a.User.Name != "sim" || a.User.Role != data.RoleAdmin || a.Credential.ID != c.ID || a.Credential.Label != "test" {
		t.Fatalf("Authenticate: %+v, %v", a, err)
	}
	if !a.Credential.LastUsedAt.Equal(at.Add(time.Hour)) {
		t.Errorf("last used %v", a.Credential.LastUsedAt)
	}
	// Used again within the minute: the last-use time stays.
	a, err = authenticate(st, data.KindToken, secret, at.Add(time.Hour+time.Second))
	if err != nil || !a.Credential.LastUsedAt.Equal(at.Add(time.Hour)) {
		t.Errorf("second use: %v, last used %v", err, a.Credential.LastUsedAt)
	}
	// A token is not a session, and a near miss is nothing.
	_, err = authenticate(st, data.KindSession, secret, at)
	wantErr(t, "token as session", err, data.ErrUnauthenticated)
	_, err = authenticate(st, data.KindToken, secret+"x", at)
	wantErr(t, "wrong secret", err, data.ErrUnauthenticated)
	wantErr(t, "credential of unknown user", st.CreateCredential(context.Background(),
		data.Credential{ID: "x1", Kind: data.KindToken, UserName: "nobody", Hash: data.HashSecret("x")}), data.ErrNotFound)
	wantErr(t, "same id twice", st.CreateCredential(context.Background(),
		data.Credential{ID: c.ID, Kind: data.KindToken, UserName: "sim", Hash: data.HashSecret("other")}), data.ErrConflict)
}

func testExpiredRevokedDisabled(t *testing.T, st data.AuthStore) {
	ctx := context.Background()
	mustUser(t, st, "u", data.RoleViewer)
	expiring, _ := mustCredential(t, st, data.KindToken, "u", at.Add(time.Hour))
	if _, err := authenticate(st, data.KindToken, expiring, at.Add(59*time.Minute)); err != nil {
		t.Errorf("before expiry: %v", err)
	}
	_, err := authenticate(st, data.KindToken, expiring, at.Add(time.Hour))
	wantErr(t, "at expiry", err, data.ErrUnauthenticated)

	revoked, c := mustCredential(t, st, data.KindToken, "u", time.Time{})
	if err := st.RevokeCredential(ctx, c.ID, at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	_, err = authenticate(st, data.KindToken, revoked, at.Add(2*time.Minute))
	wantErr(t, "revoked", err, data.ErrUnauthenticated)

	live, _ := mustCredential(t, st, data.KindToken, "u", time.Time{})
	if err := st.SetDisabled(ctx, "u", true); err != nil {
		t.Fatal(err)
	}
	_, err = authenticate(st, data.KindToken, live, at)
	wantErr(t, "disabled user", err, data.ErrUnauthenticated)
	if err := st.SetDisabled(ctx, "u", false); err != nil {
		t.Fatal(err)
	}
	if _, err := authenticate(st, data.KindToken, live, at); err != nil {
		t.Errorf("re-enabled user's token: %v", err)
	}
}

func testLoginLinkOnce(t *testing.T, st data.AuthStore) {
	mustUser(t, st, "demo", data.RoleAdmin)
	secret, _ := mustCredential(t, st, data.KindLoginLink, "demo", at.Add(time.Hour))
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := authenticate(st, data.KindLoginLink, secret, at.Add(time.Minute)); err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			} else if !errors.Is(err, data.ErrUnauthenticated) {
				t.Errorf("link: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("a one-time link opened %d sessions", wins)
	}
	late, _ := mustCredential(t, st, data.KindLoginLink, "demo", at.Add(time.Hour))
	_, err := authenticate(st, data.KindLoginLink, late, at.Add(2*time.Hour))
	wantErr(t, "expired link", err, data.ErrUnauthenticated)
}

func testPasswordChangeEndsSessions(t *testing.T, st data.AuthStore) {
	ctx := context.Background()
	mustUser(t, st, "p", data.RolePlanner)
	session, _ := mustCredential(t, st, data.KindSession, "p", time.Now().Add(time.Hour))
	token, _ := mustCredential(t, st, data.KindToken, "p", time.Time{})
	now := time.Now()
	if _, err := authenticate(st, data.KindSession, session, now); err != nil {
		t.Fatalf("session: %v", err)
	}
	if err := st.SetPassword(ctx, "p", "$argon2id$changed"); err != nil {
		t.Fatal(err)
	}
	_, err := authenticate(st, data.KindSession, session, now)
	wantErr(t, "session after a password change", err, data.ErrUnauthenticated)
	if _, err := authenticate(st, data.KindToken, token, now); err != nil {
		t.Errorf("a token outlives a password change: %v", err)
	}
}

func testListAndRevokeCredentials(t *testing.T, st data.AuthStore) {
	ctx := context.Background()
	mustUser(t, st, "a", data.RoleAdmin)
	mustUser(t, st, "b", data.RoleViewer)
	_, c1 := mustCredential(t, st, data.KindToken, "a", time.Time{})
	_, c2 := mustCredential(t, st, data.KindSession, "a", time.Time{})
	_, c3 := mustCredential(t, st, data.KindToken, "b", time.Time{})
	all, err := st.ListCredentials(ctx, "", "")
	if err != nil || len(all) != 3 {
		t.Fatalf("all: %d, %v", len(all), err)
	}
	tokensOfA, _ := st.ListCredentials(ctx, data.KindToken, "a")
	if len(tokensOfA) != 1 || tokensOfA[0].ID != c1.ID || tokensOfA[0].Hash != c1.Hash || !tokensOfA[0].CreatedAt.Equal(at) {
		t.Errorf("tokens of a: %+v", tokensOfA)
	}
	if got, _ := st.ListCredentials(ctx, "", "b"); len(got) != 1 || got[0].ID != c3.ID {
		t.Errorf("of b: %+v", got)
	}
	if err := st.RevokeCredential(ctx, c2.ID, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := st.RevokeCredential(ctx, c2.ID, at.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, _ := st.ListCredentials(ctx, data.KindSession, "a")
	if len(got) != 1 || !got[0].RevokedAt.Equal(at.Add(time.Hour)) {
		t.Errorf("revoked twice: %+v", got)
	}
	wantErr(t, "revoke unknown", st.RevokeCredential(ctx, "nope", at), data.ErrNotFound)
}

func testAuditAppendQuery(t *testing.T, st data.AuthStore) {
	ctx := context.Background()
	entry := func(i int, actor, action string) data.AuditEntry {
		return data.AuditEntry{At: at.Add(time.Duration(i) * time.Second), Actor: actor, Role: data.RoleOfficer, Credential: "c1",
			Action: action, Method: "GET", Target: fmt.Sprintf("/api/v1/lookup?lon=%d", i), Remote: "127.0.0.1", RequestID: fmt.Sprintf("r%d", i), Status: 200, Detail: "d"}
	}
	var batch []data.AuditEntry
	for i := range 10 {
		actor := "a"
		if i%2 == 1 {
			actor = "b"
		}
		action := "lookupPoint"
		if i >= 5 {
			action = "postPings"
		}
		batch = append(batch, entry(i, actor, action))
	}
	if err := st.AppendAudit(ctx, batch[:4]); err != nil {
		t.Fatal(err)
	}
	if err := st.AppendAudit(ctx, batch[4:]); err != nil {
		t.Fatal(err)
	}
	if err := st.AppendAudit(ctx, nil); err != nil {
		t.Fatal(err)
	}
	all, err := st.QueryAudit(ctx, data.AuditQuery{})
	if err != nil || len(all) != 10 {
		t.Fatalf("all: %d, %v", len(all), err)
	}
	for i, e := range all {
		want := batch[9-i]
		want.Seq = e.Seq
		if e.At.Equal(want.At) {
			e.At = want.At
		}
		if e != want {
			t.Errorf("entry %d: %+v, want %+v", i, e, want)
		}
		if i > 0 && e.Seq >= all[i-1].Seq {
			t.Errorf("not newest first: seq %d after %d", e.Seq, all[i-1].Seq)
		}
	}
	for _, tc := range []struct {
		name string
		q    data.AuditQuery
		want int
	}{
		{"actor", data.AuditQuery{Actor: "a"}, 5},
		{"action", data.AuditQuery{Action: "postPings"}, 5},
		{"both", data.AuditQuery{Actor: "b", Action: "postPings"}, 3},
		{"since", data.AuditQuery{Since: at.Add(7 * time.Second)}, 3},
		{"until", data.AuditQuery{Until: at.Add(2 * time.Second)}, 2},
		{"limit", data.AuditQuery{Limit: 4}, 4},
		{"before", data.AuditQuery{Before: all[3].Seq}, 6},
		{"injection", data.AuditQuery{Actor: "a' or '1'='1"}, 0},
	} {
		got, err := st.QueryAudit(ctx, tc.q)
		if err != nil || len(got) != tc.want {
			t.Errorf("%s: %d entries, %v; want %d", tc.name, len(got), err, tc.want)
		}
	}
}

// testAuditUnstorableText appends a batch in which one entry holds a NUL
// and invalid UTF-8 (as a request for /api/v1/grids/x%00 would): the
// whole batch is stored, the bad entry in its storable form.
func testAuditUnstorableText(t *testing.T, st data.AuthStore) {
	ctx := context.Background()
	good := data.AuditEntry{At: at, Actor: "a", Role: data.RoleViewer, Action: "getGrid", Method: "GET", Target: "/api/v1/grids/61012200100701", RequestID: "ok-1"}
	bad := good
	bad.Target, bad.Actor, bad.Detail, bad.RequestID = "/api/v1/grids/x\x00", "a\x00b", "\xff\xfe", "bad-1"
	after := good
	after.RequestID = "ok-2"
	if err := st.AppendAudit(ctx, []data.AuditEntry{good, bad, after}); err != nil {
		t.Fatalf("a batch holding one entry with a NUL: %v", err)
	}
	all, err := st.QueryAudit(ctx, data.AuditQuery{Limit: 3})
	if err != nil || len(all) != 3 {
		t.Fatalf("read back: %d entries, %v", len(all), err)
	}
	got := all[1] // newest first
	if got.Target != `/api/v1/grids/x\x00` || got.Actor != `a\x00b` || got.Detail != `\xff\xfe` || got.RequestID != "bad-1" {
		t.Errorf("the bad entry is stored as %+v; want its text escaped", got)
	}
	if all[0].RequestID != "ok-2" || all[2].RequestID != "ok-1" {
		t.Errorf("the good entries around it: %q, %q", all[2].RequestID, all[0].RequestID)
	}
}
