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
      nav.append(UI.el('span', { class: 'who', text: 'Paired device' }),
        UI.el('button', { type: 'button', id: 'forget', class: 'link-button', text: 'Forget this device', onclick: forget }));
    } else {
      nav.append(UI.el('span', { class: 'who', text: S.me.user.email }),
        UI.el('button', { type: 'button', id: 'signout', class: 'link-button', text: 'Sign out', onclick: signOut }));
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
      message('This device\u2019s key no longer works (it may have been revoked). Pair it again or sign in.', 'bad');
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
      err.textContent = 'Enter your email and password.';
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
      err.textContent = e.status === 401 ? 'Wrong email or password.'
        : e.status === 429 ? 'Too many attempts; wait a little and try again.'
          : 'Could not sign in: ' + (e.message || e);
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
    if (!window.confirm('Forget this device? It stops checking people in until it is paired again.')) return;
    store.del(KEY.token);
    store.del(KEY.ready);
    Confero.setBearer('');
    S.paired = false;
    S.me = null;
    drawNav();
    message('This device is no longer paired.', 'ok');
    show('signin');
  }

  function lostAuth() {
    if (S.paired) {
      store.del(KEY.token);
      Confero.setBearer('');
      S.paired = false;
      message('This device\u2019s key no longer works (it may have been revoked). Pair it again or sign in.', 'bad');
    } else {
      message('Your session has ended. Sign in again.', 'bad');
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
      message('There is no event you can check people in for.', 'bad');
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
    return `${s.title} (${UI.fmtDate(s.starts_at, tz, { weekday: 'short' })} ${UI.fmtTime(s.starts_at, tz)}${s.room ? ', ' + s.room : ''})`;
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
    $('setup-event-single').textContent = single ? 'Event: ' + S.events[0].name : '';
    $('setup-gate').value = store.get(KEY.gate) || 'Main entrance';
    await fillPoints(sel.value);
    (single ? $('setup-point') : sel).focus();
  }

  async function fillPoints(slug) {
    const ev = await chooseEvent(slug);
    const sel = $('setup-point');
    UI.clear(sel).append(UI.el('option', { value: '', text: 'Event entrance' }));
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

  function pointName() {
    if (!S.point) return 'Event entrance';
    const s = S.event.sessions.find((x) => x.id === S.point);
    return s ? 'Session: ' + s.title : 'Session';
  }

  function enterScan() {
    show('scan');
    $('ctx-event').textContent = S.event.name;
    $('ctx-point').textContent = pointName();
    $('ctx-gate').textContent = S.gate ? 'Gate: ' + S.gate : 'No gate name';
    $('count-total-label').textContent = S.point ? 'Attended this session' : 'Checked in at this event';
    $('count-device').textContent = String(deviceCount());
    S.lastOk = null;
    drawUndo();
    setResult('idle', 'Ready to scan', '', S.point ? 'Checking tickets for ' + pointName().replace(/^Session: /, '') : '');
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
    $('count-device').textContent = String(c);
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
      $('count-total').textContent = String(n);
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

  const BAD = {
    invalid: ['Invalid ticket', 'This code is not a valid ticket.'],
    cancelled: ['Cancelled', 'This registration was cancelled.'],
    wrong_event: ['Wrong event', 'This ticket is for another event.'],
    not_for_session: ['Not for this session', 'This ticket does not include this session (or the attendee did not sign up).'],
    pending: ['Not confirmed', 'This registration still awaits approval or payment.'],
    waitlisted: ['On the waiting list', 'This person has no seat yet.'],
  };

  function showAnswer(status, body) {
    const a = body.attendee;
    const tz = S.event.timezone;
    if (body.result === 'ok') {
      S.lastOk = { id: body.checkin.id, name: a ? a.name : '' };
      drawUndo();
      addDeviceCount(1);
      setResult('ok', 'Checked in', a ? a.name : '', attendeeLine(a));
      tone('ok');
    } else if (body.result === 'already_checked_in') {
      const f = body.first || {};
      const when = f.at ? UI.fmtTime(f.at, tz) : '';
      const day = f.at && UI.dayKey(f.at, tz) !== UI.dayKey(new Date().toISOString(), tz)
        ? ' on ' + UI.fmtDate(f.at, tz, { dateStyle: 'medium' }) : '';
      setResult('warn', `Already checked in at ${when}${day}${f.gate ? ', ' + f.gate : ''}`,
        a ? a.name : '', attendeeLine(a));
      tone('warn');
    } else if (BAD[body.result]) {
      const [t, d] = BAD[body.result];
      setResult('bad', t, a ? a.name : '', d);
      tone('bad');
    } else {
      const msg = body.error ? body.error.message : 'Unexpected answer (' + status + ').';
      setResult('bad', 'Not checked in', '', msg);
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
            const t = e.status === 403 ? 'Not allowed' : e.status === 429 ? 'Too fast' : 'Not checked in';
            setResult('bad', t, '', e.message);
            tone('bad');
            break;
          }
          // No answer: the same nonce again, so that a check-in the server
          // did record is answered as it was, never counted twice.
          if (attempt < RETRIES) { await sleep(400 * (attempt + 1)); continue; }
          S.retryBody = body;
          setResult('bad', 'No connection', '', 'The check-in may not have been recorded. Try again when the network is back.');
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
    b.textContent = S.lastOk ? 'Undo check-in: ' + (S.lastOk.name || 'last ticket') : 'Undo last check-in';
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
      setResult('idle', 'Check-in undone', last.name, 'Ready for the next scan.');
    } catch (e) {
      if (e instanceof Confero.ApiError && e.status === 401) { lostAuth(); return; }
      $('undo').disabled = false;
      setResult('bad', 'Could not undo', last.name, e.message || String(e));
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
      s.onerror = () => reject(new Error('the QR decoder did not load'));
      document.head.append(s);
    });
    S.zxing.catch(() => { S.zxing = null; });
    return S.zxing;
  }

  async function startCamera() {
    const status = $('camera-status');
    if (S.stream) return;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      status.textContent = 'No camera access here (the page must be opened over https).';
      return;
    }
    $('camera-toggle').disabled = true;
    status.textContent = 'Starting the camera\u2026';
    try {
      const [stream] = await Promise.all([
        navigator.mediaDevices.getUserMedia({
          video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
          audio: false,
        }),
        loadZXing(),
      ]);
      if ($('view-scan').hidden) { stream.getTracks().forEach((t) => t.stop()); return; }
      S.stream = stream;
      const video = $('video');
      video.srcObject = stream;
      $('video-wrap').hidden = false;
      await video.play().catch(() => {});
      store.set(KEY.camera, 'on');
      $('camera-toggle').textContent = 'Stop camera';
      status.textContent = 'Hold the ticket\u2019s QR code in front of the camera.';
      scheduleFrame();
    } catch (e) {
      const denied = e && (e.name === 'NotAllowedError' || e.name === 'SecurityError');
      status.textContent = denied ? 'Camera access was refused. Allow it in the browser\u2019s site settings, or use the code field.'
        : e && e.name === 'NotFoundError' ? 'No camera found. Use a handheld scanner or the code field.'
          : 'The camera could not start: ' + (e && e.message ? e.message : e);
      store.del(KEY.camera);
    } finally {
      $('camera-toggle').disabled = false;
    }
  }

  function stopCamera(forget) {
    clearTimeout(S.frameTimer);
    S.frameTimer = null;
    if (S.stream) S.stream.getTracks().forEach((t) => t.stop());
    S.stream = null;
    const video = $('video');
    if (video) video.srcObject = null;
    if ($('video-wrap')) $('video-wrap').hidden = true;
    if ($('camera-toggle')) $('camera-toggle').textContent = 'Start camera';
    if (forget) {
      store.del(KEY.camera);
      $('camera-status').textContent = 'Camera off.';
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
      $('camera-status').textContent = 'Decoding failed: ' + (e && e.message ? e.message : e);
    }
    if (S.stream) scheduleFrame();
  }

  async function onCamera(text) {
    const code = normaliseCode(text);
    const now = Date.now();
    for (const [c, t] of S.recent) if (now - t > DEBOUNCE_MS) S.recent.delete(c);
    if (S.recent.has(code)) return;       // the same ticket still in view
    S.recent.set(code, now);
    await checkIn({ code });
  }

  // ---- look-up by name

  async function lookup() {
    const q = $('lookup-q').value.trim();
    const list = UI.clear($('lookup-results'));
    const status = $('lookup-status');
    if (q.length < 2) { status.textContent = q ? 'Type at least two letters.' : ''; return; }
    status.textContent = 'Searching\u2026';
    try {
      const r = await Confero.get('/api/v1/events/' + encodeURIComponent(S.event.slug) + '/attendees?q=' + encodeURIComponent(q));
      if ($('lookup-q').value.trim() !== q) return;
      const people = r.attendees || [];
      status.textContent = people.length ? `${people.length} found${people.length === 50 ? ' (first 50)' : ''}.` : 'Nobody found.';
      const tz = S.event.timezone;
      for (const p of people) {
        const facts = [p.organisation, p.ticket_type].filter(Boolean).join(' \u00b7 ');
        const state = p.status !== 'confirmed' ? (BAD[p.status === 'pending_approval' || p.status === 'pending_payment' ? 'pending' : p.status] || [p.status])[0]
          : p.checked_in_at ? 'Checked in at ' + UI.fmtTime(p.checked_in_at, tz) : '';
        const btn = UI.el('button', { type: 'button', class: 'small', text: 'Check in', 'aria-label': 'Check in ' + p.name });
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
      status.textContent = 'Search failed: ' + (e.message || e);
    }
  }

  // ---- start

  async function start() {
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
      message('Could not reach the server: ' + (e.message || e) + '. Reload to try again.', 'bad');
    }
  }

  start();
})();
