/* Request handlers, one file per resource (api_*.c); see routes.c. */
#ifndef CONFERO_API_H
#define CONFERO_API_H

#include "err.h"
#include "route.h"

struct req;
struct user;
struct token;

enum err api_healthz(struct req *);

enum err api_login(struct req *);
enum err api_logout(struct req *);
enum err api_me(struct req *);
enum err api_me_update(struct req *);

enum err api_users_create(struct req *);
enum err api_users_list(struct req *);
enum err api_users_get(struct req *);
enum err api_users_update(struct req *);

enum err api_tokens_create(struct req *);
enum err api_tokens_list(struct req *);
enum err api_tokens_delete(struct req *);

/* Shared helpers (api_common.c). */
#include <cjson/cJSON.h>
cJSON *user_json(const struct user *);
/* Parse a positive decimal id from a path parameter; 0 when invalid. */
long long parse_id(const char *s);
/*
 * The query parameter key as one of allowed[] (NULL-terminated): *out
 * points into allowed[], or is NULL when the parameter is absent or empty;
 * any other value is ERR_INVALID with the field named.
 */
enum err query_enum(struct req *, const char *key, const char *const *allowed,
    const char **out);
/*
 * An organiser's list of one event's rows, filtered by an optional
 * query_enum parameter: 200 {"<name>": [...]} as list() fills the array.
 */
struct db;
typedef enum err (*event_list_fn)(struct db *, long long event_id,
    const char *filter, const char *tz, cJSON *array);
enum err reply_event_list(struct req *, const char *key, const char *const *allowed,
    const char *name, event_list_fn list);
/* j as compact JSON text in the request arena (NULL: no memory). */
char *req_json_text(struct req *, const cJSON *j);
/* Lower-case ASCII copy in the request arena. */
char *lower_dup(struct req *, const char *s);
/* "user"/"token" and the id, for audit rows. */
const char *actor_kind(const struct req *);
long long actor_id(const struct req *);

#endif

/* Events and the programme (api_events.c, api_programme.c). */
struct event_ref;
struct vld;
enum err api_events_create(struct req *);
enum err api_events_list(struct req *);
enum err api_events_get(struct req *);
enum err api_events_get_lane(struct req *);
enum err api_events_update(struct req *);
enum err api_events_publish(struct req *);
enum err api_events_close(struct req *);
enum err api_events_members_add(struct req *);
enum err api_events_members_list(struct req *);
enum err api_events_checkin_key(struct req *);
enum err api_sessions_create(struct req *);
enum err api_sessions_list(struct req *);
enum err api_sessions_get(struct req *);
enum err api_sessions_update(struct req *);
enum err api_sessions_delete(struct req *);
enum err api_speakers_create(struct req *);
enum err api_speakers_list(struct req *);
enum err api_speakers_get(struct req *);
enum err api_speakers_update(struct req *);
enum err api_speakers_delete(struct req *);
enum err api_ttypes_create(struct req *);
enum err api_ttypes_list(struct req *);
enum err api_ttypes_get(struct req *);
enum err api_ttypes_update(struct req *);
enum err api_ttypes_delete(struct req *);
enum err api_questions_create(struct req *);
enum err api_questions_list(struct req *);
enum err api_questions_update(struct req *);
enum err api_questions_delete(struct req *);
enum err api_programme_ics(struct req *);

/*
 * Load the event of the {slug} path parameter and check access.  need
 * ROLE_NONE: anyone, but drafts only for its staff (404 otherwise);
 * otherwise the caller must hold that role and be a member of the event
 * (admins always are; an event-scoped token only for its event).
 */
enum err event_load(struct req *, enum role need, struct event_ref *);
struct reg_filter;
/* status, ticket_type, checked_in and q of the query string. */
enum err reg_filter_query(struct req *, struct reg_filter *);
enum err event_load_slug(struct req *, const char *slug, enum role need,
    struct event_ref *);
/* 1 when the caller is staff of this event (member or admin). */
int event_is_staff(struct req *, const struct event_ref *);
/* Keep ev as event_load() does, for a second (a background refresh). */
void event_cache_put(const struct event_ref *ev);
/* RFC 3339 field to epoch; *present tells whether it was given (null: 0). */
long long vld_time(struct vld *, const cJSON *obj, const char *key,
    int required, int *present);
/* The key is in the object (possibly null). */
int has_key(const cJSON *obj, const char *key);
int is_null_key(const cJSON *obj, const char *key);
/* Array of positive integer ids (deduplicated); -1 and a field error if bad. */
int vld_ids(struct vld *, const cJSON *obj, const char *key, struct req *,
    long long **ids);

/* Registrations (api_registrations.c). */
/* The registration of the {token} manage link and its event; ERR_NOTFOUND otherwise. */
enum err manage_load(struct req *, struct event_ref *, long long *reg_id);
enum err api_register(struct req *);
enum err api_manage_get(struct req *);
enum err api_manage_update(struct req *);
enum err api_manage_cancel(struct req *);
enum err api_registrations_list(struct req *);
enum err api_audit_event(struct req *);
enum err api_registrations_erase(struct req *);
enum err api_manage_data(struct req *);
enum err api_manage_erase(struct req *);
enum err api_events_privacy(struct req *);
enum err api_audit_all(struct req *);
enum err api_registrations_get(struct req *);
enum err api_registrations_update(struct req *);
enum err api_registrations_approve(struct req *);
enum err api_registrations_reject(struct req *);
enum err api_registrations_cancel(struct req *);
enum err api_registrations_mark_paid(struct req *);
enum err api_registrations_reissue(struct req *);

/* Tickets and check-in (api_checkin.c). */
enum err api_ticket_qr(struct req *);
enum err api_checkin(struct req *);
/* The same on the event thread, for scans that need nothing but a ticket row. */
enum err api_checkin_lane(struct req *);
enum err api_checkin_undo(struct req *);
enum err api_attendees(struct req *);
enum err api_stats(struct req *);
enum err api_scans(struct req *);
enum err api_export_attendees_csv(struct req *);
enum err api_export_attendees_xlsx(struct req *);
enum err api_export_attendance_csv(struct req *);
enum err api_export_attendance_xlsx(struct req *);
enum err api_export_badges(struct req *);
enum err api_registration_certificate(struct req *);

/* A file in CONFERO_TMPDIR for a library to write (api_exports.c); arena memory. */
enum err temp_path(struct req *, char **path);
/* Send the finished file at path, which is removed at once. */
enum err send_file(struct req *, const char *path, const char *ctype);
/* Content-Disposition: attachment; filename="<slug>-<what>". */
void attachment(struct req *, const char *slug, const char *what);
/* ISO 3166-1 alpha-2, upper case (api_registrations.c). */
int country_valid(const char *s);

/* Mail (api_mail.c). */
enum err api_mailings_create(struct req *);
enum err api_mailings_preview(struct req *);
enum err api_mailings_get(struct req *);
enum err api_mailings_list(struct req *);
enum err api_outbox_list(struct req *);
enum err api_registrations_resend(struct req *);

/* Matchmaking (api_match.c). */
enum err api_match_settings_get(struct req *);
enum err api_match_settings_put(struct req *);
enum err api_match_slots(struct req *);
enum err api_match_schedule(struct req *);
enum err api_match_participants(struct req *);
enum err api_match_participant_update(struct req *);
enum err api_meetings_list(struct req *);
enum err api_meetings_book(struct req *);
enum err api_meetings_move(struct req *);
enum err api_meetings_staff_held(struct req *);
enum err api_export_meetings_csv(struct req *);
enum err api_export_meetings_xlsx(struct req *);
enum err api_export_table_plan(struct req *);
enum err api_my_matchmaking(struct req *);
enum err api_my_profile_get(struct req *);
enum err api_my_profile_put(struct req *);
enum err api_my_profile_delete(struct req *);
enum err api_my_opps_list(struct req *);
enum err api_my_opps_create(struct req *);
enum err api_my_opps_get(struct req *);
enum err api_my_opps_update(struct req *);
enum err api_my_opps_delete(struct req *);
enum err api_my_directory(struct req *);
enum err api_my_recommendations(struct req *);
enum err api_my_meetings_list(struct req *);
enum err api_my_meetings_request(struct req *);
enum err api_my_meeting_accept(struct req *);
enum err api_my_meeting_decline(struct req *);
enum err api_my_meeting_cancel(struct req *);
enum err api_my_meeting_held(struct req *);
enum err api_my_meeting_outcome(struct req *);
enum err api_my_agenda(struct req *);
enum err api_my_agenda_ics(struct req *);
enum err api_my_agenda_pdf(struct req *);
/* The matchmaking block of the event's stats (api_checkin.c adds it). */
struct db;
enum err match_stats_json(struct db *, long long event_id, cJSON *stats);
