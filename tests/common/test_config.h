/* SPDX-License-Identifier: BSD-3-Clause */
/* A configuration loaded from text, for the unit tests and fuzz targets. */
#ifndef MPGW_TEST_CONFIG_H
#define MPGW_TEST_CONFIG_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

/* text loaded as a configuration file (config_load() reads a path); NULL with err set. */
static inline struct mpgw_config *test_config_load(const char *text, char *err, size_t errlen)
{
	char path[] = "/tmp/mpgw_test_config_XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		snprintf(err, errlen, "cannot write %s", path);
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		return NULL;
	}
	close(fd);
	struct mpgw_config *cfg = config_load(path, err, errlen);
	unlink(path);
	return cfg;
}

#endif
