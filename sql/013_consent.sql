-- Versioned consent wording and privacy notice (issue 17).  Each change of
-- an event's texts makes a new version (1, 2, …); version 0 is Confero's
-- own wording from the catalogs.  Texts are JSON objects {language: text}.
-- Every registration records the version and the language it agreed to
-- (consent_at says when).
CREATE TABLE privacy_versions (
  event_id      BIGINT UNSIGNED NOT NULL,
  version       INT UNSIGNED NOT NULL,
  consent_text  LONGTEXT NULL CHECK (consent_text IS NULL OR JSON_VALID(consent_text)),
  notice        LONGTEXT NULL CHECK (notice IS NULL OR JSON_VALID(notice)),
  created_at    DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  created_by    BIGINT UNSIGNED NULL,
  PRIMARY KEY (event_id, version),
  CONSTRAINT fk_privacy_versions_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
ALTER TABLE events ADD COLUMN privacy_version INT UNSIGNED NOT NULL DEFAULT 0;
ALTER TABLE registrations
  ADD COLUMN consent_version INT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN consent_language VARCHAR(15) NULL;
