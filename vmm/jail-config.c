// SPDX-License-Identifier: GPL-2.0
/* --jail: the strings the jail keeps in a vm_config (include/jail.h). */
#include <stdlib.h>

#include "jail.h"

char *jail_own(struct jail_config *j, char *s)
{
	char **owned;

	if (!s)
		return NULL;
	owned = realloc(j->owned, (j->nr_owned + 1) * sizeof(*owned));
	if (!owned) {
		free(s);
		return NULL;
	}
	j->owned = owned;
	j->owned[j->nr_owned++] = s;
	return s;
}

void jail_config_release(struct jail_config *j)
{
	unsigned int i;

	for (i = 0; i < j->nr_owned; i++)
		free(j->owned[i]);
	free(j->owned);
	j->owned = NULL;
	j->nr_owned = 0;
}
