// The public event page /events/{slug}: event details, programme by day
// and room, speakers, ticket types with availability, and the
// registration form built from the ticket types and questions.
// Availability is fetched again every 15 s and when the page regains focus.
'use strict';

(() => {
  const REFRESH_MS = 15000;
  const slug = decodeURIComponent(location.pathname.replace(/^\/events\//, '').replace(/\/$/, ''));
  const apiPath = '/api/v1/events/' + encodeURIComponent(slug);
  let ev = null;              // the event as last fetched
  let formBuilt = false;
  let registered = false;     // the result is showing
  let refreshing = false;
  let closedByServer = false; // the server said registration_closed

  // ------------------------------------------------------------------
  // Loading and refreshing

  async function load() {
    try {
      ev = await Confero.get(apiPath);
    } catch (e) {
      const st = UI.clear(UI.$('#status'));
      if (e instanceof Confero.ApiError && e.status === 404) {
        document.title = 'Event not found – Confero';
        st.append(UI.el('h1', { text: 'Event not found' }),
          UI.el('p', { text: 'There is no published event at this address. It may have been moved or not announced yet.' }),
          UI.el('p', {}, UI.el('a', { href: '/', text: 'See all events' })));
      } else {
        st.append(UI.el('p', { class: 'notice bad', text: 'The event could not be loaded. ' + Pub.generalError(e) }));
      }
      return;
    }
    UI.clear(UI.$('#status'));
    render();
    UI.$('#event').hidden = false;
    if (location.hash) {
      const target = document.getElementById(location.hash.slice(1));
      if (target) target.scrollIntoView();
    }
    setInterval(() => refresh(), REFRESH_MS);
    window.addEventListener('focus', () => refresh());
    document.addEventListener('visibilitychange', () => { if (!document.hidden) refresh(); });
  }

  // The server's copy of the event may be a second old.  After it has just
  // answered about places (sold out, full, registered), ask for a fresh one
  // (fresh = true), so the page agrees with what it was told.
  let freshAgain = false;
  async function refresh(fresh = false) {
    if (refreshing) {
      freshAgain = freshAgain || fresh;
      return;
    }
    if (document.hidden || !ev) return;
    refreshing = true;
    try {
      ev = await Confero.get(apiPath, { fresh });
      renderAvailability();
    } catch (e) {
      // Keep what is shown; the next refresh tries again.
    } finally {
      refreshing = false;
    }
    if (freshAgain) {
      freshAgain = false;
      refresh(true);
    }
  }

  // ------------------------------------------------------------------
  // Rendering the event

  const tz = () => ev.timezone;
  const sessionById = (id) => (ev.sessions || []).find((s) => s.id === id);
  const speakerById = (id) => (ev.speakers || []).find((s) => s.id === id);

  function render() {
    document.title = ev.name + ' – Confero';
    UI.$('#ev-name').textContent = ev.name;
    UI.clear(UI.$('#ev-when')).append(UI.el('time', { datetime: ev.starts_at, text: Pub.dateRange(ev.starts_at, ev.ends_at, tz()) }));
    UI.$('#ev-venue').textContent = ev.venue || '';
    UI.$('#ev-venue').hidden = UI.$('#ev-venue-dt').hidden = !ev.venue;
    UI.$('#ev-tz').textContent = Pub.tzNote(tz());
    UI.$('#ics').href = apiPath + '/programme.ics';
    UI.$('#ics').setAttribute('download', slug + '.ics');
    const desc = UI.clear(UI.$('#ev-description'));
    if (ev.description) desc.append(...Pub.paragraphs(ev.description));
    else desc.append(UI.el('p', { class: 'muted', text: 'No description yet.' }));
    renderSpeakers();
    renderAvailability();
  }

  // Everything that depends on seat counts: rendered again on refresh.
  function renderAvailability() {
    renderHeadAvailability();
    renderProgramme();
    renderTickets();
    renderForm();
  }

  function renderHeadAvailability() {
    const p = UI.clear(UI.$('#ev-availability'));
    const reg = Pub.registrationState(ev);
    p.className = '';
    if (!reg.open) {
      p.className = 'notice warn';
      p.textContent = reg.why;
    } else if (ev.available === 0) {
      p.className = ev.waitlist ? 'notice warn' : 'notice bad';
      p.textContent = ev.waitlist ? 'The event is full. You can still register to join the waiting list.' : 'The event is fully booked.';
    }
    p.hidden = !p.textContent;
    UI.$('#go-register').hidden = !reg.open;
  }

  function sessionAvailText(s) {
    if (!s.requires_signup) return '';
    if (s.available === null || s.available === undefined) return 'Sign-up required';
    if (s.available <= 0) return 'Sign-up required · Full';
    const of = s.capacity ? ' of ' + s.capacity : '';
    return 'Sign-up required · ' + s.available + of + (s.available === 1 && !of ? ' place left' : ' places left');
  }

  function renderProgramme() {
    const body = UI.clear(UI.$('#programme-body'));
    const sessions = (ev.sessions || []).slice().sort((a, b) =>
      Date.parse(a.starts_at) - Date.parse(b.starts_at) || a.id - b.id);
    if (!sessions.length) {
      body.append(UI.el('p', { class: 'muted', text: 'The programme will be announced soon.' }));
      return;
    }
    const days = new Map();
    for (const s of sessions) {
      const k = UI.dayKey(s.starts_at, tz());
      if (!days.has(k)) days.set(k, []);
      days.get(k).push(s);
    }
    for (const [key, list] of days) {
      const rooms = new Map();
      for (const s of list) {
        const r = (s.room || '').trim();
        if (!rooms.has(r)) rooms.set(r, []);
        rooms.get(r).push(s);
      }
      const roomNames = Array.from(rooms.keys()).sort((a, b) =>
        (a === '') - (b === '') || a.localeCompare(b));
      const dayId = 'day-' + key;
      const day = UI.el('section', { class: 'day', 'aria-labelledby': dayId, 'data-day': key },
        UI.el('h3', { id: dayId, text: UI.fmtDate(list[0].starts_at, tz(), { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }) }));
      const grid = UI.el('div', { class: 'rooms' });
      roomNames.forEach((room, i) => {
        const rid = dayId + '-room-' + i;
        grid.append(UI.el('section', { class: 'room', 'aria-labelledby': rid, 'data-room': room },
          UI.el('h4', { id: rid, text: room || 'Other sessions' }),
          UI.el('ol', { class: 'sessions plain' }, rooms.get(room).map(sessionItem))));
      });
      day.append(grid);
      body.append(day);
    }
  }

  function sessionItem(s) {
    const speakers = (s.speaker_ids || []).map(speakerById).filter(Boolean);
    const li = UI.el('li', { class: 'session', 'data-session-id': s.id },
      UI.el('p', { class: 'session-time' },
        UI.el('time', { datetime: s.starts_at, text: UI.fmtTime(s.starts_at, tz()) }), '–',
        UI.el('time', { datetime: s.ends_at, text: UI.fmtTime(s.ends_at, tz()) })),
      UI.el('p', { class: 'session-title', text: s.title }),
      UI.el('p', { class: 'tags' },
        UI.el('span', { class: 'badge kind', text: kindName(s.kind) }),
        s.track ? UI.el('span', { class: 'badge track', text: 'Track: ' + s.track }) : null));
    if (speakers.length) {
      li.append(UI.el('p', { class: 'session-speakers', text: 'With ' + speakers.map((p) =>
        p.organisation ? p.name + ' (' + p.organisation + ')' : p.name).join(', ') }));
    }
    if (s.description) li.append(...Pub.paragraphs(s.description, 'prose small'));
    const avail = sessionAvailText(s);
    if (avail) {
      li.append(UI.el('p', { class: 'session-avail' + (s.available === 0 ? ' full' : ''), text: avail }));
    }
    return li;
  }

  function kindName(k) {
    return ({ keynote: 'Keynote', talk: 'Talk', panel: 'Panel', workshop: 'Workshop', networking: 'Networking' })[k] || k;
  }

  function renderSpeakers() {
    const ul = UI.clear(UI.$('#speakers-body'));
    const speakers = ev.speakers || [];
    UI.$('#speakers').hidden = !speakers.length;
    UI.$('#nav-speakers').parentElement.hidden = !speakers.length;
    for (const p of speakers) {
      const titles = (p.session_ids || []).map(sessionById).filter(Boolean).map((s) => s.title);
      ul.append(UI.el('li', { class: 'card speaker' },
        UI.el('h3', { text: p.name }),
        p.organisation ? UI.el('p', { class: 'org', text: p.organisation }) : null,
        ...(p.bio ? Pub.paragraphs(p.bio, 'prose small') : []),
        titles.length ? UI.el('p', { class: 'small', text: 'Speaking at: ' + titles.join('; ') }) : null));
    }
  }

  // On sale now?  (The server checks sale_starts_at <= now < sale_ends_at.)
  function saleState(t) {
    const now = Date.now();
    if (t.sale_starts_at && now < Date.parse(t.sale_starts_at)) {
      return { ok: false, text: 'On sale from ' + UI.fmtDateTime(t.sale_starts_at, tz()) };
    }
    if (t.sale_ends_at && now >= Date.parse(t.sale_ends_at)) return { ok: false, text: 'Sale has ended' };
    return { ok: true, text: '' };
  }

  // What the buyer of a ticket type can expect: text and whether it can be chosen.
  function ticketAvail(t) {
    const sale = saleState(t);
    if (!sale.ok) return { text: sale.text, selectable: false, cls: 'muted' };
    if (t.available === 0) {
      if (ev.waitlist) return { text: 'Full – register to join the waiting list', selectable: true, cls: 'warn' };
      return { text: 'Sold out', selectable: false, cls: 'bad' };
    }
    if (t.available === null || t.available === undefined) return { text: 'Available', selectable: true, cls: 'ok' };
    return { text: t.available === 1 ? '1 left' : t.available + ' left', selectable: true, cls: 'ok' };
  }

  function includedText(t) {
    if (t.sessions === 'all') return 'Includes all sessions.';
    const titles = (t.sessions || []).map(sessionById).filter(Boolean).map((s) => s.title);
    return titles.length ? 'Includes: ' + titles.join('; ') + '.' : 'Admission to the event; no sessions with sign-up.';
  }

  function renderTickets() {
    const ul = UI.clear(UI.$('#tickets-body'));
    const types = ev.ticket_types || [];
    if (!types.length) {
      ul.append(UI.el('li', { class: 'muted', text: 'Tickets are not available yet.' }));
      return;
    }
    for (const t of types) {
      const a = ticketAvail(t);
      ul.append(UI.el('li', { class: 'card ticket', 'data-ttype-id': t.id },
        UI.el('h3', { text: t.name }),
        UI.el('p', { class: 'price', text: UI.money(t.price_cents, t.currency) }),
        UI.el('p', { class: 'avail badge ' + a.cls, text: a.text }),
        ...(t.description ? Pub.paragraphs(t.description, 'prose small') : []),
        UI.el('p', { class: 'small', text: includedText(t) }),
        t.requires_approval ? UI.el('p', { class: 'small', text: 'Registrations for this ticket are approved by the organiser.' }) : null));
    }
  }

  // ------------------------------------------------------------------
  // The registration form

  // Mark a label or legend as required: a visible star; a legend also
  // gets the word (a group has no "required" state of its own).
  function req(el, required) {
    if (required) {
      el.append(' ', UI.el('span', { class: 'req-mark', 'aria-hidden': 'true', text: '*' }));
      if (el.tagName === 'LEGEND') el.append(UI.el('span', { class: 'visually-hidden', text: ' (required)' }));
    }
    return el;
  }

  function errP(key) {
    return UI.el('p', { class: 'field-error', id: errId(key), hidden: true });
  }

  function errId(key) { return 'err-' + key.replace(/[^A-Za-z0-9_-]/g, '-'); }

  // One question: its field, built by kind.
  function questionField(q) {
    const key = 'answers.' + q.id;
    const id = 'q-' + q.id;
    const opts = Array.isArray(q.options) ? q.options : [];
    const reqAttrs = q.required ? { required: true, 'aria-required': 'true' } : {};
    switch (q.kind) {
      case 'textarea':
        return UI.el('div', { class: 'field', 'data-question': q.id },
          req(UI.el('label', { for: id, text: q.label }), q.required), errP(key),
          UI.el('textarea', { id, name: id, maxlength: 10000, rows: 4, ...reqAttrs }));
      case 'choice':
        if (opts.length > 4) {
          return UI.el('div', { class: 'field', 'data-question': q.id },
            req(UI.el('label', { for: id, text: q.label }), q.required), errP(key),
            UI.el('select', { id, name: id, ...reqAttrs },
              UI.el('option', { value: '', text: 'Choose…' }),
              opts.map((o) => UI.el('option', { value: o, text: o }))));
        }
        return optionGroup(q, 'radio');
      case 'multichoice':
        return optionGroup(q, 'checkbox');
      case 'checkbox':
        return UI.el('div', { class: 'field', 'data-question': q.id }, errP(key),
          UI.el('div', { class: 'check' },
            UI.el('input', { type: 'checkbox', id, name: id, ...reqAttrs }),
            req(UI.el('label', { for: id, text: q.label }), q.required)));
      case 'country':
        return UI.el('div', { class: 'field', 'data-question': q.id },
          req(UI.el('label', { for: id, text: q.label }), q.required), errP(key),
          UI.el('select', { id, name: id, autocomplete: 'country', ...reqAttrs },
            UI.el('option', { value: '', text: 'Choose a country…' }),
            Pub.countries().map((c) => UI.el('option', { value: c.code, text: c.name }))));
      default:        // text
        return UI.el('div', { class: 'field', 'data-question': q.id },
          req(UI.el('label', { for: id, text: q.label }), q.required), errP(key),
          UI.el('input', { type: 'text', id, name: id, maxlength: 1000, ...reqAttrs }));
    }
  }

  function optionGroup(q, type) {
    const key = 'answers.' + q.id;
    const id = 'q-' + q.id;
    const opts = Array.isArray(q.options) ? q.options : [];
    return UI.el('fieldset', { class: 'field-group', id, 'data-question': q.id },
    req(UI.el('legend', { text: q.label }), q.required),
    type === 'checkbox' ? UI.el('p', { class: 'hint', id: 'hint-' + id, text: 'Tick all that apply.' }) : null,
    errP(key),
    UI.el('div', { class: 'choices' }, opts.map((o, i) => UI.el('div', { class: 'check' },
      UI.el('input', { type, id: id + '-' + i, name: id, value: o }),
      UI.el('label', { for: id + '-' + i, text: o })))));
  }

  function buildForm() {
    const qs = UI.clear(UI.$('#questions'));
    const questions = (ev.questions || []).slice().sort((a, b) => (a.position || 0) - (b.position || 0) || a.id - b.id);
    for (const q of questions) qs.append(questionField(q));
    const form = UI.$('#reg-form');
    form.addEventListener('submit', onSubmit);
    form.addEventListener('change', (e) => {
      if (e.target.name === 'ticket_type_id') renderSessionChoices();
    });
    formBuilt = true;
  }

  function selectedTicketId() {
    const r = UI.$('input[name=ticket_type_id]:checked');
    return r ? Number(r.value) : 0;
  }

  // Ticket type radios: built once, then updated in place.
  function renderTicketChoices() {
    const box = UI.$('#ticket-choices');
    const types = ev.ticket_types || [];
    for (const t of types) {
      const id = 'tt-' + t.id;
      let input = document.getElementById(id);
      if (!input) {
        input = UI.el('input', { type: 'radio', id, name: 'ticket_type_id', value: t.id });
        box.append(UI.el('div', { class: 'check' }, input,
          UI.el('label', { for: id },
            UI.el('span', { class: 'choice-name', text: t.name }), ' ',
            UI.el('span', { class: 'choice-info', id: id + '-info' }))));
      }
      const a = ticketAvail(t);
      const info = document.getElementById(id + '-info');
      info.textContent = '– ' + UI.money(t.price_cents, t.currency) + ' · ' + a.text +
        (t.requires_approval ? ' · needs approval' : '');
      info.className = 'choice-info ' + (a.selectable ? '' : 'unavailable');
      if (!a.selectable && input.checked) {
        input.checked = false;
        showFieldError('ticket_type_id', 'The ticket type you chose is no longer available (' + a.text.toLowerCase() + '). Please choose another.');
      }
      input.disabled = !a.selectable;
    }
    const selectable = types.filter((t) => ticketAvail(t).selectable);
    if (!selectedTicketId() && selectable.length === 1) document.getElementById('tt-' + selectable[0].id).checked = true;
    return selectable.length;
  }

  // Sign-up checkboxes for the sessions the chosen ticket type includes.
  function renderSessionChoices() {
    const box = UI.$('#session-choices');
    const checked = new Set(UI.$$('input[name=session]:checked', box).map((i) => Number(i.value)));
    const focusedId = document.activeElement && document.activeElement.name === 'session' ? document.activeElement.id : null;
    const t = (ev.ticket_types || []).find((x) => x.id === selectedTicketId());
    const included = (s) => !t || t.sessions === 'all' || (Array.isArray(t.sessions) && t.sessions.includes(s.id));
    const list = (ev.sessions || []).filter((s) => s.requires_signup && included(s))
      .sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at) || a.id - b.id);
    // Update in place when the same sessions are shown (keeps focus).
    const sameSet = UI.$$('input[name=session]', box).map((i) => Number(i.value)).join() === list.map((s) => s.id).join();
    if (!sameSet) UI.clear(box);
    for (const s of list) {
      const id = 's-' + s.id;
      let input = document.getElementById(id);
      if (!input) {
        input = UI.el('input', { type: 'checkbox', id, name: 'session', value: s.id });
        input.checked = checked.has(s.id);
        box.append(UI.el('div', { class: 'check' }, input,
          UI.el('label', { for: id },
            UI.el('span', { class: 'choice-name', text: s.title }), ' ',
            UI.el('span', { class: 'choice-info', id: id + '-info' }))));
      }
      const full = s.available !== null && s.available !== undefined && s.available <= 0;
      const info = document.getElementById(id + '-info');
      const when = UI.fmtDate(s.starts_at, tz(), { weekday: 'short', day: 'numeric', month: 'short' }) + ', ' +
        Pub.timeRange(s.starts_at, s.ends_at, tz()) + (s.room ? ' · ' + s.room : '');
      let avail = '';
      if (full) avail = ' · full';
      else if (s.available !== null && s.available !== undefined) avail = ' · ' + (s.available === 1 ? '1 place left' : s.available + ' places left');
      info.textContent = '– ' + when + avail;
      info.className = 'choice-info' + (full ? ' unavailable' : '');
      if (full && input.checked) {
        input.checked = false;
        showFieldError('session_ids', '“' + s.title + '” is full now, so it was unselected. Register without it, or choose another session.');
        UI.announce('“' + s.title + '” is full now and was unselected.');
      }
      input.disabled = full;
    }
    UI.$('#f-session_ids').hidden = !list.length;
    if (focusedId && document.getElementById(focusedId) && document.activeElement !== document.getElementById(focusedId)) {
      document.getElementById(focusedId).focus();
    }
  }

  function renderForm() {
    if (registered) return;
    const reg = closedByServer ? { open: false, why: 'Registration for this event has closed. Nothing was registered.' }
      : Pub.registrationState(ev);
    const closed = UI.$('#register-closed');
    const form = UI.$('#reg-form');
    if (!reg.open) {
      // Replace the notice only when its words change (it may have focus).
      const cur = UI.$('.notice', closed);
      if (!cur || cur.textContent !== reg.why) UI.clear(closed).append(UI.el('p', { class: 'notice warn', tabindex: '-1', text: reg.why }));
      closed.hidden = false;
      form.hidden = true;
      return;
    }
    if (!formBuilt) buildForm();
    const selectable = renderTicketChoices();
    renderSessionChoices();
    if (!selectable) {
      UI.clear(closed).append(UI.el('p', { class: 'notice bad', text: (ev.ticket_types || []).length ?
        'All tickets are sold out or not on sale at the moment.' : 'Tickets are not available yet.' }));
      closed.hidden = false;
      form.hidden = true;
    } else {
      closed.hidden = true;
      form.hidden = false;
    }
  }

  // ------------------------------------------------------------------
  // Validation (mirrors the server's rules) and errors

  const CTRL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
  const CTRL_BLOCK = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
  const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;

  // The server's email syntax (src/validate.c email_valid).
  function emailValid(s) {
    if (s.length < 3 || new TextEncoder().encode(s).length > 254) return false;
    const at = s.indexOf('@');
    if (at < 1 || s.indexOf('@', at + 1) !== -1) return false;
    const local = s.slice(0, at), domain = s.slice(at + 1);
    if (local.length > 64 || local.startsWith('.') || local.endsWith('.')) return false;
    if (local.split('.').some((p) => !ATEXT.test(p))) return false;
    const labels = domain.split('.');
    if (labels.length < 2) return false;
    return labels.every((l) => l.length > 0 && new TextEncoder().encode(l).length <= 63 &&
      !l.startsWith('-') && !l.endsWith('-') && /^([A-Za-z0-9-]|[^\u0000-\u007f])+$/.test(l));
  }

  const len = (s) => Array.from(s).length;

  function lineCheck(value, required, max, what) {
    if (CTRL.test(value)) return what + ' contains characters that are not allowed.';
    if (required && !value.trim()) return 'Enter ' + what.toLowerCase() + '.';
    if (len(value) > max) return what + ' is too long (at most ' + max + ' characters).';
    return '';
  }

  // Read the form: {body, errors: [[key, message]]}.
  function readForm() {
    const errors = [];
    const body = { answers: {}, session_ids: [], consent: UI.$('#f-consent').checked };
    body.ticket_type_id = selectedTicketId();
    if (!body.ticket_type_id) errors.push(['ticket_type_id', 'Choose a ticket type.']);
    body.name = UI.$('#f-name').value.trim();
    let m = lineCheck(body.name, true, 200, 'Your full name');
    if (m) errors.push(['name', m]);
    body.email = UI.$('#f-email').value.trim();
    if (!body.email) errors.push(['email', 'Enter your email address.']);
    else if (!emailValid(body.email)) errors.push(['email', 'Enter an email address in the form name@example.org.']);
    body.organisation = UI.$('#f-organisation').value.trim();
    m = lineCheck(body.organisation, false, 200, 'Organisation');
    if (m) errors.push(['organisation', m]);
    for (const q of ev.questions || []) {
      const key = 'answers.' + q.id;
      const id = 'q-' + q.id;
      const label = '“' + q.label + '”';
      if (q.kind === 'text' || q.kind === 'textarea' || q.kind === undefined) {
        const v = (document.getElementById(id) || {}).value || '';
        const block = q.kind === 'textarea';
        if ((block ? CTRL_BLOCK : CTRL).test(v)) errors.push([key, label + ' contains characters that are not allowed.']);
        else if (!v.trim()) { if (q.required) errors.push([key, 'Answer ' + label + '.']); }
        else if (len(v) > (block ? 10000 : 1000)) errors.push([key, label + ' is too long.']);
        else body.answers[q.id] = v;
      } else if (q.kind === 'choice') {
        const sel = document.getElementById(id);
        const v = sel && sel.tagName === 'SELECT' ? sel.value : ((UI.$('input[name="' + id + '"]:checked') || {}).value || '');
        if (v) body.answers[q.id] = v;
        else if (q.required) errors.push([key, 'Choose an answer to ' + label + '.']);
      } else if (q.kind === 'multichoice') {
        const v = UI.$$('input[name="' + id + '"]:checked').map((i) => i.value);
        if (v.length) body.answers[q.id] = v;
        else if (q.required) errors.push([key, 'Choose at least one answer to ' + label + '.']);
      } else if (q.kind === 'checkbox') {
        const v = document.getElementById(id).checked;
        body.answers[q.id] = v;
        if (q.required && !v) errors.push([key, 'Tick ' + label + ' to continue.']);
      } else if (q.kind === 'country') {
        const v = document.getElementById(id).value;
        if (v) body.answers[q.id] = v;
        else if (q.required) errors.push([key, 'Choose a country for ' + label + '.']);
      }
    }
    body.session_ids = UI.$$('input[name=session]:checked').map((i) => Number(i.value));
    if (!body.consent) errors.push(['consent', 'Tick the box to agree to the privacy notice; we cannot register you without it.']);
    return { body, errors };
  }

  // The controls of a field key, and the one to focus.
  function controlsOf(key) {
    if (key === 'ticket_type_id') return UI.$$('input[name=ticket_type_id]');
    if (key === 'session_ids') return UI.$$('input[name=session]');
    if (key.startsWith('answers.')) {
      const id = 'q-' + key.slice(8);
      const el = document.getElementById(id);
      if (!el) return [];
      if (el.tagName === 'FIELDSET') return UI.$$('input', el);
      return [el];
    }
    const el = document.getElementById('f-' + key);
    return el ? [el] : [];
  }

  function describedBy(el, add, remove) {
    const ids = (el.getAttribute('aria-describedby') || '').split(/\s+/).filter((x) => x && x !== remove);
    if (add && !ids.includes(add)) ids.unshift(add);
    if (ids.length) el.setAttribute('aria-describedby', ids.join(' '));
    else el.removeAttribute('aria-describedby');
  }

  function showFieldError(key, msg) {
    const p = document.getElementById(errId(key));
    if (!p) return false;
    p.textContent = msg;
    p.hidden = false;
    for (const c of controlsOf(key)) {
      c.setAttribute('aria-invalid', 'true');
      describedBy(c, errId(key));
    }
    const group = p.closest('fieldset');
    if (group) group.classList.add('invalid');
    else p.closest('.field') && p.closest('.field').classList.add('invalid');
    return true;
  }

  function clearErrors() {
    for (const p of UI.$$('.field-error', UI.$('#reg-form'))) {
      p.hidden = true;
      p.textContent = '';
    }
    for (const c of UI.$$('[aria-invalid]', UI.$('#reg-form'))) {
      c.removeAttribute('aria-invalid');
      const ids = (c.getAttribute('aria-describedby') || '').split(/\s+/).filter((x) => x && !x.startsWith('err-'));
      if (ids.length) c.setAttribute('aria-describedby', ids.join(' '));
      else c.removeAttribute('aria-describedby');
    }
    UI.$$('.invalid', UI.$('#reg-form')).forEach((e) => e.classList.remove('invalid'));
    UI.$('#error-summary').hidden = true;
    UI.clear(UI.$('#error-list'));
  }

  // Show errors: each by its field (when it has one) and all in the summary
  // at the top; then focus the first invalid field (or the summary).
  function showErrors(errors, general) {
    const list = UI.clear(UI.$('#error-list'));
    let first = null;
    for (const g of general || []) list.append(UI.el('li', { text: g }));
    for (const [key, msg] of errors) {
      const shown = showFieldError(key, msg);
      const controls = controlsOf(key).filter((c) => !c.disabled);
      const target = controls.find((c) => c.checked) || controls[0];
      if (shown && target) {
        if (!first) first = target;
        list.append(UI.el('li', {}, UI.el('a', { href: '#' + target.id, 'data-field': key, text: msg,
          onclick: (e) => { e.preventDefault(); target.focus(); } })));
      } else {
        list.append(UI.el('li', { text: msg }));
      }
    }
    const summary = UI.$('#error-summary');
    summary.hidden = false;
    UI.announce('There is a problem: ' + Array.from(list.children).map((li) => li.textContent).join(' '));
    (first || summary).focus();
  }

  // The server's 422 per-field errors, in words.
  function serverFieldErrors(fields) {
    const out = [];
    const qLabel = (key) => {
      const q = (ev.questions || []).find((x) => 'answers.' + x.id === key);
      return q ? '“' + q.label + '”' : 'An answer';
    };
    for (const [key, code] of Object.entries(fields || {})) {
      if (key === 'full_session_id') continue;
      let msg;
      if (key === 'email' && code === 'invalid') msg = 'Enter an email address in the form name@example.org.';
      else if (key === 'name' && code === 'required') msg = 'Enter your full name.';
      else if (key === 'email' && code === 'required') msg = 'Enter your email address.';
      else if (key === 'consent') msg = 'Tick the box to agree to the privacy notice; we cannot register you without it.';
      else if (key === 'session_ids' && code === 'session_full') {
        const s = sessionById(Number(fields.full_session_id));
        msg = s ? '“' + s.title + '” has just become full. Unselect it or choose another session, then register again.'
          : 'A session you chose has just become full. Please choose again.';
      } else if (key.startsWith('answers.')) msg = code === 'required' ? 'Answer ' + qLabel(key) + '.' : qLabel(key) + ': ' + Pub.reason(code, 'This answer');
      else if (key === 'ticket_type_id') msg = Pub.reason(code, 'The ticket type');
      else msg = Pub.reason(code, ({ name: 'Your name', email: 'The email address', organisation: 'Organisation' })[key]);
      out.push([key, msg]);
    }
    return out;
  }

  // ------------------------------------------------------------------
  // Submitting

  async function onSubmit(e) {
    e.preventDefault();
    const btn = UI.$('#submit');
    if (btn.disabled) return;
    clearErrors();
    const { body, errors } = readForm();
    if (errors.length) {
      showErrors(errors);
      return;
    }
    btn.disabled = true;
    btn.setAttribute('aria-busy', 'true');
    btn.textContent = 'Registering…';
    try {
      const res = await Confero.post(apiPath + '/registrations', body);
      showResult(res, body);
    } catch (err) {
      handleError(err);
    } finally {
      btn.disabled = false;
      btn.removeAttribute('aria-busy');
      btn.textContent = 'Register';
    }
  }

  function handleError(err) {
    if (!(err instanceof Confero.ApiError)) {
      showErrors([], [Pub.generalError(err)]);
      return;
    }
    if (err.status === 422) {
      const errs = serverFieldErrors(err.fields);
      showErrors(errs, errs.length ? [] : [err.message]);
      if (err.fields && err.fields.session_ids === 'session_full') refresh(true);
    } else if (err.status === 409 && err.code === 'already_registered') {
      showErrors([['email', 'This email address is already registered for this event. The confirmation email has the link to your ticket; to register someone else, use their own email address.']],
        ['You are already registered for this event with this email address.']);
    } else if (err.status === 409 && err.code === 'sold_out') {
      showErrors([['ticket_type_id', 'Sorry, this ticket type has just sold out.']],
        ['No places are left for the ticket type you chose. Nothing was registered.']);
      refresh(true);
    } else if (err.status === 403 && err.code === 'registration_closed') {
      // The form goes; the notice in its place says why.
      closedByServer = true;
      renderForm();
      UI.$('#register-closed .notice').focus();
      UI.announce('Registration for this event has closed. Nothing was registered.');
      refresh(true);
    } else if (err.status === 404) {
      showErrors([], ['This event is no longer available.']);
    } else {
      showErrors([], [Pub.generalError(err)]);
    }
  }

  function showResult(res, body) {
    registered = true;
    const box = UI.clear(UI.$('#reg-result'));
    const w = Pub.statusWords(res.status);
    const titles = {
      confirmed: 'You are registered',
      waitlisted: 'You are on the waiting list',
      pending_approval: 'Registration received – waiting for approval',
      pending_payment: 'Place reserved – waiting for payment',
    };
    const h = UI.el('h3', { id: 'result-h', tabindex: '-1', text: titles[res.status] || w.title });
    const manage = res.manage_url ? Pub.localPath(res.manage_url) : null;
    box.append(UI.el('div', { class: 'notice ' + w.cls, 'data-status': res.status }, h,
      UI.el('p', { text: w.text }),
      UI.el('p', { text: 'We have sent an email to ' + body.email + ' with ' +
        (res.ticket ? 'your ticket and ' : '') + 'a private link to your registration.' })));
    if (res.ticket) {
      const code = res.ticket.code;
      box.append(UI.el('figure', { class: 'qr-box', id: 'result-qr' },
        UI.el('img', { class: 'qr', src: Pub.localPath(res.ticket.qr_svg_url), width: 320, height: 320,
          alt: 'QR code of your ticket for ' + ev.name }),
        UI.el('figcaption', { text: 'Your ticket. Show this code at the entrance.' })));
      box.append(UI.el('p', { class: 'actions' },
        UI.el('a', { class: 'button', href: '/t/' + encodeURIComponent(code) + '.png?size=800',
          download: 'ticket-' + ev.slug + '.png', text: 'Save the QR code' })));
    }
    if (manage) {
      box.append(UI.el('h4', { text: 'Next steps' }),
        UI.el('ul', {},
          UI.el('li', {}, 'Your ticket page: ',
            UI.el('a', { href: manage, id: 'manage-link', text: res.ticket ? 'open your ticket' : 'see your registration' }),
            res.ticket ? '. Bookmark it: there you can show the QR code, change your session sign-ups or cancel.'
              : '. Bookmark it: there you can follow your registration, change your session sign-ups or cancel.',
            ' Keep the link private – anyone who has it can change your registration.'),
          UI.el('li', {}, UI.el('a', { href: apiPath + '/programme.ics', download: slug + '.ics', text: 'Add the event to your calendar' }), '.'),
          UI.el('li', { text: res.ticket ? 'At the entrance, show the QR code on your phone or on paper.'
            : 'You will receive your ticket by email when your place is confirmed.' })));
    }
    box.append(UI.el('p', {}, UI.el('button', { type: 'button', class: 'secondary', id: 'register-another',
      text: 'Register another person', onclick: resetForm })));
    UI.$('#reg-form').hidden = true;
    box.hidden = false;
    h.focus();
    UI.announce(h.textContent);
    refresh(true);
  }

  function resetForm() {
    registered = false;
    const form = UI.$('#reg-form');
    const tt = selectedTicketId();
    form.reset();
    if (tt && document.getElementById('tt-' + tt) && !document.getElementById('tt-' + tt).disabled) {
      document.getElementById('tt-' + tt).checked = true;
    }
    clearErrors();
    UI.$('#reg-result').hidden = true;
    renderForm();
    UI.$('#f-name').focus();
  }

  load();
})();
