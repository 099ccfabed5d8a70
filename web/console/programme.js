// The programme editor: sessions grouped by day and room, and speakers.
'use strict';

(() => {
  const A = ConsoleApp;
  const KINDS = [['talk', 'Talk'], ['keynote', 'Keynote'], ['panel', 'Panel'],
    ['workshop', 'Workshop'], ['networking', 'Networking']];
  const KIND_LABEL = Object.fromEntries(KINDS);

  A.route(/^\/events\/([^/]+)\/programme$/, async (m, [slug], _q, current) => {
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
        sessionsBox.append(UI.el('p', { class: 'empty', text: 'No sessions yet. Add the first one below.' }));
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
        const roomNames = Array.from(rooms.keys()).sort((a, b) => (a === '') - (b === '') || a.localeCompare(b));
        const grid = UI.el('div', { class: 'rooms' });
        for (const room of roomNames) {
          const col = UI.el('div', { class: 'room' }, UI.el('h4', { text: room || 'No room' }));
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
      const facts = [KIND_LABEL[s.kind] || s.kind];
      if (s.track) facts.push('Track: ' + s.track);
      if (s.capacity !== null && s.capacity !== undefined) facts.push(`${s.signed_up || 0} / ${s.capacity} seats`);
      if (s.requires_signup) facts.push('Sign-up required');
      const spk = speakerNames(s.speaker_ids);
      return UI.el('li', { class: 'session-card kind-' + s.kind, 'data-session-id': String(s.id) },
        UI.el('p', { class: 'session-time', text: UI.fmtTime(s.starts_at, zone) + '\u2013' + UI.fmtTime(s.ends_at, zone) }),
        UI.el('p', { class: 'session-title', text: s.title }),
        spk ? UI.el('p', { class: 'session-speakers', text: spk }) : null,
        UI.el('p', { class: 'muted session-facts', text: facts.join(' \u00b7 ') }),
        UI.el('div', { class: 'actions' },
          UI.el('button', { type: 'button', class: 'secondary small', text: 'Edit',
            'aria-label': 'Edit session ' + s.title, onclick: () => sessionForm(s) }),
          A.actionButton('Delete', async () => {
            await Confero.del(base + '/sessions/' + s.id);
            A.flash(msgs, `Session \u201c${s.title}\u201d deleted.`);
            await reload();
          }, { class: 'danger small', label: 'Delete session ' + s.title,
            confirm: `Delete the session \u201c${s.title}\u201d?`, errors: () => msgs })));
    }

    function sessionForm(s) {
      const editing = !!s;
      const rooms = Array.from(new Set(ev.sessions.map((x) => x.room).filter(Boolean)));
      const tracks = Array.from(new Set(ev.sessions.map((x) => x.track).filter(Boolean)));
      const cancel = editing ? UI.el('button', { type: 'button', class: 'secondary', text: 'Cancel',
        onclick: () => sessionForm(null) }) : null;
      const f = Forms.build([
        { name: 'title', label: 'Title', required: true, maxlength: 300 },
        { name: 'kind', label: 'Kind', type: 'select', options: KINDS },
        { name: 'starts_at', label: `Starts (${zone})`, type: 'datetime', required: true, optionalMark: false },
        { name: 'ends_at', label: `Ends (${zone})`, type: 'datetime', required: true, optionalMark: false },
        { name: 'room', label: 'Room', maxlength: 100, list: 'rooms-list' },
        { name: 'track', label: 'Track', maxlength: 100, list: 'tracks-list' },
        { name: 'capacity', label: 'Capacity', type: 'number', min: 0, hint: 'Empty: no limit.' },
        { name: 'requires_signup', label: 'Attendees must sign up for this session', type: 'checkbox' },
        { name: 'speaker_ids', label: 'Speakers', type: 'multi',
          options: ev.speakers.map((p) => [p.id, p.name + (p.organisation ? ' (' + p.organisation + ')' : '')]),
          empty: 'No speakers yet: add them below.' },
        { name: 'description', label: 'Description', type: 'textarea' },
      ], s || { kind: 'talk', speaker_ids: [] }, {
        submit: editing ? 'Save session' : 'Add session',
        tz: zone,
        buttons: [cancel],
        onSubmit: async (v) => {
          if (editing) await Confero.patch(base + '/sessions/' + s.id, v);
          else await Confero.post(base + '/sessions', v);
          A.flash(msgs, editing ? `Session \u201c${v.title}\u201d saved.` : `Session \u201c${v.title}\u201d added.`);
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
      f.form.id = 'session-form';
      A.put(sessionFormBox,
        UI.el('h3', { text: editing ? 'Edit session: ' + s.title : 'Add a session' }),
        UI.el('datalist', { id: 'rooms-list' }, ...rooms.map((r) => UI.el('option', { value: r }))),
        UI.el('datalist', { id: 'tracks-list' }, ...tracks.map((r) => UI.el('option', { value: r }))),
        f.form);
      if (editing) f.control('title').focus();
    }

    function drawSpeakers() {
      UI.clear(speakersBox);
      if (!ev.speakers.length) {
        speakersBox.append(UI.el('p', { class: 'empty', text: 'No speakers yet.' }));
        return;
      }
      const titles = new Map(ev.sessions.map((s) => [s.id, s.title]));
      speakersBox.append(A.table(['Name', 'Organisation', 'Email', 'Sessions', 'Actions'],
        ev.speakers.map((p) => [p.name, p.organisation || '', p.email || '',
          (p.session_ids || []).map((id) => titles.get(id)).filter(Boolean).join(', '),
          UI.el('div', { class: 'actions' },
            UI.el('button', { type: 'button', class: 'secondary small', text: 'Edit',
              'aria-label': 'Edit speaker ' + p.name, onclick: () => speakerForm(p) }),
            A.actionButton('Delete', async () => {
              await Confero.del(base + '/speakers/' + p.id);
              A.flash(msgs, `Speaker ${p.name} deleted.`);
              await reload();
              sessionForm(null);
            }, { class: 'danger small', label: 'Delete speaker ' + p.name,
              confirm: `Delete the speaker ${p.name}?`, errors: () => msgs }))]),
        { caption: 'Speakers', class: 'speakers-table' }));
    }

    function speakerForm(p) {
      const editing = !!p;
      const cancel = editing ? UI.el('button', { type: 'button', class: 'secondary', text: 'Cancel',
        onclick: () => speakerForm(null) }) : null;
      const f = Forms.build([
        { name: 'name', label: 'Name', required: true, maxlength: 200 },
        { name: 'organisation', label: 'Organisation', maxlength: 200 },
        { name: 'email', label: 'Email', type: 'email', emptyNull: true, hint: 'Not shown to the public.' },
        { name: 'bio', label: 'Biography', type: 'textarea' },
      ], p || {}, {
        submit: editing ? 'Save speaker' : 'Add speaker',
        buttons: [cancel],
        onSubmit: async (v) => {
          if (editing) await Confero.patch(base + '/speakers/' + p.id, v);
          else await Confero.post(base + '/speakers', v);
          A.flash(msgs, editing ? `Speaker ${v.name} saved.` : `Speaker ${v.name} added.`);
          await reload();
          speakerForm(null);
          sessionForm(null);
        },
      });
      f.form.id = 'speaker-form';
      A.put(speakerFormBox,
        UI.el('h3', { text: editing ? 'Edit speaker: ' + p.name : 'Add a speaker' }), f.form);
      if (editing) f.control('name').focus();
    }

    A.put(m,
      A.eventHeader(ev, 'programme', 'Programme: ' + ev.name),
      msgs,
      A.section('Sessions', sessionsBox, sessionFormBox),
      A.section('Speakers', speakersBox, speakerFormBox));
    drawSessions();
    drawSpeakers();
    sessionForm(null);
    speakerForm(null);
  });
})();
