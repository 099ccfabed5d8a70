-- Events, programme (sessions, speakers), ticket types, questions,
-- registrations, tickets, check-ins and the scan log.
-- Capacity is guarded twice: conditional UPDATEs in the code, and CHECK
-- constraints here, so no bug above can ever oversell a seat.

CREATE TABLE events (
  id                      BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  slug                    VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  name                    VARCHAR(200) NOT NULL,
  description             TEXT NOT NULL,
  venue                   VARCHAR(300) NOT NULL DEFAULT '',
  timezone                VARCHAR(64) CHARACTER SET ascii NOT NULL,
  starts_at               DATETIME NOT NULL,
  ends_at                 DATETIME NOT NULL,
  capacity                INT UNSIGNED NULL,
  seats_taken             INT UNSIGNED NOT NULL DEFAULT 0,
  waitlist                TINYINT(1) NOT NULL DEFAULT 0,
  registration_opens_at   DATETIME NULL,
  registration_closes_at  DATETIME NULL,
  status                  ENUM('draft','published','closed') NOT NULL DEFAULT 'draft',
  sign_pk                 BINARY(32) NOT NULL,
  sign_sk_sealed          VARBINARY(255) NOT NULL,
  created_by              BIGINT UNSIGNED NULL,
  created_at              DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at              DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  UNIQUE KEY uq_events_slug (slug),
  KEY ix_events_status_start (status, starts_at),
  CONSTRAINT ck_events_capacity CHECK (capacity IS NULL OR seats_taken <= capacity),
  CONSTRAINT ck_events_times CHECK (ends_at > starts_at),
  CONSTRAINT fk_events_creator FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE event_members (
  event_id    BIGINT UNSIGNED NOT NULL,
  user_id     BIGINT UNSIGNED NOT NULL,
  added_at    DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (event_id, user_id),
  KEY ix_event_members_user (user_id),
  CONSTRAINT fk_event_members_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE,
  CONSTRAINT fk_event_members_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

ALTER TABLE api_tokens
  ADD CONSTRAINT fk_api_tokens_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE;

CREATE TABLE speakers (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id      BIGINT UNSIGNED NOT NULL,
  name          VARCHAR(200) NOT NULL,
  email         VARCHAR(254) NULL,
  organisation  VARCHAR(200) NOT NULL DEFAULT '',
  bio           TEXT NOT NULL,
  created_at    DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  KEY ix_speakers_event (event_id),
  CONSTRAINT fk_speakers_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Programme sessions (agenda items), not to be confused with auth_sessions.
CREATE TABLE sessions (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id         BIGINT UNSIGNED NOT NULL,
  title            VARCHAR(300) NOT NULL,
  description      TEXT NOT NULL,
  kind             ENUM('keynote','talk','panel','workshop','networking') NOT NULL,
  starts_at        DATETIME NOT NULL,
  ends_at          DATETIME NOT NULL,
  room             VARCHAR(100) NOT NULL DEFAULT '',
  track            VARCHAR(100) NOT NULL DEFAULT '',
  capacity         INT UNSIGNED NULL,
  signed_up        INT UNSIGNED NOT NULL DEFAULT 0,
  requires_signup  TINYINT(1) NOT NULL DEFAULT 0,
  created_at       DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  KEY ix_sessions_event (event_id, starts_at),
  CONSTRAINT ck_sessions_capacity CHECK (capacity IS NULL OR signed_up <= capacity),
  CONSTRAINT ck_sessions_times CHECK (ends_at > starts_at),
  CONSTRAINT fk_sessions_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE session_speakers (
  session_id  BIGINT UNSIGNED NOT NULL,
  speaker_id  BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (session_id, speaker_id),
  KEY ix_session_speakers_speaker (speaker_id),
  CONSTRAINT fk_session_speakers_session FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE,
  CONSTRAINT fk_session_speakers_speaker FOREIGN KEY (speaker_id) REFERENCES speakers (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE ticket_types (
  id                 BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id           BIGINT UNSIGNED NOT NULL,
  name               VARCHAR(200) NOT NULL,
  description        TEXT NOT NULL,
  quota              INT UNSIGNED NULL,
  sold               INT UNSIGNED NOT NULL DEFAULT 0,
  price_cents        INT UNSIGNED NOT NULL DEFAULT 0,
  currency           CHAR(3) CHARACTER SET ascii NOT NULL DEFAULT 'EUR',
  sale_starts_at     DATETIME NULL,
  sale_ends_at       DATETIME NULL,
  requires_approval  TINYINT(1) NOT NULL DEFAULT 0,
  all_sessions       TINYINT(1) NOT NULL DEFAULT 1,
  created_at         DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  KEY ix_ticket_types_event (event_id),
  CONSTRAINT ck_ticket_types_quota CHECK (quota IS NULL OR sold <= quota),
  CONSTRAINT fk_ticket_types_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE ticket_type_sessions (
  ticket_type_id  BIGINT UNSIGNED NOT NULL,
  session_id      BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (ticket_type_id, session_id),
  CONSTRAINT fk_tts_type FOREIGN KEY (ticket_type_id) REFERENCES ticket_types (id) ON DELETE CASCADE,
  CONSTRAINT fk_tts_session FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE questions (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id    BIGINT UNSIGNED NOT NULL,
  label       VARCHAR(300) NOT NULL,
  kind        ENUM('text','textarea','choice','multichoice','checkbox','country') NOT NULL,
  required    TINYINT(1) NOT NULL DEFAULT 0,
  options     LONGTEXT NULL CHECK (options IS NULL OR JSON_VALID(options)),
  position    INT NOT NULL DEFAULT 0,
  KEY ix_questions_event (event_id, position),
  CONSTRAINT fk_questions_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE registrations (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id        BIGINT UNSIGNED NOT NULL,
  ticket_type_id  BIGINT UNSIGNED NOT NULL,
  name            VARCHAR(200) NOT NULL,
  email           VARCHAR(254) NOT NULL,
  -- lower-cased email while the registration is live; NULL once cancelled
  -- or rejected, so the same person may register again
  active_email    VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
  organisation    VARCHAR(200) NOT NULL DEFAULT '',
  status          ENUM('confirmed','waitlisted','pending_approval','pending_payment','cancelled','rejected') NOT NULL,
  holds_seat      TINYINT(1) NOT NULL DEFAULT 0,
  answers         LONGTEXT NULL CHECK (answers IS NULL OR JSON_VALID(answers)),
  consent_at      DATETIME NOT NULL,
  manage_hash     BINARY(32) NOT NULL,
  created_at      DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at      DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  UNIQUE KEY uq_registrations_email (event_id, active_email),
  UNIQUE KEY uq_registrations_manage (manage_hash),
  KEY ix_registrations_status (event_id, status, id),
  KEY ix_registrations_type (ticket_type_id),
  CONSTRAINT fk_registrations_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE,
  CONSTRAINT fk_registrations_type FOREIGN KEY (ticket_type_id) REFERENCES ticket_types (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE registration_sessions (
  registration_id  BIGINT UNSIGNED NOT NULL,
  session_id       BIGINT UNSIGNED NOT NULL,
  holds_seat       TINYINT(1) NOT NULL DEFAULT 0,
  PRIMARY KEY (registration_id, session_id),
  KEY ix_registration_sessions_session (session_id),
  CONSTRAINT fk_rs_registration FOREIGN KEY (registration_id) REFERENCES registrations (id) ON DELETE CASCADE,
  CONSTRAINT fk_rs_session FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE tickets (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  registration_id  BIGINT UNSIGNED NOT NULL,
  event_id         BIGINT UNSIGNED NOT NULL,
  code             VARCHAR(160) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  status           ENUM('valid','revoked') NOT NULL DEFAULT 'valid',
  created_at       DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  revoked_at       DATETIME NULL,
  KEY ix_tickets_registration (registration_id, status),
  CONSTRAINT fk_tickets_registration FOREIGN KEY (registration_id) REFERENCES registrations (id) ON DELETE CASCADE,
  CONSTRAINT fk_tickets_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- One live check-in per registration and check-in point (0: the entrance,
-- otherwise a session id).  `live` is 1 while active and NULL once undone;
-- NULLs never collide in a unique key, so undone rows stay as history.
CREATE TABLE checkins (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id         BIGINT UNSIGNED NOT NULL,
  registration_id  BIGINT UNSIGNED NOT NULL,
  ticket_id        BIGINT UNSIGNED NULL,
  point            BIGINT UNSIGNED NOT NULL,
  gate             VARCHAR(100) NOT NULL DEFAULT '',
  at               DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  by_user          BIGINT UNSIGNED NULL,
  by_token         BIGINT UNSIGNED NULL,
  undone_at        DATETIME(3) NULL,
  undone_by        BIGINT UNSIGNED NULL,
  live             TINYINT AS (IF(undone_at IS NULL, 1, NULL)) PERSISTENT,
  UNIQUE KEY uq_checkins_once (registration_id, point, live),
  KEY ix_checkins_event_at (event_id, at),
  CONSTRAINT fk_checkins_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE,
  CONSTRAINT fk_checkins_registration FOREIGN KEY (registration_id) REFERENCES registrations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every scan attempt, failures included.  A client nonce makes retries
-- safe: the stored answer is returned again and nothing new is recorded.
CREATE TABLE scan_log (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id         BIGINT UNSIGNED NOT NULL,
  at               DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  user_id          BIGINT UNSIGNED NULL,
  token_id         BIGINT UNSIGNED NULL,
  gate             VARCHAR(100) NOT NULL DEFAULT '',
  point            BIGINT UNSIGNED NOT NULL DEFAULT 0,
  result           VARCHAR(32) CHARACTER SET ascii NOT NULL,
  registration_id  BIGINT UNSIGNED NULL,
  ticket_id        BIGINT UNSIGNED NULL,
  nonce            VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  http_status      SMALLINT UNSIGNED NOT NULL,
  response         TEXT NULL,
  UNIQUE KEY uq_scan_log_nonce (event_id, nonce),
  KEY ix_scan_log_event_at (event_id, at),
  CONSTRAINT fk_scan_log_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
