/*
 * Every SQL statement Confero runs, indexed by enum stmt.  Parameters are
 * always ? placeholders; nothing here is ever built from strings.
 */
#include "db_sql.h"

#define RFC3339(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%sZ')"
#define USER_COLS "id, email, role, disabled, " RFC3339("created_at") ", password_hash"
#define TOKEN_COLS "t.id, t.name, t.prefix, t.user_id, t.role, t.event_id, '', " \
	RFC3339("t.created_at") ", " RFC3339("t.last_used_at") ", t.revoked_at IS NOT NULL"

const char *const stmt_sql[STMT__MAX] = {
	[STMT_MIGRATION_APPLIED] =
	    "SELECT 1 FROM schema_migrations WHERE version = ?",
	[STMT_MIGRATION_RECORD] =
	    "INSERT INTO schema_migrations (version) VALUES (?)",

	[STMT_USER_COUNT] = "SELECT COUNT(*) FROM users",
	[STMT_USER_INSERT] =
	    "INSERT INTO users (email, password_hash, role) VALUES (?, ?, ?)",
	[STMT_USER_BY_EMAIL] = "SELECT " USER_COLS " FROM users WHERE email = ?",
	[STMT_USER_BY_ID] = "SELECT " USER_COLS " FROM users WHERE id = ?",
	[STMT_USER_LIST] = "SELECT " USER_COLS " FROM users ORDER BY id",
	[STMT_USER_UPDATE] =
	    "UPDATE users SET role = COALESCE(?, role), "
	    "disabled = COALESCE(?, disabled), "
	    "password_hash = COALESCE(?, password_hash) WHERE id = ?",

	[STMT_SESSION_INSERT] =
	    "INSERT INTO auth_sessions (token_hash, user_id, expires_at) "
	    "VALUES (?, ?, NOW() + INTERVAL ? SECOND)",
	[STMT_SESSION_LOOKUP] =
	    "SELECT u.id, u.email, u.role FROM auth_sessions s "
	    "JOIN users u ON u.id = s.user_id "
	    "WHERE s.token_hash = ? AND s.expires_at > NOW() AND u.disabled = 0",
	[STMT_SESSION_DELETE] = "DELETE FROM auth_sessions WHERE token_hash = ?",
	[STMT_SESSION_DELETE_USER] = "DELETE FROM auth_sessions WHERE user_id = ?",
	[STMT_SESSION_PURGE] =
	    "DELETE FROM auth_sessions WHERE expires_at < NOW() LIMIT 1000",

	[STMT_TOKEN_INSERT] =
	    "INSERT INTO api_tokens (token_hash, prefix, name, user_id, role, event_id) "
	    "VALUES (?, ?, ?, ?, ?, ?)",
	/* Effective role: the lower of the token's and its creator's. */
	[STMT_TOKEN_LOOKUP] =
	    "SELECT t.id, LEAST(t.role + 0, u.role + 0), u.id, u.email, t.event_id "
	    "FROM api_tokens t JOIN users u ON u.id = t.user_id "
	    "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.disabled = 0",
	[STMT_TOKEN_TOUCH] =
	    "UPDATE api_tokens SET last_used_at = NOW() WHERE id = ? AND "
	    "(last_used_at IS NULL OR last_used_at < NOW() - INTERVAL 60 SECOND)",
	[STMT_TOKEN_LIST] =
	    "SELECT " TOKEN_COLS " FROM api_tokens t "
	    "WHERE (? = 0 OR t.user_id = ?) ORDER BY t.id",
	[STMT_TOKEN_GET] = "SELECT " TOKEN_COLS " FROM api_tokens t WHERE t.id = ?",
	[STMT_TOKEN_REVOKE] =
	    "UPDATE api_tokens SET revoked_at = NOW() WHERE id = ? AND revoked_at IS NULL",
	[STMT_TOKEN_REVOKE_USER] =
	    "UPDATE api_tokens SET revoked_at = NOW() WHERE user_id = ? AND revoked_at IS NULL",

	[STMT_THROTTLE_CHECK] =
	    "SELECT COALESCE(MAX(TIMESTAMPDIFF(SECOND, NOW(), blocked_until) + 1), 0) "
	    "FROM login_throttle WHERE scope_hash IN (?, ?) AND blocked_until > NOW()",
	/*
	 * Assignments run left to right and see earlier ones, so blocked_until
	 * is computed from the old window before failures and window_start
	 * change.  Args: key, max, window, window, max, window, max, window,
	 * window, window.
	 */
	[STMT_THROTTLE_FAIL] =
	    "INSERT INTO login_throttle (scope_hash, failures, window_start, blocked_until) "
	    "VALUES (?, 1, NOW(), IF(1 >= ?, NOW() + INTERVAL ? SECOND, NULL)) "
	    "ON DUPLICATE KEY UPDATE "
	    "blocked_until = IF(window_start < NOW() - INTERVAL ? SECOND, "
	    "  IF(1 >= ?, NOW() + INTERVAL ? SECOND, NULL), "
	    "  IF(failures + 1 >= ?, NOW() + INTERVAL ? SECOND, blocked_until)), "
	    "failures = IF(window_start < NOW() - INTERVAL ? SECOND, 1, failures + 1), "
	    "window_start = IF(window_start < NOW() - INTERVAL ? SECOND, NOW(), window_start)",
	[STMT_THROTTLE_RESET] = "DELETE FROM login_throttle WHERE scope_hash = ?",
	[STMT_THROTTLE_PURGE] =
	    "DELETE FROM login_throttle WHERE window_start < NOW() - INTERVAL 1 DAY "
	    "AND (blocked_until IS NULL OR blocked_until < NOW()) LIMIT 1000",

	[STMT_AUDIT_INSERT] =
	    "INSERT INTO audit_log (actor_kind, actor_id, action, object_type, object_id, details) "
	    "VALUES (?, ?, ?, ?, ?, ?)",
};
