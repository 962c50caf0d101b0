// Small DOM helpers: building elements without innerHTML, so data from the
// server is never parsed as markup.

/**
 * h creates an element: h('a', {href: '#', class: 'x', onclick: fn, style: {color: 'red'}}, child, ...).
 * Children are strings (text) or nodes; null and false are skipped.
 */
export function h(tag, attrs, ...children) {
  const el = tag.includes(':')
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.split(':')[1])
    : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    // Through the CSSOM, which a Content-Security-Policy without
    // 'unsafe-inline' allows, unlike a style attribute.
    else if (k === 'style') Object.assign(el.style, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** clear removes every child of el and returns it. */
export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** $ returns the element with id, or throws: the page's markup and script must agree. */
export function $(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`no element #${id}`);
  return el;
}

/** replaceHash puts hash ("#..." or "" for none) in the address bar without adding a history entry. */
export function replaceHash(hash) {
  if (hash !== location.hash && !(hash === '' && location.hash === '')) {
    history.replaceState(null, '', hash || location.pathname + location.search);
  }
}

/** toaster returns a function that shows a message in el for ms milliseconds, replacing the one shown. */
export function toaster(el, ms = 5000) {
  let timer = 0;
  return (message) => {
    el.textContent = message;
    el.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(() => { el.hidden = true; }, ms);
  };
}
