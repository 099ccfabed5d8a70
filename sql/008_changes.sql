-- A change counter shared by every instance (issue 16): a change that
-- empties this instance's caches (a token revoked, a user disabled, a
-- session ended, an event or its programme edited) also adds one here, and
-- every instance polls the row (CONFERO_CHANGE_POLL_MS) and empties its own
-- caches when the number moved.  Without it another instance would go on
-- trusting a revoked token until its cache entry expired.
CREATE TABLE changes (
  id TINYINT UNSIGNED NOT NULL,
  n  BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB;
INSERT INTO changes (id, n) VALUES (1, 0);
