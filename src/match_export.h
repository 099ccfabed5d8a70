/*
 * Matchmaking documents: the meetings list as CSV and XLSX (one row per
 * meeting, for funders' reports), a participant's printable agenda with
 * their ticket QR, and a slot's table plan for the desk.  Input is the
 * JSON rows of db_match.c; headings and dates in the given language.
 */
#ifndef CONFERO_MATCH_EXPORT_H
#define CONFERO_MATCH_EXPORT_H

#include <cjson/cJSON.h>

#include "sbuf.h"

/* rows: db_meeting_export_rows (flat organiser columns, times as UTC RFC 3339). */
int match_meetings_csv(struct sbuf *, const cJSON *rows, const char *tz, const char *lang);
int match_meetings_xlsx(const char *path, const char *tmpdir, const cJSON *rows,
    const char *event_name, const char *tz, const char *lang);
/* rows: the participant's placed meetings (db_meeting_list_mine shape). */
int match_agenda_pdf(const char *path, const char *font, const char *bold, const char *lang,
    const char *tz, const char *event_name, const char *name, const char *organisation,
    const char *ticket_code, const cJSON *rows);
/* An organisation type's name in lang (the code itself when unknown). */
const char *match_orgtype_word(const char *lang, const char *type);
/* slot: a db_match_slots_json row; rows: its meetings (db_meeting_list shape). */
int match_table_plan_pdf(const char *path, const char *font, const char *bold, const char *lang,
    const char *tz, const char *event_name, const cJSON *slot, const cJSON *rows);

#endif
