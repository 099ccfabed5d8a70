// The programme editor: sessions grouped by day and room, and speakers.
'use strict';

(() => {
  const A = ConsoleApp;
  // A function: the catalog is loaded after this script runs.
  const KINDS = () => [['talk', tc('session kind', 'Talk')], ['keynote', tc('session kind', 'Keynote')],
    ['panel', tc('session kind', 'Panel')], ['workshop', tc('session kind', 'Workshop')],
    ['networking', tc('session kind', 'Networking')]];
  const KIND_LABEL = () => Object.fromEntries(KINDS());
  const byName = (a, b) => I18N.collator().compare(a.name, b.name);

  A.route(/^\/events\/([^\/]+)\/programme$/, async (m, [slug], _q, current) => {
    const base = '/api/v1/events/' + encodeURIComponent(slug);
    let ev = await A.loadEvent(slug);
    if (!current()) return;
    const zone = ev.timezone;
    const msgs = UI.el('div', { class: 'messages', 'aria-live': 'polite' });
    const sessionsBox = UI.el('div', { class: 'programme' });
    const sessionFormBox = UI.el('div');
    const speakersBox = UI.el('div');
    const speakerFormBox = UI.el('div');

    async function reload() {
      ev = await Confero.get(base);
      drawSessions();
      drawSpeakers();
    }

    function speakerNames(ids) {
      const byId = new Map(ev.speakers.map((s) => [s.id, s.name]));
      return (ids || []).map((id) => byId.get(id)).filter(Boolean).join(', ');
    }

    function drawSessions() {
      UI.clear(sessionsBox);
      if (!ev.sessions.length) {
        sessionsBox.append(UI.el('p', { class: 'empty', text: t('No sessions yet. Add the first one below.') }));
        return;
      }
      // day -> room -> sessions, in time order
      const days = new Map();
      const sorted = ev.sessions.slice().sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
      for (const s of sorted) {
        const d = UI.dayKey(s.starts_at, zone);
        if (!days.has(d)) days.set(d, new Map());
        const rooms = days.get(d);
        const room = s.room || '';
        if (!rooms.has(room)) rooms.set(room, []);
        rooms.get(room).push(s);
      }
      for (const [, rooms] of days) {
        const first = rooms.values().next().value[0];
        const day = UI.el('section', { class: 'day' },
          UI.el('h3', { text: UI.fmtDate(first.starts_at, zone) }));
        const coll = I18N.collator();
        const roomNames = Array.from(rooms.keys()).sort((a, b) => (a === '') - (b === '') || coll.compare(a, b));
        const grid = UI.el('div', { class: 'rooms' });
        for (const room of roomNames) {
          const col = UI.el('div', { class: 'room' }, UI.el('h4', { text: room || t('No room') }));
          const list = UI.el('ul', { class: 'session-list' });
          for (const s of rooms.get(room)) list.append(sessionItem(s));
          col.append(list);
          grid.append(col);
        }
        day.append(grid);
        sessionsBox.append(day);
      }
    }

    function sessionItem(s) {
      const facts = [KIND_LABEL()[s.kind] || s.kind];
      if (s.track) facts.push(t('Track: {track}', { track: s.track }));
      if (s.capacity !== null && s.capacity !== undefined) {
        // TRANSLATORS: sign-ups so far of the session's seats, e.g. "12 / 50 seats".
        facts.push(tn('{taken} / {n} seat', '{taken} / {n} seats', s.capacity, { taken: I18N.number(s.signed_up || 0) }));
      }
      if (s.requires_signup) facts.push(t('Sign-up required'));
      if (s.one_to_one) facts.push(tn('One-to-one meetings at {n} table', 'One-to-one meetings at {n} tables', s.tables || 0));
      const spk = speakerNames(s.speaker_ids);
      return UI.el('li', { class: 'session-card kind-' + s.kind, 'data-session-id': String(s.id) },
        UI.el('p', { class: 'session-time', text: UI.fmtTime(s.starts_at, zone) + '\u2013' + UI.fmtTime(s.ends_at, zone) }),
        UI.el('p', { class: 'session-title', text: s.title }),
        spk ? UI.el('p', { class: 'session-speakers', text: spk }) : null,
        UI.el('p', { class: 'muted session-facts', text: facts.join(' \u00b7 ') }),
        UI.el('div', { class: 'actions' },
          UI.el('button', { type: 'button', class: 'secondary small', text: t('Edit'),
            'aria-label': t('Edit session {title}', { title: s.title }), onclick: () => sessionForm(s) }),
          A.actionButton(t('Delete'), async () => {
            await Confero.del(base + '/sessions/' + s.id);
            A.flash(msgs, t('Session \u201c{title}\u201d deleted.', { title: s.title }));
            await reload();
          }, { class: 'danger small', label: t('Delete session {title}', { title: s.title }),
            confirm: t('Delete the session \u201c{title}\u201d?', { title: s.title }), errors: () => msgs })));
    }

    function sessionForm(s) {
      const editing = !!s;
      const rooms = Array.from(new Set(ev.sessions.map((x) => x.room).filter(Boolean)));
      const tracks = Array.from(new Set(ev.sessions.map((x) => x.track).filter(Boolean)));
      const cancel = editing ? UI.el('button', { type: 'button', class: 'secondary', text: tc('verb', 'Cancel'),
        onclick: () => sessionForm(null) }) : null;
      const f = Forms.build([
        { name: 'title', label: t('Title'), required: true, maxlength: 300 },
        { name: 'kind', label: t('Kind'), type: 'select', options: KINDS() },
        // TRANSLATORS: {zone} is a time zone such as Europe/Ljubljana.
        { name: 'starts_at', label: t('Starts ({zone})', { zone }), type: 'datetime', required: true, optionalMark: false },
        { name: 'ends_at', label: t('Ends ({zone})', { zone }), type: 'datetime', required: true, optionalMark: false },
        { name: 'room', label: t('Room'), maxlength: 100, list: 'rooms-list' },
        { name: 'track', label: t('Track'), maxlength: 100, list: 'tracks-list' },
        { name: 'capacity', label: t('Capacity'), type: 'number', min: 0, hint: t('Empty: no limit.') },
        { name: 'requires_signup', label: t('Attendees must sign up for this session'), type: 'checkbox' },
        // Networking only: the slots of one-to-one meetings (matchmaking).
        { name: 'one_to_one', label: t('One-to-one meetings between participants (matchmaking slots)'), type: 'checkbox' },
        { name: 'tables', label: t('Number of tables'), type: 'number', min: 1, max: 1000,
          hint: t('Tables for meetings at the same time. Or name them below.') },
        { name: 'table_labels', label: t('Table names'), type: 'lines',
          hint: t('One per line, such as A1. Empty: tables are numbered.') },
        { name: 'speaker_ids', label: t('Speakers'), type: 'multi',
          options: ev.speakers.slice().sort(byName).map((p) => [p.id, p.organisation
            ? t('{name} ({organisation})', { name: p.name, organisation: p.organisation }) : p.name]),
          empty: t('No speakers yet: add them below.') },
        { name: 'description', label: t('Description'), type: 'textarea' },
      ], s || { kind: 'talk', speaker_ids: [] }, {
        submit: editing ? t('Save session') : t('Add session'),
        tz: zone,
        buttons: [cancel],
        onSubmit: async (v) => {
          if (v.kind !== 'networking') {
            // Only networking sessions hold one-to-one meetings.
            if (editing && s.one_to_one) v.one_to_one = false;
          } else if (Array.isArray(v.table_labels) && v.table_labels.length) {
            delete v.tables;
          } else {
            delete v.table_labels;
            if (v.one_to_one && (v.tables === null || v.tables === undefined)) { f.showErrors({ tables: 'required' }); return; }
          }
          if (editing) await Confero.patch(base + '/sessions/' + s.id, v);
          else await Confero.post(base + '/sessions', v);
          A.flash(msgs, editing ? t('Session \u201c{title}\u201d saved.', { title: v.title })
            : t('Session \u201c{title}\u201d added.', { title: v.title }));
          await reload();
          sessionForm(null);
        },
      });
      // Workshops and networking usually need sign-up: follow the kind
      // while the box has not been touched.
      if (!editing) {
        const kind = f.control('kind').input;
        const signup = f.control('requires_signup').input;
        let touched = false;
        signup.addEventListener('change', () => { touched = true; });
        kind.addEventListener('change', () => {
          if (!touched) signup.checked = kind.value === 'workshop' || kind.value === 'networking';
        });
      }
      // The one-to-one fields belong to networking sessions.
      const kindSel = f.control('kind').input;
      const syncKind = () => {
        const net = kindSel.value === 'networking';
        const one = f.control('one_to_one').input.checked;
        f.control('one_to_one').show(net);
        f.control('tables').show(net && one);
        f.control('table_labels').show(net && one);
      };
      kindSel.addEventListener('change', syncKind);
      f.control('one_to_one').input.addEventListener('change', syncKind);
      syncKind();
      f.form.id = 'session-form';
      A.put(sessionFormBox,
        UI.el('h3', { text: editing ? t('Edit session: {title}', { title: s.title }) : t('Add a session') }),
        UI.el('datalist', { id: 'rooms-list' }, ...rooms.map((r) => UI.el('option', { value: r }))),
        UI.el('datalist', { id: 'tracks-list' }, ...tracks.map((r) => UI.el('option', { value: r }))),
        f.form);
      if (editing) f.control('title').focus();
    }

    function drawSpeakers() {
      UI.clear(speakersBox);
      if (!ev.speakers.length) {
        speakersBox.append(UI.el('p', { class: 'empty', text: t('No speakers yet.') }));
        return;
      }
      const titles = new Map(ev.sessions.map((s) => [s.id, s.title]));
      speakersBox.append(A.table([t('Name'), t('Organisation'), t('Email'), t('Sessions'), t('Actions')],
        ev.speakers.slice().sort(byName).map((p) => [p.name, p.organisation || '', p.email || '',
          (p.session_ids || []).map((id) => titles.get(id)).filter(Boolean).join(', '),
          UI.el('div', { class: 'actions' },
            UI.el('button', { type: 'button', class: 'secondary small', text: t('Edit'),
              'aria-label': t('Edit speaker {name}', { name: p.name }), onclick: () => speakerForm(p) }),
            A.actionButton(t('Delete'), async () => {
              await Confero.del(base + '/speakers/' + p.id);
              A.flash(msgs, t('Speaker {name} deleted.', { name: p.name }));
              await reload();
              sessionForm(null);
            }, { class: 'danger small', label: t('Delete speaker {name}', { name: p.name }),
              confirm: t('Delete the speaker {name}?', { name: p.name }), errors: () => msgs }))]),
        { caption: t('Speakers'), class: 'speakers-table' }));
    }

    function speakerForm(p) {
      const editing = !!p;
      const cancel = editing ? UI.el('button', { type: 'button', class: 'secondary', text: tc('verb', 'Cancel'),
        onclick: () => speakerForm(null) }) : null;
      const f = Forms.build([
        { name: 'name', label: t('Name'), required: true, maxlength: 200 },
        { name: 'organisation', label: t('Organisation'), maxlength: 200 },
        { name: 'email', label: t('Email'), type: 'email', emptyNull: true, hint: t('Not shown to the public.') },
        { name: 'bio', label: t('Biography'), type: 'textarea' },
      ], p || {}, {
        submit: editing ? t('Save speaker') : t('Add speaker'),
        buttons: [cancel],
        onSubmit: async (v) => {
          if (editing) await Confero.patch(base + '/speakers/' + p.id, v);
          else await Confero.post(base + '/speakers', v);
          A.flash(msgs, editing ? t('Speaker {name} saved.', { name: v.name }) : t('Speaker {name} added.', { name: v.name }));
          await reload();
          speakerForm(null);
          sessionForm(null);
        },
      });
      f.form.id = 'speaker-form';
      A.put(speakerFormBox,
        UI.el('h3', { text: editing ? t('Edit speaker: {name}', { name: p.name }) : t('Add a speaker') }), f.form);
      if (editing) f.control('name').focus();
    }

    A.put(m,
      A.eventHeader(ev, 'programme', t('Programme: {event}', { event: ev.name })),
      msgs,
      A.section('sessions', t('Sessions'), sessionsBox, sessionFormBox),
      A.section('speakers', t('Speakers'), speakersBox, speakerFormBox));
    drawSessions();
    drawSpeakers();
    sessionForm(null);
    speakerForm(null);
  });
})();
