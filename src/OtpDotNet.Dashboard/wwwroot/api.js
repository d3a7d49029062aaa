// The dashboard's JSON API: reads, and actions guarded by the antiforgery token.

function readBase() {
  const meta = document.querySelector('meta[name="otp-base"]');
  let value = meta ? meta.getAttribute('content') : null;
  if (!value || value.includes('%OTP_BASE%')) value = location.pathname;
  return value.replace(/\/+$/, '');
}

export const base = readBase();

export class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function errorText(res) {
  try {
    const body = await res.json();
    if (body && typeof body.error === 'string' && body.error) return body.error;
    if (body && typeof body.title === 'string' && body.title) return body.title;
  } catch { /* not JSON */ }
  return res.statusText || 'request failed';
}

export function describeStatus(status, text) {
  if (status === 403) return `Forbidden (403): ${text || 'you are not allowed to do this.'}`;
  if (status === 404) return `Not found (404): ${text || 'nothing here.'}`;
  if (status === 0) return text;
  return `Error ${status}: ${text}`;
}

// With { withHeaders: true } the answer is { data, headers }.
export async function getJson(path, { withHeaders = false } = {}) {
  let res;
  try {
    res = await fetch(base + path, { headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' });
  } catch (e) {
    throw new HttpError(0, 'The node did not answer (' + (e && e.message ? e.message : 'network error') + ').');
  }
  if (!res.ok) throw new HttpError(res.status, await errorText(res));
  try {
    const data = await res.json();
    return withHeaders ? { data, headers: res.headers } : data;
  } catch {
    throw new HttpError(res.status, 'The answer was not valid JSON.');
  }
}

let antiforgery = null;

async function token(force) {
  if (!antiforgery || force) antiforgery = await getJson('/api/antiforgery');
  return antiforgery;
}

// Returns { ok, text, status }; never throws.
export async function post(path, body) {
  for (let attempt = 0; attempt < 2; attempt++) {
    let af;
    try {
      af = await token(attempt > 0);
    } catch (e) {
      return { ok: false, status: e.status ?? 0, text: e.status === 404 ? 'Actions are not enabled on this dashboard.' : describeStatus(e.status ?? 0, e.message) };
    }
    let res;
    try {
      res = await fetch(base + path, {
        method: 'POST',
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', [af.headerName || 'X-Otp-Antiforgery']: af.token },
        body: JSON.stringify(body ?? {}),
      });
    } catch (e) {
      return { ok: false, status: 0, text: 'The node did not answer (' + (e && e.message ? e.message : 'network error') + ').' };
    }
    // A refused request did nothing; the token may be stale (cookie rotated): fetch a new one and try once more.
    if (res.status === 400 && attempt === 0) continue;
    let payload = null;
    try { payload = await res.json(); } catch { /* empty or not JSON */ }
    if (res.ok && (!payload || payload.ok !== false)) {
      return { ok: true, status: res.status, text: payload && payload.result != null ? String(payload.result) : 'Done.' };
    }
    const text = payload && payload.error ? String(payload.error) : null;
    if (res.status === 404 && !text) return { ok: false, status: 404, text: 'Not found (404): actions are not enabled, or the target is gone.' };
    if (res.status === 403 && !text) return { ok: false, status: 403, text: 'Forbidden (403): you are not allowed to do this.' };
    return { ok: false, status: res.status, text: text ?? `Error ${res.status}: ${res.statusText || 'request failed'}` };
  }
  return { ok: false, status: 400, text: 'The antiforgery token was refused.' };
}
