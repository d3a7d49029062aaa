// The views: each one mounts into the main element, refreshes from the API and follows the event stream.
import { getJson, describeStatus } from './api.js';
import {
  h, replace, append, pidLink, pidToPath, comparePids, fmtNum, fmtRate, fmtPct, fmtBytes, fmtDuration, fmtTime,
  fmtDateTime, pill, debounce, throttle, cssAttr, focusToken, restoreFocus,
} from './dom.js';

// Replaces a container's content, keeping keyboard focus on the equivalent element.
function rerender(container, ...children) {
  const token = focusToken(container);
  replace(container, ...children);
  restoreFocus(container, token);
}

// ---- shared pieces ---------------------------------------------------------------------------------

function actionButton(action, label, onClick, extra = {}) {
  const cls = ['btn'];
  if (['kill', 'exit', 'terminate-child', 'purge'].includes(action)) cls.push('btn-danger');
  if (['upgrade', 'install'].includes(action)) cls.push('btn-primary');
  return h('button', { type: 'button', class: cls.join(' '), 'data-action': action, onclick: onClick, ...extra }, label);
}

function stats(pairs) {
  return h('dl', { class: 'stats' }, pairs.filter(Boolean).map(([label, value, extra]) =>
    h('div', { class: 'stat' + (extra ? ' ' + extra : '') }, h('dt', null, label), h('dd', null, value))));
}

function emptyRow(colspan, text) {
  return h('tr', { class: 'empty' }, h('td', { colspan }, text));
}

function message(text, kind = 'info') {
  return h('p', { class: 'message message-' + kind }, text);
}

// Common loading logic: stale answers are ignored, 403/404 become a message in the view, other errors a banner.
function loader(ctx, view, fetcher, render, onMissing) {
  let seq = 0;
  return async function refresh() {
    const mine = ++seq;
    try {
      const data = await fetcher();
      if (mine !== seq || view.disposed) return;
      view.loadedOnce = true;
      ctx.clearError();
      render(data);
    } catch (e) {
      if (mine !== seq || view.disposed) return;
      if (e.status === 403 || e.status === 404) {
        if (onMissing) onMissing(e);
        else view.showMessage(describeStatus(e.status, e.message), 'error');
      } else if (!e.quiet) {
        ctx.showError(e.message || String(e));
      }
    }
  };
}

function viewShell(title, ...extra) {
  const heading = h('h2', null, title);
  const body = h('div', { class: 'view-body' });
  const root = h('section', { class: 'view', 'aria-labelledby': 'view-title' }, h('div', { class: 'view-head' }, heading, ...extra), body);
  heading.id = 'view-title';
  return { root, heading, body };
}

function baseView() {
  const view = { disposed: false, loadedOnce: false, timers: [] };
  view.dispose = () => {
    view.disposed = true;
    for (const t of view.timers) clearInterval(t);
    if (view.cleanup) view.cleanup();
  };
  return view;
}

// ---- Node ---------------------------------------------------------------------------------------------

function nodeView(ctx) {
  const view = baseView();
  const shell = viewShell('Node');
  let fetchedAt = 0;
  let node = ctx.node;
  let rateTotal = null; // from the samples

  function render() {
    if (!node) return;
    const uptime = (node.uptimeSeconds ?? 0) + (fetchedAt ? (Date.now() - fetchedAt) / 1000 : 0);
    const gc = node.gc ?? {};
    const tp = node.threadPool ?? {};
    const meter = Array.isArray(node.meter) ? node.meter : [];
    replace(shell.body,
      h('section', { class: 'panel', 'aria-labelledby': 'node-overview' },
        h('h3', { id: 'node-overview' }, 'Overview'),
        stats([
          node.nodeName ? ['Node', node.nodeName] : null,
          ['Started', fmtDateTime(node.startedAt)],
          ['Uptime', h('span', { 'data-testid': 'uptime' }, fmtDuration(uptime))],
          ['Processes', h('span', { 'data-testid': 'process-count' }, fmtNum(node.processCount))],
          ['Mailboxes (total)', h('span', { 'data-testid': 'mailbox-total' }, fmtNum(node.mailboxTotal))],
          ['Largest mailbox', h('span', { 'data-testid': 'mailbox-max' }, fmtNum(node.mailboxMax))],
          ['Messages/s (all)', h('span', { 'data-testid': 'rate-total' }, rateTotal === null ? '—' : fmtRate(rateTotal))],
          ['Registered names', fmtNum(node.registeredNames)],
          ['Releases', node.releases ? 'release handler on' : 'no release handler'],
        ])),
      h('div', { class: 'columns' },
        h('section', { class: 'panel', 'aria-labelledby': 'node-gc' },
          h('h3', { id: 'node-gc' }, 'Garbage collector'),
          stats([
            ['Gen 0 collections', fmtNum(gc.gen0)],
            ['Gen 1 collections', fmtNum(gc.gen1)],
            ['Gen 2 collections', fmtNum(gc.gen2)],
            ['Heap size', fmtBytes(gc.heapBytes)],
            ['Time paused', fmtPct(gc.pauseTimePercent)],
            ['Allocated', fmtBytes(gc.allocatedBytes)],
          ])),
        h('section', { class: 'panel', 'aria-labelledby': 'node-tp' },
          h('h3', { id: 'node-tp' }, 'Thread pool'),
          stats([
            ['Threads', fmtNum(tp.threads)],
            ['Pending work items', fmtNum(tp.pendingWorkItems)],
            ['Completed work items', fmtNum(tp.completedWorkItems)],
          ]))),
      h('section', { class: 'panel', 'aria-labelledby': 'node-meter' },
        h('h3', { id: 'node-meter' }, 'Instruments'),
        h('table', { class: 'data' },
          h('thead', null, h('tr', null,
            h('th', { scope: 'col' }, 'Instrument'), h('th', { scope: 'col', class: 'num' }, 'Value'), h('th', { scope: 'col' }, 'Unit'))),
          h('tbody', null, meter.length === 0 ? emptyRow(3, 'No instruments reported.') : meter.map(m =>
            h('tr', { 'data-testid': 'meter-row' },
              h('th', { scope: 'row', class: 'mono' }, m.name ?? '—'),
              h('td', { class: 'num' }, typeof m.value === 'number' ? fmtNum(m.value) : String(m.value ?? '—')),
              h('td', { class: 'muted' }, m.unit ?? '')))))));
  }

  view.showMessage = (text, kind) => replace(shell.body, message(text, kind));
  const load = loader(ctx, view, () => ctx.refreshNode(true),
    r => { node = r.node; fetchedAt = Date.now(); render(); });
  view.refresh = async () => { await load(); };
  view.mount = root => {
    root.appendChild(shell.root);
    if (node) { fetchedAt = Date.now(); render(); }
    else shell.body.appendChild(message('Loading…'));
    // Periodic refetch, only while the page is visible.
    view.timers.push(setInterval(() => { if (document.visibilityState === 'visible') view.refresh(); }, 2000));
    // The uptime ticks locally between fetches.
    view.timers.push(setInterval(() => {
      const el = shell.body.querySelector('[data-testid="uptime"]');
      if (el && node) el.textContent = fmtDuration((node.uptimeSeconds ?? 0) + (Date.now() - fetchedAt) / 1000);
    }, 1000));
  };
  view.onEvent = (kind, data) => {
    if (kind !== 'sample' || !node) return;
    rateTotal = Object.values(data.rates ?? {}).reduce((a, b) => a + (Number(b) || 0), 0);
    const rateEl = shell.body.querySelector('[data-testid="rate-total"]');
    if (rateEl) rateEl.textContent = fmtRate(rateTotal);
    for (const [k, testid] of [['processCount', 'process-count'], ['mailboxTotal', 'mailbox-total'], ['mailboxMax', 'mailbox-max']]) {
      if (typeof data[k] !== 'number') continue;
      node[k] = data[k];
      const el = shell.body.querySelector(`[data-testid="${testid}"]`);
      if (el) el.textContent = fmtNum(data[k]);
    }
  };
  return view;
}

// ---- Applications and supervision trees -----------------------------------------------------------

const FLASH_MS = 1500;

function appsView(ctx) {
  const view = baseView();
  const shell = viewShell('Applications');
  // "supervisorPid\u0000childId" -> time the flash ends
  const flashes = new Map();
  let flashTimer = null;

  function flashKey(sup, childId) { return String(sup) + '\u0000' + String(childId ?? ''); }

  function budgetText(node) {
    const left = node.budgetLeft ?? Math.max(0, (node.intensity ?? 0) - (node.restartsInWindow ?? 0));
    return `${left} of ${node.intensity ?? '?'} left`;
  }

  function budgetTitle(node) {
    return `${node.restartsInWindow ?? 0} restart(s) in the last ${node.period ?? '?'} s; at most ${node.intensity ?? '?'} allowed`;
  }

  function childActions(node, parentPid) {
    if (!ctx.caps.operate || !parentPid) return null;
    const buttons = [];
    const label = node.id ?? node.pid ?? 'child';
    const childPath = `/api/supervisors/${encodeURIComponent(pidToPath(parentPid))}/children/${encodeURIComponent(node.id ?? '')}`;
    if (node.id != null && node.restart !== 'temporary') { // a terminated temporary child is gone: it cannot be restarted
      buttons.push(actionButton('restart-child', 'Restart', () =>
        ctx.runAction(childPath + '/restart', {}), { 'aria-label': `Restart child ${label}` }));
    }
    if (node.id != null) {
      buttons.push(actionButton('terminate-child', 'Terminate', () =>
        ctx.runAction(childPath + '/terminate', {}, {
          confirm: `Terminate child ${label} of supervisor ${parentPid}? Its supervisor will not restart it.`,
          confirmLabel: 'Terminate', title: 'Terminate child',
        }), { 'aria-label': `Terminate child ${label}` }));
    }
    if (node.pid) {
      buttons.push(actionButton('kill', 'Kill', () =>
        ctx.runAction(`/api/processes/${encodeURIComponent(pidToPath(node.pid))}/exit`, { reason: 'kill' }, {
          confirm: `Kill ${label} (${node.pid})? It exits with reason kill; its supervisor decides whether it restarts.`,
          confirmLabel: 'Kill', title: 'Kill process',
        }), { 'aria-label': `Kill ${label}` }));
    }
    return buttons.length ? h('span', { class: 'actions' }, buttons) : null;
  }

  function treeNode(node, parentPid) {
    const isSup = node.type === 'supervisor';
    const attrs = {
      'data-testid': 'tree-node',
      'data-pid': node.pid ?? '',
      'data-child-id': node.id ?? '',
      'data-type': node.type ?? 'worker',
      'data-status': node.status ?? '',
      class: 'tree-node ' + (isSup ? 'is-sup' : 'is-worker'),
    };
    if (isSup) {
      attrs['data-budget-left'] = node.budgetLeft ?? '';
      attrs['data-intensity'] = node.intensity ?? '';
    }
    if (parentPid) {
      const until = flashes.get(flashKey(parentPid, node.id));
      if (until && until > Date.now()) attrs.class += ' flash';
    }
    const moduleText = node.module ? node.module + (node.version ? '@' + node.version : '') : null;
    const line = h('div', { class: 'node-line' },
      h('span', { class: 'kind kind-' + (isSup ? 'sup' : 'worker') }, isSup ? 'sup' : 'worker'),
      h('span', { class: 'child-id' }, node.id ?? (parentPid ? '(no id)' : 'root')),
      node.pid ? pidLink(node.pid) : h('span', { class: 'muted' }, 'no process'),
      pill(node.status),
      h('span', { class: 'meta', title: 'restart type' }, node.restart ?? ''),
      moduleText ? h('code', { class: 'module', title: moduleText }, moduleText) : null,
      h('span', { class: 'meta' + (node.restarts ? ' meta-warn' : '') }, `${fmtNum(node.restarts ?? 0)} restart${node.restarts === 1 ? '' : 's'}`),
      node.lastExitReason ? h('span', { class: 'meta exit-reason' }, 'last exit: ', h('code', null, node.lastExitReason)) : null,
      isSup ? h('span', { class: 'meta', title: 'restart strategy' }, node.strategy ?? '') : null,
      isSup ? h('span', { class: 'meta budget-label' }, 'budget') : null,
      isSup ? h('span', { class: 'budget' + ((node.budgetLeft ?? 1) <= 1 ? ' budget-low' : ''), title: budgetTitle(node) }, budgetText(node)) : null,
      childActions(node, parentPid));
    const li = h('li', attrs, line);
    const children = Array.isArray(node.children) ? node.children : [];
    if (isSup) {
      li.appendChild(children.length
        ? h('ul', { class: 'tree' }, children.map(c => treeNode(c, node.pid)))
        : h('p', { class: 'muted tree-empty' }, 'No children.'));
    }
    return li;
  }

  function treeSection(title, subtitle, description, tree, key) {
    const id = 'app-' + key;
    return h('section', { class: 'panel app', 'aria-labelledby': id, 'data-testid': 'application', 'data-application': title },
      h('h3', { id }, title, subtitle ? h('span', { class: 'version' }, subtitle) : null),
      description ? h('p', { class: 'muted' }, description) : null,
      tree ? h('ul', { class: 'tree tree-root' }, treeNode(tree.root, null)) : h('p', { class: 'muted' }, 'No supervision tree (a library application).'));
  }

  function render([apps, trees]) {
    apps = Array.isArray(apps) ? apps : [];
    trees = Array.isArray(trees) ? trees : [];
    const used = new Set();
    const sections = [];
    apps.forEach((app, i) => {
      const tree = trees.find(t => t.application === app.name && t.root);
      if (tree) used.add(tree);
      sections.push(treeSection(app.name, app.version, app.description, tree, i));
    });
    trees.filter(t => !used.has(t) && t.root).forEach((t, i) =>
      sections.push(treeSection(t.application ?? 'Supervisor outside an application', null, null, t, 'x' + i)));
    rerender(shell.body, sections.length ? sections : message('No applications are running.'));
    scheduleFlashCleanup();
  }

  function scheduleFlashCleanup() {
    clearTimeout(flashTimer);
    const now = Date.now();
    let next = Infinity;
    for (const [key, until] of flashes) {
      if (until <= now) {
        flashes.delete(key);
        const [sup, childId] = key.split('\u0000');
        const el = findChild(sup, childId);
        if (el) el.classList.remove('flash');
      } else next = Math.min(next, until);
    }
    if (next !== Infinity) flashTimer = setTimeout(scheduleFlashCleanup, next - now + 10);
  }

  function findSup(pid) {
    return shell.body.querySelector(`[data-testid="tree-node"][data-type="supervisor"][data-pid="${cssAttr(pid)}"]`);
  }

  function findChild(supPid, childId) {
    const sup = findSup(supPid);
    if (!sup) return null;
    const list = sup.querySelector(':scope > ul');
    if (!list) return null;
    for (const li of list.children) if (li.dataset.childId === String(childId ?? '')) return li;
    return null;
  }

  view.showMessage = (text, kind) => replace(shell.body, message(text, kind));
  const load = loader(ctx, view, () => Promise.all([getJson('/api/applications'), getJson('/api/trees')]), render);
  const refetchSoon = debounce(load, 200);
  const refetchThrottled = throttle(load, 1000);
  view.refresh = load;
  view.mount = root => { root.appendChild(shell.root); shell.body.appendChild(message('Loading…')); };
  view.cleanup = () => { refetchSoon.cancel(); refetchThrottled.cancel(); clearTimeout(flashTimer); };
  view.onEvent = (kind, data) => {
    if (kind === 'restarted') {
      const sup = findSup(data.supervisor);
      if (sup) {
        if (data.budgetLeft != null) sup.dataset.budgetLeft = String(data.budgetLeft);
        if (data.intensity != null) sup.dataset.intensity = String(data.intensity);
        const budget = sup.querySelector(':scope > .node-line > .budget');
        if (budget) {
          const intensity = data.intensity ?? Number(sup.dataset.intensity);
          budget.textContent = `${data.budgetLeft} of ${intensity} left`;
          budget.classList.toggle('budget-low', data.budgetLeft <= 1);
          budget.title = `${data.restartsInWindow ?? '?'} restart(s) in the window; at most ${intensity} allowed`;
        }
      }
      flashes.set(flashKey(data.supervisor, data.childId), Date.now() + FLASH_MS);
      const child = findChild(data.supervisor, data.childId);
      if (child) {
        child.classList.remove('flash');
        void child.offsetWidth; // restart the animation
        child.classList.add('flash');
      }
      scheduleFlashCleanup();
      refetchSoon();
    } else if (kind === 'spawned' || kind === 'exited' || kind === 'suspended' || kind === 'resumed'
      || kind === 'moduleLoaded' || kind === 'upgrade') {
      refetchThrottled();
    }
  };
  return view;
}

// ---- Processes -------------------------------------------------------------------------------------

const processColumns = [
  { key: 'pid', label: 'Pid', cmp: (a, b) => comparePids(a.pid, b.pid) },
  { key: 'name', label: 'Name', text: true },
  { key: 'module', label: 'Module', text: true },
  { key: 'version', label: 'Version', text: true },
  { key: 'status', label: 'Status', text: true },
  { key: 'messageQueueLength', label: 'Mailbox', num: true },
  { key: 'messageRate', label: 'Messages/s', num: true },
  { key: 'messagesReceived', label: 'Received', num: true },
];

function processesView(ctx) {
  const view = baseView();
  const count = h('span', { class: 'count', 'aria-live': 'off' });
  const shell = viewShell('Processes', count);
  let rows = [];
  let total = 0;
  let sort = { key: 'pid', dir: 1 };
  const filter = { text: '', module: '', suspended: false, oldCode: false };

  const textInput = h('input', { type: 'search', id: 'proc-filter', placeholder: 'name, pid or module', autocomplete: 'off',
    oninput: () => { filter.text = textInput.value.trim().toLowerCase(); renderRows(); } });
  const moduleSelect = h('select', { id: 'proc-module', onchange: () => { filter.module = moduleSelect.value; renderRows(); } },
    h('option', { value: '' }, 'All modules'));
  const suspendedBox = h('input', { type: 'checkbox', id: 'proc-suspended',
    onchange: () => { filter.suspended = suspendedBox.checked; renderRows(); } });
  const oldBox = h('input', { type: 'checkbox', id: 'proc-old',
    onchange: () => { filter.oldCode = oldBox.checked; renderRows(); } });

  const filters = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter processes', onsubmit: e => e.preventDefault() },
    h('div', { class: 'field' }, h('label', { for: 'proc-filter' }, 'Filter'), textInput),
    h('div', { class: 'field' }, h('label', { for: 'proc-module' }, 'Module'), moduleSelect),
    h('div', { class: 'field check' }, suspendedBox, h('label', { for: 'proc-suspended' }, 'Suspended only')),
    h('div', { class: 'field check' }, oldBox, h('label', { for: 'proc-old' }, 'Old code only')));

  const headCells = processColumns.map(col => {
    const arrow = h('span', { class: 'sort-arrow', 'aria-hidden': 'true' });
    const button = h('button', { type: 'button', class: 'sort', 'data-sort': col.key, onclick: () => {
      sort = sort.key === col.key ? { key: col.key, dir: -sort.dir } : { key: col.key, dir: 1 };
      renderHead();
      renderRows();
    } }, col.label, arrow);
    const th = h('th', { scope: 'col', class: col.num ? 'num' : null }, button);
    return { col, th, arrow };
  });
  const tbody = h('tbody');
  const table = h('table', { class: 'data processes' },
    h('caption', { class: 'visually-hidden' }, 'Processes of the node; click a column header to sort'),
    h('thead', null, h('tr', null, headCells.map(c => c.th))), tbody);

  function renderHead() {
    for (const { col, th, arrow } of headCells) {
      if (col.key === sort.key) {
        th.setAttribute('aria-sort', sort.dir > 0 ? 'ascending' : 'descending');
        arrow.textContent = sort.dir > 0 ? ' ▲' : ' ▼';
      } else {
        th.removeAttribute('aria-sort');
        arrow.textContent = '';
      }
    }
  }

  function compare(a, b) {
    const col = processColumns.find(c => c.key === sort.key);
    let d;
    if (col.cmp) d = col.cmp(a, b);
    else if (col.num) d = (a[col.key] ?? 0) - (b[col.key] ?? 0);
    else {
      const x = a[col.key], y = b[col.key];
      if (x == null && y == null) d = 0;
      else if (x == null) return 1; // empty values last, whatever the direction
      else if (y == null) return -1;
      else d = String(x).localeCompare(String(y));
    }
    return d * sort.dir || comparePids(a.pid, b.pid);
  }

  function visible() {
    return rows.filter(r => {
      if (filter.suspended && !r.suspended) return false;
      if (filter.oldCode && !r.oldCode) return false;
      if (filter.module && r.module !== filter.module) return false;
      if (filter.text) {
        const hay = [r.pid, r.name, r.module].filter(Boolean).join(' ').toLowerCase();
        if (!hay.includes(filter.text)) return false;
      }
      return true;
    });
  }

  function renderRows() {
    const list = visible().sort(compare);
    let text = list.length === rows.length ? `${fmtNum(rows.length)} processes` : `${fmtNum(list.length)} of ${fmtNum(rows.length)} processes`;
    if (total > rows.length) text += ` (the ${fmtNum(rows.length)} busiest of ${fmtNum(total)} are listed)`;
    count.textContent = text;
    rerender(tbody, list.length === 0 ? emptyRow(processColumns.length, rows.length ? 'No process matches the filter.' : 'No processes.') :
      list.map(r => h('tr', {
        'data-testid': 'process-row', 'data-pid': r.pid, 'data-module': r.module ?? '', 'data-version': r.version ?? '',
        'data-suspended': r.suspended ? 'true' : 'false', class: r.suspended ? 'is-suspended' : null,
      },
      h('td', { class: 'mono' }, pidLink(r.pid)),
      h('td', null, r.name ?? ''),
      h('td', { class: 'mono' }, r.module ?? ''),
      h('td', { class: 'mono' }, r.version ?? '', r.oldCode ? h('span', { class: 'pill pill-warn pill-small' }, 'old code') : null),
      h('td', null, pill(r.status)),
      h('td', { class: 'num' + (r.messageQueueLength > 0 ? ' strong' : '') }, fmtNum(r.messageQueueLength)),
      h('td', { class: 'num', 'data-col': 'rate' }, fmtRate(r.messageRate)),
      h('td', { class: 'num' }, fmtNum(r.messagesReceived)))));
  }

  function renderModules() {
    const modules = [...new Set(rows.map(r => r.module).filter(Boolean))].sort();
    if (filter.module && !modules.includes(filter.module)) modules.push(filter.module);
    const existing = [...moduleSelect.options].slice(1).map(o => o.value);
    if (existing.join('\u0000') === modules.join('\u0000')) return;
    replace(moduleSelect, h('option', { value: '' }, 'All modules'), modules.map(m => h('option', { value: m }, m)));
    moduleSelect.value = filter.module;
  }

  function render({ data, headers }) {
    rows = Array.isArray(data) ? data : [];
    total = Number(headers.get('X-Total-Count')) || rows.length;
    if (!table.isConnected) replace(shell.body, filters, h('div', { class: 'table-wrap' }, table));
    renderModules();
    renderRows();
  }

  view.showMessage = (text, kind) => replace(shell.body, message(text, kind));
  const load = loader(ctx, view, () => getJson('/api/processes', { withHeaders: true }), render);
  const refetch = throttle(load, 1000);
  view.refresh = load;
  view.mount = root => { root.appendChild(shell.root); renderHead(); shell.body.appendChild(message('Loading…')); };
  view.cleanup = () => refetch.cancel();
  view.onEvent = (kind, data) => {
    if (kind === 'sample') {
      const rates = data.rates ?? {};
      let changed = false;
      for (const r of rows) {
        const rate = rates[r.pid] ?? 0;
        if (r.messageRate !== rate) { r.messageRate = rate; changed = true; }
      }
      if (changed) {
        if (sort.key === 'messageRate') renderRows();
        else {
          for (const tr of tbody.querySelectorAll('tr[data-testid="process-row"]')) {
            const cell = tr.querySelector('td[data-col="rate"]');
            if (cell) cell.textContent = fmtRate(rates[tr.dataset.pid] ?? 0);
          }
        }
      }
    } else if (kind === 'suspended' || kind === 'resumed') {
      // Shown at once; the refetch brings the exact status.
      const row = rows.find(r => r.pid === data.pid);
      if (row) {
        row.suspended = kind === 'suspended';
        row.status = kind === 'suspended' ? 'suspended' : (row.status === 'suspended' ? 'waiting' : row.status);
        renderRows();
      }
      refetch();
    } else if (kind === 'spawned' || kind === 'exited' || kind === 'upgrade') {
      refetch();
    }
  };
  return view;
}

// ---- Process detail -----------------------------------------------------------------------------------

function processView(ctx, pid) {
  const view = baseView();
  const shell = viewShell('Process ' + pid);
  let proc = null;
  let dead = false; // pids are never reused: once exited, nothing more to fetch
  const path = '/api/processes/' + encodeURIComponent(pidToPath(pid));
  const reasonInput = h('input', { type: 'text', id: 'exit-reason', value: 'shutdown', autocomplete: 'off', spellcheck: 'false' });

  // The process usually exits: the stream's exited event says so; refetch only if it does not come (a trapped exit).
  async function sendExit(reason, confirm) {
    const outcome = await ctx.runAction(path + '/exit', { reason }, { ...confirm, refresh: false });
    if (!outcome) return;
    if (!outcome.ok || ctx.stream !== 'open') { if (!dead) load(); return; }
    setTimeout(() => { if (!dead && !view.disposed) load(); }, 1000);
  }

  function rateCell() { return h('span', { 'data-testid': 'message-rate' }, fmtRate(proc.messageRate)); }

  function actions() {
    const items = [];
    if (ctx.caps.operate) {
      items.push(actionButton('suspend', 'Suspend', () => ctx.runAction(path + '/suspend', {})));
      items.push(actionButton('resume', 'Resume', () => ctx.runAction(path + '/resume', {})));
      items.push(actionButton('kill', 'Kill', () => sendExit('kill', {
        confirm: `Kill ${pid}${proc.name ? ' (' + proc.name + ')' : ''}? It exits with reason kill, which cannot be trapped.`,
        confirmLabel: 'Kill', title: 'Kill process',
      })));
      items.push(h('span', { class: 'inline-field' },
        h('label', { for: 'exit-reason' }, 'Exit reason'), reasonInput,
        actionButton('exit', 'Send exit', () => {
          const reason = reasonInput.value.trim() || 'normal';
          return sendExit(reason, {
            confirm: `Send exit signal with reason "${reason}" to ${pid}?`, confirmLabel: 'Send exit', title: 'Exit process',
          });
        })));
    }
    if (ctx.caps.upgrade && proc.module) {
      items.push(actionButton('change-code', 'Change code', () =>
        ctx.runAction(path + '/change-code', { module: proc.module, oldVersion: proc.version ?? null, extra: null }),
      { title: `Run the code change of ${proc.module} from version ${proc.version ?? '?'} (suspend the process first)` }));
    }
    if (!items.length) return null;
    return h('section', { class: 'panel', 'aria-labelledby': 'proc-actions' },
      h('h3', { id: 'proc-actions' }, 'Actions'), h('div', { class: 'action-bar' }, items));
  }

  function render(data) {
    proc = data;
    const links = Array.isArray(proc.links) ? proc.links : [];
    const monitors = Array.isArray(proc.monitors) ? proc.monitors : [];
    shell.heading.textContent = 'Process ' + pid + (proc.name ? ' · ' + proc.name : '');
    rerender(shell.body,
      h('div', { class: 'detail-head' }, pill(proc.status), proc.suspended && proc.status !== 'suspended' ? pill('suspended') : null,
        proc.oldCode ? h('span', { class: 'pill pill-warn' }, 'running old code') : null),
      h('div', { class: 'columns' },
        h('section', { class: 'panel', 'aria-labelledby': 'proc-about' },
          h('h3', { id: 'proc-about' }, 'Process'),
          stats([
            ['Status', h('span', { 'data-testid': 'process-status' }, proc.status ?? '—')],
            ['Registered name', proc.name ?? '—'],
            ['Module', proc.module ? h('code', null, proc.module + (proc.version ? '@' + proc.version : '')) : '—'],
            ['Application', proc.application ?? '—'],
            ['Parent', pidLink(proc.parent)],
            ['Traps exits', proc.trapExit ? 'yes' : 'no'],
          ])),
        h('section', { class: 'panel', 'aria-labelledby': 'proc-stats' },
          h('h3', { id: 'proc-stats' }, 'Statistics'),
          stats([
            ['Mailbox', fmtNum(proc.messageQueueLength)],
            ['Messages received', fmtNum(proc.messagesReceived)],
            ['Messages/s', rateCell()],
            ['Monitored by', fmtNum(proc.monitoredBy ?? 0)],
          ]))),
      h('div', { class: 'columns' },
        h('section', { class: 'panel', 'aria-labelledby': 'proc-links' },
          h('h3', { id: 'proc-links' }, 'Links'),
          links.length ? h('ul', { class: 'pid-list', 'data-testid': 'links' }, links.map(l => h('li', null, pidLink(l))))
            : h('p', { class: 'muted' }, 'No links.')),
        h('section', { class: 'panel', 'aria-labelledby': 'proc-monitors' },
          h('h3', { id: 'proc-monitors' }, 'Monitors'),
          monitors.length ? h('ul', { class: 'pid-list', 'data-testid': 'monitors' }, monitors.map(m =>
            h('li', null, pidLink(m.pid), ' ', h('span', { class: 'muted mono' }, m.ref ?? ''))))
            : h('p', { class: 'muted' }, 'Monitors nothing.'))),
      h('section', { class: 'panel', 'aria-labelledby': 'proc-state' },
        h('h3', { id: 'proc-state' }, 'State'),
        proc.stateVisible
          ? h('pre', { class: 'state', 'data-testid': 'state', tabindex: '0' }, proc.state ?? '')
          : h('p', { class: 'muted', 'data-testid': 'state-hidden' },
            'This module does not expose its state (mark it [ExposeStatus] to show FormatStatus here).')),
      actions());
  }

  function gone(reason) {
    proc = null;
    dead = true;
    const text = reason != null ? `Process ${pid} exited with reason ${reason}.` : `Process ${pid} is not alive (it exited, or never existed).`;
    replace(shell.body, message(text, 'error'),
      h('p', null, h('a', { href: '#/processes' }, 'Back to the process list')));
  }

  view.showMessage = (text, kind) => replace(shell.body, message(text, kind));
  const load = loader(ctx, view, () => getJson(path), render, e => { if (e.status === 404) gone(null); else view.showMessage(describeStatus(e.status, e.message), 'error'); });
  const refetch = debounce(() => { if (!dead) load(); }, 200);
  view.refresh = () => (dead ? Promise.resolve() : load());
  view.mount = root => { root.appendChild(shell.root); shell.body.appendChild(message('Loading…')); };
  view.cleanup = () => refetch.cancel();
  view.onEvent = (kind, data) => {
    if (kind === 'exited' && data.pid === pid) {
      refetch.cancel();
      if (!dead) gone(data.reason ?? null);
    } else if (kind === 'sample' && proc) {
      proc.messageRate = (data.rates ?? {})[pid] ?? 0;
      const el = shell.body.querySelector('[data-testid="message-rate"]');
      if (el) el.textContent = fmtRate(proc.messageRate);
    } else if (['exited', 'suspended', 'resumed', 'spawned'].includes(kind) && (data.pid === pid || (proc && (proc.links ?? []).includes(data.pid)))) {
      refetch();
    } else if (kind === 'upgrade' && proc && data.module === proc.module) {
      refetch();
    }
  };
  return view;
}

// ---- Code -------------------------------------------------------------------------------------------

function codeView(ctx) {
  const view = baseView();
  const shell = viewShell('Code');
  const logs = new Map(); // module -> recent upgrade steps

  function moduleSection(m, i) {
    const id = 'mod-' + i;
    const versions = Array.isArray(m.versions) ? m.versions : [];
    const pinned = Array.isArray(m.pinnedBy) ? m.pinnedBy : [];
    const available = Array.isArray(m.available) ? m.available : [];
    const modPath = '/api/modules/' + encodeURIComponent(m.module);
    const log = logs.get(m.module) ?? [];
    return h('section', { class: 'panel module', 'data-testid': 'module', 'data-module': m.module, 'aria-labelledby': id },
      h('div', { class: 'panel-head' },
        h('h3', { id, class: 'mono' }, m.module),
        ctx.caps.upgrade ? h('span', { class: 'actions' },
          actionButton('soft-purge', 'Soft purge', () => ctx.runAction(modPath + '/soft-purge', {}),
            { 'aria-label': `Soft purge ${m.module}`, title: 'Drop old versions no process runs any more' }),
          actionButton('purge', 'Purge', () => ctx.runAction(modPath + '/purge', {}),
            { 'aria-label': `Purge ${m.module}`, title: 'Drop old versions; processes still running them are killed' })) : null),
      h('table', { class: 'data compact' },
        h('caption', { class: 'visually-hidden' }, `Loaded versions of ${m.module}`),
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, 'Version'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col', class: 'num' }, 'Processes'),
          h('th', { scope: 'col' }, 'Running it'))),
        h('tbody', null, versions.length === 0 ? emptyRow(4, 'No versions loaded.') : versions.map(v => {
          const procs = Array.isArray(v.processes) ? v.processes : [];
          return h('tr', { 'data-testid': 'module-version', 'data-version': v.version ?? '', 'data-status': v.status ?? '', 'data-processes': String(procs.length) },
            h('th', { scope: 'row', class: 'mono' }, v.version ?? '—'),
            h('td', null, pill(v.status)),
            h('td', { class: 'num' }, fmtNum(procs.length)),
            h('td', { class: 'pids' }, procs.length ? procs.slice(0, 12).map(p => [pidLink(p), ' ']) : h('span', { class: 'muted' }, '—'),
              procs.length > 12 ? h('span', { class: 'muted' }, `and ${procs.length - 12} more`) : null));
        }))),
      h('p', { class: 'pinned' }, h('span', { class: 'label' }, 'Pinned by: '),
        pinned.length ? pinned.map(p => [pidLink(p), ' ']) : h('span', { class: 'muted' }, 'nothing (no process runs an old version)')),
      available.length ? h('div', { class: 'available' },
        h('span', { class: 'label' }, 'Upgrades available:'),
        h('ul', { class: 'upgrade-list' }, available.map(a => h('li', null,
          h('code', null, a.file), ' ', h('span', { class: 'muted' }, 'version ' + (a.version ?? '?')), ' ',
          ctx.caps.upgrade ? actionButton('upgrade', 'Upgrade', () => ctx.runAction(modPath + '/upgrade', { file: a.file }),
            { 'data-file': a.file, 'aria-label': `Upgrade ${m.module} to ${a.version ?? a.file}` }) : null))))
        : null,
      log.length ? h('ol', { class: 'upgrade-log', 'aria-label': `Upgrade steps of ${m.module}` },
        log.map(e => h('li', { class: /fail/i.test(e.detail ?? '') ? 'bad' : null },
          h('span', { class: 'mono' }, e.version ?? ''), ' ', e.detail ?? ''))) : null);
  }

  function render(modules) {
    modules = Array.isArray(modules) ? modules : [];
    modules.sort((a, b) => String(a.module).localeCompare(String(b.module)));
    rerender(shell.body, modules.length ? modules.map(moduleSection) : message('No modules are loaded.'));
  }

  view.showMessage = (text, kind) => replace(shell.body, message(text, kind));
  const load = loader(ctx, view, () => getJson('/api/modules'), render);
  const refetch = debounce(load, 250);
  view.refresh = load;
  view.mount = root => { root.appendChild(shell.root); shell.body.appendChild(message('Loading…')); };
  view.cleanup = () => refetch.cancel();
  view.onEvent = (kind, data) => {
    if (kind === 'upgrade') {
      const list = logs.get(data.module) ?? [];
      list.push(data);
      while (list.length > 12) list.shift();
      logs.set(data.module, list);
      refetch();
    } else if (kind === 'moduleLoaded' || kind === 'modulePurged' || kind === 'moduleUnloaded') {
      refetch();
    } else if (kind === 'exited') {
      refetch();
    }
  };
  return view;
}

// ---- Releases ---------------------------------------------------------------------------------------

function releasesView(ctx) {
  const view = baseView();
  const shell = viewShell('Releases');
  let journal = [];
  let releases = [];
  const journalBody = h('tbody');
  const plans = new Map(); // version -> plan | Error | null (loading)
  const shown = new Set(); // versions whose plan is shown

  function journalRow(e) {
    return h('tr', { 'data-testid': 'journal-entry', 'data-outcome': e.outcome ?? '' },
      h('td', { class: 'mono' }, e.version ?? ''),
      h('td', { class: 'num' }, fmtNum(e.index)),
      h('td', null, e.step ?? ''),
      h('td', null, pill(e.outcome)),
      h('td', { class: 'muted' }, e.detail ?? ''),
      h('td', { class: 'num' }, e.elapsedMs != null ? fmtRate(e.elapsedMs) + ' ms' : '—'));
  }

  function renderJournal() {
    replace(journalBody, journal.length ? journal.map(journalRow) : emptyRow(6, 'Nothing journaled yet.'));
  }

  function list(title, items, cls) {
    return items.length ? h('div', { class: 'plan-notes ' + cls }, h('p', { class: 'label' }, title),
      h('ul', null, items.map(t => h('li', null, String(t))))) : null;
  }

  function planBlock(version) {
    const plan = plans.get(version);
    const id = 'plan-' + version.replace(/[^A-Za-z0-9_-]/g, '_');
    let content;
    if (!plan) content = h('p', { class: 'muted' }, 'Loading the plan…');
    else if (plan instanceof Error) content = message(describeStatus(plan.status ?? 0, plan.message), 'error');
    else {
      const instr = Array.isArray(plan.instructions) ? plan.instructions : [];
      const procs = Array.isArray(plan.processes) ? plan.processes : [];
      content = [
        h('p', { class: 'muted' }, `${plan.direction ?? 'upgrade'} from ${plan.from ?? '?'} to ${plan.to ?? version}, ${instr.length} instruction${instr.length === 1 ? '' : 's'}`),
        list('Problems (the install would fail):', Array.isArray(plan.problems) ? plan.problems : [], 'bad'),
        list('Warnings:', Array.isArray(plan.warnings) ? plan.warnings : [], 'warn'),
        instr.length ? h('ol', { class: 'plan', 'data-testid': 'plan' }, instr.map(t => h('li', null, h('code', null, String(t)))))
          : h('p', { class: 'muted' }, 'The plan is empty.'),
        procs.length ? h('table', { class: 'data compact rehearsal' },
          h('caption', null, 'Code change rehearsal'),
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Process'), h('th', { scope: 'col' }, 'Module'), h('th', { scope: 'col' }, 'Result'))),
          h('tbody', null, procs.map(r => h('tr', null,
            h('td', null, pidLink(r.pid)), h('td', { class: 'mono' }, r.module ?? ''),
            h('td', null, r.ok ? pill('ok', 'ok') : [pill('failed'), ' ', r.error ?? ''])))))
          : null,
      ];
    }
    return h('section', { class: 'panel', 'aria-labelledby': id, 'data-testid': 'release-plan', 'data-version': version },
      h('h3', { id }, 'Plan for ', h('span', { class: 'mono' }, version)), content);
  }

  async function loadPlan(version) {
    if (plans.has(version)) return;
    plans.set(version, null);
    let plan;
    try {
      plan = await getJson('/api/releases/' + encodeURIComponent(version) + '/plan');
    } catch (e) {
      plan = e;
    }
    if (view.disposed || !plans.has(version)) return;
    plans.set(version, plan);
    const block = shell.body.querySelector(`[data-testid="release-plan"][data-version="${cssAttr(version)}"]`);
    if (block) block.replaceWith(planBlock(version));
  }

  function showPlan(version) {
    shown.add(version);
    plans.delete(version);
    const holder = shell.body.querySelector('.plans');
    if (!holder) return;
    const old = holder.querySelector(`[data-testid="release-plan"][data-version="${cssAttr(version)}"]`);
    const block = planBlock(version);
    if (old) old.replaceWith(block); else holder.appendChild(block);
    loadPlan(version);
    block.scrollIntoView({ block: 'nearest' });
  }

  function render(data) {
    if (!data || !data.enabled) {
      replace(shell.body, message('Releases are not enabled: this node runs no release handler.'));
      return;
    }
    releases = Array.isArray(data.releases) ? data.releases : [];
    journal = Array.isArray(data.journal) ? data.journal.slice() : [];
    // Statuses may have changed: the plans are fetched again; pending (unpacked) releases show theirs.
    plans.clear();
    for (const v of [...shown]) if (!releases.some(r => r.version === v && r.status !== 'current' && r.status !== 'permanent')) shown.delete(v);
    for (const r of releases) if (r.status === 'unpacked') shown.add(r.version);
    const canUpgrade = ctx.caps.upgrade;
    rerender(shell.body,
      h('section', { class: 'panel', 'aria-labelledby': 'rel-list' },
        h('div', { class: 'panel-head' },
          h('h3', { id: 'rel-list' }, 'Installed and unpacked', data.current ? h('span', { class: 'version' }, 'running ' + data.current) : null),
          canUpgrade ? h('span', { class: 'actions' }, actionButton('rollback', 'Roll back', () => ctx.runAction('/api/releases/rollback', {}),
            { title: 'Go back to the permanent release' })) : null),
        h('table', { class: 'data compact' },
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Version'), h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Status'),
            h('th', { scope: 'col' }, 'Actions'))),
          h('tbody', null, releases.length === 0 ? emptyRow(4, 'No releases.') : releases.map(r => {
            const vpath = '/api/releases/' + encodeURIComponent(r.version);
            const installable = r.status === 'unpacked' || r.status === 'old';
            return h('tr', { 'data-testid': 'release', 'data-version': r.version, 'data-status': r.status ?? '' },
              h('th', { scope: 'row', class: 'mono' }, r.version),
              h('td', null, r.name ?? ''),
              h('td', null, pill(r.status), r.version === data.current && r.status !== 'current' ? h('span', { class: 'muted' }, ' running') : null),
              h('td', { class: 'actions' },
                r.status === 'old' ? h('button', { type: 'button', class: 'btn', onclick: () => showPlan(r.version), 'aria-label': `Show the plan for ${r.version}` }, 'Plan') : null,
                canUpgrade && installable ? actionButton('install', 'Install', () => ctx.runAction(vpath + '/install', {}),
                  { 'aria-label': `Install release ${r.version}` }) : null,
                canUpgrade && r.status === 'current' ? actionButton('permanent', 'Make permanent', () => ctx.runAction(vpath + '/permanent', {}),
                  { 'aria-label': `Make release ${r.version} permanent` }) : null));
          })))),
      h('div', { class: 'plans' }, [...shown].map(planBlock)),
      h('section', { class: 'panel', 'aria-labelledby': 'rel-journal' },
        h('h3', { id: 'rel-journal' }, 'Journal'),
        h('table', { class: 'data compact' },
          h('thead', null, h('tr', null, ['Release', 'Step #', 'Step', 'Outcome', 'Detail', 'Elapsed'].map((t, i) =>
            h('th', { scope: 'col', class: i === 1 || i === 5 ? 'num' : null }, t)))),
          journalBody)));
    renderJournal();
    [...shown].forEach(loadPlan);
  }

  view.showMessage = (text, kind) => replace(shell.body, message(text, kind));
  const load = loader(ctx, view, () => getJson('/api/releases'), render);
  const refetch = debounce(load, 1000);
  view.refresh = load;
  view.mount = root => { root.appendChild(shell.root); shell.body.appendChild(message('Loading…')); };
  view.cleanup = () => refetch.cancel();
  view.onEvent = (kind, data) => {
    if (kind !== 'release') return;
    journal.push(data);
    if (journalBody.isConnected) {
      const empty = journalBody.querySelector('tr.empty');
      if (empty) empty.remove();
      journalBody.appendChild(journalRow(data));
    }
    // Statuses change at the end of an install: refetch once the steps stop coming.
    refetch();
  };
  return view;
}

// ---- Reports -----------------------------------------------------------------------------------------

const LEVELS = ['trace', 'debug', 'information', 'warning', 'error', 'critical'];
const MAX_REPORTS = 200;

function reportsView(ctx) {
  const view = baseView();
  const count = h('span', { class: 'count' });
  const shell = viewShell('Reports', count);
  let reports = [];
  let level = '';
  const seen = new Set();

  const levelSelect = h('select', { id: 'report-level', onchange: () => { level = levelSelect.value; renderRows(); } },
    h('option', { value: '' }, 'All levels'),
    LEVELS.map(l => h('option', { value: l }, l)),
    h('option', { value: 'warning+' }, 'warning and above'));
  const tbody = h('tbody');
  const table = h('table', { class: 'data reports' },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', class: 'time' }, 'Time'), h('th', { scope: 'col' }, 'Level'), h('th', { scope: 'col' }, 'Category'),
      h('th', { scope: 'col' }, 'Event'), h('th', { scope: 'col' }, 'Message'))), tbody);

  function matches(r) {
    if (!level) return true;
    if (level === 'warning+') return ['warning', 'error', 'critical'].includes(String(r.level).toLowerCase());
    return String(r.level).toLowerCase() === level;
  }

  function row(r) {
    return h('tr', { 'data-testid': 'report', 'data-level': r.level ?? '', 'data-seq': r.seq ?? '' },
      h('td', { class: 'mono nowrap', title: r.time ?? '' }, fmtTime(r.time)),
      h('td', null, pill(r.level)),
      h('td', { class: 'mono small' }, r.category ?? ''),
      h('td', { class: 'mono small' }, r.event ?? ''),
      h('td', { class: 'message-cell' }, r.message ?? ''));
  }

  function renderCount() {
    const shown = reports.filter(matches).length;
    count.textContent = shown === reports.length ? `${fmtNum(reports.length)} reports` : `${fmtNum(shown)} of ${fmtNum(reports.length)} reports`;
  }

  function renderRows() {
    const list = reports.filter(matches);
    replace(tbody, list.length ? list.map(row) : emptyRow(5, reports.length ? 'No report at this level.' : 'No reports yet.'));
    renderCount();
  }

  function add(r) {
    if (r.seq != null) {
      if (seen.has(r.seq)) return false;
      seen.add(r.seq);
    }
    reports.push(r);
    return true;
  }

  function render(data) {
    reports = [];
    seen.clear();
    (Array.isArray(data) ? data : []).forEach(add);
    trim();
    if (!table.isConnected) {
      replace(shell.body,
        h('form', { class: 'filters', 'aria-label': 'Filter reports', onsubmit: e => e.preventDefault() },
          h('div', { class: 'field' }, h('label', { for: 'report-level' }, 'Level'), levelSelect)),
        h('div', { class: 'table-wrap table-wrap-static' }, table));
    }
    renderRows();
  }

  function trim() {
    while (reports.length > MAX_REPORTS) {
      const r = reports.shift();
      if (r.seq != null) seen.delete(r.seq);
    }
  }

  view.showMessage = (text, kind) => replace(shell.body, message(text, kind));
  const load = loader(ctx, view, () => getJson('/api/reports'), render);
  view.refresh = load;
  view.mount = root => { root.appendChild(shell.root); shell.body.appendChild(message('Loading…')); };
  view.onEvent = (kind, data) => {
    if (kind !== 'report' || !view.loadedOnce) return;
    if (!add(data)) return;
    const overflow = reports.length > MAX_REPORTS;
    trim();
    if (overflow || !table.isConnected) { if (table.isConnected) renderRows(); return; }
    if (matches(data)) {
      const empty = tbody.querySelector('tr.empty');
      if (empty) empty.remove();
      tbody.appendChild(row(data));
    }
    renderCount();
  };
  return view;
}

export const views = {
  node: nodeView,
  apps: appsView,
  processes: processesView,
  process: processView,
  code: codeView,
  releases: releasesView,
  reports: reportsView,
};

