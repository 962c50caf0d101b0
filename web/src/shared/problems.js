// Server problems in the page's language: the API sends a stable problem
// type and, for bad input, the fields at fault with a rule code; the page
// translates those and shows the server's English words only for what it
// has no translation of.
import { h, clear } from './dom.js';
import { t, has } from './i18n.js';

/**
 * fieldProblems lists the fields at fault of a failed request:
 * { name, code, message }, message translated when the code is known.
 */
export function fieldProblems(err) {
  return (err?.problem?.invalid_params || []).map((p) => {
    const line = /^line (\d+)$/.exec(p.name || '');
    const message = p.code && has(`problem.code.${p.code}`) ? t(`problem.code.${p.code}`) : p.reason;
    // A CSV's problems name their line; the message says which.
    return { name: p.name, code: p.code || '', message: line ? t('problem.line', { n: line[1], message }) : message };
  });
}

/**
 * problemMessage is one line for a failed request, in the page's language:
 * the translated problem type, then each field's message once (the
 * server's detail already joins the reasons, so it is not repeated).
 */
export function problemMessage(err) {
  const type = (err?.problem?.type || '').replace(/^urn:jingge:problem:/, '');
  const fields = fieldProblems(err);
  const head = type && has(`problem.type.${type}`) ? t(`problem.type.${type}`) : '';
  if (fields.length) {
    const list = fields.slice(0, 5).map((f) => f.message).join(t('list.sep'));
    return head ? `${head} ${list}` : list;
  }
  if (head && err?.status >= 500) return head;
  return err?.message || head || String(err);
}

/**
 * alerter returns show(message) for el: the message stays, with a button
 * to dismiss it, until dismissed or replaced; show('') hides it. Errors
 * must not vanish before they are read.
 */
export function alerter(el) {
  return (message) => {
    clear(el);
    el.hidden = !message;
    if (!message) return;
    el.append(h('span', { class: 'alert-text' }, message),
      h('button', { type: 'button', class: 'alert-close', 'aria-label': t('alert.dismiss'), title: t('alert.dismiss'),
        onclick: () => { el.hidden = true; clear(el); } }, '×'));
  };
}
