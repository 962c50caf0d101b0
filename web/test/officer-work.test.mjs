// Unit tests of the officer page's task list and dispute form, their pure
// parts: whose area a grid is in, which tasks are shown where, and the
// body a dispute is sent with. No browser, no server.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { arrangeTasks, mayComplete, officerArea } from '../src/officer/tasks.js';
import { disputeBody } from '../src/officer/disputeform.js';
import { setZone, zonedInputValue } from '../src/shared/time.js';

const pack = {
  station: 'gepai',
  members: [{ id: 'M1' }, { id: 'M2' }, { id: 'M3' }],
  grids: [
    { id: 'P1', station: 'gepai', members: [0] },
    { id: 'C1', station: 'gepai', parent: 'P1', members: [1] },
    { id: 'C2', station: 'gepai', parent: 'P1', members: [] },
    { id: 'P2', station: 'gepai', members: [1] },
    { id: 'P3', station: 'other', members: [] },
  ],
};

test('officerArea is the grids that list the officer with their community grids, else the station\'s', () => {
  assert.deepEqual([...officerArea(pack, 'M1')].sort(), ['C1', 'C2', 'P1']);
  assert.deepEqual([...officerArea(pack, 'M2')].sort(), ['C1', 'P2']);
  assert.deepEqual([...officerArea(pack, 'M3')].sort(), ['C1', 'C2', 'P1', 'P2'], 'no grid of their own: the station\'s');
  assert.equal(officerArea(pack, 'M9'), null, 'unknown to the pack');
  assert.equal(officerArea(null, 'M1'), null);
});

test('mayComplete follows the server: assigned to me, or to no officer in a grid of my area', () => {
  const area = new Set(['P1', 'C1']);
  const cases = [
    { name: 'mine', task: { officer: 'M1', grid: 'P3' }, want: true },
    { name: 'another officer\'s', task: { officer: 'M2', grid: 'P1' }, want: false },
    { name: 'a grid of my area', task: { grid: 'C1' }, want: true },
    { name: 'a grid outside my area', task: { grid: 'P2' }, want: false },
  ];
  for (const c of cases) assert.equal(mayComplete(c.task, 'M1', area), c.want, c.name);
  assert.equal(mayComplete({ grid: 'P2' }, 'M1', null), true, 'no area known: the server decides');
});

test('arrangeTasks puts the grid here first, overdue before open, soonest due first, and leaves out done tasks and others\' tasks', () => {
  const tasks = [
    { id: '1', grid: 'P1', status: 'open', due: '2026-06-02T23:59:59+08:00' },
    { id: '2', grid: 'P1', status: 'overdue', due: '2026-05-01T23:59:59+08:00' },
    { id: '3', grid: 'P1', status: 'done', due: '2026-05-01T23:59:59+08:00' },
    { id: '4', grid: 'C1', officer: 'M1', status: 'open', due: '2026-06-01T23:59:59+08:00' },
    { id: '5', officer: 'M1', status: 'open', due: '2026-05-20T23:59:59+08:00' },
    { id: '6', grid: 'C1', officer: 'M2', status: 'overdue', due: '2026-04-01T23:59:59+08:00' },
    { id: '7', grid: 'P1', officer: 'M2', status: 'open', due: '2026-07-01T23:59:59+08:00' },
    { id: '8', grid: 'P2', status: 'open', due: '2026-05-02T23:59:59+08:00' },
  ];
  const got = arrangeTasks(tasks, { me: 'M1', area: new Set(['P1', 'C1', 'C2']), here: new Set(['P1']), now: Date.parse('2026-05-10T00:00:00+08:00') });
  assert.deepEqual(got.here.map((t) => t.id), ['2', '1', '7'], 'here: every task of the grid, overdue first');
  assert.deepEqual(got.mine.map((t) => t.id), ['5', '4'], 'the rest: only those the officer may complete');
  const later = arrangeTasks(tasks, { me: 'M1', area: new Set(['P1']), here: new Set(['P1']), now: Date.parse('2026-06-10T00:00:00+08:00') });
  assert.deepEqual(later.here.map((t) => [t.id, t.status]), [['2', 'overdue'], ['1', 'overdue'], ['7', 'open']], 'a kept list: open tasks past due are overdue now');
  assert.equal(tasks[0].status, 'open', 'the list itself is left as it was');
});

test('disputeBody sends a settled dispute with its method and settlement time, an open one without', () => {
  const place = { lon: 109.45, lat: 33.85, crs: 'gcj02' };
  const now = new Date('2026-05-01T06:30:00Z');
  const fields = { kind: 'land', parties: ' 张某、李某 ', summary: ' 地界 ', at: '2026-05-01T14:00', level: 'village', method: 'mediation_brand', brand: ' 朱先生说事 ' };
  assert.deepEqual(disputeBody(fields, place, now), {
    reported_at: '2026-05-01T14:00', lon: 109.45, lat: 33.85, crs: 'gcj02', kind: 'land', parties: '张某、李某', summary: '地界',
    level: 'village', method: 'mediation_brand', mediation_brand: '朱先生说事', settled_at: '2026-05-01T06:30:00.000Z',
  });
  const people = disputeBody({ ...fields, method: 'people_mediation' }, place, now);
  assert.equal('mediation_brand' in people, false, 'a brand only with method mediation_brand');
  const open = disputeBody({ ...fields, level: 'open', at: '' }, place, now);
  assert.equal(open.reported_at, '2026-05-01T06:30:00.000Z', 'no time typed: now');
  for (const k of ['method', 'mediation_brand', 'settled_at']) assert.equal(k in open, false, `an open dispute has no ${k}`);
});

test('zonedInputValue is the county\'s clock, whatever the browser\'s zone', () => {
  setZone('+08:00');
  assert.equal(zonedInputValue('2026-05-01T20:15:30Z'), '2026-05-02T04:15');
  setZone('-03:30');
  assert.equal(zonedInputValue(new Date('2026-05-01T02:00:00Z')), '2026-04-30T22:30');
  setZone('+08:00');
  assert.equal(zonedInputValue('not a time'), '');
});
