// Otp.Net dashboard: routing, the live event stream, actions and the shared page chrome.
import { base, getJson, post, describeStatus } from './api.js';
import { replace, pathToPid } from './dom.js';
import { views } from './views.js';

const main = document.getElementById('main');
const viewRoot = document.getElementById('view');
const banner = document.getElementById('banner');
const bannerText = document.getElementById('banner-text');
const result = document.querySelector('[data-testid="action-result"]');
const live = document.querySelector('[data-testid="live"]');
const liveText = document.getElementById('live-text');
const nodeName = document.getElementById('node-name');
const dialog = document.getElementById('confirm-dialog');
const dialogMessage = document.getElementById('confirm-message');
const dialogTitle = document.getElementById('confirm-title');
const dialogYes = dialog.querySelector('button[data-confirm="yes"]');

const ctx = {
  base,
  node: null,
  caps: { operate: false, upgrade: false },
  stream: 'closed',
  showError, clearError, runAction, confirm: confirmDialog, refreshNode,
  navigate(hash) { location.hash = hash; },
};

let current = null;
let currentKey = '';

// ---- banner (non-blocking errors) -------------------------------------------------------------

function showError(message) {
  bannerText.textContent = message;
  banner.hidden = false;
}

function clearError() {
  banner.hidden = true;
  bannerText.textContent = '';
}

document.getElementById('banner-dismiss').addEventListener('click', clearError);

// ---- actions ------------------------------------------------------------------------------------

function setResult(ok, text) {
  result.textContent = text;
  result.classList.toggle('result-error', !ok);
  result.classList.toggle('result-ok', ok);
  result.hidden = false;
}

async function runAction(path, body, options = {}) {
  if (options.confirm) {
    const yes = await confirmDialog(options.confirm, options.confirmLabel ?? 'Confirm', options.title);
    if (!yes) return null;
  }
  result.classList.add('result-busy');
  const outcome = await post(path, body);
  result.classList.remove('result-busy');
  setResult(outcome.ok, outcome.text);
  if (options.refresh !== false && current && current.refresh) current.refresh();
  return outcome;
}

// ---- confirm dialog ------------------------------------------------------------------------------

let pendingConfirm = null;

function confirmDialog(message, confirmLabel = 'Confirm', title = 'Please confirm') {
  if (pendingConfirm) pendingConfirm(false);
  dialogTitle.textContent = title;
  dialogMessage.textContent = message;
  dialogYes.textContent = confirmLabel;
  dialog.returnValue = '';
  return new Promise(resolve => {
    pendingConfirm = resolve;
    if (typeof dialog.showModal === 'function') dialog.showModal();
    else dialog.setAttribute('open', '');
  });
}

dialog.addEventListener('close', () => {
  const resolve = pendingConfirm;
  pendingConfirm = null;
  if (resolve) resolve(dialog.returnValue === 'yes');
});

// ---- node info (name, capabilities) ------------------------------------------------------------

async function refreshNode(rethrow) {
  try {
    const node = await getJson('/api/node');
    const before = JSON.stringify(ctx.caps);
    ctx.node = node;
    ctx.caps = { operate: !!(node.capabilities && node.capabilities.operate), upgrade: !!(node.capabilities && node.capabilities.upgrade) };
    nodeName.textContent = node.nodeName || '';
    nodeName.hidden = !node.nodeName;
    document.title = (node.nodeName ? node.nodeName + ' · ' : '') + 'Otp.Net dashboard';
    return { node, capsChanged: before !== JSON.stringify(ctx.caps) };
  } catch (e) {
    if (rethrow) throw e;
    if (e.status === 403 || e.status === 404) showError(describeStatus(e.status, e.message));
    else showError('Could not read the node: ' + e.message);
    return null;
  }
}

// ---- routing -------------------------------------------------------------------------------------

function parseHash() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [name, ...rest] = hash.split('/');
  if (name === 'process' && rest.length > 0 && rest[0]) return { name: 'process', param: pathToPid(decodeURIComponent(rest.join('/'))) };
  if (views[name]) return { name, param: null };
  return { name: 'node', param: null };
}

function route(force) {
  const { name, param } = parseHash();
  const key = name + '|' + (param ?? '');
  if (key === currentKey && current && force !== true) return;
  if (current && current.dispose) current.dispose();
  currentKey = key;
  const navName = name === 'process' ? 'processes' : name;
  for (const a of document.querySelectorAll('nav a[data-view]')) {
    if (a.dataset.view === navName) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  main.dataset.currentView = name;
  replace(viewRoot);
  current = views[name](ctx, param);
  current.mount(viewRoot);
  if (current.refresh) current.refresh();
  const heading = viewRoot.querySelector('h2');
  if (heading && document.activeElement && document.activeElement.closest && document.activeElement.closest('nav')) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

window.addEventListener('hashchange', () => route());

// ---- live stream -------------------------------------------------------------------------------

const kinds = ['spawned', 'exited', 'restarted', 'suspended', 'resumed', 'moduleLoaded', 'modulePurged', 'moduleUnloaded',
  'upgrade', 'release', 'report', 'sample', 'dropped'];

let source = null;
let reconnectTimer = null;
let reconnectDelay = 2000;

function setLive(state) {
  ctx.stream = state;
  live.dataset.state = state;
  liveText.textContent = state === 'open' ? 'Live' : 'Offline';
  live.title = state === 'open' ? 'Receiving live events' : 'Not connected to the event stream; reconnecting';
}

function dispatch(kind, data) {
  if (kind === 'sample' && ctx.node) {
    for (const k of ['processCount', 'mailboxTotal', 'mailboxMax']) if (typeof data[k] === 'number') ctx.node[k] = data[k];
  }
  if (kind === 'dropped') {
    refreshNode().then(r => {
      if (r && r.capsChanged) route(true);
      else if (current && current.refresh) current.refresh();
    });
    return;
  }
  if (current && current.onEvent) {
    try {
      current.onEvent(kind, data);
    } catch (e) {
      console.error('event handler failed', kind, e);
    }
  }
}

function connect() {
  clearTimeout(reconnectTimer);
  if (source) source.close();
  source = new EventSource(base + '/api/events');
  source.onopen = () => {
    reconnectDelay = 2000;
    const wasClosed = ctx.stream !== 'open';
    setLive('open');
    // Events may have been missed while the stream was down.
    if (wasClosed && current && current.refresh && current.loadedOnce) current.refresh();
  };
  source.onerror = () => {
    setLive('closed');
    // EventSource retries by itself unless the server answered with an error; then retry by hand.
    if (source.readyState === EventSource.CLOSED) {
      reconnectTimer = setTimeout(connect, reconnectDelay);
      reconnectDelay = Math.min(reconnectDelay * 2, 30000);
    }
  };
  for (const kind of kinds) {
    source.addEventListener(kind, ev => {
      let data;
      try { data = ev.data ? JSON.parse(ev.data) : {}; } catch { return; }
      dispatch(kind, data ?? {});
    });
  }
}

window.addEventListener('pagehide', () => { if (source) source.close(); });
window.addEventListener('pageshow', e => {
  if (!e.persisted) return;
  connect();
  if (current && current.refresh) current.refresh();
});

// ---- start ---------------------------------------------------------------------------------------

async function start() {
  setLive('closed');
  await refreshNode();
  route();
  connect();
}

start();

