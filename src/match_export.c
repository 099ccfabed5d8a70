/* The meetings list as CSV and XLSX: one row per meeting, both sides, slot, table, outcomes. */
#include <stdio.h>
#include <string.h>

#include <xlsxwriter.h>

#include "csv.h"
#include "export.h"
#include "i18n.h"
#include "match_export.h"
#include "timeutil.h"

static const char *const heads[] = {NC_("export column", "Meeting"),
	NC_("export column", "Status"), NC_("export column", "Participant A"),
	NC_("export column", "Organisation A"), NC_("export column", "Type A"),
	NC_("export column", "Country A"), NC_("export column", "Participant B"),
	NC_("export column", "Organisation B"), NC_("export column", "Type B"),
	NC_("export column", "Country B"), NC_("export column", "Starts"),
	NC_("export column", "Table"), NC_("export column", "Room"),
	NC_("export column", "Held at"), NC_("export column", "Outcome A"),
	NC_("export column", "Outcome B")};
#define NCOLS (sizeof(heads) / sizeof(heads[0]))

static const char *
status_word(const char *lang, const char *st, int no_show)
{
	static const char *const words[][2] = {
		{"requested", NC_("meeting status", "requested")},
		{"accepted", NC_("meeting status", "accepted")},
		{"scheduled", NC_("meeting status", "scheduled")},
		{"held", NC_("meeting status", "held")},
		{"declined", NC_("meeting status", "declined")},
		{"cancelled", NC_("meeting status", "cancelled")},
		{"expired", NC_("meeting status", "expired")},
	};

	if (no_show)
		return trc(lang, "meeting status", "no-show");
	for (size_t i = 0; st != NULL && i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(st, words[i][0]) == 0)
			return trc(lang, "meeting status", words[i][1]);
	return st ? st : "";
}

const char *
match_orgtype_word(const char *lang, const char *t)
{
	static const char *const words[][2] = {
		{"hospital", NC_("organisation type", "Hospital")},
		{"clinic", NC_("organisation type", "Clinic")},
		{"insurer", NC_("organisation type", "Insurer")},
		{"patient_org", NC_("organisation type", "Patients' organisation")},
		{"public_body", NC_("organisation type", "Public body")},
		{"sme", NC_("organisation type", "SME")},
		{"startup", NC_("organisation type", "Start-up")},
		{"large_company", NC_("organisation type", "Large company")},
		{"university", NC_("organisation type", "University")},
		{"research", NC_("organisation type", "Research institute")},
		{"investor", NC_("organisation type", "Investor")},
		{"cluster", NC_("organisation type", "Cluster or hub")},
		{"other", NC_("organisation type", "Other")},
	};

	for (size_t i = 0; t != NULL && i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(t, words[i][0]) == 0)
			return trc(lang, "organisation type", words[i][1]);
	return t ? t : "";
}

static const char *
outcome_word(const char *lang, const char *o)
{
	static const char *const words[][2] = {
		{"no_interest", NC_("meeting outcome", "No further interest")},
		{"follow_up", NC_("meeting outcome", "Follow-up planned")},
		{"cooperation_likely", NC_("meeting outcome", "Cooperation likely")},
		{"agreement_signed", NC_("meeting outcome", "Agreement signed")},
	};

	for (size_t i = 0; o != NULL && i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(o, words[i][0]) == 0)
			return trc(lang, "meeting outcome", words[i][1]);
	return o ? o : "";
}

static const char *
s_of(const cJSON *o, const char *k)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, k));

	return s ? s : "";
}

static void
when(const cJSON *o, const char *k, const char *tz, char out[20])
{
	long long t;

	out[0] = '\0';
	if (rfc3339_parse(s_of(o, k), &t) == 0)
		local_time_text(tz, t, out);
}

/* The text of each column of a row (numbers as text for CSV). */
static void
cells(const cJSON *x, const char *tz, const char *lang, const char *v[NCOLS], char idbuf[24],
    char starts[20], char held[20])
{
	int no_show = cJSON_IsTrue(cJSON_GetObjectItem(x, "no_show"));

	snprintf(idbuf, 24, "%lld", (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(x, "id")));
	when(x, "slot_starts_at", tz, starts);
	when(x, "held_at", tz, held);
	v[0] = idbuf;
	v[1] = status_word(lang, cJSON_GetStringValue(cJSON_GetObjectItem(x, "status")), no_show);
	v[2] = s_of(x, "a_name");
	v[3] = s_of(x, "a_organisation");
	v[4] = match_orgtype_word(lang, cJSON_GetStringValue(cJSON_GetObjectItem(x, "a_organisation_type")));
	v[5] = s_of(x, "a_country");
	v[6] = s_of(x, "b_name");
	v[7] = s_of(x, "b_organisation");
	v[8] = match_orgtype_word(lang, cJSON_GetStringValue(cJSON_GetObjectItem(x, "b_organisation_type")));
	v[9] = s_of(x, "b_country");
	v[10] = starts;
	v[11] = s_of(x, "table");
	v[12] = s_of(x, "room");
	v[13] = held;
	v[14] = outcome_word(lang, cJSON_GetStringValue(cJSON_GetObjectItem(x, "a_outcome")));
	v[15] = outcome_word(lang, cJSON_GetStringValue(cJSON_GetObjectItem(x, "b_outcome")));
}

int
match_meetings_csv(struct sbuf *b, const cJSON *rows, const char *tz, const char *lang)
{
	const cJSON *x;
	size_t i;

	sb_str(b, CSV_BOM);
	for (i = 0; i < NCOLS; i++)
		csv_text(b, trc(lang, "export column", heads[i]), i == 0);
	csv_eol(b);
	cJSON_ArrayForEach(x, rows) {
		const char *v[NCOLS];
		char id[24], st[20], held[20];
		cells(x, tz, lang, v, id, st, held);
		csv_int(b, (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(x, "id")), 1);
		for (i = 1; i < NCOLS; i++)
			csv_text(b, v[i], 0);
		csv_eol(b);
	}
	return b->failed ? -1 : 0;
}

int
match_meetings_xlsx(const char *path, const char *tmpdir, const cJSON *rows,
    const char *event_name, const char *tz, const char *lang)
{
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = (char *)tmpdir};
	lxw_workbook *wb = workbook_new_opt(path, &opt);
	lxw_worksheet *ws;
	lxw_format *head;
	const cJSON *x;
	lxw_row_t r = 0;
	size_t i;

	(void)event_name;
	if (wb == NULL)
		return -1;
	head = workbook_add_format(wb);
	format_set_bold(head);
	ws = workbook_add_worksheet(wb, trc(lang, "export sheet", "Meetings"));
	if (ws == NULL) {
		workbook_close(wb);
		return -1;
	}
	for (i = 0; i < NCOLS; i++) {
		worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, i == 0 ? 10 : 20, NULL);
		worksheet_write_string(ws, 0, (lxw_col_t)i, trc(lang, "export column", heads[i]), head);
	}
	worksheet_freeze_panes(ws, 1, 0);
	cJSON_ArrayForEach(x, rows) {
		const char *v[NCOLS];
		char id[24], st[20], held[20];
		r++;
		cells(x, tz, lang, v, id, st, held);
		worksheet_write_number(ws, r, 0, cJSON_GetNumberValue(cJSON_GetObjectItem(x, "id")), NULL);
		/* Strings stay strings: a name starting with "=" is never a formula. */
		for (i = 1; i < NCOLS; i++)
			worksheet_write_string(ws, r, (lxw_col_t)i, v[i], NULL);
	}
	worksheet_autofilter(ws, 0, 0, r > 0 ? r : 1, (lxw_col_t)(NCOLS - 1));
	return workbook_close(wb) == LXW_NO_ERROR ? 0 : -1;
}
