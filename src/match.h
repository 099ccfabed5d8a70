/*
 * B2B matchmaking: settings, slots cut from one-to-one sessions, profiles
 * and opportunities, meeting requests and their life (requested, accepted,
 * scheduled, held; declined, cancelled, expired), placement in a slot and
 * at a table, and the organisers' scheduler run.  The rules are here
 * (match.c); the SQL is db_match.c; the placement algorithm is the pure
 * match_schedule.c.  Uniqueness (pair, table, person per slot) is enforced
 * by keys in MariaDB, so parallel clients can never break it.
 */
#ifndef CONFERO_MATCH_H
#define CONFERO_MATCH_H

#include <cjson/cJSON.h>

#include "db.h"
#include "event.h"

#define MATCH_ORGTYPES_MAX 32

struct match_settings {
	int exists, enabled;
	long long opens_at, closes_at;          /* epoch, 0: none */
	int meeting_minutes, max_meetings, expiry_hours;
	int all_ttypes;
	long long ttypes[64];
	int nttypes;
	char orgtypes[MATCH_ORGTYPES_MAX][32];
	int norgtypes;
};

/* The organisation types offered when an organiser names none. */
extern const char *const match_default_orgtypes[];

struct match_profile {
	long long id, event_id, reg_id;
	int visible, hidden, available_all;
	char organisation_type[32], country[3];
};

struct meeting {
	long long id, event_id, requester, recipient, slot_id, table_no;
	long long opportunity_id, expires_at, slot_starts, slot_ends;
	char status[16];
	int time_mailed;
	long long held_at;                      /* epoch, 0: not held */
};

/* ---- db layer (db_match.c) ---- */
enum err db_match_settings(struct db *, long long event_id, struct match_settings *);
/* The settings as the API shows them (tz: times in that zone). */
enum err db_match_settings_json(struct db *, long long event_id, const char *tz, cJSON **);
enum err db_match_settings_put(struct db *, long long event_id, const struct match_settings *);

/* The slots of an event, in time order: [{"id","session_id","starts_at","ends_at","tables"}]. */
enum err db_match_slots_json(struct db *, long long event_id, const char *tz, cJSON *array);

enum err db_match_profile_by_reg(struct db *, long long reg_id, struct match_profile *);
enum err db_match_profile_get(struct db *, long long event_id, long long id,
    struct match_profile *);
struct match_profile_in {
	int visible, available_all;
	const char *headline, *about, *organisation_type, *country, *topics, *website;
};
enum err db_match_profile_put(struct db *, long long event_id, long long reg_id,
    const struct match_profile_in *, long long *id);
enum err db_match_availability_set(struct db *, long long event_id, long long profile_id,
    const long long *slots, int n);
enum err db_match_profile_withdraw(struct db *, long long id);
enum err db_match_profile_hide(struct db *, long long event_id, long long id, int hidden);
/* The participant's own profile: with availability and opportunities. */
enum err db_match_profile_json(struct db *, long long id, const char *tz, cJSON **);

struct match_opp_in {
	unsigned has;                           /* OF_* */
	const char *kind, *title, *description, *topics;
};
enum { OF_KIND = 1, OF_TITLE = 2, OF_DESCRIPTION = 4, OF_TOPICS = 8 };
enum err db_match_opp_insert(struct db *, long long profile_id, const struct match_opp_in *,
    long long *id);
enum err db_match_opp_update(struct db *, long long profile_id, long long id,
    const struct match_opp_in *);
enum err db_match_opp_delete(struct db *, long long profile_id, long long id);
enum err db_match_opp_json(struct db *, long long profile_id, long long id, cJSON **);
enum err db_match_opp_list(struct db *, long long profile_id, cJSON *array);
/* The opportunity's owner (0 when it is not of this event). */
enum err db_match_opp_owner(struct db *, long long event_id, long long id, long long *profile);

struct match_dir_filter {
	const char *q, *topic, *organisation_type, *country, *kind;   /* NULL: any */
	long long exclude;                      /* a profile id not to list */
	int limit, offset;
};
/* Listed profiles (visible, not hidden, confirmed registration) with their opportunities. */
enum err db_match_directory(struct db *, long long event_id, const struct match_dir_filter *,
    cJSON *array, long long *total);
/* Profile ids the participant has a meeting with (any status) and how it stands. */
enum err db_match_counterparts(struct db *, long long profile_id, cJSON *array);

/* Meetings. */
enum err db_match_expire(struct db *, long long event_id);
enum err db_match_lock_profiles(struct db *, long long a, long long b);
/* Requests sent still open, and accepted, scheduled or held meetings. */
enum err db_match_live_count(struct db *, long long profile_id, long long *n);
enum err db_meeting_insert(struct db *, long long event_id, long long from, long long to,
    const char *message, long long opportunity_id, int expiry_hours, long long *id);
enum err db_meeting_get(struct db *, long long event_id, long long id, struct meeting *);
/* Conditional on the current status `from`: *changed 0 when it was not. */
enum err db_meeting_set_status(struct db *, long long id, const char *from, const char *to,
    long long by, int *changed);
/* Slots where both can meet now (available, free, in the future, a table left), earliest first. */
enum err db_match_free_slots(struct db *, long long event_id, long long a, long long b,
    long long *slots, int cap, int *n);
/* The tables of a slot already taken (locking read), as a bitmap of ntables. */
enum err db_match_tables_used(struct db *, long long slot_id, unsigned char *used, int ntables,
    int *tables);
/* Seats and table; ERR_CONFLICT when a key is taken (someone was faster). */
enum err db_match_seat(struct db *, long long slot_id, long long profile, long long meeting);
enum err db_match_unseat(struct db *, long long meeting);
enum err db_meeting_place(struct db *, long long id, long long slot_id, long long table_no,
    const char *booked_by);
enum err db_meeting_unplace(struct db *, long long id);
enum err db_meeting_mailed(struct db *, long long id);
/* *changed 0: already held (held_at kept). */
enum err db_meeting_held(struct db *, long long id, const char *by, int *changed);
enum err db_meeting_outcome(struct db *, long long id, int requester, const char *outcome,
    const char *note);
/* One meeting as JSON; viewer > 0: the participant's view (the other side, own note only). */
enum err db_meeting_json(struct db *, long long event_id, long long id, long long viewer,
    const char *tz, cJSON **);
/* The participant's meetings (all statuses), slot order then newest. */
enum err db_meeting_list_mine(struct db *, long long profile_id, const char *tz, cJSON *array);
struct meeting_filter {
	const char *status;                     /* or "no_show" */
	long long participant, slot;            /* 0: any */
};
enum err db_meeting_list(struct db *, long long event_id, const struct meeting_filter *,
    const char *tz, cJSON *array);
/* Organisers' list of profiles (with registration name, email, counts). */
enum err db_match_participants(struct db *, long long event_id, cJSON *array);

/* The scheduler's input and output. */
struct ms_problem;
struct match_world {
	int nslots, npeople, nmeetings;
	long long *slot_id, *person_id, *meeting_id;
	int *tables, *session;
	unsigned char *avail;
	struct ms_meeting *meetings;
	long long *slot_starts;
};
enum err db_match_world(struct db *, long long event_id, int reschedule, struct match_world *);
void match_world_free(struct match_world *);
enum err db_match_slot_sessions(struct db *, long long event_id, cJSON *array);
enum err db_match_slot_upsert(struct db *, long long event_id, long long session_id,
    long long starts, long long ends, long long tables);
/* Unplace meetings of the slot at tables >= from_table (0: all), then drop it if drop. */
enum err db_match_slot_trim(struct db *, long long slot_id, long long from_table, int drop);
enum err db_match_slot_ids(struct db *, long long event_id, cJSON *array);
enum err db_match_stats(struct db *, long long event_id, cJSON *o);
enum err db_meeting_export_rows(struct db *, long long event_id, const char *tz, cJSON *array);
/* A reminder for the participant's meetings of that local day (day: "YYYY-MM-DD"), due at due. */
enum err db_match_queue_reminder(struct db *, long long profile_id, const char *day,
    long long due);
enum err db_match_queue_mail(struct db *, long long profile_id, long long meeting_id,
    const char *kind);

/* ---- rules (match.c) ---- */
/* After a session write: cut its slots again (in the caller's transaction). */
enum err match_session_changed(struct db *, const struct event_ref *, long long session_id);
/* Delete a session, first taking its meetings out of its slots. */
enum err match_session_delete(struct db *, const struct event_ref *, long long session_id);
/* Re-cut every one-to-one session (meeting_minutes changed). */
enum err match_slots_sync(struct db *, const struct event_ref *);

/*
 * Accept: ERR_CONFLICT "limit" past max_meetings; the meeting is placed in
 * the first slot where both are free and a table is left, else stays
 * accepted.  *placed tells which.
 */
enum err match_accept(struct db *, const struct event_ref *, const struct match_settings *,
    long long meeting_id, long long by, int *placed, const char **why);
/* Place an accepted meeting now if it fits (used by accept and by hand). */
enum err match_try_place(struct db *, const struct event_ref *, const struct meeting *,
    int *placed);
enum err match_request(struct db *, const struct event_ref *, const struct match_settings *,
    long long from, long long to, const char *message, long long opportunity_id,
    long long *id, const char **why);

struct match_run {
	int placed, unplaced, upper_bound, greedy_placed, moved;
	long gaps;
	double seconds;
	cJSON *unplaced_list;                   /* [{"meeting_id","reason"}], caller frees */
};
enum err match_schedule_run(struct db *, const struct event_ref *, int reschedule,
    struct match_run *);

/* Ranked recommendations for a profile, reasons in lang. */
cJSON *match_recommend(const cJSON *me, const cJSON *others, const cJSON *counterparts,
    const char *lang, int limit);

#endif
