// The planner page's state in the URL hash, so a comparison or a month's
// assessment can be linked:
//   #tab=assessment&a=current&b=12&month=2026-10&lang=en
// Everything is optional; unknown or malformed parts are ignored.

export const TABS = ['plans', 'assessment'];

const PLAN_ID = /^[\w-]{1,64}$/;

/** parsePlannerHash reads a location hash ("#..." or "...") into a state object. */
export function parsePlannerHash(hash) {
  const params = new URLSearchParams(String(hash || '').replace(/^#/, ''));
  const state = {};
  const tab = params.get('tab');
  if (TABS.includes(tab)) state.tab = tab;
  for (const side of ['a', 'b']) {
    const id = params.get(side);
    if (id && PLAN_ID.test(id)) state[side] = id;
  }
  const month = params.get('month');
  if (month && /^\d{4}-(0[1-9]|1[0-2])$/.test(month)) state.month = month;
  const lang = params.get('lang');
  if (lang === 'en' || lang === 'zh-CN') state.lang = lang;
  if (params.get('color') === 'load') state.color = 'load';
  return state;
}

/** formatPlannerHash writes a state object as a hash, in a fixed order, leaving out defaults. */
export function formatPlannerHash(state) {
  const parts = [];
  if (state.tab && state.tab !== 'plans') parts.push(`tab=${state.tab}`);
  if (state.a && state.a !== 'current') parts.push(`a=${encodeURIComponent(state.a)}`);
  if (state.b) parts.push(`b=${encodeURIComponent(state.b)}`);
  if (state.month) parts.push(`month=${state.month}`);
  if (state.lang && state.lang !== 'zh-CN') parts.push(`lang=${state.lang}`);
  if (state.color === 'load') parts.push('color=load');
  return parts.length ? `#${parts.join('&')}` : '';
}
