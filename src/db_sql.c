/*
 * Every SQL statement Confero runs, indexed by enum stmt.  Parameters are
 * always ? placeholders; nothing here is ever built from strings.
 */
#include "db_sql.h"

/* Filters of STMT_AUDIT_LIST and _COUNT (the action: exact or a prefix "x."). */
#define AUDIT_WHERE "WHERE (? IS NULL OR a.event_id = ?) AND (? IS NULL OR a.actor_kind = ?) " \
	"AND (? IS NULL OR a.actor_id = ?) AND (? IS NULL OR a.registration_id = ?) " \
	"AND (? IS NULL OR a.action = ? OR (RIGHT(?, 1) = '.' AND LEFT(a.action, CHAR_LENGTH(?)) = ?))"
/* The fields of an audit entry that its hash covers, in that order. */
#define AUDIT_FIELDS "id, DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s.%f'), actor_kind, actor_id, action, " \
	"object_type, object_id, event_id, registration_id, details"

#define RFC3339(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%sZ')"
#define USER_COLS "id, email, role, disabled, " RFC3339("created_at") ", password_hash, " \
	"COALESCE(language, '')"
#define TOKEN_COLS "t.id, t.name, t.prefix, t.user_id, t.role, t.event_id, " \
	"(SELECT slug FROM events WHERE id = t.event_id), " \
	RFC3339("t.created_at") ", " RFC3339("t.last_used_at") ", t.revoked_at IS NOT NULL"

#define EVENT_REF_COLS "id, slug, name, status, timezone, capacity, waitlist, " \
	"UNIX_TIMESTAMP(registration_opens_at), UNIX_TIMESTAMP(registration_closes_at), " \
	"UNIX_TIMESTAMP(starts_at), UNIX_TIMESTAMP(ends_at), sign_pk, languages, privacy_version"
#define EVENT_COLS "id, slug, name, description, venue, timezone, UNIX_TIMESTAMP(starts_at), " \
	"UNIX_TIMESTAMP(ends_at), capacity, seats_taken, " \
	"IF(capacity IS NULL, NULL, CAST(capacity AS SIGNED) - seats_taken), waitlist, " \
	"UNIX_TIMESTAMP(registration_opens_at), UNIX_TIMESTAMP(registration_closes_at), status, " \
	"UNIX_TIMESTAMP(created_at), languages, tr, retention_days, " \
	"UNIX_TIMESTAMP(ends_at + INTERVAL retention_days DAY), organiser"
#define SPEAKER_COLS "s.id, s.name, IF(?, s.email, NULL), s.organisation, s.bio, " \
	"(SELECT COALESCE(JSON_ARRAYAGG(ss.session_id), '[]') FROM session_speakers ss " \
	"WHERE ss.speaker_id = s.id), s.tr"
#define SESSION_COLS "s.id, s.title, s.description, s.kind, UNIX_TIMESTAMP(s.starts_at), " \
	"UNIX_TIMESTAMP(s.ends_at), s.room, s.track, s.capacity, s.signed_up, " \
	"IF(s.capacity IS NULL, NULL, CAST(s.capacity AS SIGNED) - s.signed_up), s.requires_signup, " \
	"(SELECT COALESCE(JSON_ARRAYAGG(ss.speaker_id), '[]') FROM session_speakers ss " \
	"WHERE ss.session_id = s.id), s.tr, s.one_to_one, s.tables, s.table_labels"
/* Available: the lower of the type's and the event's remaining seats. */
#define TTYPE_COLS "t.id, t.name, t.description, t.quota, t.sold, " \
	"IF(t.quota IS NULL AND e.capacity IS NULL, NULL, " \
	"LEAST(COALESCE(CAST(t.quota AS SIGNED) - t.sold, 2147483647), " \
	"COALESCE(CAST(e.capacity AS SIGNED) - e.seats_taken, 2147483647))), " \
	"t.price_cents, t.currency, UNIX_TIMESTAMP(t.sale_starts_at), UNIX_TIMESTAMP(t.sale_ends_at), " \
	"t.requires_approval, IF(t.all_sessions, '\"all\"', (SELECT COALESCE(JSON_ARRAYAGG(x.session_id), '[]') " \
	"FROM ticket_type_sessions x WHERE x.ticket_type_id = t.id)), t.tr"

#define REG_COLS "r.id, r.status, r.name, r.email, r.organisation, r.ticket_type_id, tt.name, " \
	"r.answers, UNIX_TIMESTAMP(r.created_at), UNIX_TIMESTAMP(r.updated_at), " \
	"(SELECT code FROM tickets WHERE registration_id = r.id AND status = 'valid' " \
	"ORDER BY id DESC LIMIT 1), (SELECT COALESCE(JSON_ARRAYAGG(session_id), '[]') " \
	"FROM registration_sessions WHERE registration_id = r.id), " \
	"(SELECT UNIX_TIMESTAMP(MIN(at)) FROM checkins c WHERE c.registration_id = r.id " \
	"AND c.point = 0 AND c.live = 1), r.language, r.anonymised_at IS NOT NULL, r.consent_version " \
	"FROM registrations r " \
	"JOIN ticket_types tt ON tt.id = r.ticket_type_id"
/* Optional filters: (flag, value) pairs; q is a LIKE pattern used thrice. */
#define REG_FILTER "r.event_id = ? AND (? IS NULL OR r.status = ?) " \
	"AND (? IS NULL OR r.ticket_type_id = ?) " \
	"AND (? IS NULL OR r.name LIKE ? OR r.email LIKE ? OR r.organisation LIKE ?) " \
	"AND (? IS NULL OR ? = EXISTS (SELECT 1 FROM checkins c WHERE c.registration_id = r.id " \
	"AND c.point = 0 AND c.live = 1))"

/* ---- matchmaking ---- */
#define OPPS_JSON "(SELECT COALESCE(JSON_ARRAYAGG(JSON_OBJECT('id', o.id, 'kind', o.kind, " \
	"'title', o.title, 'description', o.description, 'topics', JSON_EXTRACT(o.topics, '$')) " \
	"ORDER BY o.id), '[]') FROM match_opportunities o WHERE o.profile_id = p.id)"
/* Args: event, exclude, q (flag + 6), topic (flag + 2), type ×2, country ×2, kind ×2. */
#define DIR_FILTER "p.event_id = ? AND p.visible = 1 AND p.hidden = 0 AND r.status = 'confirmed' " \
	"AND p.id <> ? AND (? IS NULL OR r.name LIKE ? OR r.organisation LIKE ? OR p.headline LIKE ? " \
	"OR p.about LIKE ? OR EXISTS (SELECT 1 FROM match_opportunities o WHERE o.profile_id = p.id " \
	"AND (o.title LIKE ? OR o.description LIKE ?))) AND (? IS NULL OR JSON_CONTAINS(p.topics, " \
	"JSON_QUOTE(?)) OR EXISTS (SELECT 1 FROM match_opportunities o WHERE o.profile_id = p.id " \
	"AND JSON_CONTAINS(o.topics, JSON_QUOTE(?)))) AND (? IS NULL OR p.organisation_type = ?) " \
	"AND (? IS NULL OR p.country = ?) AND (? IS NULL OR EXISTS (SELECT 1 FROM " \
	"match_opportunities o WHERE o.profile_id = p.id AND o.kind = ?))"
#define TABLE_LABEL "IF(m.table_no IS NULL, NULL, COALESCE(JSON_VALUE(se.table_labels, " \
	"CONCAT('$[', m.table_no, ']')), CAST(m.table_no + 1 AS CHAR)))"
/* A participant's view of a meeting: the other side, their own outcome and note. */
#define MEET_PCOLS "m.id, m.status, IF(m.mine_sent, 'sent', 'received'), m.other_id, orr.name, " \
	"orr.organisation, op.headline, op.organisation_type, op.country, m.message, m.opportunity_id, " \
	"o.title, UNIX_TIMESTAMP(m.created_at), UNIX_TIMESTAMP(m.expires_at), m.slot_id, " \
	"UNIX_TIMESTAMP(sl.starts_at), UNIX_TIMESTAMP(sl.ends_at), " TABLE_LABEL ", se.room, " \
	"UNIX_TIMESTAMP(m.held_at), IF(m.mine_sent, m.requester_outcome, m.recipient_outcome), " \
	"IF(m.mine_sent, m.requester_note, m.recipient_note), " \
	"m.status = 'scheduled' AND sl.ends_at < NOW()"
#define MEET_PJOINS "JOIN match_profiles op ON op.id = m.other_id " \
	"JOIN registrations orr ON orr.id = op.registration_id " \
	"LEFT JOIN match_slots sl ON sl.id = m.slot_id LEFT JOIN sessions se ON se.id = sl.session_id " \
	"LEFT JOIN match_opportunities o ON o.id = m.opportunity_id"
/* The organisers' view: both sides, both outcomes and notes. */
#define MEET_OCOLS "m.id, m.status, m.requester_id, ra.name, ra.organisation, pa.organisation_type, " \
	"pa.country, m.recipient_id, rb.name, rb.organisation, pb.organisation_type, pb.country, " \
	"m.message, m.opportunity_id, o.title, UNIX_TIMESTAMP(m.created_at), UNIX_TIMESTAMP(m.expires_at), " \
	"m.slot_id, UNIX_TIMESTAMP(sl.starts_at), UNIX_TIMESTAMP(sl.ends_at), " TABLE_LABEL ", se.room, " \
	"UNIX_TIMESTAMP(m.held_at), m.held_by, m.requester_outcome, m.requester_note, " \
	"m.recipient_outcome, m.recipient_note, m.status = 'scheduled' AND sl.ends_at < NOW(), " \
	"m.booked_by, m.time_mailed " \
	"FROM meetings m JOIN match_profiles pa ON pa.id = m.requester_id " \
	"JOIN registrations ra ON ra.id = pa.registration_id " \
	"JOIN match_profiles pb ON pb.id = m.recipient_id JOIN registrations rb ON rb.id = pb.registration_id " \
	"LEFT JOIN match_slots sl ON sl.id = m.slot_id LEFT JOIN sessions se ON se.id = sl.session_id " \
	"LEFT JOIN match_opportunities o ON o.id = m.opportunity_id"

const char *const stmt_sql[STMT__MAX] = {
	[STMT_MIGRATION_APPLIED] =
	    "SELECT 1 FROM schema_migrations WHERE version = ?",
	[STMT_MIGRATION_RECORD] =
	    "INSERT INTO schema_migrations (version) VALUES (?)",
	/*
	 * The migration lock is a row, not GET_LOCK (which Galera does not
	 * replicate): taken when free or when its holder's lease ran out.
	 * Args: holder, lease seconds.
	 */
	[STMT_MIGRATE_LOCK] =
	    "INSERT INTO schema_lock (id, holder, until) VALUES (1, ?, NOW() + INTERVAL ? SECOND) "
	    "ON DUPLICATE KEY UPDATE holder = IF(until < NOW(), VALUES(holder), holder), "
	    "until = IF(holder = VALUES(holder), VALUES(until), until)",
	[STMT_MIGRATE_HOLDER] = "SELECT holder FROM schema_lock WHERE id = 1",
	[STMT_MIGRATE_UNLOCK] = "DELETE FROM schema_lock WHERE id = 1 AND holder = ?",

	[STMT_USER_COUNT] = "SELECT COUNT(*) FROM users",
	[STMT_USER_INSERT] =
	    "INSERT INTO users (email, password_hash, role) VALUES (?, ?, ?)",
	[STMT_USER_BY_EMAIL] = "SELECT " USER_COLS " FROM users WHERE email = ?",
	[STMT_USER_BY_ID] = "SELECT " USER_COLS " FROM users WHERE id = ?",
	[STMT_USER_LIST] = "SELECT " USER_COLS " FROM users ORDER BY id",
	[STMT_USER_UPDATE] =
	    "UPDATE users SET role = COALESCE(?, role), "
	    "disabled = COALESCE(?, disabled), "
	    "password_hash = COALESCE(?, password_hash), "
	    "language = IF(?, NULLIF(?, ''), language) WHERE id = ?",

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

	/*
	 * The event and the registration an entry is about: the event as the
	 * caller knows it, else from its object (an attendee acting is the
	 * registration).  Args: actor kind, actor id, action, object type,
	 * object id, details, then object type, object id, actor kind, actor
	 * id and the event (NULL: look it up) for the derivation.
	 */
	[STMT_AUDIT_INSERT] =
	    "INSERT INTO audit_log (actor_kind, actor_id, action, object_type, object_id, details, "
	    "event_id, registration_id) "
	    "SELECT ?, ?, ?, ?, ?, ?, "
	    "CASE WHEN t.ev IS NOT NULL THEN t.ev WHEN t.ty = 'event' THEN t.oid "
	    "WHEN t.ty = 'registration' THEN (SELECT event_id FROM registrations WHERE id = t.oid) "
	    "WHEN t.ty = 'session' THEN (SELECT event_id FROM sessions WHERE id = t.oid) "
	    "WHEN t.ty = 'speaker' THEN (SELECT event_id FROM speakers WHERE id = t.oid) "
	    "WHEN t.ty = 'ticket_type' THEN (SELECT event_id FROM ticket_types WHERE id = t.oid) "
	    "WHEN t.ty = 'question' THEN (SELECT event_id FROM questions WHERE id = t.oid) "
	    "WHEN t.ty = 'mailing' THEN (SELECT event_id FROM mailings WHERE id = t.oid) "
	    "WHEN t.ty = 'match_profile' THEN (SELECT event_id FROM match_profiles WHERE id = t.oid) "
	    "WHEN t.ty = 'meeting' THEN (SELECT event_id FROM meetings WHERE id = t.oid) "
	    "WHEN t.ty = 'api_token' THEN (SELECT event_id FROM api_tokens WHERE id = t.oid) END, "
	    "CASE WHEN t.ty = 'registration' THEN t.oid "
	    "WHEN t.ak = 'attendee' THEN t.aid END "
	    "FROM (SELECT ? AS ty, ? AS oid, ? AS ak, ? AS aid, ? AS ev) t",
	[STMT_EVENT_INSERT] =
	    "INSERT INTO events (slug, name, description, venue, timezone, starts_at, ends_at, "
	    "capacity, waitlist, registration_opens_at, registration_closes_at, sign_pk, "
	    "sign_sk_sealed, created_by, retention_days, organiser) VALUES (?, ?, ?, ?, ?, "
	    "FROM_UNIXTIME(?), FROM_UNIXTIME(?), ?, ?, FROM_UNIXTIME(?), FROM_UNIXTIME(?), ?, ?, ?, ?, ?)",
	/* PATCH: each field is a pair (present?, value). */
	[STMT_EVENT_UPDATE] =
	    "UPDATE events SET name = IF(?, ?, name), description = IF(?, ?, description), "
	    "venue = IF(?, ?, venue), timezone = IF(?, ?, timezone), "
	    "starts_at = IF(?, FROM_UNIXTIME(?), starts_at), ends_at = IF(?, FROM_UNIXTIME(?), ends_at), "
	    "capacity = IF(?, ?, capacity), waitlist = IF(?, ?, waitlist), "
	    "registration_opens_at = IF(?, FROM_UNIXTIME(?), registration_opens_at), "
	    "registration_closes_at = IF(?, FROM_UNIXTIME(?), registration_closes_at), "
	    "retention_days = IF(?, ?, retention_days), organiser = IF(?, ?, organiser) WHERE id = ?",
	[STMT_EVENT_STATUS] = "UPDATE events SET status = ? WHERE id = ?",
	[STMT_EVENT_REF_SLUG] = "SELECT " EVENT_REF_COLS " FROM events WHERE slug = ?",
	[STMT_EVENT_REF_ID] = "SELECT " EVENT_REF_COLS " FROM events WHERE id = ?",
	[STMT_EVENT_KEY] = "SELECT sign_sk_sealed FROM events WHERE id = ?",
	[STMT_EVENT_IS_MEMBER] =
	    "SELECT 1 FROM event_members WHERE event_id = ? AND user_id = ?",
	[STMT_EVENT_MEMBER_ADD] =
	    "INSERT INTO event_members (event_id, user_id) VALUES (?, ?)",
	[STMT_EVENT_MEMBERS] =
	    "SELECT u.id, u.email, u.role, UNIX_TIMESTAMP(m.added_at) FROM event_members m "
	    "JOIN users u ON u.id = m.user_id WHERE m.event_id = ? ORDER BY u.id",
	[STMT_EVENT_GET] = "SELECT " EVENT_COLS " FROM events WHERE id = ?",
	/* Upcoming first (by start), then past ones, most recent first. */
	[STMT_EVENT_LIST_PUBLIC] =
	    "SELECT " EVENT_COLS " FROM events WHERE status IN ('published', 'closed') "
	    "ORDER BY ends_at < NOW(), IF(ends_at < NOW(), -UNIX_TIMESTAMP(starts_at), "
	    "UNIX_TIMESTAMP(starts_at)) LIMIT 500",
	[STMT_EVENT_LIST_STAFF] =
	    "SELECT " EVENT_COLS " FROM events WHERE (? = 1 OR id IN "
	    "(SELECT event_id FROM event_members WHERE user_id = ?)) "
	    "ORDER BY starts_at DESC LIMIT 1000",

	[STMT_SPEAKER_INSERT] =
	    "INSERT INTO speakers (event_id, name, email, organisation, bio) VALUES (?, ?, ?, ?, ?)",
	[STMT_SPEAKER_UPDATE] =
	    "UPDATE speakers SET name = IF(?, ?, name), email = IF(?, ?, email), "
	    "organisation = IF(?, ?, organisation), bio = IF(?, ?, bio) "
	    "WHERE id = ? AND event_id = ?",
	[STMT_SPEAKER_DELETE] = "DELETE FROM speakers WHERE id = ? AND event_id = ?",
	[STMT_SPEAKER_GET] =
	    "SELECT " SPEAKER_COLS " FROM speakers s WHERE s.id = ? AND s.event_id = ?",
	[STMT_SPEAKER_LIST] =
	    "SELECT " SPEAKER_COLS " FROM speakers s WHERE s.event_id = ? ORDER BY s.name, s.id",

	[STMT_SESSION_CREATE] =
	    "INSERT INTO sessions (event_id, title, description, kind, starts_at, ends_at, room, "
	    "track, capacity, requires_signup, one_to_one, tables, table_labels) "
	    "VALUES (?, ?, ?, ?, FROM_UNIXTIME(?), FROM_UNIXTIME(?), ?, ?, ?, ?, ?, ?, ?)",
	[STMT_SESSION_UPDATE] =
	    "UPDATE sessions SET title = IF(?, ?, title), description = IF(?, ?, description), "
	    "kind = IF(?, ?, kind), starts_at = IF(?, FROM_UNIXTIME(?), starts_at), "
	    "ends_at = IF(?, FROM_UNIXTIME(?), ends_at), room = IF(?, ?, room), "
	    "track = IF(?, ?, track), capacity = IF(?, ?, capacity), "
	    "requires_signup = IF(?, ?, requires_signup), one_to_one = IF(?, ?, one_to_one), "
	    "tables = IF(?, ?, tables), table_labels = IF(?, ?, table_labels) "
	    "WHERE id = ? AND event_id = ?",
	[STMT_SESSION_REMOVE] = "DELETE FROM sessions WHERE id = ? AND event_id = ?",
	[STMT_SESSION_SPEAKERS_CLEAR] = "DELETE FROM session_speakers WHERE session_id = ?",
	[STMT_SESSION_SPEAKER_ADD] =
	    "INSERT IGNORE INTO session_speakers (session_id, speaker_id) "
	    "SELECT ?, id FROM speakers WHERE id = ? AND event_id = ?",
	[STMT_SESSION_GET] =
	    "SELECT " SESSION_COLS " FROM sessions s WHERE s.id = ? AND s.event_id = ?",
	[STMT_SESSION_LIST] =
	    "SELECT " SESSION_COLS " FROM sessions s WHERE s.event_id = ? "
	    "ORDER BY s.starts_at, s.room, s.id",
	[STMT_SESSION_EACH] =
	    "SELECT s.id, s.title, s.description, s.room, UNIX_TIMESTAMP(s.starts_at), "
	    "UNIX_TIMESTAMP(s.ends_at), (SELECT GROUP_CONCAT(sp.name ORDER BY sp.name SEPARATOR ', ') "
	    "FROM session_speakers ss JOIN speakers sp ON sp.id = ss.speaker_id "
	    "WHERE ss.session_id = s.id) FROM sessions s WHERE s.event_id = ? "
	    "ORDER BY s.starts_at, s.id",

	[STMT_TTYPE_INSERT] =
	    "INSERT INTO ticket_types (event_id, name, description, quota, price_cents, currency, "
	    "sale_starts_at, sale_ends_at, requires_approval, all_sessions) VALUES (?, ?, ?, ?, ?, ?, "
	    "FROM_UNIXTIME(?), FROM_UNIXTIME(?), ?, ?)",
	[STMT_TTYPE_UPDATE] =
	    "UPDATE ticket_types SET name = IF(?, ?, name), description = IF(?, ?, description), "
	    "quota = IF(?, ?, quota), price_cents = IF(?, ?, price_cents), "
	    "currency = IF(?, ?, currency), sale_starts_at = IF(?, FROM_UNIXTIME(?), sale_starts_at), "
	    "sale_ends_at = IF(?, FROM_UNIXTIME(?), sale_ends_at), "
	    "requires_approval = IF(?, ?, requires_approval), all_sessions = IF(?, ?, all_sessions) "
	    "WHERE id = ? AND event_id = ?",
	[STMT_TTYPE_DELETE] = "DELETE FROM ticket_types WHERE id = ? AND event_id = ?",
	[STMT_TTS_CLEAR] = "DELETE FROM ticket_type_sessions WHERE ticket_type_id = ?",
	[STMT_TTS_ADD] =
	    "INSERT IGNORE INTO ticket_type_sessions (ticket_type_id, session_id) "
	    "SELECT ?, id FROM sessions WHERE id = ? AND event_id = ?",
	[STMT_TTYPE_GET] =
	    "SELECT " TTYPE_COLS " FROM ticket_types t JOIN events e ON e.id = t.event_id "
	    "WHERE t.id = ? AND t.event_id = ?",
	[STMT_TTYPE_LIST] =
	    "SELECT " TTYPE_COLS " FROM ticket_types t JOIN events e ON e.id = t.event_id "
	    "WHERE t.event_id = ? ORDER BY t.id",

	[STMT_QUESTION_INSERT] =
	    "INSERT INTO questions (event_id, label, kind, required, options, position) "
	    "VALUES (?, ?, ?, ?, ?, ?)",
	[STMT_QUESTION_UPDATE] =
	    "UPDATE questions SET label = IF(?, ?, label), kind = IF(?, ?, kind), "
	    "required = IF(?, ?, required), options = IF(?, ?, options), "
	    "position = IF(?, ?, position) WHERE id = ? AND event_id = ?",
	[STMT_QUESTION_DELETE] = "DELETE FROM questions WHERE id = ? AND event_id = ?",
	[STMT_QUESTION_GET] =
	    "SELECT id, label, kind, required, options, position, tr FROM questions "
	    "WHERE id = ? AND event_id = ?",
	[STMT_QUESTION_LIST] =
	    "SELECT id, label, kind, required, options, position, tr FROM questions "
	    "WHERE event_id = ? ORDER BY position, id",
	[STMT_IDEM_INSERT] =
	    "INSERT INTO idempotency_keys (event_id, key_hash, body_hash, outcome, registration_id, "
	    "reg_status, ticket_id, session_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[STMT_IDEM_GET] =
	    "SELECT k.body_hash, k.outcome, COALESCE(k.registration_id, 0), COALESCE(k.reg_status, ''), "
	    "COALESCE(t.code, ''), COALESCE(k.session_id, 0), r.manage_sealed FROM idempotency_keys k "
	    "LEFT JOIN tickets t ON t.id = k.ticket_id LEFT JOIN registrations r ON r.id = k.registration_id "
	    "WHERE k.event_id = ? AND k.key_hash = ?",
	/* Kept two days: at least the 24 hours promised. */
	[STMT_IDEM_PURGE] =
	    "DELETE FROM idempotency_keys WHERE created_at < NOW() - INTERVAL 2 DAY LIMIT 5000",
	/* The change counter every instance polls (changes.c). */
	[STMT_CHANGES_BUMP] =
	    "UPDATE changes SET n = n + 1 WHERE id = 1",
	/* The audit chain (db_audit.c): AUDIT_FIELDS in the order hashed. */
	[STMT_AUDIT_HEAD_LOCK] =
	    "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",
	[STMT_AUDIT_HEAD_GET] =
	    "SELECT seq, hash FROM audit_head WHERE id = 1",
	[STMT_AUDIT_UNSEALED] =
	    "SELECT " AUDIT_FIELDS " FROM audit_log WHERE seq IS NULL ORDER BY id LIMIT 500 FOR UPDATE",
	[STMT_AUDIT_SEAL] =
	    "UPDATE audit_log SET seq = ?, hash = ? WHERE id = ? AND seq IS NULL",
	[STMT_AUDIT_HEAD_SET] =
	    "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1",
	/* Args: after this seq. */
	[STMT_AUDIT_CHAIN] =
	    "SELECT " AUDIT_FIELDS ", seq, hash FROM audit_log WHERE seq > ? ORDER BY seq LIMIT 1000",
	/*
	 * The trail for people (GET .../audit): newest first.  Args, each
	 * filter twice (NULL: any): event, actor kind, actor id, registration,
	 * action (exact, or a prefix ending in "."), then limit, offset.
	 */
	[STMT_AUDIT_LIST] =
	    "SELECT a.id, UNIX_TIMESTAMP(a.at), a.actor_kind, a.actor_id, u.email, t.name, a.action, "
	    "a.object_type, a.object_id, a.event_id, a.registration_id, a.details, a.seq IS NOT NULL "
	    "FROM audit_log a "
	    "LEFT JOIN users u ON a.actor_kind = 'user' AND u.id = a.actor_id "
	    "LEFT JOIN api_tokens t ON a.actor_kind = 'token' AND t.id = a.actor_id "
	    AUDIT_WHERE " ORDER BY a.id DESC LIMIT ? OFFSET ?",
	/* Anonymising one registration (db_privacy.c); args: its id. */
	[STMT_ANON_REG] =
	    "UPDATE registrations SET name = '', email = '', active_email = NULL, organisation = '', "
	    "answers = NULL, manage_sealed = NULL, anonymised_at = NOW() "
	    "WHERE id = ? AND anonymised_at IS NULL",
	[STMT_ANON_TICKETS] =
	    "UPDATE tickets SET code = '' WHERE registration_id = ?",
	[STMT_ANON_SCANS] =
	    "UPDATE scan_log SET response = NULL, nonce = NULL WHERE registration_id = ?",
	/* Args: id, id. */
	[STMT_ANON_MEETINGS] =
	    "UPDATE meetings SET message = '', requester_note = NULL, recipient_note = NULL "
	    "WHERE requester_id IN (SELECT id FROM match_profiles WHERE registration_id = ?) "
	    "OR recipient_id IN (SELECT id FROM match_profiles WHERE registration_id = ?)",
	[STMT_ANON_OPPS] =
	    "DELETE o FROM match_opportunities o JOIN match_profiles p ON p.id = o.profile_id "
	    "WHERE p.registration_id = ?",
	[STMT_ANON_PROFILE] =
	    "UPDATE match_profiles SET headline = '', about = '', topics = '[]', website = '', "
	    "country = '', visible = 0, withdrawn_at = IFNULL(withdrawn_at, NOW()) "
	    "WHERE registration_id = ?",
	[STMT_ANON_OUTBOX] =
	    "UPDATE outbox SET to_addr = '', to_name = '', last_reply = NULL, lease_until = NULL, "
	    "status = IF(status IN ('pending', 'sending'), 'skipped', status) "
	    "WHERE registration_id = ? AND kind <> 'erased'",
	/*
	 * Registrations past their event's retention (at most the instance's
	 * maximum days), locked for this transaction; several instances
	 * share the work.  Args: max days, limit.
	 */
	[STMT_RETENTION_DUE] =
	    "SELECT r.id FROM registrations r JOIN events e ON e.id = r.event_id "
	    "WHERE r.anonymised_at IS NULL AND e.ends_at < UTC_TIMESTAMP() - INTERVAL LEAST(e.retention_days, ?) DAY "
	    "ORDER BY r.id LIMIT ? FOR UPDATE SKIP LOCKED",
	/* Args: max days.  slug, ends_at, days, registrations due. */
	[STMT_RETENTION_PLAN] =
	    "SELECT e.slug, DATE_FORMAT(e.ends_at, '%Y-%m-%dT%H:%i:%sZ'), LEAST(e.retention_days, ?), COUNT(*) "
	    "FROM registrations r JOIN events e ON e.id = r.event_id "
	    "WHERE r.anonymised_at IS NULL AND e.ends_at < UTC_TIMESTAMP() - INTERVAL LEAST(e.retention_days, ?) DAY "
	    "GROUP BY e.id, e.slug, e.ends_at, e.retention_days ORDER BY e.ends_at",
	/* A lowered CONFERO_RETENTION_MAX_DAYS applies to every event.  Args: max, max. */
	[STMT_RETENTION_CLAMP] =
	    "UPDATE events SET retention_days = ? WHERE retention_days > ?",
	/*
	 * Subject access (GET /manage/{token}/data, db_privacy.c): what is
	 * held about one registration.  Args: its id (meetings: twice).
	 */
	/* A new erasure request, at most one every two minutes.  Args: nonce, id. */
	[STMT_ERASE_REQUEST] =
	    "UPDATE registrations SET erase_nonce = ?, erase_requested_at = NOW() WHERE id = ? "
	    "AND anonymised_at IS NULL AND (erase_requested_at IS NULL "
	    "OR erase_requested_at < NOW() - INTERVAL 2 MINUTE)",
	/* The nonce, and whether the request is still good (a day). */
	[STMT_ERASE_NONCE] =
	    "SELECT erase_nonce, erase_requested_at > NOW() - INTERVAL 1 DAY FROM registrations "
	    "WHERE id = ? AND erase_nonce IS NOT NULL",
	[STMT_SAR_CONSENT] =
	    "SELECT UNIX_TIMESTAMP(consent_at), consent_version, IFNULL(consent_language, language) "
	    "FROM registrations WHERE id = ?",
	/*
	 * A new version of an event's privacy texts, unless they equal the
	 * current one.  Args: consent, notice, user, event, consent, notice.
	 */
	[STMT_PRIVACY_NEW] =
	    "INSERT INTO privacy_versions (event_id, version, consent_text, notice, created_by) "
	    "SELECT e.id, e.privacy_version + 1, ?, ?, ? FROM events e WHERE e.id = ? AND NOT EXISTS "
	    "(SELECT 1 FROM privacy_versions p WHERE p.event_id = e.id AND p.version = e.privacy_version "
	    "AND p.consent_text <=> ? AND p.notice <=> ?)",
	[STMT_PRIVACY_BUMP] =
	    "UPDATE events SET privacy_version = privacy_version + 1 WHERE id = ?",
	/* Args: event, version (NULL: the current). */
	[STMT_PRIVACY_GET] =
	    "SELECT e.privacy_version, p.version, p.consent_text, p.notice, UNIX_TIMESTAMP(p.created_at) "
	    "FROM events e LEFT JOIN privacy_versions p ON p.event_id = e.id "
	    "AND p.version = IFNULL(?, e.privacy_version) WHERE e.id = ?",
	[STMT_SAR_TICKETS] =
	    "SELECT code, status, UNIX_TIMESTAMP(created_at), UNIX_TIMESTAMP(revoked_at) "
	    "FROM tickets WHERE registration_id = ? ORDER BY id",
	[STMT_SAR_CHECKINS] =
	    "SELECT FLOOR(UNIX_TIMESTAMP(c.at)), IF(c.point = 0, NULL, c.point), "
	    "IF(c.point = 0, NULL, s.title), c.gate, FLOOR(UNIX_TIMESTAMP(c.undone_at)) "
	    "FROM checkins c LEFT JOIN sessions s ON s.id = c.point WHERE c.registration_id = ? ORDER BY c.id",
	[STMT_SAR_SESSIONS] =
	    "SELECT s.id, s.title, UNIX_TIMESTAMP(s.starts_at) FROM registration_sessions rs "
	    "JOIN sessions s ON s.id = rs.session_id WHERE rs.registration_id = ? ORDER BY s.starts_at, s.id",
	[STMT_SAR_PROFILE] =
	    "SELECT id, visible, UNIX_TIMESTAMP(consent_at), UNIX_TIMESTAMP(withdrawn_at), hidden, headline, "
	    "about, organisation_type, country, topics, website, UNIX_TIMESTAMP(created_at), "
	    "UNIX_TIMESTAMP(updated_at) FROM match_profiles WHERE registration_id = ?",
	[STMT_SAR_OPPS] =
	    "SELECT o.id, o.kind, o.title, o.description, o.topics, UNIX_TIMESTAMP(o.created_at) "
	    "FROM match_opportunities o JOIN match_profiles p ON p.id = o.profile_id "
	    "WHERE p.registration_id = ? ORDER BY o.id",
	/* Their side only: their own outcome and note, the other's profile id. */
	[STMT_SAR_MEETINGS] =
	    "SELECT m.id, m.status, IF(m.requester_id = p.id, 'sent', 'received'), "
	    "IF(m.requester_id = p.id, m.recipient_id, m.requester_id), m.message, "
	    "UNIX_TIMESTAMP(m.created_at), UNIX_TIMESTAMP(sl.starts_at), m.table_no, "
	    "IF(m.requester_id = p.id, m.requester_outcome, m.recipient_outcome), "
	    "IF(m.requester_id = p.id, m.requester_note, m.recipient_note) "
	    "FROM meetings m JOIN match_profiles p ON p.registration_id = ? "
	    "AND (m.requester_id = p.id OR m.recipient_id = p.id) "
	    "LEFT JOIN match_slots sl ON sl.id = m.slot_id ORDER BY m.id",
	[STMT_SAR_MAILS] =
	    "SELECT o.kind, mg.subject, o.status, UNIX_TIMESTAMP(o.created_at), UNIX_TIMESTAMP(o.sent_at), "
	    "o.message_id FROM outbox o LEFT JOIN mailings mg ON mg.id = o.mailing_id "
	    "WHERE o.registration_id = ? ORDER BY o.id",
	[STMT_AUDIT_COUNT] =
	    "SELECT COUNT(*) FROM audit_log a " AUDIT_WHERE,
	[STMT_AUDIT_UNSEALED_COUNT] =
	    "SELECT COUNT(*) FROM audit_log WHERE seq IS NULL",
	[STMT_CHANGES_GET] =
	    "SELECT n FROM changes WHERE id = 1",
	[STMT_REG_INSERT] =
	    "INSERT INTO registrations (event_id, ticket_type_id, name, email, active_email, "
	    "organisation, status, holds_seat, answers, consent_at, manage_hash, manage_sealed, "
	    "language, consent_language, consent_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NOW(), ?, ?, ?, ?, ?)",
	/* Conditional writes: the seat is taken only if one is free. */
	[STMT_SEAT_EVENT_TAKE] =
	    "UPDATE events SET seats_taken = seats_taken + 1 "
	    "WHERE id = ? AND (capacity IS NULL OR seats_taken < capacity)",
	[STMT_SEAT_EVENT_FREE] =
	    "UPDATE events SET seats_taken = seats_taken - 1 WHERE id = ? AND seats_taken > 0",
	[STMT_SEAT_TTYPE_TAKE] =
	    "UPDATE ticket_types SET sold = sold + 1 WHERE id = ? AND (quota IS NULL OR sold < quota)",
	[STMT_SEAT_TTYPE_FREE] =
	    "UPDATE ticket_types SET sold = sold - 1 WHERE id = ? AND sold > 0",
	[STMT_SEAT_SESSION_TAKE] =
	    "UPDATE sessions SET signed_up = signed_up + 1 "
	    "WHERE id = ? AND (capacity IS NULL OR signed_up < capacity)",
	[STMT_SEAT_SESSION_FREE] =
	    "UPDATE sessions SET signed_up = signed_up - 1 WHERE id = ? AND signed_up > 0",
	[STMT_REG_SET_STATUS] =
	    "UPDATE registrations SET status = ?, holds_seat = ?, "
	    "active_email = IF(?, LOWER(email), NULL) WHERE id = ?",
	[STMT_REG_SESSION_ADD] =
	    "INSERT INTO registration_sessions (registration_id, session_id, holds_seat) "
	    "VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE holds_seat = VALUES(holds_seat)",
	[STMT_REG_SESSION_DEL] =
	    "DELETE FROM registration_sessions WHERE registration_id = ? AND session_id = ?",
	[STMT_REG_SESSIONS] =
	    "SELECT rs.session_id, rs.holds_seat, s.requires_signup FROM registration_sessions rs "
	    "JOIN sessions s ON s.id = rs.session_id WHERE rs.registration_id = ? "
	    "ORDER BY rs.session_id",
	[STMT_TICKET_INSERT] =
	    "INSERT INTO tickets (id, registration_id, event_id, code) VALUES (?, ?, ?, ?)",
	[STMT_TICKET_REVOKE] =
	    "UPDATE tickets SET status = 'revoked', revoked_at = NOW() "
	    "WHERE registration_id = ? AND status = 'valid'",
	/* Only the registration row is locked: seats are taken by UPDATEs. */
	[STMT_REG_LOCK] =
	    "SELECT id, event_id, ticket_type_id, status, holds_seat FROM registrations "
	    "WHERE id = ? FOR UPDATE",
	[STMT_REG_WAITLIST] =
	    "SELECT id, ticket_type_id FROM registrations WHERE event_id = ? AND status = 'waitlisted' "
	    "ORDER BY id LIMIT 50 FOR UPDATE SKIP LOCKED",
	[STMT_REG_BY_MANAGE] =
	    "SELECT id, event_id, anonymised_at IS NOT NULL FROM registrations WHERE manage_hash = ?",
	[STMT_REG_GET] = "SELECT " REG_COLS " WHERE r.id = ? AND r.event_id = ?",
	[STMT_REG_LIST] = "SELECT " REG_COLS " WHERE " REG_FILTER " ORDER BY r.id LIMIT ? OFFSET ?",
	[STMT_REG_COUNT] =
	    "SELECT COUNT(*) FROM registrations r WHERE " REG_FILTER,
	[STMT_REG_SET_LANGUAGE] =
	    "UPDATE registrations SET language = ? WHERE id = ? AND event_id = ?",
	[STMT_REG_UPDATE] =
	    "UPDATE registrations SET name = IF(?, ?, name), organisation = IF(?, ?, organisation), "
	    "answers = IF(?, ?, answers), email = IF(?, ?, email), "
	    "active_email = IF(active_email IS NULL, NULL, LOWER(email)) WHERE id = ? AND event_id = ?",
	[STMT_TTYPE_RULES] =
	    "SELECT id, price_cents, requires_approval, all_sessions, UNIX_TIMESTAMP(sale_starts_at), "
	    "UNIX_TIMESTAMP(sale_ends_at), name FROM ticket_types WHERE id = ? AND event_id = ?",
	[STMT_SESSION_RULES] =
	    "SELECT s.id, s.requires_signup, (t.all_sessions OR EXISTS (SELECT 1 FROM "
	    "ticket_type_sessions x WHERE x.ticket_type_id = t.id AND x.session_id = s.id)) "
	    "FROM sessions s JOIN ticket_types t ON t.id = ? WHERE s.id = ? AND s.event_id = ?",
	[STMT_QUESTION_RULES] =
	    /* Of the translations only the options' (the rules stay small enough to cache). */
	    "SELECT id, kind, required, options, IF(JSON_EXTRACT(tr, '$.options') IS NULL, NULL, "
	    "JSON_OBJECT('options', JSON_EXTRACT(tr, '$.options'))) FROM questions "
	    "WHERE event_id = ? ORDER BY position, id",

	/*
	 * Translations of organiser texts (content.c): the fields a change
	 * gave as plain strings are cleared, those given per language set.
	 */
	[STMT_TR_EVENT] = "UPDATE events SET tr = JSON_MERGE_PATCH(JSON_MERGE_PATCH("
	    "COALESCE(tr, '{}'), ?), ?) WHERE id = ? AND id = ?",
	[STMT_TR_SESSION] = "UPDATE sessions SET tr = JSON_MERGE_PATCH(JSON_MERGE_PATCH("
	    "COALESCE(tr, '{}'), ?), ?) WHERE event_id = ? AND id = ?",
	[STMT_TR_SPEAKER] = "UPDATE speakers SET tr = JSON_MERGE_PATCH(JSON_MERGE_PATCH("
	    "COALESCE(tr, '{}'), ?), ?) WHERE event_id = ? AND id = ?",
	[STMT_TR_TTYPE] = "UPDATE ticket_types SET tr = JSON_MERGE_PATCH(JSON_MERGE_PATCH("
	    "COALESCE(tr, '{}'), ?), ?) WHERE event_id = ? AND id = ?",
	[STMT_TR_QUESTION] = "UPDATE questions SET tr = JSON_MERGE_PATCH(JSON_MERGE_PATCH("
	    "COALESCE(tr, '{}'), ?), ?) WHERE event_id = ? AND id = ?",
	[STMT_TR_MAILING] = "UPDATE mailings SET tr = JSON_MERGE_PATCH(JSON_MERGE_PATCH("
	    "COALESCE(tr, '{}'), ?), ?) WHERE event_id = ? AND id = ?",
	[STMT_EVENT_LANGUAGES] = "UPDATE events SET languages = ? WHERE id = ?",

	[STMT_CK_TICKET] =
	    "SELECT t.id, t.status, t.event_id, r.id, r.status, r.name, r.organisation, tt.name, "
	    "r.ticket_type_id FROM tickets t JOIN registrations r ON r.id = t.registration_id "
	    "JOIN ticket_types tt ON tt.id = r.ticket_type_id WHERE t.id = ?",
	[STMT_CK_REG] =
	    "SELECT t.id, COALESCE(t.status, 'none'), r.event_id, r.id, r.status, r.name, "
	    "r.organisation, tt.name, r.ticket_type_id FROM registrations r "
	    "JOIN ticket_types tt ON tt.id = r.ticket_type_id "
	    "LEFT JOIN tickets t ON t.registration_id = r.id AND t.status = 'valid' "
	    "WHERE r.id = ? AND r.event_id = ?",
	[STMT_CK_SESSION] =
	    "SELECT s.requires_signup, (tt.all_sessions OR EXISTS (SELECT 1 FROM ticket_type_sessions x "
	    "WHERE x.ticket_type_id = tt.id AND x.session_id = s.id)), EXISTS (SELECT 1 FROM "
	    "registration_sessions rs WHERE rs.registration_id = ? AND rs.session_id = s.id), s.title "
	    "FROM sessions s JOIN ticket_types tt ON tt.id = ? WHERE s.id = ? AND s.event_id = ?",
	[STMT_CK_INSERT] =
	    "INSERT INTO checkins (event_id, registration_id, ticket_id, point, gate, by_user, by_token, "
	    "nonce, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, FROM_UNIXTIME(? / 1000))",
	[STMT_CK_FIRST] =
	    "SELECT UNIX_TIMESTAMP(at), gate, id FROM checkins "
	    "WHERE registration_id = ? AND point = ? AND live = 1",
	[STMT_CK_GET] =
	    "SELECT c.id, c.event_id, c.registration_id, c.point, e.slug FROM checkins c "
	    "JOIN events e ON e.id = c.event_id WHERE c.id = ? AND c.undone_at IS NULL",
	[STMT_CK_UNDO] =
	    "UPDATE checkins SET undone_at = NOW(3), undone_by = ? WHERE id = ? AND undone_at IS NULL",
	[STMT_SCAN_INSERT] =
	    "INSERT INTO scan_log (event_id, user_id, token_id, gate, point, result, registration_id, "
	    "ticket_id, nonce, http_status, response) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[STMT_SCAN_NONCE] =
	    "SELECT http_status, response, 0, 0, '', 0 FROM scan_log WHERE event_id = ? AND nonce = ? "
	    "UNION ALL SELECT 200, NULL, id, UNIX_TIMESTAMP(at), gate, registration_id FROM checkins "
	    "WHERE event_id = ? AND nonce = ?",
	[STMT_SCAN_LIST] =
	    "SELECT UNIX_TIMESTAMP(s.at), s.result, s.gate, NULLIF(s.point, 0), s.user_id, s.token_id, "
	    "s.registration_id, r.name, s.undone FROM (SELECT at, 'ok' AS result, gate, point, "
	    "by_user AS user_id, by_token AS token_id, registration_id, undone_at IS NOT NULL AS undone "
	    "FROM checkins WHERE event_id = ? UNION ALL SELECT at, result, gate, point, user_id, token_id, "
	    "registration_id, 0 FROM scan_log WHERE event_id = ?) s "
	    "LEFT JOIN registrations r ON r.id = s.registration_id WHERE (? IS NULL OR s.result = ?) "
	    "ORDER BY s.at DESC LIMIT 1000",
	[STMT_ATTENDEES] =
	    "SELECT r.id, r.name, r.organisation, tt.name, r.status, IF(?, r.email, NULL), "
	    "(SELECT UNIX_TIMESTAMP(MIN(c.at)) FROM checkins c WHERE c.registration_id = r.id "
	    "AND c.point = 0 AND c.live = 1) FROM registrations r "
	    "JOIN ticket_types tt ON tt.id = r.ticket_type_id WHERE r.event_id = ? AND "
	    "(r.name LIKE ? OR r.name LIKE ? OR r.email LIKE ? OR r.organisation LIKE ?) "
	    "ORDER BY r.name, r.id LIMIT 50",
	[STMT_STATS_STATUS] =
	    "SELECT status, COUNT(*) FROM registrations WHERE event_id = ? GROUP BY status",
	[STMT_STATS_CHECKED_IN] =
	    "SELECT COUNT(DISTINCT registration_id) FROM checkins "
	    "WHERE event_id = ? AND point = 0 AND live = 1",
	[STMT_STATS_TTYPES] =
	    "SELECT tt.id, tt.name, tt.quota, tt.sold, "
	    "(SELECT COUNT(*) FROM registrations r WHERE r.ticket_type_id = tt.id AND r.status = 'confirmed'), "
	    "(SELECT COUNT(*) FROM registrations r WHERE r.ticket_type_id = tt.id AND r.status = 'waitlisted'), "
	    "(SELECT COUNT(*) FROM checkins c JOIN registrations r ON r.id = c.registration_id "
	    "WHERE r.ticket_type_id = tt.id AND c.point = 0 AND c.live = 1) "
	    "FROM ticket_types tt WHERE tt.event_id = ? ORDER BY tt.id",
	[STMT_STATS_SESSIONS] =
	    "SELECT s.id, s.title, (SELECT COUNT(*) FROM registration_sessions rs JOIN registrations r "
	    "ON r.id = rs.registration_id WHERE rs.session_id = s.id AND r.status IN "
	    "('confirmed', 'pending_payment')), (SELECT COUNT(*) FROM checkins c WHERE c.event_id = s.event_id "
	    "AND c.point = s.id AND c.live = 1), s.capacity FROM sessions s WHERE s.event_id = ? "
	    "ORDER BY s.starts_at, s.id",
	[STMT_STATS_ARRIVALS] =
	    "SELECT FLOOR(UNIX_TIMESTAMP(at) / 900) * 900 AS b, FLOOR(UNIX_TIMESTAMP(at) / 900) * 900 + 900, "
	    "COUNT(*) FROM checkins WHERE event_id = ? AND point = 0 AND live = 1 GROUP BY b ORDER BY b",
	[STMT_REG_SEAL] = "UPDATE registrations SET manage_sealed = ? WHERE id = ?",
	[STMT_REG_MANAGE_SEALED] = "SELECT manage_sealed FROM registrations WHERE id = ?",
	[STMT_OUTBOX_REG] =
	    "INSERT INTO outbox (event_id, registration_id, kind, to_addr, to_name, message_id) "
	    "SELECT r.event_id, r.id, ?, r.email, r.name, "
	    "CONCAT('<', REPLACE(UUID(), '-', ''), '.r', r.id, '@', ?, '>') "
	    "FROM registrations r WHERE r.id = ?",
	/* One row per recipient of an audience; args: mailing, host, event, audience, id, id. */
	[STMT_OUTBOX_MAILING] =
	    "INSERT INTO outbox (event_id, registration_id, mailing_id, kind, to_addr, to_name, message_id) "
	    "SELECT r.event_id, r.id, ?, 'mailing', r.email, r.name, "
	    "CONCAT('<', REPLACE(UUID(), '-', ''), '.m', r.id, '@', ?, '>') "
	    "FROM registrations r WHERE r.event_id = ? AND CASE ? "
	    "WHEN 'attendees' THEN r.status = 'confirmed' "
	    "WHEN 'waitlisted' THEN r.status = 'waitlisted' "
	    "WHEN 'checked_in' THEN r.status = 'confirmed' AND EXISTS (SELECT 1 FROM checkins c "
	    "  WHERE c.registration_id = r.id AND c.point = 0 AND c.live = 1) "
	    "WHEN 'no_shows' THEN r.status = 'confirmed' AND NOT EXISTS (SELECT 1 FROM checkins c "
	    "  WHERE c.registration_id = r.id AND c.point = 0 AND c.live = 1) "
	    "WHEN 'session' THEN r.status IN ('confirmed', 'pending_payment') AND EXISTS (SELECT 1 "
	    "  FROM registration_sessions rs WHERE rs.registration_id = r.id AND rs.session_id = ?) "
	    "WHEN 'ticket_type' THEN r.status = 'confirmed' AND r.ticket_type_id = ? "
	    "WHEN 'matchmaking' THEN r.status = 'confirmed' AND EXISTS (SELECT 1 FROM match_profiles p "
	    "  WHERE p.registration_id = r.id) "
	    "WHEN 'matchmaking_no_meetings' THEN r.status = 'confirmed' AND EXISTS (SELECT 1 FROM "
	    "  match_profiles p WHERE p.registration_id = r.id AND NOT EXISTS (SELECT 1 FROM meetings m "
	    "  WHERE (m.requester_id = p.id OR m.recipient_id = p.id) AND m.status IN ('scheduled', 'held'))) "
	    "ELSE 0 END ORDER BY r.id",
	[STMT_OUTBOX_SPEAKERS] =
	    "INSERT INTO outbox (event_id, speaker_id, mailing_id, kind, to_addr, to_name, message_id) "
	    "SELECT s.event_id, s.id, ?, 'mailing', s.email, s.name, "
	    "CONCAT('<', REPLACE(UUID(), '-', ''), '.s', s.id, '@', ?, '>') "
	    "FROM speakers s WHERE s.event_id = ? AND s.email IS NOT NULL AND s.email <> '' ORDER BY s.id",
	/*
	 * Rows whose sender's lease ran out (it crashed), then due rows: two
	 * range scans on their own indexes, so the sent rows that pile up
	 * over the years are never read.
	 */
	[STMT_OUTBOX_CLAIM_STALE] =
	    "SELECT id FROM outbox WHERE status = 'sending' AND lease_until < NOW(3) "
	    "ORDER BY lease_until, id LIMIT ? FOR UPDATE SKIP LOCKED",
	[STMT_OUTBOX_CLAIM] =
	    "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= NOW(3) "
	    "ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED",
	/* A batch of up to 20 ids; unused places are 0. */
	[STMT_OUTBOX_LEASE] =
	    "UPDATE outbox SET status = 'sending', attempts = attempts + 1, "
	    "lease_until = NOW(3) + INTERVAL ? SECOND WHERE id IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[STMT_OUTBOX_LOAD] =
	    "SELECT id, kind, to_addr, to_name, message_id, attempts, event_id, registration_id, "
	    "speaker_id, mailing_id, UNIX_TIMESTAMP(created_at), meeting_id, about_day FROM outbox WHERE id IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
	    "ORDER BY id",
	/* Only while this sender still holds the lease (attempts as claimed):
	 * a sender whose lease ran out must not overwrite its successor's. */
	/* The last mail of an erasure forgets its address once it is done. */
	[STMT_OUTBOX_DONE] =
	    "UPDATE outbox SET status = ?, last_reply = IF(kind = 'erased', NULL, ?), lease_until = NULL, "
	    "to_addr = IF(kind = 'erased', '', to_addr), to_name = IF(kind = 'erased', '', to_name), "
	    "sent_at = IF(? = 'sent', NOW(3), sent_at) WHERE id = ? AND status = 'sending' AND attempts = ?",
	[STMT_OUTBOX_RETRY] =
	    "UPDATE outbox SET status = 'pending', last_reply = ?, lease_until = NULL, "
	    "next_attempt_at = NOW(3) + INTERVAL ? SECOND WHERE id = ? AND status = 'sending' AND attempts = ?",
	[STMT_OUTBOX_LIST] =
	    "SELECT id, kind, to_addr, to_name, status, attempts, last_reply, "
	    "UNIX_TIMESTAMP(created_at), UNIX_TIMESTAMP(sent_at), UNIX_TIMESTAMP(next_attempt_at), "
	    "mailing_id, registration_id FROM outbox WHERE event_id = ? "
	    "AND (? IS NULL OR status = ?) ORDER BY id DESC LIMIT 1000",
	[STMT_MAILING_INSERT] =
	    "INSERT INTO mailings (event_id, audience, subject, body, created_by) VALUES (?, ?, ?, ?, ?)",
	[STMT_MAILING_TOTAL] = "UPDATE mailings SET total = ? WHERE id = ?",
	[STMT_MAILING_GET] =
	    "SELECT m.id, e.slug, m.audience, m.subject, m.body, m.total, "
	    "COALESCE(SUM(o.status = 'sent'), 0), COALESCE(SUM(o.status IN ('failed', 'skipped')), 0), "
	    "COALESCE(SUM(o.status IN ('pending', 'sending')), 0), UNIX_TIMESTAMP(m.created_at), m.event_id, "
	    "m.tr FROM mailings m JOIN events e ON e.id = m.event_id "
	    "LEFT JOIN outbox o ON o.mailing_id = m.id WHERE m.id = ? GROUP BY m.id",
	[STMT_MAILING_LIST] =
	    "SELECT m.id, e.slug, m.audience, m.subject, m.body, m.total, "
	    "COALESCE(SUM(o.status = 'sent'), 0), COALESCE(SUM(o.status IN ('failed', 'skipped')), 0), "
	    "COALESCE(SUM(o.status IN ('pending', 'sending')), 0), UNIX_TIMESTAMP(m.created_at), m.event_id, "
	    "m.tr FROM mailings m JOIN events e ON e.id = m.event_id "
	    "LEFT JOIN outbox o ON o.mailing_id = m.id WHERE m.event_id = ? GROUP BY m.id ORDER BY m.id DESC",
	[STMT_MAILING_FIRST] =
	    "SELECT id, registration_id, speaker_id FROM outbox WHERE mailing_id = ? ORDER BY id LIMIT 1",

	/* ---- exports (db_export.c); "checked in" is a live entrance check-in */
	/* The ticket type by subquery: a join with the small ticket_types table
	 * made MariaDB sort all rows in a temporary table (1.7 -> 1.4 s for
	 * 100,000 rows); registrations come in id order straight from the index. */
	/*
	 * In registration order (streamed as stored), or by name as people of
	 * the event's language sort them: MariaDB's UCA collations.
	 */
#define EXP_ATTENDEES \
	"SELECT r.id, r.name, r.email, r.organisation, " \
	"(SELECT tt.name FROM ticket_types tt WHERE tt.id = r.ticket_type_id), r.status, " \
	"UNIX_TIMESTAMP(r.created_at), UNIX_TIMESTAMP(ck.at), ck.gate, r.answers, " \
	"(SELECT GROUP_CONCAT(session_id ORDER BY session_id) FROM registration_sessions " \
	"WHERE registration_id = r.id), " \
	"(SELECT GROUP_CONCAT(point ORDER BY point) FROM checkins c2 " \
	"WHERE c2.registration_id = r.id AND c2.point <> 0 AND c2.live = 1) " \
	"FROM registrations r " \
	"LEFT JOIN checkins ck ON ck.registration_id = r.id AND ck.point = 0 AND ck.live = 1 " \
	"WHERE " REG_FILTER " ORDER BY "
	[STMT_EXP_ATTENDEES] = EXP_ATTENDEES "r.id",
	[STMT_EXP_ATT_NAME] = EXP_ATTENDEES "r.name COLLATE utf8mb4_unicode_ci, r.id",
	[STMT_EXP_ATT_NAME_SL] = EXP_ATTENDEES "r.name COLLATE utf8mb4_slovenian_ci, r.id",
	[STMT_EXP_ATT_NAME_HU] = EXP_ATTENDEES "r.name COLLATE utf8mb4_hungarian_ci, r.id",
	[STMT_EXP_ATT_NAME_DA] = EXP_ATTENDEES "r.name COLLATE utf8mb4_danish_ci, r.id",
	[STMT_EXP_ATT_NAME_DE] = EXP_ATTENDEES "r.name COLLATE utf8mb4_german2_ci, r.id",
	[STMT_EXP_SESSIONS] =
	    "SELECT s.id, s.title, UNIX_TIMESTAMP(s.starts_at), UNIX_TIMESTAMP(s.ends_at), s.room, "
	    "s.capacity, COALESCE(su.n, 0), COALESCE(ck.n, 0) FROM sessions s "
	    "LEFT JOIN (SELECT rs.session_id, COUNT(*) AS n FROM registration_sessions rs "
	    "JOIN registrations r ON r.id = rs.registration_id WHERE r.event_id = ? "
	    "AND r.status = 'confirmed' GROUP BY rs.session_id) su ON su.session_id = s.id "
	    "LEFT JOIN (SELECT point, COUNT(*) AS n FROM checkins WHERE event_id = ? "
	    "AND point <> 0 AND live = 1 GROUP BY point) ck ON ck.point = s.id "
	    "WHERE s.event_id = ? ORDER BY s.starts_at, s.room, s.id",
	[STMT_EXP_DAYS] =
	    "SELECT registration_id, UNIX_TIMESTAMP(at) FROM checkins "
	    "WHERE event_id = ? AND live = 1",
	[STMT_EXP_TTYPES] =
	    "SELECT tt.name, tt.quota, COUNT(r.id), COUNT(ck.id) FROM ticket_types tt "
	    "LEFT JOIN registrations r ON r.ticket_type_id = tt.id AND r.status = 'confirmed' "
	    "LEFT JOIN checkins ck ON ck.registration_id = r.id AND ck.point = 0 AND ck.live = 1 "
	    "WHERE tt.event_id = ? GROUP BY tt.id, tt.name, tt.quota ORDER BY tt.id",
	[STMT_EXP_ORGS] =
	    "SELECT MIN(r.organisation), COUNT(*), COUNT(ck.id) FROM registrations r "
	    "LEFT JOIN checkins ck ON ck.registration_id = r.id AND ck.point = 0 AND ck.live = 1 "
	    "WHERE r.event_id = ? AND r.status = 'confirmed' GROUP BY r.organisation "
	    "ORDER BY COUNT(*) DESC, MIN(r.organisation)",
	[STMT_EXP_ANSWERS] =
	    "SELECT r.answers, ck.id IS NOT NULL FROM registrations r "
	    "LEFT JOIN checkins ck ON ck.registration_id = r.id AND ck.point = 0 AND ck.live = 1 "
	    "WHERE r.event_id = ? AND r.status = 'confirmed'",
	[STMT_EXP_BADGES] =
	    "SELECT r.id, r.name, r.organisation, tt.name, t.code, r.language, tt.tr "
	    "FROM registrations r "
	    "JOIN ticket_types tt ON tt.id = r.ticket_type_id "
	    "JOIN tickets t ON t.registration_id = r.id AND t.status = 'valid' "
	    "WHERE r.event_id = ? AND r.status = 'confirmed' "
	    "AND (? IS NULL OR r.ticket_type_id = ?) AND (? IS NULL OR r.id = ?) "
	    "ORDER BY r.name, r.id LIMIT ? OFFSET ?",
	[STMT_EXP_CERT_SESSIONS] =
	    "SELECT s.title, UNIX_TIMESTAMP(s.starts_at), UNIX_TIMESTAMP(s.ends_at), s.room "
	    "FROM sessions s JOIN checkins c ON c.point = s.id AND c.live = 1 "
	    "WHERE c.registration_id = ? AND s.event_id = ? ORDER BY s.starts_at, s.id",
	/* ---- matchmaking ---- */
	[STMT_MS_GET] =
	    "SELECT enabled, UNIX_TIMESTAMP(opens_at), UNIX_TIMESTAMP(closes_at), meeting_minutes, "
	    "max_meetings, request_expiry_hours, COALESCE(ticket_type_ids, '\"all\"'), organisation_types "
	    "FROM match_settings WHERE event_id = ?",
	[STMT_MS_PUT] =
	    "INSERT INTO match_settings (event_id, enabled, opens_at, closes_at, meeting_minutes, "
	    "max_meetings, request_expiry_hours, ticket_type_ids, organisation_types) VALUES "
	    "(?, ?, FROM_UNIXTIME(NULLIF(?, 0)), FROM_UNIXTIME(NULLIF(?, 0)), ?, ?, ?, ?, ?) "
	    "ON DUPLICATE KEY UPDATE enabled = VALUES(enabled), opens_at = VALUES(opens_at), "
	    "closes_at = VALUES(closes_at), meeting_minutes = VALUES(meeting_minutes), "
	    "max_meetings = VALUES(max_meetings), request_expiry_hours = VALUES(request_expiry_hours), "
	    "ticket_type_ids = VALUES(ticket_type_ids), organisation_types = VALUES(organisation_types)",
	[STMT_SLOT_LIST] =
	    "SELECT s.id, s.session_id, UNIX_TIMESTAMP(s.starts_at), UNIX_TIMESTAMP(s.ends_at), s.tables, "
	    "se.table_labels, se.room FROM match_slots s JOIN sessions se ON se.id = s.session_id "
	    "WHERE s.event_id = ? ORDER BY s.starts_at, s.session_id, s.id",
	[STMT_SLOT_SESSIONS] =
	    "SELECT id, UNIX_TIMESTAMP(starts_at), UNIX_TIMESTAMP(ends_at), COALESCE(tables, 0) "
	    "FROM sessions WHERE event_id = ? AND one_to_one = 1 AND kind = 'networking' ORDER BY id",
	[STMT_SLOT_UPSERT] =
	    "INSERT INTO match_slots (event_id, session_id, starts_at, ends_at, tables) VALUES "
	    "(?, ?, FROM_UNIXTIME(?), FROM_UNIXTIME(?), ?) ON DUPLICATE KEY UPDATE "
	    "ends_at = VALUES(ends_at), tables = VALUES(tables)",
	[STMT_SLOT_IDS] =
	    "SELECT id, session_id, UNIX_TIMESTAMP(starts_at), UNIX_TIMESTAMP(ends_at), tables "
	    "FROM match_slots WHERE event_id = ? ORDER BY id",
	[STMT_SLOT_SEATS_DROP] =
	    "DELETE s FROM meeting_seats s JOIN meetings m ON m.id = s.meeting_id "
	    "WHERE m.slot_id = ? AND m.table_no >= ?",
	[STMT_SLOT_UNPLACE] =
	    "UPDATE meetings SET status = IF(status = 'scheduled', 'accepted', status), "
	    "slot_id = NULL, table_no = NULL, time_mailed = 0 WHERE slot_id = ? AND table_no >= ?",
	[STMT_SLOT_DELETE] = "DELETE FROM match_slots WHERE id = ?",

	[STMT_PROFILE_BY_REG] =
	    "SELECT id, event_id, registration_id, visible, hidden, available_all, organisation_type, "
	    "country FROM match_profiles WHERE registration_id = ?",
	[STMT_PROFILE_GET] =
	    "SELECT id, event_id, registration_id, visible, hidden, available_all, organisation_type, "
	    "country FROM match_profiles WHERE id = ? AND event_id = ?",
	/* The consent's time is when visible last turned 1; LAST_INSERT_ID gives the id either way. */
	[STMT_PROFILE_PUT] =
	    "INSERT INTO match_profiles (event_id, registration_id, visible, consent_at, headline, about, "
	    "organisation_type, country, topics, website, available_all) VALUES "
	    "(?, ?, ?, IF(?, NOW(), NULL), ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
	    "id = LAST_INSERT_ID(id), "
	    "consent_at = IF(VALUES(visible) = 1 AND (visible = 0 OR consent_at IS NULL), NOW(), consent_at), "
	    "withdrawn_at = IF(VALUES(visible) = 1, NULL, COALESCE(withdrawn_at, NOW())), "
	    "visible = VALUES(visible), headline = VALUES(headline), about = VALUES(about), "
	    "organisation_type = VALUES(organisation_type), country = VALUES(country), "
	    "topics = VALUES(topics), website = VALUES(website), available_all = VALUES(available_all)",
	[STMT_AVAIL_CLEAR] = "DELETE FROM match_availability WHERE profile_id = ?",
	[STMT_AVAIL_ADD] =
	    "INSERT INTO match_availability (profile_id, slot_id) SELECT ?, id FROM match_slots "
	    "WHERE id = ? AND event_id = ?",
	[STMT_PROFILE_WITHDRAW] =
	    "UPDATE match_profiles SET visible = 0, withdrawn_at = NOW() WHERE id = ?",
	[STMT_PROFILE_HIDE] = "UPDATE match_profiles SET hidden = ? WHERE id = ? AND event_id = ?",
	[STMT_PROFILE_JSON] =
	    "SELECT p.id, r.name, r.organisation, p.visible, p.hidden, p.headline, p.about, "
	    "p.organisation_type, p.country, p.topics, p.website, IF(p.available_all, '\"all\"', "
	    "(SELECT COALESCE(JSON_ARRAYAGG(a.slot_id ORDER BY a.slot_id), '[]') FROM match_availability a "
	    "WHERE a.profile_id = p.id)), UNIX_TIMESTAMP(p.consent_at), UNIX_TIMESTAMP(p.withdrawn_at), "
	    OPPS_JSON " FROM match_profiles p JOIN registrations r ON r.id = p.registration_id WHERE p.id = ?",

	[STMT_OPP_INSERT] =
	    "INSERT INTO match_opportunities (profile_id, kind, title, description, topics) "
	    "VALUES (?, ?, ?, ?, ?)",
	[STMT_OPP_UPDATE] =
	    "UPDATE match_opportunities SET kind = IF(?, ?, kind), title = IF(?, ?, title), "
	    "description = IF(?, ?, description), topics = IF(?, ?, topics) WHERE id = ? AND profile_id = ?",
	[STMT_OPP_DELETE] = "DELETE FROM match_opportunities WHERE id = ? AND profile_id = ?",
	[STMT_OPP_GET] =
	    "SELECT id, kind, title, description, topics, UNIX_TIMESTAMP(created_at) "
	    "FROM match_opportunities WHERE id = ? AND profile_id = ?",
	[STMT_OPP_LIST] =
	    "SELECT id, kind, title, description, topics, UNIX_TIMESTAMP(created_at) "
	    "FROM match_opportunities WHERE profile_id = ? ORDER BY id",
	[STMT_OPP_OWNER] =
	    "SELECT o.profile_id FROM match_opportunities o JOIN match_profiles p ON p.id = o.profile_id "
	    "WHERE o.id = ? AND p.event_id = ?",

	[STMT_DIR_LIST] =
	    "SELECT p.id, r.name, r.organisation, p.headline, p.about, p.organisation_type, p.country, "
	    "p.topics, p.website, " OPPS_JSON " FROM match_profiles p JOIN registrations r "
	    "ON r.id = p.registration_id WHERE " DIR_FILTER " ORDER BY r.name, p.id LIMIT ? OFFSET ?",
	[STMT_DIR_COUNT] =
	    "SELECT COUNT(*) FROM match_profiles p JOIN registrations r ON r.id = p.registration_id "
	    "WHERE " DIR_FILTER,
	[STMT_COUNTERPARTS] =
	    "SELECT IF(requester_id = ?, recipient_id, requester_id), status FROM meetings "
	    "WHERE requester_id = ? OR recipient_id = ?",

	[STMT_MEET_EXPIRE] =
	    "UPDATE meetings SET status = 'expired', live = NULL "
	    "WHERE event_id = ? AND status = 'requested' AND expires_at <= NOW()",
	[STMT_MEET_LOCK] = "SELECT id FROM match_profiles WHERE id IN (?, ?) ORDER BY id FOR UPDATE",
	[STMT_MEET_LIVE_COUNT] =
	    "SELECT COUNT(*) FROM meetings WHERE (requester_id = ? AND status IN "
	    "('requested', 'accepted', 'scheduled', 'held')) OR (recipient_id = ? AND status IN "
	    "('accepted', 'scheduled', 'held'))",
	[STMT_MEET_INSERT] =
	    "INSERT INTO meetings (event_id, requester_id, recipient_id, lo_id, hi_id, status, live, "
	    "message, opportunity_id, expires_at) VALUES (?, ?, ?, LEAST(?, ?), GREATEST(?, ?), "
	    "'requested', 1, ?, ?, NOW() + INTERVAL ? HOUR)",
	[STMT_MEET_GET] =
	    "SELECT m.id, m.event_id, m.requester_id, m.recipient_id, COALESCE(m.slot_id, 0), "
	    "COALESCE(m.table_no, -1), COALESCE(m.opportunity_id, 0), UNIX_TIMESTAMP(m.expires_at), "
	    "COALESCE(UNIX_TIMESTAMP(sl.starts_at), 0), COALESCE(UNIX_TIMESTAMP(sl.ends_at), 0), "
	    "m.status, m.time_mailed, COALESCE(UNIX_TIMESTAMP(m.held_at), 0) FROM meetings m "
	    "LEFT JOIN match_slots sl ON sl.id = m.slot_id WHERE m.id = ? AND m.event_id = ?",
	/* A meeting that is no longer placed gives its seats and table back. Args: to ×4, by, to, id, from. */
	[STMT_MEET_SET_STATUS] =
	    "UPDATE meetings SET answered_at = IF(status = 'requested', NOW(), answered_at), "
	    "live = IF(? IN ('requested', 'accepted', 'scheduled', 'held'), 1, NULL), "
	    "slot_id = IF(? IN ('scheduled', 'held'), slot_id, NULL), "
	    "table_no = IF(? IN ('scheduled', 'held'), table_no, NULL), "
	    "cancelled_by = IF(? = 'cancelled', ?, cancelled_by), status = ? "
	    "WHERE id = ? AND status = ?",
	[STMT_MEET_FREE_SLOTS] =
	    "SELECT s.id FROM match_slots s JOIN match_profiles a ON a.id = ? JOIN match_profiles b "
	    "ON b.id = ? WHERE s.event_id = ? AND s.starts_at > NOW() "
	    "AND (a.available_all = 1 OR EXISTS (SELECT 1 FROM match_availability x "
	    "WHERE x.profile_id = a.id AND x.slot_id = s.id)) "
	    "AND (b.available_all = 1 OR EXISTS (SELECT 1 FROM match_availability x "
	    "WHERE x.profile_id = b.id AND x.slot_id = s.id)) "
	    "AND NOT EXISTS (SELECT 1 FROM meeting_seats t WHERE t.slot_id = s.id "
	    "AND t.profile_id IN (a.id, b.id)) "
	    "AND (SELECT COUNT(*) FROM meetings m WHERE m.slot_id = s.id) < s.tables "
	    "ORDER BY s.starts_at, s.id",
	[STMT_MEET_TABLES_USED] =
	    "SELECT m.table_no, s.tables FROM match_slots s LEFT JOIN meetings m ON m.slot_id = s.id "
	    "WHERE s.id = ? FOR UPDATE",
	[STMT_MEET_SEAT] = "INSERT INTO meeting_seats (slot_id, profile_id, meeting_id) VALUES (?, ?, ?)",
	[STMT_MEET_UNSEAT] = "DELETE FROM meeting_seats WHERE meeting_id = ?",
	[STMT_MEET_PLACE] =
	    "UPDATE meetings SET slot_id = ?, table_no = ?, status = IF(status = 'held', 'held', 'scheduled'), "
	    "booked_by = ?, time_mailed = 0 WHERE id = ?",
	[STMT_MEET_UNPLACE] =
	    "UPDATE meetings SET slot_id = NULL, table_no = NULL, "
	    "status = IF(status = 'scheduled', 'accepted', status) WHERE id = ?",
	[STMT_MEET_MAILED] = "UPDATE meetings SET time_mailed = 1 WHERE id = ?",
	[STMT_MEET_HELD] =
	    "UPDATE meetings SET status = 'held', held_at = NOW(), held_by = ? "
	    "WHERE id = ? AND status IN ('accepted', 'scheduled')",
	[STMT_MEET_OUTCOME_REQ] =
	    "UPDATE meetings SET requester_outcome = ?, requester_note = ? WHERE id = ?",
	[STMT_MEET_OUTCOME_REC] =
	    "UPDATE meetings SET recipient_outcome = ?, recipient_note = ? WHERE id = ?",
	[STMT_MEET_JSON] =
	    "SELECT " MEET_PCOLS " FROM (SELECT m.*, IF(m.requester_id = ?, m.recipient_id, m.requester_id) "
	    "AS other_id, m.requester_id = ? AS mine_sent FROM meetings m WHERE m.id = ? AND m.event_id = ?) m "
	    MEET_PJOINS,
	[STMT_MEET_MINE] =
	    "SELECT " MEET_PCOLS " FROM (SELECT m.*, IF(m.requester_id = ?, m.recipient_id, m.requester_id) "
	    "AS other_id, m.requester_id = ? AS mine_sent FROM meetings m WHERE m.requester_id = ? "
	    "OR m.recipient_id = ?) m " MEET_PJOINS
	    " ORDER BY sl.starts_at IS NULL, sl.starts_at, m.id DESC",
	[STMT_MEET_LIST] =
	    "SELECT " MEET_OCOLS " WHERE m.event_id = ? AND (? IS NULL OR IF(? = 'no_show', "
	    "m.status = 'scheduled' AND sl.ends_at < NOW(), m.status = ?)) "
	    "AND (? = 0 OR m.requester_id = ? OR m.recipient_id = ?) AND (? = 0 OR m.slot_id = ?) "
	    "ORDER BY sl.starts_at IS NULL, sl.starts_at, m.table_no, m.id",
	[STMT_MEET_EXPORT] =
	    "SELECT " MEET_OCOLS " WHERE m.event_id = ? "
	    "ORDER BY sl.starts_at IS NULL, sl.starts_at, m.table_no, m.id",
	[STMT_MATCH_PARTICIPANTS] =
	    "SELECT p.id, r.id, r.name, r.email, r.organisation, p.visible, p.hidden, p.headline, "
	    "p.organisation_type, p.country, p.topics, UNIX_TIMESTAMP(p.consent_at), "
	    "(SELECT COUNT(*) FROM meetings m WHERE (m.requester_id = p.id OR m.recipient_id = p.id) "
	    "AND m.status IN ('scheduled', 'held')), "
	    "(SELECT COUNT(*) FROM meetings m WHERE (m.requester_id = p.id OR m.recipient_id = p.id) "
	    "AND m.status = 'held'), "
	    "(SELECT COUNT(*) FROM meetings m WHERE (m.requester_id = p.id OR m.recipient_id = p.id) "
	    "AND m.status = 'requested'), "
	    "(SELECT COUNT(*) FROM match_opportunities o WHERE o.profile_id = p.id) "
	    "FROM match_profiles p JOIN registrations r ON r.id = p.registration_id "
	    "WHERE p.event_id = ? ORDER BY r.name, p.id",
	[STMT_WORLD_SLOTS] =
	    "SELECT id, session_id, tables, UNIX_TIMESTAMP(starts_at) FROM match_slots "
	    "WHERE event_id = ? AND starts_at > NOW() ORDER BY starts_at, session_id, id",
	[STMT_WORLD_PEOPLE] =
	    "SELECT p.id, p.available_all FROM match_profiles p JOIN registrations r "
	    "ON r.id = p.registration_id WHERE p.event_id = ? ORDER BY p.id",
	[STMT_WORLD_AVAIL] =
	    "SELECT a.profile_id, a.slot_id FROM match_availability a JOIN match_profiles p "
	    "ON p.id = a.profile_id WHERE p.event_id = ?",
	[STMT_WORLD_MEETINGS] =
	    "SELECT m.id, m.requester_id, m.recipient_id, COALESCE(m.slot_id, 0), COALESCE(m.table_no, -1), "
	    "m.time_mailed, m.status FROM meetings m LEFT JOIN match_slots s ON s.id = m.slot_id "
	    "WHERE m.event_id = ? AND (m.status = 'accepted' OR (m.status IN ('scheduled', 'held') "
	    "AND s.starts_at > NOW())) ORDER BY m.id",
	[STMT_MSTAT_STATUS] =
	    "SELECT COUNT(*), SUM(m.status IN ('accepted', 'scheduled', 'held')), SUM(m.status = 'declined'), "
	    "SUM(m.status = 'expired'), SUM(m.status = 'cancelled'), SUM(m.status IN ('scheduled', 'held') "
	    "AND m.slot_id IS NOT NULL), SUM(m.status = 'held'), SUM(m.status = 'scheduled' AND sl.ends_at < NOW()), "
	    "SUM(m.status = 'requested'), SUM(m.status = 'accepted') "
	    "FROM meetings m LEFT JOIN match_slots sl ON sl.id = m.slot_id WHERE m.event_id = ?",
	[STMT_MSTAT_TYPES] =
	    "SELECT p.organisation_type, COUNT(*), SUM((SELECT COUNT(*) FROM meetings m WHERE m.status = 'held' "
	    "AND (m.requester_id = p.id OR m.recipient_id = p.id)) > 0), SUM((SELECT COUNT(*) FROM meetings m "
	    "WHERE m.status = 'held' AND (m.requester_id = p.id OR m.recipient_id = p.id))) "
	    "FROM match_profiles p WHERE p.event_id = ? GROUP BY p.organisation_type ORDER BY 2 DESC, 1",
	[STMT_MSTAT_COUNTRIES] =
	    "SELECT p.country, COUNT(*), SUM((SELECT COUNT(*) FROM meetings m WHERE m.status = 'held' "
	    "AND (m.requester_id = p.id OR m.recipient_id = p.id)) > 0), SUM((SELECT COUNT(*) FROM meetings m "
	    "WHERE m.status = 'held' AND (m.requester_id = p.id OR m.recipient_id = p.id))) "
	    "FROM match_profiles p WHERE p.event_id = ? GROUP BY p.country ORDER BY 2 DESC, 1",
	[STMT_MSTAT_PAIRS] =
	    "SELECT LEAST(pa.organisation_type, pb.organisation_type) AS t1, "
	    "GREATEST(pa.organisation_type, pb.organisation_type) AS t2, COUNT(*), SUM(m.status = 'held') "
	    "FROM meetings m JOIN match_profiles pa ON pa.id = m.requester_id "
	    "JOIN match_profiles pb ON pb.id = m.recipient_id "
	    "WHERE m.event_id = ? AND m.status IN ('scheduled', 'held') GROUP BY t1, t2 ORDER BY 3 DESC, 1, 2",
	[STMT_MSTAT_PER_PERSON] =
	    "SELECT n, COUNT(*) FROM (SELECT (SELECT COUNT(*) FROM meetings m WHERE m.status IN "
	    "('scheduled', 'held') AND (m.requester_id = p.id OR m.recipient_id = p.id)) AS n "
	    "FROM match_profiles p WHERE p.event_id = ?) x GROUP BY n ORDER BY n",
	[STMT_MSTAT_OUTCOMES] =
	    "SELECT o, COUNT(*) FROM (SELECT requester_outcome AS o FROM meetings WHERE event_id = ? "
	    "AND requester_outcome IS NOT NULL UNION ALL SELECT recipient_outcome FROM meetings "
	    "WHERE event_id = ? AND recipient_outcome IS NOT NULL) x GROUP BY o ORDER BY o",
	[STMT_MSTAT_PEOPLE] =
	    "SELECT COUNT(*), COALESCE(SUM(visible = 1 AND hidden = 0), 0), COUNT(DISTINCT NULLIF(country, '')), "
	    "COALESCE(SUM(h), 0), COUNT(DISTINCT IF(h, NULLIF(country, ''), NULL)) FROM (SELECT p.*, "
	    "EXISTS (SELECT 1 FROM meetings m WHERE m.status = 'held' AND (m.requester_id = p.id "
	    "OR m.recipient_id = p.id)) AS h FROM match_profiles p WHERE p.event_id = ?) x",
	[STMT_OUTBOX_MEETING] =
	    "INSERT INTO outbox (event_id, registration_id, meeting_id, kind, to_addr, to_name, message_id) "
	    "SELECT r.event_id, r.id, ?, ?, r.email, r.name, "
	    "CONCAT('<', REPLACE(UUID(), '-', ''), '.g', r.id, '@', ?, '>') "
	    "FROM match_profiles p JOIN registrations r ON r.id = p.registration_id WHERE p.id = ?",
	/* One reminder per person and day (its Message-ID); a move only changes when it is due. */
	[STMT_OUTBOX_REMINDER] =
	    "INSERT INTO outbox (event_id, registration_id, kind, to_addr, to_name, message_id, "
	    "about_day, next_attempt_at) SELECT r.event_id, r.id, 'meeting_reminder', r.email, r.name, "
	    "CONCAT('<reminder.', p.id, '.', REPLACE(?, '-', ''), '.', r.event_id, '@', ?, '>'), ?, "
	    "FROM_UNIXTIME(?) FROM match_profiles p JOIN registrations r ON r.id = p.registration_id "
	    "WHERE p.id = ? ON DUPLICATE KEY UPDATE next_attempt_at = IF(outbox.status = 'pending', "
	    "VALUES(next_attempt_at), outbox.next_attempt_at)",
	/* A password change by the user: the session that made it stays. */
	[STMT_SESSION_DELETE_USER_OTHERS] =
	    "DELETE FROM auth_sessions WHERE user_id = ? AND token_hash <> ?",
	/* Attempts in the current window (each counted before it is checked). */
	[STMT_THROTTLE_COUNT] =
	    "SELECT COALESCE(MAX(failures), 0) FROM login_throttle WHERE scope_hash = ? "
	    "AND window_start >= NOW() - INTERVAL ? SECOND",
	/* A login that succeeded was no failure. Args: max, key. */
	[STMT_THROTTLE_UNDO] =
	    "UPDATE login_throttle SET blocked_until = IF(failures - 1 < ?, NULL, blocked_until), "
	    "failures = GREATEST(failures, 1) - 1 WHERE scope_hash = ?",
};
