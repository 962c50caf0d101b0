// The committed build is exactly what the build script makes of the
// sources: rebuild into a scratch directory and compare byte for byte.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { build } from '../build.mjs';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function listFiles(dir, rel = '') {
  const out = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, p));
    else out.push(p);
  }
  return out.sort();
}

test('web/build is what `npm run build` makes of the sources', async () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'jingge-web-build-'));
  try {
    const out = path.join(scratch, 'build');
    await build(out);
    const committed = path.join(webDir, 'build');
    const want = listFiles(out);
    assert.deepEqual(listFiles(committed), want, 'web/build holds other files than a fresh build: run `npm run build` and commit web/build');
    for (const f of want) {
      assert.ok(fs.readFileSync(path.join(committed, f)).equals(fs.readFileSync(path.join(out, f))),
        `web/build/${f} differs from a fresh build: run \`npm run build\` and commit web/build`);
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
});

test('the build is small enough to commit', () => {
  let total = 0;
  for (const f of listFiles(path.join(webDir, 'build'))) total += fs.statSync(path.join(webDir, 'build', f)).size;
  // MapLibre GL JS and its worker are about 1.6 MiB of it.
  assert.ok(total < 2.5 * 1024 * 1024, `web/build is ${(total / 1024).toFixed(0)} KiB`);
});
