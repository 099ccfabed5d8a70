-- Idempotency keys of public registrations (issue 15): the same key with the
-- same body gets the first answer back and creates nothing.  A key is scoped
-- to its event; only hashes are kept (the key may be guessable, the answer
-- holds a manage link).  The answer is rebuilt from the registration, its
-- first ticket and the sealed manage secret; a refusal keeps its outcome.
CREATE TABLE idempotency_keys (
  event_id        BIGINT UNSIGNED NOT NULL,
  key_hash        BINARY(32) NOT NULL,
  body_hash       BINARY(32) NOT NULL,
  outcome         TINYINT UNSIGNED NOT NULL,   -- 0 created, else the refusal (REG_* in registration.h)
  registration_id BIGINT UNSIGNED NULL,
  reg_status      VARCHAR(24) NULL,
  ticket_id       BIGINT UNSIGNED NULL,
  session_id      BIGINT UNSIGNED NULL,        -- the full session of a refusal
  created_at      DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (event_id, key_hash),
  KEY ix_idempotency_created (created_at),
  CONSTRAINT fk_idempotency_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) ENGINE=InnoDB;
