// B2B matchmaking for organisers: #/events/<slug>/matchmaking has the
// settings, the scheduler, the participants (with moderation) and the
// downloads; #/events/<slug>/meetings lists the meetings (filters, moving
// a meeting to another slot or table, booking one by hand) and the desk
// view: per slot, table → the two names, with the printable table plan.
'use strict';

(() => {
  const A = ConsoleApp;
  const W = MatchWords;
  const num = (n) => I18N.number(n || 0);

  function slotLabel(s, zone) {
    return A.fmtRange(s.starts_at, s.ends_at, zone) + (s.room ? ' \u00b7 ' + s.room : '');
  }

  function tableNames(s) {
    if (Array.isArray(s.table_labels) && s.table_labels.length) return s.table_labels.slice();
    const out = [];
    for (let i = 1; i <= (s.tables || 0); i++) out.push(String(i));
    return out;
  }

  const who = (p) => (p ? (p.organisation ? t('{name} ({organisation})', { name: p.name, organisation: p.organisation }) : p.name) : '');

  // ------------------------------------------------------------------
  // Settings, scheduler, participants

  A.route(/^\/events\/([^\/]+)\/matchmaking$/, async (m, [slug], _q, current) => {
    const base = '/api/v1/events/' + encodeURIComponent(slug);
    const ev = await A.loadEvent(slug);
    if (!current()) return;
    const zone = ev.timezone;
    const [settings, slotsR, partsR] = await Promise.all([
      Confero.get(base + '/matchmaking'),
      Confero.get(base + '/matchmaking/slots'),
      Confero.get(base + '/matchmaking/participants'),
    ]);
    if (!current()) return;
    const msgs = UI.el('div', { class: 'messages', 'aria-live': 'polite' });

    // ---- settings
    const known = Object.keys(W.orgTypes());
    const types = known.concat((settings.organisation_types || []).filter((x) => !known.includes(x)));
    const f = Forms.build([
      { name: 'enabled', label: t('Meetings between participants are on'), type: 'checkbox' },
      { name: 'opens_at', label: t('Requests open ({zone})', { zone }), type: 'datetime', hint: t('Empty: open now.') },
      { name: 'closes_at', label: t('Requests close ({zone})', { zone }), type: 'datetime', hint: t('Empty: open until the event ends.') },
      { name: 'meeting_minutes', label: t('Minutes per meeting'), type: 'number', min: 5, max: 240, required: true },
      { name: 'max_meetings', label: t('Most meetings per participant'), type: 'number', min: 1, max: 200, required: true },
      { name: 'request_expiry_hours', label: t('Hours to answer a request'), type: 'number', min: 1, max: 1440, required: true,
        hint: t('An unanswered request expires after this.') },
      { name: 'ticket_type_ids', label: t('Who may take part'), type: 'sessions', allLabel: t('Every confirmed participant'),
        options: ev.ticket_types.map((tt) => [tt.id, tt.name]) },
      { name: 'organisation_types', label: t('Organisation types participants choose from'), type: 'multi', numeric: false,
        options: types.map((x) => [x, W.orgType(x)]) },
    ], settings, {
      submit: t('Save settings'),
      tz: zone,
      onSubmit: async (v) => {
        const saved = await Confero.request('PUT', base + '/matchmaking', v);
        f.notice(saved.enabled ? t('Saved. Meetings between participants are on.') : t('Saved. Meetings between participants are off.'));
        drawSlots(await Confero.get(base + '/matchmaking/slots'));
      },
    });
    f.form.id = 'match-settings';

    // ---- slots
    const slotsBox = UI.el('div', { id: 'match-slots' });
    function drawSlots(r) {
      const slots = r.slots || [];
      A.put(slotsBox, slots.length
        ? A.table([t('Slot'), t('Tables')], slots.map((s) => [slotLabel(s, zone),
          Array.isArray(s.table_labels) && s.table_labels.length ? s.table_labels.join(', ') : num(s.tables)]),
        { caption: t('Meeting slots'), class: 'slots-table' })
        : UI.el('p', { class: 'empty' }, ...A.rich(t('No meeting slots yet. Add a networking session with one-to-one meetings in the [programme].'),
          {}, { href: '#' + A.eventPath(ev, 'programme') })));
    }
    drawSlots(slotsR);

    // ---- scheduler
    const resched = UI.el('input', { type: 'checkbox', id: 'sched-reschedule' });
    const schedOut = UI.el('div', { id: 'sched-result', 'aria-live': 'polite' });
    const runBtn = A.actionButton(t('Run the scheduler'), async () => {
      const r = await Confero.post(base + '/matchmaking/schedule', { reschedule: resched.checked });
      const rows = [
        ['placed', t('Placed'), r.placed],
        ['unplaced', t('Not placed'), r.unplaced],
        ['upper_bound', t('Most that could be placed'), r.upper_bound],
        ['greedy_placed', t('Placed by first come, first served'), r.greedy_placed],
        ['moved', t('Moved'), r.moved],
      ];
      const dl = UI.el('dl', { class: 'meta sched-numbers' });
      for (const [k, label, v] of rows) dl.append(UI.el('dt', { text: label }), UI.el('dd', { 'data-key': k, text: num(v) }));
      dl.append(UI.el('dt', { text: t('Time taken') }), UI.el('dd', { text: t('{s} s', { s: I18N.number(r.seconds || 0, { maximumFractionDigits: 2 }) }) }));
      const un = r.unplaced_meetings || [];
      A.put(schedOut,
        UI.el('div', { class: 'notice ok', role: 'status', text: tn('{n} meeting placed.', '{n} meetings placed.', r.placed) }),
        dl,
        un.length ? A.table([t('Meeting'), t('Why not placed')], un.map((u) => [String(u.meeting_id), W.unplacedReason(u.reason)]),
          { caption: t('Meetings not placed'), captionVisible: true, class: 'unplaced-table' }) : null);
    }, { class: '', errors: () => schedOut });
    runBtn.id = 'sched-run';
    const schedBox = UI.el('div', {},
      UI.el('p', { class: 'hint', text: t('Places agreed meetings that have no time yet into free slots and tables, as many as possible. Meetings already placed stay where they are.') }),
      UI.el('div', { class: 'check' }, resched, UI.el('label', { for: resched.id, text: t('Also move meetings already placed (their participants get new times by email)') })),
      UI.el('div', { class: 'actions' }, runBtn), schedOut);

    // ---- participants
    const partsBox = UI.el('div', { id: 'match-participants' });
    function drawParts(list) {
      const coll = I18N.collator();
      const rows = list.slice().sort((a, b) => coll.compare(a.name, b.name)).map((p) => {
        const state = p.hidden ? UI.el('span', { class: 'badge status-cancelled', text: t('Hidden by organisers') })
          : p.visible ? UI.el('span', { class: 'badge status-confirmed', text: t('Listed') })
            : UI.el('span', { class: 'badge', text: t('Not listed') });
        const btn = A.actionButton(p.hidden ? t('Show again') : t('Hide'), async () => {
          const r = await Confero.patch(base + '/matchmaking/participants/' + p.id, { hidden: !p.hidden });
          p.hidden = r.hidden;
          A.flash(msgs, r.hidden ? t('{name} is hidden from the directory.', { name: p.name }) : t('{name} is shown in the directory again.', { name: p.name }));
          drawParts(list);
        }, { class: 'secondary small', label: t('{action}: {name}', { action: p.hidden ? t('Show again') : t('Hide'), name: p.name }), errors: () => msgs });
        return [p.name, p.email, p.organisation || '', W.orgType(p.organisation_type), p.country || '',
          (p.topics || []).join(', '), state, num(p.meetings), num(p.held), num(p.open_requests), UI.el('div', { class: 'actions' }, btn)];
      });
      A.put(partsBox, rows.length
        ? A.table([t('Name'), t('Email'), t('Organisation'), t('Type'), t('Country'), t('Topics'), t('Directory'),
          t('Meetings'), t('Held'), t('Open requests'), t('Actions')], rows, { caption: t('Participants'), class: 'match-parts' })
        : UI.el('p', { class: 'empty', text: t('Nobody has a matchmaking profile yet.') }));
    }
    drawParts(partsR.participants || []);

    const ex = base + '/exports/';
    const downloads = UI.el('ul', { class: 'downloads' },
      UI.el('li', {}, UI.el('a', { href: ex + 'meetings.xlsx', download: '', text: t('All meetings (Excel)') })),
      UI.el('li', {}, UI.el('a', { href: ex + 'meetings.csv', download: '', text: t('All meetings (CSV)') })),
      UI.el('li', {}, UI.el('a', { href: ex + 'attendance.xlsx', download: '', text: t('Attendance report with the matchmaking sheet (Excel)') })));

    A.put(m,
      A.eventHeader(ev, 'matchmaking', t('Matchmaking: {event}', { event: ev.name })),
      msgs,
      A.section('match-settings', t('Settings'), f.form),
      A.section('match-slots', t('Meeting slots'), slotsBox),
      A.section('scheduler', t('Scheduler'), schedBox),
      A.section('participants', t('Participants'), partsBox),
      A.section('match-downloads', t('Downloads'), downloads,
        UI.el('p', {}, UI.el('a', { href: '#' + A.eventPath(ev, 'meetings'), text: t('Meetings and the desk view') }))));
  });

  // ------------------------------------------------------------------
  // Meetings and the desk view

  A.route(/^\/events\/([^\/]+)\/meetings$/, async (m, [slug], query, current) => {
    const base = '/api/v1/events/' + encodeURIComponent(slug);
    const ev = await A.loadEvent(slug);
    if (!current()) return;
    const zone = ev.timezone;
    const params = new URLSearchParams();
    for (const k of ['status', 'slot']) if (query.get(k)) params.set(k, query.get(k));
    const [slotsR, partsR, listR] = await Promise.all([
      Confero.get(base + '/matchmaking/slots'),
      Confero.get(base + '/matchmaking/participants'),
      Confero.get(base + '/meetings' + (params.toString() ? '?' + params.toString() : '')),
    ]);
    if (!current()) return;
    const slots = slotsR.slots || [];
    const slotById = new Map(slots.map((s) => [s.id, s]));
    const people = (partsR.participants || []).slice().sort((a, b) => I18N.collator().compare(a.name, b.name));
    const msgs = UI.el('div', { class: 'messages', 'aria-live': 'polite' });

    // ---- desk view: one slot's tables
    const deskSlot = query.get('desk') || (slots[0] ? String(slots[0].id) : '');
    const deskSel = UI.el('select', { id: 'desk-slot', name: 'desk' }, ...slots.map((s) => UI.el('option', { value: String(s.id), text: slotLabel(s, zone) })));
    deskSel.value = deskSlot;
    const deskBox = UI.el('div', { id: 'desk-view' });
    async function drawDesk() {
      const s = slotById.get(Number(deskSel.value));
      if (!s) { A.put(deskBox, UI.el('p', { class: 'empty', text: t('No meeting slots yet.') })); return; }
      const r = await Confero.get(base + '/meetings?slot=' + s.id);
      const at = new Map();
      for (const x of r.meetings || []) if (x.table && ['scheduled', 'held'].includes(x.status)) at.set(String(x.table), x);
      const rows = tableNames(s).map((tb) => {
        const x = at.get(tb);
        return [W.table(tb), x ? who(x.requester) : '\u2014', x ? who(x.recipient) : '\u2014',
          x ? (x.held_at ? t('Held at {time}', { time: UI.fmtTime(x.held_at, zone) }) : W.status(x.status, x.no_show).text) : ''];
      });
      A.put(deskBox,
        UI.el('p', {}, UI.el('a', { class: 'button secondary', id: 'table-plan', href: base + '/exports/table-plan.pdf?slot=' + s.id, download: '', text: t('Print table plan') })),
        A.table([t('Table'), t('Participant'), t('Participant'), t('Status')], rows,
          { caption: t('Tables at {slot}', { slot: slotLabel(s, zone) }), captionVisible: true, class: 'desk-table' }));
    }
    deskSel.addEventListener('change', () => { drawDesk().catch((e) => A.put(deskBox, A.errorNotice(e))); });

    // ---- filters
    const status = UI.el('select', { id: 'mf-status', name: 'status' },
      UI.el('option', { value: '', text: t('Any status') }),
      ...W.STATUSES.concat(['no_show']).map((s) => UI.el('option', { value: s, text: s === 'no_show' ? W.status('', true).text : W.status(s).text })));
    status.value = query.get('status') || '';
    const slotF = UI.el('select', { id: 'mf-slot', name: 'slot' },
      UI.el('option', { value: '', text: t('Any slot') }), ...slots.map((s) => UI.el('option', { value: String(s.id), text: slotLabel(s, zone) })));
    slotF.value = query.get('slot') || '';
    const filters = UI.el('form', { class: 'filters', role: 'search', 'aria-label': t('Find meetings') },
      UI.el('div', { class: 'field' }, UI.el('label', { for: status.id, text: t('Status') }), status),
      UI.el('div', { class: 'field' }, UI.el('label', { for: slotF.id, text: t('Slot') }), slotF));
    const apply = (e) => {
      if (e) e.preventDefault();
      const next = {};
      if (status.value) next.status = status.value;
      if (slotF.value) next.slot = slotF.value;
      if (query.get('desk')) next.desk = query.get('desk');
      A.go(A.eventPath(ev, 'meetings'), next);
    };
    filters.addEventListener('submit', apply);
    status.addEventListener('change', () => apply());
    slotF.addEventListener('change', () => apply());

    // ---- the list, with moving
    const dialog = UI.el('dialog', { class: 'edit-dialog', 'aria-labelledby': 'move-title' });
    function moveDialog(x) {
      const close = UI.el('button', { type: 'button', class: 'secondary', text: tc('close a dialog', 'Close'), onclick: () => dialog.close() });
      const g = Forms.build([
        { name: 'slot_id', label: t('Slot'), type: 'select',
          options: [['', t('No slot (take it out)')]].concat(slots.map((s) => [s.id, slotLabel(s, zone)])) },
        { name: 'table', label: t('Table'), maxlength: 20, hint: t('A table number or label; empty: the first free one.') },
      ], { slot_id: x.slot ? x.slot.id : '', table: x.table || '' }, {
        submit: t('Move'),
        buttons: [close],
        onSubmit: async (v) => {
          const body = { slot_id: v.slot_id ? Number(v.slot_id) : null };
          if (v.slot_id && v.table) body.table = v.table;
          try {
            await Confero.patch(base + '/meetings/' + x.id, body);
          } catch (e) {
            throw bookingError(e);
          }
          dialog.close();
          A.flash(msgs, t('Meeting moved.'));
          A.render();
        },
      });
      A.put(dialog, UI.el('h2', { id: 'move-title', text: t('Move the meeting of {a} and {b}', { a: x.requester.name, b: x.recipient.name }) }), g.form);
      dialog.showModal();
      g.control('slot_id').focus();
    }

    const list = listR.meetings || [];
    const rows = list.map((x) => {
      const w = W.status(x.status, x.no_show);
      const outcomes = [x.requester.outcome, x.recipient.outcome].filter(Boolean).map(W.outcome);
      const canMove = ['accepted', 'scheduled'].includes(x.status);
      return [who(x.requester), who(x.recipient), UI.el('span', { class: 'badge status-' + x.status, text: w.text }),
        x.slot ? A.fmtRange(x.slot.starts_at, x.slot.ends_at, zone) : '\u2014',
        x.table ? W.table(x.table) + (x.room ? ' \u00b7 ' + x.room : '') : '\u2014',
        outcomes.join('; '),
        canMove ? UI.el('button', { type: 'button', class: 'secondary small', text: t('Move'),
          'aria-label': t('Move the meeting of {a} and {b}', { a: x.requester.name, b: x.recipient.name }), onclick: () => moveDialog(x) }) : ''];
    });
    const listBox = rows.length
      ? A.table([t('Asked by'), t('Asked'), t('Status'), t('When'), t('Where'), t('Outcome'), t('Actions')], rows,
        { caption: t('Meetings'), class: 'meetings-table' })
      : UI.el('p', { class: 'empty', text: params.toString() ? t('Nothing matches these filters.') : t('No meetings yet.') });

    // ---- booking by hand
    const opts = [['', t('Choose…')]].concat(people.map((p) => [p.id, who(p)]));
    const book = Forms.build([
      { name: 'a', label: t('First participant'), type: 'select', options: opts },
      { name: 'b', label: t('Second participant'), type: 'select', options: opts },
      { name: 'slot_id', label: t('Slot'), type: 'select', options: [['', t('Choose…')]].concat(slots.map((s) => [s.id, slotLabel(s, zone)])) },
      { name: 'table', label: t('Table'), maxlength: 20, hint: t('A table number or label; empty: the first free one.') },
    ], {}, {
      submit: t('Book the meeting'),
      onSubmit: async (v) => {
        const errs = {};
        for (const k of ['a', 'b', 'slot_id']) if (!v[k]) errs[k] = 'required';
        if (Object.keys(errs).length) { book.showErrors(errs); return; }
        if (v.a === v.b) throw new Error(t('Choose two different participants.'));
        const body = { a: Number(v.a), b: Number(v.b), slot_id: Number(v.slot_id) };
        if (v.table) body.table = v.table;
        try {
          await Confero.post(base + '/meetings', body);
        } catch (e) {
          throw bookingError(e);
        }
        A.flash(msgs, t('Meeting booked. Both participants get an email with the time and table.'));
        A.render();
      },
    });
    book.form.id = 'book-form';

    A.put(m,
      A.eventHeader(ev, 'meetings', t('Meetings: {event}', { event: ev.name })),
      msgs,
      A.section('desk', t('Desk view'),
        UI.el('div', { class: 'field inline-field' }, UI.el('label', { for: deskSel.id, text: t('Slot') }), deskSel), deskBox),
      A.section('meetings-list', t('Meetings'), filters,
        UI.el('p', { class: 'result-count', role: 'status', text: tn('{n} meeting.', '{n} meetings.', list.length) }), listBox),
      A.section('book', t('Book a meeting by hand'), people.length > 1 && slots.length ? book.form
        : UI.el('p', { class: 'empty', text: t('Booking needs two participants with a profile and a meeting slot.') })),
      dialog);
    await drawDesk();
  });

  // The server's reasons for refusing a booking or a move, in words.
  function bookingError(e) {
    if (!(e instanceof Confero.ApiError)) return e;
    const words = {
      duplicate: t('These two already have a meeting.'),
      person_busy: t('One of them already has a meeting in this slot.'),
      table_taken: t('This table is taken in this slot.'),
      tables_full: t('Every table is taken in this slot.'),
    };
    if (words[e.code]) return new Error(words[e.code]);
    return e;
  }

  // ------------------------------------------------------------------
  // The dashboard's matchmaking block (dashboard.js calls this with the stats).

  function statsBlock(mmStats) {
    if (!mmStats) return null;
    const s = mmStats.meetings || {};
    const p = mmStats.participants || {};
    const card = (key, label, value) => UI.el('div', { class: 'stat card', 'data-stat': 'mm-' + key },
      UI.el('p', { class: 'stat-label', text: label }), UI.el('p', { class: 'stat-value', text: num(value) }));
    const cards = UI.el('div', { class: 'stat-cards' },
      card('profiles', t('Profiles'), p.profiles),
      card('requested', t('Meetings requested'), s.requested),
      card('scheduled', t('Meetings scheduled'), s.scheduled),
      card('held', t('Meetings held'), s.held),
      card('open', t('Open requests'), s.open_requests),
      card('awaiting', t('Agreed, no time yet'), s.awaiting_slot),
      card('met_countries', t('Countries that met'), p.met_countries));
    const byType = (mmStats.by_organisation_type || []);
    const pairs = (mmStats.pairs || []);
    const outcomes = (mmStats.outcomes || []);
    return UI.el('div', { id: 'mm-stats' }, cards,
      byType.length ? A.table([t('Organisation type'), t('Participants'), t('Met someone'), t('Meetings held')],
        byType.map((x) => [W.orgType(x.organisation_type), num(x.participants), num(x.met), num(x.held)]),
        { caption: t('By organisation type'), class: 'mm-types' }) : null,
      pairs.length ? A.table([t('Pair of types'), t('Scheduled'), t('Held')],
        pairs.map((x) => [t('{a} × {b}', { a: W.orgType(x.type_a), b: W.orgType(x.type_b) }), num(x.scheduled), num(x.held)]),
        { caption: t('Meetings by pair of organisation types'), class: 'mm-pairs' }) : null,
      outcomes.length ? A.table([t('Outcome'), t('Count')], outcomes.map((x) => [W.outcome(x.outcome), num(x.count)]),
        { caption: t('Outcomes'), class: 'mm-outcomes' }) : null);
  }

  window.MatchConsole = { statsBlock };
})();
