// The officer page over HTTPS on a real name, as a phone reaches a bureau's
// server: `jingge serve --tls-cert --tls-key` with a certificate issued by a
// certificate authority the test makes (as a bureau's own CA would), and
// Chromium resolving jingge.test to this machine and trusting that
// certificate. There the page is a secure context: its service worker
// installs and "use my position" answers with the grid. The same page over
// plain HTTP on the same name is not, and says so; that is what HTTPS buys.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { startServer, launchBrowser, watchPage, WAIT_MS } from './harness.mjs';

const NAME = 'jingge.test';
// A point in 城关 (the county seat), WGS-84.
const HERE = { longitude: 109.3219, latitude: 34.1566, accuracy: 10 };

let dir;
let tlsServer;
let plainServer;
let browser;

/**
 * makeCertificates issues, with openssl, a CA and a server certificate for
 * NAME and 127.0.0.1 signed by it; it returns the file paths, the CA's PEM
 * and the base64 SHA-256 of the server key (what Chromium is told to trust).
 */
function makeCertificates(into) {
  const p = (f) => path.join(into, f);
  const ssl = (...args) => execFileSync('openssl', args, { cwd: into, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '2', '-subj', '/CN=jingge test CA');
  ssl('req', ...ec, '-keyout', p('key.pem'), '-out', p('server.csr'), '-subj', `/CN=${NAME}`);
  fs.writeFileSync(p('ext.cnf'), `subjectAltName=DNS:${NAME},IP:127.0.0.1\nextendedKeyUsage=serverAuth\n`);
  ssl('x509', '-req', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial',
    '-out', p('cert.pem'), '-days', '2', '-extfile', p('ext.cnf'));
  const spki = new crypto.X509Certificate(fs.readFileSync(p('cert.pem'))).publicKey.export({ type: 'spki', format: 'der' });
  return {
    cert: p('cert.pem'), key: p('key.pem'), ca: fs.readFileSync(p('ca.pem'), 'utf8'),
    spki: crypto.createHash('sha256').update(spki).digest('base64'),
  };
}

function port(base) {
  return new URL(base).port;
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jingge-https-test-'));
  const tls = makeCertificates(dir);
  tlsServer = await startServer({ tls, port: Number(process.env.JINGGE_HTTPS_TEST_PORT || 18943) });
  plainServer = await startServer({ port: Number(process.env.JINGGE_HTTPS_TEST_PLAIN_PORT || 18944) });
  browser = await launchBrowser({
    args: [`--host-resolver-rules=MAP ${NAME} 127.0.0.1`, `--ignore-certificate-errors-spki-list=${tls.spki}`],
  });
});

after(async () => {
  await browser?.close();
  await tlsServer?.stop();
  await plainServer?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** phone opens /m on origin as a signed-in phone that has allowed its position. */
async function phone(server, origin) {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN',
    geolocation: HERE, permissions: ['geolocation'],
  });
  // The demo's session, for the name the phone uses.
  await context.addCookies(server.cookies.map(({ name, value }) => ({ name, value, url: origin })));
  const page = await context.newPage();
  const problems = watchPage(page, origin);
  await page.goto(`${origin}/m`);
  await page.waitForFunction(() => window.jingge?.ready === true, null, { timeout: WAIT_MS });
  return { context, page, problems };
}

test(`over HTTPS on ${NAME}, the officer page installs its worker and answers "use my position"`, { timeout: 300_000 }, async () => {
  const origin = `https://${NAME}:${port(tlsServer.base)}`;
  const { context, page, problems } = await phone(tlsServer, origin);
  assert.equal(await page.evaluate(() => window.isSecureContext), true, 'a secure context');
  await page.waitForFunction(() => window.jingge?.worker === true, null, { timeout: WAIT_MS });

  const want = await page.evaluate(async ({ longitude, latitude }) => {
    const res = await fetch(`/api/v1/lookup?lon=${longitude}&lat=${latitude}`);
    return { status: res.status, body: await res.json() };
  }, HERE);
  assert.equal(want.status, 200, JSON.stringify(want.body));
  await page.click('#locate');
  await page.waitForFunction((name) => document.querySelector('[data-testid=community-grid]')?.textContent === name,
    want.body.community_grid?.name || '—', { timeout: WAIT_MS });
  assert.match(await page.locator('[data-testid=station]').textContent(), new RegExp(want.body.station.name));
  assert.deepEqual(problems(), []);
  await context.close();
});

test(`over plain HTTP on ${NAME}, the page is not a secure context and says position needs HTTPS`, { timeout: 300_000 }, async () => {
  const origin = `http://${NAME}:${port(plainServer.base)}`;
  const { context, page, problems } = await phone(plainServer, origin);
  assert.equal(await page.evaluate(() => window.isSecureContext), false);
  assert.equal(await page.evaluate(() => 'serviceWorker' in navigator), false, 'no service worker without HTTPS');
  await page.click('#locate');
  await page.waitForFunction(() => document.querySelector('#message')?.dataset.key === 'm.insecure', null, { timeout: WAIT_MS });
  assert.match(await page.locator('#message').textContent(), /HTTPS/);
  assert.deepEqual(problems(), []);
  await context.close();
});
