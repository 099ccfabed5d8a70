/*
 * The B2B meeting scheduler (see match_schedule.h and
 * docs/matchmaking-scheduler.md): a most-constrained-first construction,
 * ejection-chain repair, a local search over Kempe swaps and replacements
 * for the idle gaps, and an LP (GLPK) whose dual gives an honest bound;
 * a small model that the heuristic leaves short of the bound is solved
 * exactly by GLPK's branch and bound.  No I/O, no state between calls.
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glpk.h>

#include "match_schedule.h"

#define DEFAULT_LIMIT   1.5
#define MIP_MAX_COLS    6000    /* larger models: the heuristic's answer stands */
#define KEMPE_MAX       24      /* meetings in one Kempe chain */
#define AUG_DEPTH       6
#define AUG_BUDGET      3000     /* search nodes per unplaced meeting and round */

enum mstate { M_FREE, M_FIXED, M_CLASH };

struct st {
	const struct ms_problem *pb;
	int P, S, M;
	int *occ;               /* [P*S] meeting in that slot, -1 */
	int *slot;              /* [M] */
	int *cnt;               /* [S] meetings in the slot, fixed included */
	int *cap;               /* [S] tables */
	unsigned char *state;   /* [M] enum mstate */
	unsigned char *fixbusy; /* [P*S] a fixed meeting holds the person */
	int *fsoff, *fs;        /* feasible slots of each free meeting */
	int *slmoff, *slm, *slmn, *pos; /* free meetings placed in each slot */
	int *sessid;            /* [S] compact session number */
	int nsess;
	int *sessoff, *sesslots; /* slots of each session, in index order */
	int *sessidx;           /* [S] position of the slot within its session */
	int *unpl, nunpl, *upos; /* unplaced free meetings with a feasible slot */
	int *lock;              /* [M] stamp: part of the current chain */
	int stamp;
	int *log, nlog, logcap; /* undo log: pairs (meeting, previous slot) */
	int placed;             /* free meetings placed */
	long gaps;
	uint64_t rng;
	double t0, limit;
	int timed_out;
	/* scratch for delta evaluation */
	int *pmark, pstamp, *plist, nplist;
	int *smark, sstamp, slist[4], nslist;
	int *comp, *cside;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t
rnd(struct st *t)
{
	uint64_t z = (t->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int
rndn(struct st *t, int n)
{
	return (int)(rnd(t) % (uint64_t)n);
}

static int
out_of_time(struct st *t)
{
	if (now() - t->t0 > t->limit) {
		t->timed_out = 1;
		return 1;
	}
	return 0;
}

static int
valid_problem(const struct ms_problem *pb)
{
	int i;

	if (pb == NULL || pb->npeople < 0 || pb->nslots < 0 || pb->nmeetings < 0)
		return 0;
	if (pb->npeople > 0 && pb->nslots > INT_MAX / pb->npeople)
		return 0;
	if (pb->nslots > 0 && (pb->tables == NULL || pb->session == NULL))
		return 0;
	if (pb->npeople > 0 && pb->nslots > 0 && pb->avail == NULL)
		return 0;
	if (pb->nmeetings > 0 && pb->meetings == NULL)
		return 0;
	for (i = 0; i < pb->nslots; i++)
		if (pb->tables[i] < 0)
			return 0;
	for (i = 0; i < pb->nmeetings; i++) {
		const struct ms_meeting *m = &pb->meetings[i];

		if (m->a < 0 || m->b < 0 || m->a >= pb->npeople || m->b >= pb->npeople ||
		    m->a == m->b)
			return 0;
		if (m->fixed_slot < -1 || m->fixed_slot >= pb->nslots)
			return 0;
		if (m->fixed_slot < 0 && m->fixed_table != -1)
			return 0;
		if (m->fixed_slot >= 0 &&
		    (m->fixed_table < -1 || m->fixed_table >= pb->tables[m->fixed_slot]))
			return 0;
	}
	return 1;
}

static void *
zalloc(size_t n, size_t sz)
{
	return calloc(n ? n : 1, sz);
}

static void
st_free(struct st *t)
{
	free(t->occ);
	free(t->slot);
	free(t->cnt);
	free(t->cap);
	free(t->state);
	free(t->fixbusy);
	free(t->fsoff);
	free(t->fs);
	free(t->slmoff);
	free(t->slm);
	free(t->slmn);
	free(t->pos);
	free(t->sessid);
	free(t->sessoff);
	free(t->sesslots);
	free(t->sessidx);
	free(t->unpl);
	free(t->upos);
	free(t->lock);
	free(t->log);
	free(t->pmark);
	free(t->plist);
	free(t->smark);
	free(t->comp);
	free(t->cside);
}

#define AV(t, p, s) ((t)->pb->avail[(size_t)(p) * (size_t)(t)->S + (size_t)(s)])
#define OCC(t, p, s) ((t)->occ[(size_t)(p) * (size_t)(t)->S + (size_t)(s)])

/*
 * Sessions, fixed meetings (the first of two that clash keeps its place)
 * and the feasible slots of every free meeting.
 */
static int
st_init(struct st *t, const struct ms_problem *pb)
{
	int P = pb->npeople, S = pb->nslots, M = pb->nmeetings;
	int i, s, k, n, pass;
	size_t PS = (size_t)P * (size_t)S;
	int *tabused = NULL, *taboff = NULL;

	memset(t, 0, sizeof(*t));
	t->pb = pb;
	t->P = P, t->S = S, t->M = M;
	t->t0 = now();
	t->limit = pb->time_limit > 0 ? pb->time_limit : DEFAULT_LIMIT;
	t->rng = 0x5eed5eedULL ^ ((uint64_t)M << 32) ^ ((uint64_t)P << 16) ^ (uint64_t)S;
	t->occ = malloc((PS ? PS : 1) * sizeof(int));
	t->fixbusy = zalloc(PS, 1);
	t->slot = malloc((M ? (size_t)M : 1) * sizeof(int));
	t->state = zalloc((size_t)M, 1);
	t->cnt = zalloc((size_t)S, sizeof(int));
	t->cap = zalloc((size_t)S, sizeof(int));
	t->sessid = zalloc((size_t)S, sizeof(int));
	t->sessidx = zalloc((size_t)S, sizeof(int));
	t->sessoff = zalloc((size_t)S + 1, sizeof(int));
	t->sesslots = zalloc((size_t)S, sizeof(int));
	t->fsoff = zalloc((size_t)M + 1, sizeof(int));
	t->slmoff = zalloc((size_t)S + 1, sizeof(int));
	t->slmn = zalloc((size_t)S, sizeof(int));
	t->pos = zalloc((size_t)M, sizeof(int));
	t->unpl = zalloc((size_t)M, sizeof(int));
	t->upos = zalloc((size_t)M, sizeof(int));
	t->lock = zalloc((size_t)M, sizeof(int));
	t->pmark = zalloc((size_t)P, sizeof(int));
	t->plist = zalloc(2 * (size_t)KEMPE_MAX + 8, sizeof(int));
	t->smark = zalloc((size_t)S, sizeof(int));
	t->comp = zalloc(KEMPE_MAX, sizeof(int));
	t->cside = zalloc(KEMPE_MAX, sizeof(int));
	t->logcap = 256;
	t->log = malloc((size_t)t->logcap * sizeof(int));
	taboff = zalloc((size_t)S + 1, sizeof(int));
	if (!t->occ || !t->fixbusy || !t->slot || !t->state || !t->cnt || !t->cap ||
	    !t->sessid || !t->sessidx || !t->sessoff || !t->sesslots || !t->fsoff ||
	    !t->slmoff || !t->slmn || !t->pos || !t->unpl || !t->upos || !t->lock ||
	    !t->pmark || !t->plist || !t->smark || !t->comp || !t->cside || !t->log ||
	    !taboff)
		goto fail;
	for (size_t j = 0; j < PS; j++)
		t->occ[j] = -1;
	for (i = 0; i < M; i++)
		t->slot[i] = -1;

	/* Sessions: number them in order of first appearance. */
	for (s = 0; s < S; s++) {
		int g = -1;

		for (k = 0; k < s; k++)
			if (pb->session[k] == pb->session[s]) {
				g = t->sessid[k];
				break;
			}
		if (g < 0)
			g = t->nsess++;
		t->sessid[s] = g;
	}
	for (s = 0; s < S; s++)
		t->sessoff[t->sessid[s] + 1]++;
	for (k = 0; k < t->nsess; k++)
		t->sessoff[k + 1] += t->sessoff[k];
	{
		int *fill = zalloc((size_t)t->nsess, sizeof(int));

		if (fill == NULL)
			goto fail;
		for (s = 0; s < S; s++) {
			int g = t->sessid[s];

			t->sessidx[s] = fill[g];
			t->sesslots[t->sessoff[g] + fill[g]++] = s;
		}
		free(fill);
	}

	/* Fixed meetings: explicit tables first, then "any table". */
	for (s = 0; s < S; s++) {
		t->cap[s] = pb->tables[s];
		taboff[s + 1] = taboff[s] + pb->tables[s];
	}
	tabused = zalloc((size_t)taboff[S], sizeof(int));
	if (tabused == NULL)
		goto fail;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < M; i++) {
			const struct ms_meeting *m = &pb->meetings[i];

			s = m->fixed_slot;
			if (s < 0 || (pass == 0) != (m->fixed_table >= 0))
				continue;
			if (OCC(t, m->a, s) >= 0 || OCC(t, m->b, s) >= 0 || t->cnt[s] >= t->cap[s] ||
			    (m->fixed_table >= 0 && tabused[taboff[s] + m->fixed_table])) {
				t->state[i] = M_CLASH;
				continue;
			}
			t->state[i] = M_FIXED;
			if (m->fixed_table >= 0)
				tabused[taboff[s] + m->fixed_table] = 1;
			OCC(t, m->a, s) = i;
			OCC(t, m->b, s) = i;
			t->fixbusy[(size_t)m->a * S + s] = 1;
			t->fixbusy[(size_t)m->b * S + s] = 1;
			t->slot[i] = s;
			t->cnt[s]++;
		}
	free(tabused);
	tabused = NULL;
	free(taboff);
	taboff = NULL;

	/* Feasible slots: both available, neither held by a fixed meeting, a table left. */
	n = 0;
	for (i = 0; i < M; i++) {
		const struct ms_meeting *m = &pb->meetings[i];

		t->fsoff[i] = n;
		if (t->state[i] != M_FREE)
			continue;
		for (s = 0; s < S; s++)
			if (AV(t, m->a, s) && AV(t, m->b, s) && !t->fixbusy[(size_t)m->a * S + s] &&
			    !t->fixbusy[(size_t)m->b * S + s] && t->cnt[s] < t->cap[s])
				n++;
	}
	t->fsoff[M] = n;
	t->fs = zalloc((size_t)n, sizeof(int));
	if (t->fs == NULL)
		goto fail;
	for (i = 0, n = 0; i < M; i++) {
		const struct ms_meeting *m = &pb->meetings[i];

		if (t->state[i] != M_FREE)
			continue;
		for (s = 0; s < S; s++)
			if (AV(t, m->a, s) && AV(t, m->b, s) && !t->fixbusy[(size_t)m->a * S + s] &&
			    !t->fixbusy[(size_t)m->b * S + s] && t->cnt[s] < t->cap[s])
				t->fs[n++] = s;
	}
	for (s = 0; s < S; s++)
		t->slmoff[s + 1] = t->slmoff[s] + (t->cap[s] - t->cnt[s]);
	t->slm = zalloc((size_t)t->slmoff[S], sizeof(int));
	if (t->slm == NULL)
		goto fail;
	for (i = 0; i < M; i++)
		if (t->state[i] == M_FREE && t->fsoff[i + 1] > t->fsoff[i]) {
			t->upos[i] = t->nunpl;
			t->unpl[t->nunpl++] = i;
		}
	return 0;
fail:
	free(tabused);
	free(taboff);
	st_free(t);
	return -1;
}

/* Moves a free meeting to slot `to` (-1: unplaced) without checks. */
static void
move_raw(struct st *t, int m, int to)
{
	const struct ms_meeting *mt = &t->pb->meetings[m];
	int from = t->slot[m];

	if (from >= 0) {
		int last;

		OCC(t, mt->a, from) = -1;
		OCC(t, mt->b, from) = -1;
		t->cnt[from]--;
		last = t->slm[t->slmoff[from] + --t->slmn[from]];
		t->slm[t->slmoff[from] + t->pos[m]] = last;
		t->pos[last] = t->pos[m];
		t->placed--;
		/* back into the unplaced list */
		t->upos[m] = t->nunpl;
		t->unpl[t->nunpl++] = m;
	}
	if (to >= 0) {
		int last;

		OCC(t, mt->a, to) = m;
		OCC(t, mt->b, to) = m;
		t->cnt[to]++;
		t->pos[m] = t->slmn[to];
		t->slm[t->slmoff[to] + t->slmn[to]++] = m;
		t->placed++;
		last = t->unpl[--t->nunpl];
		t->unpl[t->upos[m]] = last;
		t->upos[last] = t->upos[m];
	}
	t->slot[m] = to;
}

static int
move_log(struct st *t, int m, int to)
{
	if (t->nlog + 2 > t->logcap) {
		int *n = realloc(t->log, (size_t)t->logcap * 2 * sizeof(int));

		if (n == NULL)
			return -1;
		t->log = n;
		t->logcap *= 2;
	}
	t->log[t->nlog++] = m;
	t->log[t->nlog++] = t->slot[m];
	move_raw(t, m, to);
	return 0;
}

static void
undo_to(struct st *t, int mark)
{
	while (t->nlog > mark) {
		int from = t->log[--t->nlog];
		int m = t->log[--t->nlog];

		move_raw(t, m, from);
	}
}

/* Idle gaps of person p in session g. */
static int
pgap(const struct st *t, int p, int g)
{
	int first = -1, last = -1, n = 0, k;
	const int *sl = t->sesslots + t->sessoff[g];
	int len = t->sessoff[g + 1] - t->sessoff[g];
	const int *row = t->occ + (size_t)p * t->S;

	for (k = 0; k < len; k++)
		if (row[sl[k]] >= 0) {
			if (first < 0)
				first = k;
			last = k;
			n++;
		}
	return n ? last - first + 1 - n : 0;
}

static long
total_gaps(const struct st *t)
{
	long sum = 0;
	int p, g;

	for (p = 0; p < t->P; p++)
		for (g = 0; g < t->nsess; g++)
			sum += pgap(t, p, g);
	return sum;
}

/* The set of (person, session) pairs a move touches. */
static void
aff_reset(struct st *t)
{
	t->pstamp++;
	t->sstamp++;
	t->nplist = 0;
	t->nslist = 0;
}

static void
aff_meeting(struct st *t, int m)
{
	const struct ms_meeting *mt = &t->pb->meetings[m];

	if (t->pmark[mt->a] != t->pstamp) {
		t->pmark[mt->a] = t->pstamp;
		t->plist[t->nplist++] = mt->a;
	}
	if (t->pmark[mt->b] != t->pstamp) {
		t->pmark[mt->b] = t->pstamp;
		t->plist[t->nplist++] = mt->b;
	}
}

static void
aff_slot(struct st *t, int s)
{
	int g;

	if (s < 0)
		return;
	g = t->sessid[s];
	if (t->smark[g] != t->sstamp) {
		t->smark[g] = t->sstamp;
		t->slist[t->nslist++] = g;
	}
}

static long
aff_gaps(const struct st *t)
{
	long sum = 0;
	int i, j;

	for (i = 0; i < t->nplist; i++)
		for (j = 0; j < t->nslist; j++)
			sum += pgap(t, t->plist[i], t->slist[j]);
	return sum;
}

/* Gap cost of putting free, unplaced meeting m into slot s (which must fit). */
static long
place_delta(struct st *t, int m, int s)
{
	long before, after;

	aff_reset(t);
	aff_meeting(t, m);
	aff_slot(t, s);
	before = aff_gaps(t);
	move_raw(t, m, s);
	after = aff_gaps(t);
	move_raw(t, m, -1);
	return after - before;
}

static int
fits(const struct st *t, int m, int s)
{
	const struct ms_meeting *mt = &t->pb->meetings[m];

	return OCC(t, mt->a, s) < 0 && OCC(t, mt->b, s) < 0 && t->cnt[s] < t->cap[s];
}

/*
 * Construction: the meetings with the fewest feasible slots first, each
 * where it adds the fewest gaps, ties to the slot with most tables left.
 */
static int
construct(struct st *t)
{
	int M = t->M, i, k, n = 0;
	long *key = malloc((M ? (size_t)M : 1) * sizeof(long));
	int *order = malloc((M ? (size_t)M : 1) * sizeof(int));
	int *deg = zalloc((size_t)t->P, sizeof(int));

	if (key == NULL || order == NULL || deg == NULL) {
		free(key);
		free(order);
		free(deg);
		return -1;
	}
	for (i = 0; i < M; i++)
		if (t->state[i] == M_FREE) {
			deg[t->pb->meetings[i].a]++;
			deg[t->pb->meetings[i].b]++;
		}
	for (i = 0; i < M; i++) {
		const struct ms_meeting *mt = &t->pb->meetings[i];
		int nf = t->fsoff[i + 1] - t->fsoff[i];

		if (t->state[i] != M_FREE || nf == 0)
			continue;
		/* few slots first; then busy people; index breaks ties */
		key[i] = (long)nf * 1000000L - (long)(deg[mt->a] + deg[mt->b]) * 1000L;
		order[n++] = i;
	}
	/* insertion sort is too slow for thousands: a simple merge via qsort-less shell sort */
	for (int gap = n / 2; gap > 0; gap /= 2)
		for (i = gap; i < n; i++) {
			int v = order[i], j = i;

			while (j >= gap && (key[order[j - gap]] > key[v] ||
			    (key[order[j - gap]] == key[v] && order[j - gap] > v))) {
				order[j] = order[j - gap];
				j -= gap;
			}
			order[j] = v;
		}
	for (k = 0; k < n; k++) {
		int m = order[k], best = -1;
		long bd = LONG_MAX;
		int bfree = -1;

		for (i = t->fsoff[m]; i < t->fsoff[m + 1]; i++) {
			int s = t->fs[i];
			long d;
			int fr;

			if (!fits(t, m, s))
				continue;
			d = place_delta(t, m, s);
			fr = t->cap[s] - t->cnt[s];
			if (d < bd || (d == bd && fr > bfree)) {
				bd = d;
				bfree = fr;
				best = s;
			}
		}
		if (best >= 0)
			move_raw(t, m, best);
	}
	free(key);
	free(order);
	free(deg);
	return 0;
}

/*
 * Ejection chain: put m into one of its slots, evicting what blocks it
 * (the people's meetings there, or one meeting of a full slot) and
 * re-placing the evicted ones recursively.  All or nothing (undo log).
 */
static int
aug(struct st *t, int m, int depth, int *budget)
{
	const struct ms_meeting *mt = &t->pb->meetings[m];
	int nf = t->fsoff[m + 1] - t->fsoff[m];
	int start, i;

	if (nf == 0)
		return 0;
	start = rndn(t, nf);
	/* direct placement first */
	for (i = 0; i < nf; i++) {
		int s = t->fs[t->fsoff[m] + (start + i) % nf];

		if (fits(t, m, s))
			return move_log(t, m, s) == 0;
	}
	if (depth == 0)
		return 0;
	for (i = 0; i < nf; i++) {
		int s = t->fs[t->fsoff[m] + (start + i) % nf];
		int ea = OCC(t, mt->a, s), eb = OCC(t, mt->b, s);
		int ev[2], nev = 0, j, mark, ok;

		if (--*budget < 0)
			return 0;
		if (ea >= 0)
			ev[nev++] = ea;
		if (eb >= 0 && eb != ea)
			ev[nev++] = eb;
		if (nev == 0) {
			int n = t->slmn[s], tries;

			if (n == 0)
				continue;
			/* full slot: evict one movable meeting, a few candidates */
			for (tries = 0; tries < 2; tries++) {
				int e = t->slm[t->slmoff[s] + rndn(t, n)];

				if (t->lock[e] == t->stamp)
					continue;
				mark = t->nlog;
				t->lock[e] = t->stamp;
				if (move_log(t, e, -1) < 0 || move_log(t, m, s) < 0) {
					undo_to(t, mark);
					return 0;
				}
				t->lock[m] = t->stamp;
				if (aug(t, e, depth - 1, budget))
					return 1;
				undo_to(t, mark);
				t->lock[m] = 0;
				t->lock[e] = 0;
			}
			continue;
		}
		if (nev == 2 && depth < 2)
			continue;
		ok = 1;
		for (j = 0; j < nev; j++)
			if (t->state[ev[j]] != M_FREE || t->lock[ev[j]] == t->stamp)
				ok = 0;
		if (!ok)
			continue;
		mark = t->nlog;
		for (j = 0; j < nev; j++) {
			t->lock[ev[j]] = t->stamp;
			if (move_log(t, ev[j], -1) < 0)
				ok = 0;
		}
		if (ok && move_log(t, m, s) < 0)
			ok = 0;
		t->lock[m] = t->stamp;
		for (j = 0; ok && j < nev; j++)
			if (!aug(t, ev[j], depth - 1, budget))
				ok = 0;
		if (ok)
			return 1;
		undo_to(t, mark);
		t->lock[m] = 0;
		for (j = 0; j < nev; j++)
			t->lock[ev[j]] = 0;
	}
	return 0;
}

static void
repair(struct st *t)
{
	int round, k;

	for (round = 0; round < 3 && t->nunpl > 0; round++) {
		int before = t->placed;
		int n = t->nunpl;
		int *list = malloc((size_t)n * sizeof(int));

		if (list == NULL)
			return;
		memcpy(list, t->unpl, (size_t)n * sizeof(int));
		for (k = 0; k < n; k++) {
			int budget = AUG_BUDGET;

			if ((k & 63) == 0 && out_of_time(t))
				break;
			if (t->slot[list[k]] >= 0)
				continue;
			t->stamp++;
			t->nlog = 0;
			if (!aug(t, list[k], AUG_DEPTH, &budget))
				undo_to(t, 0);
			t->nlog = 0;
		}
		free(list);
		if (t->placed == before || t->timed_out)
			break;
	}
}

/*
 * Kempe chain between the slot of m and slot u: the meetings of the two
 * slots reachable from m through shared people swap slots together, so
 * nobody is double-booked.  Returns the number of meetings moved, 0 when
 * not possible (then nothing changed).
 */
static int
kempe(struct st *t, int m, int u)
{
	int s = t->slot[m], n = 0, h, i;
	int ns = 0, nu = 0;

	t->stamp++;
	t->comp[n] = m;
	t->cside[n++] = s;
	t->lock[m] = t->stamp;
	for (h = 0; h < n; h++) {
		const struct ms_meeting *mt = &t->pb->meetings[t->comp[h]];
		int other = t->cside[h] == s ? u : s;
		int ps[2] = {mt->a, mt->b};

		for (i = 0; i < 2; i++) {
			int e = OCC(t, ps[i], other);

			if (e < 0 || t->lock[e] == t->stamp)
				continue;
			if (t->state[e] != M_FREE || n == KEMPE_MAX)
				return 0;
			t->lock[e] = t->stamp;
			t->comp[n] = e;
			t->cside[n++] = other;
		}
	}
	for (h = 0; h < n; h++) {
		const struct ms_meeting *mt = &t->pb->meetings[t->comp[h]];
		int to = t->cside[h] == s ? u : s;

		if (!AV(t, mt->a, to) || !AV(t, mt->b, to))
			return 0;
		if (t->cside[h] == s)
			ns++;
		else
			nu++;
	}
	if (t->cnt[s] - ns + nu > t->cap[s] || t->cnt[u] - nu + ns > t->cap[u])
		return 0;
	for (h = 0; h < n; h++)
		move_log(t, t->comp[h], -1);
	for (h = 0; h < n; h++)
		move_log(t, t->comp[h], t->cside[h] == s ? u : s);
	return n;
}

/*
 * Local search at equal or better count: Kempe swaps of placed meetings
 * and insertions of unplaced ones (evicting at most one), accepted when
 * the gaps do not grow, and now and then (annealing) when they do.
 */
static void
improve(struct st *t, long iters)
{
	long it;
	double temp0 = 0.6, temp;

	t->gaps = total_gaps(t);
	for (it = 0; it < iters; it++) {
		int mark, m, u, nf, before_placed;
		long before, after;

		if ((it & 1023) == 0 && out_of_time(t))
			break;
		temp = temp0 * (1.0 - (double)it / (double)iters);
		t->nlog = 0;
		mark = 0;
		before_placed = t->placed;
		aff_reset(t);
		if (t->nunpl > 0 && (t->placed == 0 || rndn(t, 3) == 0)) {
			/* insert an unplaced meeting */
			int ea, eb, e = -1;
			const struct ms_meeting *mt;

			m = t->unpl[rndn(t, t->nunpl)];
			mt = &t->pb->meetings[m];
			nf = t->fsoff[m + 1] - t->fsoff[m];
			u = t->fs[t->fsoff[m] + rndn(t, nf)];
			ea = OCC(t, mt->a, u);
			eb = OCC(t, mt->b, u);
			if (ea >= 0 && eb >= 0 && ea != eb)
				continue;
			e = ea >= 0 ? ea : eb;
			if (e >= 0 && t->state[e] != M_FREE)
				continue;
			if (e < 0 && t->cnt[u] >= t->cap[u]) {
				if (t->slmn[u] == 0)
					continue;
				e = t->slm[t->slmoff[u] + rndn(t, t->slmn[u])];
			}
			aff_meeting(t, m);
			if (e >= 0)
				aff_meeting(t, e);
			aff_slot(t, u);
			before = aff_gaps(t);
			if (e >= 0)
				move_log(t, e, -1);
			move_log(t, m, u);
		} else if (t->placed > 0) {
			int s, h, k, moved;

			/* a random placed meeting: pick a slot, then one of its meetings */
			do
				s = rndn(t, t->S);
			while (t->slmn[s] == 0);
			m = t->slm[t->slmoff[s] + rndn(t, t->slmn[s])];
			nf = t->fsoff[m + 1] - t->fsoff[m];
			if (nf < 2)
				continue;
			u = t->fs[t->fsoff[m] + rndn(t, nf)];
			if (u == s)
				continue;
			moved = kempe(t, m, u);
			if (moved == 0)
				continue;
			/* evaluate on the moved meetings (state now is "after") */
			for (h = 0; h < moved; h++)
				aff_meeting(t, t->comp[h]);
			aff_slot(t, s);
			aff_slot(t, u);
			after = aff_gaps(t);
			undo_to(t, mark);
			before = aff_gaps(t);
			for (k = 0; k < moved; k++)
				move_log(t, t->comp[k], -1);
			for (k = 0; k < moved; k++)
				move_log(t, t->comp[k], t->cside[k] == s ? u : s);
			goto judge;
		} else {
			break;
		}
		after = aff_gaps(t);
judge:
		if (t->placed > before_placed) {
			t->gaps += after - before;
			continue;
		}
		if (after <= before || (temp > 0.01 &&
		    (double)(rnd(t) >> 11) * 0x1.0p-53 < exp(-(double)(after - before) / temp))) {
			t->gaps += after - before;
			continue;
		}
		undo_to(t, mark);
	}
	t->nlog = 0;
}

/* Fill anything left that fits (the reasons rely on it). */
static void
fill(struct st *t)
{
	int k;

	for (k = 0; k < t->nunpl;) {
		int m = t->unpl[k], i, done = 0;

		for (i = t->fsoff[m]; i < t->fsoff[m + 1]; i++)
			if (fits(t, m, t->fs[i])) {
				move_raw(t, m, t->fs[i]);
				done = 1;
				break;
			}
		if (!done)
			k++;
	}
}

/* ---- bounds ---- */

static int
cheap_bound(const struct st *t)
{
	long capsum = 0, slotsum = 0;
	int nfeas = 0, s, i, p;
	int *seen;

	for (i = 0; i < t->M; i++)
		if (t->state[i] == M_FREE && t->fsoff[i + 1] > t->fsoff[i])
			nfeas++;
	seen = zalloc((size_t)t->P, sizeof(int));
	if (seen == NULL)
		return nfeas;
	for (s = 0; s < t->S; s++) {
		int people = 0;

		for (p = 0; p < t->P; p++)
			seen[p] = 0;
		for (i = 0; i < t->M; i++) {
			const struct ms_meeting *mt = &t->pb->meetings[i];
			int k;

			if (t->state[i] != M_FREE)
				continue;
			for (k = t->fsoff[i]; k < t->fsoff[i + 1]; k++)
				if (t->fs[k] == s) {
					people += !seen[mt->a] + !seen[mt->b];
					seen[mt->a] = seen[mt->b] = 1;
					break;
				}
		}
		capsum += t->cap[s] - t->cnt[s];
		slotsum += (t->cap[s] - t->cnt[s]) < people / 2 ? (t->cap[s] - t->cnt[s]) : people / 2;
	}
	free(seen);
	if (capsum < nfeas)
		nfeas = (int)capsum;
	if (slotsum < nfeas)
		nfeas = (int)slotsum;
	return nfeas;
}

/*
 * A dual solution with integral values: people in a set C pay one per
 * slot where they have a feasible meeting, every meeting with no end in
 * C pays one.  C is improved by single toggles until none helps.
 */
static int
cover_bound(const struct st *t)
{
	int P = t->P, S = t->S, M = t->M, p, i, k, changed, rounds;
	int *c = zalloc((size_t)P, sizeof(int)), *outside = zalloc((size_t)P, sizeof(int));
	unsigned char *in = zalloc((size_t)P, 1), *seen = zalloc((size_t)P * S, 1);
	int *adjoff = NULL, *adj = NULL, *fillp = NULL, rc = INT_MAX;
	long sum = 0;

	if (!c || !outside || !in || !seen)
		goto out;
	for (i = 0; i < M; i++)
		for (k = t->fsoff[i]; k < t->fsoff[i + 1]; k++) {
			const struct ms_meeting *mt = &t->pb->meetings[i];
			int s = t->fs[k];

			if (!seen[(size_t)mt->a * S + s]++)
				c[mt->a]++;
			if (!seen[(size_t)mt->b * S + s]++)
				c[mt->b]++;
		}
	/* outside[p]: p's feasible meetings whose other end is not in C */
	for (i = 0; i < M; i++)
		if (t->fsoff[i + 1] > t->fsoff[i]) {
			outside[t->pb->meetings[i].a]++;
			outside[t->pb->meetings[i].b]++;
		}
	/* each person's feasible meetings, for the toggles */
	adjoff = zalloc((size_t)P + 1, sizeof(int));
	if (adjoff == NULL)
		goto out;
	for (i = 0; i < M; i++)
		if (t->fsoff[i + 1] > t->fsoff[i]) {
			adjoff[t->pb->meetings[i].a + 1]++;
			adjoff[t->pb->meetings[i].b + 1]++;
		}
	for (p = 0; p < P; p++)
		adjoff[p + 1] += adjoff[p];
	adj = zalloc((size_t)adjoff[P], sizeof(int));
	fillp = zalloc((size_t)P, sizeof(int));
	if (adj == NULL || fillp == NULL)
		goto out;
	for (i = 0; i < M; i++)
		if (t->fsoff[i + 1] > t->fsoff[i]) {
			const struct ms_meeting *mt = &t->pb->meetings[i];

			adj[adjoff[mt->a] + fillp[mt->a]++] = mt->b;
			adj[adjoff[mt->b] + fillp[mt->b]++] = mt->a;
		}
	for (rounds = 0, changed = 1; changed && rounds < 50; rounds++) {
		changed = 0;
		for (p = 0; p < P; p++) {
			/* in C, p pays c[p] and covers outside[p] meetings that would pay one each */
			int want = c[p] < outside[p] || (c[p] == outside[p] && in[p]);

			if (want == in[p])
				continue;
			in[p] = (unsigned char)want;
			changed = 1;
			for (k = adjoff[p]; k < adjoff[p + 1]; k++)
				outside[adj[k]] += want ? -1 : 1;
		}
	}
	for (p = 0; p < P; p++)
		if (in[p])
			sum += c[p];
	for (i = 0; i < M; i++) {
		const struct ms_meeting *mt = &t->pb->meetings[i];

		if (t->fsoff[i + 1] > t->fsoff[i] && !in[mt->a] && !in[mt->b])
			sum++;
	}
	rc = sum < INT_MAX ? (int)sum : INT_MAX;
out:
	free(c);
	free(outside);
	free(in);
	free(seen);
	free(adjoff);
	free(adj);
	free(fillp);
	return rc;
}

struct lp {
	glp_prob *lp;
	int ncols;
	int *colm, *cols;       /* column j: meeting, slot */
	int *mrow;              /* [M] row of the meeting, 0: none */
	int *psrow;             /* [P*S] row of the person-slot, 0: none */
	int *srow;              /* [S] row of the slot, 0: none */
};

static void
lp_free(struct lp *l)
{
	if (l->lp != NULL)
		glp_delete_prob(l->lp);
	free(l->colm);
	free(l->cols);
	free(l->mrow);
	free(l->psrow);
	free(l->srow);
}

/*
 * max sum x[m,s]  s.t.  sum_s x[m,s] <= 1,  sum_{m at p} x[m,s] <= 1,
 * sum_m x[m,s] <= free tables of s,  x >= 0.  Rows that can never bind are left out.
 */
static int
lp_build(struct st *t, struct lp *l)
{
	size_t PS = (size_t)t->P * t->S;
	int *psn = NULL, *sn = NULL;
	int *ia = NULL, *ja = NULL;
	double *ar = NULL;
	int nrows = 0, i, k, s, nnz = 0, rc = -1;

	memset(l, 0, sizeof(*l));
	l->ncols = t->fsoff[t->M];
	l->colm = zalloc((size_t)l->ncols, sizeof(int));
	l->cols = zalloc((size_t)l->ncols, sizeof(int));
	l->mrow = zalloc((size_t)t->M, sizeof(int));
	l->psrow = zalloc(PS, sizeof(int));
	l->srow = zalloc((size_t)t->S, sizeof(int));
	psn = zalloc(PS, sizeof(int));
	sn = zalloc((size_t)t->S, sizeof(int));
	ia = zalloc((size_t)l->ncols * 4 + 1, sizeof(int));
	ja = zalloc((size_t)l->ncols * 4 + 1, sizeof(int));
	ar = zalloc((size_t)l->ncols * 4 + 1, sizeof(double));
	if (!l->colm || !l->cols || !l->mrow || !l->psrow || !l->srow || !psn || !sn || !ia ||
	    !ja || !ar)
		goto out;
	for (i = 0; i < t->M; i++)
		for (k = t->fsoff[i]; k < t->fsoff[i + 1]; k++) {
			s = t->fs[k];
			l->colm[k] = i;
			l->cols[k] = s;
			psn[(size_t)t->pb->meetings[i].a * t->S + s]++;
			psn[(size_t)t->pb->meetings[i].b * t->S + s]++;
			sn[s]++;
		}
	for (i = 0; i < t->M; i++)
		if (t->fsoff[i + 1] > t->fsoff[i])
			l->mrow[i] = ++nrows;
	for (size_t j = 0; j < PS; j++)
		if (psn[j] >= 2)
			l->psrow[j] = ++nrows;
	for (s = 0; s < t->S; s++)
		if (sn[s] > t->cap[s] - t->cnt[s])
			l->srow[s] = ++nrows;
	l->lp = glp_create_prob();
	glp_set_obj_dir(l->lp, GLP_MAX);
	if (nrows > 0)
		glp_add_rows(l->lp, nrows);
	if (l->ncols > 0)
		glp_add_cols(l->lp, l->ncols);
	for (i = 0; i < t->M; i++)
		if (l->mrow[i])
			glp_set_row_bnds(l->lp, l->mrow[i], GLP_UP, 0.0, 1.0);
	for (size_t j = 0; j < PS; j++)
		if (l->psrow[j])
			glp_set_row_bnds(l->lp, l->psrow[j], GLP_UP, 0.0, 1.0);
	for (s = 0; s < t->S; s++)
		if (l->srow[s])
			glp_set_row_bnds(l->lp, l->srow[s], GLP_UP, 0.0,
			    (double)(t->cap[s] - t->cnt[s]));
	for (k = 0; k < l->ncols; k++) {
		const struct ms_meeting *mt = &t->pb->meetings[l->colm[k]];
		int r;

		s = l->cols[k];
		glp_set_col_bnds(l->lp, k + 1, GLP_DB, 0.0, 1.0);
		glp_set_obj_coef(l->lp, k + 1, 1.0);
		ia[++nnz] = l->mrow[l->colm[k]], ja[nnz] = k + 1, ar[nnz] = 1.0;
		if ((r = l->psrow[(size_t)mt->a * t->S + s]) != 0)
			ia[++nnz] = r, ja[nnz] = k + 1, ar[nnz] = 1.0;
		if ((r = l->psrow[(size_t)mt->b * t->S + s]) != 0)
			ia[++nnz] = r, ja[nnz] = k + 1, ar[nnz] = 1.0;
		if ((r = l->srow[s]) != 0)
			ia[++nnz] = r, ja[nnz] = k + 1, ar[nnz] = 1.0;
	}
	if (nnz > 0)
		glp_load_matrix(l->lp, nnz, ia, ja, ar);
	rc = 0;
out:
	free(psn);
	free(sn);
	free(ia);
	free(ja);
	free(ar);
	return rc;
}

/*
 * Weak duality: any v (person-slot), w (slot) >= 0, with u[m] the least
 * value making every column's constraint u + v_a + v_b + w >= 1 hold,
 * bounds the free meetings.  The duals come from GLPK but the bound is
 * recomputed here, so it is valid whatever state the simplex stopped in.
 */
static int
lp_dual_bound(const struct st *t, const struct lp *l)
{
	double sum = 0, y, *u;
	int i, k, s;
	size_t PS = (size_t)t->P * t->S;

	u = zalloc((size_t)t->M, sizeof(double));
	if (u == NULL)
		return INT_MAX;
#define DUAL(r) ((r) ? fmin(1.0, fmax(0.0, glp_get_row_dual(l->lp, (r)))) : 0.0)
	for (k = 0; k < l->ncols; k++) {
		const struct ms_meeting *mt = &t->pb->meetings[l->colm[k]];

		s = l->cols[k];
		y = 1.0 - DUAL(l->psrow[(size_t)mt->a * t->S + s]) -
		    DUAL(l->psrow[(size_t)mt->b * t->S + s]) - DUAL(l->srow[s]);
		if (y > u[l->colm[k]])
			u[l->colm[k]] = y;
	}
	for (i = 0; i < t->M; i++)
		sum += u[i];
	for (size_t j = 0; j < PS; j++)
		sum += DUAL(l->psrow[j]);
	for (s = 0; s < t->S; s++)
		sum += DUAL(l->srow[s]) * (double)(t->cap[s] - t->cnt[s]);
#undef DUAL
	free(u);
	return (int)floor(sum + 1e-6);
}

/* ---- results ---- */

static int
res_alloc(struct ms_result *res, int M)
{
	memset(res, 0, sizeof(*res));
	res->slot = malloc((M ? (size_t)M : 1) * sizeof(int));
	res->table = malloc((M ? (size_t)M : 1) * sizeof(int));
	res->why = malloc((M ? (size_t)M : 1) * sizeof(enum ms_reason));
	if (!res->slot || !res->table || !res->why) {
		ms_result_free(res);
		return -1;
	}
	return 0;
}

void
ms_result_free(struct ms_result *res)
{
	if (res == NULL)
		return;
	free(res->slot);
	free(res->table);
	free(res->why);
	res->slot = NULL;
	res->table = NULL;
	res->why = NULL;
}

/*
 * Tables, slot by slot: fixed tables stay; a meeting whose person sat at
 * table k in the previous slot of the session gets k again when it is free.
 */
static int
assign_tables(const struct st *t, struct ms_result *res)
{
	int s, i, k, maxcap = 1;
	int *taken;

	for (s = 0; s < t->S; s++)
		if (t->cap[s] > maxcap)
			maxcap = t->cap[s];
	taken = zalloc((size_t)maxcap, sizeof(int));
	if (taken == NULL)
		return -1;
	for (i = 0; i < t->M; i++)
		res->table[i] = -1;
	for (s = 0; s < t->S; s++) {
		int prev = -1, pass;

		if (s > 0 && t->sessid[s - 1] == t->sessid[s])
			prev = s - 1;
		memset(taken, 0, (size_t)maxcap * sizeof(int));
		for (i = 0; i < t->M; i++)
			if (t->state[i] == M_FIXED && t->slot[i] == s &&
			    t->pb->meetings[i].fixed_table >= 0) {
				res->table[i] = t->pb->meetings[i].fixed_table;
				taken[res->table[i]] = 1;
			}
		/* pass 0: keep a table from the previous slot; pass 1: lowest free */
		for (pass = 0; pass < 2; pass++)
			for (i = 0; i < t->M; i++) {
				const struct ms_meeting *mt = &t->pb->meetings[i];

				if (t->slot[i] != s || res->table[i] >= 0)
					continue;
				if (pass == 0) {
					int ps[2] = {mt->a, mt->b}, j;

					if (prev < 0)
						break;
					for (j = 0; j < 2; j++) {
						int e = OCC(t, ps[j], prev), tb;

						if (e < 0 || (tb = res->table[e]) < 0 || tb >= t->cap[s] ||
						    taken[tb])
							continue;
						res->table[i] = tb;
						taken[tb] = 1;
						break;
					}
					continue;
				}
				for (k = 0; k < t->cap[s] && taken[k]; k++)
					;
				res->table[i] = k;      /* k < cap: the counts say there is room */
				taken[k] = 1;
			}
	}
	free(taken);
	return 0;
}

static void
finish(const struct st *t, struct ms_result *res)
{
	int i, s;

	res->placed = 0;
	for (i = 0; i < t->M; i++) {
		const struct ms_meeting *mt = &t->pb->meetings[i];
		int common = 0, freeslot = 0;

		res->slot[i] = t->slot[i];
		if (t->slot[i] >= 0) {
			res->why[i] = MS_PLACED;
			res->placed++;
			continue;
		}
		if (t->state[i] == M_CLASH) {
			res->why[i] = MS_CONFLICT;
			continue;
		}
		for (s = 0; s < t->S; s++)
			if (AV(t, mt->a, s) && AV(t, mt->b, s)) {
				common = 1;
				if (OCC(t, mt->a, s) < 0 && OCC(t, mt->b, s) < 0)
					freeslot = 1;
			}
		res->why[i] = !common ? MS_NO_COMMON_SLOT : !freeslot ? MS_PERSON_BUSY : MS_TABLES_FULL;
	}
	res->gaps = total_gaps(t);
	res->timed_out = t->timed_out;
	res->seconds = now() - t->t0;
}

static int
nfixed(const struct st *t)
{
	int i, n = 0;

	for (i = 0; i < t->M; i++)
		n += t->state[i] == M_FIXED;
	return n;
}

/* Replace the free placements by the MIP's when it places more. */
static void
adopt_mip(struct st *t, const struct lp *l)
{
	int k, i, n = 0;

	for (k = 0; k < l->ncols; k++)
		n += glp_mip_col_val(l->lp, k + 1) > 0.5;
	if (n <= t->placed)
		return;
	for (i = 0; i < t->M; i++)
		if (t->state[i] == M_FREE && t->slot[i] >= 0)
			move_raw(t, i, -1);
	for (k = 0; k < l->ncols; k++)
		if (glp_mip_col_val(l->lp, k + 1) > 0.5 && fits(t, l->colm[k], l->cols[k]) &&
		    t->slot[l->colm[k]] < 0)
			move_raw(t, l->colm[k], l->cols[k]);
}

int
match_schedule(const struct ms_problem *pb, struct ms_result *res)
{
	struct st t;
	struct lp l;
	int bound, have_lp = 0, rc = -1;
	long iters;

	if (!valid_problem(pb) || res == NULL)
		return -1;
	if (res_alloc(res, pb->nmeetings) < 0)
		return -1;
	if (st_init(&t, pb) < 0) {
		ms_result_free(res);
		return -1;
	}
	memset(&l, 0, sizeof(l));
	bound = cheap_bound(&t);
	{
		int cb = cover_bound(&t);

		if (cb < bound)
			bound = cb;
	}
	if (construct(&t) < 0)
		goto out;
	/* repair, shaken up by short rounds of the local search, while it pays */
	for (int round = 0; round < 20 && t.placed < bound && !out_of_time(&t); round++) {
		int before = t.placed;

		repair(&t);
		if (t.placed == bound)
			break;
		improve(&t, 20L * (t.M > 0 ? t.M : 1));
		if (round >= 3 && t.placed == before)
			break;
	}
	if (t.placed < bound && !out_of_time(&t)) {
		/* the LP's dual: a tighter bound, and for small models an exact answer */
		glp_smcp sp;
		double left = t.limit - (now() - t.t0);

		if (lp_build(&t, &l) < 0)
			goto out;
		have_lp = 1;
		glp_init_smcp(&sp);
		sp.msg_lev = GLP_MSG_OFF;
		sp.meth = GLP_DUALP;
		sp.tm_lim = (int)fmax(1.0, left * 0.5 * 1000.0);
		glp_simplex(l.lp, &sp);
		{
			int b = lp_dual_bound(&t, &l);

			if (b < bound)
				bound = b;
		}
		if (glp_get_status(l.lp) != GLP_OPT)
			t.timed_out = 1;
		if (t.placed < bound && glp_get_status(l.lp) == GLP_OPT && l.ncols <= MIP_MAX_COLS &&
		    !out_of_time(&t)) {
			glp_iocp ip;
			int k;

			for (k = 0; k < l.ncols; k++)
				glp_set_col_kind(l.lp, k + 1, GLP_BV);
			glp_init_iocp(&ip);
			ip.msg_lev = GLP_MSG_OFF;
			left = t.limit - (now() - t.t0);
			ip.tm_lim = (int)fmax(1.0, left * 0.6 * 1000.0);
			if (glp_intopt(l.lp, &ip) == 0) {
				int st = glp_mip_status(l.lp);

				if (st == GLP_OPT || st == GLP_FEAS)
					adopt_mip(&t, &l);
				if (st == GLP_OPT) {
					int opt = (int)floor(glp_mip_obj_val(l.lp) + 0.5);

					if (opt < bound)
						bound = opt;
				}
			} else {
				t.timed_out = 1;
			}
		}
	}
	/* the gaps, at no loss of meetings */
	iters = 300L * (t.M > 0 ? t.M : 1) + 20000L;
	improve(&t, iters);
	fill(&t);
	if (t.placed < bound && !t.timed_out)
		repair(&t);
	if (assign_tables(&t, res) < 0)
		goto out;
	finish(&t, res);
	res->upper_bound = nfixed(&t) + (bound > t.placed ? bound : t.placed);
	res->optimal = res->placed == res->upper_bound;
	rc = 0;
out:
	if (have_lp)
		lp_free(&l);
	st_free(&t);
	if (have_lp)
		glp_free_env();
	if (rc != 0)
		ms_result_free(res);
	return rc;
}

int
match_schedule_greedy(const struct ms_problem *pb, struct ms_result *res)
{
	struct st t;
	int i, k, bound;

	if (!valid_problem(pb) || res == NULL)
		return -1;
	if (res_alloc(res, pb->nmeetings) < 0)
		return -1;
	if (st_init(&t, pb) < 0) {
		ms_result_free(res);
		return -1;
	}
	bound = cheap_bound(&t);
	for (i = 0; i < t.M; i++) {
		if (t.state[i] != M_FREE)
			continue;
		for (k = t.fsoff[i]; k < t.fsoff[i + 1]; k++)
			if (fits(&t, i, t.fs[k])) {
				move_raw(&t, i, t.fs[k]);
				break;
			}
	}
	if (assign_tables(&t, res) < 0) {
		st_free(&t);
		ms_result_free(res);
		return -1;
	}
	finish(&t, res);
	res->upper_bound = nfixed(&t) + (bound > t.placed ? bound : t.placed);
	res->optimal = res->placed == res->upper_bound;
	st_free(&t);
	return 0;
}

/* ---- the independent checker ---- */

static int
check_rules(const struct ms_problem *pb, const struct ms_result *res, int *occ, int *tab,
    const int *taboff)
{
	int P = pb->npeople, S = pb->nslots, M = pb->nmeetings;
	int i, s, placed = 0;
	long gaps = 0;

	for (i = 0; i < M; i++) {
		const struct ms_meeting *m = &pb->meetings[i];

		s = res->slot[i];
		if (s < -1 || s >= S || (int)res->why[i] < MS_PLACED || (int)res->why[i] > MS_CONFLICT)
			return MS_CHECK_SHAPE;
		if ((s >= 0) != (res->why[i] == MS_PLACED) || (s >= 0) != (res->table[i] >= 0))
			return MS_CHECK_SHAPE;
		if (s < 0)
			continue;
		if (res->table[i] >= pb->tables[s])
			return MS_CHECK_SHAPE;
		placed++;
		if (m->fixed_slot >= 0) {
			if (s != m->fixed_slot || (m->fixed_table >= 0 && res->table[i] != m->fixed_table))
				return MS_CHECK_FIXED;
		} else if (!pb->avail[(size_t)m->a * S + s] || !pb->avail[(size_t)m->b * S + s]) {
			return MS_CHECK_AVAIL;
		}
		if (occ[(size_t)m->a * S + s] >= 0 || occ[(size_t)m->b * S + s] >= 0)
			return MS_CHECK_PERSON;
		occ[(size_t)m->a * S + s] = i;
		occ[(size_t)m->b * S + s] = i;
		if (tab[taboff[s] + res->table[i]])
			return MS_CHECK_TABLE;
		tab[taboff[s] + res->table[i]] = 1;
	}
	for (i = 0; i < M; i++) {
		const struct ms_meeting *m = &pb->meetings[i];
		int common = 0, freeslot = 0, full = 1;

		if (res->slot[i] >= 0)
			continue;
		if (m->fixed_slot >= 0) {
			int count = 0, k;

			/* dropped only when it really clashes with what is placed */
			s = m->fixed_slot;
			if (res->why[i] != MS_CONFLICT)
				return MS_CHECK_FIXED;
			for (k = 0; k < pb->tables[s]; k++)
				count += tab[taboff[s] + k];
			if (occ[(size_t)m->a * S + s] < 0 && occ[(size_t)m->b * S + s] < 0 &&
			    count < pb->tables[s] && (m->fixed_table < 0 || !tab[taboff[s] + m->fixed_table]))
				return MS_CHECK_FIXED;
			continue;
		}
		for (s = 0; s < S; s++) {
			int count = 0, k;

			if (!pb->avail[(size_t)m->a * S + s] || !pb->avail[(size_t)m->b * S + s])
				continue;
			common = 1;
			if (occ[(size_t)m->a * S + s] >= 0 || occ[(size_t)m->b * S + s] >= 0)
				continue;
			freeslot = 1;
			for (k = 0; k < pb->tables[s]; k++)
				count += tab[taboff[s] + k];
			if (count < pb->tables[s])
				full = 0;
		}
		switch (res->why[i]) {
		case MS_NO_COMMON_SLOT:
			if (common)
				return MS_CHECK_REASON;
			break;
		case MS_PERSON_BUSY:
			if (!common || freeslot)
				return MS_CHECK_REASON;
			break;
		case MS_TABLES_FULL:
			if (!freeslot || !full)
				return MS_CHECK_REASON;
			break;
		default:
			return MS_CHECK_REASON;
		}
	}
	for (int p = 0; p < P; p++)
		for (int g0 = 0; g0 < S; g0++) {
			int first = -1, last = -1, n = 0, k, seen = 0;

			/* each session once: at its first slot */
			for (k = 0; k < g0; k++)
				if (pb->session[k] == pb->session[g0])
					seen = 1;
			if (seen)
				continue;
			for (k = 0, s = 0; s < S; s++) {
				if (pb->session[s] != pb->session[g0])
					continue;
				if (occ[(size_t)p * S + s] >= 0) {
					if (first < 0)
						first = k;
					last = k;
					n++;
				}
				k++;
			}
			if (n)
				gaps += last - first + 1 - n;
		}
	if (placed != res->placed || gaps != res->gaps || res->upper_bound < placed)
		return MS_CHECK_COUNTS;
	return MS_CHECK_OK;
}

int
ms_check(const struct ms_problem *pb, const struct ms_result *res)
{
	size_t PS;
	int *occ, *tab, *taboff, s, rc;

	if (!valid_problem(pb) || res == NULL ||
	    (pb->nmeetings > 0 && (!res->slot || !res->table || !res->why)))
		return -1;
	PS = (size_t)pb->npeople * (size_t)pb->nslots;
	taboff = zalloc((size_t)pb->nslots + 1, sizeof(int));
	if (taboff == NULL)
		return -1;
	for (s = 0; s < pb->nslots; s++)
		taboff[s + 1] = taboff[s] + pb->tables[s];
	occ = malloc((PS ? PS : 1) * sizeof(int));
	tab = zalloc((size_t)taboff[pb->nslots], sizeof(int));
	if (occ == NULL || tab == NULL) {
		free(occ);
		free(tab);
		free(taboff);
		return -1;
	}
	for (size_t j = 0; j < PS; j++)
		occ[j] = -1;
	rc = check_rules(pb, res, occ, tab, taboff);
	free(occ);
	free(tab);
	free(taboff);
	return rc;
}
