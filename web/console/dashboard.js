// Live dashboard: registration and check-in counts, per ticket type and
// per session, the arrivals curve (15-minute buckets) with Chart.js, and
// the latest scans at the doors, refused ones included.  Refreshes itself
// every few seconds while it is open.
'use strict';

(() => {
  const A = ConsoleApp;
  const REFRESH_MS = 3000;
  const RECENT_SCANS = 15;
  // A scan's result (the API's code) in words; a function, as the catalog
  // is loaded after this script runs.
  function resultLabel(code) {
    return {
      ok: tc('scan result', 'Checked in'), already_checked_in: tc('scan result', 'Already checked in'),
      invalid: tc('scan result', 'Invalid code'), cancelled: tc('scan result', 'Cancelled'),
      waitlisted: tc('scan result', 'On the waiting list'), pending: tc('scan result', 'Pending'),
      wrong_event: tc('scan result', 'Another event'), not_for_session: tc('scan result', 'Not for this session'),
    }[code] || code;
  }
  const num = (n) => I18N.number(n);

  A.route(/^\/events\/([^\/]+)\/dashboard$/, async (m, [slug], _q, current) => {
    const base = '/api/v1/events/' + encodeURIComponent(slug);
    const ev = await A.loadEvent(slug);
    if (!current()) return;
    const zone = ev.timezone;
    let timer = null;
    let alive = true;
    let chart = null;

    const cards = UI.el('div', { class: 'stat-cards' });
    const updated = UI.el('p', { class: 'muted updated' });
    const errBox = UI.el('div', { 'aria-live': 'polite' });
    const typesBox = UI.el('div');
    const sessionsBox = UI.el('div');
    const canvas = UI.el('canvas', { id: 'arrivals-chart', role: 'img', 'aria-label': t('Arrivals per 15 minutes') });
    const chartWrap = UI.el('div', { class: 'chart-wrap' }, canvas);
    const arrivalsTable = UI.el('div');
    const scansBox = UI.el('div');
    const noArrivals = UI.el('p', { class: 'empty', text: t('No arrivals yet.') });
    const mmBox = UI.el('div');
    const mmSection = A.section('matchmaking', t('Matchmaking'), mmBox);
    mmSection.hidden = true;

    A.onLeave(() => {
      alive = false;
      clearTimeout(timer);
      if (chart) chart.destroy();
    });

    function card(key, label, value, extra) {
      return UI.el('div', { class: 'stat card', 'data-stat': key },
        UI.el('p', { class: 'stat-label', text: label }),
        UI.el('p', { class: 'stat-value', text: num(value) }),
        extra ? UI.el('p', { class: 'stat-extra muted', text: extra }) : null);
    }

    // The API lists the buckets that had arrivals; the curve needs the
    // quiet quarter-hours in between too.
    function fillGaps(buckets) {
      const sorted = buckets.slice().sort((a, b) => Date.parse(a.from) - Date.parse(b.from));
      if (sorted.length < 2) return sorted;
      const byStart = new Map(sorted.map((b) => [Date.parse(b.from), b.count]));
      const first = Date.parse(sorted[0].from);
      const last = Date.parse(sorted[sorted.length - 1].from);
      if ((last - first) / 900000 > 2000) return sorted;      // weeks apart: keep it readable
      const out = [];
      for (let ms = first; ms <= last; ms += 900000) {
        out.push({ from: new Date(ms).toISOString(), count: byStart.get(ms) || 0 });
      }
      return out;
    }

    function drawChart(raw) {
      const arrivals = fillGaps(raw);
      const multiDay = arrivals.length > 1 &&
        UI.dayKey(arrivals[0].from, zone) !== UI.dayKey(arrivals[arrivals.length - 1].from, zone);
      const labels = arrivals.map((b) => (multiDay ? UI.fmtDate(b.from, zone, { month: 'short', day: 'numeric' }) + ' ' : '') + UI.fmtTime(b.from, zone));
      const counts = arrivals.map((b) => b.count);
      let sum = 0;
      const cumulative = counts.map((c) => (sum += c));
      chartWrap.hidden = !arrivals.length;
      noArrivals.hidden = !!arrivals.length;
      canvas.setAttribute('aria-label', arrivals.length
        ? tn('Arrivals per 15 minutes: {n} in total, from {from} to {to}', 'Arrivals per 15 minutes: {n} in total, from {from} to {to}',
          sum, { from: labels[0], to: labels[labels.length - 1] })
        : tn('Arrivals per 15 minutes: {n} in total', 'Arrivals per 15 minutes: {n} in total', sum));
      if (typeof Chart === 'undefined') return;
      if (!chart) {
        chart = new Chart(canvas, {
          data: {
            labels,
            datasets: [
              { type: 'bar', label: t('Arrivals per 15 minutes'), data: counts, backgroundColor: '#0b5cad', yAxisID: 'y' },
              { type: 'line', label: t('Checked in so far'), data: cumulative, borderColor: '#146c2e', backgroundColor: '#146c2e', yAxisID: 'y1', tension: 0.2, pointRadius: 2 },
            ],
          },
          options: {
            animation: false,
            responsive: true,
            maintainAspectRatio: false,
            locale: I18N.lang,             // the axes' numbers
            scales: {
              // TRANSLATORS: the chart's left axis: arrivals per 15 minutes.
              y: { beginAtZero: true, title: { display: true, text: t('per 15 min') }, ticks: { precision: 0 } },
              // TRANSLATORS: the chart's right axis: everyone checked in so far.
              y1: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: tc('chart axis', 'total') }, ticks: { precision: 0 } },
            },
            plugins: { legend: { position: 'bottom' } },
          },
        });
      } else {
        chart.data.labels = labels;
        chart.data.datasets[0].data = counts;
        chart.data.datasets[1].data = cumulative;
        chart.update('none');
      }
      A.put(arrivalsTable, arrivals.length ? UI.el('details', {},
        UI.el('summary', { text: t('Arrivals as a table') }),
        A.table([t('From'), t('Arrivals'), t('Total')], arrivals.map((b, i) => [labels[i], num(b.count), num(cumulative[i])]),
          { caption: t('Arrivals per 15 minutes') })) : null);
    }

    function drawScans(scans, sessions) {
      const titles = new Map((sessions || []).map((x) => [x.session_id, x.title]));
      const rows = scans.slice(0, RECENT_SCANS).map((x) => [
        UI.fmtTime(x.at, zone),
        x.undone ? t('{result} (undone)', { result: resultLabel(x.result) }) : resultLabel(x.result),
        x.name || '\u2014',
        [x.session_id ? titles.get(x.session_id) || t('Session {id}', { id: x.session_id }) : t('Entrance'), x.gate]
          .filter(Boolean).join(' \u00b7 '),
      ]);
      A.put(scansBox, rows.length
        ? A.table([t('Time'), t('Result'), t('Attendee'), t('Where')], rows, { caption: t('Latest scans'), class: 'scan-log' })
        : UI.el('p', { class: 'empty', text: t('No scans yet.') }));
    }

    function draw(s, scans) {
      const cap = s.capacity === null || s.capacity === undefined ? null : s.capacity;
      const pct = s.confirmed ? Math.round((100 * s.checked_in) / s.confirmed) : 0;
      A.put(cards,
        card('registered', t('Registered'), s.registered, cap === null ? t('no capacity limit') : t('capacity {n}', { n: num(cap) })),
        card('checked_in', t('Checked in'), s.checked_in,
          tn('{percent} of {n} confirmed', '{percent} of {n} confirmed', s.confirmed,
            { percent: I18N.number(pct / 100, { style: 'percent' }) })),
        card('waitlisted', t('Waiting list'), s.waitlisted),
        card('pending', t('Pending'), s.pending, t('{approval} approval, {payment} payment',
          { approval: num(s.pending_approval || 0), payment: num(s.pending_payment || 0) })),
        card('cancelled', t('Cancelled'), (s.cancelled || 0) + (s.rejected || 0)));
      A.put(typesBox, (s.by_ticket_type || []).length
        ? A.table([t('Ticket type'), t('Sold'), t('Quota'), t('Confirmed'), t('Waiting'), t('Checked in')],
          s.by_ticket_type.map((tt) => [tt.name, num(tt.sold), tt.quota === null ? t('No limit') : num(tt.quota),
            num(tt.confirmed), num(tt.waitlisted), num(tt.checked_in)]), { caption: t('By ticket type'), class: 'types-stats' })
        : UI.el('p', { class: 'empty', text: t('No ticket types.') }));
      A.put(sessionsBox, (s.by_session || []).length
        ? A.table([t('Session'), t('Signed up'), t('Capacity'), t('Attended')],
          s.by_session.map((x) => [x.title, num(x.signed_up), x.capacity === null ? t('No limit') : num(x.capacity),
            num(x.checked_in)]), { caption: t('Attendance per session'), class: 'session-stats' })
        : UI.el('p', { class: 'empty', text: t('No sessions.') }));
      drawChart(s.arrivals || []);
      // Only for an event with matchmaking (the stats have it then).
      mmSection.hidden = !s.matchmaking;
      if (s.matchmaking && typeof MatchConsole !== 'undefined') A.put(mmBox, MatchConsole.statsBlock(s.matchmaking));
      drawScans(scans.scans || [], s.by_session);
      // In the event's zone, like every other time on the dashboard.
      updated.textContent = tn('Updated {time} \u00b7 refreshes every {n} s', 'Updated {time} \u00b7 refreshes every {n} s', REFRESH_MS / 1000,
        { time: new Intl.DateTimeFormat(I18N.lang, { timeZone: zone, timeStyle: 'medium', hour12: false }).format(new Date()) });
    }

    async function tick() {
      if (!alive) return;
      if (document.hidden) { timer = setTimeout(tick, REFRESH_MS); return; }   // a background tab
      try {
        const [s, scans] = await Promise.all([Confero.get(base + '/stats'), Confero.get(base + '/scans')]);
        if (!alive) return;
        UI.clear(errBox);
        draw(s, scans);
      } catch (e) {
        if (!alive) return;
        if (e instanceof Confero.ApiError && e.status === 401) { A.signedOut(); return; }
        A.put(errBox, A.errorNotice(e));
      }
      timer = setTimeout(tick, REFRESH_MS);
    }

    A.put(m,
      A.eventHeader(ev, 'dashboard', t('Dashboard: {event}', { event: ev.name })),
      errBox,
      cards,
      updated,
      A.section('arrivals', t('Arrivals'), chartWrap, noArrivals, arrivalsTable),
      A.section('sessions', t('Sessions'), sessionsBox),
      A.section('ticket-types', t('Ticket types'), typesBox),
      mmSection,
      A.section('latest-scans', t('Latest scans'), scansBox));
    const [first, firstScans] = await Promise.all([Confero.get(base + '/stats'), Confero.get(base + '/scans')]);
    if (!current()) return;
    draw(first, firstScans);
    timer = setTimeout(tick, REFRESH_MS);
  });
})();
