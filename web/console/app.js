// The organiser console: sign-in, hash routing, the page frame and the
// helpers every view shares.  Views (events.js, programme.js, ...) add
// themselves with ConsoleApp.route(pattern, render).
//
// Routes: #/                          the events the user manages
//         #/events/new                 create an event
//         #/events/<slug>              settings, publish, close
//         #/events/<slug>/<section>    programme, tickets, members, devices,
//                                      registrations, mailings, matchmaking,
//                                      meetings, dashboard
'use strict';

const ConsoleApp = (() => {
  const routes = [];
  let me = null;
  let leaveHooks = [];
  let tz = TZ.browserZone();
  let renderSeq = 0;

  // The tables of words are functions: the catalog is loaded after the
  // scripts run, so t() must be called when a page is drawn.
  function sections() {
    return [
      ['', t('Settings')],
      ['programme', t('Programme')],
      ['tickets', t('Tickets & questions')],
      ['members', t('Members')],
      ['devices', t('Check-in devices')],
      ['registrations', t('Registrations')],
      ['mailings', t('Mailings')],
      ['matchmaking', t('Matchmaking')],
      ['meetings', t('Meetings')],
      ['dashboard', t('Dashboard')],
    ];
  }

  // A registration's or an event's status (the API's code) in words.
  function statusLabel(status) {
    const labels = {
      confirmed: tc('registration status', 'Confirmed'),
      waitlisted: tc('registration status', 'Waiting list'),
      pending_approval: tc('registration status', 'Awaiting approval'),
      pending_payment: tc('registration status', 'Awaiting payment'),
      cancelled: tc('registration status', 'Cancelled'),
      rejected: tc('registration status', 'Rejected'),
      draft: tc('event status', 'Draft'),
      published: tc('event status', 'Published'),
      closed: tc('event status', 'Closed'),
    };
    return labels[status] || status;
  }

  function route(pattern, render) { routes.push({ pattern, render }); }

  function onLeave(fn) { leaveHooks.push(fn); }

  function currentTz() { return tz; }
  function setTz(z) { if (z && TZ.valid(z)) tz = z; }

  function parseHash() {
    let h = location.hash.replace(/^#/, '');
    if (!h.startsWith('/')) h = '/';
    const q = h.indexOf('?');
    const path = q >= 0 ? h.slice(0, q) : h;
    const query = new URLSearchParams(q >= 0 ? h.slice(q + 1) : '');
    return { path: path.replace(/\/+$/, '') || '/', query };
  }

  function go(path, query) {
    const qs = query ? new URLSearchParams(query).toString() : '';
    const h = '#' + path + (qs ? '?' + qs : '');
    if (location.hash === h) render();
    else location.hash = h;
  }

  function main() { return document.getElementById('main'); }

  function leave() {
    const hooks = leaveHooks;
    leaveHooks = [];
    for (const f of hooks) { try { f(); } catch (e) { /* already gone */ } }
  }

  async function render() {
    leave();
    const seq = ++renderSeq;
    const m = main();
    if (!me) {
      renderLogin();
      return;
    }
    renderUserNav();
    if (me.user.role === 'checkin') {
      UI.clear(m).append(
        UI.el('h1', { text: t('Door staff') }),
        UI.el('p', { class: 'notice warn', text: t('Your account is for check-in only. Use the door scanner.') }),
        UI.el('p', {}, UI.el('a', { class: 'button', href: '/scan/', text: t('Open the door scanner') })));
      return;
    }
    const { path, query } = parseHash();
    for (const r of routes) {
      const match = r.pattern.exec(path);
      if (!match) continue;
      UI.clear(m).append(UI.el('p', { class: 'muted loading', text: t('Loading\u2026') }));
      try {
        await r.render(m, match.slice(1).map(decodeURIComponent), query, () => seq === renderSeq);
      } catch (e) {
        if (seq !== renderSeq) return;
        if (e instanceof Confero.ApiError && e.status === 401) { signedOut(); return; }
        UI.clear(m).append(UI.el('h1', { text: t('Something went wrong') }), errorNotice(e));
      }
      if (seq === renderSeq) focusHeading();
      return;
    }
    UI.clear(m).append(UI.el('h1', { text: t('Not found') }),
      UI.el('p', {}, UI.el('a', { href: '#/', text: t('Back to your events') })));
  }

  let lastPath = null;
  function focusHeading() {
    // Move focus to the new page's heading when the page (not only its
    // query) changed, so screen-reader and keyboard users start there.
    const { path } = parseHash();
    if (path === lastPath) return;
    lastPath = path;
    const h = main().querySelector('h1');
    if (h) { h.setAttribute('tabindex', '-1'); h.focus({ preventScroll: false }); }
    document.title = h ? t('{page} \u2013 Confero console', { page: h.textContent }) : t('Confero console');
  }

  function errorNotice(e) {
    let text = e && e.message ? e.message : String(e);
    if (e instanceof Confero.ApiError) {
      // The server's own message is in the language it negotiated.
      if (e.status === 403) text = e.message ? t('You do not have access to this. {reason}', { reason: e.message }) : t('You do not have access to this.');
      else if (e.status === 404) text = t('Not found.');
      else if (e.status === 0 || e.status >= 500) text = t('The server could not answer; try again. ({reason})', { reason: e.message });
    } else if (e instanceof TypeError) {
      text = t('No connection to the server; try again.');
    }
    return UI.el('div', { class: 'notice bad', role: 'alert', text });
  }

  // ---- sign-in

  function renderLogin() {
    const m = main();
    UI.clear(document.getElementById('user-nav'));
    const f = Forms.build([
      { name: 'email', label: t('Email'), type: 'email', required: true, autocomplete: 'username' },
      { name: 'password', label: t('Password'), type: 'password', required: true, autocomplete: 'current-password' },
    ], {}, {
      submit: t('Sign in'),
      onSubmit: async (v) => {
        try {
          await Confero.login(v.email, v.password);
        } catch (e) {
          if (e.status === 401) throw new Error(t('Wrong email or password.'));
          throw e;
        }
        me = await Confero.me();
        await useLanguage();
        render();
      },
    });
    f.form.classList.add('login-form');
    UI.clear(m).append(
      UI.el('h1', { text: t('Sign in to the organiser console') }),
      f.form,
      // TRANSLATORS: the words in [brackets] become the link to the scanner.
      UI.el('p', { class: 'muted' }, ...rich(t('Door staff: use the [door scanner].'), {}, { href: '/scan/' })));
    document.title = t('Sign in \u2013 Confero console');
    f.control('email').focus();
  }

  function renderUserNav() {
    const nav = document.getElementById('user-nav');
    UI.clear(nav).append(
      UI.el('a', { href: '#/', text: t('Events') }),
      UI.el('span', { class: 'who', text: me.user.email }),
      UI.el('button', { type: 'button', class: 'link-button', id: 'logout', text: t('Log out'),
        onclick: async () => {
          try { await Confero.logout(); } catch (e) { /* the session may be gone already */ }
          me = null;
          lastPath = null;
          location.hash = '#/';
          render();
        } }));
  }

  function signedOut() {
    me = null;
    lastPath = null;
    render();
  }

  // ---- shared building blocks

  async function loadEvent(slug) {
    const ev = await Confero.get('/api/v1/events/' + encodeURIComponent(slug));
    setTz(ev.timezone);
    return ev;
  }

  function eventPath(ev, section) {
    return '/events/' + encodeURIComponent(ev.slug) + (section ? '/' + section : '');
  }

  function statusBadge(status) {
    return UI.el('span', { class: 'badge status-' + status, text: statusLabel(status) });
  }

  const rich = UI.rich;

  // The event's heading and section tabs.
  function eventHeader(ev, active, title) {
    const nav = UI.el('nav', { class: 'event-nav', 'aria-label': t('Event sections') });
    const ul = UI.el('ul');
    for (const [key, label] of sections()) {
      const a = UI.el('a', { href: '#' + eventPath(ev, key), text: label });
      if (key === active) a.setAttribute('aria-current', 'page');
      ul.append(UI.el('li', {}, a));
    }
    nav.append(ul);
    const dates = UI.fmtDate(ev.starts_at, ev.timezone, { dateStyle: 'medium' }) +
      (UI.dayKey(ev.starts_at, ev.timezone) !== UI.dayKey(ev.ends_at, ev.timezone)
        ? ' \u2013 ' + UI.fmtDate(ev.ends_at, ev.timezone, { dateStyle: 'medium' }) : '');
    return UI.el('div', { class: 'event-head' },
      UI.el('p', { class: 'crumbs' }, UI.el('a', { href: '#/', text: t('Events') }), ' / ',
        UI.el('span', { text: ev.name }), ' ', statusBadge(ev.status)),
      UI.el('h1', { text: title }),
      UI.el('p', { class: 'muted event-when', text: dates + ' \u00b7 ' + ev.timezone }),
      nav);
  }

  // key: a stable id for the section (the title is translated).
  function section(key, title, ...children) {
    const id = 'sec-' + key;
    return UI.el('section', { class: 'panel', 'aria-labelledby': id },
      UI.el('h2', { id, text: title }), ...children);
  }

  // A button that runs an async action, shows progress and reports errors
  // into target (or announces them).
  function actionButton(label, fn, opts = {}) {
    const b = UI.el('button', { type: 'button', class: opts.class || 'secondary', text: label });
    if (opts.label) b.setAttribute('aria-label', opts.label);
    b.addEventListener('click', async () => {
      if (opts.confirm && !window.confirm(opts.confirm)) return;
      b.disabled = true;
      try {
        await fn(b);
      } catch (e) {
        if (e instanceof Confero.ApiError && e.status === 401) { signedOut(); return; }
        const box = opts.errors ? opts.errors() : null;
        if (box) UI.clear(box).append(errorNotice(e));
        else UI.announce(e.message || String(e));
      } finally {
        if (b.isConnected) b.disabled = false;
      }
    });
    return b;
  }

  // Replace el's children; null, undefined and false children are skipped.
  function put(el, ...kids) {
    UI.clear(el).append(...kids.flat().filter((k) => k !== null && k !== undefined && k !== false));
    return el;
  }

  function flash(box, text, kind = 'ok') {
    UI.clear(box).append(UI.el('div', { class: 'notice ' + kind, role: kind === 'bad' ? 'alert' : 'status', text }));
  }

  function fmtRange(a, b, zone) {
    if (!a) return '';
    if (!b) return UI.fmtDateTime(a, zone);
    const same = UI.dayKey(a, zone) === UI.dayKey(b, zone);
    return UI.fmtDateTime(a, zone) + ' \u2013 ' + (same ? UI.fmtTime(b, zone) : UI.fmtDateTime(b, zone));
  }

  // A table whose cells carry their column name, so that narrow screens
  // can show each row as a card (console.css).
  function table(columns, rows, opts = {}) {
    const tbl = UI.el('table', { class: 'rtable' + (opts.class ? ' ' + opts.class : '') });
    if (opts.caption) tbl.append(UI.el('caption', { class: opts.captionVisible ? '' : 'visually-hidden', text: opts.caption }));
    const tr = UI.el('tr');
    for (const c of columns) tr.append(UI.el('th', { scope: 'col', text: c }));
    tbl.append(UI.el('thead', {}, tr));
    const body = UI.el('tbody');
    for (const r of rows) body.append(tableRow(columns, r));
    tbl.append(body);
    return UI.el('div', { class: 'table-wrap' }, tbl);
  }

  function tableRow(columns, cells) {
    const tr = UI.el('tr');
    cells.forEach((c, i) => {
      const td = UI.el(i === 0 ? 'th' : 'td', { 'data-label': columns[i] });
      if (i === 0) td.setAttribute('scope', 'row');
      if (c instanceof Node) td.append(c);
      else if (Array.isArray(c)) td.append(...c.filter((x) => x !== null && x !== undefined));
      else td.textContent = c === null || c === undefined ? '' : String(c);
      tr.append(td);
    });
    return tr;
  }

  // ---- the language: the signed-in user's (user.language), else the
  // usual choice (?lang, the confero_lang cookie, the browser's, English)

  let langReady = false;

  async function useLanguage() {
    const want = me && me.user ? me.user.language : null;
    if (want) {
      if (!langReady || want !== I18N.lang) await I18N.use(want);
    } else if (!langReady) {
      await I18N.init();
    }
    langReady = true;
    drawSwitcher();
  }

  function drawSwitcher() {
    const slot = document.getElementById('lang-slot');
    if (!slot) return;
    const sw = I18N.switcher();
    // Capture: runs before the select's own listener (which sets the
    // cookie and reloads), so a signed-in user's choice is saved first.
    sw.addEventListener('change', onLanguage, true);
    UI.clear(slot).append(sw);
  }

  // The switcher's choice: saved as the user's language first when
  // signed in (it wins over the cookie on the next visit), then the
  // cookie and a reload.  i18n.js's own listener is not used: its
  // location.replace() keeps the #/ route, a same-document navigation
  // that would not reload the page.
  async function onLanguage(ev) {
    const sel = ev.target;
    ev.stopPropagation();
    const code = sel.value;
    if (me && me.auth === 'session') {
      sel.disabled = true;
      try {
        await Confero.patch('/api/v1/auth/me', { language: code });
      } catch (e) {
        if (!(e instanceof Confero.ApiError && e.status === 401)) {
          sel.disabled = false;
          sel.value = I18N.lang;
          const box = UI.el('div', { class: 'notice bad', role: 'alert',
            text: t('Your language could not be saved; try again. ({reason})', { reason: e.message || String(e) }) });
          main().prepend(box);
          return;
        }
        // Signed out meanwhile: the cookie alone keeps the choice.
      }
    }
    const sameDocument = location.hash !== '' && !new URLSearchParams(location.search).has('lang');
    I18N.choose(code);
    if (sameDocument) location.reload();
  }

  async function start() {
    const skip = document.querySelector('.skip-link');
    if (skip) {
      skip.addEventListener('click', (e) => {
        e.preventDefault();
        const m = main();
        m.setAttribute('tabindex', '-1');
        m.focus();
      });
    }
    try {
      me = await Confero.me();
    } catch (e) {
      me = null;
      await useLanguage();
      UI.clear(main()).append(errorNotice(e));
      return;
    }
    await useLanguage();
    window.addEventListener('hashchange', render);
    render();
  }

  return {
    route, onLeave, render, go, start, signedOut, currentTz, setTz, loadEvent,
    eventPath, eventHeader, section, actionButton, flash, put, errorNotice, fmtRange,
    statusBadge, statusLabel, rich, table, tableRow,
    me: () => me,
  };
})();
