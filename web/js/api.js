// The one way pages talk to Confero: JSON over fetch, same origin.
// Staff pages log in with a session cookie; every unsafe request then
// carries the CSRF token the login (or /auth/me) returned.  A device
// paired with a check-in token uses "Authorization: Bearer" instead.
// Errors come back as ApiError with .status, .code, .fields (per-field
// messages from a 422) and .body (the whole JSON answer).
'use strict';

const Confero = (() => {
  let csrf = sessionStorage.getItem('confero.csrf') || '';
  let bearer = '';

  class ApiError extends Error {
    constructor(status, body) {
      const e = (body && body.error) || {};
      super(e.message || (body && body.result) || ('HTTP ' + status));
      this.status = status;
      this.code = e.code || (body && body.result) || '';
      this.fields = e.fields || {};
      this.body = body;
    }
  }

  async function request(method, path, body, opts = {}) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    // Not the server's cached copy of a public document: one built now.
    if (opts.fresh) headers['Cache-Control'] = 'no-cache';
    Object.assign(headers, opts.headers || {});
    if (bearer) headers.Authorization = 'Bearer ' + bearer;
    else if (csrf && method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrf;
    const res = await fetch(path, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: opts.signal,
    });
    if (opts.raw) return res;
    let data = null;
    const ct = res.headers.get('Content-Type') || '';
    if (ct.startsWith('application/json')) data = await res.json();
    else if (res.status !== 204) data = await res.text();
    if (!res.ok && !(opts.accept || []).includes(res.status)) throw new ApiError(res.status, data);
    if (opts.withStatus) return { status: res.status, body: data };
    return data;
  }

  async function login(email, password) {
    const r = await request('POST', '/api/v1/auth/login', { email, password });
    setCsrf(r.csrf_token);
    return r;
  }

  // The signed-in user, or null.  Refreshes the CSRF token.
  async function me() {
    try {
      const r = await request('GET', '/api/v1/auth/me');
      if (r && r.csrf_token) setCsrf(r.csrf_token);
      return r;
    } catch (e) {
      if (e.status === 401) return null;
      throw e;
    }
  }

  async function logout() {
    try { await request('POST', '/api/v1/auth/logout'); } finally { setCsrf(''); }
  }

  function setCsrf(t) {
    csrf = t || '';
    if (csrf) sessionStorage.setItem('confero.csrf', csrf);
    else sessionStorage.removeItem('confero.csrf');
  }

  function setBearer(t) { bearer = t || ''; }

  return {
    ApiError, request, login, me, logout, setBearer,
    get: (p, o) => request('GET', p, undefined, o),
    post: (p, b, o) => request('POST', p, b === undefined ? {} : b, o),
    patch: (p, b, o) => request('PATCH', p, b, o),
    del: (p, o) => request('DELETE', p, undefined, o),
  };
})();

// Small DOM helpers shared by every page.  Text always goes in through
// textContent (never innerHTML), so no data from the API can run as script.
const UI = {
  $(sel, root = document) { return root.querySelector(sel); },
  $$(sel, root = document) { return Array.from(root.querySelectorAll(sel)); },
  // el('p', {class: 'x', text: 'hi'}, child, ...)
  el(tag, attrs = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') e.textContent = v;
      else if (k === 'class') e.className = v;
      else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
      else if (v === true) e.setAttribute(k, '');
      else e.setAttribute(k, v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  },
  clear(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; },
  // A translated sentence as nodes: {name} placeholders become parts[name]
  // (a node, or a string), and [words] become a link with the attributes
  // link (e.g. {href, id}).  Sentences stay whole for the translators even
  // where a piece of them is an element.  Text only: never markup.
  rich(text, parts = {}, link = null) {
    const out = [];
    const re = /\{([A-Za-z_]\w*)\}|\[([^\]]+)\]/g;
    let last = 0;
    let m;
    while ((m = re.exec(text)) !== null) {
      if (m[1] !== undefined && !(m[1] in parts)) continue;
      if (m[2] !== undefined && !link) continue;
      if (m.index > last) out.push(text.slice(last, m.index));
      if (m[1] !== undefined) out.push(parts[m[1]]);
      else out.push(UI.el('a', { ...link, text: m[2] }));
      last = re.lastIndex;
    }
    if (last < text.length) out.push(text.slice(last));
    return out.filter((x) => x !== null && x !== undefined && x !== '');
  },
  // Times: the API gives RFC 3339 with the event's offset; show them in
  // the event's time zone, as the organiser planned them.
  // In the page's language (web/js/i18n.js), when the page loads it.
  fmtDate(iso, tz, opts = { dateStyle: 'full' }) {
    return new Intl.DateTimeFormat(typeof I18N !== 'undefined' ? I18N.lang : undefined, { timeZone: tz, ...opts }).format(new Date(iso));
  },
  fmtTime(iso, tz) {
    return new Intl.DateTimeFormat(typeof I18N !== 'undefined' ? I18N.lang : undefined, { timeZone: tz, hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(iso));
  },
  fmtDateTime(iso, tz) {
    return new Intl.DateTimeFormat(typeof I18N !== 'undefined' ? I18N.lang : undefined, { timeZone: tz, dateStyle: 'medium', timeStyle: 'short', hour12: false }).format(new Date(iso));
  },
  // The day (YYYY-MM-DD) of an instant in a time zone, for grouping.
  dayKey(iso, tz) {
    return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
  },
  money(cents, cur) {
    if (!cents) return typeof t === 'function' ? t('Free') : 'Free';
    return new Intl.NumberFormat(typeof I18N !== 'undefined' ? I18N.lang : undefined, { style: 'currency', currency: cur || 'EUR' }).format(cents / 100);
  },
  // A polite live region for status messages (screen readers hear them).
  announce(msg, root = document) {
    let r = root.querySelector('#announce');
    if (!r) {
      r = UI.el('div', { id: 'announce', class: 'visually-hidden', 'aria-live': 'polite' });
      document.body.append(r);
    }
    r.textContent = msg;
  },
};
