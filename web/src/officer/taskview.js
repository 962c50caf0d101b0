// The task list section of the officer page: the tasks of the grid the
// officer stands in, then the rest of theirs (tasks.js), each with its
// grid, due date and a button to mark it done. It is asked for again when
// the grid changes and after each change; the list last answered is kept
// on the phone, so with no signal the officer still sees what is due.
import { ApiError } from '../shared/api.js';
import { $, h, clear } from '../shared/dom.js';
import { t, isEnglish } from '../shared/i18n.js';
import { formatZoned } from '../shared/time.js';
import { arrangeTasks, completeTask, loadTasks, mayComplete, officerArea } from './tasks.js';

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

  function item(task, ctx, area) {
    const overdue = task.status === 'overdue';
    const mine = mayComplete(task, ctx.me, area);
    return h('li', { class: `task${overdue ? ' overdue' : ''}`, 'data-testid': 'task', 'data-id': task.id, 'data-status': task.status },
      h('span', { class: 'task-title' }, task.title),
      h('span', { class: 'task-meta' },
        `${gridName(task.grid, ctx)} · ${t('m.tasks.due', { date: task.due.slice(0, 10) })}`,
        overdue ? h('span', { class: 'badge' }, t('m.tasks.overdue')) : null,
        task.officer && task.officer !== ctx.me ? ` · ${t('m.tasks.assignedTo', { name: task.officer_name || task.officer })}` : null),
      mine
        ? h('button', { type: 'button', class: 'done', 'aria-label': t('m.tasks.doneLabel', { title: task.title }), onclick: (e) => complete(task, e.currentTarget) }, t('m.tasks.done'))
        : null);
  }

  function group(title, list, empty, ctx, area, testid) {
    return [
      h('h3', null, title),
      list.length ? h('ul', { class: 'task-list', 'data-testid': testid }, list.map((x) => item(x, ctx, area))) : h('p', { class: 'muted small' }, empty),
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
    clear($('tasks-list')).append(
      ...group(t('m.tasks.here', { grid: names || '—' }), here, t('m.tasks.noneHere'), ctx, area, 'tasks-here'),
      ...group(t('m.tasks.mine'), mine, t('m.tasks.noneMine'), ctx, area, 'tasks-mine'),
    );
    section.dataset.count = String(here.length + mine.length);
  }

  /** refresh asks for the list again and shows it; keeps the last one when the network is away. */
  async function refresh() {
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
      if (['m.tasks.failed', 'm.tasks.offline', 'm.tasks.offlineNone', 'm.tasks.offlineMark'].includes(status?.key)) say(null);
    } catch (err) {
      if (mine !== seq) return;
      if (err instanceof ApiError) say('m.tasks.failed', { detail: err.message });
      else {
        const k = tasks ? null : kept(ctx.me);
        if (k) [tasks, answeredAt] = [k.tasks, k.at];
        if (tasks) say('m.tasks.offline', { date: formatZoned(answeredAt, isEnglish() ? 'en-GB' : 'zh-CN', { dateStyle: 'short', timeStyle: 'short' }) });
        else say('m.tasks.offlineNone');
      }
    } finally {
      if (mine === seq) {
        $('tasks').removeAttribute('aria-busy');
        render();
      }
    }
  }

  async function complete(task, button) {
    button.disabled = true;
    try {
      await completeTask(task.id);
      say('m.tasks.marked', { title: task.title });
    } catch (err) {
      button.disabled = false;
      if (!(err instanceof ApiError)) {
        say('m.tasks.offlineMark');
        return;
      }
      say(err.status === 409 ? 'm.tasks.conflict' : 'm.tasks.refused', { detail: err.message });
    }
    await refresh();
  }

  return {
    refresh,
    /** relabel redraws the section in the current language. */
    relabel() {
      render();
      if (status) say(status.key, status.vars);
    },
  };
}
