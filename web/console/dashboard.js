// Live dashboard: registration and check-in counts, per ticket type and
// per session, the arrivals curve (15-minute buckets) with Chart.js, and
// the latest scans at the doors, refused ones included.  Refreshes itself
// every few seconds while it is open.
'use strict';

(() => {
  const A = ConsoleApp;
  const REFRESH_MS = 3000;
  const RECENT_SCANS = 15;
  const RESULTS = {
    ok: 'Checked in', already_checked_in: 'Already checked in', invalid: 'Invalid code',
    cancelled: 'Cancelled', waitlisted: 'On the waiting list', pending: 'Pending',
    wrong_event: 'Another event', not_for_session: 'Not for this session',
  };

  A.route(/^\/events\/([^/]+)\/dashboard$/, async (m, [slug], _q, current) => {
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
    const canvas = UI.el('canvas', { id: 'arrivals-chart', role: 'img', 'aria-label': 'Arrivals per 15 minutes' });
    const chartWrap = UI.el('div', { class: 'chart-wrap' }, canvas);
    const arrivalsTable = UI.el('div');
    const scansBox = UI.el('div');
    const noArrivals = UI.el('p', { class: 'empty', text: 'No arrivals yet.' });

    A.onLeave(() => {
      alive = false;
      clearTimeout(timer);
      if (chart) chart.destroy();
    });

    function card(key, label, value, extra) {
      return UI.el('div', { class: 'stat card', 'data-stat': key },
        UI.el('p', { class: 'stat-label', text: label }),
        UI.el('p', { class: 'stat-value', text: String(value) }),
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
      for (let t = first; t <= last; t += 900000) {
        out.push({ from: new Date(t).toISOString(), count: byStart.get(t) || 0 });
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
      canvas.setAttribute('aria-label', `Arrivals per 15 minutes: ${sum} in total` +
        (arrivals.length ? `, from ${labels[0]} to ${labels[labels.length - 1]}` : ''));
      if (typeof Chart === 'undefined') return;
      if (!chart) {
        chart = new Chart(canvas, {
          data: {
            labels,
            datasets: [
              { type: 'bar', label: 'Arrivals per 15 minutes', data: counts, backgroundColor: '#0b5cad', yAxisID: 'y' },
              { type: 'line', label: 'Checked in so far', data: cumulative, borderColor: '#146c2e', backgroundColor: '#146c2e', yAxisID: 'y1', tension: 0.2, pointRadius: 2 },
            ],
          },
          options: {
            animation: false,
            responsive: true,
            maintainAspectRatio: false,
            scales: {
              y: { beginAtZero: true, title: { display: true, text: 'per 15 min' }, ticks: { precision: 0 } },
              y1: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'total' }, ticks: { precision: 0 } },
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
        UI.el('summary', { text: 'Arrivals as a table' }),
        A.table(['From', 'Arrivals', 'Total'], arrivals.map((b, i) => [labels[i], String(b.count), String(cumulative[i])]),
          { caption: 'Arrivals per 15 minutes' })) : null);
    }

    function drawScans(scans, sessions) {
      const titles = new Map((sessions || []).map((x) => [x.session_id, x.title]));
      const rows = scans.slice(0, RECENT_SCANS).map((x) => [
        UI.fmtTime(x.at, zone),
        (RESULTS[x.result] || x.result) + (x.undone ? ' (undone)' : ''),
        x.name || '\u2014',
        [x.session_id ? titles.get(x.session_id) || 'Session ' + x.session_id : 'Entrance', x.gate]
          .filter(Boolean).join(' \u00b7 '),
      ]);
      A.put(scansBox, rows.length
        ? A.table(['Time', 'Result', 'Attendee', 'Where'], rows, { caption: 'Latest scans', class: 'scan-log' })
        : UI.el('p', { class: 'empty', text: 'No scans yet.' }));
    }

    function draw(s, scans) {
      const cap = s.capacity === null || s.capacity === undefined ? null : s.capacity;
      const pct = s.confirmed ? Math.round((100 * s.checked_in) / s.confirmed) : 0;
      A.put(cards,
        card('registered', 'Registered', s.registered, cap === null ? 'no capacity limit' : `capacity ${cap}`),
        card('checked_in', 'Checked in', s.checked_in, `${pct}% of ${s.confirmed} confirmed`),
        card('waitlisted', 'Waiting list', s.waitlisted),
        card('pending', 'Pending', s.pending, `${s.pending_approval || 0} approval, ${s.pending_payment || 0} payment`),
        card('cancelled', 'Cancelled', (s.cancelled || 0) + (s.rejected || 0)));
      A.put(typesBox, (s.by_ticket_type || []).length
        ? A.table(['Ticket type', 'Sold', 'Quota', 'Confirmed', 'Waiting', 'Checked in'],
          s.by_ticket_type.map((t) => [t.name, String(t.sold), t.quota === null ? 'No limit' : String(t.quota),
            String(t.confirmed), String(t.waitlisted), String(t.checked_in)]), { caption: 'By ticket type', class: 'types-stats' })
        : UI.el('p', { class: 'empty', text: 'No ticket types.' }));
      A.put(sessionsBox, (s.by_session || []).length
        ? A.table(['Session', 'Signed up', 'Capacity', 'Attended'],
          s.by_session.map((x) => [x.title, String(x.signed_up), x.capacity === null ? 'No limit' : String(x.capacity),
            String(x.checked_in)]), { caption: 'Attendance per session', class: 'session-stats' })
        : UI.el('p', { class: 'empty', text: 'No sessions.' }));
      drawChart(s.arrivals || []);
      drawScans(scans.scans || [], s.by_session);
      updated.textContent = 'Updated ' + new Intl.DateTimeFormat(undefined, { timeStyle: 'medium', hour12: false }).format(new Date()) +
        ' \u00b7 refreshes every ' + REFRESH_MS / 1000 + ' s';
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
      A.eventHeader(ev, 'dashboard', 'Dashboard: ' + ev.name),
      errBox,
      cards,
      updated,
      A.section('Arrivals', chartWrap, noArrivals, arrivalsTable),
      A.section('Sessions', sessionsBox),
      A.section('Ticket types', typesBox),
      A.section('Latest scans', scansBox));
    const [first, firstScans] = await Promise.all([Confero.get(base + '/stats'), Confero.get(base + '/scans')]);
    if (!current()) return;
    draw(first, firstScans);
    timer = setTimeout(tick, REFRESH_MS);
  });
})();
