// Ticket types and registration questions; the event's members.
'use strict';

(() => {
  const A = ConsoleApp;
  // A function: the catalog is loaded after this script runs.
  const QKINDS = () => [['text', t('Short text')], ['textarea', t('Long text')], ['choice', t('One of several options')],
    ['multichoice', t('Several options')], ['checkbox', t('Yes/no box')], ['country', t('Country')]];
  const QKIND_LABEL = () => Object.fromEntries(QKINDS());

  A.route(/^\/events\/([^\/]+)\/tickets$/, async (m, [slug], _q, current) => {
    const base = '/api/v1/events/' + encodeURIComponent(slug);
    let ev = await A.loadEvent(slug);
    if (!current()) return;
    const zone = ev.timezone;
    const msgs = UI.el('div', { class: 'messages', 'aria-live': 'polite' });
    const ttBox = UI.el('div');
    const ttFormBox = UI.el('div');
    const qBox = UI.el('div');
    const qFormBox = UI.el('div');

    async function reload() {
      ev = await Confero.get(base);
      drawTypes();
      drawQuestions();
    }

    function saleWindow(tt) {
      const from = tt.sale_starts_at ? UI.fmtDateTime(tt.sale_starts_at, zone) : null;
      const until = tt.sale_ends_at ? UI.fmtDateTime(tt.sale_ends_at, zone) : null;
      if (from && until) return t('from {start} until {end}', { start: from, end: until });
      if (from) return t('from {start}', { start: from });
      if (until) return t('until {end}', { end: until });
      return t('Always');
    }

    function sessionsText(tt) {
      if (tt.sessions === 'all' || tt.sessions === undefined || tt.sessions === null) return t('All sessions');
      const titles = new Map(ev.sessions.map((s) => [s.id, s.title]));
      const names = tt.sessions.map((id) => titles.get(id)).filter(Boolean);
      return names.length ? names.join(', ') : t('No sessions');
    }

    function drawTypes() {
      UI.clear(ttBox);
      if (!ev.ticket_types.length) {
        ttBox.append(UI.el('p', { class: 'empty', text: t('No ticket types yet: nobody can register until you add one.') }));
        return;
      }
      ttBox.append(A.table([t('Name'), t('Price'), t('Quota'), t('Sold'), t('On sale'), t('Approval'), t('Sessions'), t('Actions')],
        ev.ticket_types.map((tt) => [tt.name, UI.money(tt.price_cents, tt.currency),
          tt.quota === null || tt.quota === undefined ? t('No limit') : I18N.number(tt.quota),
          I18N.number(tt.sold || 0), saleWindow(tt), tt.requires_approval ? tc('approval', 'Required') : tc('approval', 'No'),
          sessionsText(tt),
          UI.el('div', { class: 'actions' },
            UI.el('button', { type: 'button', class: 'secondary small', text: t('Edit'),
              'aria-label': t('Edit ticket type {name}', { name: tt.name }), onclick: () => typeForm(tt) }),
            A.actionButton(t('Delete'), async () => {
              await Confero.del(base + '/ticket-types/' + tt.id);
              A.flash(msgs, t('Ticket type {name} deleted.', { name: tt.name }));
              await reload();
            }, { class: 'danger small', label: t('Delete ticket type {name}', { name: tt.name }),
              confirm: t('Delete the ticket type {name}?', { name: tt.name }), errors: () => msgs }))]),
      { caption: t('Ticket types'), class: 'ttypes-table' }));
    }

    function typeForm(tt) {
      const editing = !!tt;
      const cancel = editing ? UI.el('button', { type: 'button', class: 'secondary', text: tc('verb', 'Cancel'),
        onclick: () => typeForm(null) }) : null;
      const f = Forms.build([
        { name: 'name', label: t('Name'), required: true, maxlength: 200 },
        { name: 'description', label: t('Description'), type: 'textarea', rows: 3 },
        { name: 'price_cents', label: t('Price'), type: 'money', hint: t('Empty or 0: free. Paid tickets wait for you to mark them paid.') },
        { name: 'currency', label: t('Currency'), maxlength: 3, hint: t('Three letters, such as EUR.'), autocomplete: 'off' },
        { name: 'quota', label: t('Quota'), type: 'number', min: 0, hint: t('Tickets of this type; empty for no limit.') },
        // TRANSLATORS: {zone} is a time zone such as Europe/Ljubljana.
        { name: 'sale_starts_at', label: t('Sale starts ({zone})', { zone }), type: 'datetime' },
        { name: 'sale_ends_at', label: t('Sale ends ({zone})', { zone }), type: 'datetime' },
        { name: 'requires_approval', label: t('Registrations need approval'), type: 'checkbox' },
        { name: 'sessions', label: t('Sessions included'), type: 'sessions', allLabel: t('All sessions'),
          options: ev.sessions.map((s) => [s.id, t('{title} ({when})', { title: s.title, when: UI.fmtDateTime(s.starts_at, zone) })]),
          empty: t('No sessions yet.') },
      ], tt || { currency: 'EUR', sessions: 'all', price_cents: 0 }, {
        submit: editing ? t('Save ticket type') : t('Add ticket type'),
        tz: zone,
        buttons: [cancel],
        onSubmit: async (v) => {
          v.currency = (v.currency || 'EUR').toUpperCase();
          if (editing) await Confero.patch(base + '/ticket-types/' + tt.id, v);
          else await Confero.post(base + '/ticket-types', v);
          A.flash(msgs, editing ? t('Ticket type {name} saved.', { name: v.name }) : t('Ticket type {name} added.', { name: v.name }));
          await reload();
          typeForm(null);
        },
      });
      f.form.id = 'ttype-form';
      A.put(ttFormBox,
        UI.el('h3', { text: editing ? t('Edit ticket type: {name}', { name: tt.name }) : t('Add a ticket type') }), f.form);
      if (editing) f.control('name').focus();
    }

    function drawQuestions() {
      UI.clear(qBox);
      if (!ev.questions.length) {
        qBox.append(UI.el('p', { class: 'empty', text: t('No questions: the form asks only for name, email and organisation.') }));
        return;
      }
      const kinds = QKIND_LABEL();
      qBox.append(A.table([t('Question'), t('Kind'), tc('column: an answer is required', 'Required'), t('Options'), t('Actions')],
        ev.questions.map((q) => [q.label, kinds[q.kind] || q.kind, q.required ? t('Yes') : t('No'),
          (q.options || []).join(', '),
          UI.el('div', { class: 'actions' },
            UI.el('button', { type: 'button', class: 'secondary small', text: t('Edit'),
              'aria-label': t('Edit question {question}', { question: q.label }), onclick: () => questionForm(q) }),
            A.actionButton(t('Delete'), async () => {
              await Confero.del(base + '/questions/' + q.id);
              A.flash(msgs, t('Question deleted.'));
              await reload();
            }, { class: 'danger small', label: t('Delete question {question}', { question: q.label }),
              confirm: t('Delete the question \u201c{question}\u201d?', { question: q.label }), errors: () => msgs }))]),
      { caption: t('Questions'), class: 'questions-table' }));
    }

    function questionForm(q) {
      const editing = !!q;
      const cancel = editing ? UI.el('button', { type: 'button', class: 'secondary', text: tc('verb', 'Cancel'),
        onclick: () => questionForm(null) }) : null;
      const f = Forms.build([
        { name: 'label', label: t('Question'), required: true, maxlength: 300 },
        { name: 'kind', label: t('Answer'), type: 'select', options: QKINDS() },
        { name: 'options', label: t('Options, one per line'), type: 'lines', rows: 4 },
        { name: 'required', label: t('An answer is required'), type: 'checkbox' },
        { name: 'position', label: t('Position'), type: 'number', hint: t('Questions are asked in ascending position.') },
      ], q || { kind: 'text', position: ev.questions.length }, {
        submit: editing ? t('Save question') : t('Add question'),
        buttons: [cancel],
        onSubmit: async (v) => {
          if (v.kind !== 'choice' && v.kind !== 'multichoice') v.options = null;
          if (v.position === null) v.position = 0;
          if (editing) await Confero.patch(base + '/questions/' + q.id, v);
          else await Confero.post(base + '/questions', v);
          A.flash(msgs, editing ? t('Question saved.') : t('Question added.'));
          await reload();
          questionForm(null);
        },
      });
      const kind = f.control('kind').input;
      const opts = f.control('options');
      const sync = () => opts.show(kind.value === 'choice' || kind.value === 'multichoice');
      kind.addEventListener('change', sync);
      sync();
      f.form.id = 'question-form';
      A.put(qFormBox,
        UI.el('h3', { text: editing ? t('Edit question') : t('Add a question') }), f.form);
      if (editing) f.control('label').focus();
    }

    A.put(m,
      A.eventHeader(ev, 'tickets', t('Tickets & questions: {event}', { event: ev.name })),
      msgs,
      A.section('ticket-types', t('Ticket types'), ttBox, ttFormBox),
      A.section('registration-questions', t('Registration questions'), qBox, qFormBox));
    drawTypes();
    typeForm(null);
    drawQuestions();
    questionForm(null);
  });

  // A staff role (the API's code) in words.
  function roleLabel(role) {
    return { admin: tc('role', 'Administrator'), organiser: tc('role', 'Organiser'),
      checkin: tc('role', 'Check-in staff') }[role] || role;
  }

  A.route(/^\/events\/([^\/]+)\/members$/, async (m, [slug], _q, current) => {
    const base = '/api/v1/events/' + encodeURIComponent(slug);
    const ev = await A.loadEvent(slug);
    if (!current()) return;
    const msgs = UI.el('div', { class: 'messages', 'aria-live': 'polite' });
    const list = UI.el('div');
    let users = null;
    if (A.me().user.role === 'admin') {
      try { users = (await Confero.get('/api/v1/users')).users || []; } catch (e) { users = null; }
    }

    async function draw() {
      const r = await Confero.get(base + '/members');
      A.put(list, A.table([t('User id'), t('Email'), t('Role'), t('Added')],
        (r.members || []).map((u) => [String(u.id), u.email, roleLabel(u.role),
          u.added_at ? UI.fmtDateTime(u.added_at, ev.timezone) : '']),
      { caption: t('Members of this event'), class: 'members-table' }));
    }

    const f = Forms.build([
      { name: 'user_id', label: t('User id'), type: 'number', required: true, min: 1, list: users ? 'users-list' : undefined,
        hint: t('The staff account to add: an organiser manages this event, check-in staff scan at its doors. An administrator can look ids up in the user list.') },
    ], {}, {
      submit: t('Add member'),
      onSubmit: async (v) => {
        try {
          const r = await Confero.post(base + '/members', v);
          f.notice(t('{email} is now a member.', { email: r.member.email }));
          f.control('user_id').set('');
        } catch (e) {
          if (e.code === 'already_member') throw new Error(t('This user is already a member.'));
          if (e.fields && e.fields.user_id === 'not_found') { f.showErrors({ user_id: 'no_such_active_user' }); return; }
          throw e;
        }
        await draw();
      },
    });
    f.form.id = 'member-form';

    await draw();
    if (!current()) return;
    A.put(m,
      A.eventHeader(ev, 'members', t('Members: {event}', { event: ev.name })),
      msgs,
      A.section('members', t('Members'), list),
      A.section('add-a-member', t('Add a member'),
        users ? UI.el('datalist', { id: 'users-list' },
          ...users.filter((u) => !u.disabled).map((u) => UI.el('option', { value: String(u.id),
            label: t('{email} ({role})', { email: u.email, role: roleLabel(u.role) }) }))) : null,
        f.form));
  });
})();
