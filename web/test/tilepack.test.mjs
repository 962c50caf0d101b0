// A PMTiles export (jingge tiles export --format pmtiles) read with the
// pmtiles npm package, the library MapLibre maps use: the Go test
// TestTilePackVectors (cmd/jingge/tiles_test.go) exports the county
// z6–z16, which needs leaf directories, and writes every tile of the
// pyramid to z12 and a sample of the deeper ones as the server serves them.
// JINGGE_TILEPACK_VECTORS names a folder holding them (the Go test sets it
// when it runs this file); without it this test asks `go test` to write
// them.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { PMTiles } from 'pmtiles';

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function vectorsDir() {
  if (process.env.JINGGE_TILEPACK_VECTORS) return { dir: process.env.JINGGE_TILEPACK_VECTORS, cleanup() {} };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jingge-tilepack-'));
  execFileSync('go', ['test', '-count=1', '-run', '^TestTilePackVectors$', './cmd/jingge'], {
    cwd: repoDir, env: { ...process.env, JINGGE_TILEPACK_VECTORS_OUT: dir }, stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** FileSource serves a local file's byte ranges to PMTiles, as HTTP range requests would. */
class FileSource {
  constructor(file) {
    this.file = file;
    this.fd = fs.openSync(file, 'r');
  }

  getKey() {
    return this.file;
  }

  async getBytes(offset, length) {
    const buf = Buffer.alloc(length);
    const n = fs.readSync(this.fd, buf, 0, length, offset);
    return { data: buf.buffer.slice(buf.byteOffset, buf.byteOffset + n) };
  }

  close() {
    fs.closeSync(this.fd);
  }
}

test('the pmtiles library reads the exported tiles as the server serves them', async () => {
  const { dir, cleanup } = vectorsDir();
  const source = new FileSource(path.join(dir, 'county.pmtiles'));
  try {
    const pm = new PMTiles(source);
    const header = await pm.getHeader();
    assert.equal(header.specVersion, 3);
    assert.equal(header.tileType, 1, 'tile type MVT');
    assert.equal(header.minZoom, 6);
    assert.equal(header.maxZoom, 16);
    assert.ok(header.leafDirectoryLength > 0, 'the file has leaf directories');
    const meta = await pm.getMetadata();
    const ids = meta.vector_layers.map((l) => l.id);
    for (const id of ['regions', 'county', 'townships', 'stations', 'police_grids', 'community_grids']) {
      assert.ok(ids.includes(id), `metadata lists no layer ${id}: ${ids}`);
    }

    const lines = fs.readFileSync(path.join(dir, 'tiles.txt'), 'utf8').split('\n').filter(Boolean);
    let full = 0;
    const wrong = [];
    for (const line of lines) {
      const [z, x, y, name] = line.split(' ');
      const got = await pm.getZxy(Number(z), Number(x), Number(y));
      if (name === '-') {
        if (got !== undefined) wrong.push(`${z}/${x}/${y}: the server sends no content, the file holds ${got.data.byteLength} bytes`);
        continue;
      }
      full++;
      const want = fs.readFileSync(path.join(dir, name));
      if (!got) {
        wrong.push(`${z}/${x}/${y}: missing from the file`);
      } else if (!Buffer.from(got.data).equals(want)) {
        wrong.push(`${z}/${x}/${y}: ${got.data.byteLength} bytes, the server sends ${want.length}`);
      }
    }
    assert.deepEqual(wrong, [], `${wrong.length} of ${lines.length} tiles differ:\n${wrong.slice(0, 20).join('\n')}`);
    assert.ok(full > 50 && full < lines.length, `${full} of ${lines.length} tiles hold features`);
    assert.ok(header.numAddressedTiles > full, `${header.numAddressedTiles} tiles in the file, ${full} of them compared`);
  } finally {
    source.close();
    cleanup();
  }
});
