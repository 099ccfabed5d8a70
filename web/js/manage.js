// The attendee's ticket page /manage/{secret}: the same URL answers JSON
// to fetch (GET the registration and ticket, PATCH session sign-ups,
// DELETE to cancel).  The secret never leaves this origin: no third-party
// requests, and the server sends Referrer-Policy: no-referrer.
// Language: the page speaks what the server chose (page_language: ?lang=
// for a moment, else the registration's language).  Its switcher changes
// the registration's language for good (PATCH {"language"}): every later
// mail, the badge and the certificate follow it.
// Personal data: "Your data" links to the download (…/data?download=1)
// and asks for erasure (POST …/erase without a body: Confero mails a link
// …/manage/{secret}?erase=<token>); opened from that mail, the page asks
// once more and erases (POST …/erase {"confirm": token}).  An erased
// registration's link answers 410 gone.
'use strict';

(() => {
  const self = location.pathname;
  // Changes ask for the server's messages in the page's language.
  const selfLang = () => self + '?lang=' + encodeURIComponent(I18N.lang);
  const base = self.replace(/\/+$/, '');
  const eraseLang = () => base + '/erase?lang=' + encodeURIComponent(I18N.lang);
  // The token of the erasure link from the confirmation mail, if opened from it.
  const eraseToken = new URLSearchParams(location.search).get('erase') || '';
  let erased = false;  // erased on this page: nothing more is asked of the server
  let reg = null;     // the registration as last answered
  let event = null;   // the event summary from the first answer
  let pub = null;     // the public event (sessions, ticket types), if published
  let meet = null;    // GET …/matchmaking, when the event has meetings between participants

  // GET with the JSON Accept header and without the HTTP cache: the same
  // URL is also this HTML page, so a cached copy must never answer it.
  async function getJson(path) {
    const res = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store', credentials: 'omit' });
    const ct = res.headers.get('Content-Type') || '';
    const body = ct.startsWith('application/json') ? await res.json() : null;
    if (!res.ok) throw new Confero.ApiError(res.status, body);
    return body;
  }

  // The public event (sessions, ticket types) in the page's language.
  async function getPub(fresh) {
    return Confero.get('/api/v1/events/' + encodeURIComponent(event.slug) + '?lang=' + encodeURIComponent(I18N.lang), { fresh });
  }

  async function load() {
    try {
      reg = await getJson(self + Pub.langQuery());
    } catch (e) {
      await I18N.init();
      const st = UI.clear(UI.$('#status'));
      if (e instanceof Confero.ApiError && e.status === 404) {
        document.title = t('Ticket not found – Confero');
        st.append(UI.el('h1', { text: t('Ticket not found') }),
          UI.el('p', { text: t('This ticket link is not valid. Please open the link from your confirmation email again; copying it by hand easily loses a character.') }),
          UI.el('p', {}, UI.el('a', { href: '/', text: t('See all events') })));
      } else if (e instanceof Confero.ApiError && e.status === 410) {
        showGone();
      } else {
        st.append(UI.el('p', { class: 'notice bad', text: t('Your ticket could not be loaded. {reason}', { reason: Pub.generalError(e) }) }));
      }
      return;
    }
    event = reg.event || null;
    const langs = (event && event.languages) || [];
    await I18N.use(reg.page_language || reg.language || langs[0] || 'en');
    if (event) {
      try { pub = await getPub(false); } catch (e) { pub = null; }
    }
    UI.clear(UI.$('#status'));
    render();
    renderLanguage(langs);
    UI.$('#ticket').hidden = false;
    if (eraseToken) askEraseNow();
    loadMeet();
  }

  // A page in #status instead of the ticket: a heading (focused) and text.
  function replacePage(heading, text) {
    erased = true;
    forgetEraseToken();
    const tk = UI.$('#ticket');
    tk.hidden = true;
    ['#t-qr-wrap', '#t-details', '#t-actions', '#t-status'].forEach((sel) => UI.clear(UI.$(sel)));
    // TRANSLATORS: the browser tab's title of the ticket page once the registration's data is erased.
    document.title = t('Personal data erased – Confero');
    const h = UI.el('h1', { tabindex: '-1', id: 'gone-h', text: heading });
    UI.clear(UI.$('#status')).append(h, UI.el('p', { id: 'gone-text', text }),
      UI.el('p', {}, UI.el('a', { href: '/', text: t('See all events') })));
    return h;
  }

  // The link of a registration whose personal data is erased (410 gone).
  function showGone() {
    return replacePage(t('Personal data erased'), t("This registration's personal data has been erased."));
  }

  function meetLink() {
    const old = document.getElementById('meet-link');
    if (old) old.remove();
    if (!meet || !active() || erased) return;
    // TRANSLATORS: the ticket page's link to the page of meetings between participants.
    UI.$('#t-actions').prepend(UI.el('a', { class: 'button', id: 'meet-link', href: self.replace(/\/+$/, '') + '/matchmaking', text: t('Meetings') }));
  }

  // The link to the meetings page, when this attendee may take part.
  async function loadMeet() {
    if (erased) return;
    try {
      const m = await getJson(self + '/matchmaking');
      meet = m && m.enabled && m.eligible ? m : null;
    } catch (e) {
      meet = null;
    }
    meetLink();
  }

  // The switcher: the registration's language, saved on the server, then
  // the page again in it (the cookie follows, so the event pages agree).
  function renderLanguage(langs) {
    const box = UI.$('#lang-box');
    const sw = I18N.switcher(langs, async (code, sel) => {
      const msg = UI.$('#lang-msg');
      msg.textContent = '';
      msg.className = '';
      sel.disabled = true;
      try {
        await Confero.patch(selfLang(), { language: code });
        I18N.choose(code);
      } catch (err) {
        sel.disabled = false;
        sel.value = I18N.lang;
        msg.className = 'notice bad';
        msg.textContent = t('Your language could not be changed. {reason}', { reason: Pub.generalError(err) });
      }
    });
    const sel = sw.querySelector('select');
    box.hidden = !sel;
    if (!sel) return;
    sel.setAttribute('aria-describedby', 'lang-note');
    UI.clear(UI.$('#lang-choice')).append(sw);
  }

  const tz = () => (event && event.timezone) || 'UTC';
  const active = () => !['cancelled', 'rejected'].includes(reg.status);

  function render() {
    if (event) {
      // TRANSLATORS: the browser tab's title of the ticket page.
      document.title = t('Your ticket – {event} – Confero', { event: event.name });
      UI.$('#t-title').textContent = t('Your ticket for {event}', { event: event.name });
    } else {
      document.title = t('Your ticket – Confero');
      UI.$('#t-title').textContent = t('Your ticket');
    }
    const w = Pub.statusWords(reg.status);
    UI.clear(UI.$('#t-status')).append(UI.el('div', { class: 'notice ' + w.cls, id: 'status-notice', 'data-status': reg.status },
      UI.el('p', { class: 'status-line' }, UI.el('strong', { text: t('Status: {status}', { status: w.title }) })),
      UI.el('p', { text: w.text }),
      reg.checked_in_at ? UI.el('p', { text: t('Checked in on {date}.', { date: UI.fmtDateTime(reg.checked_in_at, tz()) }) }) : null));

    const qr = UI.clear(UI.$('#t-qr-wrap'));
    if (reg.ticket && active()) {
      qr.append(UI.el('figure', { class: 'qr-box', id: 'qr' },
        UI.el('img', { class: 'qr', id: 'qr-img', src: Pub.localPath(reg.ticket.qr_svg_url), width: 360, height: 360,
          alt: t('QR code of the ticket of {name}', { name: reg.name }) }),
        UI.el('figcaption', { text: t('Show this code at the entrance. Turn the screen brightness up if the scanner struggles.') })));
    }

    const dl = UI.clear(UI.$('#t-details'));
    const row = (k, v) => { if (v !== null && v !== undefined && v !== '') dl.append(UI.el('dt', { text: k }), UI.el('dd', {}, v)); };
    row(t('Name'), reg.name);
    row(t('Organisation'), reg.organisation);
    row(t('Email'), reg.email);
    if (event) {
      row(t('Event'), UI.el('a', { href: '/events/' + encodeURIComponent(event.slug), text: event.name }));
      row(t('When'), UI.el('time', { datetime: event.starts_at, text: Pub.dateRange(event.starts_at, event.ends_at, tz()) }));
      row(t('Where'), event.venue);
    }
    row(t('Ticket type'), ticketTypeName());
    row(t('Status'), w.title);
    const mine = signupSessions().filter((s) => (reg.session_ids || []).includes(s.id));
    if (mine.length) row(t('Signed up for'), mine.map((s) => s.title).join('; '));
    if (reg.created_at) row(tc('registration date', 'Registered'), UI.fmtDateTime(reg.created_at, tz()));
    UI.$('#tz-note').textContent = event ? Pub.tzNote(tz()) : '';

    const actions = UI.clear(UI.$('#t-actions'));
    if (event) {
      actions.append(UI.el('a', { class: 'button secondary',
        href: '/api/v1/events/' + encodeURIComponent(event.slug) + '/programme.ics?lang=' + encodeURIComponent(I18N.lang),
        download: event.slug + '.ics', text: t('Add to calendar (.ics)') }));
    }
    if (reg.ticket && active()) {
      actions.append(UI.el('a', { class: 'button secondary', href: '/t/' + encodeURIComponent(reg.ticket.code) + '.png?size=800',
        download: 'ticket.png', text: t('Save the QR code') }));
      actions.append(UI.el('button', { type: 'button', class: 'secondary', text: tc('verb', 'Print'), onclick: () => window.print() }));
    }
    meetLink();

    renderSessions();
    UI.$('#cancel').hidden = !active();
  }

  // The ticket type's name in the page's language (the public event has
  // it so), else as the registration has it.
  function ticketTypeName() {
    const tt = pub && (pub.ticket_types || []).find((x) => x.id === reg.ticket_type_id);
    return (tt && tt.name) || reg.ticket_type;
  }

  function signupSessions() {
    if (!pub) return [];
    const tt = (pub.ticket_types || []).find((x) => x.id === reg.ticket_type_id);
    const included = (s) => !tt || tt.sessions === 'all' || (Array.isArray(tt.sessions) && tt.sessions.includes(s.id));
    return (pub.sessions || []).filter((s) => s.requires_signup && included(s))
      .sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at) || a.id - b.id);
  }

  function renderSessions() {
    const list = signupSessions();
    const section = UI.$('#sessions');
    section.hidden = !active() || !list.length;
    if (section.hidden) return;
    const box = UI.clear(UI.$('#session-choices'));
    const mine = new Set(reg.session_ids || []);
    for (const s of list) {
      const id = 's-' + s.id;
      const held = mine.has(s.id);
      const full = !held && s.available !== null && s.available !== undefined && s.available <= 0;
      const facts = [Pub.sessionWhen(s.starts_at, s.ends_at, tz())];
      if (s.room) facts.push(s.room);
      if (full) facts.push(tc('session', 'full'));
      else if (s.available !== null && s.available !== undefined && !held) facts.push(tn('{n} place left', '{n} places left', s.available));
      const input = UI.el('input', { type: 'checkbox', id, name: 'session', value: s.id });
      input.checked = held;
      input.disabled = full;
      box.append(UI.el('div', { class: 'check' }, input,
        UI.el('label', { for: id },
          UI.el('span', { class: 'choice-name', text: s.title }), ' ',
          UI.el('span', { class: 'choice-info' + (full ? ' unavailable' : ''), text: '– ' + facts.join(' · ') }))));
    }
  }

  function setSessionsError(msg) {
    const p = UI.$('#err-session_ids');
    const boxes = UI.$$('input[name=session]');
    if (msg) {
      p.textContent = msg;
      p.hidden = false;
      UI.$('#f-session_ids').classList.add('invalid');
      boxes.forEach((b) => { b.setAttribute('aria-invalid', 'true'); b.setAttribute('aria-describedby', 'err-session_ids'); });
      const first = boxes.find((b) => !b.disabled);
      if (first) first.focus();
    } else {
      p.textContent = '';
      p.hidden = true;
      UI.$('#f-session_ids').classList.remove('invalid');
      boxes.forEach((b) => { b.removeAttribute('aria-invalid'); b.removeAttribute('aria-describedby'); });
    }
  }

  async function saveSessions(e) {
    e.preventDefault();
    const btn = UI.$('#save-sessions');
    const msg = UI.$('#sessions-msg');
    msg.textContent = '';
    msg.className = '';
    setSessionsError('');
    const signupIds = new Set(signupSessions().map((s) => s.id));
    // Keep sign-ups this page does not show (sessions without limited places).
    const keep = (reg.session_ids || []).filter((id) => !signupIds.has(id));
    const chosen = UI.$$('input[name=session]:checked').map((i) => Number(i.value));
    btn.disabled = true;
    try {
      const res = await Confero.patch(selfLang(), { session_ids: keep.concat(chosen) });
      reg = Object.assign(reg, res);
      // Fresh: the places left must count the change just made.
      try { pub = await getPub(true); } catch (err) { /* keep */ }
      render();
      const m = UI.$('#sessions-msg');
      m.className = 'saved';
      m.textContent = t('Your session choices are saved.');
    } catch (err) {
      if (err instanceof Confero.ApiError && err.status === 422) {
        const code = (err.fields || {}).session_ids;
        try { pub = await getPub(true); } catch (x) { /* keep */ }
        const before = UI.$$('input[name=session]:checked').map((i) => Number(i.value));
        renderSessions();
        // Keep what the attendee ticked, where it is still possible.
        for (const id of before) { const b = document.getElementById('s-' + id); if (b && !b.disabled) b.checked = true; }
        setSessionsError(code === 'session_full'
          ? t('A session you chose has just become full, so nothing was changed. Please choose again.')
          : Pub.fieldError('sessions', code || 'invalid'));
      } else if (err instanceof Confero.ApiError && err.status === 409) {
        setSessionsError(t('This registration is cancelled; its sessions cannot be changed.'));
        reload();
      } else {
        setSessionsError(Pub.generalError(err));
      }
    } finally {
      btn.disabled = false;
    }
  }

  // An inline confirmation: #<name>-start opens #<name>-confirm (its
  // heading #<name>-confirm-h takes the focus); closing gives it back.
  function openConfirm(name) {
    UI.$('#' + name + '-confirm').hidden = false;
    UI.$('#' + name + '-start').setAttribute('aria-expanded', 'true');
    UI.$('#' + name + '-confirm-h').focus();
  }

  function closeConfirm(name, refocus = true) {
    UI.$('#' + name + '-confirm').hidden = true;
    UI.$('#' + name + '-start').setAttribute('aria-expanded', 'false');
    if (refocus) UI.$('#' + name + '-start').focus();
  }

  const askCancel = () => openConfirm('cancel');
  const keep = () => closeConfirm('cancel');

  async function doCancel() {
    const btn = UI.$('#cancel-yes');
    const msg = UI.$('#cancel-msg');
    btn.disabled = true;
    msg.textContent = '';
    try {
      const res = await Confero.del(selfLang());
      reg = Object.assign(reg, res);
    } catch (err) {
      if (!(err instanceof Confero.ApiError && err.status === 409)) {
        msg.className = 'notice bad';
        msg.textContent = t('The registration could not be cancelled. {reason}', { reason: Pub.generalError(err) });
        btn.disabled = false;
        return;
      }
      await reload();
    }
    btn.disabled = false;
    closeConfirm('cancel', false);
    render();
    UI.$('#t-title').focus();
    UI.announce(t('Your registration is cancelled.'));
  }

  // "Your data": ask for erasure (a mail with a link confirms it).
  const askErase = () => openConfirm('erase');
  const keepErase = () => closeConfirm('erase');

  async function sendErase() {
    const btn = UI.$('#erase-send');
    const msg = UI.$('#data-msg');
    btn.disabled = true;
    msg.textContent = '';
    msg.className = '';
    try {
      // No body: "send me the confirmation link".
      await Confero.request('POST', eraseLang());
    } catch (err) {
      btn.disabled = false;
      if (err instanceof Confero.ApiError && err.status === 410) {
        showGone();
        return;
      }
      msg.className = 'notice bad';
      msg.textContent = t('The confirmation email could not be sent. {reason}', { reason: Pub.generalError(err) });
      UI.announce(msg.textContent);
      return;
    }
    btn.disabled = false;
    keepErase();
    msg.className = 'notice ok';
    msg.textContent = t('We have sent you an email. Open the link in it within 24 hours to erase your data.');
    UI.announce(msg.textContent);
  }

  // Opened from the confirmation mail: ask once more, at the top.
  function askEraseNow() {
    UI.$('#erase-panel').hidden = false;
    UI.$('#erase-panel-h').focus();
  }

  // The address without ?erase= (a reload must not ask again).
  function forgetEraseToken() {
    const u = new URL(location.href);
    if (!u.searchParams.has('erase')) return;
    u.searchParams.delete('erase');
    history.replaceState(history.state, '', u.pathname + u.search + u.hash);
  }

  function keepData() {
    forgetEraseToken();
    const msg = UI.$('#erase-panel-msg');
    msg.textContent = '';
    msg.className = '';
    UI.$('#erase-panel').hidden = true;
    UI.$('#t-title').focus();
  }

  async function eraseNow() {
    const btn = UI.$('#erase-now');
    const msg = UI.$('#erase-panel-msg');
    btn.disabled = true;
    msg.textContent = '';
    msg.className = '';
    try {
      await Confero.post(eraseLang(), { confirm: eraseToken });
    } catch (err) {
      btn.disabled = false;
      if (err instanceof Confero.ApiError && err.status === 410) {
        showGone().focus();
        return;
      }
      msg.className = 'notice bad';
      msg.textContent = t('Your data could not be erased. {reason}', { reason: Pub.generalError(err) });
      return;
    }
    replacePage(t('Your data has been erased.'), t('You will receive one last email to confirm it.')).focus();
  }

  async function reload() {
    if (erased) return;
    try {
      const r = await getJson(self + Pub.langQuery());
      reg = r;
      render();
    } catch (e) { /* keep what is shown */ }
  }

  UI.$('#sessions-form').addEventListener('submit', saveSessions);
  UI.$('#cancel-start').addEventListener('click', askCancel);
  UI.$('#cancel-no').addEventListener('click', keep);
  UI.$('#cancel-yes').addEventListener('click', doCancel);
  UI.$('#cancel-confirm').addEventListener('keydown', (e) => { if (e.key === 'Escape') keep(); });
  UI.$('#data-download').setAttribute('href', base + '/data?download=1');
  UI.$('#erase-start').addEventListener('click', askErase);
  UI.$('#erase-no').addEventListener('click', keepErase);
  UI.$('#erase-send').addEventListener('click', sendErase);
  UI.$('#erase-confirm').addEventListener('keydown', (e) => { if (e.key === 'Escape') keepErase(); });
  UI.$('#erase-now').addEventListener('click', eraseNow);
  UI.$('#erase-keep').addEventListener('click', keepData);
  load();
})();
