// Wall-clock times in an event's IANA time zone <-> RFC 3339 instants.
// A <input type=datetime-local> holds a time without a zone; the
// organiser means it in the event's zone (not the browser's), so the
// offset is worked out for that very moment: across a DST change the
// same event has +01:00 on one day and +02:00 on the next.  A time that
// does not exist (the hour skipped in spring) is refused; one that exists
// twice (the hour repeated in autumn) is taken at its first occurrence.
'use strict';

const TZ = (() => {
  const fmts = new Map();

  function dtf(tz) {
    let f = fmts.get(tz);
    if (!f) {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit',
        day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
      });
      fmts.set(tz, f);
    }
    return f;
  }

  // The zone's offset from UTC in minutes at the instant ms.
  function offset(ms, tz) {
    const p = {};
    for (const part of dtf(tz).formatToParts(new Date(ms))) p[part.type] = part.value;
    const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour % 24, +p.minute, +p.second);
    return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
  }

  function fmtOffset(min) {
    const sign = min < 0 ? '-' : '+';
    const a = Math.abs(min);
    return sign + String(Math.floor(a / 60)).padStart(2, '0') + ':' + String(a % 60).padStart(2, '0');
  }

  // 'YYYY-MM-DDTHH:MM' as the wall clock shows the instant iso in tz.
  function toLocalInput(iso, tz) {
    if (!iso) return '';
    const ms = Date.parse(iso);
    if (Number.isNaN(ms)) return '';
    return new Date(ms + offset(ms, tz) * 60000).toISOString().slice(0, 16);
  }

  // A datetime-local value meant in tz -> { iso } or { error }.
  function fromLocalInput(value, tz) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value || '');
    if (!m) return { error: 'invalid_datetime' };
    const naive = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
    const tried = new Set([offset(naive - 86400000, tz), offset(naive + 86400000, tz)]);
    let best = null;
    for (const o of tried) {
      const inst = naive - o * 60000;
      if (offset(inst, tz) === o && (best === null || inst < best.inst)) best = { inst, o };
    }
    if (best === null) return { error: 'nonexistent_time' };
    const local = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] || '00'}`;
    return { iso: local + fmtOffset(best.o), ms: best.inst };
  }

  function valid(tz) {
    try { dtf(tz); return true; } catch (e) { return false; }
  }

  function zones() {
    let list = [];
    try { list = Intl.supportedValuesOf('timeZone'); } catch (e) { list = []; }
    if (!list.includes('UTC')) list = ['UTC'].concat(list);
    return list;
  }

  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch (e) { return 'UTC'; }
  }

  return { offset, fmtOffset, toLocalInput, fromLocalInput, valid, zones, browserZone };
})();
