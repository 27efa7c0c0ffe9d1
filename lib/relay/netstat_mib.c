/* SPDX-License-Identifier: BSD-3-Clause */
/* /proc/net/netstat's counters (see netstat_mib.h). */
#include <stdlib.h>
#include <string.h>

#include "netstat_mib.h"

/* The index of word name among the space-separated words of line after its "GROUP:",
 * or -1. */
static int word_index(char *line, const char *name)
{
	char *save = NULL;
	int i = 0;

	strtok_r(line, " \n", &save); /* "GROUP:" */
	for (char *w = strtok_r(NULL, " \n", &save); w != NULL;
		w = strtok_r(NULL, " \n", &save), i++)
		if (strcmp(w, name) == 0)
			return i;
	return -1;
}

int netstat_mib(FILE *f, const char *group, const char *name, uint64_t *out)
{
	char head[8192], values[8192], prefix[64];
	size_t plen = (size_t)snprintf(prefix, sizeof(prefix), "%s:", group);

	while (fgets(head, sizeof(head), f) != NULL) {
		if (strncmp(head, prefix, plen) != 0)
			continue;
		if (fgets(values, sizeof(values), f) == NULL || strncmp(values, prefix, plen) != 0)
			return -1;
		int at = word_index(head, name);
		if (at < 0)
			return -1;
		char *save = NULL;
		char *w = strtok_r(values, " \n", &save);
		for (int i = 0; w != NULL && i <= at; i++)
			w = strtok_r(NULL, " \n", &save);
		if (w == NULL)
			return -1;
		char *end;
		unsigned long long v = strtoull(w, &end, 10);
		if (*end != '\0')
			return -1;
		*out = v;
		return 0;
	}
	return -1;
}
