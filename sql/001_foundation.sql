-- Staff accounts, login sessions, API tokens, login throttling, audit log.
-- All timestamps are UTC (the connection sets time_zone = '+00:00').

CREATE TABLE users (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  -- stored lower-cased; binary collation so the unique key is exact
  email         VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  password_hash VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  role          ENUM('checkin','organiser','admin') NOT NULL,
  disabled      TINYINT(1) NOT NULL DEFAULT 0,
  created_at    DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at    DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  UNIQUE KEY uq_users_email (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- "auth sessions" (logins), never to be confused with programme sessions.
CREATE TABLE auth_sessions (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  token_hash  BINARY(32) NOT NULL,
  user_id     BIGINT UNSIGNED NOT NULL,
  created_at  DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  expires_at  DATETIME NOT NULL,
  UNIQUE KEY uq_auth_sessions_hash (token_hash),
  KEY ix_auth_sessions_expires (expires_at),
  CONSTRAINT fk_auth_sessions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE api_tokens (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  token_hash    BINARY(32) NOT NULL,
  prefix        VARCHAR(12) CHARACTER SET ascii NOT NULL,
  name          VARCHAR(100) NOT NULL,
  user_id       BIGINT UNSIGNED NOT NULL,
  role          ENUM('checkin','organiser','admin') NOT NULL,
  event_id      BIGINT UNSIGNED NULL,
  created_at    DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  last_used_at  DATETIME NULL,
  revoked_at    DATETIME NULL,
  UNIQUE KEY uq_api_tokens_hash (token_hash),
  KEY ix_api_tokens_user (user_id),
  CONSTRAINT fk_api_tokens_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per throttled key: a hash of "account:<email>" or "addr:<ip>",
-- so addresses and unknown emails are not kept in clear.
CREATE TABLE login_throttle (
  scope_hash    BINARY(32) NOT NULL PRIMARY KEY,
  failures      INT UNSIGNED NOT NULL,
  window_start  DATETIME NOT NULL,
  blocked_until DATETIME NULL,
  KEY ix_login_throttle_window (window_start)
) ENGINE=InnoDB;

CREATE TABLE audit_log (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  at           DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  actor_kind   ENUM('system','user','token','attendee') NOT NULL,
  actor_id     BIGINT UNSIGNED NULL,
  action       VARCHAR(64) NOT NULL,
  object_type  VARCHAR(32) NOT NULL,
  object_id    BIGINT UNSIGNED NULL,
  details      LONGTEXT NULL CHECK (details IS NULL OR JSON_VALID(details)),
  KEY ix_audit_object (object_type, object_id),
  KEY ix_audit_at (at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
