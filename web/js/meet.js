// The participant's meetings page /manage/{secret}/matchmaking: profile
// with explicit opt-in to the directory, opportunities, recommendations,
// the directory, meeting requests (ask, accept, decline, cancel), the
// agenda with slot and table, confirming a meeting by scanning the other
// side's ticket QR (camera + the vendored zxing-wasm, as the door scanner
// does; or the code typed), and the outcome afterwards.
// The same path answers JSON to fetch; everything below it (profile,
// meetings/…) is the manage link's API.  No login: the secret is the key.
// A mailed link …/matchmaking#meeting-{id} opens the page at that meeting.
'use strict';

(() => {
  const page = location.pathname.replace(/\/+$/, '');          // …/matchmaking
  const base = page.replace(/\/matchmaking$/, '');              // /manage/{secret}
  const FRAME_MS = 250;
  const RETRY_MS = 3000;       // the same code, still in view, is sent again after this
  let mm = null;               // GET …/matchmaking
  let meetings = [];
  let dirPage = 1;
  let editingOpp = null;       // the opportunity being edited, or null
  let scan = null;             // the running camera: {meeting, stream, timer, box, last, lastAt}
  let zxing = null;
  let targetDone = false;

  const tz = () => (mm && mm.timezone) || 'UTC';
  // The server's messages (and the recommendations' reasons) in the page's language.
  const withLang = (p) => p + (p.includes('?') ? '&' : '?') + 'lang=' + encodeURIComponent(I18N.lang);

  // GET without the HTTP cache: …/matchmaking is also this HTML page.
  async function getJson(path) {
    const res = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store', credentials: 'omit' });
    const ct = res.headers.get('Content-Type') || '';
    const body = ct.startsWith('application/json') ? await res.json() : null;
    if (!res.ok) throw new Confero.ApiError(res.status, body);
    return body;
  }
  const send = (method, path, body) => Confero.request(method, withLang(base + path), body);

  // A message into box (its own classes stay): cls 'ok', 'warn', 'bad' or none.
  function notice(box, text, cls) {
    if (box.dataset.baseClass === undefined) box.dataset.baseClass = box.className;
    const extra = cls === 'ok' ? 'saved' : cls ? 'notice ' + cls : '';
    box.className = [box.dataset.baseClass, extra].filter(Boolean).join(' ');
    box.textContent = text;
  }

  function topicsOf(text) {
    const seen = new Set();
    return String(text || '').split(/[,;\n]/).map((s) => s.trim()).filter((s) => {
      const k = s.toLowerCase();
      if (!s || seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }

  function tags(list, cls) {
    if (!list || !list.length) return null;
    return UI.el('ul', { class: 'tags ' + (cls || '') }, ...list.map((x) => UI.el('li', { class: 'badge', text: x })));
  }

  function facts(p) {
    return [p.organisation, MatchWords.orgType(p.organisation_type), p.country ? Pub.countryName(p.country) : '']
      .filter(Boolean).join(' · ');
  }

  // ------------------------------------------------------------------
  // Loading

  async function load() {
    try {
      mm = await getJson(page + Pub.langQuery());
    } catch (e) {
      await I18N.init();
      const st = UI.clear(UI.$('#status'));
      if (e instanceof Confero.ApiError && e.status === 404) {
        document.title = t('Page not found – Confero');
        st.append(UI.el('h1', { text: t('Page not found') }),
          UI.el('p', { text: t('This link is not valid. Please open the link from your email again; copying it by hand easily loses a character.') }),
          UI.el('p', {}, UI.el('a', { href: '/', text: t('See all events') })));
      } else {
        st.append(UI.el('h1', { text: t('Meetings') }),
          UI.el('p', { class: 'notice bad', text: t('Your meetings could not be loaded. {reason}', { reason: Pub.generalError(e) }) }));
      }
      return;
    }
    await I18N.use(new URLSearchParams(location.search).get('lang') || mm.language || 'en');
    UI.$('#ticket-link').href = base;
    UI.clear(UI.$('#status'));
    document.title = t('Meetings – {event} – Confero', { event: mm.event.name });
    UI.$('#m-title').textContent = t('Meetings at {event}', { event: mm.event.name });
    if (!mm.enabled || !mm.eligible) {
      renderUnavailable();
      UI.$('#meet').hidden = false;
      return;
    }
    fillSelects();
    renderWindow();
    renderProfile();
    renderOpps();
    UI.$('#meet').hidden = false;
    await refreshAll();
    goToTarget();
  }

  async function refreshAll() {
    await Promise.all([loadMeetings(), loadRecs(), loadDirectory()]);
  }

  function renderUnavailable() {
    const box = UI.clear(UI.$('#m-window'));
    box.append(UI.el('div', { class: 'notice warn', id: 'm-unavailable' },
      UI.el('p', { text: !mm.enabled ? t('This event has no meetings between participants.')
        : t('Meetings between participants are open to confirmed participants with an eligible ticket.') }),
      UI.el('p', {}, UI.el('a', { href: base, text: t('Back to your ticket') }))));
    for (const id of ['meetings', 'agenda', 'recommended', 'directory', 'opportunities', 'profile']) UI.$('#' + id).hidden = true;
    UI.$('.page-nav').hidden = true;
  }

  function renderWindow() {
    const box = UI.clear(UI.$('#m-window'));
    const lines = [];
    if (!mm.open) {
      if (mm.opens_at && Date.now() < Date.parse(mm.opens_at)) {
        lines.push(t('Meeting requests open on {date}. You can prepare your profile now.', { date: UI.fmtDateTime(mm.opens_at, tz()) }));
      } else {
        lines.push(t('Meeting requests are closed. Your agreed meetings stay as they are.'));
      }
    } else if (mm.closes_at) {
      lines.push(t('You can ask for meetings until {date}.', { date: UI.fmtDateTime(mm.closes_at, tz()) }));
    }
    if (mm.meeting_minutes) {
      lines.push(tn('Each meeting lasts {n} minute', 'Each meeting lasts {n} minutes', mm.meeting_minutes) +
        (mm.max_meetings ? ' · ' + tn('at most {n} meeting per participant', 'at most {n} meetings per participant', mm.max_meetings) : ''));
    }
    if (!mm.profile) lines.unshift(t('Start with your profile: tick the box to be listed, then others can find you and you can ask them for meetings.'));
    if (lines.length) {
      box.append(UI.el('div', { class: 'notice ' + (mm.open ? 'ok' : 'warn'), id: 'm-window-notice' },
        ...lines.map((l) => UI.el('p', { text: l }))));
    }
  }

  // ------------------------------------------------------------------
  // Profile

  function fillSelects() {
    const types = mm.organisation_types || [];
    const coll = I18N.collator();
    const typeOpts = types.map((c) => [c, MatchWords.orgType(c)]).sort((a, b) => coll.compare(a[1], b[1]));
    const ptype = UI.clear(UI.$('#p-organisation_type'));
    ptype.append(UI.el('option', { value: '', text: t('Choose…') }), ...typeOpts.map(([v, l]) => UI.el('option', { value: v, text: l })));
    const dtype = UI.clear(UI.$('#dir-type'));
    dtype.append(UI.el('option', { value: '', text: t('Any type') }), ...typeOpts.map(([v, l]) => UI.el('option', { value: v, text: l })));
    const countries = Pub.countries();
    UI.clear(UI.$('#p-country')).append(UI.el('option', { value: '', text: '—' }),
      ...countries.map((c) => UI.el('option', { value: c.code, text: c.name })));
    UI.clear(UI.$('#dir-country')).append(UI.el('option', { value: '', text: t('Any country') }),
      ...countries.map((c) => UI.el('option', { value: c.code, text: c.name })));
    UI.clear(UI.$('#dir-kind')).append(UI.el('option', { value: '', text: t('Anything') }),
      ...MatchWords.KINDS.map((k) => UI.el('option', { value: k, text: MatchWords.kind(k) })));
    UI.clear(UI.$('#opp-kind')).append(...MatchWords.KINDS.map((k) => UI.el('option', { value: k, text: MatchWords.kind(k) })));
  }

  function renderProfile() {
    const p = mm.profile;
    UI.$('#p-headline').value = (p && p.headline) || '';
    UI.$('#p-about').value = (p && p.about) || '';
    UI.$('#p-organisation_type').value = (p && p.organisation_type) || '';
    UI.$('#p-country').value = (p && p.country) || '';
    UI.$('#p-topics').value = ((p && p.topics) || []).join(', ');
    UI.$('#p-website').value = (p && p.website) || '';
    // Consent: never ticked for the participant; ticked only while listed.
    UI.$('#p-visible').checked = !!(p && p.visible);
    UI.$('#p-withdraw').hidden = !(p && p.visible);
    const all = !p || p.availability === 'all' || !Array.isArray(p.availability);
    UI.$('#avail-all').checked = all;
    UI.$('#avail-some').checked = !all;
    const chosen = new Set(Array.isArray(p && p.availability) ? p.availability : []);
    const box = UI.clear(UI.$('#slot-choices'));
    for (const s of mm.slots || []) {
      const id = 'slot-' + s.id;
      const input = UI.el('input', { type: 'checkbox', id, name: 'slot', value: s.id });
      input.checked = all || chosen.has(s.id);
      box.append(UI.el('div', { class: 'check' }, input,
        UI.el('label', { for: id, text: [Pub.sessionWhen(s.starts_at, s.ends_at, tz()), s.room].filter(Boolean).join(' · ') })));
    }
    syncAvailability();
    UI.$('#f-availability').hidden = !(mm.slots || []).length;
    const status = UI.$('#profile-msg');
    if (p && !p.visible) notice(status, p.hidden ? t('The organisers have hidden your profile from the directory.')
      : t('Your profile is not listed in the directory.'), 'warn');
    else if (p && p.hidden) notice(status, t('The organisers have hidden your profile from the directory.'), 'warn');
  }

  function syncAvailability() {
    const some = UI.$('#avail-some').checked;
    UI.$('#slot-choices').hidden = !some;
  }

  function fieldError(name, msg) {
    const p = UI.$('#err-p-' + name);
    const ctl = name === 'availability' ? UI.$('#f-availability') : UI.$('#p-' + name);
    if (!p) return null;
    p.textContent = msg || '';
    p.hidden = !msg;
    if (ctl && ctl.tagName !== 'FIELDSET') {
      if (msg) ctl.setAttribute('aria-invalid', 'true');
      else ctl.removeAttribute('aria-invalid');
    }
    if (ctl) ctl.closest('.field, fieldset').classList.toggle('invalid', !!msg);
    return ctl;
  }

  function profileFieldMessage(name, code) {
    if (name === 'visible') return t('Tick the box to be listed in the directory; without your consent we cannot list you.');
    if (name === 'organisation_type') return t('Choose the type of your organisation.');
    if (name === 'website') return t('Enter a web address starting with https:// or http://.');
    if (name === 'country') return t('Choose a country from the list.');
    if (name === 'topics') return t('Up to 20 topics, each at most 60 characters.');
    if (name === 'availability') return t('A slot you chose no longer exists. Please reload the page.');
    if (code === 'too_long') return t('This field is too long.');
    return Pub.fieldError(name, code);
  }

  function clearProfileErrors() {
    for (const n of ['headline', 'about', 'organisation_type', 'country', 'topics', 'website', 'availability', 'visible']) fieldError(n, '');
    const sum = UI.$('#profile-errors');
    sum.hidden = true;
    UI.clear(sum);
  }

  function showProfileErrors(fields) {
    const sum = UI.clear(UI.$('#profile-errors'));
    const list = UI.el('ul');
    let first = null;
    for (const [name, code] of Object.entries(fields)) {
      const msg = profileFieldMessage(name, code);
      const ctl = fieldError(name, msg);
      const target = name === 'availability' ? 'avail-all' : 'p-' + name;
      list.append(UI.el('li', {}, UI.el('a', { href: '#' + target, text: msg })));
      if (!first && ctl) first = ctl;
    }
    sum.append(UI.el('h3', { text: t('Please correct the following:') }), list);
    sum.hidden = false;
    sum.focus();
  }

  async function saveProfile(e) {
    e.preventDefault();
    clearProfileErrors();
    const msg = UI.$('#profile-msg');
    notice(msg, '');
    const visible = UI.$('#p-visible').checked;
    const body = {
      visible,
      headline: UI.$('#p-headline').value.trim(),
      about: UI.$('#p-about').value.trim(),
      organisation_type: UI.$('#p-organisation_type').value,
      country: UI.$('#p-country').value,
      topics: topicsOf(UI.$('#p-topics').value),
      website: UI.$('#p-website').value.trim(),
      availability: UI.$('#avail-some').checked
        ? UI.$$('#slot-choices input:checked').map((i) => Number(i.value)) : 'all',
    };
    const errs = {};
    if (!mm.profile && !visible) errs.visible = 'consent_required';
    if (!body.organisation_type) errs.organisation_type = 'required';
    if (body.website && !/^https?:\/\/\S+$/i.test(body.website)) errs.website = 'invalid';
    if (Object.keys(errs).length) { showProfileErrors(errs); return; }
    const btn = UI.$('#p-save');
    btn.disabled = true;
    try {
      const first = !mm.profile;
      mm.profile = await send('PUT', '/profile', body);
      renderProfile();
      renderWindow();
      renderOpps();
      notice(UI.$('#profile-msg'), first ? t('Your profile is saved and listed in the directory.')
        : mm.profile.visible ? t('Your profile is saved.') : t('Your profile is saved. It is not listed in the directory.'), 'ok');
      await refreshAll();
    } catch (err) {
      if (err instanceof Confero.ApiError && err.status === 422 && Object.keys(err.fields).length) showProfileErrors(err.fields);
      else notice(msg, t('Your profile could not be saved. {reason}', { reason: Pub.generalError(err) }), 'bad');
    } finally {
      btn.disabled = false;
    }
  }

  async function withdraw() {
    const msg = UI.$('#profile-msg');
    const btn = UI.$('#p-withdraw');
    btn.disabled = true;
    try {
      mm.profile = await send('DELETE', '/profile');
      renderProfile();
      notice(UI.$('#profile-msg'), t('Your profile is no longer listed in the directory. Your agreed meetings stay as they are.'), 'ok');
      UI.$('#p-save').focus();
      await refreshAll();
    } catch (err) {
      notice(msg, t('Your profile could not be removed from the directory. {reason}', { reason: Pub.generalError(err) }), 'bad');
    } finally {
      btn.disabled = false;
    }
  }

  // ------------------------------------------------------------------
  // Opportunities

  function renderOpps() {
    const has = !!mm.profile;
    UI.$('#opps-need-profile').hidden = has;
    UI.$('#opp-form').hidden = !has;
    const list = UI.clear(UI.$('#opps-list'));
    if (!has) return;
    for (const o of mm.profile.opportunities || []) {
      list.append(UI.el('li', { class: 'opp card', 'data-opp-id': String(o.id) },
        UI.el('p', { class: 'opp-title' }, UI.el('span', { class: 'badge kind-' + o.kind, text: MatchWords.kind(o.kind) }), ' ',
          UI.el('strong', { text: o.title })),
        o.description ? UI.el('p', { class: 'prose', text: o.description }) : null,
        tags(o.topics),
        UI.el('div', { class: 'actions' },
          UI.el('button', { type: 'button', class: 'secondary small', text: t('Edit'),
            'aria-label': t('Edit “{title}”', { title: o.title }), onclick: () => editOpp(o) }),
          UI.el('button', { type: 'button', class: 'secondary small', text: t('Delete'),
            'aria-label': t('Delete “{title}”', { title: o.title }), onclick: (ev) => deleteOpp(o, ev.currentTarget) }))));
    }
  }

  function resetOppForm() {
    editingOpp = null;
    UI.$('#opp-kind').value = 'offer';
    UI.$('#opp-title').value = '';
    UI.$('#opp-description').value = '';
    UI.$('#opp-topics').value = '';
    UI.$('#opp-form-h').textContent = t('Add an opportunity');
    UI.$('#opp-save').textContent = t('Add opportunity');
    UI.$('#opp-cancel').hidden = true;
    oppError('');
  }

  function oppError(m) {
    const p = UI.$('#err-opp-title');
    p.textContent = m;
    p.hidden = !m;
    if (m) UI.$('#opp-title').setAttribute('aria-invalid', 'true');
    else UI.$('#opp-title').removeAttribute('aria-invalid');
  }

  function editOpp(o) {
    editingOpp = o;
    UI.$('#opp-kind').value = o.kind;
    UI.$('#opp-title').value = o.title;
    UI.$('#opp-description').value = o.description || '';
    UI.$('#opp-topics').value = (o.topics || []).join(', ');
    UI.$('#opp-form-h').textContent = t('Edit the opportunity “{title}”', { title: o.title });
    UI.$('#opp-save').textContent = t('Save opportunity');
    UI.$('#opp-cancel').hidden = false;
    UI.$('#opp-title').focus();
  }

  async function saveOpp(e) {
    e.preventDefault();
    oppError('');
    const msg = UI.$('#opp-msg');
    notice(msg, '');
    const body = {
      kind: UI.$('#opp-kind').value,
      title: UI.$('#opp-title').value.trim(),
      description: UI.$('#opp-description').value.trim(),
      topics: topicsOf(UI.$('#opp-topics').value),
    };
    if (!body.title) { oppError(t('Give the opportunity a title.')); UI.$('#opp-title').focus(); return; }
    const btn = UI.$('#opp-save');
    btn.disabled = true;
    try {
      const was = editingOpp;
      const saved = was ? await send('PATCH', '/opportunities/' + was.id, body) : await send('POST', '/opportunities', body);
      const list = mm.profile.opportunities || [];
      mm.profile.opportunities = was ? list.map((x) => (x.id === was.id ? saved : x)) : list.concat([saved]);
      renderOpps();
      resetOppForm();
      notice(UI.$('#opp-msg'), was ? t('“{title}” is saved.', { title: saved.title }) : t('“{title}” is added.', { title: saved.title }), 'ok');
      loadRecs();
    } catch (err) {
      if (err instanceof Confero.ApiError && err.status === 422 && err.fields.title) oppError(Pub.fieldError('title', err.fields.title));
      else notice(msg, t('The opportunity could not be saved. {reason}', { reason: Pub.generalError(err) }), 'bad');
    } finally {
      btn.disabled = false;
    }
  }

  async function deleteOpp(o, btn) {
    btn.disabled = true;
    try {
      await send('DELETE', '/opportunities/' + o.id);
      mm.profile.opportunities = (mm.profile.opportunities || []).filter((x) => x.id !== o.id);
      if (editingOpp && editingOpp.id === o.id) resetOppForm();
      renderOpps();
      notice(UI.$('#opp-msg'), t('“{title}” is deleted.', { title: o.title }), 'ok');
      UI.$('#opp-title').focus();
      loadRecs();
    } catch (err) {
      btn.disabled = false;
      notice(UI.$('#opp-msg'), t('The opportunity could not be deleted. {reason}', { reason: Pub.generalError(err) }), 'bad');
    }
  }

  // ------------------------------------------------------------------
  // People: recommendations and the directory

  // The state of my meetings with a profile: an open or agreed one blocks a new request.
  function meetingWith(id) {
    return meetings.find((m) => m.with && m.with.id === id && ['requested', 'accepted', 'scheduled', 'held'].includes(m.status));
  }

  function personCard(p, where, reasons) {
    const hid = where + '-p-' + p.id + '-h';
    const li = UI.el('li', { class: 'person card', 'data-profile-id': String(p.id), 'aria-labelledby': hid });
    li.append(UI.el('h3', { id: hid, text: p.name }),
      UI.el('p', { class: 'muted person-facts', text: facts(p) }),
      p.headline ? UI.el('p', { class: 'person-headline', text: p.headline }) : null);
    if (reasons && reasons.length) {
      li.append(UI.el('ul', { class: 'reasons' }, ...reasons.map((r) => UI.el('li', { text: r }))));
    }
    if (p.about) li.append(UI.el('details', {}, UI.el('summary', { text: t('About') }), ...Pub.paragraphs(p.about)));
    li.append(tags(p.topics));
    const opps = p.opportunities || [];
    if (opps.length) {
      li.append(UI.el('ul', { class: 'their-opps' }, ...opps.map((o) => UI.el('li', {},
        UI.el('span', { class: 'badge kind-' + o.kind, text: MatchWords.kind(o.kind) }), ' ', UI.el('span', { text: o.title })))));
    }
    if (p.website && /^https?:\/\//i.test(p.website)) {
      li.append(UI.el('p', { class: 'small' }, UI.el('a', { href: p.website, rel: 'noopener noreferrer nofollow', target: '_blank', text: p.website })));
    }
    const act = UI.el('div', { class: 'request-area' });
    li.append(act);
    drawRequestArea(act, p, where);
    return li;
  }

  function drawRequestArea(box, p, where) {
    UI.clear(box);
    const existing = meetingWith(p.id);
    if (existing) {
      const w = MatchWords.status(existing.status);
      box.append(UI.el('p', { class: 'small' }, UI.el('span', { class: 'badge ' + w.cls, text: w.text }), ' ',
        UI.el('a', { href: '#meeting-' + existing.id, text: t('See the meeting') })));
      return;
    }
    if (!mm.profile) {
      box.append(UI.el('p', { class: 'hint', text: t('Save your profile to ask for meetings.') }));
      return;
    }
    if (!mm.open) return;
    const btn = UI.el('button', { type: 'button', class: 'request-open', 'aria-expanded': 'false',
      text: t('Request a meeting'), 'aria-label': t('Request a meeting with {name}', { name: p.name }) });
    btn.addEventListener('click', () => openRequestForm(box, p, where, btn));
    box.append(UI.el('div', { class: 'actions' }, btn));
  }

  function openRequestForm(box, p, where, opener) {
    const fid = where + '-req-' + p.id;
    opener.setAttribute('aria-expanded', 'true');
    opener.hidden = true;
    const message = UI.el('textarea', { id: fid + '-msg', name: 'message', rows: 3, maxlength: 1000 });
    const opps = p.opportunities || [];
    const oppSel = opps.length ? UI.el('select', { id: fid + '-opp', name: 'opportunity_id' },
      UI.el('option', { value: '', text: t('None in particular') }),
      ...opps.map((o) => UI.el('option', { value: String(o.id), text: MatchWords.kind(o.kind) + ': ' + o.title }))) : null;
    const out = UI.el('p', { 'aria-live': 'polite' });
    const submit = UI.el('button', { type: 'submit', text: t('Send the request') });
    const cancel = UI.el('button', { type: 'button', class: 'secondary', text: tc('verb', 'Cancel') });
    const form = UI.el('form', { class: 'request-form', novalidate: true, 'aria-label': t('Request a meeting with {name}', { name: p.name }) },
      UI.el('div', { class: 'field' }, UI.el('label', { for: message.id, text: t('Message to {name} (optional)', { name: p.name }) }), message),
      oppSel ? UI.el('div', { class: 'field' }, UI.el('label', { for: oppSel.id, text: t('About one of their opportunities (optional)') }), oppSel) : null,
      UI.el('div', { class: 'actions' }, submit, cancel), out);
    cancel.addEventListener('click', () => { form.remove(); opener.hidden = false; opener.setAttribute('aria-expanded', 'false'); opener.focus(); });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      submit.disabled = true;
      notice(out, '');
      const body = { with: p.id, message: message.value.trim() };
      if (oppSel && oppSel.value) body.opportunity_id = Number(oppSel.value);
      try {
        const m = await send('POST', '/meetings', body);
        meetings = meetings.filter((x) => x.id !== m.id).concat([m]);
        renderMeetings();
        drawRequestArea(box, p, where);
        redrawPeople();
        UI.announce(t('Your request was sent to {name}. We email you the answer.', { name: p.name }));
        const link = box.querySelector('a');
        if (link) link.focus();
      } catch (err) {
        submit.disabled = false;
        notice(out, requestError(err, p), 'bad');
      }
    });
    box.append(form);
    message.focus();
  }

  function requestError(err, p) {
    if (err instanceof Confero.ApiError) {
      if (err.code === 'duplicate') return t('You already have a meeting or an open request with {name}.', { name: p.name });
      if (err.code === 'limit') return t('You have reached the most meetings a participant may have.');
      if (err.code === 'matchmaking_closed') return t('Meeting requests are closed.');
      if (err.code === 'self') return t('You cannot ask yourself for a meeting.');
      if (err.status === 422 && err.fields && err.fields.with) return t('{name} is no longer listed in the directory.', { name: p.name });
    }
    return t('The request could not be sent. {reason}', { reason: Pub.generalError(err) });
  }

  let lastRecs = [];
  let lastDir = null;

  async function loadRecs() {
    const note = UI.$('#recs-note');
    if (!mm.profile) {
      lastRecs = [];
      UI.clear(UI.$('#recs-list'));
      note.textContent = t('Save your profile with a few topics and opportunities, and we suggest people to meet.');
      return;
    }
    try {
      const r = await getJson(withLang(base + '/recommendations'));
      lastRecs = r.recommendations || [];
      drawRecs();
    } catch (err) {
      note.textContent = t('The recommendations could not be loaded. {reason}', { reason: Pub.generalError(err) });
    }
  }

  function drawRecs() {
    const list = UI.clear(UI.$('#recs-list'));
    UI.$('#recs-note').textContent = lastRecs.length ? t('People whose topics and opportunities fit yours.')
      : t('No suggestions yet. Add topics and opportunities to your profile, or look through the directory.');
    for (const p of lastRecs) list.append(personCard(p, 'rec', p.reasons));
  }

  function dirQuery() {
    const q = new URLSearchParams();
    for (const [k, id] of [['q', 'dir-q'], ['topic', 'dir-topic'], ['organisation_type', 'dir-type'], ['country', 'dir-country'], ['kind', 'dir-kind']]) {
      const v = UI.$('#' + id).value.trim();
      if (v) q.set(k, v);
    }
    if (dirPage > 1) q.set('page', String(dirPage));
    return q;
  }

  async function loadDirectory() {
    const count = UI.$('#dir-count');
    const q = dirQuery();
    try {
      const r = await getJson(withLang(base + '/participants' + (q.toString() ? '?' + q.toString() : '')));
      lastDir = r;
      drawDirectory(q);
    } catch (err) {
      count.className = 'notice bad';
      count.textContent = err instanceof Confero.ApiError && err.status === 422
        ? t('Please check the search: a filter is not valid.')
        : t('The directory could not be loaded. {reason}', { reason: Pub.generalError(err) });
    }
  }

  function drawDirectory(q) {
    const r = lastDir;
    if (!r) return;
    const count = UI.$('#dir-count');
    count.className = 'result-count';
    const filtered = ['q', 'topic', 'organisation_type', 'country', 'kind'].some((k) => (q || dirQuery()).get(k));
    count.textContent = filtered ? tn('{n} participant matches.', '{n} participants match.', r.total)
      : tn('{n} participant is listed.', '{n} participants are listed.', r.total);
    const list = UI.clear(UI.$('#dir-list'));
    for (const p of r.participants || []) list.append(personCard(p, 'dir'));
    // Topics seen so far, to pick from in the topic filter.
    const topics = new Set(((mm.profile && mm.profile.topics) || []));
    for (const p of (r.participants || []).concat(lastRecs)) for (const x of p.topics || []) topics.add(x);
    UI.clear(UI.$('#topics-list')).append(...Array.from(topics).sort(I18N.collator().compare).map((x) => UI.el('option', { value: x })));
    const pages = Math.max(1, Math.ceil((r.total || 0) / (r.per_page || 20)));
    UI.$('#dir-pager').hidden = pages < 2;
    UI.$('#dir-prev').hidden = dirPage <= 1;
    UI.$('#dir-next').hidden = dirPage >= pages;
    UI.$('#dir-page').textContent = t('Page {page} of {pages}', { page: I18N.number(dirPage), pages: I18N.number(pages) });
  }

  function redrawPeople() {
    drawRecs();
    drawDirectory();
  }

  // ------------------------------------------------------------------
  // Meetings

  async function loadMeetings() {
    if (!mm.profile) {
      meetings = [];
      renderMeetings();
      renderAgenda([]);
      return;
    }
    try {
      const [r, ag] = await Promise.all([getJson(base + '/meetings'), getJson(base + '/agenda')]);
      meetings = r.meetings || [];
      renderMeetings();
      renderAgenda(ag.meetings || []);
    } catch (err) {
      UI.clear(UI.$('#meetings-list')).append(UI.el('p', { class: 'notice bad',
        text: t('Your meetings could not be loaded. {reason}', { reason: Pub.generalError(err) }) }));
    }
  }

  async function reloadMeetings() {
    await loadMeetings();
    redrawPeople();
  }

  function groups() {
    const by = (pred) => meetings.filter(pred);
    const time = (m) => (m.slot ? Date.parse(m.slot.starts_at) : Infinity);
    return [
      ['incoming', t('Requests for you'), by((m) => m.status === 'requested' && m.direction === 'received')],
      ['agreed', t('Agreed meetings'), by((m) => ['accepted', 'scheduled'].includes(m.status)).sort((a, b) => time(a) - time(b))],
      ['sent', t('Your requests'), by((m) => m.status === 'requested' && m.direction === 'sent')],
      ['held', t('Meetings held'), by((m) => m.status === 'held').sort((a, b) => time(a) - time(b))],
      ['closed', t('Declined, cancelled or expired'), by((m) => ['declined', 'cancelled', 'expired'].includes(m.status))],
    ];
  }

  function renderMeetings() {
    stopCamera();
    const box = UI.clear(UI.$('#meetings-list'));
    UI.$('#meetings-empty').hidden = meetings.length > 0 || !mm.profile;
    for (const [key, title, list] of groups()) {
      if (!list.length) continue;
      const hid = 'mg-' + key + '-h';
      const sec = UI.el('section', { class: 'meeting-group', id: 'mg-' + key, 'aria-labelledby': hid },
        UI.el('h3', { id: hid, text: t('{group} ({n})', { group: title, n: I18N.number(list.length) }) }));
      const ul = UI.el('ul', { class: 'plain meeting-list' });
      for (const m of list) ul.append(meetingCard(m));
      sec.append(ul);
      box.append(sec);
    }
    if (!mm.profile) box.append(UI.el('p', { class: 'muted', text: t('Save your profile to ask for meetings and to receive requests.') }));
  }

  function whereText(m) {
    return [m.table ? MatchWords.table(m.table) : '', m.room].filter(Boolean).join(' · ');
  }

  function meetingCard(m) {
    const w = MatchWords.status(m.status, m.no_show);
    const hid = 'meeting-' + m.id + '-h';
    const li = UI.el('li', { class: 'meeting card status-' + m.status, id: 'meeting-' + m.id, 'data-meeting-id': String(m.id),
      'data-status': m.status, 'aria-labelledby': hid });
    const who = m.with || {};
    li.append(UI.el('h4', { id: hid, tabindex: '-1', text: t('Meeting with {name}', { name: who.name }) }),
      UI.el('p', { class: 'meeting-status' }, UI.el('span', { class: 'badge ' + w.cls, text: w.text }), ' ',
        UI.el('span', { class: 'muted', text: facts(who) })));
    if (who.headline) li.append(UI.el('p', { class: 'person-headline', text: who.headline }));
    const dl = UI.el('dl', { class: 'meta' });
    const row = (k, v, cls) => { if (v) dl.append(UI.el('dt', { text: k }), UI.el('dd', { class: cls || null }, v)); };
    if (m.slot) {
      row(t('When'), UI.el('time', { datetime: m.slot.starts_at, text: Pub.sessionWhen(m.slot.starts_at, m.slot.ends_at, tz()) }), 'meeting-when');
      row(t('Where'), whereText(m), 'meeting-where');
    } else if (m.status === 'accepted') {
      row(t('When'), t('Agreed; the organisers will give you a time and a table.'), 'meeting-when');
    }
    if (m.opportunity_title) row(t('About'), m.opportunity_title);
    if (m.message) row(m.direction === 'received' ? t('Their message') : t('Your message'), m.message, 'prose');
    if (m.status === 'requested' && m.expires_at) {
      row(m.direction === 'received' ? t('Answer by') : t('Open until'), UI.fmtDateTime(m.expires_at, tz()));
    }
    if (m.held_at) row(t('Confirmed'), UI.fmtDateTime(m.held_at, tz()), 'meeting-held');
    if (dl.childNodes.length) li.append(dl);
    const msg = UI.el('p', { class: 'meeting-msg', 'aria-live': 'polite' });
    const actions = UI.el('div', { class: 'actions meeting-actions' });
    if (m.status === 'requested' && m.direction === 'received') {
      actions.append(
        act(m, 'accept', t('Accept'), '', msg, (r) => (r.status === 'scheduled'
          ? t('Accepted. You meet {name} at {where}, {when}.', { name: who.name, where: whereText(r), when: Pub.sessionWhen(r.slot.starts_at, r.slot.ends_at, tz()) })
          : t('Accepted. The organisers will give you a time and a table.'))),
        act(m, 'decline', t('Decline'), 'secondary', msg, () => t('Declined. {name} gets an email.', { name: who.name })));
    } else if (m.status === 'requested') {
      actions.append(act(m, 'cancel', t('Withdraw the request'), 'secondary', msg, () => t('Your request is withdrawn.')));
    } else if (m.status === 'accepted' || m.status === 'scheduled') {
      const start = UI.el('button', { type: 'button', class: 'start-meeting', text: t('Start meeting'),
        'aria-label': t('Start meeting with {name}', { name: who.name }) });
      start.addEventListener('click', () => openScanner(m, li, start));
      actions.append(start, cancelMeeting(m, li, msg));
    }
    li.append(actions, msg);
    if (m.status === 'held' || (m.status === 'scheduled' && m.slot && Date.parse(m.slot.starts_at) <= Date.now())) li.append(outcomeForm(m));
    return li;
  }

  function act(m, what, label, cls, msg, done) {
    const b = UI.el('button', { type: 'button', class: cls || null, text: label, 'data-action': what,
      'aria-label': t('{action}: meeting with {name}', { action: label, name: m.with.name }) });
    b.addEventListener('click', async () => {
      b.disabled = true;
      notice(msg, '');
      try {
        const r = await send('POST', '/meetings/' + m.id + '/' + what);
        const said = done(r);
        await reloadMeetings();
        const card = document.getElementById('meeting-' + m.id);
        if (card) {
          notice(card.querySelector('.meeting-msg'), said, 'ok');
          card.querySelector('h4').focus();
        }
        UI.announce(said);
      } catch (err) {
        b.disabled = false;
        notice(msg, meetingError(err), 'bad');
        if (err instanceof Confero.ApiError && err.status === 409) reloadMeetings();
      }
    });
    return b;
  }

  function meetingError(err) {
    if (err instanceof Confero.ApiError) {
      if (err.code === 'not_requested') return t('This request is no longer open.');
      if (err.code === 'limit') return t('You have reached the most meetings a participant may have.');
      if (err.code === 'matchmaking_closed') return t('Meeting requests are closed.');
      if (err.code === 'not_cancellable') return t('This meeting can no longer be cancelled.');
    }
    return t('That did not work. {reason}', { reason: Pub.generalError(err) });
  }

  // Cancelling an agreed meeting asks first (the other side gets a mail).
  function cancelMeeting(m, li, msg) {
    const wrap = UI.el('span', { class: 'cancel-wrap' });
    const ask = UI.el('button', { type: 'button', class: 'secondary', text: t('Cancel the meeting'), 'aria-expanded': 'false',
      'aria-label': t('Cancel the meeting with {name}', { name: m.with.name }) });
    ask.addEventListener('click', () => {
      ask.setAttribute('aria-expanded', 'true');
      const no = UI.el('button', { type: 'button', class: 'secondary', text: t('No, keep it') });
      const yes = act(m, 'cancel', t('Yes, cancel'), 'danger', msg, () => t('The meeting is cancelled. {name} gets an email.', { name: m.with.name }));
      const h = UI.el('p', { class: 'confirm-q', tabindex: '-1', text: t('Cancel your meeting with {name}? They get an email, and the table is freed.', { name: m.with.name }) });
      const box = UI.el('div', { class: 'confirm-box' }, h, UI.el('div', { class: 'actions' }, yes, no));
      const close = () => { box.remove(); ask.setAttribute('aria-expanded', 'false'); ask.focus(); };
      no.addEventListener('click', close);
      box.addEventListener('keydown', (e) => { if (e.key === 'Escape') close(); });
      msg.before(box);
      h.focus();
    });
    wrap.append(ask);
    return wrap;
  }

  function outcomeForm(m) {
    const fid = 'outcome-' + m.id;
    const sel = UI.el('select', { id: fid + '-sel', name: 'outcome' },
      UI.el('option', { value: '', text: t('Choose…') }),
      ...MatchWords.OUTCOMES.map((o) => UI.el('option', { value: o, text: MatchWords.outcome(o) })));
    sel.value = m.outcome || '';
    const note = UI.el('textarea', { id: fid + '-note', name: 'note', rows: 2, maxlength: 2000, 'aria-describedby': fid + '-hint' });
    note.value = m.note || '';
    const out = UI.el('p', { 'aria-live': 'polite' });
    const btn = UI.el('button', { type: 'submit', text: t('Save the outcome') });
    const form = UI.el('form', { class: 'outcome-form', id: fid, novalidate: true },
      UI.el('h5', { text: t('How did it go?') }),
      UI.el('div', { class: 'field' }, UI.el('label', { for: sel.id, text: t('Outcome') }), sel),
      UI.el('div', { class: 'field' }, UI.el('label', { for: note.id, text: t('Note (optional)') }),
        UI.el('p', { class: 'hint', id: fid + '-hint', text: t('Only you and the organisers see your note.') }), note),
      UI.el('div', { class: 'actions' }, btn), out);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      notice(out, '');
      if (!sel.value) { notice(out, t('Choose an outcome.'), 'bad'); sel.focus(); return; }
      btn.disabled = true;
      try {
        const r = await send('POST', '/meetings/' + m.id + '/outcome', { outcome: sel.value, note: note.value.trim() });
        Object.assign(m, r);
        notice(out, t('Saved: {outcome}.', { outcome: MatchWords.outcome(r.outcome) }), 'ok');
      } catch (err) {
        notice(out, err instanceof Confero.ApiError && err.code === 'not_held'
          ? t('An outcome can be recorded once the meeting took place.') : t('The outcome could not be saved. {reason}', { reason: Pub.generalError(err) }), 'bad');
      } finally {
        btn.disabled = false;
      }
    });
    return form;
  }

  // ------------------------------------------------------------------
  // Agenda

  function renderAgenda(list) {
    const ol = UI.clear(UI.$('#agenda-list'));
    UI.$('#agenda-empty').hidden = list.length > 0;
    const sorted = list.slice().sort((a, b) => Date.parse(a.slot.starts_at) - Date.parse(b.slot.starts_at));
    for (const m of sorted) {
      const w = MatchWords.status(m.status, m.no_show);
      ol.append(UI.el('li', { class: 'agenda-item', 'data-meeting-id': String(m.id) },
        UI.el('p', { class: 'session-time' }, UI.el('time', { datetime: m.slot.starts_at, text: Pub.sessionWhen(m.slot.starts_at, m.slot.ends_at, tz()) })),
        UI.el('p', { class: 'agenda-where', text: whereText(m) }),
        UI.el('p', {}, UI.el('a', { href: '#meeting-' + m.id, class: 'agenda-name', text: m.with.name }),
          m.with.organisation ? ' · ' + m.with.organisation : '', ' ', UI.el('span', { class: 'badge ' + w.cls, text: w.text }))));
    }
    UI.$('#agenda-tz').textContent = list.length ? Pub.tzNote(tz()) : '';
    const actions = UI.clear(UI.$('#agenda-actions'));
    if (mm.profile) {
      actions.append(
        UI.el('a', { class: 'button secondary', id: 'agenda-ics', href: base + '/agenda.ics', download: 'meetings.ics', text: t('Add my meetings to my calendar (.ics)') }),
        UI.el('a', { class: 'button secondary', id: 'agenda-pdf', href: base + '/agenda.pdf', download: 'meetings.pdf', text: t('Printable agenda (PDF)') }));
    }
  }

  // ------------------------------------------------------------------
  // The mailed link: #meeting-{id}

  function goToTarget() {
    const m = /^#meeting-(\d+)$/.exec(location.hash);
    if (!m || targetDone) return;
    targetDone = true;
    const card = document.getElementById('meeting-' + m[1]);
    if (!card) {
      UI.$('#m-window').append(UI.el('p', { class: 'notice warn', id: 'target-missing', text: t('The meeting in your link is no longer open.') }));
      return;
    }
    card.classList.add('target');
    card.scrollIntoView({ block: 'start' });
    const accept = card.querySelector('button[data-action=accept]');
    if (accept) accept.classList.add('prominent');
    card.querySelector('h4').focus({ preventScroll: true });
  }

  // ------------------------------------------------------------------
  // Start meeting: the other side's ticket QR, by camera or typed

  function loadZXing() {
    if (zxing) return zxing;
    zxing = new Promise((resolve, reject) => {
      const done = () => {
        try {
          // The wasm comes from our own /vendor/, never from a CDN.
          const p = ZXingWASM.prepareZXingModule({
            overrides: { locateFile: (path, prefix) => (path.endsWith('.wasm') ? '/vendor/' + path : prefix + path) },
            fireImmediately: true,
          });
          Promise.resolve(p).then(() => resolve(ZXingWASM), reject);
        } catch (e) { reject(e); }
      };
      if (typeof ZXingWASM !== 'undefined') { done(); return; }
      const s = document.createElement('script');
      s.src = '/vendor/zxing-reader.js';
      s.onload = done;
      s.onerror = () => reject(new Error(t('the QR decoder did not load')));
      document.head.append(s);
    });
    zxing.catch(() => { zxing = null; });
    return zxing;
  }

  function openScanner(m, li, opener) {
    stopCamera();
    opener.hidden = true;
    const fid = 'scan-' + m.id;
    const status = UI.el('p', { class: 'scan-status', id: fid + '-status', 'aria-live': 'polite',
      text: t('Ask {name} to show the QR code of their ticket, and hold it in front of the camera.', { name: m.with.name }) });
    const video = UI.el('video', { muted: true, playsinline: true, autoplay: true, 'aria-label': t('Camera view') });
    const videoWrap = UI.el('div', { class: 'video-wrap', hidden: true }, video);
    const canvas = UI.el('canvas', { hidden: true });
    const code = UI.el('input', { type: 'text', id: fid + '-code', name: 'code', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false' });
    const stop = UI.el('button', { type: 'button', class: 'secondary', text: t('Close') });
    const cam = UI.el('button', { type: 'button', class: 'secondary', text: t('Start camera') });
    const form = UI.el('form', { class: 'code-form', novalidate: true },
      UI.el('div', { class: 'field' }, UI.el('label', { for: code.id, text: t('Or type the code printed under their QR code') }), code),
      UI.el('div', { class: 'actions' }, UI.el('button', { type: 'submit', text: t('Confirm the meeting') }), cam, stop));
    const box = UI.el('div', { class: 'scan-box', id: fid, role: 'group', 'aria-label': t('Confirm the meeting with {name}', { name: m.with.name }) },
      status, videoWrap, canvas, form);
    li.querySelector('.meeting-actions').after(box);
    scan = { meeting: m, stream: null, timer: null, box, status, video, videoWrap, canvas, opener, last: '', lastAt: 0, busy: false };
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const c = code.value.replace(/\s+/g, '').toUpperCase();
      if (!c) { status.textContent = t('Type the code, or scan it with the camera.'); code.focus(); return; }
      confirmHeld(c, true);
    });
    stop.addEventListener('click', () => { stopCamera(); opener.focus(); });
    cam.addEventListener('click', () => { if (scan && scan.stream) { stopStream(); cam.textContent = t('Start camera'); } else startCamera(cam); });
    startCamera(cam);
  }

  async function startCamera(camBtn) {
    const s = scan;
    if (!s) return;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      s.status.textContent = t('No camera access here. Type the code instead.');
      return;
    }
    try {
      const [stream] = await Promise.all([
        navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false }),
        loadZXing(),
      ]);
      if (scan !== s) { stream.getTracks().forEach((x) => x.stop()); return; }
      s.stream = stream;
      s.video.srcObject = stream;
      s.videoWrap.hidden = false;
      await s.video.play().catch(() => {});
      camBtn.textContent = t('Stop camera');
      s.status.textContent = t('Hold the QR code of {name}’s ticket in front of the camera.', { name: s.meeting.with.name });
      s.timer = setTimeout(frame, FRAME_MS);
    } catch (e) {
      const denied = e && (e.name === 'NotAllowedError' || e.name === 'SecurityError');
      s.status.textContent = denied ? t('Camera access was refused. Allow it in the browser’s site settings, or type the code.')
        : e && e.name === 'NotFoundError' ? t('No camera found. Type the code instead.')
          : t('The camera could not start: {reason}', { reason: e && e.message ? e.message : String(e) });
    }
  }

  async function frame() {
    const s = scan;
    if (!s || !s.stream) return;
    const v = s.video;
    try {
      if (!s.busy && v.readyState >= 2 && v.videoWidth > 0) {
        const scale = Math.min(1, 960 / Math.max(v.videoWidth, v.videoHeight));
        const w = Math.round(v.videoWidth * scale);
        const h = Math.round(v.videoHeight * scale);
        if (s.canvas.width !== w) s.canvas.width = w;
        if (s.canvas.height !== h) s.canvas.height = h;
        const ctx = s.canvas.getContext('2d', { willReadFrequently: true });
        ctx.drawImage(v, 0, 0, w, h);
        const results = await ZXingWASM.readBarcodes(ctx.getImageData(0, 0, w, h),
          { formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 1 });
        const hit = results.find((r) => r.isValid && r.text);
        if (hit) {
          const c = hit.text.replace(/\s+/g, '').toUpperCase();
          if (c !== s.last || Date.now() - s.lastAt > RETRY_MS) {
            s.last = c;
            s.lastAt = Date.now();
            await confirmHeld(c, false);
          }
        }
      }
    } catch (e) {
      s.status.textContent = t('Decoding failed: {reason}', { reason: e && e.message ? e.message : String(e) });
    }
    if (scan === s && s.stream) s.timer = setTimeout(frame, FRAME_MS);
  }

  async function confirmHeld(code, typed) {
    const s = scan;
    if (!s || s.busy) return;
    s.busy = true;
    const m = s.meeting;
    try {
      await send('POST', '/meetings/' + m.id + '/held', { code });
      const said = t('Meeting with {name} confirmed.', { name: m.with.name });
      stopCamera();
      await reloadMeetings();
      const card = document.getElementById('meeting-' + m.id);
      if (card) {
        notice(card.querySelector('.meeting-msg'), said, 'ok');
        card.querySelector('h4').focus();
      }
      UI.announce(said);
    } catch (err) {
      s.busy = false;
      let text;
      if (err instanceof Confero.ApiError && err.code === 'not_participant') text = t('This is not the ticket of {name}. Scan the QR code of their ticket.', { name: m.with.name });
      else if (err instanceof Confero.ApiError && err.code === 'invalid') text = t('This is not a valid ticket of this event.');
      else if (err instanceof Confero.ApiError && err.code === 'not_accepted') text = t('This meeting was not agreed, so it cannot be confirmed.');
      else text = t('The meeting could not be confirmed. {reason}', { reason: Pub.generalError(err) });
      s.status.textContent = text;
      if (typed) s.box.querySelector('input').focus();
      return;
    }
  }

  function stopStream() {
    if (!scan) return;
    clearTimeout(scan.timer);
    scan.timer = null;
    if (scan.stream) scan.stream.getTracks().forEach((x) => x.stop());
    scan.stream = null;
    scan.video.srcObject = null;
    scan.videoWrap.hidden = true;
  }

  function stopCamera() {
    if (!scan) return;
    stopStream();
    scan.box.remove();
    scan.opener.hidden = false;
    scan = null;
  }

  // ------------------------------------------------------------------

  UI.$('#profile-form').addEventListener('submit', saveProfile);
  UI.$('#p-withdraw').addEventListener('click', withdraw);
  UI.$('#avail-all').addEventListener('change', syncAvailability);
  UI.$('#avail-some').addEventListener('change', syncAvailability);
  UI.$('#opp-form').addEventListener('submit', saveOpp);
  UI.$('#opp-cancel').addEventListener('click', () => { resetOppForm(); UI.$('#opp-title').focus(); });
  UI.$('#dir-form').addEventListener('submit', (e) => { e.preventDefault(); dirPage = 1; loadDirectory(); });
  for (const id of ['dir-type', 'dir-country', 'dir-kind']) UI.$('#' + id).addEventListener('change', () => { dirPage = 1; loadDirectory(); });
  UI.$('#dir-clear').addEventListener('click', () => {
    for (const id of ['dir-q', 'dir-topic', 'dir-type', 'dir-country', 'dir-kind']) UI.$('#' + id).value = '';
    dirPage = 1;
    loadDirectory();
    UI.$('#dir-q').focus();
  });
  UI.$('#dir-prev').addEventListener('click', () => { dirPage = Math.max(1, dirPage - 1); loadDirectory(); UI.$('#directory-h').scrollIntoView(); });
  UI.$('#dir-next').addEventListener('click', () => { dirPage += 1; loadDirectory(); UI.$('#directory-h').scrollIntoView(); });
  window.addEventListener('hashchange', () => { targetDone = false; goToTarget(); });
  window.addEventListener('pagehide', stopCamera);
  load();
})();
