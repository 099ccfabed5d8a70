// Mailings: compose for an audience, preview as the server renders it
// for the first recipient, send and watch the progress; earlier mailings
// and the outbox (with delivery failures).
'use strict';

(() => {
  const A = ConsoleApp;
  const POLL_MS = 1500;

  // The composer's placeholder list in words.  The placeholder names
  // themselves are the server's (src/template.c) and are never
  // translated.  A function: the catalog is loaded after this script runs.
  function text() {
    return {
      bodyHint: t('Plain text. Blank lines start paragraphs. The placeholders listed with the message are filled in for each recipient.'),
      title: t('Placeholders'),
      intro: t('Filled in for each recipient. Choose one to insert it where the cursor is in the message.'),
      speakersNote: t('Speakers\u2019 mails list each speaker\u2019s own sessions (title, time, room) after your message by themselves, unless your message uses the sessions section.'),
      help: {
        'attendee.name': t('The recipient\u2019s name'),
        'attendee.email': t('Their email address'),
        'attendee.organisation': t('Their organisation, if they gave one'),
        'speaker.name': t('The speaker\u2019s name'),
        'event.name': t('The event\u2019s name'),
        'event.starts_at': t('When the event starts, in its time zone'),
        'event.ends_at': t('When it ends'),
        'event.venue': t('The venue'),
        'event.url': t('The event\u2019s public page'),
        'organiser.name': t('The organiser, for signing off'),
        'ticket.type': t('Their ticket type'),
        'registration.status': t('The status of their registration'),
        'manage_url': t('Their personal link to view or cancel their registration'),
        // TRANSLATORS: keep the {{…}} placeholder names as they are.
        'sessions.speakers': t('A list of the speaker\u2019s own sessions, repeated for each: {{title}}, {{starts_at}}, {{ends_at}} and {{room}} inside it'),
        // TRANSLATORS: keep the {{…}} placeholder names as they are.
        'sessions.attendees': t('A list of the sessions they signed up for, repeated for each: {{title}}, {{starts_at}}, {{ends_at}} and {{room}} inside it'),
      },
    };
  }

  // The mail kinds of the outbox and the states of its messages (the
  // API's codes) in words.
  function mailKind(kind) {
    return {
      confirmed: tc('mail kind', 'confirmed'),
      waitlisted: tc('mail kind', 'waitlisted'),
      promoted: tc('mail kind', 'promoted'),
      pending_approval: tc('mail kind', 'pending approval'),
      pending_payment: tc('mail kind', 'pending payment'),
      approved: tc('mail kind', 'approved'),
      rejected: tc('mail kind', 'rejected'),
      cancelled: tc('mail kind', 'cancelled'),
      ticket_resent: tc('mail kind', 'ticket resent'),
      mailing: tc('mail kind', 'mailing'),
    }[kind] || kind.replace(/_/g, ' ');
  }

  function outboxStatus(st) {
    return {
      pending: tc('outbox status', 'pending'),
      sending: tc('outbox status', 'sending'),
      sent: tc('outbox status', 'sent'),
      failed: tc('outbox status', 'failed'),
      skipped: tc('outbox status', 'skipped'),
    }[st] || st;
  }

  // What a mailing body may use, by audience: 'all', 'speakers', or
  // 'attendees' (every audience but the speakers).  The server checks the
  // body against the same names when it is previewed or sent.
  const SESSIONS_SECTION = '{{#sessions}}\n* {{title}}, {{starts_at}}\u2013{{ends_at}}{{#room}}, {{room}}{{/room}}\n{{/sessions}}\n';
  const PLACEHOLDERS = [
    { name: 'attendee.name', who: 'all' },
    { name: 'attendee.email', who: 'all' },
    { name: 'attendee.organisation', who: 'all' },
    { name: 'speaker.name', who: 'speakers' },
    { name: 'event.name', who: 'all' },
    { name: 'event.starts_at', who: 'all' },
    { name: 'event.ends_at', who: 'all' },
    { name: 'event.venue', who: 'all' },
    { name: 'event.url', who: 'all' },
    { name: 'organiser.name', who: 'all' },
    { name: 'ticket.type', who: 'attendees' },
    { name: 'registration.status', who: 'attendees' },
    { name: 'manage_url', who: 'attendees' },
    { name: 'sessions', who: 'all', section: true, insert: SESSIONS_SECTION },
  ];

  // The list of placeholders beside the message; re-drawn for the chosen
  // audience.  Each is a button that puts it at the textarea's cursor
  // (the textarea keeps its selection while the button has focus).
  function placeholderPanel(textarea, audienceSelect) {
    const titleId = textarea.id + '-ph-title';
    const introId = textarea.id + '-ph-intro';
    const TEXT = text();
    const list = UI.el('ul', { class: 'placeholder-list' });
    const note = UI.el('p', { class: 'hint placeholder-note' });
    const panel = UI.el('div', { class: 'placeholders', role: 'group', 'aria-labelledby': titleId, 'aria-describedby': introId },
      UI.el('h3', { id: titleId, text: TEXT.title }),
      UI.el('p', { class: 'hint', id: introId, text: TEXT.intro }),
      list, note);

    function insert(text, shown) {
      const start = textarea.selectionStart ?? textarea.value.length;
      const end = textarea.selectionEnd ?? start;
      // A section goes on lines of its own.
      const lead = text.includes('\n') && start > 0 && textarea.value[start - 1] !== '\n' ? '\n' : '';
      textarea.focus();
      textarea.setRangeText(lead + text, start, end, 'end');
      textarea.dispatchEvent(new Event('input', { bubbles: true }));
      UI.announce(t('Inserted {name} into the message.', { name: shown }));
    }

    function draw() {
      const who = audienceSelect.value === 'speakers' ? 'speakers' : 'attendees';
      UI.clear(list);
      PLACEHOLDERS.filter((p) => p.who === 'all' || p.who === who).forEach((p, i) => {
        const shown = p.section ? `{{#${p.name}}}\u2026{{/${p.name}}}` : `{{${p.name}}}`;
        const descId = `${textarea.id}-ph-${i}`;
        const help = TEXT.help[p.section ? `${p.name}.${who}` : p.name];
        // The spoken name contains the visible one (WCAG 2.5.3).
        const b = UI.el('button', { type: 'button', class: 'secondary small placeholder-insert', 'aria-describedby': descId,
          'aria-label': t('Insert {name}', { name: shown }), 'data-placeholder': shown }, UI.el('code', { text: shown }));
        b.addEventListener('click', () => insert(p.insert || shown, shown));
        list.append(UI.el('li', {}, b, UI.el('span', { class: 'placeholder-help', id: descId, text: help })));
      });
      note.textContent = who === 'speakers' ? TEXT.speakersNote : '';
      note.hidden = who !== 'speakers';
    }

    audienceSelect.addEventListener('change', draw);
    draw();
    return panel;
  }

  // The preview's HTML comes from the server's mail templates.  It is not
  // put into the page as markup: it is parsed into an inert document and
  // rebuilt here from a short list of harmless elements, with text as
  // text nodes, links only to http(s)/mailto and inline styles applied
  // through the CSSOM (the page's CSP forbids style attributes in markup).
  const ALLOWED = new Set(['a', 'b', 'strong', 'i', 'em', 'u', 'p', 'br', 'div', 'span', 'h1', 'h2', 'h3',
    'h4', 'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'td', 'th', 'hr', 'blockquote', 'pre', 'code', 'small']);
  const DROP = new Set(['script', 'style', 'head', 'title', 'meta', 'link', 'iframe', 'object', 'embed', 'form', 'img', 'svg', 'math', 'template']);

  function safeCopy(node, out) {
    for (const c of node.childNodes) {
      if (c.nodeType === Node.TEXT_NODE) { out.append(document.createTextNode(c.nodeValue)); continue; }
      if (c.nodeType !== Node.ELEMENT_NODE) continue;
      const tag = c.tagName.toLowerCase();
      if (DROP.has(tag)) {
        if (tag === 'img') {
          out.append(UI.el('span', { class: 'preview-img',
            text: c.getAttribute('alt') ? t('[image: {alt}]', { alt: c.getAttribute('alt') }) : t('[image]') }));
        }
        continue;
      }
      if (!ALLOWED.has(tag)) { safeCopy(c, out); continue; }
      const e = document.createElement(tag);
      if (tag === 'a') {
        const href = c.getAttribute('href') || '';
        if (/^(https?:|mailto:)/i.test(href)) { e.setAttribute('href', href); e.setAttribute('rel', 'noopener noreferrer'); e.setAttribute('target', '_blank'); }
      }
      for (const a of ['colspan', 'rowspan', 'align']) if (c.hasAttribute(a)) e.setAttribute(a, c.getAttribute(a));
      const style = c.getAttribute('data-mail-style');
      if (style && !/url\s*\(|expression|@import/i.test(style)) e.style.cssText = style;
      safeCopy(c, e);
      out.append(e);
    }
  }

  function renderHtml(html) {
    const box = UI.el('div', { class: 'mail-html' });
    // Style attributes are renamed inside the tags before parsing: parsing
    // them would already count as inline style under the page's CSP.
    const tamed = html.replace(/<[^>]*>/g, (tag) => tag.replace(/(\s)style(\s*=)/gi, '$1data-mail-style$2'));
    const doc = new DOMParser().parseFromString(tamed, 'text/html');
    safeCopy(doc.body, box);
    return box;
  }

  A.route(/^\/events\/([^\/]+)\/mailings$/, async (m, [slug], query, current) => {
    const base = '/api/v1/events/' + encodeURIComponent(slug);
    const ev = await A.loadEvent(slug);
    if (!current()) return;
    const zone = ev.timezone;
    const msgs = UI.el('div', { class: 'messages', 'aria-live': 'polite' });
    const preview = UI.el('div', { class: 'preview', 'aria-live': 'polite' });
    const progress = UI.el('div', { class: 'mail-progress', 'aria-live': 'polite' });
    const listBox = UI.el('div');
    const outboxBox = UI.el('div');
    let timer = null;
    let alive = true;
    A.onLeave(() => { alive = false; clearTimeout(timer); });

    const audiences = [
      ['attendees', t('Everyone registered (confirmed)')],
      ['checked_in', t('Those who checked in')],
      ['no_shows', t('Confirmed but not checked in')],
      ['waitlisted', t('The waiting list')],
      ['speakers', t('Speakers')],
      ...ev.sessions.map((s) => ['session:' + s.id, t('Session: {title}', { title: s.title })]),
      ...ev.ticket_types.map((tt) => ['ticket_type:' + tt.id, t('Ticket type: {name}', { name: tt.name })]),
    ];
    const audienceLabel = Object.fromEntries(audiences);

    const previewBtn = UI.el('button', { type: 'button', class: 'secondary', text: tc('verb', 'Preview') });
    const f = Forms.build([
      { name: 'audience', label: t('To'), type: 'select', options: audiences },
      { name: 'subject', label: t('Subject'), required: true, maxlength: 300 },
      { name: 'body', label: t('Message'), type: 'textarea', required: true, rows: 10, class: 'composer-field',
        hint: text().bodyHint },
    ], { audience: 'attendees' }, {
      submit: t('Send'),
      buttons: [previewBtn],
      onSubmit: async (v) => {
        const p = await Confero.post(base + '/mailings/preview', v);
        if (!p.recipients) { f.notice(t('Nobody is in this audience yet: nothing to send.'), 'warn'); return; }
        if (!window.confirm(tn('Send \u201c{subject}\u201d to {n} recipient?', 'Send \u201c{subject}\u201d to {n} recipients?',
          p.recipients, { subject: v.subject }))) return;
        const r = await Confero.post(base + '/mailings', v);
        f.notice(tn('Queued for {n} recipient.', 'Queued for {n} recipients.', r.recipients));
        UI.clear(preview);
        watch(r.id);
      },
    });
    f.form.id = 'mailing-form';
    // The placeholders sit next to the message (below it on a phone).
    const bodyField = f.control('body');
    const composer = UI.el('div', { class: 'composer' });
    bodyField.input.replaceWith(composer);
    composer.append(bodyField.input, placeholderPanel(bodyField.input, f.control('audience').input));

    previewBtn.addEventListener('click', async () => {
      f.clearErrors();
      const r = f.read();
      if (Object.keys(r.errors).length) { f.showErrors(r.errors); return; }
      previewBtn.disabled = true;
      try {
        const p = await Confero.post(base + '/mailings/preview', r.values);
        if (!p.recipients) {
          A.put(preview, UI.el('p', { class: 'notice warn', text: t('Nobody is in this audience yet.') }));
          return;
        }
        A.put(preview,
          UI.el('h3', { text: tc('noun', 'Preview') }),
          UI.el('p', { class: 'preview-count', text: tn('{n} recipient. This is how they see it:',
            '{n} recipients. This is how the first one sees it:', p.recipients) }),
          UI.el('p', { class: 'preview-subject' }, UI.el('span', { class: 'label', text: t('Subject:') }), ' ',
            UI.el('span', { text: p.subject || '' })),
          p.html ? renderHtml(p.html) : null,
          UI.el('details', {}, UI.el('summary', { text: t('Plain-text version') }), UI.el('pre', { class: 'mail-text', text: p.text || '' })));
      } catch (e) {
        if (e instanceof Confero.ApiError && e.status === 401) { A.signedOut(); return; }
        f.showErrors(e);
      } finally {
        previewBtn.disabled = false;
      }
    });

    function progressView(mg) {
      const done = (mg.sent || 0) + (mg.failed || 0);
      const total = mg.total || 0;
      const bar = UI.el('progress', { max: String(Math.max(total, 1)), value: String(done), 'aria-label': t('Sending progress') });
      const n = { sent: I18N.number(mg.sent || 0), failed: I18N.number(mg.failed || 0),
        pending: I18N.number(mg.pending || 0), total: I18N.number(total) };
      return UI.el('div', { class: 'card' },
        UI.el('p', { class: 'progress-title' }, UI.el('strong', { text: mg.subject }), ' \u2192 ', audienceLabel[mg.audience] || mg.audience),
        bar,
        // TRANSLATORS: counts of a mailing's messages; "Sent: 2, failed: 1, …" is fine where the numbers need no agreement.
        UI.el('p', { class: 'progress-text', text: mg.status === 'done' ? t('{sent} sent, {failed} failed, {pending} waiting of {total} \u2014 done.', n)
          // TRANSLATORS: as above, while the mailing is still going out.
          : t('{sent} sent, {failed} failed, {pending} waiting of {total}\u2026', n) }),
        mg.failed ? UI.el('p', { class: 'notice bad', text: t('Some messages failed: see the outbox below.') }) : null);
    }

    async function watch(id) {
      clearTimeout(timer);
      if (!alive) return;
      try {
        const mg = await Confero.get('/api/v1/mailings/' + id);
        if (!alive) return;
        A.put(progress, progressView(mg));
        await drawList();
        if (mg.status !== 'done') timer = setTimeout(() => watch(id), POLL_MS);
        else await drawOutbox();
      } catch (e) {
        if (!alive) return;
        A.put(progress, A.errorNotice(e));
        timer = setTimeout(() => watch(id), POLL_MS * 2);
      }
    }

    async function drawList() {
      const r = await Confero.get(base + '/mailings');
      const rows = (r.mailings || []).map((mg) => [mg.subject, audienceLabel[mg.audience] || mg.audience,
        mg.created_at ? UI.fmtDateTime(mg.created_at, zone) : '', I18N.number(mg.total || 0), I18N.number(mg.sent || 0),
        I18N.number(mg.failed || 0), I18N.number(mg.pending || 0),
        UI.el('span', { class: 'badge ' + (mg.status === 'done' ? (mg.failed ? 'status-rejected' : 'status-confirmed') : 'status-pending_payment'),
          text: mg.status === 'done' ? tc('mailing state', 'Done') : tc('mailing state', 'Sending') })]);
      A.put(listBox, rows.length
        ? A.table([t('Subject'), t('To'), t('Created'), t('Recipients'), tc('column: messages', 'Sent'), tc('column: messages', 'Failed'),
          tc('column: messages', 'Waiting'), t('State')], rows, { caption: t('Mailings'), class: 'mailings-table' })
        : UI.el('p', { class: 'empty', text: t('No mailings yet.') }));
    }

    const outStatus = UI.el('select', { id: 'outbox-status' },
      ...[['', t('All messages')], ['failed', tc('outbox filter', 'Failed')], ['pending', tc('outbox filter', 'Waiting')],
        ['sending', tc('outbox filter', 'Sending')], ['sent', tc('outbox filter', 'Sent')],
        ['skipped', tc('outbox filter', 'Skipped')]]
        .map(([v, l]) => UI.el('option', { value: v, text: l })));
    outStatus.value = query.get('outbox') || '';
    outStatus.addEventListener('change', () => drawOutbox().catch((e) => A.put(outboxBox, A.errorNotice(e))));

    async function drawOutbox() {
      const st = outStatus.value;
      const r = await Confero.get(base + '/outbox' + (st ? '?status=' + st : ''));
      const msgsList = r.messages || [];
      const failed = msgsList.filter((x) => x.status === 'failed').length;
      const rows = msgsList.map((x) => [x.to_name ? `${x.to_name} <${x.to}>` : x.to, mailKind(x.kind),
        UI.el('span', { class: 'badge outbox-' + x.status, text: outboxStatus(x.status) }), I18N.number(x.attempts || 0),
        x.last_reply || '', x.created_at ? UI.fmtDateTime(x.created_at, zone) : '',
        x.sent_at ? UI.fmtDateTime(x.sent_at, zone) : (x.status === 'pending' && x.next_attempt_at
          ? t('next try {time}', { time: UI.fmtTime(x.next_attempt_at, zone) }) : '')]);
      A.put(outboxBox,
        failed && !st ? UI.el('p', { class: 'notice bad', text: tn('{n} message failed.', '{n} messages failed.', failed) }) : null,
        rows.length
          ? A.table([t('Recipient'), t('Kind'), t('Status'), t('Attempts'), t('Last server reply'), t('Created'),
            tc('column: when a message was sent', 'Sent')], rows, { caption: t('Outbox'), class: 'outbox-table' })
          : UI.el('p', { class: 'empty', text: t('No messages.') }));
    }

    await Promise.all([drawList(), drawOutbox()]);
    if (!current()) return;
    A.put(m,
      A.eventHeader(ev, 'mailings', t('Mailings: {event}', { event: ev.name })),
      msgs,
      A.section('write-to-attendees', t('Write to attendees'), f.form, preview, progress),
      A.section('mailings', t('Mailings'), listBox),
      A.section('outbox', t('Outbox'),
        UI.el('div', { class: 'field inline-field' }, UI.el('label', { for: 'outbox-status', text: t('Show') }), outStatus),
        outboxBox));
    // Keep watching a mailing that is still going out.
    const r = await Confero.get(base + '/mailings');
    const sending = (r.mailings || []).find((mg) => mg.status !== 'done');
    if (sending && alive) watch(sending.id);
  });
})();
