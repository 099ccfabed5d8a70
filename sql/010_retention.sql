-- Retention and erasure (issue 17).  An anonymised registration keeps its
-- place in every count (status, ticket type, check-ins, sessions, meetings
-- held) and loses everything that names the person: name, email,
-- organisation, answers, the sealed manage secret, ticket codes, the scan
-- answers shown at the door, the matchmaking profile's texts and
-- opportunities, meeting messages and notes, and the addresses of its mails.
-- Its manage link then answers 410 gone (the hash of the secret stays, so
-- the link can be told apart from one that never existed).
ALTER TABLE registrations
  ADD COLUMN anonymised_at DATETIME NULL,
  ADD KEY ix_registrations_anonymised (anonymised_at, event_id);
-- Days after the event ends until its registrations are anonymised; an
-- instance-wide maximum is CONFERO_RETENTION_MAX_DAYS.
ALTER TABLE events
  ADD COLUMN retention_days INT UNSIGNED NOT NULL DEFAULT 180;
