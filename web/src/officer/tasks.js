// The officer's task list (任务清单) on the officer page: the open and
// overdue tasks of their station's list that are theirs (assigned to them,
// or to a grid of their area with no officer), those of the grid they
// stand in first, and a way to mark one done (PATCH /api/v1/tasks/{id},
// sent through the outbox so it works with no signal).
// The pure parts (officerArea, arrangeTasks) follow the server's rule of
// who may complete a task (api/records/scope.go, mayComplete).
import { getJSON, query } from '../shared/api.js';
import { tasksDone } from './queue.js';

/**
 * officerArea is the set of grid ids of officer me's area as the pack
 * tells it: the grids that list them, with the community grids of those
 * police grids; with no grid of their own, every grid of their station
 * (the server's patrol.Rules). null when the pack does not know them.
 */
export function officerArea(pack, me) {
  if (!pack || !me) return null;
  const at = pack.members.findIndex((m) => m.id === me);
  if (at < 0) return null;
  const area = new Set(pack.grids.filter((g) => g.members.includes(at)).map((g) => g.id));
  if (!area.size) {
    const station = pack.station;
    if (!station) return null;
    return new Set(pack.grids.filter((g) => g.station === station).map((g) => g.id));
  }
  for (const g of pack.grids) {
    if (g.parent && area.has(g.parent)) area.add(g.id);
  }
  return area;
}

/**
 * mayComplete says whether officer me may mark task done: it is assigned
 * to them, or to no officer and a grid of their area. With no area known
 * (null), a task with no officer counts as theirs and the server decides.
 */
export function mayComplete(task, me, area) {
  if (task.officer) return task.officer === me;
  return area ? area.has(task.grid) : true;
}

/**
 * arrangeTasks splits the station's tasks that are not done into here
 * (those of the grids in here, the ids of the grids the officer stands in,
 * whoever they are assigned to) and mine (the rest the officer may
 * complete), each overdue first, then by due time, soonest first. A task
 * answered open whose due time has passed by now (a list kept from
 * before) comes back overdue.
 */
export function arrangeTasks(list, { me, area, here, now = Date.now() }) {
  const tasks = list.map((t) => (t.status === 'open' && Date.parse(t.due) <= now ? { ...t, status: 'overdue' } : t));
  const byDue = (a, b) => (a.status === 'overdue') !== (b.status === 'overdue')
    ? (a.status === 'overdue' ? -1 : 1)
    : Date.parse(a.due) - Date.parse(b.due) || String(a.id).localeCompare(String(b.id));
  const open = tasks.filter((t) => t.status !== 'done');
  const inHere = (t) => Boolean(t.grid) && here.has(t.grid);
  return {
    here: open.filter(inHere).sort(byDue),
    mine: open.filter((t) => !inHere(t) && mayComplete(t, me, area)).sort(byDue),
  };
}

// Enough for a station's open list; a page more is asked for by cursor.
const PAGE = 500;

async function allOf(status) {
  const out = [];
  let url = query('api/v1/tasks', { status, limit: PAGE });
  while (url) {
    const page = await getJSON(url);
    out.push(...page.tasks);
    const next = (page.links || []).find((l) => l.rel === 'next');
    url = next ? next.href.replace(/^\//, '') : null;
  }
  return out;
}

/** loadTasks fetches the open and overdue tasks of the officer's station. */
export async function loadTasks() {
  const [overdue, open] = await Promise.all([allOf('overdue'), allOf('open')]);
  return [...overdue, ...open];
}

/**
 * queueDone keeps the completion of task, done at now, in the outbox
 * (queue.js tasksDone) with a key of its own, and returns the entry; the
 * outbox's flush sends it, now or when the signal is back. done_at is the
 * moment the officer pressed the button, not the moment it reached the
 * server, so a task done in the hills hours before is on time as it was.
 */
export function queueDone(task, now = new Date()) {
  return tasksDone.add({ done: true, done_at: now.toISOString() }, { id: task.id, title: task.title });
}

/** pendingDone is the set of the ids of the tasks marked done and not yet sent. */
export function pendingDone() {
  return new Set(tasksDone.pending().map((e) => e.meta?.id));
}
