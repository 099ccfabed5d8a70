// Matchmaking's codes in words, shared by the participants' meetings page
// (web/meet.html) and the organiser console: organisation types, meeting
// statuses, outcomes, the kinds of opportunity and the scheduler's reasons.
// The contexts and English are the server's (src/match_export.c), so one
// translation serves the exports, the mails and the pages.  Functions, as
// the catalog is loaded after the scripts run.  Loaded after i18n.js.
'use strict';

const MatchWords = (() => {
  function orgTypes() {
    return {
      hospital: tc('organisation type', 'Hospital'),
      clinic: tc('organisation type', 'Clinic'),
      insurer: tc('organisation type', 'Insurer'),
      patient_org: tc('organisation type', 'Patients\' organisation'),
      public_body: tc('organisation type', 'Public body'),
      sme: tc('organisation type', 'SME'),
      startup: tc('organisation type', 'Start-up'),
      large_company: tc('organisation type', 'Large company'),
      university: tc('organisation type', 'University'),
      research: tc('organisation type', 'Research institute'),
      investor: tc('organisation type', 'Investor'),
      cluster: tc('organisation type', 'Cluster or hub'),
      other: tc('organisation type', 'Other'),
    };
  }

  // An organiser's own type ("living_lab") reads as "Living lab".
  function orgType(code) {
    if (!code) return '';
    return orgTypes()[code] || (code.charAt(0).toUpperCase() + code.slice(1).replace(/_/g, ' '));
  }

  const OUTCOMES = ['no_interest', 'follow_up', 'cooperation_likely', 'agreement_signed'];
  function outcome(code) {
    return {
      no_interest: tc('meeting outcome', 'No further interest'),
      follow_up: tc('meeting outcome', 'Follow-up planned'),
      cooperation_likely: tc('meeting outcome', 'Cooperation likely'),
      agreement_signed: tc('meeting outcome', 'Agreement signed'),
    }[code] || code || '';
  }

  const STATUSES = ['requested', 'accepted', 'scheduled', 'held', 'declined', 'cancelled', 'expired'];
  // A meeting's status as a badge's word and class.
  function status(code, noShow) {
    if (noShow) return { text: tc('meeting status', 'No-show'), cls: 'bad' };
    return {
      requested: { text: tc('meeting status', 'Requested'), cls: 'warn' },
      accepted: { text: tc('meeting status', 'Agreed, no time yet'), cls: 'warn' },
      scheduled: { text: tc('meeting status', 'Scheduled'), cls: 'ok' },
      held: { text: tc('meeting status', 'Held'), cls: 'ok' },
      declined: { text: tc('meeting status', 'Declined'), cls: 'muted' },
      cancelled: { text: tc('meeting status', 'Cancelled'), cls: 'muted' },
      expired: { text: tc('meeting status', 'Expired'), cls: 'muted' },
    }[code] || { text: code, cls: '' };
  }

  const KINDS = ['offer', 'request', 'partnership'];
  function kind(code) {
    return {
      offer: tc('opportunity kind', 'Offer'),
      request: tc('opportunity kind', 'Request'),
      partnership: tc('opportunity kind', 'Partnership'),
    }[code] || code || '';
  }

  function unplacedReason(code) {
    return {
      no_common_slot: t('No slot suits both participants.'),
      person_busy: t('A participant is busy in every free slot.'),
      tables_full: t('All tables are taken in the slots that suit them.'),
    }[code] || code;
  }

  // "Table 12" (the server's words in its agenda and mails).
  function table(label) {
    return tc('meeting place', 'Table {table}', { table: label });
  }

  return { orgTypes, orgType, OUTCOMES, outcome, STATUSES, status, KINDS, kind, unplacedReason, table };
})();
