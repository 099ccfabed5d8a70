/*
 * The meeting scheduler on two generated brokerage events (seeded, so the
 * same on every run): standard (300 people, 1,500 meetings, 2 sessions x 9
 * slots x 40 tables) and big (1,000 people, 6,000 meetings, 4 sessions x 9
 * slots x 160 tables: slightly fewer tables than meetings, so capacity
 * alone does not decide the count).  Prints key: value lines for
 * scripts/bench; details (gaps, greedy's time) go to stderr.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match_schedule.h"

struct inst {
	int P, S, M;
	int *tables, *session;
	unsigned char *avail;
	struct ms_meeting *meetings;
};

static uint64_t rng;

static uint64_t
rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double
unif(void)
{
	return (double)(rnd() >> 11) * 0x1.0p-53;
}

static int
rndn(int n)
{
	return (int)(rnd() % (uint64_t)n);
}

/* People weighted 1/sqrt(rank): a few are much sought after. */
static int
popular(const double *cum, int P)
{
	double x = unif() * cum[P - 1];
	int lo = 0, hi = P - 1;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (cum[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
generate(struct inst *in, uint64_t seed, int P, int nsess, int per, int tables, int M,
    double fixed_share)
{
	int S = nsess * per, p, s, i, n;
	unsigned char *pair;
	double *cum;
	int *nfixed;

	rng = seed;
	in->P = P, in->S = S, in->M = M;
	in->tables = malloc((size_t)S * sizeof(int));
	in->session = malloc((size_t)S * sizeof(int));
	in->avail = calloc((size_t)P * S, 1);
	in->meetings = calloc((size_t)M, sizeof(*in->meetings));
	pair = calloc((size_t)P * P, 1);
	cum = malloc((size_t)P * sizeof(double));
	nfixed = calloc((size_t)S, sizeof(int));
	if (!in->tables || !in->session || !in->avail || !in->meetings || !pair || !cum ||
	    !nfixed)
		return -1;
	for (s = 0; s < S; s++) {
		in->tables[s] = tables;
		in->session[s] = s / per;
	}
	/* available for 60-100% of the slots: absent in one or two blocks */
	for (p = 0; p < P; p++) {
		int away = (int)lround((1.0 - (0.6 + 0.4 * unif())) * S);
		int blocks = away > 1 && rndn(2) ? 2 : 1;

		memset(in->avail + (size_t)p * S, 1, (size_t)S);
		for (i = 0; i < blocks; i++) {
			int len = blocks == 2 && i == 0 ? away / 2 : away - (blocks == 2 ? away / 2 : 0);
			int start = rndn(S - len + 1);

			memset(in->avail + (size_t)p * S + start, 0, (size_t)len);
		}
	}
	for (p = 0; p < P; p++)
		cum[p] = (p ? cum[p - 1] : 0) + 1.0 / sqrt((double)p + 1.0);
	for (n = 0; n < M;) {
		int a = rndn(P), b = rndn(2) ? popular(cum, P) : rndn(P);

		if (a == b || pair[(size_t)a * P + b])
			continue;
		pair[(size_t)a * P + b] = pair[(size_t)b * P + a] = 1;
		in->meetings[n].a = a;
		in->meetings[n].b = b;
		in->meetings[n].fixed_slot = -1;
		in->meetings[n].fixed_table = -1;
		n++;
	}
	/* a few already mailed: a common slot, their own table */
	for (i = 0; i < M; i++) {
		struct ms_meeting *m = &in->meetings[i];
		int k;

		if (unif() >= fixed_share)
			continue;
		for (k = 0; k < 4; k++) {
			int j, busy = 0;

			s = rndn(S);
			if (!in->avail[(size_t)m->a * S + s] || !in->avail[(size_t)m->b * S + s] ||
			    nfixed[s] >= tables)
				continue;
			for (j = 0; j < i; j++) {
				const struct ms_meeting *o = &in->meetings[j];

				if (o->fixed_slot == s && (o->a == m->a || o->a == m->b || o->b == m->a ||
				    o->b == m->b))
					busy = 1;
			}
			if (busy)
				continue;
			m->fixed_slot = s;
			m->fixed_table = nfixed[s]++;
			break;
		}
	}
	free(pair);
	free(cum);
	free(nfixed);
	return 0;
}

static void
inst_free(struct inst *in)
{
	free(in->tables);
	free(in->session);
	free(in->avail);
	free(in->meetings);
}

static int
run(const char *prefix, struct inst *in, double limit)
{
	struct ms_problem pb = {in->P, in->S, in->M, in->tables, in->session, in->avail,
		in->meetings, limit};
	struct ms_result r, g;

	if (match_schedule(&pb, &r) != 0 || match_schedule_greedy(&pb, &g) != 0) {
		fprintf(stderr, "matchbench: scheduler failed\n");
		return -1;
	}
	if (ms_check(&pb, &r) != 0 || ms_check(&pb, &g) != 0) {
		fprintf(stderr, "matchbench: invalid result (%d, %d)\n", ms_check(&pb, &r),
		    ms_check(&pb, &g));
		return -1;
	}
	printf("%splaced: %d\n", prefix, r.placed);
	printf("%supper_bound: %d\n", prefix, r.upper_bound);
	printf("%sgreedy_placed: %d\n", prefix, g.placed);
	printf("%sratio: %.3f\n", prefix, r.upper_bound ? (double)r.placed / r.upper_bound : 1.0);
	printf("%sschedule_s: %.3f\n", prefix, r.seconds);
	fprintf(stderr, "%s: gaps %ld (greedy %ld), greedy %.3f s, timed_out %d, optimal %d\n",
	    prefix, r.gaps, g.gaps, g.seconds, r.timed_out, r.optimal);
	ms_result_free(&r);
	ms_result_free(&g);
	return 0;
}

int
main(void)
{
	struct inst std, big;
	int rc = 0;

	memset(&std, 0, sizeof(std));
	memset(&big, 0, sizeof(big));
	if (generate(&std, 20240501, 300, 2, 9, 40, 1500, 0.02) < 0 ||
	    generate(&big, 20240502, 1000, 4, 9, 160, 6000, 0.02) < 0) {
		fprintf(stderr, "matchbench: out of memory\n");
		return 1;
	}
	if (run("match_", &std, 1.5) < 0 || run("match_big_", &big, 5.0) < 0)
		rc = 1;
	inst_free(&std);
	inst_free(&big);
	return rc;
}
