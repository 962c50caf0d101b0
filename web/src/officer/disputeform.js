// The dispute form of the officer page (纠纷调解): a dispute the officer
// settled, or found, where they stand, recorded in the grid of the
// lookup's point and queued like a visit (queue.js), so one recorded with
// no signal is sent once when there is one. A dispute the server refuses
// stays on the phone, its detail shown, until the officer corrects it or
// gives it up.
import { $, h, clear } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { zonedInputValue } from '../shared/time.js';
import { disputes } from './queue.js';

/**
 * disputeBody is the POST /api/v1/disputes body of the form's fields
 * (kind, parties, summary, at, level, method, brand) at place ({ lon,
 * lat, crs }), recorded at now: reported at the time typed (the county's
 * clock) or now; a settled one settled now.
 */
export function disputeBody(fields, place, now) {
  const body = {
    reported_at: fields.at || now.toISOString(),
    lon: place.lon, lat: place.lat, crs: place.crs,
    kind: fields.kind, parties: fields.parties.trim(), summary: fields.summary.trim(),
    level: fields.level,
  };
  if (fields.level !== 'open') {
    body.method = fields.method;
    if (fields.method === 'mediation_brand') body.mediation_brand = fields.brand.trim();
    body.settled_at = now.toISOString();
  }
  return body;
}

/**
 * initDisputes wires the form. where() is the place of the answer shown
 * ({ query: { lon, lat, crs }, grid }) or null; hook gets sendDisputes and
 * disputesLeft for the tests.
 */
export function initDisputes({ where, hook }) {
  let note = null; // { key, vars } of the last send's outcome
  let editing = null; // the refused entry the form holds, when correcting one
  let grid = null; // the name of the grid the form records in
  let shownAt = ''; // the place the form was last shown for

  function showGrid(name) {
    grid = name || '—';
    $('dispute-grid').textContent = t('m.dispute.grid', { grid });
  }

  function showMethod() {
    const open = $('dispute-level').value === 'open';
    $('dispute-method-field').hidden = open;
    $('dispute-brand-field').hidden = open || $('dispute-method').value !== 'mediation_brand';
  }

  function showQueue() {
    const el = $('dispute-queue');
    const n = disputes.pending().length;
    const shown = n ? { key: 'm.dispute.queued', vars: { n } } : note;
    el.hidden = !shown;
    if (shown) el.textContent = t(shown.key, shown.vars);
    el.dataset.pending = String(n);
    showRefused();
  }

  function showRefused() {
    const el = clear($('dispute-refused'));
    const [first] = disputes.refused();
    el.hidden = !first;
    if (!first) return;
    el.dataset.key = first.key;
    el.append(
      h('p', { 'data-testid': 'dispute-refused-detail' }, t('m.dispute.refused', { detail: first.detail })),
      h('div', { class: 'actions' },
        h('button', { type: 'button', 'data-testid': 'dispute-correct', onclick: () => correct(first) }, t('m.dispute.correct')),
        h('button', { type: 'button', class: 'secondary', onclick: () => { disputes.dropRefused(first.key); if (editing?.key === first.key) editing = null; showRefused(); } },
          t('m.dispute.discard'))),
    );
  }

  // correct puts a refused dispute back in the form, its place kept.
  function correct(entry) {
    editing = entry;
    const b = entry.body;
    $('dispute-kind').value = b.kind;
    $('dispute-parties').value = b.parties || '';
    $('dispute-summary').value = b.summary || '';
    $('dispute-at').value = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(b.reported_at) ? b.reported_at : zonedInputValue(b.reported_at);
    $('dispute-level').value = b.level || 'open';
    if (b.method) $('dispute-method').value = b.method;
    $('dispute-brand').value = b.mediation_brand || '';
    showGrid(entry.meta?.grid);
    showMethod();
    $('dispute').hidden = false;
    $('dispute-parties').focus();
  }

  async function send() {
    if (!disputes.pending().length) return;
    const { sent, refused } = await disputes.flush();
    if (refused.length) {
      note = null;
      correct(refused[0]);
    } else if (sent) note = { key: 'm.dispute.sent' };
    hook.disputesLeft = disputes.pending().length;
    showQueue();
  }

  $('dispute-level').addEventListener('change', showMethod);
  $('dispute-method').addEventListener('change', showMethod);
  $('dispute').addEventListener('submit', (e) => {
    e.preventDefault();
    const here = where();
    const place = editing ? editing.body : here?.query;
    if (!place) return;
    const body = disputeBody({
      kind: $('dispute-kind').value, parties: $('dispute-parties').value, summary: $('dispute-summary').value,
      at: $('dispute-at').value, level: $('dispute-level').value, method: $('dispute-method').value, brand: $('dispute-brand').value,
    }, place, new Date());
    disputes.add(body, { grid: editing ? editing.meta?.grid : here.grid });
    if (editing) disputes.dropRefused(editing.key);
    editing = null;
    for (const id of ['dispute-parties', 'dispute-summary', 'dispute-brand']) $(id).value = '';
    note = null;
    shownAt = '';
    show(here);
    send();
  });

  /** show prepares the form for the answer shown (null hides it unless a correction is open). */
  function show(here) {
    if (editing) return;
    $('dispute').hidden = !here;
    if (!here) return;
    // A new place starts at the time of now; a redraw keeps what was typed.
    const at = `${here.query.lon},${here.query.lat},${here.query.crs}`;
    if (at !== shownAt || !$('dispute-at').value) $('dispute-at').value = zonedInputValue(new Date());
    shownAt = at;
    showGrid(here.grid);
    showMethod();
    showQueue();
  }

  hook.sendDisputes = send;
  showMethod();
  showQueue();
  return {
    show,
    send,
    /** relabel redraws the form's own words in the current language. */
    relabel() {
      if (grid) showGrid(grid);
      showQueue();
    },
  };
}
