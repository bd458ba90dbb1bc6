// SPDX-License-Identifier: GPL-2.0
/*
 * C entry of the test guest: parse the boot information, then run the test
 * named by "test=NAME[:ARG]" on the command line ("hello" by default) and
 * exit with the status it returns.
 */
#include "guest.h"

extern const struct guest_test __guest_tests_start[], __guest_tests_end[];

void guest_start(u32 proto, u64 info)
{
	const struct guest_test *t;
	char name[64];
	const char *arg = "";
	char *colon;

	idt_init();
	boot_parse(proto, info);
	alloc_init(&boot_info);

	if (!cmdline_get("test", name, sizeof(name)) || !name[0])
		memcpy(name, "hello", 6);
	colon = strchr(name, ':');
	if (colon) {
		*colon = '\0';
		arg = colon + 1;
	}
	for (t = __guest_tests_start; t < __guest_tests_end; t++)
		if (!strcmp(t->name, name))
			guest_exit((u32)t->fn(&boot_info, arg));

	printf("unknown test '%s'; known:", name);
	for (t = __guest_tests_start; t < __guest_tests_end; t++)
		printf(" %s", t->name);
	printf("\n");
	guest_exit(EXIT_USAGE);
}
