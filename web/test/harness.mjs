// The browser tests' harness: a jingge server on a free port and a
// headless Chromium driven by playwright-core.
//
// The server is JINGGE_BIN when set (a prebuilt binary), else built from
// this checkout with `go build`; it serves the embedded Lantian demo data.
// Chromium is CHROME_BIN, else the first of the usual names on PATH (Debian's
// `chromium` package; `npx playwright install` cannot download browsers on
// an offline network). Screenshots go to artifacts/web/ at the repository's
// root.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = path.resolve(webDir, '..');
export const artifactsDir = path.join(repoDir, 'artifacts', 'web');

function which(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

/** chromiumPath finds the browser, or throws saying how to install one. */
export function chromiumPath() {
  const fromEnv = process.env.CHROME_BIN;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`CHROME_BIN=${fromEnv} does not exist`);
    return fromEnv;
  }
  for (const name of ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome']) {
    const p = which(name);
    if (p) return p;
  }
  throw new Error('no Chromium found: install Debian\'s chromium (apt-get install chromium fonts-noto-cjk, or scripts/ci/install-deps.sh --chromium) or set CHROME_BIN');
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * get fetches url without following redirects. With ca (a PEM certificate)
 * an https URL is checked against it, which Node's fetch cannot do for a
 * certificate made by the test.
 */
function get(url, { ca } = {}) {
  if (!ca) return fetch(url, { redirect: 'manual' });
  return new Promise((resolve, reject) => {
    https.get(url, { ca }, (res) => {
      res.resume();
      const setCookies = [res.headers['set-cookie'] || []].flat();
      res.on('end', () => resolve({
        ok: res.statusCode >= 200 && res.statusCode < 300,
        status: res.statusCode,
        headers: { getSetCookie: () => setCookies },
      }));
    }).on('error', reject);
  });
}

// JINGGE_TEST_PORT pins the ports for a machine whose ports are shared out:
// the first server a test file starts takes it, each later one the next, so
// two servers running at once never share one.
let nextPinnedPort = null;

function pinnedPort() {
  nextPinnedPort ??= Number(process.env.JINGGE_TEST_PORT);
  return nextPinnedPort++;
}

/**
 * startServer starts `jingge serve` on port (when not given, the next of
 * the ports from JINGGE_TEST_PORT, or else a free one) and resolves once it is ready; stop() ends it. Its
 * output is kept for failure messages. With tls ({ cert, key, ca }: PEM
 * file paths and the issuing certificate's PEM text) it serves HTTPS.
 */
export async function startServer({ args = [], port: fixedPort, users = [], tls } = {}) {
  let bin = process.env.JINGGE_BIN;
  let scratch = null;
  if (!bin) {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'jingge-web-test-'));
    bin = path.join(scratch, 'jingge');
    execFileSync('go', ['build', '-o', bin, './cmd/jingge'], { cwd: repoDir, stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const port = fixedPort ?? (process.env.JINGGE_TEST_PORT ? pinnedPort() : await freePort());
  const env = { ...process.env };
  // The tests use the bundled demo data, whatever database the shell names.
  delete env.DATABASE_URL;
  delete env.JINGGE_BASEMAP_URL;
  // The embedded store's data directory, with its users and tokens, is
  // the test's own: two servers may not share one, and the user's own
  // directory is never touched.
  const authDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jingge-web-auth-'));
  env.JINGGE_AUTH_FILE = path.join(authDir, 'auth.json');
  env.JINGGE_DATA_DIR = path.join(authDir, 'data');
  // Users other than the demo admin, each with a password ({ name, role,
  // officer, password }), added before the server reads the file.
  for (const u of users) {
    execFileSync(bin, ['users', 'add', u.name, '--role', u.role, ...(u.officer ? ['--officer', u.officer] : []), '--password-stdin'],
      { env, input: `${u.password}\n`, stdio: ['pipe', 'ignore', 'inherit'] });
  }
  const tlsArgs = tls ? ['--tls-cert', tls.cert, '--tls-key', tls.key] : [];
  const child = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`, '--log-format', 'json', ...tlsArgs, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const base = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`jingge serve exited with ${child.exitCode}:\n${output}`);
    try {
      const res = await get(`${base}/readyz`, { ca: tls?.ca });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`jingge serve was not ready within a minute:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const cookies = await signInCookies(output, base, tls?.ca);
  return {
    base,
    // cookies sign a browser context in (context.addCookies); headers sign
    // in Node's fetch. Both come from the one-time link the demo prints.
    cookies,
    headers: cookies.length ? { Cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') } : {},
    output: () => output,
    /** signIn signs a user in with a password and returns the session cookies for the browser. */
    async signIn(user, password) {
      const res = await fetch(`${base}/api/v1/login`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user, password }),
      });
      if (!res.ok) throw new Error(`signing ${user} in answered ${res.status}: ${await res.text()}`);
      return res.headers.getSetCookie().map((c) => {
        const pair = c.split(';')[0];
        const i = pair.indexOf('=');
        return { name: pair.slice(0, i), value: pair.slice(i + 1), url: base };
      });
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
      fs.rmSync(authDir, { recursive: true, force: true });
    },
  };
}

/**
 * signInCookies follows the one-time sign-in link the demo server printed
 * and returns the session cookie it sets, for the browser and for fetch.
 */
async function signInCookies(output, base, ca) {
  const link = output.match(/(https?:\/\/\S+\/api\/v1\/login\/link\?token=jgl_\S+)/);
  if (!link) return [];
  const res = await get(link[1], { ca });
  if (res.status !== 303) throw new Error(`the sign-in link answered ${res.status}:\n${output}`);
  return res.headers.getSetCookie().map((c) => {
    const pair = c.split(';')[0];
    const i = pair.indexOf('=');
    return { name: pair.slice(0, i), value: pair.slice(i + 1), url: base };
  });
}

/**
 * WAIT_MS bounds every wait of the browser tests: long enough for software
 * WebGL on a loaded 2-core machine. It is a bound, not a speed check; a
 * shorter one made the suite flaky under load.
 */
export const WAIT_MS = 120_000;

/**
 * launchBrowser starts Chromium; its contexts wait up to WAIT_MS by default.
 * args are added to its command line.
 */
export async function launchBrowser({ args = [] } = {}) {
  // A browser whose WebGL did not come up draws no map, and every page of
  // its suite would wait for a map that never loads; launch again instead.
  for (let attempt = 1; ; attempt++) {
    const browser = await launchOnce(args);
    const page = await browser.newPage();
    const webgl = await page.evaluate(() => Boolean(document.createElement('canvas').getContext('webgl'))).catch(() => false);
    await page.close();
    if (webgl) return browser;
    await browser.close();
    if (attempt === 3) throw new Error('Chromium started three times without WebGL (swiftshader); the map cannot be drawn');
  }
}

async function launchOnce(args) {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // WebGL on the CPU when there is no GPU (CI machines).
      '--enable-unsafe-swiftshader', '--use-angle=swiftshader',
      ...args,
    ],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    context.setDefaultTimeout(WAIT_MS);
    return context;
  };
  return browser;
}

/**
 * watchPage records what must not happen on any page: script errors,
 * Content-Security-Policy violations, failed requests and requests that
 * leave the server (or the origins in allow). problems() lists them.
 */
export function watchPage(page, base, { allow = [] } = {}) {
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    const text = m.text();
    if (/Content.Security.Policy|Refused to/i.test(text)) problems.push(`CSP: ${text}`);
    else if (m.type() === 'error' && !/GL Driver|GPU stall|Failed to load resource/.test(text)) problems.push(`console error: ${text}`);
  });
  page.on('request', (r) => {
    const u = r.url();
    const allowed = [base, 'data:', 'blob:', ...allow];
    if (!allowed.some((a) => u.startsWith(a))) problems.push(`request outside the server: ${u}`);
  });
  page.on('response', (r) => {
    // The API answers 404 for a point outside the county, by design; a
    // page, asset, tile or style must never be missing.
    if (r.status() >= 400 && !new URL(r.url()).pathname.startsWith('/api/')) problems.push(`${r.status()} for ${r.url()}`);
  });
  page.on('requestfailed', (r) => {
    const reason = r.failure()?.errorText || '';
    if (!/ERR_ABORTED/.test(reason)) problems.push(`request failed: ${r.url()} ${reason}`);
  });
  return () => problems;
}

/** screenshot saves the page under artifacts/web/NAME.png. */
export async function screenshot(page, name, opts = {}) {
  fs.mkdirSync(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, `${name}.png`);
  await page.screenshot({ path: file, ...opts });
  return file;
}

/**
 * axeViolations runs axe-core (a devDependency) on the page as it is and
 * returns its violations of any impact, each with a few offending nodes.
 * The script is evaluated through the debugging protocol, so the page's
 * Content-Security-Policy need not allow it.
 */
export async function axeViolations(page) {
  const source = fs.readFileSync(path.join(webDir, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  await page.evaluate(source);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
  });
}

/**
 * pointInLeaves finds a WGS-84 point the server answers as accept(hit)
 * wants: seeded points in the boxes of the pack's leaf grids (PackIndex
 * leaves), each looked up at base with headers. Resolves to { lon, lat,
 * hit }; throws after tries points.
 */
export async function pointInLeaves({ base, headers, leaves, accept, seed = 7, tries = 200 }) {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  for (let i = 0; i < tries; i++) {
    const { minX, minY, maxX, maxY } = leaves[i % leaves.length].prepared;
    const lon = Number((minX + rnd() * (maxX - minX)).toFixed(6));
    const lat = Number((minY + rnd() * (maxY - minY)).toFixed(6));
    const res = await fetch(`${base}/api/v1/lookup?lon=${lon}&lat=${lat}`, { headers });
    if (res.status !== 200) continue;
    const hit = await res.json();
    if (accept(hit)) return { lon, lat, hit };
  }
  throw new Error(`no point found in ${leaves.length} grids after ${tries} tries`);
}
