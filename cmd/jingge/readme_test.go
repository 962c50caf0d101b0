package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"jingge/data/postgis/postgistest"
)

// The README's shell blocks are run as written, in the order the README
// gives them, on a fresh machine: one scenario on the embedded store and
// one on PostGIS. A block takes part when the line before its opening fence
// is
//
//	<!-- readme-test: SCENARIO[,SCENARIO…] [server] [alias] -->
//
// "server" marks a block whose first command starts the server: it runs in
// the background and the next block waits until /readyz answers, as a
// reader would wait for the start-up line in another terminal. "alias"
// runs the block after the alias the README's prose offers,
// alias curl='curl -H "Authorization: Bearer $TOKEN"'.
//
// What the harness changes, and nothing else: the server listens on a free
// port (JINGGE_ADDR, which `make run` and `jingge serve` read) and every
// localhost:8080 in a block names that port; `go run ./cmd/jingge` and
// `jingge` run a binary built once from this checkout; the README's example
// DATABASE_URL names a fresh schema of the test database; curl gets -fsS, so
// an HTTP error fails the block; and the user's configuration directory is
// empty, so the embedded store's auth file does not exist yet.
func TestREADME(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs the README's commands")
	}
	for _, tool := range []string{"bash", "curl", "make"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is needed to run the README's commands", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	blocks := readmeBlocks(t, filepath.Join(root, "README.md"))
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "jingge"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	t.Run("embedded", func(t *testing.T) {
		t.Parallel()
		out := runReadme(t, root, bin, blocks, "embedded", "")
		for _, want := range []string{`"name":"新民街社区"`, `"id":"chengguan"`} {
			if !strings.Contains(out, want) {
				t.Errorf("the README's commands printed no %s:\n%s", want, out)
			}
		}
	})
	t.Run("postgis", func(t *testing.T) {
		t.Parallel()
		out := runReadme(t, root, bin, blocks, "postgis", postgistest.NewSchema(t))
		for _, want := range []string{"added admin user admin", `"name":"新民街社区"`} {
			if !strings.Contains(out, want) {
				t.Errorf("the README's commands printed no %s:\n%s", want, out)
			}
		}
	})
}

// readmeBlock is one tagged shell block of the README.
type readmeBlock struct {
	line      int // of the opening fence
	scenarios []string
	server    bool
	alias     bool
	text      string
}

var readmeTag = regexp.MustCompile(`^<!-- readme-test: ([a-z,]+)((?: [a-z]+)*) -->$`)

func readmeBlocks(t *testing.T, path string) []readmeBlock {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	var blocks []readmeBlock
	for i := 0; i < len(lines); i++ {
		m := readmeTag.FindStringSubmatch(lines[i])
		if m == nil {
			if strings.Contains(lines[i], "readme-test") {
				t.Fatalf("README.md:%d: a readme-test tag that does not parse: %s", i+1, lines[i])
			}
			continue
		}
		if i+1 >= len(lines) || lines[i+1] != "```sh" {
			t.Fatalf("README.md:%d: a readme-test tag must stand right before a ```sh fence", i+1)
		}
		blk := readmeBlock{line: i + 2, scenarios: strings.Split(m[1], ",")}
		for _, flag := range strings.Fields(m[2]) {
			switch flag {
			case "server":
				blk.server = true
			case "alias":
				blk.alias = true
			default:
				t.Fatalf("README.md:%d: unknown readme-test flag %q", i+1, flag)
			}
		}
		var body []string
		for i += 2; i < len(lines) && lines[i] != "```"; i++ {
			body = append(body, lines[i])
		}
		blk.text = strings.Join(body, "\n")
		blocks = append(blocks, blk)
	}
	if len(blocks) == 0 {
		t.Fatal("README.md has no readme-test blocks")
	}
	return blocks
}

// readmeDatabaseURL is the example DATABASE_URL of the README's PostGIS
// block; the harness points it at the test database.
const readmeDatabaseURL = "'postgres://jingge@localhost/jingge'"

// runReadme runs the blocks of one scenario as one bash script and returns
// what it printed.
func runReadme(t *testing.T, root, bin string, blocks []readmeBlock, scenario, dbURL string) string {
	t.Helper()
	addr := freeAddr(t)
	var script strings.Builder
	script.WriteString(`set -euo pipefail
shopt -s expand_aliases
curl() { command curl -fsS --max-time 120 "$@"; echo; }
server=""
wait_ready() {
	local deadline=$((SECONDS + 180))
	until command curl -fs -o /dev/null --max-time 5 "http://$JINGGE_ADDR/readyz"; do
		if ! kill -0 "$server" 2>/dev/null; then echo "the server exited; its log:" >&2; cat "$SERVER_LOG" >&2; return 1; fi
		if [ "$SECONDS" -ge "$deadline" ]; then echo "the server was not ready within 3 minutes" >&2; return 1; fi
		sleep 0.2
	done
}
`)
	pendingServer := false
	ran := 0
	for _, blk := range blocks {
		if !slices.Contains(blk.scenarios, scenario) {
			continue
		}
		ran++
		text := blk.text
		text = strings.ReplaceAll(text, "localhost:8080", addr)
		text = strings.ReplaceAll(text, "127.0.0.1:8080", addr)
		text = strings.ReplaceAll(text, "go run ./cmd/jingge", "jingge")
		if scenario == "postgis" && strings.Contains(text, "DATABASE_URL=") {
			if !strings.Contains(text, readmeDatabaseURL) {
				t.Fatalf("README.md:%d: the PostGIS block no longer sets DATABASE_URL=%s; update the test", blk.line, readmeDatabaseURL)
			}
			text = strings.ReplaceAll(text, readmeDatabaseURL, shellQuote(dbURL))
		}
		fmt.Fprintf(&script, "echo '### README.md:%d'\n", blk.line)
		if pendingServer {
			script.WriteString("wait_ready\n")
			pendingServer = false
		}
		if blk.server {
			first, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
			first, _, _ = strings.Cut(first, "#")
			fmt.Fprintf(&script, "%s >\"$SERVER_LOG\" 2>&1 &\nserver=$!\n", strings.TrimSpace(first))
			pendingServer = true
			continue
		}
		if blk.alias {
			script.WriteString(`alias curl='curl -H "Authorization: Bearer $TOKEN"'` + "\n")
		}
		script.WriteString(text + "\n")
	}
	if ran == 0 {
		t.Fatalf("README.md has no block for the %s scenario", scenario)
	}
	if pendingServer {
		script.WriteString("wait_ready\n")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script.String())
	cmd.Dir = root
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains([]string{"DATABASE_URL", "JINGGE_AUTH_FILE", "JINGGE_DATA_DIR", "JINGGE_TOKEN", "JINGGE_ADDR", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "PATH"}, name)
	})
	cmd.Env = append(env,
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"XDG_CONFIG_HOME="+t.TempDir(),
		"XDG_DATA_HOME="+t.TempDir(),
		"JINGGE_ADDR="+addr,
		"SERVER_LOG="+filepath.Join(t.TempDir(), "server.log"),
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	stopGroup(t, cmd.Process.Pid)
	if err != nil {
		t.Fatalf("the README's %s commands failed: %v\nthe script:\n%s\nwhat it printed:\n%s", scenario, err, numbered(script.String()), out.String())
	}
	t.Logf("the README's %s commands:\n%s", scenario, out.String())
	return out.String()
}

// stopGroup ends what the script left running (the server) and waits until
// it is gone.
func stopGroup(t *testing.T, pgid int) {
	t.Helper()
	sig := syscall.SIGTERM
	deadline := time.Now().Add(30 * time.Second)
	for {
		if err := syscall.Kill(-pgid, sig); errors.Is(err, syscall.ESRCH) {
			return
		}
		if time.Now().After(deadline) {
			if sig == syscall.SIGKILL {
				t.Errorf("process group %d is still running", pgid)
				return
			}
			sig, deadline = syscall.SIGKILL, time.Now().Add(30*time.Second)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func numbered(s string) string {
	var b strings.Builder
	sc := bufio.NewScanner(strings.NewReader(s))
	for n := 1; sc.Scan(); n++ {
		fmt.Fprintf(&b, "%3d  %s\n", n, sc.Text())
	}
	return b.String()
}
