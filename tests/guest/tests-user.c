// SPDX-License-Identifier: GPL-2.0
/*
 * test=user[:N]: run a loop of N (default 10000000) additions at CPL3 and
 * check its result against the closed form.
 *
 *   user: sum 0..N-1 = S in C cycles
 *   user: ok                      (or "user: wrong sum S, want W")
 */
#include "guest.h"

static u64 user_sum(u64 n)
{
	u64 i, s = 0;

	for (i = 0; i < n; i++) {
		s += i;
		barrier();	/* keep the loop: the point is to run it */
	}
	return s;
}

static int test_user(const struct boot_info *bi, const char *arg)
{
	u64 n = 10000000, s, want, t;
	const char *end;

	if (*arg) {
		n = strtou64(arg, &end);
		if (*end || !n || n > (1ULL << 32)) {
			printf("user: bad count '%s'\n", arg);
			return EXIT_USAGE;
		}
	}
	want = n * (n - 1) / 2;
	t = rdtsc();
	s = run_user(user_sum, n);
	t = rdtsc() - t;
	printf("user: sum 0..%lu = %lu in %lu cycles\n", n - 1, s, t);
	if (s != want) {
		printf("user: wrong sum %lu, want %lu\n", s, want);
		return EXIT_FAIL;
	}
	printf("user: ok\n");
	return EXIT_OK;
}
GUEST_TEST("user", test_user);
