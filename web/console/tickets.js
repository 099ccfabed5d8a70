// Ticket types and registration questions; the event's members.
'use strict';

(() => {
  const A = ConsoleApp;
  const QKINDS = [['text', 'Short text'], ['textarea', 'Long text'], ['choice', 'One of several options'],
    ['multichoice', 'Several options'], ['checkbox', 'Yes/no box'], ['country', 'Country']];
  const QKIND_LABEL = Object.fromEntries(QKINDS);

  A.route(/^\/events\/([^/]+)\/tickets$/, async (m, [slug], _q, current) => {
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

    function saleWindow(t) {
      if (!t.sale_starts_at && !t.sale_ends_at) return 'Always';
      return (t.sale_starts_at ? 'from ' + UI.fmtDateTime(t.sale_starts_at, zone) : '') +
        (t.sale_starts_at && t.sale_ends_at ? ' ' : '') +
        (t.sale_ends_at ? 'until ' + UI.fmtDateTime(t.sale_ends_at, zone) : '');
    }

    function sessionsText(t) {
      if (t.sessions === 'all' || t.sessions === undefined || t.sessions === null) return 'All sessions';
      const titles = new Map(ev.sessions.map((s) => [s.id, s.title]));
      const names = t.sessions.map((id) => titles.get(id)).filter(Boolean);
      return names.length ? names.join(', ') : 'No sessions';
    }

    function drawTypes() {
      UI.clear(ttBox);
      if (!ev.ticket_types.length) {
        ttBox.append(UI.el('p', { class: 'empty', text: 'No ticket types yet: nobody can register until you add one.' }));
        return;
      }
      ttBox.append(A.table(['Name', 'Price', 'Quota', 'Sold', 'On sale', 'Approval', 'Sessions', 'Actions'],
        ev.ticket_types.map((t) => [t.name, UI.money(t.price_cents, t.currency),
          t.quota === null || t.quota === undefined ? 'No limit' : String(t.quota),
          String(t.sold || 0), saleWindow(t), t.requires_approval ? 'Required' : 'No', sessionsText(t),
          UI.el('div', { class: 'actions' },
            UI.el('button', { type: 'button', class: 'secondary small', text: 'Edit',
              'aria-label': 'Edit ticket type ' + t.name, onclick: () => typeForm(t) }),
            A.actionButton('Delete', async () => {
              await Confero.del(base + '/ticket-types/' + t.id);
              A.flash(msgs, `Ticket type ${t.name} deleted.`);
              await reload();
            }, { class: 'danger small', label: 'Delete ticket type ' + t.name,
              confirm: `Delete the ticket type ${t.name}?`, errors: () => msgs }))]),
      { caption: 'Ticket types', class: 'ttypes-table' }));
    }

    function typeForm(t) {
      const editing = !!t;
      const cancel = editing ? UI.el('button', { type: 'button', class: 'secondary', text: 'Cancel',
        onclick: () => typeForm(null) }) : null;
      const f = Forms.build([
        { name: 'name', label: 'Name', required: true, maxlength: 200 },
        { name: 'description', label: 'Description', type: 'textarea', rows: 3 },
        { name: 'price_cents', label: 'Price', type: 'money', hint: 'Empty or 0: free. Paid tickets wait for you to mark them paid.' },
        { name: 'currency', label: 'Currency', maxlength: 3, hint: 'Three letters, such as EUR.', autocomplete: 'off' },
        { name: 'quota', label: 'Quota', type: 'number', min: 0, hint: 'Tickets of this type; empty for no limit.' },
        { name: 'sale_starts_at', label: `Sale starts (${zone})`, type: 'datetime' },
        { name: 'sale_ends_at', label: `Sale ends (${zone})`, type: 'datetime' },
        { name: 'requires_approval', label: 'Registrations need approval', type: 'checkbox' },
        { name: 'sessions', label: 'Sessions included', type: 'sessions', allLabel: 'All sessions',
          options: ev.sessions.map((s) => [s.id, s.title + ' (' + UI.fmtDateTime(s.starts_at, zone) + ')']),
          empty: 'No sessions yet.' },
      ], t || { currency: 'EUR', sessions: 'all', price_cents: 0 }, {
        submit: editing ? 'Save ticket type' : 'Add ticket type',
        tz: zone,
        buttons: [cancel],
        onSubmit: async (v) => {
          v.currency = (v.currency || 'EUR').toUpperCase();
          if (editing) await Confero.patch(base + '/ticket-types/' + t.id, v);
          else await Confero.post(base + '/ticket-types', v);
          A.flash(msgs, editing ? `Ticket type ${v.name} saved.` : `Ticket type ${v.name} added.`);
          await reload();
          typeForm(null);
        },
      });
      f.form.id = 'ttype-form';
      A.put(ttFormBox,
        UI.el('h3', { text: editing ? 'Edit ticket type: ' + t.name : 'Add a ticket type' }), f.form);
      if (editing) f.control('name').focus();
    }

    function drawQuestions() {
      UI.clear(qBox);
      if (!ev.questions.length) {
        qBox.append(UI.el('p', { class: 'empty', text: 'No questions: the form asks only for name, email and organisation.' }));
        return;
      }
      qBox.append(A.table(['Question', 'Kind', 'Required', 'Options', 'Actions'],
        ev.questions.map((q) => [q.label, QKIND_LABEL[q.kind] || q.kind, q.required ? 'Yes' : 'No',
          (q.options || []).join(', '),
          UI.el('div', { class: 'actions' },
            UI.el('button', { type: 'button', class: 'secondary small', text: 'Edit',
              'aria-label': 'Edit question ' + q.label, onclick: () => questionForm(q) }),
            A.actionButton('Delete', async () => {
              await Confero.del(base + '/questions/' + q.id);
              A.flash(msgs, 'Question deleted.');
              await reload();
            }, { class: 'danger small', label: 'Delete question ' + q.label,
              confirm: `Delete the question \u201c${q.label}\u201d?`, errors: () => msgs }))]),
      { caption: 'Questions', class: 'questions-table' }));
    }

    function questionForm(q) {
      const editing = !!q;
      const cancel = editing ? UI.el('button', { type: 'button', class: 'secondary', text: 'Cancel',
        onclick: () => questionForm(null) }) : null;
      const f = Forms.build([
        { name: 'label', label: 'Question', required: true, maxlength: 300 },
        { name: 'kind', label: 'Answer', type: 'select', options: QKINDS },
        { name: 'options', label: 'Options, one per line', type: 'lines', rows: 4 },
        { name: 'required', label: 'An answer is required', type: 'checkbox' },
        { name: 'position', label: 'Position', type: 'number', hint: 'Questions are asked in ascending position.' },
      ], q || { kind: 'text', position: ev.questions.length }, {
        submit: editing ? 'Save question' : 'Add question',
        buttons: [cancel],
        onSubmit: async (v) => {
          if (v.kind !== 'choice' && v.kind !== 'multichoice') v.options = null;
          if (v.position === null) v.position = 0;
          if (editing) await Confero.patch(base + '/questions/' + q.id, v);
          else await Confero.post(base + '/questions', v);
          A.flash(msgs, editing ? 'Question saved.' : 'Question added.');
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
        UI.el('h3', { text: editing ? 'Edit question' : 'Add a question' }), f.form);
      if (editing) f.control('label').focus();
    }

    A.put(m,
      A.eventHeader(ev, 'tickets', 'Tickets & questions: ' + ev.name),
      msgs,
      A.section('Ticket types', ttBox, ttFormBox),
      A.section('Registration questions', qBox, qFormBox));
    drawTypes();
    typeForm(null);
    drawQuestions();
    questionForm(null);
  });

  A.route(/^\/events\/([^/]+)\/members$/, async (m, [slug], _q, current) => {
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
      A.put(list, A.table(['User id', 'Email', 'Role', 'Added'],
        (r.members || []).map((u) => [String(u.id), u.email, u.role,
          u.added_at ? UI.fmtDateTime(u.added_at, ev.timezone) : '']),
      { caption: 'Members of this event', class: 'members-table' }));
    }

    const f = Forms.build([
      { name: 'user_id', label: 'User id', type: 'number', required: true, min: 1, list: users ? 'users-list' : undefined,
        hint: 'The staff account to add: an organiser manages this event, check-in staff scan at its doors. An administrator can look ids up in the user list.' },
    ], {}, {
      submit: 'Add member',
      onSubmit: async (v) => {
        try {
          const r = await Confero.post(base + '/members', v);
          f.notice(`${r.member.email} is now a member.`);
          f.control('user_id').set('');
        } catch (e) {
          if (e.code === 'already_member') throw new Error('This user is already a member.');
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
      A.eventHeader(ev, 'members', 'Members: ' + ev.name),
      msgs,
      A.section('Members', list),
      A.section('Add a member',
        users ? UI.el('datalist', { id: 'users-list' },
          ...users.filter((u) => !u.disabled).map((u) => UI.el('option', { value: String(u.id), label: `${u.email} (${u.role})` }))) : null,
        f.form));
  });
})();
