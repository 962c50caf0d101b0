package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// inputs lists what a build is made from, as tools/digest.mjs does: every
// file under src/ and tools/, and these.
var extraInputs = []string{
	"build.mjs",
	"package.json",
	"package-lock.json",
	"../data/lantian/source/xian-districts.geojson",
}

// sourcesDigest is tools/digest.mjs's digest, in Go: SHA-256 over
// "<path>\n<sha256 of content>\n" for each input in byte order of path,
// CR LF read as LF.
func sourcesDigest(tb testing.TB) string {
	tb.Helper()
	files := append([]string(nil), extraInputs...)
	for _, dir := range []string{"src", "tools"} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type().IsRegular() {
				files = append(files, filepath.ToSlash(p))
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	sort.Strings(files)
	h := sha256.New()
	for _, f := range files {
		data, err := os.ReadFile(filepath.FromSlash(f))
		if err != nil {
			tb.Fatal(err)
		}
		sum := sha256.Sum256(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")))
		fmt.Fprintf(h, "%s\n%s\n", f, hex.EncodeToString(sum[:]))
	}
	return hex.EncodeToString(h.Sum(nil))
}

type manifest struct {
	Sources string            `json:"sources"`
	Files   map[string]string `json:"files"`
}

func readManifest(tb testing.TB) manifest {
	tb.Helper()
	data, err := fs.ReadFile(built, "build/manifest.json")
	if err != nil {
		tb.Fatalf("build/manifest.json: %v (run `npm run build` in web/)", err)
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		tb.Fatalf("build/manifest.json: %v", err)
	}
	return m
}

// TestBuildIsCurrent fails when a source of the pages changed and build/
// was not rebuilt: the committed build must be what `npm run build` makes
// of the committed sources, since the binary serves build/ as it is.
func TestBuildIsCurrent(t *testing.T) {
	m := readManifest(t)
	if got := sourcesDigest(t); got != m.Sources {
		t.Fatalf("web/build is stale: it was built from sources with digest %s, the sources now have %s.\n"+
			"Rebuild it: cd web && npm ci && npm run build, and commit web/build.", m.Sources, got)
	}
}

// TestBuildMatchesManifest checks the embedded files are the ones the build
// wrote, no more and no fewer, so build/ was not edited by hand.
func TestBuildMatchesManifest(t *testing.T) {
	m := readManifest(t)
	seen := map[string]bool{}
	err := fs.WalkDir(Files(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == "manifest.json" {
			return err
		}
		seen[p] = true
		data, err := fs.ReadFile(Files(), p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		if want, ok := m.Files[p]; !ok {
			t.Errorf("%s is in build/ but not in the manifest", p)
		} else if hex.EncodeToString(sum[:]) != want {
			t.Errorf("%s differs from what the build wrote", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for p := range m.Files {
		if !seen[p] {
			t.Errorf("%s is in the manifest but not in build/", p)
		}
	}
}

// TestOfficerApp: the officer page links its manifest, the manifest names
// PNG icons that exist, and the service worker keeps the page and the
// officer script m.html loads, so the page opens with no network.
func TestOfficerApp(t *testing.T) {
	site := Files()
	page, err := fs.ReadFile(site, "m.html")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), `<link rel="manifest" href="m.webmanifest">`) {
		t.Error("m.html does not link m.webmanifest")
	}
	raw, err := fs.ReadFile(site, "m.webmanifest")
	if err != nil {
		t.Fatal(err)
	}
	var manifest struct {
		StartURL string `json:"start_url"`
		Scope    string `json:"scope"`
		Icons    []struct {
			Src   string `json:"src"`
			Sizes string `json:"sizes"`
		} `json:"icons"`
	}
	if err := json.Unmarshal(raw, &manifest); err != nil {
		t.Fatal(err)
	}
	if manifest.StartURL != "m" || manifest.Scope != "m" {
		t.Errorf("start_url %q, scope %q: want m", manifest.StartURL, manifest.Scope)
	}
	sizes := map[string]bool{}
	for _, ic := range manifest.Icons {
		if _, err := fs.Stat(site, ic.Src); err != nil {
			t.Errorf("icon %s: %v", ic.Src, err)
		}
		sizes[ic.Sizes] = true
	}
	if !sizes["192x192"] || !sizes["512x512"] {
		t.Errorf("icon sizes %v: an installable app needs 192x192 and 512x512", sizes)
	}
	worker, err := fs.ReadFile(site, "m-sw.js")
	if err != nil {
		t.Fatal(err)
	}
	script := regexp.MustCompile(`src="(assets/officer-[A-Z2-7]{8}\.js)"`).FindStringSubmatch(string(page))
	if script == nil {
		t.Fatal("m.html loads no officer script")
	}
	for _, want := range []string{`"m"`, `"` + script[1] + `"`, `"m.webmanifest"`} {
		if !strings.Contains(string(worker), want) {
			t.Errorf("the service worker does not keep %s", want)
		}
	}
}

// TestSiteLayout checks what the server relies on: both pages, and assets
// whose names carry a content hash (so they may be cached forever).
func TestSiteLayout(t *testing.T) {
	site := Files()
	for _, page := range []string{"index.html", "m.html"} {
		data, err := fs.ReadFile(site, page)
		if err != nil {
			t.Fatalf("%s: %v", page, err)
		}
		if !strings.Contains(string(data), `<script type="module" src="assets/`) {
			t.Errorf("%s loads no module script from assets/", page)
		}
		if strings.Contains(string(data), "://") {
			t.Errorf("%s names an absolute URL; the pages must load everything from this server", page)
		}
	}
	hashed := regexp.MustCompile(`^[a-z][a-z0-9-]*-[A-Z2-7]{8}\.[a-z]+$`)
	entries, err := fs.ReadDir(site, "assets")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || !hashed.MatchString(e.Name()) {
			t.Errorf("assets/%s: want a file named name-HASH.ext", e.Name())
		}
		if ext := path.Ext(e.Name()); ext != ".js" && ext != ".css" && ext != ".svg" && ext != ".geojson" && ext != ".png" {
			t.Errorf("assets/%s: unexpected kind of file", e.Name())
		}
	}
}
