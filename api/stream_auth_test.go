package api

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"jingge/api/httpx"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/memory"
)

// testClock runs with real time from a fixed start, and a test may move
// it on by hand.
type testClock struct {
	mu    sync.Mutex
	start time.Time
	real  time.Time
	skip  time.Duration
}

func newTestClock() *testClock {
	return &testClock{start: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC), real: time.Now()}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.start.Add(time.Since(c.real) + c.skip)
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.skip += d
	c.mu.Unlock()
}

// openStreamWith opens the event stream with extra headers (name, value
// pairs) and fails t unless it starts.
func openStreamWith(t *testing.T, url string, hdr ...string) *sseClient {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url+"/api/v1/events", nil)
	req.Header.Set("Accept", httpx.ContentTypeEventStream)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("stream: %d %s", resp.StatusCode, body)
	}
	c := &sseClient{resp: resp, lines: make(chan string, 1024)}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() { resp.Body.Close() })
	return c
}

// streamEndLimit is how long a test waits for a stream to end: far more
// than the cache TTL the tests use, for a loaded machine.
const streamEndLimit = 30 * time.Second

// An open event stream ends, with an event named end saying why, within
// the credential cache's TTL after its credential stops authenticating;
// reconnecting with it is refused.
func TestStreamEndsWhenCredentialEnds(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		// session opens the stream with a signed-in session rather than a
		// token; end makes the credential stop authenticating.
		session bool
		end     func(t *testing.T, auth *memory.Auth, clock *testClock, url string, cred data.Credential, hdr []string)
	}{
		{"token revoked", "credential_revoked", false, func(t *testing.T, auth *memory.Auth, clock *testClock, _ string, cred data.Credential, _ []string) {
			if err := auth.RevokeCredential(context.Background(), cred.ID, clock.Now()); err != nil {
				t.Fatal(err)
			}
		}},
		{"token expired", "credential_expired", false, func(t *testing.T, _ *memory.Auth, clock *testClock, _ string, _ data.Credential, _ []string) {
			clock.add(2 * time.Hour)
		}},
		{"user disabled", "credential_revoked", false, func(t *testing.T, auth *memory.Auth, _ *testClock, _ string, _ data.Credential, _ []string) {
			if err := auth.SetDisabled(context.Background(), "wall", true); err != nil {
				t.Fatal(err)
			}
		}},
		{"session signed out", "credential_revoked", true, func(t *testing.T, _ *memory.Auth, _ *testClock, url string, _ data.Credential, hdr []string) {
			req, _ := http.NewRequest(http.MethodPost, url+"/api/v1/logout", nil)
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			req.Header.Set(hdr[0], hdr[1])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNoContent {
				t.Fatalf("logout: %d", resp.StatusCode)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			clock := newTestClock()
			auth := memory.NewAuth(0)
			hash, err := data.HashPassword(fixturePassword)
			if err != nil {
				t.Fatal(err)
			}
			if err := auth.CreateUser(ctx, data.User{Name: "wall", Role: data.RoleViewer, PasswordHash: hash}); err != nil {
				t.Fatal(err)
			}
			secret, h, id := data.NewSecret(data.KindToken)
			cred := data.Credential{ID: id, Kind: data.KindToken, UserName: "wall", Hash: h, CreatedAt: clock.Now(), ExpiresAt: clock.Now().Add(time.Hour)}
			if err := auth.CreateCredential(ctx, cred); err != nil {
				t.Fatal(err)
			}
			s := newTestServer(t, nil, Config{
				Patrols: memory.NewPatrols(memory.PatrolOptions{Now: clock.Now}),
				Access:  &Access{Store: auth, Now: clock.Now, CacheTTL: 50 * time.Millisecond},
			})
			ls := startLive(t, s, nil)
			hdr := []string{"Authorization", "Bearer " + secret}
			if tc.session {
				body := strings.NewReader(`{"user":"wall","password":"` + fixturePassword + `"}`)
				req, _ := http.NewRequest(http.MethodPost, ls.URL+"/api/v1/login", body)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Sec-Fetch-Site", "same-origin")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				var cookie *http.Cookie
				for _, c := range resp.Cookies() {
					if c.Name == cookieSession {
						cookie = c
					}
				}
				if resp.StatusCode != http.StatusOK || cookie == nil {
					t.Fatalf("login: %d %v", resp.StatusCode, resp.Header)
				}
				hdr = []string{"Cookie", cookie.Name + "=" + cookie.Value}
			}
			c := openStreamWith(t, ls.URL, hdr...)
			tc.end(t, auth, clock, ls.URL, cred, hdr)
			deadline := time.Now().Add(streamEndLimit)
			var end sseEvent
			for end.name != "end" {
				ev, ok := c.next(time.Until(deadline))
				if !ok {
					t.Fatalf("the stream did not end with an end event within %s", streamEndLimit)
				}
				end = ev
			}
			var why StreamEnd
			if err := json.Unmarshal([]byte(end.data), &why); err != nil || why.Reason != tc.reason || why.Detail == "" {
				t.Errorf("end event %q: %+v, %v; want reason %s", end.data, why, err, tc.reason)
			}
			if ev, ok := c.next(streamEndLimit); ok {
				t.Errorf("the stream went on after its end event: %+v", ev)
			}
			req, _ := http.NewRequest(http.MethodGet, ls.URL+"/api/v1/events", nil)
			req.Header.Set("Accept", httpx.ContentTypeEventStream)
			req.Header.Set(hdr[0], hdr[1])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("reconnecting: %d, want 401", resp.StatusCode)
			}
		})
	}
}

// A stream whose credential holds stays open across many checks.
func TestStreamOutlivesChecksOfAGoodCredential(t *testing.T) {
	ctx := context.Background()
	auth := memory.NewAuth(0)
	if err := auth.CreateUser(ctx, data.User{Name: "wall", Role: data.RoleViewer}); err != nil {
		t.Fatal(err)
	}
	secret, h, id := data.NewSecret(data.KindToken)
	if err := auth.CreateCredential(ctx, data.Credential{ID: id, Kind: data.KindToken, UserName: "wall", Hash: h}); err != nil {
		t.Fatal(err)
	}
	counting := &countingAuth{Auth: auth}
	s := newTestServer(t, nil, Config{
		Patrols: memory.NewPatrols(memory.PatrolOptions{}),
		Access:  &Access{Store: counting, CacheTTL: 10 * time.Millisecond},
	})
	ls := startLive(t, s, nil)
	c := openStreamWith(t, ls.URL, "Authorization", "Bearer "+secret)
	// Wait until the stream has checked its credential several times.
	deadline := time.Now().Add(streamEndLimit)
	for counting.calls() < 5 {
		if time.Now().After(deadline) {
			t.Fatalf("the stream checked its credential %d times in %s", counting.calls(), streamEndLimit)
		}
		if ev, ok := c.next(20 * time.Millisecond); ok && ev.name == "end" {
			t.Fatalf("the stream of a good credential ended: %s", ev.data)
		}
	}
}

// countingAuth counts the store's authentications.
type countingAuth struct {
	*memory.Auth
	mu sync.Mutex
	n  int
}

func (a *countingAuth) Authenticate(ctx context.Context, kind data.CredentialKind, hash [32]byte, now time.Time) (data.Authenticated, error) {
	a.mu.Lock()
	a.n++
	a.mu.Unlock()
	return a.Auth.Authenticate(ctx, kind, hash, now)
}

func (a *countingAuth) calls() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.n
}
