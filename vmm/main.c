// SPDX-License-Identifier: GPL-2.0
/* Placeholder until the command dispatcher lands. */
#include <stdio.h>

int main(void)
{
	fprintf(stderr, "lkvm: not yet\n");
	return 1;
}
