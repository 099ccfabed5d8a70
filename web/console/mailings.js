// Mailings: compose for an audience, preview as the server renders it
// for the first recipient, send and watch the progress; earlier mailings
// and the outbox (with delivery failures).
'use strict';

(() => {
  const A = ConsoleApp;
  const POLL_MS = 1500;

  // Every string of the composer's placeholder list, in one place (for the
  // translation catalogs to come).  The placeholder names themselves are
  // the server's (src/template.c) and are never translated.
  const TEXT = {
    bodyHint: 'Plain text. Blank lines start paragraphs. The placeholders listed with the message are filled in for each recipient.',
    title: 'Placeholders',
    intro: 'Filled in for each recipient. Choose one to insert it where the cursor is in the message.',
    insert: 'Insert {name}',
    inserted: 'Inserted {name} into the message.',
    speakersNote: 'Speakers\u2019 mails list each speaker\u2019s own sessions (title, time, room) after your message by themselves, unless your message uses the sessions section.',
    help: {
      'attendee.name': 'The recipient\u2019s name',
      'attendee.email': 'Their email address',
      'attendee.organisation': 'Their organisation, if they gave one',
      'speaker.name': 'The speaker\u2019s name',
      'event.name': 'The event\u2019s name',
      'event.starts_at': 'When the event starts, in its time zone',
      'event.ends_at': 'When it ends',
      'event.venue': 'The venue',
      'event.url': 'The event\u2019s public page',
      'organiser.name': 'The organiser, for signing off',
      'ticket.type': 'Their ticket type',
      'registration.status': 'The status of their registration',
      'manage_url': 'Their personal link to view or cancel their registration',
      'sessions.speakers': 'A list of the speaker\u2019s own sessions, repeated for each: {{title}}, {{starts_at}}, {{ends_at}} and {{room}} inside it',
      'sessions.attendees': 'A list of the sessions they signed up for, repeated for each: {{title}}, {{starts_at}}, {{ends_at}} and {{room}} inside it',
    },
  };
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
      UI.announce(TEXT.inserted.replace('{name}', shown));
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
          'aria-label': TEXT.insert.replace('{name}', shown), 'data-placeholder': shown }, UI.el('code', { text: shown }));
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
        if (tag === 'img') out.append(UI.el('span', { class: 'preview-img', text: '[image: ' + (c.getAttribute('alt') || 'picture') + ']' }));
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

  A.route(/^\/events\/([^/]+)\/mailings$/, async (m, [slug], query, current) => {
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
      ['attendees', 'Everyone registered (confirmed)'],
      ['checked_in', 'Those who checked in'],
      ['no_shows', 'Confirmed but not checked in'],
      ['waitlisted', 'The waiting list'],
      ['speakers', 'Speakers'],
      ...ev.sessions.map((s) => ['session:' + s.id, 'Session: ' + s.title]),
      ...ev.ticket_types.map((t) => ['ticket_type:' + t.id, 'Ticket type: ' + t.name]),
    ];
    const audienceLabel = Object.fromEntries(audiences);

    const previewBtn = UI.el('button', { type: 'button', class: 'secondary', text: 'Preview' });
    const f = Forms.build([
      { name: 'audience', label: 'To', type: 'select', options: audiences },
      { name: 'subject', label: 'Subject', required: true, maxlength: 300 },
      { name: 'body', label: 'Message', type: 'textarea', required: true, rows: 10, class: 'composer-field',
        hint: TEXT.bodyHint },
    ], { audience: 'attendees' }, {
      submit: 'Send',
      buttons: [previewBtn],
      onSubmit: async (v) => {
        const p = await Confero.post(base + '/mailings/preview', v);
        if (!p.recipients) { f.notice('Nobody is in this audience yet: nothing to send.', 'warn'); return; }
        if (!window.confirm(`Send \u201c${v.subject}\u201d to ${p.recipients} recipient${p.recipients === 1 ? '' : 's'}?`)) return;
        const r = await Confero.post(base + '/mailings', v);
        f.notice(`Queued for ${r.recipients} recipient${r.recipients === 1 ? '' : 's'}.`);
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
          A.put(preview, UI.el('p', { class: 'notice warn', text: 'Nobody is in this audience yet.' }));
          return;
        }
        A.put(preview,
          UI.el('h3', { text: 'Preview' }),
          UI.el('p', { class: 'preview-count', text: `${p.recipients} recipient${p.recipients === 1 ? '' : 's'}. This is how the first one sees it:` }),
          UI.el('p', { class: 'preview-subject' }, UI.el('span', { class: 'label', text: 'Subject: ' }), UI.el('span', { text: p.subject || '' })),
          p.html ? renderHtml(p.html) : null,
          UI.el('details', {}, UI.el('summary', { text: 'Plain-text version' }), UI.el('pre', { class: 'mail-text', text: p.text || '' })));
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
      const bar = UI.el('progress', { max: String(Math.max(total, 1)), value: String(done), 'aria-label': 'Sending progress' });
      return UI.el('div', { class: 'card' },
        UI.el('p', { class: 'progress-title' }, UI.el('strong', { text: mg.subject }), ' \u2192 ', audienceLabel[mg.audience] || mg.audience),
        bar,
        UI.el('p', { class: 'progress-text', text: `${mg.sent || 0} sent, ${mg.failed || 0} failed, ${mg.pending || 0} waiting of ${total}` +
          (mg.status === 'done' ? ' \u2014 done.' : '\u2026') }),
        mg.failed ? UI.el('p', { class: 'notice bad', text: 'Some messages failed: see the outbox below.' }) : null);
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
        mg.created_at ? UI.fmtDateTime(mg.created_at, zone) : '', String(mg.total || 0), String(mg.sent || 0),
        String(mg.failed || 0), String(mg.pending || 0),
        UI.el('span', { class: 'badge ' + (mg.status === 'done' ? (mg.failed ? 'status-rejected' : 'status-confirmed') : 'status-pending_payment'),
          text: mg.status === 'done' ? 'Done' : 'Sending' })]);
      A.put(listBox, rows.length
        ? A.table(['Subject', 'To', 'Created', 'Recipients', 'Sent', 'Failed', 'Waiting', 'State'], rows, { caption: 'Mailings', class: 'mailings-table' })
        : UI.el('p', { class: 'empty', text: 'No mailings yet.' }));
    }

    const outStatus = UI.el('select', { id: 'outbox-status' },
      ...[['', 'All messages'], ['failed', 'Failed'], ['pending', 'Waiting'], ['sending', 'Sending'], ['sent', 'Sent'], ['skipped', 'Skipped']]
        .map(([v, l]) => UI.el('option', { value: v, text: l })));
    outStatus.value = query.get('outbox') || '';
    outStatus.addEventListener('change', () => drawOutbox().catch((e) => A.put(outboxBox, A.errorNotice(e))));

    async function drawOutbox() {
      const st = outStatus.value;
      const r = await Confero.get(base + '/outbox' + (st ? '?status=' + st : ''));
      const msgsList = r.messages || [];
      const failed = msgsList.filter((x) => x.status === 'failed').length;
      const rows = msgsList.map((x) => [x.to_name ? `${x.to_name} <${x.to}>` : x.to, x.kind.replace(/_/g, ' '),
        UI.el('span', { class: 'badge outbox-' + x.status, text: x.status }), String(x.attempts || 0),
        x.last_reply || '', x.created_at ? UI.fmtDateTime(x.created_at, zone) : '',
        x.sent_at ? UI.fmtDateTime(x.sent_at, zone) : (x.status === 'pending' && x.next_attempt_at ? 'next try ' + UI.fmtTime(x.next_attempt_at, zone) : '')]);
      A.put(outboxBox,
        failed && !st ? UI.el('p', { class: 'notice bad', text: `${failed} message${failed === 1 ? '' : 's'} failed.` }) : null,
        rows.length
          ? A.table(['Recipient', 'Kind', 'Status', 'Attempts', 'Last server reply', 'Created', 'Sent'], rows, { caption: 'Outbox', class: 'outbox-table' })
          : UI.el('p', { class: 'empty', text: 'No messages.' }));
    }

    await Promise.all([drawList(), drawOutbox()]);
    if (!current()) return;
    A.put(m,
      A.eventHeader(ev, 'mailings', 'Mailings: ' + ev.name),
      msgs,
      A.section('Write to attendees', f.form, preview, progress),
      A.section('Mailings', listBox),
      A.section('Outbox',
        UI.el('div', { class: 'field inline-field' }, UI.el('label', { for: 'outbox-status', text: 'Show' }), outStatus),
        outboxBox));
    // Keep watching a mailing that is still going out.
    const r = await Confero.get(base + '/mailings');
    const sending = (r.mailings || []).find((mg) => mg.status !== 'done');
    if (sending && alive) watch(sending.id);
  });
})();
