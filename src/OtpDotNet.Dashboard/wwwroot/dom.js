// Small DOM helpers: every piece of data goes in as text, never as markup.

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = String(v);
      else if (k === 'value') el.value = String(v);
      else if (k === 'checked') el.checked = !!v;
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  return append(el, children);
}

// "<0.12.0>" <-> "0.12.0"
export function pidToPath(pid) {
  return String(pid).replace(/^</, '').replace(/>$/, '');
}

export function pathToPid(path) {
  return '<' + path + '>';
}

export function pidLink(pid, label) {
  if (!pid) return h('span', { class: 'muted' }, '—');
  return h('a', { href: '#/process/' + pidToPath(pid), class: 'pid' }, label ?? pid);
}

export function comparePids(a, b) {
  const pa = String(a ?? '').replace(/[<>]/g, '').split('.').map(Number);
  const pb = String(b ?? '').replace(/[<>]/g, '').split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] || 0) - (pb[i] || 0);
    if (d !== 0) return d;
  }
  return 0;
}

const numberFormat = new Intl.NumberFormat('en-US');
const rateFormat = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const pctFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

export function fmtNum(n) {
  return n === null || n === undefined || Number.isNaN(n) ? '—' : numberFormat.format(n);
}

export function fmtRate(n) {
  return n === null || n === undefined ? '—' : rateFormat.format(n);
}

export function fmtPct(n) {
  return n === null || n === undefined ? '—' : pctFormat.format(n) + ' %';
}

export function fmtBytes(n) {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n, i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? String(v) : v.toFixed(1)) + ' ' + units[i];
}

export function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  let s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400); s -= d * 86400;
  const hh = Math.floor(s / 3600); s -= hh * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  if (d > 0) return `${d}d ${hh}h ${m}m`;
  if (hh > 0) return `${hh}h ${m}m ${s}s`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}

export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleTimeString('en-GB', { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0');
}

export function fmtDateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const pad = n => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

const tones = {
  running: 'ok', current: 'ok', permanent: 'ok', done: 'ok', ok: 'ok', information: 'info',
  waiting: 'info', unpacked: 'info', debug: 'neutral', trace: 'neutral',
  suspended: 'warn', restarting: 'warn', old: 'warn', pendingunload: 'warn', warning: 'warn',
  exited: 'bad', undefined: 'bad', unloaded: 'neutral', failed: 'bad', error: 'bad', critical: 'bad',
  undone: 'warn', undofailed: 'bad',
};

export function tone(status) {
  return tones[String(status ?? '').toLowerCase()] ?? 'neutral';
}

export function pill(status, label) {
  return h('span', { class: 'pill pill-' + tone(status) }, label ?? String(status ?? '—'));
}

export function debounce(fn, ms) {
  let timer = null;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => { timer = null; fn(...args); }, ms);
  };
  wrapped.cancel = () => { clearTimeout(timer); timer = null; };
  return wrapped;
}

// Runs fn at most once per `ms`, with a trailing call so the last change is never lost.
export function throttle(fn, ms) {
  let last = 0, timer = null;
  const wrapped = () => {
    if (timer) return;
    const wait = Math.max(0, last + ms - Date.now());
    timer = setTimeout(() => { timer = null; last = Date.now(); fn(); }, wait);
  };
  wrapped.cancel = () => { clearTimeout(timer); timer = null; };
  return wrapped;
}

export function cssAttr(value) {
  return window.CSS && CSS.escape ? CSS.escape(String(value)) : String(value).replace(/["\\]/g, '\\$&');
}

// Keeps keyboard focus across a re-render: remembers what the focused element was (its action, link or id,
// and the data-testid element it belongs to) and focuses its replacement.
export function focusToken(container) {
  const el = document.activeElement;
  if (!el || el === container || !container.contains(el)) return null;
  let self = null;
  if (el.dataset && el.dataset.action) {
    self = `[data-action="${cssAttr(el.dataset.action)}"]` + (el.dataset.file ? `[data-file="${cssAttr(el.dataset.file)}"]` : '');
  } else if (el.dataset && el.dataset.sort) self = `[data-sort="${cssAttr(el.dataset.sort)}"]`;
  else if (el.id) self = '#' + cssAttr(el.id);
  else if (el.tagName === 'A' && el.getAttribute('href')) self = `a[href="${cssAttr(el.getAttribute('href'))}"]`;
  if (!self) return null;
  const owner = el.parentElement ? el.parentElement.closest('[data-testid]') : null;
  let ownerSel = null;
  if (owner && container.contains(owner)) {
    ownerSel = `[data-testid="${cssAttr(owner.dataset.testid)}"]`;
    if (owner.dataset.testid === 'tree-node' && owner.dataset.childId) ownerSel += `[data-child-id="${cssAttr(owner.dataset.childId)}"]`;
    else if (owner.dataset.pid) ownerSel += `[data-pid="${cssAttr(owner.dataset.pid)}"]`;
    if (owner.dataset.module) ownerSel += `[data-module="${cssAttr(owner.dataset.module)}"]`;
    if (owner.dataset.version) ownerSel += `[data-version="${cssAttr(owner.dataset.version)}"]`;
  }
  return { self, owner: ownerSel };
}

export function restoreFocus(container, token) {
  if (!token || document.activeElement && document.activeElement !== document.body && container.contains(document.activeElement)) return;
  const scope = token.owner ? container.querySelector(token.owner) : container;
  const el = scope ? scope.querySelector(token.self) : null;
  if (el && typeof el.focus === 'function') el.focus({ preventScroll: true });
}
