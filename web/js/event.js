// The public event page /events/{slug}: event details, programme by day
// and room, speakers, ticket types with availability, and the
// registration form built from the ticket types and questions.
// Availability is fetched again every 15 s and when the page regains focus.
// Language: the server negotiates the organiser's texts (?lang= of this
// page → the confero_lang cookie → Accept-Language → the event's default,
// within the event's languages) and says which it chose; the page's own
// words then follow it, so chrome and content agree.  The switcher offers
// the event's languages.
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
      ev = await Confero.get(apiPath + Pub.langQuery());
    } catch (e) {
      // No event, no event languages: the visitor's.
      await I18N.init();
      Pub.mountSwitcher();
      formSentences();
      const st = UI.clear(UI.$('#status'));
      if (e instanceof Confero.ApiError && e.status === 404) {
        document.title = t('Event not found – Confero');
        st.append(UI.el('h1', { text: t('Event not found') }),
          UI.el('p', { text: t('There is no published event at this address. It may have been moved or not announced yet.') }),
          UI.el('p', {}, UI.el('a', { href: '/', text: t('See all events') })));
      } else {
        st.append(UI.el('p', { class: 'notice bad', text: t('The event could not be loaded. {reason}', { reason: Pub.generalError(e) }) }));
      }
      return;
    }
    await I18N.use(ev.language || (ev.languages || [])[0] || 'en');
    Pub.mountSwitcher(ev.languages || [I18N.lang]);
    formSentences();
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
      // In the language the page shows, whatever the cookie says by now.
      ev = await Confero.get(apiPath + '?lang=' + encodeURIComponent(I18N.lang), { fresh });
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

  // The programme as iCalendar, its texts in the page's language.
  const icsPath = () => apiPath + '/programme.ics?lang=' + encodeURIComponent(I18N.lang);

  function render() {
    // TRANSLATORS: the browser tab's title of an event's page.
    document.title = t('{event} – Confero', { event: ev.name });
    UI.$('#ev-name').textContent = ev.name;
    UI.clear(UI.$('#ev-when')).append(UI.el('time', { datetime: ev.starts_at, text: Pub.dateRange(ev.starts_at, ev.ends_at, tz()) }));
    UI.$('#ev-venue').textContent = ev.venue || '';
    UI.$('#ev-venue').hidden = UI.$('#ev-venue-dt').hidden = !ev.venue;
    UI.$('#ev-tz').textContent = Pub.tzNote(tz());
    UI.$('#ics').href = icsPath();
    UI.$('#ics').setAttribute('download', slug + '.ics');
    const desc = UI.clear(UI.$('#ev-description'));
    if (ev.description) desc.append(...Pub.paragraphs(ev.description));
    else desc.append(UI.el('p', { class: 'muted', text: t('No description yet.') }));
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
      p.textContent = ev.waitlist ? t('The event is full. You can still register to join the waiting list.') : t('The event is fully booked.');
    }
    p.hidden = !p.textContent;
    UI.$('#go-register').hidden = !reg.open;
  }

  function sessionAvailText(s) {
    if (!s.requires_signup) return '';
    if (s.available === null || s.available === undefined) return t('Sign-up required');
    if (s.available <= 0) return t('Sign-up required · Full');
    if (s.capacity) {
      // TRANSLATORS: {n} places are still free of the session's {capacity};
      // the forms follow {n}.  English says "places" for one, too.
      return tn('Sign-up required · {n} of {capacity} places left', 'Sign-up required · {n} of {capacity} places left',
        s.available, { capacity: I18N.number(s.capacity) });
    }
    return tn('Sign-up required · {n} place left', 'Sign-up required · {n} places left', s.available);
  }

  function renderProgramme() {
    const body = UI.clear(UI.$('#programme-body'));
    const sessions = (ev.sessions || []).slice().sort((a, b) =>
      Date.parse(a.starts_at) - Date.parse(b.starts_at) || a.id - b.id);
    if (!sessions.length) {
      body.append(UI.el('p', { class: 'muted', text: t('The programme will be announced soon.') }));
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
      const coll = I18N.collator();
      const roomNames = Array.from(rooms.keys()).sort((a, b) =>
        (a === '') - (b === '') || coll.compare(a, b));
      const dayId = 'day-' + key;
      const day = UI.el('section', { class: 'day', 'aria-labelledby': dayId, 'data-day': key },
        UI.el('h3', { id: dayId, text: Pub.longDay(list[0].starts_at, tz()) }));
      const grid = UI.el('div', { class: 'rooms' });
      roomNames.forEach((room, i) => {
        const rid = dayId + '-room-' + i;
        grid.append(UI.el('section', { class: 'room', 'aria-labelledby': rid, 'data-room': room },
          UI.el('h4', { id: rid, text: room || t('Other sessions') }),
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
        s.track ? UI.el('span', { class: 'badge track', text: t('Track: {track}', { track: s.track }) }) : null));
    if (speakers.length) {
      const names = speakers.map((p) => (p.organisation
        // TRANSLATORS: a speaker and the speaker's organisation.
        ? t('{name} ({organisation})', { name: p.name, organisation: p.organisation }) : p.name));
      // TRANSLATORS: {speakers} is a list of names, "A, B and C".
      li.append(UI.el('p', { class: 'session-speakers', text: t('With {speakers}', { speakers: Pub.list(names) }) }));
    }
    if (s.description) li.append(...Pub.paragraphs(s.description, 'prose small'));
    const avail = sessionAvailText(s);
    if (avail) {
      li.append(UI.el('p', { class: 'session-avail' + (s.available === 0 ? ' full' : ''), text: avail }));
    }
    return li;
  }

  function kindName(k) {
    return ({
      keynote: tc('session kind', 'Keynote'),
      talk: tc('session kind', 'Talk'),
      panel: tc('session kind', 'Panel'),
      workshop: tc('session kind', 'Workshop'),
      networking: tc('session kind', 'Networking'),
    })[k] || k;
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
        // TRANSLATORS: {sessions} is a list of session titles separated by semicolons.
        titles.length ? UI.el('p', { class: 'small', text: t('Speaking at: {sessions}', { sessions: titles.join('; ') }) }) : null));
    }
  }

  // On sale now?  (The server checks sale_starts_at <= now < sale_ends_at.)
  function saleState(tt) {
    const now = Date.now();
    if (tt.sale_starts_at && now < Date.parse(tt.sale_starts_at)) {
      return { ok: false, text: t('On sale from {date}', { date: UI.fmtDateTime(tt.sale_starts_at, tz()) }) };
    }
    if (tt.sale_ends_at && now >= Date.parse(tt.sale_ends_at)) return { ok: false, text: t('Sale has ended') };
    return { ok: true, text: '' };
  }

  // What the buyer of a ticket type can expect: text and whether it can be chosen.
  function ticketAvail(tt) {
    const sale = saleState(tt);
    if (!sale.ok) return { text: sale.text, selectable: false, cls: 'muted', why: 'sale' };
    if (tt.available === 0) {
      if (ev.waitlist) return { text: t('Full – register to join the waiting list'), selectable: true, cls: 'warn' };
      return { text: tc('ticket', 'Sold out'), selectable: false, cls: 'bad', why: 'sold_out' };
    }
    if (tt.available === null || tt.available === undefined) return { text: tc('ticket', 'Available'), selectable: true, cls: 'ok' };
    // TRANSLATORS: tickets of a type still for sale; English says "left" for one, too.
    return { text: tnc('tickets', '{n} left', '{n} left', tt.available), selectable: true, cls: 'ok' };
  }

  function includedText(tt) {
    if (tt.sessions === 'all') return t('Includes all sessions.');
    const titles = (tt.sessions || []).map(sessionById).filter(Boolean).map((s) => s.title);
    // TRANSLATORS: {sessions} is a list of session titles separated by semicolons.
    return titles.length ? t('Includes: {sessions}.', { sessions: titles.join('; ') }) : t('Admission to the event; no sessions with sign-up.');
  }

  function renderTickets() {
    const ul = UI.clear(UI.$('#tickets-body'));
    const types = ev.ticket_types || [];
    if (!types.length) {
      ul.append(UI.el('li', { class: 'muted', text: t('Tickets are not available yet.') }));
      return;
    }
    for (const tt of types) {
      const a = ticketAvail(tt);
      ul.append(UI.el('li', { class: 'card ticket', 'data-ttype-id': tt.id },
        UI.el('h3', { text: tt.name }),
        UI.el('p', { class: 'price', text: UI.money(tt.price_cents, tt.currency) }),
        UI.el('p', { class: 'avail badge ' + a.cls, text: a.text }),
        ...(tt.description ? Pub.paragraphs(tt.description, 'prose small') : []),
        UI.el('p', { class: 'small', text: includedText(tt) }),
        tt.requires_approval ? UI.el('p', { class: 'small', text: t('Registrations for this ticket are approved by the organiser.') }) : null));
    }
  }

  // ------------------------------------------------------------------
  // The registration form

  // Mark a label or legend as required: a visible star; a legend also
  // gets the word (a group has no "required" state of its own).
  function req(el, required) {
    if (required) {
      el.append(' ', UI.el('span', { class: 'req-mark', 'aria-hidden': 'true', text: '*' }));
      if (el.tagName === 'LEGEND') el.append(' ', UI.el('span', { class: 'visually-hidden', text: t('(required)') }));
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
              UI.el('option', { value: '', text: t('Choose…') }),
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
            UI.el('option', { value: '', text: t('Choose a country…') }),
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
    type === 'checkbox' ? UI.el('p', { class: 'hint', id: 'hint-' + id, text: t('Tick all that apply.') }) : null,
    errP(key),
    UI.el('div', { class: 'choices' }, opts.map((o, i) => UI.el('div', { class: 'check' },
      UI.el('input', { type, id: id + '-' + i, name: id, value: o }),
      UI.el('label', { for: id + '-' + i, text: o })))));
  }

  // The form's sentences with elements inside, built whole from the catalog.
  function formSentences() {
    // TRANSLATORS: {star} is a red star; screen readers hear "with a star".
    UI.clear(UI.$('#req-note')).append(...Pub.rich(t('Fields marked {star} are required.'), {
      star: UI.el('span', {}, UI.el('span', { class: 'req-mark', 'aria-hidden': 'true', text: '*' }),
        UI.el('span', { class: 'visually-hidden', text: t('with a star') })),
    }));
    // TRANSLATORS: the words in [brackets] become the link to the privacy notice.
    UI.clear(UI.$('#consent-label')).append(...Pub.rich(t('I agree that the organiser stores and uses my registration data to run this event, as described in the [privacy notice (opens in a new tab)].'),
      {}, { href: '/privacy.html', target: '_blank', rel: 'noopener' }),
    ' ', UI.el('span', { class: 'req-mark', 'aria-hidden': 'true', text: '*' }));
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
    for (const tt of types) {
      const id = 'tt-' + tt.id;
      let input = document.getElementById(id);
      if (!input) {
        input = UI.el('input', { type: 'radio', id, name: 'ticket_type_id', value: tt.id });
        box.append(UI.el('div', { class: 'check' }, input,
          UI.el('label', { for: id },
            UI.el('span', { class: 'choice-name', text: tt.name }), ' ',
            UI.el('span', { class: 'choice-info', id: id + '-info' }))));
      }
      const a = ticketAvail(tt);
      const info = document.getElementById(id + '-info');
      // Facts side by side, each a whole phrase of its own.
      info.textContent = '– ' + [UI.money(tt.price_cents, tt.currency), a.text, tt.requires_approval ? t('needs approval') : null]
        .filter(Boolean).join(' · ');
      info.className = 'choice-info ' + (a.selectable ? '' : 'unavailable');
      if (!a.selectable && input.checked) {
        input.checked = false;
        showFieldError('ticket_type_id', a.why === 'sold_out'
          ? t('The ticket type you chose has just sold out. Please choose another.')
          : t('The ticket type you chose is not on sale at the moment. Please choose another.'));
      }
      input.disabled = !a.selectable;
    }
    const selectable = types.filter((tt) => ticketAvail(tt).selectable);
    if (!selectedTicketId() && selectable.length === 1) document.getElementById('tt-' + selectable[0].id).checked = true;
    return selectable.length;
  }

  // Sign-up checkboxes for the sessions the chosen ticket type includes.
  function renderSessionChoices() {
    const box = UI.$('#session-choices');
    const checked = new Set(UI.$$('input[name=session]:checked', box).map((i) => Number(i.value)));
    const focusedId = document.activeElement && document.activeElement.name === 'session' ? document.activeElement.id : null;
    const tt = (ev.ticket_types || []).find((x) => x.id === selectedTicketId());
    const included = (s) => !tt || tt.sessions === 'all' || (Array.isArray(tt.sessions) && tt.sessions.includes(s.id));
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
      info.textContent = '– ' + sessionFacts(s, full);
      info.className = 'choice-info' + (full ? ' unavailable' : '');
      if (full && input.checked) {
        input.checked = false;
        showFieldError('session_ids', t('“{title}” is full now, so it was unselected. Register without it, or choose another session.', { title: s.title }));
        UI.announce(t('“{title}” is full now and was unselected.', { title: s.title }));
      }
      input.disabled = full;
    }
    UI.$('#f-session_ids').hidden = !list.length;
    if (focusedId && document.getElementById(focusedId) && document.activeElement !== document.getElementById(focusedId)) {
      document.getElementById(focusedId).focus();
    }
  }

  // A sign-up session's day, time, room and places, side by side.
  function sessionFacts(s, full) {
    const parts = [Pub.sessionWhen(s.starts_at, s.ends_at, tz())];
    if (s.room) parts.push(s.room);
    if (full) parts.push(tc('session', 'full'));
    else if (s.available !== null && s.available !== undefined) parts.push(tn('{n} place left', '{n} places left', s.available));
    return parts.join(' · ');
  }

  function renderForm() {
    if (registered) return;
    const reg = closedByServer ? { open: false, why: t('Registration for this event has closed. Nothing was registered.') }
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
        t('All tickets are sold out or not on sale at the moment.') : t('Tickets are not available yet.') }));
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
  // (From a string: the quote, slash and backquote of a regex literal
  // would confuse xgettext's reading of the strings after it.)
  const ATEXT = new RegExp('^[A-Za-z0-9!#$%&\x27*+\x2f=?^_\x60{|}~-]+$');

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

  // The reason code of a one-line field's value ('' when it is fine), as
  // the server would give it.
  function lineCheck(value, required, max) {
    if (CTRL.test(value)) return 'invalid_characters';
    if (required && !value.trim()) return 'required';
    if (len(value) > max) return 'too_long';
    return '';
  }

  // Read the form: {body, errors: [[key, message]]}.
  function readForm() {
    const errors = [];
    const body = { answers: {}, session_ids: [], consent: UI.$('#f-consent').checked };
    body.ticket_type_id = selectedTicketId();
    if (!body.ticket_type_id) errors.push(['ticket_type_id', Pub.fieldError('ticket_type', 'required')]);
    body.name = UI.$('#f-name').value.trim();
    let m = lineCheck(body.name, true, 200);
    if (m) errors.push(['name', Pub.fieldError('name', m)]);
    body.email = UI.$('#f-email').value.trim();
    if (!body.email) errors.push(['email', Pub.fieldError('email', 'required')]);
    else if (!emailValid(body.email)) errors.push(['email', Pub.fieldError('email', 'invalid')]);
    body.organisation = UI.$('#f-organisation').value.trim();
    m = lineCheck(body.organisation, false, 200);
    if (m) errors.push(['organisation', Pub.fieldError('organisation', m)]);
    for (const q of ev.questions || []) {
      const key = 'answers.' + q.id;
      const id = 'q-' + q.id;
      const bad = (code) => errors.push([key, Pub.fieldError('answer', code, { question: q.label, kind: q.kind })]);
      if (q.kind === 'text' || q.kind === 'textarea' || q.kind === undefined) {
        const v = (document.getElementById(id) || {}).value || '';
        const block = q.kind === 'textarea';
        if ((block ? CTRL_BLOCK : CTRL).test(v)) bad('invalid_characters');
        else if (!v.trim()) { if (q.required) bad('required'); }
        else if (len(v) > (block ? 10000 : 1000)) bad('too_long');
        else body.answers[q.id] = v;
      } else if (q.kind === 'choice') {
        // The option as shown (in the page's language): the server maps it
        // to the one it stores.
        const sel = document.getElementById(id);
        const v = sel && sel.tagName === 'SELECT' ? sel.value : ((UI.$('input[name="' + id + '"]:checked') || {}).value || '');
        if (v) body.answers[q.id] = v;
        else if (q.required) bad('required');
      } else if (q.kind === 'multichoice') {
        const v = UI.$$('input[name="' + id + '"]:checked').map((i) => i.value);
        if (v.length) body.answers[q.id] = v;
        else if (q.required) bad('required');
      } else if (q.kind === 'checkbox') {
        const v = document.getElementById(id).checked;
        body.answers[q.id] = v;
        if (q.required && !v) bad('required');
      } else if (q.kind === 'country') {
        const v = document.getElementById(id).value;
        if (v) body.answers[q.id] = v;
        else if (q.required) bad('required');
      }
    }
    body.session_ids = UI.$$('input[name=session]:checked').map((i) => Number(i.value));
    if (!body.consent) errors.push(['consent', Pub.fieldError('consent', 'required')]);
    // Every later mail, the badge and the certificate speak it.
    body.language = I18N.lang;
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
    UI.announce(t('There is a problem: {errors}', { errors: Array.from(list.children).map((li) => li.textContent).join(' ') }));
    (first || summary).focus();
  }

  // The server's 422 per-field errors, in words.
  function serverFieldErrors(fields) {
    const out = [];
    for (const [key, code] of Object.entries(fields || {})) {
      if (key === 'full_session_id') continue;
      let msg;
      if (key === 'session_ids' && code === 'session_full') {
        const s = sessionById(Number(fields.full_session_id));
        msg = s ? t('“{title}” has just become full. Unselect it or choose another session, then register again.', { title: s.title })
          : Pub.fieldError('sessions', code);
      } else if (key.startsWith('answers.')) {
        const q = (ev.questions || []).find((x) => 'answers.' + x.id === key);
        msg = q ? Pub.fieldError('answer', code, { question: q.label, kind: q.kind }) : Pub.fieldError(null, code);
      } else {
        const field = ({ name: 'name', email: 'email', organisation: 'organisation', ticket_type_id: 'ticket_type',
          session_ids: 'sessions', consent: 'consent' })[key];
        msg = Pub.fieldError(field || null, code);
      }
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
    btn.textContent = t('Registering…');
    // One Idempotency-Key per registration attempt: kept while the answer
    // is unknown (network error, 503) and the form unchanged, so a retry
    // can never register twice and returns the registration made.
    const sent = JSON.stringify(body);
    if (!attempt || attempt.body !== sent) attempt = { body: sent, key: newKey() };
    try {
      const res = await postWithRetries(body, attempt.key);
      attempt = null;
      showResult(res, body);
    } catch (err) {
      if (err instanceof Confero.ApiError && err.status !== 503) attempt = null;
      handleError(err);
    } finally {
      btn.disabled = false;
      btn.removeAttribute('aria-busy');
      btn.textContent = t('Register');
    }
  }

  let attempt = null;

  function newKey() {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  }

  // Network errors and 503s are retried with the same key (after 1, 2 and
  // 4 seconds); every other answer is final.
  async function postWithRetries(body, key) {
    // ?lang: the server's own messages in the page's language too.
    const path = apiPath + '/registrations?lang=' + encodeURIComponent(I18N.lang);
    for (let i = 0; ; i++) {
      try {
        return await Confero.post(path, body, { headers: { 'Idempotency-Key': key } });
      } catch (err) {
        const unknown = !(err instanceof Confero.ApiError) || err.status === 503;
        if (!unknown || i >= 3) throw err;
        UI.announce(t('The connection failed. Trying again…'));
        await new Promise((ok) => setTimeout(ok, 1000 * 2 ** i));
      }
    }
  }

  function handleError(err) {
    if (!(err instanceof Confero.ApiError) || err.status === 503) {
      showErrors([], [t('The server could not be reached, so we do not know yet whether you are registered. Press “Register” again: you will not be registered twice.')]);
      return;
    }
    if (err.status === 422) {
      const errs = serverFieldErrors(err.fields);
      showErrors(errs, errs.length ? [] : [err.message]);
      if (err.fields && err.fields.session_ids === 'session_full') refresh(true);
    } else if (err.status === 409 && err.code === 'already_registered') {
      showErrors([['email', t('This email address is already registered for this event. The confirmation email has the link to your ticket; to register someone else, use their own email address.')]],
        [t('You are already registered for this event with this email address.')]);
    } else if (err.status === 409 && err.code === 'sold_out') {
      showErrors([['ticket_type_id', t('Sorry, this ticket type has just sold out.')]],
        [t('No places are left for the ticket type you chose. Nothing was registered.')]);
      refresh(true);
    } else if (err.status === 403 && err.code === 'registration_closed') {
      // The form goes; the notice in its place says why.
      closedByServer = true;
      renderForm();
      UI.$('#register-closed .notice').focus();
      UI.announce(t('Registration for this event has closed. Nothing was registered.'));
      refresh(true);
    } else if (err.status === 404) {
      showErrors([], [t('This event is no longer available.')]);
    } else {
      showErrors([], [Pub.generalError(err)]);
    }
  }

  function showResult(res, body) {
    registered = true;
    const box = UI.clear(UI.$('#reg-result'));
    const w = Pub.statusWords(res.status);
    const titles = {
      confirmed: t('You are registered'),
      waitlisted: t('You are on the waiting list'),
      pending_approval: t('Registration received – waiting for approval'),
      pending_payment: t('Place reserved – waiting for payment'),
    };
    const h = UI.el('h3', { id: 'result-h', tabindex: '-1', text: titles[res.status] || w.title });
    const manage = res.manage_url ? Pub.localPath(res.manage_url) : null;
    box.append(UI.el('div', { class: 'notice ' + w.cls, 'data-status': res.status }, h,
      UI.el('p', { text: w.text }),
      UI.el('p', { text: res.ticket
        ? t('We have sent an email to {email} with your ticket and a private link to your registration.', { email: body.email })
        : t('We have sent an email to {email} with a private link to your registration.', { email: body.email }) })));
    if (res.ticket) {
      const code = res.ticket.code;
      box.append(UI.el('figure', { class: 'qr-box', id: 'result-qr' },
        UI.el('img', { class: 'qr', src: Pub.localPath(res.ticket.qr_svg_url), width: 320, height: 320,
          alt: t('QR code of your ticket for {event}', { event: ev.name }) }),
        UI.el('figcaption', { text: t('Your ticket. Show this code at the entrance.') })));
      box.append(UI.el('p', { class: 'actions' },
        UI.el('a', { class: 'button', href: '/t/' + encodeURIComponent(code) + '.png?size=800',
          download: 'ticket-' + ev.slug + '.png', text: t('Save the QR code') })));
    }
    if (manage) {
      const link = { href: manage, id: 'manage-link' };
      box.append(UI.el('h4', { text: t('Next steps') }),
        UI.el('ul', {},
          // TRANSLATORS: the words in [brackets] become the link to the ticket page.
          UI.el('li', {}, ...Pub.rich(res.ticket
            ? t('Your ticket page: [open your ticket]. Bookmark it: there you can show the QR code, change your session sign-ups or cancel. Keep the link private – anyone who has it can change your registration.')
            : t('Your ticket page: [see your registration]. Bookmark it: there you can follow your registration, change your session sign-ups or cancel. Keep the link private – anyone who has it can change your registration.'),
          {}, link)),
          // TRANSLATORS: the words in [brackets] become the link to the calendar file.
          UI.el('li', {}, ...Pub.rich(t('[Add the event to your calendar].'), {},
            { href: icsPath(), download: slug + '.ics' })),
          UI.el('li', { text: res.ticket ? t('At the entrance, show the QR code on your phone or on paper.')
            : t('You will receive your ticket by email when your place is confirmed.') })));
    }
    box.append(UI.el('p', {}, UI.el('button', { type: 'button', class: 'secondary', id: 'register-another',
      text: t('Register another person'), onclick: resetForm })));
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
