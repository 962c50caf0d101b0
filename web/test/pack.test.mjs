// The offline lookup (src/shared/pack.js) and datum conversions
// (src/shared/crs.js, gomath.js) against the server's answers: the Go test
// TestPackVectors (api/pack_vectors_test.go) writes the county's pack and
// over 300,000 vectors — random points over and around the county, every
// vertex and edge midpoint of the grids, points a nanodegree off the
// vertices — in WGS-84, GCJ-02 and BD-09 with geo.Index.Lookup's grids.
// JINGGE_PACK_VECTORS names a folder holding them (the Go test sets it when
// it runs this file); without it this test asks `go test` to write them.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { PackIndex } from '../src/shared/pack.js';
import { convert } from '../src/shared/crs.js';
import { sin, cos, sincos, atan2, hypot } from '../src/shared/gomath.js';

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function vectorsDir() {
  if (process.env.JINGGE_PACK_VECTORS) return { dir: process.env.JINGGE_PACK_VECTORS, cleanup() {} };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jingge-pack-vectors-'));
  execFileSync('go', ['test', '-count=1', '-run', '^TestPackVectors$', './api'], {
    cwd: repoDir, env: { ...process.env, JINGGE_PACK_VECTORS_OUT: dir }, stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

test('the browser answers every vector as the server does, in every datum', async () => {
  const { dir, cleanup } = vectorsDir();
  try {
    const pack = JSON.parse(fs.readFileSync(path.join(dir, 'pack.json'), 'utf8'));
    assert.equal(pack.complete, true);
    const ix = new PackIndex(pack);
    const lines = readline.createInterface({ input: fs.createReadStream(path.join(dir, 'vectors.txt')), crlfDelay: Infinity });
    let n = 0;
    let inGrid = 0;
    const seen = { wgs84: 0, gcj02: 0, bd09: 0 };
    const wrong = [];
    for await (const line of lines) {
      if (!line) continue;
      const [crs, lon, lat, community, police, station, dlon, dlat] = line.split(' ');
      n++;
      seen[crs]++;
      const { point, hit } = ix.lookup([Number(lon), Number(lat)], crs);
      const got = hit ? [hit.community?.id ?? '-', hit.police?.id ?? '-', hit.station?.id ?? '-'] : ['-', '-', '-'];
      if (station !== '-') inGrid++;
      if (point[0] !== Number(dlon) || point[1] !== Number(dlat)) {
        wrong.push(`${line}: converted to ${point[0]} ${point[1]}`);
      } else if (got.join(' ') !== [community, police, station].join(' ')) {
        wrong.push(`${line}: got ${got.join(' ')}`);
      }
      if (wrong.length >= 20) break;
    }
    assert.deepEqual(wrong, [], `${wrong.length} of ${n} vectors differ:\n${wrong.join('\n')}`);
    assert.ok(n >= 300_000 && seen.wgs84 >= 100_000 && seen.gcj02 >= 100_000 && seen.bd09 >= 100_000, `only ${n} vectors (${JSON.stringify(seen)})`);
    assert.ok(inGrid > 0 && inGrid < n, `${inGrid} of ${n} vectors in a grid`);
  } finally {
    cleanup();
  }
});

// Two unit squares sharing the border x = 1, and a police grid without
// community grids north of them: the tie-breaking rules on a pack small
// enough to reason about.
function tinyPack(complete) {
  const sq = (x0, y0, x1, y1) => [[[x0, y0, x1, y0, x1, y1, x0, y1, x0, y0]]];
  return {
    datum: 'wgs84', complete, scale: 0,
    stations: [{ id: 's1', name: 'S1', phone: '110' }],
    members: [{ id: 'm1', name: 'A', phone: '13800000000' }],
    grids: [
      { id: 'p1', level: 'police', station: 's1', members: [0] },
      { id: 'c2', level: 'community', station: 's1', parent: 'p1', members: [], geometry: sq(1, 0, 2, 1) },
      { id: 'c1', level: 'community', station: 's1', parent: 'p1', members: [], geometry: sq(0, 0, 1, 1) },
      { id: 'p2', level: 'police', station: 's1', members: [], geometry: sq(0, 1, 2, 2) },
    ],
  };
}

test('shared borders go east and north; the outline to the lowest id; an incomplete pack does not guess', () => {
  const ix = new PackIndex(tinyPack(true));
  const at = (x, y) => {
    const h = ix.lookupDatum([x, y]);
    return h ? (h.community || h.police).id : null;
  };
  assert.equal(at(0.5, 0.5), 'c1');
  assert.equal(at(1, 0.5), 'c2', 'a shared border belongs to the grid east of it');
  assert.equal(at(0.5, 1), 'p2', 'an east-west border belongs to the grid north of it');
  assert.equal(at(2, 0.5), 'c2', 'the outline: the grid whose edge it is');
  assert.equal(at(1, 0), 'c2', 'the half-open rule already gives the south outline vertex to the east grid');
  assert.equal(at(0, 0), 'c1');
  assert.equal(at(2, 2), 'p2');
  assert.equal(at(2 + 1e-9, 0.5), null, 'off the outline');
  assert.equal(at(NaN, 0.5), null);
  const hit = ix.lookupDatum([0.5, 0.5]);
  assert.equal(hit.police.id, 'p1');
  assert.equal(hit.station.id, 's1');
  assert.deepEqual(ix.members(hit.police).map((m) => m.id), ['m1']);
  const partial = new PackIndex(tinyPack(false));
  assert.equal(partial.lookupDatum([2, 0.5]), null, 'the edge of a partial pack is not the county\'s');
  assert.equal(partial.lookupDatum([1, 0.5]).community.id, 'c2');
});

test('the quantised form decodes to the coordinates it was made from', () => {
  const pack = tinyPack(true);
  pack.scale = 1e7;
  // 109.4596032, 33.8510328 and the next points as deltas of integers.
  pack.grids = [{ id: 'g', level: 'community', station: 's1', members: [], geometry: [[[1094596032, 338510328, 17744, 652, -17744, -652]]] }];
  const ix = new PackIndex(pack);
  // The ring there and back: its two edges, each stored lower end first.
  assert.deepEqual([...ix.leaves[0].prepared.slanted], [109.4596032, 33.8510328, 109.4613776, 33.851098, 109.4596032, 33.8510328, 109.4613776, 33.851098]);
});

test('Go\'s math functions, special cases included', () => {
  // Values printed by Go (math.Sin and friends) on the server.
  assert.equal(sin(0.5), 0.479425538604203);
  assert.equal(cos(0.5), 0.8775825618903728);
  assert.deepEqual(sincos(-3), [sin(-3), cos(-3)]);
  assert.equal(atan2(1, -1), 2.356194490192345);
  assert.equal(atan2(-0, -1), -Math.PI);
  assert.equal(hypot(3, 4), 5);
  assert.ok(Object.is(sin(-0), -0));
  assert.ok(Number.isNaN(cos(Infinity)));
  assert.throws(() => sin(2 ** 30), RangeError);
  assert.deepEqual(convert([200, 30], 'wgs84', 'gcj02'), [200, 30], 'outside China GCJ-02 is WGS-84');
  assert.ok(convert([NaN, 30], 'bd09', 'wgs84').every(Number.isNaN));
});
