#!/usr/bin/env node
// Builds the web pages into build/, which the Go binary embeds (see web.go).
//
//   node build.mjs            build into build/ (replacing it)
//   node build.mjs --out DIR  build into DIR instead (the tests compare)
//
// Every asset's name carries a hash of its content, so the server lets
// browsers keep assets forever and only the small HTML pages are
// revalidated. The output depends only on the inputs listed in
// tools/digest.mjs and the locked package versions, byte for byte.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

import { sourcesDigest } from './tools/digest.mjs';
import { districtsGeoJSON } from './tools/districts.mjs';
import { iconPNG } from './tools/icons.mjs';

const webDir = path.dirname(fileURLToPath(import.meta.url));

/** contentName returns "base-HASH.ext" for content, like esbuild names its outputs. */
function contentName(base, ext, content) {
  const digest = createHash('sha256').update(content).digest();
  // Base32 (A-Z, 2-7), as esbuild's [hash].
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 8) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return `${base}-${out}.${ext}`;
}

/** build writes the site into outDir and returns the manifest. */
export async function build(outDir) {
  const tmp = fs.mkdtempSync(path.join(path.dirname(path.resolve(outDir)), '.build-'));
  try {
    const assets = path.join(tmp, 'assets');
    fs.mkdirSync(assets);
    const copied = {};
    const put = (key, base, ext, content) => {
      const name = contentName(base, ext, content);
      fs.writeFileSync(path.join(assets, name), content);
      copied[key] = `assets/${name}`;
    };

    // MapLibre's worker runs as a module worker from its own file; drop the
    // source-map comment, the map is not shipped.
    const worker = fs
      .readFileSync(path.join(webDir, 'node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs'), 'utf8')
      .replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
    put('worker', 'maplibre-gl-worker', 'js', worker);
    put('districts', 'xian-districts', 'geojson',
      districtsGeoJSON(path.join(webDir, '../data/lantian/source/xian-districts.geojson')));
    put('icon', 'icon', 'svg', fs.readFileSync(path.join(webDir, 'src/shared/icon.svg')));
    put('icon192', 'icon-192', 'png', iconPNG(192));
    put('icon512', 'icon-512', 'png', iconPNG(512));

    const result = await esbuild.build({
      absWorkingDir: webDir,
      entryPoints: {
        app: 'src/command/main.js',
        officer: 'src/officer/main.js',
        planner: 'src/planner/main.js',
        'app-style': 'src/command/app.css',
        'officer-style': 'src/officer/officer.css',
        'planner-style': 'src/planner/planner.css',
      },
      bundle: true,
      splitting: true,
      format: 'esm',
      minify: true,
      target: ['es2022'],
      outdir: assets,
      entryNames: '[name]-[hash]',
      chunkNames: 'chunk-[hash]',
      assetNames: '[name]-[hash]',
      legalComments: 'eof',
      charset: 'utf8',
      metafile: true,
      // Paths (and so output hashes) stay the same when node_modules is a link.
      preserveSymlinks: true,
      logLevel: 'warning',
      define: {
        JINGGE_ASSETS: JSON.stringify({ worker: copied.worker, districts: copied.districts }),
      },
    });
    const outputOf = (entry) => {
      for (const [file, out] of Object.entries(result.metafile.outputs)) {
        if (out.entryPoint === entry) return path.relative(tmp, path.resolve(webDir, file)).split(path.sep).join('/');
      }
      throw new Error(`build: no output for ${entry}`);
    };
    const names = {
      'app.js': outputOf('src/command/main.js'),
      'app.css': outputOf('src/command/app.css'),
      'officer.js': outputOf('src/officer/main.js'),
      'officer.css': outputOf('src/officer/officer.css'),
      'planner.js': outputOf('src/planner/main.js'),
      'planner.css': outputOf('src/planner/planner.css'),
      icon: copied.icon,
      icon192: copied.icon192,
    };
    const pages = [['index.html', 'src/command/index.html'], ['m.html', 'src/officer/m.html'], ['plan.html', 'src/planner/plan.html']];
    for (const [page, template] of pages) {
      const html = fs.readFileSync(path.join(webDir, template), 'utf8').replace(/\{\{([\w.]+)\}\}/g, (m, key) => {
        if (!(key in names)) throw new Error(`build: ${template}: unknown placeholder ${m}`);
        return names[key];
      });
      fs.writeFileSync(path.join(tmp, page), html);
    }

    // The officer page as an installable app: its manifest, and a service
    // worker that keeps the page and every asset it loads (its entry's
    // imports, static and dynamic, followed through the chunks).
    const shell = new Set(['m', 'm.webmanifest', copied.icon, copied.icon192, copied.icon512, copied.worker]);
    const follow = (file) => {
      const rel = path.relative(tmp, path.resolve(webDir, file)).split(path.sep).join('/');
      if (shell.has(rel)) return;
      shell.add(rel);
      for (const imp of result.metafile.outputs[file]?.imports || []) {
        if (!imp.external) follow(imp.path);
      }
    };
    for (const [file, out] of Object.entries(result.metafile.outputs)) {
      if (out.entryPoint === 'src/officer/main.js' || out.entryPoint === 'src/officer/officer.css') {
        shell.delete(path.relative(tmp, path.resolve(webDir, file)).split(path.sep).join('/'));
        follow(file);
      }
    }
    const shellList = [...shell].sort();
    // Asset names carry their content's hash, so the list names the build.
    const shellVersion = createHash('sha256').update(shellList.join('\n')).digest('hex').slice(0, 16);
    const serviceWorker = fs.readFileSync(path.join(webDir, 'src/officer/sw.js'), 'utf8')
      .replace('JINGGE_SHELL_VERSION', JSON.stringify(shellVersion))
      .replace('JINGGE_SHELL', JSON.stringify(shellList));
    fs.writeFileSync(path.join(tmp, 'm-sw.js'), serviceWorker);
    fs.writeFileSync(path.join(tmp, 'm.webmanifest'), `${JSON.stringify({
      name: '警格 · 我在哪个警格？',
      short_name: '警格',
      description: '定位或输入坐标，查询所在网格、警格、派出所和责任民警；离线时用本站离线包作答。',
      lang: 'zh-CN',
      start_url: 'm',
      scope: 'm',
      display: 'standalone',
      background_color: '#FFFFFF',
      theme_color: '#1F2A44',
      icons: [
        { src: copied.icon192, sizes: '192x192', type: 'image/png', purpose: 'any' },
        { src: copied.icon512, sizes: '512x512', type: 'image/png', purpose: 'any' },
        { src: copied.icon, sizes: 'any', type: 'image/svg+xml' },
      ],
    }, null, 2)}\n`);

    const files = {};
    const list = (dir) => {
      for (const e of fs.readdirSync(path.join(tmp, dir), { withFileTypes: true })) {
        const rel = dir ? `${dir}/${e.name}` : e.name;
        if (e.isDirectory()) list(rel);
        else files[rel] = createHash('sha256').update(fs.readFileSync(path.join(tmp, rel))).digest('hex');
      }
    };
    list('');
    const sorted = Object.fromEntries(Object.keys(files).sort().map((k) => [k, files[k]]));
    const manifest = { sources: sourcesDigest(webDir), files: sorted };
    fs.writeFileSync(path.join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);

    fs.chmodSync(tmp, 0o755);
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.renameSync(tmp, outDir);
    return manifest;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  const out = i > 0 ? path.resolve(process.argv[i + 1]) : path.join(webDir, 'build');
  const manifest = await build(out);
  let bytes = 0;
  for (const f of Object.keys(manifest.files)) bytes += fs.statSync(path.join(out, f)).size;
  console.log(`built ${Object.keys(manifest.files).length} files, ${(bytes / 1024).toFixed(0)} KiB, into ${path.relative(process.cwd(), out) || '.'}`);
}
