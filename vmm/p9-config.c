// SPDX-License-Identifier: GPL-2.0
/* --9p DIR,TAG[,ro][,passthrough]: a 9p share, checked before the guest starts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run-options.h"

/* Printable, no ',' (the option's separator) and no blank (a mount source). */
static bool tag_char_ok(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != ',';
}

static int check_tag(const struct vm_config *cfg, const char *tag, char *err,
		     size_t errlen)
{
	size_t len = strlen(tag), i;

	if (!len) {
		snprintf(err, errlen, "9p share needs a tag: DIR,TAG");
		return -EINVAL;
	}
	if (len > LKVM_9P_TAG_MAX) {
		snprintf(err, errlen, "9p tag '%s' is longer than %d bytes",
			 tag, LKVM_9P_TAG_MAX);
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		if (!tag_char_ok(tag[i])) {
			snprintf(err, errlen,
				 "9p tag '%s' has a character other than printable ASCII without ',' or space",
				 tag);
			return -EINVAL;
		}
	}
	for (i = 0; i < cfg->nr_shares_9p; i++) {
		if (!strcmp(cfg->shares_9p[i].tag, tag)) {
			snprintf(err, errlen, "9p tag '%s' is given twice", tag);
			return -EINVAL;
		}
	}
	return 0;
}

static int check_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (!*dir) {
		snprintf(err, errlen, "9p share needs a directory: DIR,TAG");
		return -EINVAL;
	}
	if (stat(dir, &st)) {
		snprintf(err, errlen, "9p share '%s': %s", dir, strerror(errno));
		return -EINVAL;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "9p share '%s' is not a directory", dir);
		return -EINVAL;
	}
	return 0;
}

int vm_config_add_9p(struct vm_config *cfg, const char *dir, const char *tag,
		     unsigned int flags, char *err, size_t errlen)
{
	struct p9_share_config s = { .flags = flags }, *shares;
	int r;

	if (flags & ~(P9_SHARE_RO | P9_SHARE_PASSTHROUGH)) {
		snprintf(err, errlen, "9p share '%s': unknown flags %#x", dir,
			 flags);
		return -EINVAL;
	}
	r = check_dir(dir, err, errlen);
	if (!r)
		r = check_tag(cfg, tag, err, errlen);
	if (r)
		return r;
	if ((flags & P9_SHARE_PASSTHROUGH) && geteuid() != 0) {
		snprintf(err, errlen,
			 "9p share '%s': passthrough needs root (lkvm runs as uid %u)",
			 dir, (unsigned int)geteuid());
		return -EINVAL;
	}
	s.dir = strdup(dir);
	s.tag = strdup(tag);
	shares = reallocarray(cfg->shares_9p, cfg->nr_shares_9p + 1,
			      sizeof(*shares));
	if (!s.dir || !s.tag || !shares) {
		free(s.dir);
		free(s.tag);
		if (shares)
			cfg->shares_9p = shares;
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	shares[cfg->nr_shares_9p++] = s;
	cfg->shares_9p = shares;
	return 0;
}

int vm_config_parse_9p(struct vm_config *cfg, const char *arg, char *err,
		       size_t errlen)
{
	char *buf = strdup(arg), *rest, *dir, *tag, *tok;
	unsigned int flags = 0;
	int r = -EINVAL;

	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rest = buf;
	dir = strsep(&rest, ",");
	tag = strsep(&rest, ",");
	if (!tag) {
		snprintf(err, errlen, "--9p '%s' needs a tag: DIR,TAG[,ro][,passthrough]",
			 arg);
		goto out;
	}
	while ((tok = strsep(&rest, ","))) {
		if (!strcmp(tok, "ro")) {
			flags |= P9_SHARE_RO;
		} else if (!strcmp(tok, "passthrough")) {
			flags |= P9_SHARE_PASSTHROUGH;
		} else {
			snprintf(err, errlen,
				 "unknown 9p option '%s' (ro, passthrough)", tok);
			goto out;
		}
	}
	r = vm_config_add_9p(cfg, dir, tag, flags, err, errlen);
out:
	free(buf);
	return r;
}

void vm_config_release_9p(struct vm_config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->nr_shares_9p; i++) {
		free(cfg->shares_9p[i].dir);
		free(cfg->shares_9p[i].tag);
	}
	free(cfg->shares_9p);
	cfg->shares_9p = NULL;
	cfg->nr_shares_9p = 0;
}
