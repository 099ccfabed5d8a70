-- B2B matchmaking (issue "B2B matchmaking").  Participants are confirmed
-- registrations that opted in with a profile; they publish opportunities,
-- request one-to-one meetings, and meet in slots cut from one-to-one
-- networking sessions, at numbered tables.  The rules that must hold under
-- any number of parallel clients live in keys, not in C:
--   * one live meeting per unordered pair: uq_meetings_pair on
--     (lo_id, hi_id, live) where live is 1 or NULL (NULLs never collide);
--   * one meeting per table and slot: uq_meetings_table;
--   * one meeting per person and slot: meeting_seats' primary key, two rows
--     per placed meeting.
ALTER TABLE sessions
  ADD COLUMN one_to_one TINYINT(1) NOT NULL DEFAULT 0,
  ADD COLUMN tables INT UNSIGNED NULL,
  ADD COLUMN table_labels TEXT NULL CHECK (table_labels IS NULL OR JSON_VALID(table_labels));

CREATE TABLE match_settings (
  event_id              BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  enabled               TINYINT(1) NOT NULL DEFAULT 0,
  opens_at              DATETIME NULL,
  closes_at             DATETIME NULL,
  meeting_minutes       INT UNSIGNED NOT NULL DEFAULT 20,
  max_meetings          INT UNSIGNED NOT NULL DEFAULT 12,
  request_expiry_hours  INT UNSIGNED NOT NULL DEFAULT 72,
  -- NULL: every ticket type; otherwise a JSON array of ids
  ticket_type_ids       TEXT NULL CHECK (ticket_type_ids IS NULL OR JSON_VALID(ticket_type_ids)),
  organisation_types    TEXT NOT NULL CHECK (JSON_VALID(organisation_types)),
  updated_at            DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  CONSTRAINT ck_match_minutes CHECK (meeting_minutes BETWEEN 5 AND 240),
  CONSTRAINT fk_match_settings_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Slots are derived from the one-to-one sessions and meeting_minutes; a
-- slot keeps its id while its session and start stay (meetings point at it).
CREATE TABLE match_slots (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id    BIGINT UNSIGNED NOT NULL,
  session_id  BIGINT UNSIGNED NOT NULL,
  starts_at   DATETIME NOT NULL,
  ends_at     DATETIME NOT NULL,
  tables      INT UNSIGNED NOT NULL,
  UNIQUE KEY uq_match_slots (session_id, starts_at),
  KEY ix_match_slots_event (event_id, starts_at),
  CONSTRAINT fk_match_slots_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE,
  CONSTRAINT fk_match_slots_session FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE match_profiles (
  id                 BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id           BIGINT UNSIGNED NOT NULL,
  registration_id    BIGINT UNSIGNED NOT NULL,
  -- the participant's consent to be listed, and when it was given/withdrawn
  visible            TINYINT(1) NOT NULL DEFAULT 1,
  consent_at         DATETIME NULL,
  withdrawn_at       DATETIME NULL,
  -- moderation: hidden by an organiser (audited)
  hidden             TINYINT(1) NOT NULL DEFAULT 0,
  headline           VARCHAR(200) NOT NULL DEFAULT '',
  about              TEXT NOT NULL,
  organisation_type  VARCHAR(32) CHARACTER SET ascii NOT NULL DEFAULT 'other',
  country            CHAR(2) CHARACTER SET ascii NOT NULL DEFAULT '',
  topics             TEXT NOT NULL CHECK (JSON_VALID(topics)),
  website            VARCHAR(300) NOT NULL DEFAULT '',
  available_all      TINYINT(1) NOT NULL DEFAULT 1,
  created_at         DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at         DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  UNIQUE KEY uq_match_profiles_reg (registration_id),
  KEY ix_match_profiles_event (event_id, visible, hidden),
  CONSTRAINT fk_match_profiles_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE,
  CONSTRAINT fk_match_profiles_reg FOREIGN KEY (registration_id) REFERENCES registrations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- When available_all is 0: the slots the participant can meet in.
CREATE TABLE match_availability (
  profile_id  BIGINT UNSIGNED NOT NULL,
  slot_id     BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (profile_id, slot_id),
  CONSTRAINT fk_match_avail_profile FOREIGN KEY (profile_id) REFERENCES match_profiles (id) ON DELETE CASCADE,
  CONSTRAINT fk_match_avail_slot FOREIGN KEY (slot_id) REFERENCES match_slots (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE match_opportunities (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  profile_id   BIGINT UNSIGNED NOT NULL,
  kind         ENUM('offer','request','partnership') NOT NULL,
  title        VARCHAR(200) NOT NULL,
  description  TEXT NOT NULL,
  topics       TEXT NOT NULL CHECK (JSON_VALID(topics)),
  created_at   DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  KEY ix_match_opp_profile (profile_id),
  CONSTRAINT fk_match_opp_profile FOREIGN KEY (profile_id) REFERENCES match_profiles (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE meetings (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id        BIGINT UNSIGNED NOT NULL,
  requester_id    BIGINT UNSIGNED NOT NULL,
  recipient_id    BIGINT UNSIGNED NOT NULL,
  lo_id           BIGINT UNSIGNED NOT NULL,
  hi_id           BIGINT UNSIGNED NOT NULL,
  status          ENUM('requested','accepted','scheduled','held','declined','cancelled','expired') NOT NULL,
  -- 1 while requested, accepted, scheduled or held; NULL otherwise
  live            TINYINT NULL,
  message         TEXT NOT NULL,
  opportunity_id  BIGINT UNSIGNED NULL,
  created_at      DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  expires_at      DATETIME NOT NULL,
  answered_at     DATETIME NULL,
  cancelled_by    BIGINT UNSIGNED NULL,
  slot_id         BIGINT UNSIGNED NULL,
  table_no        INT UNSIGNED NULL,
  -- the time was mailed: a non-rescheduling run keeps it
  time_mailed     TINYINT(1) NOT NULL DEFAULT 0,
  booked_by       VARCHAR(16) NOT NULL DEFAULT 'participants',
  held_at         DATETIME NULL,
  held_by         VARCHAR(16) NULL,
  requester_outcome  VARCHAR(24) NULL,
  requester_note     TEXT NULL,
  recipient_outcome  VARCHAR(24) NULL,
  recipient_note     TEXT NULL,
  UNIQUE KEY uq_meetings_pair (lo_id, hi_id, live),
  UNIQUE KEY uq_meetings_table (slot_id, table_no),
  KEY ix_meetings_event (event_id, status),
  KEY ix_meetings_requester (requester_id, status),
  KEY ix_meetings_recipient (recipient_id, status),
  CONSTRAINT ck_meetings_pair CHECK (lo_id < hi_id),
  CONSTRAINT ck_meetings_live CHECK (live IS NULL OR live = 1),
  CONSTRAINT ck_meetings_placed CHECK ((slot_id IS NULL) = (table_no IS NULL)),
  CONSTRAINT fk_meetings_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE,
  CONSTRAINT fk_meetings_requester FOREIGN KEY (requester_id) REFERENCES match_profiles (id) ON DELETE CASCADE,
  CONSTRAINT fk_meetings_recipient FOREIGN KEY (recipient_id) REFERENCES match_profiles (id) ON DELETE CASCADE,
  CONSTRAINT fk_meetings_slot FOREIGN KEY (slot_id) REFERENCES match_slots (id),
  CONSTRAINT fk_meetings_opp FOREIGN KEY (opportunity_id) REFERENCES match_opportunities (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A person's place in a slot: two rows per placed meeting.
CREATE TABLE meeting_seats (
  slot_id     BIGINT UNSIGNED NOT NULL,
  profile_id  BIGINT UNSIGNED NOT NULL,
  meeting_id  BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (slot_id, profile_id),
  KEY ix_meeting_seats_meeting (meeting_id),
  CONSTRAINT fk_meeting_seats_slot FOREIGN KEY (slot_id) REFERENCES match_slots (id),
  CONSTRAINT fk_meeting_seats_profile FOREIGN KEY (profile_id) REFERENCES match_profiles (id) ON DELETE CASCADE,
  CONSTRAINT fk_meeting_seats_meeting FOREIGN KEY (meeting_id) REFERENCES meetings (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- Meeting mails: which meeting a message is about; a reminder's day.
ALTER TABLE outbox
  ADD COLUMN meeting_id BIGINT UNSIGNED NULL,
  ADD COLUMN about_day DATE NULL;
