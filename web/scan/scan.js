// The door scanner: staff sign-in or a paired device key (Bearer), the
// check-in point and gate, then tickets from the camera (zxing-wasm on
// video frames), from a handheld scanner that types the code and Enter,
// or by name.  One large result per scan, a tone, undo for the last
// check-in, and counts for this device and the whole event.
'use strict';

(() => {
  const KEY = {
    token: 'confero.scan.token',
    event: 'confero.scan.event',
    gate: 'confero.scan.gate',
    point: (slug) => 'confero.scan.point.' + slug,
    ready: 'confero.scan.ready',
    count: (slug) => 'confero.scan.count.' + slug,
    camera: 'confero.scan.camera',
    sound: 'confero.scan.sound',
  };
  const DEBOUNCE_MS = 3000;        // the camera sees a code continuously
  const FRAME_MS = 250;            // four decodes a second at most
  const STATS_MS = 10000;
  const RETRIES = 3;

  const $ = (id) => document.getElementById(id);
  const S = {
    paired: false,
    me: null,
    events: [],
    event: null,          // the full event (sessions, time zone)
    point: null,          // null: event entrance; else a session id
    gate: '',
    busy: false,
    lastOk: null,         // { id, name } of the last successful check-in
    retryBody: null,      // the request to repeat (same nonce) after a network failure
    recent: new Map(),    // code -> when the camera last sent it
    stream: null,
    frameTimer: null,
    statsTimer: null,
    zxing: null,
    audio: null,
    lookupTimer: null,
  };

  const store = {
    get(k) { try { return localStorage.getItem(k); } catch (e) { return null; } },
    set(k, v) { try { localStorage.setItem(k, v); } catch (e) { /* private mode */ } },
    del(k) { try { localStorage.removeItem(k); } catch (e) { /* private mode */ } },
  };

  // ---- views

  function show(view) {
    for (const v of ['signin', 'setup', 'scan']) $('view-' + v).hidden = v !== view;
    $('boot').hidden = true;
    if (view !== 'scan') { stopCamera(); clearInterval(S.statsTimer); }
  }

  function message(text, kind = 'warn') {
    const box = $('messages');
    UI.clear(box);
    if (text) box.append(UI.el('p', { class: 'notice ' + kind, text }));
  }

  function drawNav() {
    const nav = UI.clear($('scan-nav'));
    if (!S.me) return;
    if (S.paired) {
      nav.append(UI.el('span', { class: 'who', text: t('Paired device') }),
        UI.el('button', { type: 'button', id: 'forget', class: 'link-button', text: t('Forget this device'), onclick: forget }));
    } else {
      nav.append(UI.el('span', { class: 'who', text: S.me.user.email }),
        UI.el('button', { type: 'button', id: 'signout', class: 'link-button', text: t('Sign out'), onclick: signOut }));
    }
  }

  // ---- authentication

  function takePairingFromUrl() {
    const h = new URLSearchParams(location.hash.replace(/^#/, ''));
    const token = h.get('token');
    if (!token) return;
    store.set(KEY.token, token);
    const ev = h.get('event');
    if (ev) store.set(KEY.event, ev);
    store.del(KEY.ready);
    // The secret must not stay in the address bar or the history.
    history.replaceState(null, '', location.pathname + location.search);
  }

  async function authenticate() {
    const token = store.get(KEY.token);
    if (token) {
      Confero.setBearer(token);
      const me = await Confero.me();
      if (me) { S.paired = true; return me; }
      Confero.setBearer('');
      store.del(KEY.token);
      message(t('This device\u2019s key no longer works (it may have been revoked). Pair it again or sign in.'), 'bad');
    }
    S.paired = false;
    return Confero.me();
  }

  async function signIn(ev) {
    ev.preventDefault();
    const err = $('signin-error');
    err.hidden = true;
    const email = $('signin-email').value.trim();
    const pw = $('signin-password').value;
    if (!email || !pw) {
      err.textContent = t('Enter your email and password.');
      err.hidden = false;
      return;
    }
    $('signin-submit').disabled = true;
    try {
      await Confero.login(email, pw);
      S.me = await Confero.me();
      message('');
      await afterAuth();
    } catch (e) {
      err.textContent = e.status === 401 ? t('Wrong email or password.')
        : e.status === 429 ? t('Too many attempts; wait a little and try again.')
          : t('Could not sign in: {reason}', { reason: e.message || String(e) });
      err.hidden = false;
      $('signin-password').focus();
    } finally {
      $('signin-submit').disabled = false;
    }
  }

  async function signOut() {
    try { await Confero.logout(); } catch (e) { /* already gone */ }
    S.me = null;
    store.del(KEY.ready);
    drawNav();
    show('signin');
    $('signin-email').focus();
  }

  function forget() {
    if (!window.confirm(t('Forget this device? It stops checking people in until it is paired again.'))) return;
    store.del(KEY.token);
    store.del(KEY.ready);
    Confero.setBearer('');
    S.paired = false;
    S.me = null;
    drawNav();
    message(t('This device is no longer paired.'), 'ok');
    show('signin');
  }

  function lostAuth() {
    if (S.paired) {
      store.del(KEY.token);
      Confero.setBearer('');
      S.paired = false;
      message(t('This device\u2019s key no longer works (it may have been revoked). Pair it again or sign in.'), 'bad');
    } else {
      message(t('Your session has ended. Sign in again.'), 'bad');
    }
    S.me = null;
    drawNav();
    show('signin');
  }

  // ---- event, point, gate

  async function afterAuth() {
    drawNav();
    const r = await Confero.get('/api/v1/events?scope=mine');
    S.events = r.events || [];
    if (!S.events.length) {
      show('setup');
      message(t('There is no event you can check people in for.'), 'bad');
      $('setup-form').hidden = true;
      return;
    }
    $('setup-form').hidden = false;
    const ready = store.get(KEY.ready);
    if (ready && S.events.some((e) => e.slug === ready)) {
      try {
        await chooseEvent(ready);
        S.point = pointFromStore(ready);
        S.gate = store.get(KEY.gate) || '';
        enterScan();
        return;
      } catch (e) { store.del(KEY.ready); }
    }
    await setup();
  }

  function pointFromStore(slug) {
    const p = store.get(KEY.point(slug));
    const id = p ? Number(p) : 0;
    return id && S.event.sessions.some((s) => s.id === id) ? id : null;
  }

  async function chooseEvent(slug) {
    S.event = await Confero.get('/api/v1/events/' + encodeURIComponent(slug));
    return S.event;
  }

  function sessionLabel(s) {
    const tz = S.event.timezone;
    const v = { title: s.title, day: UI.fmtDate(s.starts_at, tz, { weekday: 'short' }), time: UI.fmtTime(s.starts_at, tz), room: s.room };
    // TRANSLATORS: a session as a check-in point: its title, weekday, start time (and room).
    return s.room ? t('{title} ({day} {time}, {room})', v) : t('{title} ({day} {time})', v);
  }

  async function setup() {
    show('setup');
    const sel = $('setup-event');
    UI.clear(sel);
    for (const e of S.events) sel.append(UI.el('option', { value: e.slug, text: e.name }));
    const wanted = store.get(KEY.event);
    sel.value = S.events.some((e) => e.slug === wanted) ? wanted
      : (S.event && S.events.some((e) => e.slug === S.event.slug) ? S.event.slug : S.events[0].slug);
    const single = S.events.length === 1;
    $('setup-event-field').hidden = single;
    $('setup-event-single').hidden = !single;
    $('setup-event-single').textContent = single ? t('Event: {name}', { name: S.events[0].name }) : '';
    // TRANSLATORS: the gate name suggested on a new device (the organiser sees it in the scan log).
    $('setup-gate').value = store.get(KEY.gate) || t('Main entrance');
    await fillPoints(sel.value);
    (single ? $('setup-point') : sel).focus();
  }

  async function fillPoints(slug) {
    const ev = await chooseEvent(slug);
    const sel = $('setup-point');
    UI.clear(sel).append(UI.el('option', { value: '', text: t('Event entrance') }));
    const sessions = ev.sessions.slice().sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
    for (const s of sessions) sel.append(UI.el('option', { value: String(s.id), text: sessionLabel(s) }));
    const p = pointFromStore(slug);
    sel.value = p ? String(p) : '';
  }

  function setupSubmit(ev) {
    ev.preventDefault();
    const slug = $('setup-event').value;
    if (!S.event || S.event.slug !== slug) return;
    S.point = $('setup-point').value ? Number($('setup-point').value) : null;
    S.gate = $('setup-gate').value.trim();
    store.set(KEY.event, slug);
    store.set(KEY.point(slug), S.point ? String(S.point) : '');
    store.set(KEY.gate, S.gate);
    store.set(KEY.ready, slug);
    message('');
    enterScan();
  }

  // ---- the scanning view

  function pointSession() {
    return S.point ? S.event.sessions.find((x) => x.id === S.point) || null : null;
  }

  function pointName() {
    if (!S.point) return t('Event entrance');
    const s = pointSession();
    return s ? t('Session: {title}', { title: s.title }) : t('Session');
  }

  function enterScan() {
    show('scan');
    $('ctx-event').textContent = S.event.name;
    $('ctx-point').textContent = pointName();
    $('ctx-gate').textContent = S.gate ? t('Gate: {gate}', { gate: S.gate }) : t('No gate name');
    $('count-total-label').textContent = S.point ? t('Attended this session') : t('Checked in at this event');
    $('count-device').textContent = I18N.number(deviceCount());
    S.lastOk = null;
    drawUndo();
    const ps = pointSession();
    setResult('idle', t('Ready to scan'), '', ps ? t('Checking tickets for {session}', { session: ps.title }) : '');
    refreshStats();
    clearInterval(S.statsTimer);
    S.statsTimer = setInterval(refreshStats, STATS_MS);
    if (store.get(KEY.camera) === 'on') startCamera();
    idleFocus();
  }

  function deviceCount() {
    return Number(store.get(KEY.count(S.event.slug)) || 0);
  }

  function addDeviceCount(n) {
    const c = Math.max(0, deviceCount() + n);
    store.set(KEY.count(S.event.slug), String(c));
    $('count-device').textContent = I18N.number(c);
  }

  async function refreshStats() {
    if (!S.event) return;
    try {
      const s = await Confero.get('/api/v1/events/' + encodeURIComponent(S.event.slug) + '/stats');
      let n = s.checked_in;
      if (S.point) {
        const row = (s.by_session || []).find((x) => x.session_id === S.point);
        n = row ? row.checked_in : 0;
      }
      $('count-total').textContent = I18N.number(n);
    } catch (e) {
      if (e instanceof Confero.ApiError && e.status === 401) lostAuth();
    }
  }

  function setResult(kind, title, name, detail) {
    const box = $('result');
    box.className = 'result ' + kind;
    $('result-title').textContent = title;
    $('result-name').textContent = name || '';
    $('result-detail').textContent = detail || '';
    box.dataset.result = kind;
  }

  function attendeeLine(a) {
    if (!a) return '';
    return [a.organisation, a.ticket_type].filter(Boolean).join(' \u00b7 ');
  }

  // The refusals (the API's result codes): the big word and the line
  // under it.  A function: the catalog is loaded after this script runs.
  function refusal(code) {
    return {
      invalid: [tc('scan result', 'Invalid ticket'), t('This code is not a valid ticket.')],
      cancelled: [tc('scan result', 'Cancelled'), t('This registration was cancelled.')],
      wrong_event: [tc('scan result', 'Wrong event'), t('This ticket is for another event.')],
      not_for_session: [tc('scan result', 'Not for this session'), t('This ticket does not include this session (or the attendee did not sign up).')],
      pending: [tc('scan result', 'Not confirmed'), t('This registration still awaits approval or payment.')],
      waitlisted: [tc('scan result', 'On the waiting list'), t('This person has no seat yet.')],
    }[code] || null;
  }

  // "Already checked in at 09:12 (on 14 May 2027), Main door": when and
  // where the ticket was first used; the date only when not today.
  function alreadyText(first, tz) {
    const v = { time: first.at ? UI.fmtTime(first.at, tz) : '', gate: first.gate || '' };
    const otherDay = first.at && UI.dayKey(first.at, tz) !== UI.dayKey(new Date().toISOString(), tz);
    if (otherDay) {
      v.date = UI.fmtDate(first.at, tz, { dateStyle: 'medium' });
      return v.gate ? t('Already checked in at {time} on {date}, {gate}', v) : t('Already checked in at {time} on {date}', v);
    }
    return v.gate ? t('Already checked in at {time}, {gate}', v) : t('Already checked in at {time}', v);
  }

  function showAnswer(status, body) {
    const a = body.attendee;
    const tz = S.event.timezone;
    if (body.result === 'ok') {
      S.lastOk = { id: body.checkin.id, name: a ? a.name : '' };
      drawUndo();
      addDeviceCount(1);
      setResult('ok', tc('scan result', 'Checked in'), a ? a.name : '', attendeeLine(a));
      tone('ok');
    } else if (body.result === 'already_checked_in') {
      setResult('warn', alreadyText(body.first || {}, tz), a ? a.name : '', attendeeLine(a));
      tone('warn');
    } else if (refusal(body.result)) {
      const [title, detail] = refusal(body.result);
      setResult('bad', title, a ? a.name : '', detail);
      tone('bad');
    } else {
      const msg = body.error ? body.error.message : t('Unexpected answer ({status}).', { status });
      setResult('bad', tc('scan result', 'Not checked in'), '', msg);
      tone('bad');
    }
  }

  function nonce() {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  }

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  async function send(body) {
    if (S.busy) return;
    S.busy = true;
    $('retry').hidden = true;
    $('result').setAttribute('aria-busy', 'true');
    const url = '/api/v1/events/' + encodeURIComponent(S.event.slug) + '/checkins';
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          const r = await Confero.request('POST', url, body, { withStatus: true, accept: [404, 409, 422] });
          S.retryBody = null;
          showAnswer(r.status, r.body || {});
          break;
        } catch (e) {
          if (e instanceof Confero.ApiError) {
            S.retryBody = null;
            if (e.status === 401) { lostAuth(); return; }
            const title = e.status === 403 ? tc('scan result', 'Not allowed') : e.status === 429 ? tc('scan result', 'Too fast')
              : tc('scan result', 'Not checked in');
            setResult('bad', title, '', e.message);
            tone('bad');
            break;
          }
          // No answer: the same nonce again, so that a check-in the server
          // did record is answered as it was, never counted twice.
          if (attempt < RETRIES) { await sleep(400 * (attempt + 1)); continue; }
          S.retryBody = body;
          setResult('bad', tc('scan result', 'No connection'), '', t('The check-in may not have been recorded. Try again when the network is back.'));
          $('retry').hidden = false;
          tone('bad');
          break;
        }
      }
    } finally {
      S.busy = false;
      $('result').removeAttribute('aria-busy');
      refreshStats();
      idleFocus();
    }
  }

  function checkIn(what) {
    const body = Object.assign({}, what, { session_id: S.point, gate: S.gate, nonce: nonce() });
    return send(body);
  }

  function normaliseCode(text) {
    return text.replace(/\s+/g, '').toUpperCase();
  }

  async function onCodeSubmit(ev) {
    ev.preventDefault();
    const input = $('code');
    const code = normaliseCode(input.value);
    input.value = '';
    if (!code) { idleFocus(); return; }
    await checkIn({ code });
  }

  // The button names whose check-in it undoes: after a refused scan it
  // still means the last successful one.
  function drawUndo() {
    const b = $('undo');
    b.disabled = !S.lastOk;
    b.textContent = !S.lastOk ? t('Undo last check-in')
      : S.lastOk.name ? t('Undo check-in: {name}', { name: S.lastOk.name }) : t('Undo check-in: last ticket');
  }

  async function undo() {
    if (!S.lastOk) return;
    const last = S.lastOk;
    $('undo').disabled = true;
    try {
      await Confero.del('/api/v1/checkins/' + last.id);
      S.lastOk = null;
      drawUndo();
      addDeviceCount(-1);
      setResult('idle', tc('scan result', 'Check-in undone'), last.name, t('Ready for the next scan.'));
    } catch (e) {
      if (e instanceof Confero.ApiError && e.status === 401) { lostAuth(); return; }
      $('undo').disabled = false;
      setResult('bad', tc('scan result', 'Could not undo'), last.name, e.message || String(e));
    }
    refreshStats();
    idleFocus();
  }

  // ---- keyboard: the code field takes a handheld scanner's typing

  function typingTarget(el) {
    if (!el) return false;
    if (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
    if (el.tagName !== 'INPUT') return false;
    return !['button', 'submit', 'checkbox', 'radio', 'reset'].includes(el.type);
  }

  // Idle: keep the code field focused, except on a touch screen while the
  // camera runs (the on-screen keyboard would cover the view).
  function idleFocus() {
    if ($('view-scan').hidden) return;
    const coarse = window.matchMedia && window.matchMedia('(pointer: coarse)').matches;
    if (coarse && S.stream) return;
    const a = document.activeElement;
    if (a && a !== document.body && typingTarget(a) && a.id !== 'code') return;
    $('code').focus({ preventScroll: true });
  }

  function onKeydown(ev) {
    if ($('view-scan').hidden || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (typingTarget(ev.target)) return;
    // A scanner typing while a button has focus: the characters belong in
    // the code field, and its Enter must not press the button.
    if (ev.key.length === 1 && /[A-Za-z0-9]/.test(ev.key)) {
      $('code').focus({ preventScroll: true });
    }
  }

  // ---- sound

  function unlockAudio() {
    if (S.audio) { if (S.audio.state === 'suspended') S.audio.resume().catch(() => {}); return; }
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (Ctx) { try { S.audio = new Ctx(); } catch (e) { S.audio = null; } }
  }

  function tone(kind) {
    if (!$('sound').checked || !S.audio) return;
    const ctx = S.audio;
    const plan = {
      ok: [['sine', 880, 0, 0.09], ['sine', 1320, 0.1, 0.14]],
      warn: [['square', 440, 0, 0.14], ['square', 440, 0.2, 0.14]],
      bad: [['square', 196, 0, 0.45]],
    }[kind];
    const t0 = ctx.currentTime + 0.01;
    for (const [type, freq, at, dur] of plan) {
      const o = ctx.createOscillator();
      const g = ctx.createGain();
      o.type = type;
      o.frequency.value = freq;
      g.gain.setValueAtTime(0.0001, t0 + at);
      g.gain.exponentialRampToValueAtTime(0.25, t0 + at + 0.01);
      g.gain.exponentialRampToValueAtTime(0.0001, t0 + at + dur);
      o.connect(g).connect(ctx.destination);
      o.start(t0 + at);
      o.stop(t0 + at + dur + 0.02);
    }
  }

  // ---- camera

  function loadZXing() {
    if (S.zxing) return S.zxing;
    S.zxing = new Promise((resolve, reject) => {
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
    S.zxing.catch(() => { S.zxing = null; });
    return S.zxing;
  }

  async function startCamera() {
    const status = $('camera-status');
    if (S.stream) return;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      status.textContent = t('No camera access here (the page must be opened over https).');
      return;
    }
    $('camera-toggle').disabled = true;
    status.textContent = t('Starting the camera\u2026');
    try {
      const [stream] = await Promise.all([
        navigator.mediaDevices.getUserMedia({
          video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
          audio: false,
        }),
        loadZXing(),
      ]);
      if ($('view-scan').hidden) { stream.getTracks().forEach((track) => track.stop()); return; }
      S.stream = stream;
      const video = $('video');
      video.srcObject = stream;
      $('video-wrap').hidden = false;
      await video.play().catch(() => {});
      store.set(KEY.camera, 'on');
      $('camera-toggle').textContent = t('Stop camera');
      status.textContent = t('Hold the ticket\u2019s QR code in front of the camera.');
      scheduleFrame();
    } catch (e) {
      const denied = e && (e.name === 'NotAllowedError' || e.name === 'SecurityError');
      status.textContent = denied ? t('Camera access was refused. Allow it in the browser\u2019s site settings, or use the code field.')
        : e && e.name === 'NotFoundError' ? t('No camera found. Use a handheld scanner or the code field.')
          : t('The camera could not start: {reason}', { reason: e && e.message ? e.message : String(e) });
      store.del(KEY.camera);
    } finally {
      $('camera-toggle').disabled = false;
    }
  }

  function stopCamera(forget) {
    clearTimeout(S.frameTimer);
    S.frameTimer = null;
    if (S.stream) S.stream.getTracks().forEach((track) => track.stop());
    S.stream = null;
    const video = $('video');
    if (video) video.srcObject = null;
    if ($('video-wrap')) $('video-wrap').hidden = true;
    if ($('camera-toggle')) $('camera-toggle').textContent = t('Start camera');
    if (forget) {
      store.del(KEY.camera);
      $('camera-status').textContent = t('Camera off.');
    }
  }

  function scheduleFrame() {
    clearTimeout(S.frameTimer);
    S.frameTimer = setTimeout(frame, FRAME_MS);
  }

  async function frame() {
    if (!S.stream) return;
    const video = $('video');
    try {
      if (!S.busy && video.readyState >= 2 && video.videoWidth > 0) {
        const scale = Math.min(1, 960 / Math.max(video.videoWidth, video.videoHeight));
        const w = Math.round(video.videoWidth * scale);
        const h = Math.round(video.videoHeight * scale);
        const canvas = $('frame');
        if (canvas.width !== w) canvas.width = w;
        if (canvas.height !== h) canvas.height = h;
        const ctx = canvas.getContext('2d', { willReadFrequently: true });
        ctx.drawImage(video, 0, 0, w, h);
        const results = await ZXingWASM.readBarcodes(ctx.getImageData(0, 0, w, h),
          { formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 1 });
        const hit = results.find((r) => r.isValid && r.text);
        if (hit) await onCamera(hit.text);
      }
    } catch (e) {
      $('camera-status').textContent = t('Decoding failed: {reason}', { reason: e && e.message ? e.message : String(e) });
    }
    if (S.stream) scheduleFrame();
  }

  async function onCamera(text) {
    const code = normaliseCode(text);
    const now = Date.now();
    for (const [c, seen] of S.recent) if (now - seen > DEBOUNCE_MS) S.recent.delete(c);
    if (S.recent.has(code)) return;       // the same ticket still in view
    S.recent.set(code, now);
    await checkIn({ code });
  }

  // ---- look-up by name

  async function lookup() {
    const q = $('lookup-q').value.trim();
    const list = UI.clear($('lookup-results'));
    const status = $('lookup-status');
    if (q.length < 2) { status.textContent = q ? t('Type at least two letters.') : ''; return; }
    status.textContent = t('Searching\u2026');
    try {
      const r = await Confero.get('/api/v1/events/' + encodeURIComponent(S.event.slug) + '/attendees?q=' + encodeURIComponent(q));
      if ($('lookup-q').value.trim() !== q) return;
      // In the page language's alphabetical order (č after c in Slovenian).
      const coll = I18N.collator();
      const people = (r.attendees || []).slice().sort((x, y) => coll.compare(x.name || '', y.name || ''));
      // The server sends at most 50.
      status.textContent = !people.length ? t('Nobody found.')
        : people.length === 50 ? t('The first {n} found.', { n: I18N.number(50) })
          : tn('{n} found.', '{n} found.', people.length);
      const tz = S.event.timezone;
      for (const p of people) {
        const facts = [p.organisation, p.ticket_type].filter(Boolean).join(' \u00b7 ');
        const refused = refusal(p.status === 'pending_approval' || p.status === 'pending_payment' ? 'pending' : p.status);
        const state = p.status !== 'confirmed'
          ? (refused ? refused[0] : p.status === 'rejected' ? tc('registration status', 'Rejected') : p.status)
          : p.checked_in_at ? t('Checked in at {time}', { time: UI.fmtTime(p.checked_in_at, tz) }) : '';
        const btn = UI.el('button', { type: 'button', class: 'small', text: tc('verb', 'Check in'),
          'aria-label': t('Check in {name}', { name: p.name }) });
        btn.addEventListener('click', async () => {
          unlockAudio();
          btn.disabled = true;
          await checkIn({ registration_id: p.id });
          btn.disabled = false;
          lookup();
        });
        list.append(UI.el('li', { class: 'person', 'data-registration-id': String(p.id) },
          UI.el('div', { class: 'person-text' },
            UI.el('p', { class: 'person-name', text: p.name }),
            facts ? UI.el('p', { class: 'muted', text: facts }) : null,
            state ? UI.el('p', { class: 'person-state', text: state }) : null),
          btn));
      }
    } catch (e) {
      if (e instanceof Confero.ApiError && e.status === 401) { lostAuth(); return; }
      status.textContent = t('Search failed: {reason}', { reason: e.message || String(e) });
    }
  }

  // ---- start

  // The language: ?lang, the confero_lang cookie, the browser's, English.
  // A paired device has no account, so the switcher only sets the cookie.
  async function useLanguage() {
    await I18N.init();
    UI.clear($('lang-slot')).append(I18N.switcher());
    $('camera-toggle').textContent = t('Start camera');
    drawUndo();
    setResult('idle', t('Ready to scan'), '', '');
  }

  async function start() {
    await useLanguage();
    $('signin-form').addEventListener('submit', signIn);
    $('setup-form').addEventListener('submit', setupSubmit);
    $('setup-event').addEventListener('change', (e) => fillPoints(e.target.value).catch((err) => message(err.message, 'bad')));
    $('change-setup').addEventListener('click', () => setup().catch((err) => message(err.message, 'bad')));
    $('code-form').addEventListener('submit', onCodeSubmit);
    $('undo').addEventListener('click', undo);
    $('retry').addEventListener('click', () => { if (S.retryBody) send(S.retryBody); });
    $('camera-toggle').addEventListener('click', () => { unlockAudio(); if (S.stream) stopCamera(true); else startCamera(); });
    $('sound').checked = store.get(KEY.sound) !== 'off';
    $('sound').addEventListener('change', (e) => store.set(KEY.sound, e.target.checked ? 'on' : 'off'));
    $('lookup-form').addEventListener('submit', (e) => { e.preventDefault(); clearTimeout(S.lookupTimer); lookup(); });
    $('lookup-q').addEventListener('input', () => { clearTimeout(S.lookupTimer); S.lookupTimer = setTimeout(lookup, 300); });
    document.addEventListener('keydown', onKeydown, true);
    document.addEventListener('pointerdown', unlockAudio, true);
    document.addEventListener('keydown', unlockAudio, true);
    document.addEventListener('click', (e) => {
      // A tap on empty space gives the code field its focus back.
      if (!e.target.closest('button, a, input, select, textarea, label, summary, video')) idleFocus();
    });
    window.addEventListener('pagehide', () => stopCamera());

    takePairingFromUrl();
    try {
      S.me = await authenticate();
      if (!S.me) {
        drawNav();
        show('signin');
        $('signin-email').focus();
        return;
      }
      await afterAuth();
    } catch (e) {
      $('boot').hidden = true;
      message(t('Could not reach the server: {reason}. Reload to try again.', { reason: e.message || String(e) }), 'bad');
    }
  }

  start();
})();
