/*
 * The meeting scheduler: a pure function from people, slots, tables,
 * availability and agreed meetings to placements.  No I/O.
 */
#ifndef CONFERO_MATCH_SCHEDULE_H
#define CONFERO_MATCH_SCHEDULE_H

enum ms_reason {
	MS_PLACED = 0,
	MS_NO_COMMON_SLOT,      /* the two people share no available slot */
	MS_PERSON_BUSY,         /* every common slot already has a meeting for one of them */
	MS_TABLES_FULL,         /* every common slot where both are free has no table left */
	MS_CONFLICT,            /* a fixed meeting that clashes with another fixed one (bad input) */
};

struct ms_meeting {
	int a, b;               /* people, 0 <= a,b < npeople, a != b */
	int fixed_slot;         /* -1: free to place; else it keeps this slot */
	int fixed_table;        /* with fixed_slot >= 0: its table, -1: any free table */
};

struct ms_problem {
	int npeople, nslots, nmeetings;
	const int *tables;              /* [nslots] tables in each slot */
	const int *session;             /* [nslots] session index of each slot (gaps count within one) */
	const unsigned char *avail;     /* [npeople * nslots], avail[p * nslots + s] != 0: available */
	const struct ms_meeting *meetings;
	double time_limit;              /* seconds; <= 0: a default (e.g. 1.5) */
};

struct ms_result {
	int *slot;                      /* [nmeetings] slot index or -1 */
	int *table;                     /* [nmeetings] table index or -1 */
	enum ms_reason *why;            /* [nmeetings] */
	int placed;                     /* including the fixed ones */
	int upper_bound;                /* >= any feasible placement's count */
	long gaps;                      /* total idle gaps in the result */
	double seconds;                 /* wall time spent */
	/* Added: how the run went (for the docs, the bench and the logs). */
	int optimal;                    /* 1: placed == the maximum (proved) */
	int timed_out;                  /* 1: a phase stopped on the time limit */
};

/*
 * 0 on success (res arrays malloc'd: free with ms_result_free), -1 on bad input or no memory.
 * Deterministic for a given input unless the time limit cuts a phase short.
 * Uses GLPK for the LP bound; GLPK's environment is per thread and is freed
 * (glp_free_env) before returning, so no other GLPK user may share the thread.
 */
int match_schedule(const struct ms_problem *, struct ms_result *res);
/* The baseline: meetings in input order, each in the first slot and table that fit. */
int match_schedule_greedy(const struct ms_problem *, struct ms_result *res);
void ms_result_free(struct ms_result *);
/*
 * 0 when res obeys every rule of the problem (for tests and the db layer's paranoia).
 * Otherwise -1 for a bad problem, or a positive number naming the first rule broken
 * (enum ms_check_rule).
 */
int ms_check(const struct ms_problem *, const struct ms_result *);

enum ms_check_rule {
	MS_CHECK_OK = 0,
	MS_CHECK_SHAPE,         /* slot/table/why out of range or inconsistent */
	MS_CHECK_FIXED,         /* a fixed meeting moved, or dropped without a clash */
	MS_CHECK_AVAIL,         /* a free meeting in a slot where someone is unavailable */
	MS_CHECK_PERSON,        /* a person twice in one slot */
	MS_CHECK_TABLE,         /* a table twice in one slot */
	MS_CHECK_REASON,        /* an unplaced meeting's reason is not true */
	MS_CHECK_COUNTS,        /* placed, gaps or upper_bound disagree with the arrays */
};
#endif
