package pages

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"
)

// The web pages: the command-center map at /, the officer page at /m and
// the planner page at /plan, with their assets under /assets/. They are
// public (they hold no data; the API calls they make carry the caller's
// own credentials) and are served outside the API's route table, so a
// page's URL may carry any query string and the OpenAPI document describes
// only the API.

// Pages and where they live in the built site (see package web).
var webPages = map[string]string{
	"/":     "index.html",
	"/m":    "m.html",
	"/plan": "plan.html",
}

// webAppFiles make the officer page an installable app: its manifest and
// its service worker. They are revalidated like pages (the worker must
// reach phones as soon as a build changes it) and served from the root, so
// the worker's scope may cover /m. A site built before them serves none.
var webAppFiles = map[string]string{
	"/m-sw.js":       "m-sw.js",
	"/m.webmanifest": "m.webmanifest",
}

// webRedirects sends the other spellings of a page to its one URL. The
// pages link their assets relative to themselves, so /m/ must not answer
// with the page itself.
var webRedirects = map[string]string{
	"/index.html": "/",
	"/m/":         "/m",
	"/m.html":     "/m",
	"/plan/":      "/plan",
	"/plan.html":  "/plan",
}

// Cache lifetimes. Asset names carry a hash of their content, so a cached
// asset is never stale; pages are revalidated on every load (a cheap 304),
// so a new build reaches every browser at once.
const (
	AssetCacheControl = "public, max-age=31536000, immutable"
	PageCacheControl  = "no-cache"
)

// webContentTypes are the media types of the built files, by extension;
// the system's MIME table is not consulted, so every host serves the same.
var webContentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".json":        "application/json",
	".webmanifest": "application/manifest+json",
	".geojson":     "application/geo+json",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".woff2":       "font/woff2",
}

// webFile is one built file, read once at start.
type webFile struct {
	body        []byte
	etag        string
	contentType string
	compress    bool

	gzipOnce sync.Once
	gzipBody []byte // nil when compression does not pay
	gzipETag string
}

// gzipped returns the gzip encoding of the file, computed on first use, or
// nil when the file is not worth compressing.
func (f *webFile) gzipped() []byte {
	if !f.compress {
		return nil
	}
	f.gzipOnce.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(f.body)
		if zw.Close() == nil && buf.Len() < len(f.body)*9/10 {
			f.gzipBody = buf.Bytes()
			f.gzipETag = strings.TrimSuffix(f.etag, `"`) + `-gz"`
		}
	})
	return f.gzipBody
}

// Site is the built site in memory, keyed by URL path, and the settings
// the pages are told.
type Site struct {
	files map[string]*webFile // "/assets/app-XXXX.js", "/", "/m"
	csp   string
	ui    UIConfig
}

// Load reads every file of site, to be served with the settings ui. A nil
// site serves no pages.
func Load(site fs.FS, ui UIConfig) (*Site, error) {
	w := &Site{files: map[string]*webFile{}, csp: contentSecurityPolicy(ui), ui: ui}
	if site == nil {
		return w, nil
	}
	read := func(name string) (*webFile, error) {
		body, err := fs.ReadFile(site, name)
		if err != nil {
			return nil, fmt.Errorf("pages: %w", err)
		}
		sum := sha256.Sum256(body)
		ext := path.Ext(name)
		ct, ok := webContentTypes[ext]
		if !ok {
			ct = "application/octet-stream"
		}
		return &webFile{
			body:        body,
			etag:        `"` + hex.EncodeToString(sum[:12]) + `"`,
			contentType: ct,
			compress:    ext != ".png" && ext != ".woff2" && len(body) > 1024,
		}, nil
	}
	for urlPath, name := range webPages {
		f, err := read(name)
		if err != nil {
			return nil, err
		}
		w.files[urlPath] = f
	}
	for urlPath, name := range webAppFiles {
		if _, err := fs.Stat(site, name); err != nil {
			continue
		}
		f, err := read(name)
		if err != nil {
			return nil, err
		}
		w.files[urlPath] = f
	}
	err := fs.WalkDir(site, "assets", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := read(name)
		if err != nil {
			return err
		}
		w.files["/"+name] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("pages: %w", err)
	}
	return w, nil
}

// contentSecurityPolicy lets the pages load only from this server (and the
// configured basemap's tile host): no inline script, no inline style
// attributes, MapLibre's worker from this origin.
func contentSecurityPolicy(ui UIConfig) string {
	remote := ""
	if ui.Basemap != nil {
		for _, o := range ui.Basemap.origins() {
			remote += " " + o
		}
	}
	return "default-src 'self'; script-src 'self'; worker-src 'self' blob:; style-src 'self'; " +
		"img-src 'self' data: blob:" + remote + "; connect-src 'self'" + remote + "; font-src 'self'; " +
		"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
}
