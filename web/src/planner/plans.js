// Asking for a proposal, and the saved plans: pick two to compare, export
// one, apply one.
import { h, clear } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { fmt } from './views.js';
import { problemMessage } from '../shared/problems.js';

/**
 * renderPropose fills el with the proposal form. onSubmit(body) is called
 * with the body of POST /api/v1/plan/plans and resolves when it is done.
 */
export function renderPropose(el, { config, limits = {}, onSubmit }) {
  clear(el);
  const search = config?.search || {};
  const num = (name, value, { min = -1, max = 100000, hint } = {}) => {
    const id = `propose-${name}`;
    const error = h('small', { class: 'field-error', id: `${id}-error`, 'data-testid': `${name}-error` });
    return h('label', null,
      h('span', null, t(`plan.form.${name}`)),
      h('input', { type: 'number', name, value, min, max, step: 1, inputmode: 'numeric', id, 'aria-describedby': `${id}-error` }),
      hint ? h('small', { class: 'muted' }, hint) : null,
      error);
  };
  const status = h('p', { class: 'form-status', role: 'status', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', class: 'primary', 'data-testid': 'propose' }, t('plan.form.submit'));
  // A cap beyond what the county has is a typo, not a wish: the page
  // refuses it by the field, before asking the server.
  const ranges = {
    max_grid_moves: [-1, limits.max_grid_moves ?? 100000],
    max_officer_moves: [-1, limits.max_officer_moves ?? 100000],
    seed: [0, Number.MAX_SAFE_INTEGER],
  };
  const form = h('form', { class: 'propose', novalidate: true },
    num('max_grid_moves', 0, { min: ranges.max_grid_moves[0], max: ranges.max_grid_moves[1], hint: t('plan.form.capHint', { share: fmt((search.max_grid_share ?? 0.1) * 100, 0) }) }),
    num('max_officer_moves', 0, { min: ranges.max_officer_moves[0], max: ranges.max_officer_moves[1], hint: t('plan.form.capHint', { share: fmt((search.max_officer_share ?? 0.1) * 100, 0) }) }),
    num('seed', 0, { min: 0, max: Number.MAX_SAFE_INTEGER }),
    h('label', null, h('span', null, t('plan.form.note')), h('input', { type: 'text', name: 'note', maxlength: 200 })),
    button, status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    const body = {};
    let bad = 0;
    for (const [name, [min, max]] of Object.entries(ranges)) {
      const input = form.elements[name];
      const text = String(f.get(name) ?? '').trim();
      const v = text === '' ? 0 : Number(text);
      const ok = Number.isInteger(v) && v >= min && v <= max;
      input.setAttribute('aria-invalid', String(!ok));
      form.querySelector(`#propose-${name}-error`).textContent = ok ? '' : t('plan.form.range', { min, max: fmt(max, 0) });
      if (ok) body[name] = v;
      else bad++;
    }
    status.classList.remove('error');
    if (bad) {
      status.textContent = t('plan.form.fix');
      status.classList.add('error');
      return;
    }
    const note = String(f.get('note') || '').trim();
    if (note) body.note = note;
    button.disabled = true;
    status.textContent = t('plan.form.working');
    try {
      await onSubmit(body);
      status.textContent = '';
    } catch (err) {
      status.textContent = problemMessage(err);
      status.classList.add('error');
    } finally {
      button.disabled = false;
    }
  });
  el.append(h('h2', null, t('plan.propose')), h('p', { class: 'muted small' }, t('plan.proposeHelp')), form);
}

/**
 * renderPlanList fills el with the saved plans, newest first. The plan
 * compared on the right (selected) is marked; canApply shows the apply
 * button (administrators only).
 */
export function renderPlanList(el, plans, { selected, canApply, onCompare, onApply, formatTime }) {
  clear(el);
  el.append(h('h2', null, t('plan.saved')));
  if (!plans.length) {
    el.append(h('p', { class: 'muted' }, t('plan.noPlans')));
    return;
  }
  el.append(h('ol', { class: 'plan-list', 'data-testid': 'plan-list' }, plans.map((p) => {
    const base = `api/v1/plan/plans/${encodeURIComponent(p.id)}`;
    const status = p.stale && p.status === 'proposed' ? 'stale' : p.status;
    return h('li', { class: p.id === selected ? 'selected' : null, dataset: { plan: p.id } },
      h('div', { class: 'plan-head' },
        h('button', { type: 'button', class: 'linkish plan-title', onclick: () => onCompare(p.id), 'aria-pressed': String(p.id === selected) },
          t('plan.planN', { id: p.id })),
        h('span', { class: `status status-${status}` }, t(`plan.status.${status}`))),
      p.note ? h('div', { class: 'plan-note' }, p.note) : null,
      h('div', { class: 'muted small' }, formatTime(p.created_at), p.created_by ? ` · ${p.created_by}` : ''),
      h('div', { class: 'plan-figs' },
        t('plan.cvShort', { a: fmt(p.cv_before, 3), b: fmt(p.cv_after, 3) }), ' · ',
        t('plan.movedShort', { g: p.grids_moved, o: p.officers_moved })),
      h('div', { class: 'plan-actions' },
        h('a', { href: `${base}/moves.csv`, download: '' }, t('plan.exportMoves')),
        h('a', { href: `${base}/stations.csv`, download: '' }, t('plan.exportStations')),
        h('a', { href: `${base}/report?lang=${document.documentElement.lang === 'en' ? 'en' : 'zh'}`, target: '_blank', rel: 'noopener' }, t('plan.report')),
        canApply && p.status === 'proposed' && !p.stale
          ? h('button', { type: 'button', class: 'danger', 'data-testid': 'apply', onclick: () => onApply(p) }, t('plan.apply'))
          : null));
  })));
}
