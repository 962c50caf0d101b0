package memory_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/memory"
	"jingge/data/storetest"
)

func TestAuthSuite(t *testing.T) {
	storetest.RunAuth(t, func(t *testing.T) data.AuthStore { return memory.NewAuth(0) })
}

func TestAuthFileSuite(t *testing.T) {
	storetest.RunAuth(t, func(t *testing.T) data.AuthStore {
		a, err := memory.OpenAuthFile(filepath.Join(t.TempDir(), "auth.json"), 0)
		if err != nil {
			t.Fatal(err)
		}
		return a
	})
}

// TestAuthFileShared checks that users and tokens made by one process
// (here: one Auth) reach another reading the same file, that sessions stay
// in memory, and that the file is private.
func TestAuthFileShared(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "auth.json")
	server, err := memory.OpenAuthFile(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	cli, err := memory.OpenAuthFile(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := cli.CreateUser(ctx, data.User{Name: "ops", Role: data.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	secret, hash, id := data.NewSecret(data.KindToken)
	if err := cli.CreateCredential(ctx, data.Credential{ID: id, Kind: data.KindToken, UserName: "ops", Hash: hash}); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("auth file: %v, %v", st, err)
	}
	b, _ := os.ReadFile(path)
	if contains(string(b), secret) {
		t.Fatal("the file holds a token secret")
	}
	// A miss re-reads a changed file at once: the new user and token are
	// found without waiting for the refresh interval.
	if _, err := server.User(ctx, "ops"); err != nil {
		t.Errorf("a user added a moment ago: %v", err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		_, err := server.Authenticate(ctx, data.KindToken, data.HashSecret(secret), time.Now())
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server never saw the token: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// A session the server opens is not written to the file; a revocation
	// by the command line reaches the server.
	_, shash, sid := data.NewSecret(data.KindSession)
	if err := server.CreateCredential(ctx, data.Credential{ID: sid, Kind: data.KindSession, UserName: "ops", Hash: shash}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); contains(string(b), sid) {
		t.Error("a session was written to the file")
	}
	if err := cli.RevokeCredential(ctx, id, time.Now()); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(3 * time.Second)
	for {
		_, err := server.Authenticate(ctx, data.KindToken, data.HashSecret(secret), time.Now())
		if err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts a revoked token")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := server.Authenticate(ctx, data.KindSession, shash, time.Now()); err != nil {
		t.Errorf("the server's session was lost on reload: %v", err)
	}
}

func TestAuthFileDamaged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.json")
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := memory.OpenAuthFile(path, 0); err == nil {
		t.Error("a damaged file opened")
	}
}

func TestAuditRingIsBounded(t *testing.T) {
	ctx := context.Background()
	a := memory.NewAuth(5)
	for i := range 12 {
		if err := a.AppendAudit(ctx, []data.AuditEntry{{Action: "x", Status: i}}); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := a.QueryAudit(ctx, data.AuditQuery{})
	if len(got) != 5 || got[0].Status != 11 || got[4].Status != 7 || got[0].Seq != 12 {
		t.Errorf("ring: %+v", got)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
