/*
 * Spreadsheet exports: CSV cells (src/csv.c) and the attendee list's lines
 * (src/export.c attendee_csv_line, answer_text, session_titles); with mode
 * byte 255 also the same row through the XLSX writer (attendees_xlsx_*,
 * to a file in /tmp, removed at once).  XLSX has no cell function of its
 * own to check: libxlsxwriter writes strings as strings, never formulas.
 *
 * Input: one mode byte, 8 bytes of numbers, then NUL-separated cells.
 * Properties, on the CSV read back with an RFC 4180 reader:
 *  - one record per line, CRLF-terminated, no CR or LF outside quotes;
 *  - the same number of fields as cells written, each the text given;
 *  - a text cell starting with = + - @ TAB or CR comes back with a "'"
 *    in front (formula-injection protection), and no user-text field of
 *    an attendee line starts with one of those without it.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "csv.h"
#include "export.h"
#include "i18n.h"
#include "sbuf.h"

#include "fuzz.h"

#define MAXCELLS 32
#define FORMULA_START "=+-@\t\r"

struct fields {
	char *f[MAXCELLS * 2 + 16];
	size_t n;
	int overflow;
};

static void
fields_free(struct fields *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		free(fs->f[i]);
	fs->n = 0;
}

/*
 * One RFC 4180 record from s (len octets); *used gets what it took,
 * CRLF included.  -1 on a malformed record.
 */
static int
read_record(const char *s, size_t len, struct fields *fs, size_t *used)
{
	size_t i = 0;

	fs->n = 0;
	fs->overflow = 0;
	for (;;) {
		struct sbuf b = {0};
		if (i < len && s[i] == '"') {
			for (i++;; i++) {
				if (i >= len)
					goto bad;
				if (s[i] == '"') {
					if (i + 1 < len && s[i + 1] == '"') {
						sb_add(&b, "\"", 1);
						i++;
						continue;
					}
					i++;
					break;
				}
				sb_add(&b, s + i, 1);
			}
		} else {
			for (; i < len && s[i] != ',' && s[i] != '\r' && s[i] != '\n'; i++) {
				if (s[i] == '"')
					goto bad;
				sb_add(&b, s + i, 1);
			}
		}
		if (b.failed)
			abort();
		if (fs->n < sizeof(fs->f) / sizeof(fs->f[0]))
			fs->f[fs->n++] = b.p != NULL ? b.p : strdup("");
		else {
			fs->overflow = 1;
			free(b.p);
		}
		if (i < len && s[i] == ',') {
			i++;
			continue;
		}
		if (i + 1 < len && s[i] == '\r' && s[i + 1] == '\n') {
			*used = i + 2;
			return 0;
		}
		goto bad;
	bad:
		sb_free(&b);
		return -1;
	}
}

/* The cell as the reader must see it. */
static int
same_cell(const char *got, const char *cell)
{
	if (cell == NULL || *cell == '\0')
		return *got == '\0';
	if (strchr(FORMULA_START, *cell) != NULL)
		return got[0] == '\'' && strcmp(got + 1, cell) == 0;
	return strcmp(got, cell) == 0;
}

static void
check_one_record(const struct sbuf *b, struct fields *fs)
{
	size_t used = 0;

	FZ_ASSERT(b->len >= 2 && memcmp(b->p + b->len - 2, "\r\n", 2) == 0, "no CRLF at the end");
	FZ_ASSERT(read_record(b->p, b->len, fs, &used) == 0, "unreadable CSV: %.200s", b->p);
	FZ_ASSERT(used == b->len, "a cell broke the record at %zu of %zu", used, b->len);
	FZ_ASSERT(!fs->overflow, "too many fields");
}

static void
cells_mode(char **cells, size_t n, const uint8_t *num)
{
	struct sbuf b = {0};
	struct fields fs = {0};
	long long v;
	double pct;
	size_t i;

	for (i = 0; i < n; i++)
		FZ_ASSERT(csv_text(&b, cells[i], i == 0) == 0, "csv_text failed");
	memcpy(&v, num, sizeof(v));
	pct = (double)(int16_t)((unsigned)num[0] << 8 | num[1]) / 7.0;
	csv_int(&b, v, n == 0);
	csv_pct(&b, pct, 0);
	csv_text(&b, NULL, 0);
	csv_eol(&b);
	FZ_ASSERT(!b.failed, "out of memory");
	check_one_record(&b, &fs);
	FZ_ASSERT(fs.n == n + 3, "%zu fields for %zu cells", fs.n, n + 3);
	for (i = 0; i < n; i++)
		FZ_ASSERT(same_cell(fs.f[i], cells[i]), "cell %zu \"%s\" read back as \"%s\"", i,
		    cells[i], fs.f[i]);
	{
		char want[32];
		snprintf(want, sizeof(want), "%lld", v);
		FZ_ASSERT(strcmp(fs.f[n], want) == 0, "number %s read back as %s", want, fs.f[n]);
	}
	FZ_ASSERT(fs.f[n + 2][0] == '\0', "NULL cell not empty");
	fields_free(&fs);
	sb_free(&b);
}

static const char *
cell(char **cells, size_t n, size_t i)
{
	return i < n ? cells[i] : NULL;
}

/*
 * cells: name, email, organisation, ticket type, status, gate, answers
 * (JSON), signed-up ids, attended ids, zone, language, then question
 * labels and session titles alternately.
 */
static void
attendee_mode(char **cells, size_t n, const uint8_t *num, int xlsx)
{
	struct exp_question qs[4];
	struct exp_session ss[4];
	struct attendee_cols c;
	struct exp_attendee a;
	struct sbuf b = {0};
	struct fields fs = {0};
	const char *tz = cell(cells, n, 9);
	size_t i, nq = 0, nsess = 0, want;

	memset(&c, 0, sizeof(c));
	memset(&a, 0, sizeof(a));
	memset(qs, 0, sizeof(qs));
	memset(ss, 0, sizeof(ss));
	for (i = 11; i < n && (nq < 4 || nsess < 4); i++) {
		if ((i - 11) % 2 == 0 && nq < 4) {
			qs[nq].id = (long long)nq + 1;
			qs[nq].label = cells[i];
			nq++;
		} else if (nsess < 4) {
			ss[nsess].id = (long long)nsess + 1;
			ss[nsess].title = cells[i];
			nsess++;
		}
	}
	c.questions = qs;
	c.nquestions = nq;
	c.sessions = ss;
	c.nsessions = nsess;
	c.tz = tz != NULL && *tz != '\0' ? tz : "Europe/Ljubljana";
	c.lang = i18n_match(cell(cells, n, 10) ? cell(cells, n, 10) : "en", -1);
	if (c.lang == NULL)
		c.lang = "en";
	a.id = (long long)(num[0] | num[1] << 8);
	a.name = cell(cells, n, 0);
	a.email = cell(cells, n, 1);
	a.org = cell(cells, n, 2);
	a.ttype = cell(cells, n, 3);
	a.status = cell(cells, n, 4);
	a.gate = cell(cells, n, 5);
	a.answers = cell(cells, n, 6);
	a.signed_ids = cell(cells, n, 7);
	a.attended_ids = cell(cells, n, 8);
	a.registered_at = 1700000000LL + (long long)(int32_t)((uint32_t)num[2] << 24 |
	    (uint32_t)num[3] << 16 | (uint32_t)num[4] << 8 | num[5]);
	a.checked_in_at = num[6] & 1 ? a.registered_at + num[7] * 3600LL : 0;

	want = 9 + nq + 2;
	/* The heading line, question labels included. */
	attendee_csv_line(&c, NULL, &b);
	FZ_ASSERT(!b.failed, "out of memory");
	check_one_record(&b, &fs);
	FZ_ASSERT(fs.n == want, "heading: %zu fields, want %zu", fs.n, want);
	for (i = 0; i < nq; i++)
		FZ_ASSERT(same_cell(fs.f[9 + i], qs[i].label), "label %zu", i);
	fields_free(&fs);
	sb_free(&b);

	attendee_csv_line(&c, &a, &b);
	FZ_ASSERT(!b.failed, "out of memory");
	check_one_record(&b, &fs);
	FZ_ASSERT(fs.n == want, "row: %zu fields, want %zu", fs.n, want);
	FZ_ASSERT(same_cell(fs.f[1], a.name) && same_cell(fs.f[2], a.email) &&
	    same_cell(fs.f[3], a.org) && same_cell(fs.f[4], a.ttype) &&
	    same_cell(fs.f[5], a.status), "a text field changed");
	FZ_ASSERT(same_cell(fs.f[8], a.checked_in_at > 0 ? a.gate : NULL), "gate");
	/* Answers and session lists are user text too: never a bare formula. */
	for (i = 1; i < fs.n; i++)
		FZ_ASSERT(fs.f[i][0] == '\0' || strchr(FORMULA_START, fs.f[i][0]) == NULL,
		    "field %zu starts a formula: \"%s\"", i, fs.f[i]);
	fields_free(&fs);
	sb_free(&b);

	if (xlsx) {
		char path[64];
		struct xlsx_attendees *x;

		snprintf(path, sizeof(path), "/tmp/confero-fuzz-%ld.xlsx", (long)getpid());
		if ((x = attendees_xlsx_open(path, "/tmp", &c)) != NULL) {
			attendees_xlsx_row(x, &a);
			attendees_xlsx_row(x, &a);
			attendees_xlsx_close(x);
		}
		unlink(path);
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];

	(void)argc;
	(void)argv;
	if (i18n_init(err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz: %s\n", err);
		exit(1);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *cells[MAXCELLS];
	size_t n = 0, left;
	uint8_t num[8] = {0};

	if (size < 1 || size > 16384)
		return 0;
	memcpy(num, data + 1, size - 1 < 8 ? size - 1 : 8);
	left = size > 9 ? size - 9 : 0;
	s = fz_str(data + (size > 9 ? 9 : size), left);
	n = fz_fields(s, left, cells, MAXCELLS);
	if (data[0] % 2 == 0)
		cells_mode(cells, n, num);
	else
		attendee_mode(cells, n, num, data[0] == 255);
	free(s);
	return 0;
}
