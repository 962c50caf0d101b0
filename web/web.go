// Package web holds jingge's web pages, built: the command-center map served
// at /, the officer page served at /m and the planner page served at /plan,
// with their scripts, styles and the MapLibre GL JS library they draw with. The binary embeds them, so serving
// them needs no Node.js and no network beyond the jingge server itself.
//
// The pages are written in src/ and built into build/ by `npm run build`
// (build.mjs, esbuild). build/ is committed so that `go build` alone makes a
// complete binary; TestBuildIsCurrent fails when build/ is older than the
// sources it was built from, and the web tests (`npm test`) rebuild it and
// compare byte for byte.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:build
var built embed.FS

// Files returns the built site rooted at its top: index.html (the command
// center), m.html (the officer page), plan.html (the planner page) and
// assets/, whose every file name holds a hash of its content, so a changed
// file always has a new name and browsers may keep assets forever. manifest.json records what the build
// was made from; it is not part of the site.
func Files() fs.FS {
	sub, _ := fs.Sub(built, "build") // fails only for an invalid path name
	return sub
}
