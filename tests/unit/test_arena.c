/* Unit tests for src/arena.c: the per-request bump allocator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"

#define ALIGN _Alignof(max_align_t)

static int
setup(void **state)
{
	*state = arena_new();
	return *state == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	arena_free(*state);
	return 0;
}

static void
assert_aligned(const void *p)
{
	if ((uintptr_t)p % ALIGN != 0)
		fail_msg("%p is not aligned to %zu", p, (size_t)ALIGN);
}

static void
test_alloc_alignment(void **state)
{
	struct arena *a = *state;
	size_t n;

	for (n = 0; n < 200; n++) {
		unsigned char *p = arena_alloc(a, n);

		assert_non_null(p);
		assert_aligned(p);
		memset(p, 0xa5, n);
	}
	/* After odd sizes too. */
	assert_non_null(arena_alloc(a, 1));
	assert_aligned(arena_alloc(a, 3));
	assert_aligned(arena_alloc(a, 7));
	assert_aligned(arena_calloc(a, 3, 5));
	assert_aligned(arena_strdup(a, "x"));
	assert_aligned(arena_printf(a, "%d", 12345));
	assert_aligned(arena_alloc(a, 100000));
	assert_aligned(arena_alloc(a, 1));
}

static void
test_alloc_zero_distinct(void **state)
{
	struct arena *a = *state;
	void *p = arena_alloc(a, 0), *q = arena_alloc(a, 0);

	assert_non_null(p);
	assert_non_null(q);
	assert_ptr_not_equal(p, q);
}

/* Many allocations, spanning many blocks, never overlap. */
static void
test_no_overlap(void **state)
{
	struct arena *a = *state;
	enum { N = 5000 };
	unsigned char **ptrs = calloc(N, sizeof(*ptrs));
	size_t i, j, sz;

	assert_non_null(ptrs);
	for (i = 0; i < N; i++) {
		sz = 1 + (i * 37) % 300;
		if (i % 500 == 0)
			sz = 9000 + i;          /* an occasional big one */
		ptrs[i] = arena_alloc(a, sz);
		assert_non_null(ptrs[i]);
		memset(ptrs[i], (int)(i & 0xff), sz);
	}
	for (i = 0; i < N; i++) {
		sz = 1 + (i * 37) % 300;
		if (i % 500 == 0)
			sz = 9000 + i;
		for (j = 0; j < sz; j++)
			if (ptrs[i][j] != (unsigned char)(i & 0xff))
				fail_msg("allocation %zu byte %zu was overwritten", i, j);
	}
	free(ptrs);
}

static void
test_large_allocations(void **state)
{
	struct arena *a = *state;
	unsigned char *small1, *big1, *small2, *big2, *huge, *small3;
	size_t mib8 = 8u << 20, i;

	small1 = arena_alloc(a, 100);
	memset(small1, 1, 100);
	big1 = arena_alloc(a, 8193);
	assert_non_null(big1);
	assert_aligned(big1);
	memset(big1, 2, 8193);
	small2 = arena_alloc(a, 100);
	memset(small2, 3, 100);
	big2 = arena_alloc(a, 65536);
	assert_non_null(big2);
	memset(big2, 4, 65536);
	huge = arena_alloc(a, mib8);
	assert_non_null(huge);
	assert_aligned(huge);
	memset(huge, 5, mib8);
	small3 = arena_alloc(a, 8192);
	assert_non_null(small3);
	memset(small3, 6, 8192);

	for (i = 0; i < 100; i++)
		assert_true(small1[i] == 1 && small2[i] == 3);
	for (i = 0; i < 8193; i++)
		assert_true(big1[i] == 2);
	for (i = 0; i < 65536; i++)
		assert_true(big2[i] == 4);
	for (i = 0; i < mib8; i += 4093)
		assert_true(huge[i] == 5);
	assert_true(huge[mib8 - 1] == 5);
	for (i = 0; i < 8192; i++)
		assert_true(small3[i] == 6);
}

static void
test_exactly_block_sized(void **state)
{
	struct arena *a = *state;
	unsigned char *p, *q;

	/* 8192 exactly, then into a partly used block. */
	p = arena_alloc(a, 8192);
	assert_non_null(p);
	memset(p, 7, 8192);
	q = arena_alloc(a, 8000);
	assert_non_null(q);
	memset(q, 8, 8000);
	p = arena_alloc(a, 8192);
	memset(p, 9, 8192);
	assert_true(q[0] == 8 && q[7999] == 8);
}

static void
test_overflow_sizes(void **state)
{
	struct arena *a = *state;

	assert_null(arena_alloc(a, SIZE_MAX));
	assert_null(arena_alloc(a, SIZE_MAX - 1));
	assert_null(arena_alloc(a, SIZE_MAX / 2 + 1));
	assert_null(arena_calloc(a, SIZE_MAX / 2, 4));
	assert_null(arena_calloc(a, 4, SIZE_MAX / 2));
	assert_null(arena_calloc(a, (SIZE_MAX >> 4) + 2, 16));
	/* The arena still works afterwards. */
	assert_non_null(arena_alloc(a, 16));
}

static void
test_calloc_zeroes(void **state)
{
	struct arena *a, *b;
	unsigned char *p;
	size_t i;

	(void)state;
	/* Dirty some heap first so fresh blocks are likely not zero. */
	a = arena_new();
	for (i = 0; i < 8; i++)
		memset(arena_alloc(a, 8000), 0xee, 8000);
	memset(arena_alloc(a, 100000), 0xee, 100000);
	arena_free(a);

	b = arena_new();
	memset(arena_alloc(b, 64), 0xff, 64);
	p = arena_calloc(b, 1000, 8);
	assert_non_null(p);
	for (i = 0; i < 8000; i++)
		assert_true(p[i] == 0);
	p = arena_calloc(b, 3, 40000);
	assert_non_null(p);
	for (i = 0; i < 120000; i++)
		assert_true(p[i] == 0);
	assert_non_null(arena_calloc(b, 0, 10));
	assert_non_null(arena_calloc(b, 10, 0));
	arena_free(b);
}

static void
test_strdup(void **state)
{
	struct arena *a = *state;
	char src[] = "hello, arena";
	char *p;

	p = arena_strdup(a, src);
	assert_non_null(p);
	assert_ptr_not_equal(p, src);
	assert_string_equal(p, "hello, arena");
	src[0] = 'J';
	assert_string_equal(p, "hello, arena");

	p = arena_strdup(a, "");
	assert_non_null(p);
	assert_string_equal(p, "");
	assert_null(arena_strdup(a, NULL));

	p = arena_strdup(a, "\xc5\xbe\xe2\x82\xac");
	assert_string_equal(p, "\xc5\xbe\xe2\x82\xac");
}

static void
test_strdup_long(void **state)
{
	struct arena *a = *state;
	char *big = malloc(50001), *p;

	assert_non_null(big);
	memset(big, 'q', 50000);
	big[50000] = '\0';
	p = arena_strdup(a, big);
	assert_non_null(p);
	assert_int_equal(strlen(p), 50000);
	assert_memory_equal(p, big, 50001);
	free(big);
}

static void
test_strndup(void **state)
{
	struct arena *a = *state;
	const char *s = "abcdef";
	char *p;

	p = arena_strndup(a, s, 3);
	assert_string_equal(p, "abc");
	p = arena_strndup(a, s, 0);
	assert_non_null(p);
	assert_string_equal(p, "");
	p = arena_strndup(a, s, 6);
	assert_string_equal(p, "abcdef");
	/* Not NUL-terminated input (a request body). */
	{
		char body[4] = {'w', 'x', 'y', 'z'};

		p = arena_strndup(a, body, 4);
		assert_string_equal(p, "wxyz");
		p = arena_strndup(a, body + 1, 2);
		assert_string_equal(p, "xy");
	}
}

static void
test_printf(void **state)
{
	struct arena *a = *state;
	char *p;

	p = arena_printf(a, "%d-%s-%c-%05.1f", 42, "x", 'z', 3.14159);
	assert_string_equal(p, "42-x-z-003.1");
	p = arena_printf(a, "%s", "");
	assert_non_null(p);
	assert_string_equal(p, "");
	p = arena_printf(a, "%lld/%zu", -9007199254740993LL, (size_t)7);
	assert_string_equal(p, "-9007199254740993/7");
	/* Longer than a block. */
	p = arena_printf(a, "%0*d", 20000, 7);
	assert_non_null(p);
	assert_int_equal(strlen(p), 20000);
	assert_true(p[0] == '0' && p[19998] == '0' && p[19999] == '7');
	p = arena_printf(a, "[%s]", "after");
	assert_string_equal(p, "[after]");
}

/* ---- defer ---- */

static char order[64];

static void
note(void *p)
{
	size_t n = strlen(order);

	order[n] = *(const char *)p;
	order[n + 1] = '\0';
}

static void
test_defer_reverse_order(void **state)
{
	static const char c1 = '1', c2 = '2', c3 = '3', c4 = '4';
	struct arena *a = arena_new();

	(void)state;
	order[0] = '\0';
	assert_int_equal(arena_defer(a, note, (void *)&c1), 0);
	arena_alloc(a, 10000);                  /* blocks in between */
	assert_int_equal(arena_defer(a, note, (void *)&c2), 0);
	arena_alloc(a, 100);
	assert_int_equal(arena_defer(a, note, (void *)&c3), 0);
	assert_int_equal(arena_defer(a, note, (void *)&c4), 0);
	assert_string_equal(order, "");         /* not before arena_free */
	arena_free(a);
	assert_string_equal(order, "4321");
}

static void
read_arena_string(void *p)
{
	/* Runs before the arena's memory is released. */
	size_t n = strlen(order);

	snprintf(order + n, sizeof(order) - n, "%s", (const char *)p);
}

static void
test_defer_sees_arena_memory(void **state)
{
	struct arena *a = arena_new();
	char *s;

	(void)state;
	order[0] = '\0';
	s = arena_strdup(a, "alive");
	assert_int_equal(arena_defer(a, read_arena_string, s), 0);
	/* Push the string's block down the list. */
	arena_alloc(a, 100000);
	arena_alloc(a, 8192);
	arena_alloc(a, 8192);
	arena_free(a);
	assert_string_equal(order, "alive");
}

static void
test_defer_frees_heap(void **state)
{
	struct arena *a = arena_new();
	int i;

	(void)state;
	/* Under LeakSanitizer, a missed callback is a leak. */
	for (i = 0; i < 100; i++)
		assert_int_equal(arena_defer(a, free, malloc(32)), 0);
	arena_free(a);
}

static int ncalls;

static void
count(void *p)
{
	(void)p;
	ncalls++;
}

static void
test_defer_runs_once(void **state)
{
	struct arena *a = arena_new();
	int i;

	(void)state;
	ncalls = 0;
	for (i = 0; i < 1000; i++)
		arena_defer(a, count, NULL);
	arena_free(a);
	assert_int_equal(ncalls, 1000);
}

static void
test_free_null_and_empty(void **state)
{
	(void)state;
	arena_free(NULL);
	arena_free(arena_new());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_alloc_alignment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_zero_distinct, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_overlap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_allocations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exactly_block_sized, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overflow_sizes, setup, teardown),
		cmocka_unit_test(test_calloc_zeroes),
		cmocka_unit_test_setup_teardown(test_strdup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strdup_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strndup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_printf, setup, teardown),
		cmocka_unit_test(test_defer_reverse_order),
		cmocka_unit_test(test_defer_sees_arena_memory),
		cmocka_unit_test(test_defer_frees_heap),
		cmocka_unit_test(test_defer_runs_once),
		cmocka_unit_test(test_free_null_and_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
