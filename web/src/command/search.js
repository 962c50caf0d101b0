// Search by grid name, code or village (community grids are named after
// their village or community), answered by /api/v1/search.
import { getJSON, query } from '../shared/api.js';
import { h, clear } from '../shared/dom.js';
import { t, localName } from '../shared/i18n.js';

/** createSearch wires the search box: results as the user types, arrows and Enter to pick. */
export function createSearch(input, list, { onPick }) {
  let results = [];
  let active = -1;
  let timer = 0;
  let controller = null;

  function close() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function highlight(i) {
    active = i;
    for (const [j, li] of [...list.children].entries()) li.setAttribute('aria-selected', String(j === i));
    if (i >= 0 && list.children[i]) input.setAttribute('aria-activedescendant', list.children[i].id);
  }

  function pick(i) {
    const r = results[i];
    if (!r) return;
    close();
    input.value = r.name;
    onPick(r);
  }

  function render(message) {
    clear(list);
    if (message) {
      list.append(h('li', { class: 'search-empty', role: 'option', 'aria-disabled': 'true' }, message));
    }
    for (const [i, r] of results.entries()) {
      const level = t(r.level === 'police' ? 'level.police' : 'level.community');
      list.append(h('li', {
        id: `search-result-${i}`, role: 'option', 'aria-selected': 'false', class: 'search-result',
        onmousedown: (e) => { e.preventDefault(); pick(i); },
      },
      h('span', { class: `level level-${r.level}` }, level),
      h('span', { class: 'name' }, r.name),
      h('span', { class: 'where muted' }, [r.township_name, r.station ? localName(r.station) : ''].filter(Boolean).join(' · ')),
      h('span', { class: 'code muted' }, r.id)));
    }
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  }

  async function run(q) {
    controller?.abort();
    controller = new AbortController();
    try {
      const body = await getJSON(query('api/v1/search', { q, limit: 8 }), { signal: controller.signal });
      if (input.value.trim() !== q) return;
      results = body.results || [];
      active = -1;
      render(results.length ? null : t('search.none'));
    } catch (err) {
      if (err.name === 'AbortError') return;
      results = [];
      render(t('search.failed'));
    }
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) {
      results = [];
      close();
      return;
    }
    timer = setTimeout(() => run(q), 150);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' && results.length) {
      e.preventDefault();
      highlight((active + 1) % results.length);
    } else if (e.key === 'ArrowUp' && results.length) {
      e.preventDefault();
      highlight((active - 1 + results.length) % results.length);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (results.length) pick(Math.max(active, 0));
      else if (input.value.trim()) run(input.value.trim());
    } else if (e.key === 'Escape') {
      close();
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 100));
  return { close };
}
