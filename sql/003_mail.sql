-- The durable outbox and organiser mailings.  A message is a row written in
-- the same transaction as the change that causes it; senders claim due rows
-- with SELECT … FOR UPDATE SKIP LOCKED and hold a lease while sending, so
-- several instances share one outbox and a crashed sender's rows come back.

CREATE TABLE mailings (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id     BIGINT UNSIGNED NOT NULL,
  audience     VARCHAR(64) CHARACTER SET ascii NOT NULL,
  subject      VARCHAR(300) NOT NULL,
  body         TEXT NOT NULL,
  total        INT UNSIGNED NOT NULL DEFAULT 0,
  created_by   BIGINT UNSIGNED NULL,
  created_at   DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  KEY ix_mailings_event (event_id, id),
  CONSTRAINT fk_mailings_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE outbox (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id         BIGINT UNSIGNED NULL,
  registration_id  BIGINT UNSIGNED NULL,
  speaker_id       BIGINT UNSIGNED NULL,
  mailing_id       BIGINT UNSIGNED NULL,
  kind             VARCHAR(32) CHARACTER SET ascii NOT NULL,
  to_addr          VARCHAR(254) NOT NULL,
  to_name          VARCHAR(200) NOT NULL DEFAULT '',
  message_id       VARCHAR(200) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  status           ENUM('pending','sending','sent','failed','skipped') NOT NULL DEFAULT 'pending',
  attempts         INT UNSIGNED NOT NULL DEFAULT 0,
  next_attempt_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  lease_until      DATETIME(3) NULL,
  last_reply       VARCHAR(500) NULL,
  created_at       DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  sent_at          DATETIME(3) NULL,
  UNIQUE KEY uq_outbox_message_id (message_id),
  KEY ix_outbox_due (status, next_attempt_at),
  KEY ix_outbox_lease (status, lease_until),
  KEY ix_outbox_mailing (mailing_id, status),
  KEY ix_outbox_event (event_id, status, id),
  CONSTRAINT fk_outbox_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE,
  CONSTRAINT fk_outbox_mailing FOREIGN KEY (mailing_id) REFERENCES mailings (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The manage link's secret, sealed under the server key, so that mails sent
-- later (promotion, approval, re-sends) can carry the attendee's link.
-- Lookups still go through manage_hash.
ALTER TABLE registrations ADD COLUMN manage_sealed VARBINARY(160) NULL AFTER manage_hash;
