/*
 * Printable PDFs with libharu: name badges (A6, or four A6 on an A4 sheet
 * for cutting) and certificates of attendance.  Text is UTF-8 in an
 * embedded TrueType font (DejaVu Sans by default), so ž, č, š, ш and ő
 * print as themselves; the QR is drawn as vector runs, crisp at any scale.
 * Also the matchmaking agenda and table plan (match_export.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>

#include "export.h"
#include "i18n.h"
#include "match_export.h"
#include "qr.h"
#include "timeutil.h"

#define MM(x) ((HPDF_REAL)((x) * 72.0 / 25.4))

struct pdf {
	HPDF_Doc doc;
	HPDF_Font font, bold;
	int error;
};

static void
on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
	struct pdf *p = user_data;

	(void)detail_no;
	if (p->error == 0)
		p->error = (int)error_no;
}

static int
pdf_open(struct pdf *p, const char *font_path, const char *bold_path, const char *title)
{
	const char *name;

	memset(p, 0, sizeof(*p));
	if ((p->doc = HPDF_New(on_error, p)) == NULL)
		return -1;
	HPDF_SetCompressionMode(p->doc, HPDF_COMP_ALL);
	HPDF_UseUTFEncodings(p->doc);
	HPDF_SetCurrentEncoder(p->doc, "UTF-8");
	HPDF_SetInfoAttr(p->doc, HPDF_INFO_CREATOR, "Confero");
	HPDF_SetInfoAttr(p->doc, HPDF_INFO_TITLE, title);
	if ((name = HPDF_LoadTTFontFromFile(p->doc, font_path, HPDF_TRUE)) == NULL ||
	    (p->font = HPDF_GetFont(p->doc, name, "UTF-8")) == NULL)
		goto fail;
	if ((name = HPDF_LoadTTFontFromFile(p->doc, bold_path, HPDF_TRUE)) == NULL ||
	    (p->bold = HPDF_GetFont(p->doc, name, "UTF-8")) == NULL)
		p->bold = p->font;
	if (p->error != 0 && p->bold != p->font)
		goto fail;
	p->error = 0;
	HPDF_ResetError(p->doc);
	return 0;
fail:
	HPDF_Free(p->doc);
	p->doc = NULL;
	return -1;
}

static int
pdf_close(struct pdf *p, const char *path)
{
	int rc = -1;

	if (p->error == 0 && HPDF_SaveToFile(p->doc, path) == HPDF_OK && p->error == 0)
		rc = 0;
	HPDF_Free(p->doc);
	return rc;
}

/* Width of text at size in font. */
static HPDF_REAL
text_width(HPDF_Page page, HPDF_Font font, HPDF_REAL size, const char *text)
{
	HPDF_Page_SetFontAndSize(page, font, size);
	return HPDF_Page_TextWidth(page, text);
}

/*
 * Draw text at baseline y, centred on x (centre) or starting at x,
 * shrinking from max to min points
 * to fit width w; still too wide, it is cut at a character boundary and
 * ends in "…".  Returns the size used.
 */
static HPDF_REAL
fit_text(HPDF_Page page, HPDF_Font font, const char *text, HPDF_REAL x,
    HPDF_REAL y, HPDF_REAL w, HPDF_REAL max, HPDF_REAL min, int centre)
{
	HPDF_REAL size = max, tw;
	char buf[1024];
	size_t n;

	if (text == NULL || *text == '\0')
		return 0;
	snprintf(buf, sizeof(buf), "%s", text);
	while ((tw = text_width(page, font, size, buf)) > w && size > min)
		size -= 0.5f;
	while (tw > w && (n = strlen(buf)) > 1) {
		/* Drop the last UTF-8 character and any earlier ellipsis. */
		do
			n--;
		while (n > 0 && ((unsigned char)buf[n] & 0xC0) == 0x80);
		if (n + 4 > sizeof(buf))
			break;
		memcpy(buf + n, "\xE2\x80\xA6", 4);
		tw = text_width(page, font, size, buf);
		if (tw > w) {
			buf[n] = '\0';
		}
	}
	HPDF_Page_BeginText(page);
	HPDF_Page_TextOut(page, centre ? x - tw / 2 : x, y, buf);
	HPDF_Page_EndText(page);
	return size;
}

/* The QR of text, side s points including its 4-module quiet zone. */
static int
draw_qr(HPDF_Page page, const char *text, HPDF_REAL x, HPDF_REAL y, HPDF_REAL s)
{
	unsigned char *m;
	int w, row, col, run;
	HPDF_REAL mod;

	if (qr_matrix(text, &w, &m) != 0)
		return -1;
	mod = s / (HPDF_REAL)(w + 2 * QR_QUIET);
	HPDF_Page_SetRGBFill(page, 1, 1, 1);
	HPDF_Page_Rectangle(page, x, y, s, s);
	HPDF_Page_Fill(page);
	HPDF_Page_SetRGBFill(page, 0, 0, 0);
	for (row = 0; row < w; row++)
		for (col = 0; col < w; col += run) {
			for (run = 0; col + run < w && m[row * w + col + run]; run++)
				continue;
			if (run == 0) {
				run = 1;
				continue;
			}
			HPDF_Page_Rectangle(page, x + (HPDF_REAL)(col + QR_QUIET) * mod,
			    y + s - (HPDF_REAL)(row + QR_QUIET + 1) * mod,
			    (HPDF_REAL)run * mod, mod);
		}
	HPDF_Page_Fill(page);
	free(m);
	return 0;
}

/* One A6 badge (105 x 148 mm) with its lower left corner at (x, y). */
static void
badge(struct pdf *p, HPDF_Page page, HPDF_REAL x, HPDF_REAL y, const char *event_name,
    const struct badge *b)
{
	HPDF_REAL w = MM(105), h = MM(148), cx = x + w / 2, qs = MM(50);

	/* Event band on top. */
	HPDF_Page_SetRGBFill(page, 0.078f, 0.129f, 0.239f);
	HPDF_Page_Rectangle(page, x, y + h - MM(18), w, MM(18));
	HPDF_Page_Fill(page);
	HPDF_Page_SetRGBFill(page, 1, 1, 1);
	fit_text(page, p->bold, b->event_name ? b->event_name : event_name, cx,
	    y + h - MM(11.5), w - MM(12), 13, 7, 1);
	/* Name and organisation. */
	HPDF_Page_SetRGBFill(page, 0, 0, 0);
	fit_text(page, p->bold, b->name, cx, y + h - MM(40), w - MM(12), 28, 12, 1);
	HPDF_Page_SetRGBFill(page, 0.2f, 0.2f, 0.2f);
	fit_text(page, p->font, b->org, cx, y + h - MM(52), w - MM(12), 16, 8, 1);
	/* The ticket's QR, for a single-badge reprint and session scans. */
	draw_qr(page, b->code, cx - qs / 2, y + MM(22), qs);
	/* Ticket type band at the bottom. */
	HPDF_Page_SetRGBFill(page, 0.043f, 0.361f, 0.678f);
	HPDF_Page_Rectangle(page, x, y, w, MM(15));
	HPDF_Page_Fill(page);
	HPDF_Page_SetRGBFill(page, 1, 1, 1);
	fit_text(page, p->bold, b->ttype, cx, y + MM(5.5), w - MM(12), 14, 7, 1);
}

int
pdf_badges(const char *path, const char *font_path, const char *bold_path,
    const char *event_name, const struct badge *b, size_t n, enum badge_layout layout)
{
	struct pdf p;
	HPDF_Page page = NULL;
	size_t i;

	if (pdf_open(&p, font_path, bold_path, "Badges") != 0)
		return -1;
	for (i = 0; i < n && p.error == 0; i++) {
		if (layout == BADGE_A6) {
			page = HPDF_AddPage(p.doc);
			HPDF_Page_SetWidth(page, MM(105));
			HPDF_Page_SetHeight(page, MM(148));
			badge(&p, page, 0, 0, event_name, &b[i]);
			continue;
		}
		/* A4 portrait, 2 x 2 badges; thin cut lines between them. */
		if (i % 4 == 0) {
			page = HPDF_AddPage(p.doc);
			HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
			HPDF_Page_SetRGBStroke(page, 0.6f, 0.6f, 0.6f);
			HPDF_Page_SetLineWidth(page, 0.3f);
			HPDF_Page_MoveTo(page, MM(105), 0);
			HPDF_Page_LineTo(page, MM(105), MM(297));
			HPDF_Page_MoveTo(page, 0, MM(148.5));
			HPDF_Page_LineTo(page, MM(210), MM(148.5));
			HPDF_Page_Stroke(page);
		}
		badge(&p, page, (i % 2) ? MM(105) : 0, (i % 4 < 2) ? MM(149) : MM(0.5),
		    event_name, &b[i]);
	}
	return pdf_close(&p, path);
}

static void
text_at(HPDF_Page page, HPDF_Font font, HPDF_REAL size, HPDF_REAL x, HPDF_REAL y,
    const char *text)
{
	HPDF_Page_SetFontAndSize(page, font, size);
	HPDF_Page_BeginText(page);
	HPDF_Page_TextOut(page, x, y, text);
	HPDF_Page_EndText(page);
}

int
pdf_certificate(const char *path, const char *font_path, const char *bold_path,
    const struct cert_info *c)
{
	struct pdf p;
	HPDF_Page page;
	HPDF_REAL w, cx, y;
	char line[1200], when[160], until[160], num[32];
	const char *L = c->lang;
	size_t i;

	/* TRANSLATORS: the certificate reads, line by line: "This is to
	 * certify that" / the attendee's name / "attended" / the event. */
	if (pdf_open(&p, font_path, bold_path, trc(L, "certificate", "Certificate of attendance")) != 0)
		return -1;
	page = HPDF_AddPage(p.doc);
	HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
	w = HPDF_Page_GetWidth(page);
	cx = w / 2;
	HPDF_Page_SetRGBStroke(page, 0.078f, 0.129f, 0.239f);
	HPDF_Page_SetLineWidth(page, 2);
	HPDF_Page_Rectangle(page, MM(12), MM(12), w - MM(24), MM(297 - 24));
	HPDF_Page_Stroke(page);
	HPDF_Page_SetRGBFill(page, 0.078f, 0.129f, 0.239f);
	fit_text(page, p.bold, trc(L, "certificate", "Certificate of attendance"), cx, MM(250),
	    w - MM(40), 28, 16, 1);
	HPDF_Page_SetRGBFill(page, 0, 0, 0);
	fit_text(page, p.font, trc(L, "certificate", "This is to certify that"), cx, MM(228),
	    w - MM(40), 13, 9, 1);
	fit_text(page, p.bold, c->name, cx, MM(212), w - MM(40), 26, 12, 1);
	if (c->org != NULL && *c->org != '\0')
		fit_text(page, p.font, c->org, cx, MM(202), w - MM(40), 14, 8, 1);
	fit_text(page, p.font, trc(L, "certificate", "attended"), cx, MM(188), w - MM(40), 13, 9, 1);
	fit_text(page, p.bold, c->event_name, cx, MM(176), w - MM(40), 20, 10, 1);
	snprintf(line, sizeof(line), "%s%s%s", c->dates, c->venue && *c->venue ? ", " : "",
	    c->venue ? c->venue : "");
	fit_text(page, p.font, line, cx, MM(166), w - MM(40), 12, 7, 1);
	y = MM(150);
	if (c->nsessions > 0) {
		text_at(page, p.bold, 12, MM(25), y, trc(L, "certificate", "Sessions attended"));
		y -= MM(7);
		/* The title, then when and where under it: dates written out
		 * in the attendee's language have no fixed width. */
		for (i = 0; i < c->nsessions && y > MM(44); i++) {
			fit_text(page, p.font, c->sessions[i].title, MM(25), y, w - MM(50), 10, 6, 0);
			i18n_date(L, c->tz, c->sessions[i].starts_at, DF_DATETIME_MEDIUM, when, sizeof(when));
			i18n_date(L, c->tz, c->sessions[i].ends_at, DF_TIME, until, sizeof(until));
			snprintf(line, sizeof(line), "%s–%s%s%s", when, until,
			    *c->sessions[i].room ? " · " : "", c->sessions[i].room);
			HPDF_Page_SetRGBFill(page, 0.29f, 0.31f, 0.34f);
			fit_text(page, p.font, line, MM(29), y - MM(4.5f), w - MM(54), 9, 6, 0);
			HPDF_Page_SetRGBFill(page, 0, 0, 0);
			y -= MM(10);
		}
		if (i < c->nsessions) {
			i18n_int(L, (long long)(c->nsessions - i), num, sizeof(num));
			i18n_fill(line, sizeof(line), trnc(L, "certificate", "and {n} more session",
			    "and {n} more sessions", (unsigned long)(c->nsessions - i)), "n", num, NULL);
			text_at(page, p.font, 10, MM(25), y, line);
		}
	}
	snprintf(num, sizeof(num), "%lld", c->reg_id);
	i18n_fill(line, sizeof(line), trc(L, "certificate",
	    "Issued {date} by Confero for the organisers. Reference {ref}."),
	    "date", c->issued, "ref", num, NULL);
	HPDF_Page_SetRGBFill(page, 0.29f, 0.31f, 0.34f);
	fit_text(page, p.font, line, cx, MM(22), w - MM(40), 9, 6, 1);
	return pdf_close(&p, path);
}

/* ---- matchmaking: a participant's agenda and a slot's table plan ---- */

static const char *
jstr(const cJSON *o, const char *k)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, k));

	return s ? s : "";
}

/* "13. maj 2027, 14:00–14:20" from a {"starts_at","ends_at"} object. */
static void
slot_text(const char *lang, const char *tz, const cJSON *slot, char *out, size_t len)
{
	char a[160], b[64];
	long long s0, s1;

	out[0] = '\0';
	if (rfc3339_parse(jstr(slot, "starts_at"), &s0) != 0 ||
	    rfc3339_parse(jstr(slot, "ends_at"), &s1) != 0)
		return;
	i18n_date(lang, tz, s0, DF_DATETIME_MEDIUM, a, sizeof(a));
	i18n_date(lang, tz, s1, DF_TIME, b, sizeof(b));
	snprintf(out, len, "%s–%s", a, b);
}

static HPDF_Page
a4_page(struct pdf *p, int landscape)
{
	HPDF_Page page = HPDF_AddPage(p->doc);

	HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4,
	    landscape ? HPDF_PAGE_LANDSCAPE : HPDF_PAGE_PORTRAIT);
	return page;
}

int
match_agenda_pdf(const char *path, const char *font, const char *bold, const char *lang,
    const char *tz, const char *event_name, const char *name, const char *organisation,
    const char *ticket_code, const cJSON *rows)
{
	struct pdf p;
	HPDF_Page page;
	HPDF_REAL w, y;
	const cJSON *x;
	char line[1200], when[260];

	if (pdf_open(&p, font, bold, trc(lang, "agenda", "Your meetings")) != 0)
		return -1;
	page = a4_page(&p, 0);
	w = HPDF_Page_GetWidth(page);
	HPDF_Page_SetRGBFill(page, 0.078f, 0.129f, 0.239f);
	fit_text(page, p.bold, trc(lang, "agenda", "Your meetings"), MM(20), MM(270), w - MM(80), 22, 12, 0);
	HPDF_Page_SetRGBFill(page, 0, 0, 0);
	fit_text(page, p.font, event_name, MM(20), MM(260), w - MM(80), 13, 8, 0);
	fit_text(page, p.bold, name, MM(20), MM(248), w - MM(80), 14, 8, 0);
	fit_text(page, p.font, organisation, MM(20), MM(241), w - MM(80), 11, 7, 0);
	if (ticket_code != NULL && *ticket_code != '\0') {
		draw_qr(page, ticket_code, w - MM(55), MM(232), MM(40));
		HPDF_Page_SetRGBFill(page, 0.29f, 0.31f, 0.34f);
		fit_text(page, p.font, trc(lang, "agenda", "Show this code at the door and at your tables."),
		    w - MM(35), MM(227), MM(60), 8, 6, 1);
		HPDF_Page_SetRGBFill(page, 0, 0, 0);
	}
	y = MM(215);
	if (cJSON_GetArraySize(rows) == 0)
		fit_text(page, p.font, trc(lang, "agenda", "No meetings are scheduled for you yet."),
		    MM(20), y, w - MM(40), 12, 8, 0);
	cJSON_ArrayForEach(x, rows) {
		const cJSON *with = cJSON_GetObjectItem(x, "with");
		char table[200];
		if (y < MM(30)) {
			page = a4_page(&p, 0);
			y = MM(270);
		}
		slot_text(lang, tz, cJSON_GetObjectItem(x, "slot"), when, sizeof(when));
		i18n_fill(table, sizeof(table), trc(lang, "meeting place", "Table {table}"), "table",
		    jstr(x, "table"), NULL);
		HPDF_Page_SetRGBFill(page, 0.043f, 0.431f, 0.431f);
		fit_text(page, p.bold, when, MM(20), y, MM(80), 11, 7, 0);
		fit_text(page, p.bold, table, MM(105), y, MM(40), 11, 7, 0);
		HPDF_Page_SetRGBFill(page, 0, 0, 0);
		fit_text(page, p.font, jstr(x, "room"), MM(150), y, w - MM(170), 10, 6, 0);
		snprintf(line, sizeof(line), "%s%s%s", jstr(with, "name"),
		    *jstr(with, "organisation") ? ", " : "", jstr(with, "organisation"));
		fit_text(page, p.font, line, MM(20), y - MM(6), w - MM(40), 11, 7, 0);
		HPDF_Page_SetRGBFill(page, 0.29f, 0.31f, 0.34f);
		fit_text(page, p.font, jstr(with, "headline"), MM(20), y - MM(11), w - MM(40), 9, 6, 0);
		HPDF_Page_SetRGBFill(page, 0, 0, 0);
		y -= MM(20);
	}
	return pdf_close(&p, path);
}

/* The slot line and the column headings, on the first page and again on
 * every later one, so a page taped to a pillar reads by itself. */
static HPDF_REAL
table_plan_head(struct pdf *p, HPDF_Page page, const char *lang, const char *event_name,
    const char *slotline, int first)
{
	HPDF_REAL w = HPDF_Page_GetWidth(page), y = MM(195), col = (w - MM(60)) / 2;

	if (first) {
		fit_text(page, p->bold, trc(lang, "table plan", "Table plan"), MM(15), y, MM(120), 20, 12, 0);
		y -= MM(8);
	}
	fit_text(page, p->font, event_name, MM(15), y, w - MM(30), 12, 7, 0);
	y -= MM(7);
	fit_text(page, p->bold, slotline, MM(15), y, w - MM(30), 12, 7, 0);
	y -= MM(10);
	HPDF_Page_SetRGBFill(page, 0.29f, 0.31f, 0.34f);
	fit_text(page, p->bold, trc(lang, "export column", "Table"), MM(15), y, MM(28), 10, 6, 0);
	fit_text(page, p->bold, trc(lang, "export column", "Participant A"), MM(45), y, col - MM(5), 10, 6, 0);
	fit_text(page, p->bold, trc(lang, "export column", "Participant B"), MM(45) + col, y, col - MM(5), 10, 6, 0);
	HPDF_Page_SetRGBFill(page, 0, 0, 0);
	HPDF_Page_SetLineWidth(page, 0.6f);
	HPDF_Page_MoveTo(page, MM(13), y - MM(2));
	HPDF_Page_LineTo(page, w - MM(13), y - MM(2));
	HPDF_Page_Stroke(page);
	return y - MM(8);
}

int
match_table_plan_pdf(const char *path, const char *font, const char *bold, const char *lang,
    const char *tz, const char *event_name, const cJSON *slot, const cJSON *rows)
{
	struct pdf p;
	HPDF_Page page;
	HPDF_REAL w, y;
	const cJSON *labels = cJSON_GetObjectItem(slot, "table_labels"), *x;
	const cJSON *nt = cJSON_GetObjectItem(slot, "tables");
	/* Labels are at most 20 characters (api_programme.c): 80 bytes of UTF-8. */
	int tables = cJSON_IsNumber(nt) && nt->valuedouble > 0 && nt->valuedouble <= 1000 ?
	    (int)nt->valuedouble : 0;
	char when[260], label[96], line[900], slotline[600];

	if (pdf_open(&p, font, bold, trc(lang, "table plan", "Table plan")) != 0)
		return -1;
	page = a4_page(&p, 1);
	w = HPDF_Page_GetWidth(page);
	slot_text(lang, tz, slot, when, sizeof(when));
	snprintf(slotline, sizeof(slotline), "%s%s%s", when, *jstr(slot, "room") ? " · " : "",
	    jstr(slot, "room"));
	y = table_plan_head(&p, page, lang, event_name, slotline, 1);
	for (int t = 0; t < tables; t++) {
		const cJSON *m = NULL;
		const char *lab = cJSON_IsArray(labels) ?
		    cJSON_GetStringValue(cJSON_GetArrayItem(labels, t)) : NULL;
		if (lab != NULL)
			snprintf(label, sizeof(label), "%s", lab);
		else
			snprintf(label, sizeof(label), "%d", t + 1);
		cJSON_ArrayForEach(x, rows)
			if (strcmp(jstr(x, "table"), label) == 0)
				m = x;
		if (y < MM(15)) {
			page = a4_page(&p, 1);
			y = table_plan_head(&p, page, lang, event_name, slotline, 0);
		}
		if (t % 2 == 0) {
			HPDF_Page_SetRGBFill(page, 0.953f, 0.965f, 0.973f);
			HPDF_Page_Rectangle(page, MM(13), y - MM(2.5f), w - MM(26), MM(8));
			HPDF_Page_Fill(page);
		}
		HPDF_Page_SetRGBFill(page, 0, 0, 0);
		fit_text(page, p.bold, label, MM(15), y, MM(25), 12, 7, 0);
		if (m == NULL) {
			fit_text(page, p.font, "—", MM(45), y, MM(20), 11, 7, 0);
		} else {
			const cJSON *a = cJSON_GetObjectItem(m, "requester"), *b = cJSON_GetObjectItem(m, "recipient");
			snprintf(line, sizeof(line), "%s%s%s", jstr(a, "name"), *jstr(a, "organisation") ? ", " : "",
			    jstr(a, "organisation"));
			fit_text(page, p.font, line, MM(45), y, (w - MM(60)) / 2 - MM(5), 11, 6, 0);
			snprintf(line, sizeof(line), "%s%s%s", jstr(b, "name"), *jstr(b, "organisation") ? ", " : "",
			    jstr(b, "organisation"));
			fit_text(page, p.font, line, MM(45) + (w - MM(60)) / 2, y, (w - MM(60)) / 2 - MM(5), 11, 6, 0);
		}
		y -= MM(8);
	}
	return pdf_close(&p, path);
}
