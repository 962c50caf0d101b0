// The task list section of the officer page: the tasks of the grid the
// officer stands in, then the rest of theirs (tasks.js), each with its
// grid, due date and a button to mark it done. It is asked for again when
// the grid changes and after each change; the list last answered is kept
// on the phone, so with no signal the officer still sees what is due. A
// task marked done goes through the outbox (queue.js tasksDone): with no
// signal it shows as pending (待发送) and is sent, once, when there is one.
import { ApiError } from '../shared/api.js';
import { $, h, clear } from '../shared/dom.js';
import { t, isEnglish } from '../shared/i18n.js';
import { formatZoned } from '../shared/time.js';
import { tasksDone } from './queue.js';
import { arrangeTasks, loadTasks, mayComplete, officerArea, pendingDone, queueDone } from './tasks.js';

// The list last answered, kept for a phone with no signal.
const KEPT = 'jingge.tasks';

// kept is the list last answered to officer me, { tasks, at }, or null.
function kept(me) {
  try {
    const v = JSON.parse(localStorage.getItem(KEPT) || 'null');
    return v?.me === me && Array.isArray(v.tasks) ? v : null;
  } catch {
    return null;
  }
}

/**
 * initTasks wires the section. context() is { me, pack, here } for the
 * answer shown (here: the grids of its point, { id: name }) or null when
 * none is shown or the user is not an officer.
 */
export function initTasks({ context }) {
  let seq = 0;
  let tasks = null; // the station's open tasks, as last loaded
  let answeredAt = null; // when the list shown was answered
  let status = null; // { key, vars } of the last outcome

  function say(key, vars) {
    status = key ? { key, vars } : null;
    const el = $('tasks-status');
    el.textContent = status ? t(status.key, status.vars) : '';
    el.dataset.key = key || '';
  }

  function gridName(id, ctx) {
    if (!id) return '—';
    if (ctx.here[id]) return ctx.here[id];
    return ctx.pack?.grids.find((g) => g.id === id)?.name || id;
  }

  function item(task, ctx, area, pending) {
    const overdue = task.status === 'overdue';
    const mine = mayComplete(task, ctx.me, area);
    const waiting = pending.has(task.id);
    return h('li', { class: `task${overdue ? ' overdue' : ''}${waiting ? ' pending' : ''}`, 'data-testid': 'task', 'data-id': task.id, 'data-status': task.status, 'data-pending': String(waiting) },
      h('span', { class: 'task-title' }, task.title),
      h('span', { class: 'task-meta' },
        `${gridName(task.grid, ctx)} · ${t('m.tasks.due', { date: task.due.slice(0, 10) })}`,
        overdue && !waiting ? h('span', { class: 'badge' }, t('m.tasks.overdue')) : null,
        waiting ? h('span', { class: 'badge pending', 'data-testid': 'task-pending' }, t('m.tasks.pending')) : null,
        task.officer && task.officer !== ctx.me ? ` · ${t('m.tasks.assignedTo', { name: task.officer_name || task.officer })}` : null),
      mine && !waiting
        ? h('button', { type: 'button', class: 'done', 'aria-label': t('m.tasks.doneLabel', { title: task.title }), onclick: (e) => complete(task, e.currentTarget) }, t('m.tasks.done'))
        : null);
  }

  function group(title, list, empty, ctx, area, testid, pending) {
    return [
      h('h3', null, title),
      list.length ? h('ul', { class: 'task-list', 'data-testid': testid }, list.map((x) => item(x, ctx, area, pending))) : h('p', { class: 'muted small' }, empty),
    ];
  }

  function render() {
    const ctx = context();
    const section = $('tasks');
    section.hidden = !ctx;
    if (!ctx || !tasks) return;
    const area = officerArea(ctx.pack, ctx.me);
    const { here, mine } = arrangeTasks(tasks, { me: ctx.me, area, here: new Set(Object.keys(ctx.here)) });
    const names = Object.values(ctx.here).join(t('list.sep'));
    const pending = pendingDone();
    clear($('tasks-list')).append(
      ...group(t('m.tasks.here', { grid: names || '—' }), here, t('m.tasks.noneHere'), ctx, area, 'tasks-here', pending),
      ...group(t('m.tasks.mine'), mine, t('m.tasks.noneMine'), ctx, area, 'tasks-mine', pending),
    );
    section.dataset.count = String(here.length + mine.length);
  }

  /**
   * send sends the tasks marked done and waiting (the outbox's flush) and
   * says how it went; it reports whether the list changed on the server.
   * A task the server says was done already (409: done by someone else
   * meanwhile, or by this officer from another phone) leaves the queue
   * rather than waiting for the officer: a task is done once, so what the
   * officer wanted holds, and there is nothing they could choose instead;
   * they are told who did it and when (the server's detail). Any other
   * refusal (no longer theirs, gone) leaves it too, with the server's
   * reason, since sending it again cannot help.
   */
  async function send(fresh = null) {
    if (!tasksDone.pending().length) return false;
    const { accepted, refused, left } = await tasksDone.flush();
    const [no] = refused;
    // One marked just now was refused at once (conflict: the list was
    // stale); one marked earlier with no signal says it was not sent twice.
    const conflict = no?.key === fresh ? 'm.tasks.conflict' : 'm.tasks.queuedConflict';
    if (no) say(no.status === 409 ? conflict : 'm.tasks.refused', { title: no.meta?.title || no.meta?.id, detail: no.detail });
    else if (accepted.length) say('m.tasks.marked', { title: accepted.map((e) => e.meta?.title || e.meta?.id).join(t('list.sep')) });
    else if (left) say('m.tasks.queued', { n: left });
    render();
    return accepted.length + refused.length > 0;
  }

  /**
   * refresh sends what waits, then asks for the list again and shows it;
   * keeps the last one when the network is away.
   */
  async function refresh(fresh = null) {
    await send(fresh);
    const ctx = context();
    $('tasks').hidden = !ctx;
    if (!ctx) return;
    const mine = ++seq;
    $('tasks').setAttribute('aria-busy', 'true');
    try {
      const got = await loadTasks();
      if (mine !== seq) return;
      tasks = got;
      answeredAt = new Date().toISOString();
      localStorage.setItem(KEPT, JSON.stringify({ me: ctx.me, at: answeredAt, tasks: got }));
      if (['m.tasks.failed', 'm.tasks.offline', 'm.tasks.offlineNone'].includes(status?.key)) say(null);
    } catch (err) {
      if (mine !== seq) return;
      if (err instanceof ApiError) say('m.tasks.failed', { detail: err.message });
      else {
        const k = tasks ? null : kept(ctx.me);
        if (k) [tasks, answeredAt] = [k.tasks, k.at];
        const waiting = tasksDone.pending().length;
        if (waiting) say('m.tasks.queued', { n: waiting });
        else if (tasks) say('m.tasks.offline', { date: formatZoned(answeredAt, isEnglish() ? 'en-GB' : 'zh-CN', { dateStyle: 'short', timeStyle: 'short' }) });
        else say('m.tasks.offlineNone');
      }
    } finally {
      if (mine === seq) {
        $('tasks').removeAttribute('aria-busy');
        render();
      }
    }
  }

  // complete queues the task's completion and sends it at once when it
  // can: online and offline take one path, so a send whose answer is lost
  // on a failing network is sent again under its key, never twice.
  async function complete(task, button) {
    button.disabled = true;
    const { key } = queueDone(task);
    render();
    await refresh(key);
  }

  return {
    refresh,
    /** send sends the tasks marked done that wait for a signal. */
    send,
    /** relabel redraws the section in the current language. */
    relabel() {
      render();
      if (status) say(status.key, status.vars);
    },
  };
}
