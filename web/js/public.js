// Helpers shared by the public pages (home, event, ticket page, privacy
// notice): the language switcher in the header, date ranges in the page's
// language and the event's time zone, countries, status words, whole-
// sentence error messages for the API's reason codes.  Loaded after
// i18n.js and api.js.  Every word goes through the catalogs (t(), tn(),
// tc()); the tables of words are functions, as the catalog is loaded
// after the scripts run.
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

  // ------------------------------------------------------------------
  // The page's language

  // "?lang=xx" when the page's address names a language (passed on to the
  // API, which negotiates organisers' texts the same way), else "".
  function langQuery() {
    const q = new URLSearchParams(location.search).get('lang');
    return q ? '?lang=' + encodeURIComponent(q) : '';
  }

  // The language switcher in the header's #lang-slot: codes (an event's
  // languages, or every language when none); onChoose as I18N.switcher's.
  function mountSwitcher(codes, onChoose) {
    const slot = document.getElementById('lang-slot');
    if (!slot) return null;
    const sw = I18N.switcher(codes, onChoose);
    UI.clear(slot);
    if (sw.childNodes.length) slot.append(sw);   // one language: none
    return sw;
  }

  // Mark an element whose text is an organiser's (an event name, a
  // description) with the language the server gave it in, when that is
  // not the page's.
  function contentLang(el, code) {
    if (el && code && code !== I18N.lang) el.lang = code;
    return el;
  }

  // ------------------------------------------------------------------
  // Countries

  let countryCache = null;
  let countryLang = null;
  // [{code, name}] sorted by name in the page's language and its order.
  function countries() {
    if (countryCache && countryLang === I18N.lang) return countryCache;
    let dn = null;
    try { dn = new Intl.DisplayNames([I18N.lang], { type: 'region' }); } catch (e) { dn = null; }
    const coll = I18N.collator();
    countryCache = COUNTRY_CODES.map((code) => {
      let name = code;
      try { name = (dn && dn.of(code)) || code; } catch (e) { name = code; }
      return { code, name };
    }).sort((a, b) => coll.compare(a.name, b.name));
    countryLang = I18N.lang;
    return countryCache;
  }

  function countryName(code) {
    const c = countries().find((x) => x.code === code);
    return c ? c.name : code;
  }

  // ------------------------------------------------------------------
  // Dates and lists, by Intl in the page's language

  const DAY = { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' };
  const HM = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };

  // "Friday, May 14, 2027, 09:00 – 18:00", "petek, 14. maj 2027, 9:00–18:00",
  // or from one day to another: as Intl writes ranges in the language.
  function dateRange(startIso, endIso, tz) {
    if (!startIso) return '';
    const f = new Intl.DateTimeFormat(I18N.lang, { timeZone: tz, ...DAY, ...HM });
    if (!endIso) return f.format(new Date(startIso));
    try {
      return f.formatRange(new Date(startIso), new Date(endIso));
    } catch (e) {
      return f.format(new Date(startIso)) + ' – ' + f.format(new Date(endIso));
    }
  }

  // "09:00–10:00" in the page's language.
  function timeRange(startIso, endIso, tz) {
    const f = new Intl.DateTimeFormat(I18N.lang, { timeZone: tz, ...HM });
    try {
      return f.formatRange(new Date(startIso), new Date(endIso));
    } catch (e) {
      return f.format(new Date(startIso)) + '–' + f.format(new Date(endIso));
    }
  }

  // A session's day and times: "Fri, May 14, 09:00 – 10:00".
  function sessionWhen(startIso, endIso, tz) {
    const f = new Intl.DateTimeFormat(I18N.lang, { timeZone: tz, weekday: 'short', day: 'numeric', month: 'short', ...HM });
    try {
      return f.formatRange(new Date(startIso), new Date(endIso));
    } catch (e) {
      return f.format(new Date(startIso)) + '–' + UI.fmtTime(endIso, tz);
    }
  }

  // The day heading of a programme: "Friday, May 14, 2027".
  function longDay(iso, tz) {
    return I18N.date(iso, tz, DAY);
  }

  // "A, B and C" in the page's language.
  function list(items) {
    try {
      return new Intl.ListFormat(I18N.lang, { type: 'conjunction' }).format(items);
    } catch (e) {
      return items.join(', ');
    }
  }

  // A note naming the time zone the times are shown in.
  function tzNote(tz) {
    return t('Times are local to the event ({zone}).', { zone: tz.replace(/_/g, ' ') });
  }

  // ------------------------------------------------------------------
  // Registration and its status

  // Registration window of an event, as the server decides it.
  function registrationState(ev, now = Date.now()) {
    if (ev.status !== 'published') return { open: false, why: t('Registration for this event is closed.') };
    if (ev.registration_opens_at && now < Date.parse(ev.registration_opens_at)) {
      return { open: false, why: t('Registration opens on {date}.', { date: UI.fmtDateTime(ev.registration_opens_at, ev.timezone) }) };
    }
    const closes = ev.registration_closes_at || ev.ends_at;
    if (closes && now >= Date.parse(closes)) return { open: false, why: t('Registration for this event is closed.') };
    return { open: true };
  }

  // Status of a registration, in words: a short title, what it means,
  // and the notice class.
  function statusWords(status) {
    switch (status) {
      case 'confirmed':
        return { title: tc('registration status', 'Confirmed'), cls: 'ok',
          text: t('Your place is confirmed. Show the QR code at the entrance, on your phone or printed.') };
      case 'waitlisted':
        return { title: tc('registration status', 'On the waiting list'), cls: 'warn',
          text: t('The event is full at the moment and you are on the waiting list. When a place becomes free, the first person on the list gets it automatically and we send the ticket by email.') };
      case 'pending_approval':
        return { title: tc('registration status', 'Waiting for approval'), cls: 'warn',
          text: t('The organiser reviews registrations for this ticket type. You will get an email when your registration is approved or declined; the ticket comes with the approval.') };
      case 'pending_payment':
        return { title: tc('registration status', 'Waiting for payment'), cls: 'warn',
          text: t('Your place is reserved. The organiser will send you payment details; your ticket is issued by email as soon as the payment is recorded.') };
      case 'cancelled':
        return { title: tc('registration status', 'Cancelled'), cls: 'bad',
          text: t('This registration is cancelled. Its ticket no longer admits anyone.') };
      case 'rejected':
        return { title: tc('registration status', 'Declined'), cls: 'bad',
          text: t('The organiser has declined this registration. Please contact them if you think this is a mistake.') };
      default:
        return { title: status, cls: 'warn', text: '' };
    }
  }

  // ------------------------------------------------------------------
  // Errors, in whole sentences

  // The message for a field's error.  field: name, email, organisation,
  // ticket_type, sessions, consent or answer (then vars.question is the
  // question's label and vars.kind its kind); code: the server's
  // per-field code (required, too_long, not_an_option, …), which the
  // page's own checks use too.
  function fieldError(field, code, vars = {}) {
    const question = vars.question;
    switch (field) {
      case 'name':
        if (code === 'required') return t('Enter your full name.');
        if (code === 'invalid_characters') return t('Your full name contains characters that are not allowed.');
        if (code === 'too_long') return tn('Your full name is too long (at most {n} character).', 'Your full name is too long (at most {n} characters).', 200);
        break;
      case 'email':
        if (code === 'required') return t('Enter your email address.');
        if (code === 'invalid' || code === 'invalid_characters') return t('Enter an email address in the form name@example.org.');
        if (code === 'too_long') return t('The email address is too long.');
        break;
      case 'organisation':
        if (code === 'invalid_characters') return t('The organisation contains characters that are not allowed.');
        if (code === 'too_long') return tn('The organisation is too long (at most {n} character).', 'The organisation is too long (at most {n} characters).', 200);
        break;
      case 'ticket_type':
        if (code === 'required' || code === 'invalid') return t('Choose a ticket type.');
        if (code === 'not_found') return t('This ticket type no longer exists. Please choose again.');
        if (code === 'not_on_sale') return t('This ticket type is not on sale at the moment.');
        break;
      case 'sessions':
        if (code === 'session_full') return t('A session you chose has just become full. Please choose again.');
        if (code === 'not_included') return t('A session you chose is not included in your ticket type.');
        if (code === 'unknown_session') return t('A session you chose no longer exists. Please reload the page.');
        if (code === 'invalid') return t('Your choice of sessions is not valid. Please choose again.');
        break;
      case 'consent':
        return t('Tick the box to agree to the privacy notice; we cannot register you without it.');
      case 'answer':
        if (code === 'required') {
          if (vars.kind === 'choice') return t('Choose an answer to “{question}”.', { question });
          if (vars.kind === 'multichoice') return t('Choose at least one answer to “{question}”.', { question });
          if (vars.kind === 'checkbox') return t('Tick “{question}” to continue.', { question });
          if (vars.kind === 'country') return t('Choose a country for “{question}”.', { question });
          return t('Answer “{question}”.', { question });
        }
        if (code === 'too_long') return t('The answer to “{question}” is too long.', { question });
        if (code === 'invalid_characters') return t('The answer to “{question}” contains characters that are not allowed.', { question });
        if (code === 'not_an_option') return t('Choose one of the options given for “{question}”.', { question });
        if (code === 'unknown_country') return t('Choose a country from the list for “{question}”.', { question });
        if (code === 'not_a_boolean') return t('“{question}” must be ticked or left empty.', { question });
        if (code === 'invalid') return t('The answer to “{question}” is not valid.', { question });
        break;
      default:
        break;
    }
    if (code === 'unknown_question') return t('The questions of this event have changed. Please reload the page.');
    if (code === 'unknown_field') return t('The form is out of date. Please reload the page.');
    if (code === 'required') return t('This field is required.');
    if (code === 'too_long') return t('This field is too long.');
    if (code === 'invalid_characters') return t('This field contains characters that are not allowed.');
    // TRANSLATORS: {code} is the server's reason, a word such as not_an_event_language.
    return t('This field is not valid ({code}).', { code });
  }

  // The message of an error that is not a per-field one.
  function generalError(e) {
    if (!(e instanceof Confero.ApiError)) return t('The server could not be reached. Check your connection and try again.');
    if (e.status === 429) return t('Too many attempts. Please wait a minute and try again.');
    if (e.status >= 500) return t('Something went wrong on our side. Please try again in a moment.');
    // The server's own message is in the language it negotiated.
    return e.message || t('Error {status}', { status: e.status });
  }

  // ------------------------------------------------------------------
  // Text into the page

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

  const rich = UI.rich;

  return { langQuery, mountSwitcher, contentLang, countries, countryName, dateRange, timeRange,
    sessionWhen, longDay, list, tzNote, registrationState, statusWords, fieldError, generalError,
    localPath, paragraphs, rich };
})();
