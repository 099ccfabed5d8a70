/*
 * The one route table: method, path pattern, handler, least role, flags.
 * Authentication, role checks, CSRF and JSON parsing happen in http.c
 * from these entries before a handler runs.
 */
#include "api.h"
#include "lane.h"
#include "route.h"

const struct route routes[] = {
	{"GET", "/healthz", api_healthz, ROLE_NONE, RF_NOAUTH},

	{"POST", "/api/v1/auth/login", api_login, ROLE_NONE, RF_JSON | RF_NOAUTH | RF_NOCSRF},
	{"POST", "/api/v1/auth/logout", api_logout, ROLE_CHECKIN, 0},
	{"GET", "/api/v1/auth/me", api_me, ROLE_CHECKIN, 0},
	{"PATCH", "/api/v1/auth/me", api_me_update, ROLE_CHECKIN, RF_JSON},

	{"POST", "/api/v1/users", api_users_create, ROLE_ADMIN, RF_JSON | RF_UNSCOPED},
	{"GET", "/api/v1/users", api_users_list, ROLE_ADMIN, RF_UNSCOPED},
	{"GET", "/api/v1/users/{id}", api_users_get, ROLE_ADMIN, RF_UNSCOPED},
	{"PATCH", "/api/v1/users/{id}", api_users_update, ROLE_ADMIN, RF_JSON | RF_UNSCOPED},

	{"POST", "/api/v1/tokens", api_tokens_create, ROLE_CHECKIN, RF_JSON | RF_UNSCOPED},
	{"GET", "/api/v1/tokens", api_tokens_list, ROLE_CHECKIN, RF_UNSCOPED},
	{"DELETE", "/api/v1/tokens/{id}", api_tokens_delete, ROLE_CHECKIN, RF_UNSCOPED},

	{"POST", "/api/v1/events", api_events_create, ROLE_ORGANISER, RF_JSON | RF_UNSCOPED},
	{"GET", "/api/v1/events", api_events_list, ROLE_NONE, 0},
	{"GET", "/api/v1/events/{slug}", api_events_get, ROLE_NONE, 0},
	{"PATCH", "/api/v1/events/{slug}", api_events_update, ROLE_ORGANISER, RF_JSON},
	{"POST", "/api/v1/events/{slug}/publish", api_events_publish, ROLE_ORGANISER, 0},
	{"POST", "/api/v1/events/{slug}/close", api_events_close, ROLE_ORGANISER, 0},
	{"POST", "/api/v1/events/{slug}/members", api_events_members_add, ROLE_ORGANISER, RF_JSON},
	{"GET", "/api/v1/events/{slug}/members", api_events_members_list, ROLE_ORGANISER, 0},
	{"GET", "/api/v1/events/{slug}/checkin-key", api_events_checkin_key, ROLE_CHECKIN, 0},

	{"POST", "/api/v1/events/{slug}/sessions", api_sessions_create, ROLE_ORGANISER, RF_JSON},
	{"GET", "/api/v1/events/{slug}/sessions", api_sessions_list, ROLE_NONE, 0},
	{"GET", "/api/v1/events/{slug}/sessions/{id}", api_sessions_get, ROLE_NONE, 0},
	{"PATCH", "/api/v1/events/{slug}/sessions/{id}", api_sessions_update, ROLE_ORGANISER, RF_JSON},
	{"DELETE", "/api/v1/events/{slug}/sessions/{id}", api_sessions_delete, ROLE_ORGANISER, 0},
	{"POST", "/api/v1/events/{slug}/speakers", api_speakers_create, ROLE_ORGANISER, RF_JSON},
	{"GET", "/api/v1/events/{slug}/speakers", api_speakers_list, ROLE_NONE, 0},
	{"GET", "/api/v1/events/{slug}/speakers/{id}", api_speakers_get, ROLE_NONE, 0},
	{"PATCH", "/api/v1/events/{slug}/speakers/{id}", api_speakers_update, ROLE_ORGANISER, RF_JSON},
	{"DELETE", "/api/v1/events/{slug}/speakers/{id}", api_speakers_delete, ROLE_ORGANISER, 0},
	{"GET", "/api/v1/events/{slug}/programme.ics", api_programme_ics, ROLE_NONE, 0},

	{"POST", "/api/v1/events/{slug}/ticket-types", api_ttypes_create, ROLE_ORGANISER, RF_JSON},
	{"GET", "/api/v1/events/{slug}/ticket-types", api_ttypes_list, ROLE_NONE, 0},
	{"GET", "/api/v1/events/{slug}/ticket-types/{id}", api_ttypes_get, ROLE_NONE, 0},
	{"PATCH", "/api/v1/events/{slug}/ticket-types/{id}", api_ttypes_update, ROLE_ORGANISER, RF_JSON},
	{"DELETE", "/api/v1/events/{slug}/ticket-types/{id}", api_ttypes_delete, ROLE_ORGANISER, 0},
	{"POST", "/api/v1/events/{slug}/questions", api_questions_create, ROLE_ORGANISER, RF_JSON},
	{"GET", "/api/v1/events/{slug}/questions", api_questions_list, ROLE_NONE, 0},
	{"PATCH", "/api/v1/events/{slug}/questions/{id}", api_questions_update, ROLE_ORGANISER, RF_JSON},
	{"DELETE", "/api/v1/events/{slug}/questions/{id}", api_questions_delete, ROLE_ORGANISER, 0},

	{"POST", "/api/v1/events/{slug}/registrations", api_register, ROLE_NONE, RF_JSON | RF_NOAUTH},
	{"GET", "/api/v1/events/{slug}/registrations", api_registrations_list, ROLE_ORGANISER, 0},
	{"GET", "/api/v1/events/{slug}/audit", api_audit_event, ROLE_ORGANISER, 0},
	{"GET", "/api/v1/events/{slug}/privacy", api_events_privacy, ROLE_NONE, 0},
	{"GET", "/api/v1/audit", api_audit_all, ROLE_ADMIN, RF_UNSCOPED},
	{"GET", "/api/v1/events/{slug}/registrations/{id}", api_registrations_get, ROLE_ORGANISER, 0},
	{"PATCH", "/api/v1/events/{slug}/registrations/{id}", api_registrations_update, ROLE_ORGANISER, RF_JSON},
	{"POST", "/api/v1/events/{slug}/registrations/{id}/approve", api_registrations_approve, ROLE_ORGANISER, 0},
	{"POST", "/api/v1/events/{slug}/registrations/{id}/reject", api_registrations_reject, ROLE_ORGANISER, 0},
	{"POST", "/api/v1/events/{slug}/registrations/{id}/cancel", api_registrations_cancel, ROLE_ORGANISER, 0},
	{"POST", "/api/v1/events/{slug}/registrations/{id}/mark-paid", api_registrations_mark_paid, ROLE_ORGANISER, 0},
	{"POST", "/api/v1/events/{slug}/registrations/{id}/reissue", api_registrations_reissue, ROLE_ORGANISER, 0},
	{"POST", "/api/v1/events/{slug}/registrations/{id}/erase", api_registrations_erase, ROLE_ORGANISER, 0},

	/* The attendee's secret link: no account, the token is the key. */
	{"GET", "/manage/{token}", api_manage_get, ROLE_NONE, RF_NOAUTH | RF_SECRET},
	{"PATCH", "/manage/{token}", api_manage_update, ROLE_NONE, RF_JSON | RF_NOAUTH | RF_SECRET},
	{"DELETE", "/manage/{token}", api_manage_cancel, ROLE_NONE, RF_NOAUTH | RF_SECRET},
	{"GET", "/manage/{token}/data", api_manage_data, ROLE_NONE, RF_NOAUTH | RF_SECRET},
	{"POST", "/manage/{token}/erase", api_manage_erase, ROLE_NONE, RF_JSON_OPT | RF_NOAUTH | RF_SECRET},
	{"GET", "/t/{code}", api_ticket_qr, ROLE_NONE, RF_NOAUTH | RF_SECRET},

	{"POST", "/api/v1/events/{slug}/registrations/{id}/resend", api_registrations_resend, ROLE_ORGANISER, 0},
	{"POST", "/api/v1/events/{slug}/mailings", api_mailings_create, ROLE_ORGANISER, RF_JSON},
	{"POST", "/api/v1/events/{slug}/mailings/preview", api_mailings_preview, ROLE_ORGANISER, RF_JSON},
	{"GET", "/api/v1/events/{slug}/mailings", api_mailings_list, ROLE_ORGANISER, 0},
	{"GET", "/api/v1/mailings/{id}", api_mailings_get, ROLE_ORGANISER, 0},
	{"GET", "/api/v1/events/{slug}/outbox", api_outbox_list, ROLE_ORGANISER, 0},

	{"GET", "/api/v1/events/{slug}/exports/attendees.csv", api_export_attendees_csv, ROLE_ORGANISER, 0},
	{"GET", "/api/v1/events/{slug}/exports/attendees.xlsx", api_export_attendees_xlsx, ROLE_ORGANISER, 0},
	{"GET", "/api/v1/events/{slug}/exports/attendance.csv", api_export_attendance_csv, ROLE_ORGANISER, 0},
	{"GET", "/api/v1/events/{slug}/exports/attendance.xlsx", api_export_attendance_xlsx, ROLE_ORGANISER, 0},
	{"GET", "/api/v1/events/{slug}/exports/badges.pdf", api_export_badges, ROLE_ORGANISER, 0},
	{"GET", "/api/v1/events/{slug}/registrations/{id}/certificate.pdf", api_registration_certificate, ROLE_ORGANISER, 0},

	{"POST", "/api/v1/events/{slug}/checkins", api_checkin, ROLE_CHECKIN, RF_JSON},
	{"DELETE", "/api/v1/checkins/{id}", api_checkin_undo, ROLE_CHECKIN, 0},
	{"GET", "/api/v1/events/{slug}/attendees", api_attendees, ROLE_CHECKIN, 0},
	{"GET", "/api/v1/events/{slug}/stats", api_stats, ROLE_CHECKIN, 0},
	{"GET", "/api/v1/events/{slug}/scans", api_scans, ROLE_ORGANISER, 0},

	/* Matchmaking: organisers. */
	{"GET", "/api/v1/events/{slug}/matchmaking", api_match_settings_get, ROLE_NONE, 0},
	{"PUT", "/api/v1/events/{slug}/matchmaking", api_match_settings_put, ROLE_ORGANISER, RF_JSON},
	{"GET", "/api/v1/events/{slug}/matchmaking/slots", api_match_slots, ROLE_NONE, 0},
	{"POST", "/api/v1/events/{slug}/matchmaking/schedule", api_match_schedule, ROLE_ORGANISER, RF_JSON},
	{"GET", "/api/v1/events/{slug}/matchmaking/participants", api_match_participants, ROLE_ORGANISER, 0},
	{"PATCH", "/api/v1/events/{slug}/matchmaking/participants/{id}", api_match_participant_update,
	    ROLE_ORGANISER, RF_JSON},
	{"GET", "/api/v1/events/{slug}/meetings", api_meetings_list, ROLE_ORGANISER, 0},
	{"POST", "/api/v1/events/{slug}/meetings", api_meetings_book, ROLE_ORGANISER, RF_JSON},
	{"PATCH", "/api/v1/events/{slug}/meetings/{id}", api_meetings_move, ROLE_ORGANISER, RF_JSON},
	{"POST", "/api/v1/events/{slug}/meetings/{id}/held", api_meetings_staff_held, ROLE_CHECKIN, RF_JSON},
	{"GET", "/api/v1/events/{slug}/exports/meetings.csv", api_export_meetings_csv, ROLE_ORGANISER, 0},
	{"GET", "/api/v1/events/{slug}/exports/meetings.xlsx", api_export_meetings_xlsx, ROLE_ORGANISER, 0},
	{"GET", "/api/v1/events/{slug}/exports/table-plan.pdf", api_export_table_plan, ROLE_ORGANISER, 0},

	/* Matchmaking: participants, through their manage link. */
	{"GET", "/manage/{token}/matchmaking", api_my_matchmaking, ROLE_NONE, RF_NOAUTH | RF_SECRET},
	{"GET", "/manage/{token}/profile", api_my_profile_get, ROLE_NONE, RF_NOAUTH | RF_SECRET},
	{"PUT", "/manage/{token}/profile", api_my_profile_put, ROLE_NONE, RF_JSON | RF_NOAUTH | RF_SECRET},
	{"DELETE", "/manage/{token}/profile", api_my_profile_delete, ROLE_NONE, RF_NOAUTH | RF_SECRET},
	{"GET", "/manage/{token}/opportunities", api_my_opps_list, ROLE_NONE, RF_NOAUTH | RF_SECRET},
	{"POST", "/manage/{token}/opportunities", api_my_opps_create, ROLE_NONE, RF_JSON | RF_NOAUTH | RF_SECRET},
	{"GET", "/manage/{token}/opportunities/{id}", api_my_opps_get, ROLE_NONE, RF_NOAUTH | RF_SECRET},
	{"PATCH", "/manage/{token}/opportunities/{id}", api_my_opps_update, ROLE_NONE,
	    RF_JSON | RF_NOAUTH | RF_SECRET},
	{"DELETE", "/manage/{token}/opportunities/{id}", api_my_opps_delete, ROLE_NONE, RF_NOAUTH | RF_SECRET},
	{"GET", "/manage/{token}/participants", api_my_directory, ROLE_NONE, RF_NOAUTH | RF_SECRET},
	{"GET", "/manage/{token}/recommendations", api_my_recommendations, ROLE_NONE, RF_NOAUTH | RF_SECRET},
	{"GET", "/manage/{token}/meetings", api_my_meetings_list, ROLE_NONE, RF_NOAUTH | RF_SECRET},
	{"POST", "/manage/{token}/meetings", api_my_meetings_request, ROLE_NONE, RF_JSON | RF_NOAUTH | RF_SECRET},
	{"POST", "/manage/{token}/meetings/{id}/accept", api_my_meeting_accept, ROLE_NONE, RF_NOAUTH | RF_SECRET},
	{"POST", "/manage/{token}/meetings/{id}/decline", api_my_meeting_decline, ROLE_NONE, RF_NOAUTH | RF_SECRET},
	{"POST", "/manage/{token}/meetings/{id}/cancel", api_my_meeting_cancel, ROLE_NONE, RF_NOAUTH | RF_SECRET},
	{"POST", "/manage/{token}/meetings/{id}/held", api_my_meeting_held, ROLE_NONE,
	    RF_JSON | RF_NOAUTH | RF_SECRET},
	{"POST", "/manage/{token}/meetings/{id}/outcome", api_my_meeting_outcome, ROLE_NONE,
	    RF_JSON | RF_NOAUTH | RF_SECRET},
	{"GET", "/manage/{token}/agenda", api_my_agenda, ROLE_NONE, RF_NOAUTH | RF_SECRET},
	{"GET", "/manage/{token}/agenda.ics", api_my_agenda_ics, ROLE_NONE, RF_NOAUTH | RF_SECRET},
	{"GET", "/manage/{token}/agenda.pdf", api_my_agenda_pdf, ROLE_NONE, RF_NOAUTH | RF_SECRET},
};

const size_t nroutes = sizeof(routes) / sizeof(routes[0]);

/* A scan needs the lane's database connections; the event document, memory. */
handler_fn
route_lane(const struct route *r)
{
	if (r->fn == api_checkin)
		return lane_ready() ? api_checkin_lane : NULL;
	if (r->fn == api_events_get)
		return api_events_get_lane;
	return NULL;
}
