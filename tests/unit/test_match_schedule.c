/* match_schedule.c: placements against brute force, reasons, fixed meetings, gaps, the checker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "match_schedule.h"

#define MAXP 8
#define MAXS 4
#define MAXM 10

static uint64_t rng_state;

static uint64_t
rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int
rndn(int n)
{
	return (int)(rnd() % (uint64_t)n);
}

/* ---- brute force ---- */

struct bf {
	const struct ms_problem *pb;
	int busy[MAXP][MAXS];
	int cnt[MAXS];
	int free_m[MAXM], nfree;
	int best;
};

/* The fixed meetings kept, with the module's documented rule: explicit tables first, input order. */
static int
bf_fixed(struct bf *b, int kept[MAXM])
{
	const struct ms_problem *pb = b->pb;
	int used[MAXS][2] = {{0}}, n = 0, pass, i;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < pb->nmeetings; i++) {
			const struct ms_meeting *m = &pb->meetings[i];
			int s = m->fixed_slot;

			if (s < 0 || (pass == 0) != (m->fixed_table >= 0))
				continue;
			kept[i] = 0;
			if (b->busy[m->a][s] || b->busy[m->b][s] || b->cnt[s] >= pb->tables[s] ||
			    (m->fixed_table >= 0 && used[s][m->fixed_table]))
				continue;
			if (m->fixed_table >= 0)
				used[s][m->fixed_table] = 1;
			b->busy[m->a][s] = b->busy[m->b][s] = 1;
			b->cnt[s]++;
			kept[i] = 1;
			n++;
		}
	return n;
}

static void
bf_rec(struct bf *b, int k, int placed)
{
	const struct ms_problem *pb = b->pb;
	const struct ms_meeting *m;
	int s;

	if (placed + (b->nfree - k) <= b->best) {
		return;
	}
	if (k == b->nfree) {
		b->best = placed;
		return;
	}
	m = &pb->meetings[b->free_m[k]];
	for (s = 0; s < pb->nslots; s++) {
		if (!pb->avail[m->a * pb->nslots + s] || !pb->avail[m->b * pb->nslots + s] ||
		    b->busy[m->a][s] || b->busy[m->b][s] || b->cnt[s] >= pb->tables[s])
			continue;
		b->busy[m->a][s] = b->busy[m->b][s] = 1;
		b->cnt[s]++;
		bf_rec(b, k + 1, placed + 1);
		b->busy[m->a][s] = b->busy[m->b][s] = 0;
		b->cnt[s]--;
	}
	bf_rec(b, k + 1, placed);
}

static int
brute_force(const struct ms_problem *pb)
{
	struct bf b;
	int kept[MAXM], nf, i;

	memset(&b, 0, sizeof(b));
	b.pb = pb;
	nf = bf_fixed(&b, kept);
	for (i = 0; i < pb->nmeetings; i++)
		if (pb->meetings[i].fixed_slot < 0)
			b.free_m[b.nfree++] = i;
	b.best = -1;
	bf_rec(&b, 0, 0);
	return nf + b.best;
}

/* ---- instances ---- */

struct small {
	int tables[MAXS], session[MAXS];
	unsigned char avail[MAXP * MAXS];
	struct ms_meeting m[MAXM];
	struct ms_problem pb;
};

static void
random_small(struct small *x)
{
	int P = 2 + rndn(MAXP - 1), S = 1 + rndn(MAXS), M = 1 + rndn(MAXM), i, s;

	memset(x, 0, sizeof(*x));
	if (P > 7)
		P = 7;
	for (s = 0; s < S; s++) {
		x->tables[s] = 1 + rndn(2);
		x->session[s] = s < 2 ? 0 : 1;
	}
	for (i = 0; i < P * S; i++)
		x->avail[i] = rndn(100) < 70;
	for (i = 0; i < M; i++) {
		x->m[i].a = rndn(P);
		do
			x->m[i].b = rndn(P);
		while (x->m[i].b == x->m[i].a);
		x->m[i].fixed_slot = -1;
		x->m[i].fixed_table = -1;
		if (rndn(100) < 15) {
			x->m[i].fixed_slot = rndn(S);
			x->m[i].fixed_table = rndn(3) == 0 ? -1 : rndn(x->tables[x->m[i].fixed_slot]);
		}
	}
	x->pb = (struct ms_problem){P, S, M, x->tables, x->session, x->avail, x->m, 1.0};
}

static void
assert_fixed_kept(const struct ms_problem *pb, const struct ms_result *r)
{
	int i;

	for (i = 0; i < pb->nmeetings; i++) {
		const struct ms_meeting *m = &pb->meetings[i];

		if (m->fixed_slot < 0) {
			assert_int_not_equal(r->why[i], MS_CONFLICT);
			continue;
		}
		if (r->slot[i] < 0) {
			assert_int_equal(r->why[i], MS_CONFLICT);
			continue;
		}
		assert_int_equal(r->slot[i], m->fixed_slot);
		if (m->fixed_table >= 0)
			assert_int_equal(r->table[i], m->fixed_table);
	}
}

static void
test_random_small_match_brute_force(void **state)
{
	int k, exact_bound = 0, with_fixed = 0;

	(void)state;
	rng_state = 42;
	for (k = 0; k < 300; k++) {
		struct small x;
		struct ms_result r, g;
		int opt;

		random_small(&x);
		opt = brute_force(&x.pb);
		assert_int_equal(match_schedule(&x.pb, &r), 0);
		assert_int_equal(ms_check(&x.pb, &r), 0);
		if (r.placed != opt)
			fail_msg("instance %d: placed %d, optimum %d", k, r.placed, opt);
		assert_true(r.upper_bound >= opt);
		assert_true(r.upper_bound >= r.placed);
		exact_bound += r.upper_bound == opt;
		assert_fixed_kept(&x.pb, &r);
		for (int i = 0; i < x.pb.nmeetings; i++)
			with_fixed += x.m[i].fixed_slot >= 0 && r.slot[i] >= 0;

		assert_int_equal(match_schedule_greedy(&x.pb, &g), 0);
		assert_int_equal(ms_check(&x.pb, &g), 0);
		assert_true(g.placed <= opt);
		assert_true(g.upper_bound >= opt);
		assert_fixed_kept(&x.pb, &g);
		ms_result_free(&r);
		ms_result_free(&g);
	}
	/* the bound is not just "every meeting", and fixed meetings were exercised */
	assert_true(exact_bound > 250);
	assert_true(with_fixed > 50);
}

/* Five slots in one session, two tables, everyone available. */
struct hand {
	int tables[5], session[5];
	unsigned char avail[8 * 5];
	struct ms_meeting m[8];
	struct ms_problem pb;
};

static void
hand_init(struct hand *h, int P, int S, int tables)
{
	int i;

	memset(h, 0, sizeof(*h));
	for (i = 0; i < S; i++) {
		h->tables[i] = tables;
		h->session[i] = 7;
	}
	memset(h->avail, 1, (size_t)P * S);
	h->pb = (struct ms_problem){P, S, 0, h->tables, h->session, h->avail, h->m, 0};
}

static void
hand_meeting(struct hand *h, int a, int b, int fs, int ft)
{
	h->m[h->pb.nmeetings++] = (struct ms_meeting){a, b, fs, ft};
}

static void
set_avail(struct hand *h, int p, const char *slots)
{
	int s;

	for (s = 0; s < h->pb.nslots; s++)
		h->avail[p * h->pb.nslots + s] = slots[s] == '1';
}

static void
test_reason_no_common_slot(void **state)
{
	struct hand h;
	struct ms_result r;

	(void)state;
	hand_init(&h, 3, 3, 2);
	set_avail(&h, 0, "110");
	set_avail(&h, 1, "001");
	hand_meeting(&h, 0, 1, -1, -1);
	hand_meeting(&h, 0, 2, -1, -1);
	assert_int_equal(match_schedule(&h.pb, &r), 0);
	assert_int_equal(ms_check(&h.pb, &r), 0);
	assert_int_equal(r.why[0], MS_NO_COMMON_SLOT);
	assert_int_equal(r.slot[0], -1);
	assert_int_equal(r.why[1], MS_PLACED);
	assert_int_equal(r.placed, 1);
	assert_int_equal(r.upper_bound, 1);
	ms_result_free(&r);
}

static void
test_reason_person_busy(void **state)
{
	struct hand h;
	struct ms_result r;

	(void)state;
	/* person 0 is wanted by 1 and 2, but the three share one slot only */
	hand_init(&h, 3, 2, 5);
	set_avail(&h, 0, "10");
	hand_meeting(&h, 0, 1, -1, -1);
	hand_meeting(&h, 0, 2, -1, -1);
	assert_int_equal(match_schedule(&h.pb, &r), 0);
	assert_int_equal(ms_check(&h.pb, &r), 0);
	assert_int_equal(r.placed, 1);
	assert_int_equal(r.upper_bound, 1);
	assert_true((r.why[0] == MS_PLACED && r.why[1] == MS_PERSON_BUSY) ||
	    (r.why[1] == MS_PLACED && r.why[0] == MS_PERSON_BUSY));
	ms_result_free(&r);
}

static void
test_reason_tables_full(void **state)
{
	struct hand h;
	struct ms_result r;

	(void)state;
	/* one table in each of two slots, three meetings of different people */
	hand_init(&h, 6, 2, 1);
	hand_meeting(&h, 0, 1, -1, -1);
	hand_meeting(&h, 2, 3, -1, -1);
	hand_meeting(&h, 4, 5, -1, -1);
	assert_int_equal(match_schedule(&h.pb, &r), 0);
	assert_int_equal(ms_check(&h.pb, &r), 0);
	assert_int_equal(r.placed, 2);
	assert_int_equal(r.upper_bound, 2);
	assert_int_equal((r.why[0] == MS_TABLES_FULL) + (r.why[1] == MS_TABLES_FULL) +
	    (r.why[2] == MS_TABLES_FULL), 1);
	ms_result_free(&r);
}

static void
test_fixed_conflicts_and_keeps(void **state)
{
	struct hand h;
	struct ms_result r;

	(void)state;
	hand_init(&h, 6, 3, 2);
	set_avail(&h, 0, "011");        /* fixed meetings ignore availability */
	hand_meeting(&h, 0, 1, 0, 1);   /* kept at slot 0 table 1 */
	hand_meeting(&h, 0, 2, 0, -1);  /* person 0 is already busy: conflict */
	hand_meeting(&h, 3, 4, 0, 1);   /* table 1 taken: conflict */
	hand_meeting(&h, 3, 5, 0, -1);  /* gets table 0 */
	hand_meeting(&h, 4, 5, 2, -1);
	assert_int_equal(match_schedule(&h.pb, &r), 0);
	assert_int_equal(ms_check(&h.pb, &r), 0);
	assert_int_equal(r.slot[0], 0);
	assert_int_equal(r.table[0], 1);
	assert_int_equal(r.why[1], MS_CONFLICT);
	assert_int_equal(r.why[2], MS_CONFLICT);
	assert_int_equal(r.slot[3], 0);
	assert_int_equal(r.table[3], 0);
	assert_int_equal(r.slot[4], 2);
	assert_int_equal(r.placed, 3);
	ms_result_free(&r);
}

static void
test_gaps_minimised(void **state)
{
	struct hand h;
	struct ms_result r, g;

	(void)state;
	/* the brief's case: 0 meets 1 (slot 0 only) and 2 (slots 1 or 2) */
	hand_init(&h, 3, 3, 2);
	set_avail(&h, 1, "100");
	set_avail(&h, 2, "011");
	hand_meeting(&h, 0, 1, -1, -1);
	hand_meeting(&h, 0, 2, -1, -1);
	assert_int_equal(match_schedule(&h.pb, &r), 0);
	assert_int_equal(ms_check(&h.pb, &r), 0);
	assert_int_equal(r.slot[0], 0);
	assert_int_equal(r.slot[1], 1);
	assert_int_equal(r.gaps, 0);
	ms_result_free(&r);

	/* first fit leaves a hole here: 0 meets 1 (slot 3 only) and 2 (slot 0 or 2) */
	hand_init(&h, 3, 4, 2);
	set_avail(&h, 1, "0001");
	set_avail(&h, 2, "1010");
	hand_meeting(&h, 0, 1, -1, -1);
	hand_meeting(&h, 0, 2, -1, -1);
	assert_int_equal(match_schedule(&h.pb, &r), 0);
	assert_int_equal(match_schedule_greedy(&h.pb, &g), 0);
	assert_int_equal(ms_check(&h.pb, &r), 0);
	assert_int_equal(ms_check(&h.pb, &g), 0);
	assert_int_equal(g.gaps, 2);
	assert_int_equal(r.slot[0], 3);
	assert_int_equal(r.slot[1], 2);
	assert_int_equal(r.gaps, 0);
	ms_result_free(&r);
	ms_result_free(&g);
}

static void
test_gaps_count_within_a_session(void **state)
{
	struct hand h;
	struct ms_result r;

	(void)state;
	/* slots 0-1 and 2-3 are two sessions: meetings in 1 and 2 leave no gap */
	hand_init(&h, 3, 4, 1);
	h.session[2] = h.session[3] = 8;
	set_avail(&h, 1, "0100");
	set_avail(&h, 2, "0010");
	hand_meeting(&h, 0, 1, -1, -1);
	hand_meeting(&h, 0, 2, -1, -1);
	hand_meeting(&h, 1, 2, 3, 0);
	assert_int_equal(match_schedule(&h.pb, &r), 0);
	assert_int_equal(ms_check(&h.pb, &r), 0);
	assert_int_equal(r.placed, 3);
	/* person 1 meets in slots 1 and 3: a gap only if both were one session */
	assert_int_equal(r.gaps, 0);
	ms_result_free(&r);
}

static void
test_table_kept_across_slots(void **state)
{
	struct hand h;
	struct ms_result r;

	(void)state;
	hand_init(&h, 5, 2, 3);
	set_avail(&h, 1, "10");
	set_avail(&h, 2, "01");
	hand_meeting(&h, 3, 4, 0, 0);   /* table 0 of slot 0 is taken */
	hand_meeting(&h, 0, 1, -1, -1); /* slot 0: table 1 */
	hand_meeting(&h, 0, 2, -1, -1); /* slot 1: 0 stays at table 1 */
	assert_int_equal(match_schedule(&h.pb, &r), 0);
	assert_int_equal(ms_check(&h.pb, &r), 0);
	assert_int_equal(r.table[1], 1);
	assert_int_equal(r.slot[2], 1);
	assert_int_equal(r.table[2], 1);
	ms_result_free(&r);
}

static void
test_check_catches_broken_results(void **state)
{
	struct hand h;
	struct ms_result r;
	int s, t, keep_slot[3], keep_table[3];
	enum ms_reason keep_why[3];

	(void)state;
	hand_init(&h, 4, 2, 2);
	set_avail(&h, 3, "10");
	hand_meeting(&h, 0, 1, -1, -1);
	hand_meeting(&h, 0, 2, -1, -1);
	hand_meeting(&h, 2, 3, 1, 0);
	assert_int_equal(match_schedule(&h.pb, &r), 0);
	assert_int_equal(ms_check(&h.pb, &r), 0);
	assert_int_equal(r.placed, 3);
	memcpy(keep_slot, r.slot, sizeof(keep_slot));
	memcpy(keep_table, r.table, sizeof(keep_table));
	memcpy(keep_why, r.why, sizeof(keep_why));
	/* double-book person 0 */
	s = r.slot[1];
	r.slot[1] = r.slot[0];
	r.table[1] = 1 - r.table[0];
	assert_int_equal(ms_check(&h.pb, &r), MS_CHECK_PERSON);
	r.slot[1] = s;
	/* move the fixed one */
	r.slot[2] = 0;
	assert_int_equal(ms_check(&h.pb, &r), MS_CHECK_FIXED);
	r.slot[2] = 1;
	/* a table out of range */
	t = r.table[0];
	r.table[0] = 2;
	assert_int_equal(ms_check(&h.pb, &r), MS_CHECK_SHAPE);
	r.table[0] = t;
	/* an unplaced meeting whose reason is false */
	r.slot[0] = r.table[0] = -1;
	r.why[0] = MS_NO_COMMON_SLOT;
	r.placed--;
	assert_int_equal(ms_check(&h.pb, &r), MS_CHECK_REASON);
	r.why[0] = MS_TABLES_FULL;      /* there is a free table where both are free */
	assert_int_equal(ms_check(&h.pb, &r), MS_CHECK_REASON);
	/* wrong totals */
	memcpy(r.slot, keep_slot, sizeof(keep_slot));
	memcpy(r.table, keep_table, sizeof(keep_table));
	memcpy(r.why, keep_why, sizeof(keep_why));
	r.placed = 3;
	assert_int_equal(ms_check(&h.pb, &r), 0);
	r.gaps += 5;
	assert_int_equal(ms_check(&h.pb, &r), MS_CHECK_COUNTS);
	r.gaps -= 5;
	r.upper_bound = 2;
	assert_int_equal(ms_check(&h.pb, &r), MS_CHECK_COUNTS);
	ms_result_free(&r);
}

static void
test_bad_input(void **state)
{
	struct hand h;
	struct ms_result r;

	(void)state;
	hand_init(&h, 3, 2, 1);
	hand_meeting(&h, 1, 1, -1, -1);
	assert_int_equal(match_schedule(&h.pb, &r), -1);
	assert_int_equal(match_schedule_greedy(&h.pb, &r), -1);
	h.m[0] = (struct ms_meeting){0, 1, 2, -1};      /* no slot 2 */
	assert_int_equal(match_schedule(&h.pb, &r), -1);
	h.m[0] = (struct ms_meeting){0, 1, 1, 1};       /* no table 1 */
	assert_int_equal(match_schedule(&h.pb, &r), -1);
	h.m[0] = (struct ms_meeting){0, 3, -1, -1};     /* no person 3 */
	assert_int_equal(match_schedule(&h.pb, &r), -1);
	/* nothing to do is fine */
	h.pb.nmeetings = 0;
	assert_int_equal(match_schedule(&h.pb, &r), 0);
	assert_int_equal(r.placed, 0);
	assert_int_equal(r.upper_bound, 0);
	ms_result_free(&r);
}

/* A mid-size brokerage: 60 people, 260 meetings, 2 sessions x 5 slots x 9 tables. */
struct mid {
	int tables[10], session[10];
	unsigned char avail[60 * 10];
	struct ms_meeting m[260];
	struct ms_problem pb;
};

static void
mid_init(struct mid *x, uint64_t seed)
{
	int P = 60, S = 10, M = 260, i, n = 0;
	unsigned char pair[60][60] = {{0}};

	rng_state = seed;
	for (i = 0; i < S; i++) {
		x->tables[i] = 9;
		x->session[i] = i / 5;
	}
	for (i = 0; i < P * S; i++)
		x->avail[i] = rndn(100) < 75;
	while (n < M) {
		/* people with low numbers are popular */
		int a = rndn(P), b = rndn(2) ? rndn(1 + rndn(P)) : rndn(P);

		if (a == b || pair[a][b])
			continue;
		pair[a][b] = pair[b][a] = 1;
		x->m[n++] = (struct ms_meeting){a, b, -1, -1};
	}
	x->m[5] = (struct ms_meeting){x->m[5].a, x->m[5].b, 3, -1};
	x->pb = (struct ms_problem){P, S, M, x->tables, x->session, x->avail, x->m, 1.0};
}

static void
test_mid_size_beats_greedy(void **state)
{
	static struct mid x;
	struct ms_result r, g, r2;
	int seed, better = 0;

	(void)state;
	for (seed = 1; seed <= 5; seed++) {
		mid_init(&x, (uint64_t)seed);
		assert_int_equal(match_schedule(&x.pb, &r), 0);
		assert_int_equal(match_schedule_greedy(&x.pb, &g), 0);
		assert_int_equal(ms_check(&x.pb, &r), 0);
		assert_int_equal(ms_check(&x.pb, &g), 0);
		assert_true(r.placed >= g.placed);
		assert_true(r.upper_bound >= r.placed);
		assert_true(g.upper_bound >= r.placed);
		assert_true(r.placed >= r.upper_bound * 98 / 100);
		if (r.placed == g.placed)
			assert_true(r.gaps <= g.gaps);
		better += r.placed > g.placed || r.gaps < g.gaps;
		/* deterministic */
		assert_int_equal(match_schedule(&x.pb, &r2), 0);
		assert_int_equal(r2.placed, r.placed);
		assert_int_equal(r2.gaps, r.gaps);
		assert_memory_equal(r2.slot, r.slot, sizeof(int) * (size_t)x.pb.nmeetings);
		assert_memory_equal(r2.table, r.table, sizeof(int) * (size_t)x.pb.nmeetings);
		ms_result_free(&r);
		ms_result_free(&r2);
		ms_result_free(&g);
	}
	assert_int_equal(better, 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_small_match_brute_force),
		cmocka_unit_test(test_reason_no_common_slot),
		cmocka_unit_test(test_reason_person_busy),
		cmocka_unit_test(test_reason_tables_full),
		cmocka_unit_test(test_fixed_conflicts_and_keeps),
		cmocka_unit_test(test_gaps_minimised),
		cmocka_unit_test(test_gaps_count_within_a_session),
		cmocka_unit_test(test_table_kept_across_slots),
		cmocka_unit_test(test_check_catches_broken_results),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_mid_size_beats_greedy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
