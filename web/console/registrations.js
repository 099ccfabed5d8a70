// Registrations: search and filters (kept in the URL, so a view can be
// bookmarked), paging, and per row approve / reject / cancel / mark paid /
// re-send / re-issue / edit.
'use strict';

(() => {
  const A = ConsoleApp;
  const PER_PAGE = 25;
  const STATUSES = ['confirmed', 'waitlisted', 'pending_approval', 'pending_payment', 'cancelled', 'rejected'];

  A.route(/^\/events\/([^\/]+)\/registrations$/, async (m, [slug], query, current) => {
    const base = '/api/v1/events/' + encodeURIComponent(slug);
    const ev = await A.loadEvent(slug);
    if (!current()) return;
    const zone = ev.timezone;
    const page = Math.max(1, parseInt(query.get('page') || '1', 10) || 1);
    const params = new URLSearchParams();
    for (const k of ['q', 'status', 'ticket_type', 'checked_in']) {
      const v = query.get(k);
      if (v) params.set(k, v);
    }
    params.set('page', String(page));
    params.set('per_page', String(PER_PAGE));
    const r = await Confero.get(base + '/registrations?' + params.toString());
    if (!current()) return;

    const msgs = UI.el('div', { class: 'messages', 'aria-live': 'polite' });

    // ---- filters
    const fid = 'regf';
    const q = UI.el('input', { type: 'search', id: fid + '-q', name: 'q', value: query.get('q') || '',
      autocomplete: 'off', placeholder: t('Name, email or organisation') });
    const status = UI.el('select', { id: fid + '-status', name: 'status' },
      UI.el('option', { value: '', text: t('Any status') }),
      ...STATUSES.map((s) => UI.el('option', { value: s, text: A.statusLabel(s) })));
    status.value = query.get('status') || '';
    const ttype = UI.el('select', { id: fid + '-tt', name: 'ticket_type' },
      UI.el('option', { value: '', text: t('Any ticket type') }),
      ...ev.ticket_types.map((tt) => UI.el('option', { value: String(tt.id), text: tt.name })));
    ttype.value = query.get('ticket_type') || '';
    const checked = UI.el('select', { id: fid + '-ci', name: 'checked_in' },
      UI.el('option', { value: '', text: t('Checked in or not') }),
      UI.el('option', { value: 'true', text: t('Checked in') }),
      UI.el('option', { value: 'false', text: t('Not checked in') }));
    checked.value = query.get('checked_in') || '';
    const filters = UI.el('form', { class: 'filters', role: 'search', 'aria-label': t('Find registrations') },
      UI.el('div', { class: 'field grow' }, UI.el('label', { for: q.id, text: tc('noun', 'Search') }), q),
      UI.el('div', { class: 'field' }, UI.el('label', { for: status.id, text: t('Status') }), status),
      UI.el('div', { class: 'field' }, UI.el('label', { for: ttype.id, text: t('Ticket type') }), ttype),
      UI.el('div', { class: 'field' }, UI.el('label', { for: checked.id, text: t('Check-in') }), checked),
      UI.el('div', { class: 'actions' },
        UI.el('button', { type: 'submit', text: tc('verb', 'Search') }),
        UI.el('a', { class: 'button secondary', href: '#' + A.eventPath(ev, 'registrations'), text: tc('verb', 'Clear') })));
    const apply = (ev2) => {
      if (ev2) ev2.preventDefault();
      const next = {};
      if (q.value.trim()) next.q = q.value.trim();
      if (status.value) next.status = status.value;
      if (ttype.value) next.ticket_type = ttype.value;
      if (checked.value) next.checked_in = checked.value;
      A.go(A.eventPath(ev, 'registrations'), next);
    };
    filters.addEventListener('submit', apply);
    for (const s of [status, ttype, checked]) s.addEventListener('change', () => apply());

    // ---- table
    const columns = [t('Name'), t('Email'), t('Organisation'), t('Ticket'), t('Status'), t('Checked in'),
      t('Registered'), t('Actions')];
    const tbody = UI.el('tbody');
    const tbl = UI.el('table', { class: 'rtable regs-table' },
      UI.el('caption', { class: 'visually-hidden', text: t('Registrations') }),
      UI.el('thead', {}, UI.el('tr', {}, ...columns.map((c) => UI.el('th', { scope: 'col', text: c })))),
      tbody);

    function actionsFor(reg, tr) {
      const act = (label, path, done, opts = {}) => A.actionButton(label, async () => {
        const res = await Confero.post(base + '/registrations/' + reg.id + '/' + path);
        if (res && res.id) replaceRow(res, tr);
        A.flash(msgs, typeof done === 'function' ? done(res) : done);
        // TRANSLATORS: a button's spoken name: the action, then whose registration it acts on.
      }, { class: 'small ' + (opts.class || 'secondary'), label: t('{action}: {name}', { action: label, name: reg.name }),
        confirm: opts.confirm, errors: () => msgs });
      const out = [];
      const s = reg.status;
      const who = { name: reg.name };
      if (s === 'pending_approval') {
        out.push(act(t('Approve'), 'approve', t('{name} approved.', who), { class: '' }));
        out.push(act(t('Reject'), 'reject', t('{name} rejected.', who), { class: 'danger', confirm: t('Reject {name}?', who) }));
      }
      if (s === 'pending_payment') out.push(act(t('Mark paid'), 'mark-paid', t('{name} marked paid: the ticket is on its way.', who), { class: '' }));
      if (s === 'confirmed') {
        out.push(act(t('Re-send ticket'), 'resend', t('The ticket goes to {email} again.', { email: reg.email })));
        out.push(act(t('Re-issue'), 'reissue', t('{name} has a new ticket code; the old one no longer works.', who),
          { confirm: t('Give {name} a new ticket code? The old code stops working.', who) }));
      }
      if (s !== 'cancelled' && s !== 'rejected' && s !== 'pending_approval') {
        out.push(act(tc('cancel a registration', 'Cancel'), 'cancel', t('{name}\u2019s registration cancelled.', who),
          { class: 'danger', confirm: t('Cancel {name}\u2019s registration? The seat is freed.', who) }));
      }
      out.push(UI.el('button', { type: 'button', class: 'secondary small', text: t('Edit'),
        'aria-label': t('{action}: {name}', { action: t('Edit'), name: reg.name }), onclick: () => editDialog(reg, tr) }));
      return UI.el('div', { class: 'actions' }, ...out);
    }

    function row(reg) {
      const tr = A.tableRow(columns, [reg.name, reg.email, reg.organisation || '', reg.ticket_type || '',
        A.statusBadge(reg.status),
        reg.checked_in_at ? UI.fmtDateTime(reg.checked_in_at, zone) : tc('not checked in', 'No'),
        reg.created_at ? UI.fmtDateTime(reg.created_at, zone) : '', '']);
      tr.dataset.regId = String(reg.id);
      tr.lastChild.append(actionsFor(reg, tr));
      return tr;
    }

    function replaceRow(reg, tr) {
      const fresh = row(reg);
      tr.replaceWith(fresh);
    }

    for (const reg of r.registrations || []) tbody.append(row(reg));

    // ---- edit dialog
    const dialog = UI.el('dialog', { class: 'edit-dialog', 'aria-labelledby': 'edit-title' });
    function editDialog(reg, tr) {
      const spec = [
        { name: 'name', label: t('Name'), required: true, maxlength: 200 },
        { name: 'email', label: t('Email'), type: 'email', required: true },
        { name: 'organisation', label: t('Organisation'), maxlength: 200 },
      ];
      for (const qn of ev.questions) {
        const name = 'answers.' + qn.id;
        const ftype = { text: 'text', textarea: 'textarea', choice: 'select', multichoice: 'multi',
          checkbox: 'checkbox', country: 'text' }[qn.kind] || 'text';
        const fld = { name, label: qn.label, type: ftype, required: qn.required && ftype !== 'checkbox' && ftype !== 'multi' };
        if (ftype === 'select') fld.options = [['', '\u2014']].concat(qn.options.map((o) => [o, o]));
        if (ftype === 'multi') { fld.options = qn.options.map((o) => [o, o]); fld.numeric = false; }
        if (qn.kind === 'country') { fld.maxlength = 2; fld.hint = t('Two-letter code, such as SI.'); }
        spec.push(fld);
      }
      const values = { name: reg.name, email: reg.email, organisation: reg.organisation };
      for (const qn of ev.questions) values['answers.' + qn.id] = (reg.answers || {})[String(qn.id)];
      const close = UI.el('button', { type: 'button', class: 'secondary', text: tc('close a dialog', 'Close'), onclick: () => dialog.close() });
      const f = Forms.build(spec, values, {
        submit: t('Save changes'),
        buttons: [close],
        onSubmit: async (v) => {
          const body = { name: v.name, email: v.email, organisation: v.organisation || '' };
          if (ev.questions.length) {
            body.answers = {};
            for (const qn of ev.questions) {
              const a = v['answers.' + qn.id];
              if (a === '' || a === null || a === undefined || (Array.isArray(a) && !a.length)) continue;
              body.answers[String(qn.id)] = qn.kind === 'country' ? String(a).toUpperCase() : a;
            }
          }
          let saved;
          try {
            saved = await Confero.patch(base + '/registrations/' + reg.id, body);
          } catch (e) {
            if (e.code === 'already_registered') { f.showErrors({ email: 'already_registered_for_this_event' }); return; }
            throw e;
          }
          replaceRow(saved, tr);
          dialog.close();
          A.flash(msgs, t('{name}\u2019s registration saved.', { name: saved.name }));
        },
      });
      A.put(dialog, UI.el('h2', { id: 'edit-title', text: t('Edit registration: {name}', { name: reg.name }) }), f.form);
      dialog.showModal();
      f.control('name').focus();
    }

    // ---- paging
    const total = r.total || 0;
    const pages = Math.max(1, Math.ceil(total / PER_PAGE));
    const pageLink = (n, label) => {
      const next = Object.fromEntries(params.entries());
      delete next.per_page;
      next.page = String(n);
      const qs = new URLSearchParams(next).toString();
      return UI.el('a', { class: 'button secondary', href: '#' + A.eventPath(ev, 'registrations') + '?' + qs, text: label });
    };
    const pager = UI.el('nav', { class: 'pager', 'aria-label': t('Pages') },
      page > 1 ? pageLink(page - 1, t('Previous page')) : null,
      UI.el('span', { class: 'page-info', text: t('Page {page} of {pages}', { page: I18N.number(page), pages: I18N.number(pages) }) }),
      page < pages ? pageLink(page + 1, t('Next page')) : null);

    // Downloads: the attendee list with the filters in force, attendance
    // and badges (the server streams them; the session cookie authorises).
    const exp = new URLSearchParams();
    for (const k of ['q', 'status', 'ticket_type', 'checked_in']) if (query.get(k)) exp.set(k, query.get(k));
    const qs = exp.toString() ? '?' + exp.toString() : '';
    const ex = base + '/exports/';
    const exportsBox = UI.el('details', { class: 'exports' },
      UI.el('summary', { text: t('Download') }),
      UI.el('ul', {},
        UI.el('li', {}, UI.el('a', { href: ex + 'attendees.xlsx' + qs, download: '', text: t('These registrations (Excel)') })),
        UI.el('li', {}, UI.el('a', { href: ex + 'attendees.csv' + qs + (qs ? '&' : '?') + 'bom=1', download: '', text: t('These registrations (CSV)') })),
        UI.el('li', {}, UI.el('a', { href: ex + 'attendance.xlsx', download: '', text: t('Attendance report (Excel)') })),
        UI.el('li', {}, UI.el('a', { href: ex + 'badges.pdf?layout=a4' + (query.get('ticket_type') ? '&ticket_type=' + encodeURIComponent(query.get('ticket_type')) : ''), download: '', text: t('Name badges (PDF, A4)') }))));

    const filtered = ['q', 'status', 'ticket_type', 'checked_in'].some((k) => query.get(k));
    A.put(m,
      A.eventHeader(ev, 'registrations', t('Registrations: {event}', { event: ev.name })),
      filters,
      exportsBox,
      msgs,
      UI.el('p', { class: 'result-count', role: 'status',
        text: filtered ? tn('{n} registration matches.', '{n} registrations match.', total)
          : tn('{n} registration.', '{n} registrations.', total) }),
      total ? UI.el('div', { class: 'table-wrap' }, tbl) : UI.el('p', { class: 'empty', text: filtered ? t('Nothing matches these filters.') : t('No registrations yet.') }),
      pages > 1 ? pager : null,
      dialog);
  });
})();
