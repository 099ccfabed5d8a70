// Helpers shared by the public pages (home, event, ticket page): date
// ranges in the event's time zone, countries, status words, error
// messages for the API's reason codes.  Loaded after api.js.
'use strict';

const Pub = (() => {
  // ISO 3166-1 alpha-2, the list the server accepts (src/api_registrations.c).
  const COUNTRY_CODES = (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL ' +
    'BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV ' +
    'CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD ' +
    'GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM ' +
    'IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK ' +
    'LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW ' +
    'MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR ' +
    'PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ' +
    'ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY ' +
    'UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK').split(' ');

  let countryCache = null;
  // [{code, name}] sorted by name in the page's language.
  function countries() {
    if (countryCache) return countryCache;
    let dn = null;
    try { dn = new Intl.DisplayNames([document.documentElement.lang || 'en'], { type: 'region' }); } catch (e) { dn = null; }
    countryCache = COUNTRY_CODES.map((code) => {
      let name = code;
      try { name = (dn && dn.of(code)) || code; } catch (e) { name = code; }
      return { code, name };
    }).sort((a, b) => a.name.localeCompare(b.name));
    return countryCache;
  }

  function countryName(code) {
    const c = countries().find((x) => x.code === code);
    return c ? c.name : code;
  }

  // "Friday, 14 May 2027, 09:00–18:00" or "14 May 2027, 09:00 – 15 May 2027, 18:00".
  function dateRange(startIso, endIso, tz) {
    if (!startIso) return '';
    const start = UI.fmtDate(startIso, tz, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
    if (!endIso) return start + ', ' + UI.fmtTime(startIso, tz);
    if (UI.dayKey(startIso, tz) === UI.dayKey(endIso, tz)) {
      return start + ', ' + UI.fmtTime(startIso, tz) + '–' + UI.fmtTime(endIso, tz);
    }
    const end = UI.fmtDate(endIso, tz, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
    return start + ', ' + UI.fmtTime(startIso, tz) + ' – ' + end + ', ' + UI.fmtTime(endIso, tz);
  }

  function timeRange(startIso, endIso, tz) {
    return UI.fmtTime(startIso, tz) + '–' + UI.fmtTime(endIso, tz);
  }

  // A note naming the time zone the times are shown in.
  function tzNote(tz) {
    return 'Times are local to the event (' + tz.replace(/_/g, ' ') + ').';
  }

  // Registration window of an event, as the server decides it.
  function registrationState(ev, now = Date.now()) {
    if (ev.status !== 'published') return { open: false, why: 'Registration for this event is closed.' };
    if (ev.registration_opens_at && now < Date.parse(ev.registration_opens_at)) {
      return { open: false, why: 'Registration opens on ' + UI.fmtDateTime(ev.registration_opens_at, ev.timezone) + '.' };
    }
    const closes = ev.registration_closes_at || ev.ends_at;
    if (closes && now >= Date.parse(closes)) return { open: false, why: 'Registration for this event is closed.' };
    return { open: true };
  }

  // Status of a registration, in words: a short title, what it means,
  // and the notice class.
  function statusWords(status) {
    switch (status) {
      case 'confirmed':
        return { title: 'Confirmed', cls: 'ok',
          text: 'Your place is confirmed. Show the QR code at the entrance, on your phone or printed.' };
      case 'waitlisted':
        return { title: 'On the waiting list', cls: 'warn',
          text: 'The event is full at the moment and you are on the waiting list. When a place becomes free, the first person on the list gets it automatically and we send the ticket by email.' };
      case 'pending_approval':
        return { title: 'Waiting for approval', cls: 'warn',
          text: 'The organiser reviews registrations for this ticket type. You will get an email when your registration is approved or declined; the ticket comes with the approval.' };
      case 'pending_payment':
        return { title: 'Waiting for payment', cls: 'warn',
          text: 'Your place is reserved. The organiser will send you payment details; your ticket is issued by email as soon as the payment is recorded.' };
      case 'cancelled':
        return { title: 'Cancelled', cls: 'bad',
          text: 'This registration is cancelled. Its ticket no longer admits anyone.' };
      case 'rejected':
        return { title: 'Declined', cls: 'bad',
          text: 'The organiser has declined this registration. Please contact them if you think this is a mistake.' };
      default:
        return { title: status, cls: 'warn', text: '' };
    }
  }

  // Human words for the API's per-field reason codes.
  function reason(code, what) {
    const w = what || 'This field';
    switch (code) {
      case 'required': return w + ' is required.';
      case 'invalid': return w + ' is not valid.';
      case 'invalid_characters': return w + ' contains characters that are not allowed.';
      case 'too_long': return w + ' is too long.';
      case 'not_an_option': return 'Choose one of the options given.';
      case 'unknown_country': return 'Choose a country from the list.';
      case 'not_a_boolean': return w + ' must be ticked or left empty.';
      case 'session_full': return 'A session you chose is full.';
      case 'not_included': return 'A session you chose is not included in your ticket type.';
      case 'unknown_session': return 'A session you chose no longer exists.';
      case 'not_found': return w + ' no longer exists. Please choose again.';
      case 'not_on_sale': return 'This ticket type is not on sale at the moment.';
      case 'unknown_question': return 'The questions of this event have changed. Please reload the page.';
      case 'unknown_field': return 'The form is out of date. Please reload the page.';
      default: return w + ': ' + code + '.';
    }
  }

  // Same-origin path of an absolute URL the API returns (its base URL may
  // be the public name of this very server).
  function localPath(url) {
    try {
      const u = new URL(url, location.href);
      return u.pathname + u.search;
    } catch (e) {
      return url;
    }
  }

  // Text with paragraphs: blank lines separate paragraphs, single line
  // breaks are kept by CSS (white-space: pre-line).
  function paragraphs(text, cls) {
    return String(text || '').split(/\n\s*\n/).filter((p) => p.trim())
      .map((p) => UI.el('p', { class: cls || 'prose', text: p.trim() }));
  }

  // The message of an error that is not a per-field one.
  function generalError(e) {
    if (!(e instanceof Confero.ApiError)) return 'The server could not be reached. Check your connection and try again.';
    if (e.status === 429) return 'Too many attempts. Please wait a minute and try again.';
    if (e.status >= 500) return 'Something went wrong on our side. Please try again in a moment.';
    return e.message || ('Error ' + e.status);
  }

  return { countries, countryName, dateRange, timeRange, tzNote, registrationState,
    statusWords, reason, localPath, paragraphs, generalError };
})();
