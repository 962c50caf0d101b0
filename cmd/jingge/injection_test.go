package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/postgis/postgistest"
)

// injections are strings that would change or leak data if any of them
// reached SQL unparameterised.
var injections = []string{
	`' OR '1'='1`,
	`1; DROP TABLE grids; --`,
	`x'); DELETE FROM incidents; --`,
	`1 UNION SELECT password_hash FROM users --`,
	`" OR ""="`,
	`') OR pg_sleep(3) IS NULL --`,
	`$1`,
	`%' OR 1=1 --`,
	`1e309`,
	`\x00'`,
	`../../etc/passwd`,
	strings.Repeat("'", 300),
}

// TestInjection throws injection strings at every query parameter and
// every path parameter of every operation in the OpenAPI document (which
// TestOpenAPIMatchesRoutes keeps equal to the route table), on a server
// backed by PostGIS. Every answer must be a 4xx or a correct (empty)
// success, never a 5xx; no secret may leak; and no table may change.
func TestInjection(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	st := postgistest.MustOpenURL(t, dbURL)
	ctx := context.Background()
	if err := st.CreateUser(ctx, data.User{Name: "inj-admin", Role: data.RoleAdmin, PasswordHash: "$argon2id$secret-marker"}); err != nil {
		t.Fatal(err)
	}
	secret, hash, id := data.NewSecret(data.KindToken)
	if err := st.CreateCredential(ctx, data.Credential{ID: id, Kind: data.KindToken, UserName: "inj-admin", Hash: hash}); err != nil {
		t.Fatal(err)
	}
	base, _, stop := startServe(t, func(ctx context.Context, stdout, stderr io.Writer) error {
		return serveCommand(ctx, []string{"--addr", "127.0.0.1:0", "--db", dbURL, "--rate", "1000000", "--burst", "1000000", "--log-format", "json"}, stdout, stderr, openStore)
	})
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	counts := func() map[string]int64 {
		t.Helper()
		rows, err := st.Pool().Query(ctx, `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
			where n.nspname = current_schema() and c.relkind in ('r', 'p') and c.relname not in ('audit_log', 'schema_migrations') order by 1`)
		if err != nil {
			t.Fatal(err)
		}
		var tables []string
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				t.Fatal(err)
			}
			tables = append(tables, name)
		}
		rows.Close()
		out := map[string]int64{}
		for _, tbl := range tables {
			var n int64
			if err := st.Pool().QueryRow(ctx, "select count(*) from "+quoteIdent(tbl)).Scan(&n); err != nil {
				t.Fatal(err)
			}
			out[tbl] = n
		}
		return out
	}
	before := counts()

	doc := fetchOpenAPI(t, base, secret)
	client := &http.Client{Timeout: 30 * time.Second}
	sent := 0
	for _, op := range doc {
		targets := injectedTargets(op)
		for _, target := range targets {
			req, err := http.NewRequest(op.method, base+target, strings.NewReader("{}"))
			if err != nil {
				t.Fatalf("%s %s: %v", op.method, target, err)
			}
			req.Header.Set("Authorization", "Bearer "+secret)
			req.Header.Set("Content-Type", "application/json")
			start := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				t.Errorf("%s %s: %v", op.method, target, err)
				continue
			}
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			sent++
			switch {
			case resp.StatusCode >= 500:
				t.Errorf("%s %s (%s): %d %s", op.method, target, op.id, resp.StatusCode, body)
			case strings.Contains(string(body), "secret-marker") || strings.Contains(string(body), "argon2"):
				t.Errorf("%s %s leaks a password hash: %s", op.method, target, body)
			case time.Since(start) > 2500*time.Millisecond:
				t.Errorf("%s %s took %s: was pg_sleep run?", op.method, target, time.Since(start))
			}
		}
	}
	if sent < 100 {
		t.Errorf("only %d requests sent; did the OpenAPI walk find the routes?", sent)
	}
	after := counts()
	for tbl, n := range before {
		if after[tbl] != n {
			t.Errorf("table %s had %d rows, now %d", tbl, n, after[tbl])
		}
	}
	if len(after) != len(before) {
		t.Errorf("tables before %v, after %v", before, after)
	}
	t.Logf("%d requests, %d tables unchanged", sent, len(before))
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// apiOperation is one documented operation, with its parameters.
type apiOperation struct {
	id, method, path string
	query            []string
}

func fetchOpenAPI(t *testing.T, base, token string) []apiOperation {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/openapi.json", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Parameters map[string]struct {
				Name, In string
			} `json:"parameters"`
		} `json:"components"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatalf("openapi.json: %d %v", resp.StatusCode, err)
	}
	var ops []apiOperation
	for path, item := range doc.Paths {
		for method, raw := range item {
			var op struct {
				OperationID string `json:"operationId"`
				Parameters  []struct {
					Ref  string `json:"$ref"`
					Name string `json:"name"`
					In   string `json:"in"`
				} `json:"parameters"`
			}
			if json.Unmarshal(raw, &op) != nil || op.OperationID == "" {
				continue
			}
			o := apiOperation{id: op.OperationID, method: strings.ToUpper(method), path: path}
			for _, p := range op.Parameters {
				if p.Ref != "" {
					c := doc.Components.Parameters[p.Ref[strings.LastIndex(p.Ref, "/")+1:]]
					p.Name, p.In = c.Name, c.In
				}
				if p.In == "query" {
					o.query = append(o.query, p.Name)
				}
			}
			ops = append(ops, o)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].path+ops[i].method < ops[j].path+ops[j].method })
	return ops
}

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// injectedTargets returns, for op, one target per injection string and
// parameter: each query parameter alone, and every path parameter at once
// (other path parameters get harmless values).
func injectedTargets(op apiOperation) []string {
	if op.id == "getEvents" {
		return nil // a stream does not end; its one parameter is fuzzed instead
	}
	harmless := pathParam.ReplaceAllStringFunc(op.path, func(v string) string {
		switch v {
		case "{z}", "{x}", "{y}":
			return "0"
		case "{ext}":
			return "mvt"
		}
		return "x"
	})
	var out []string
	for _, inj := range injections {
		for _, q := range op.query {
			out = append(out, harmless+"?"+url.QueryEscape(q)+"="+url.QueryEscape(inj))
		}
		if pathParam.MatchString(op.path) {
			out = append(out, pathParam.ReplaceAllStringFunc(op.path, func(v string) string {
				if v == "{ext}" {
					return "mvt"
				}
				return url.PathEscape(inj)
			}))
		}
	}
	return out
}
