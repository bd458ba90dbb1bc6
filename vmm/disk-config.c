// SPDX-License-Identifier: GPL-2.0
/* -d/--disk: its argument parsed once, at option time, into a disk_config. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jail.h"
#include "run-options.h"

/* One ",word" of the argument into d; -EINVAL with a reason. */
static int disk_config_word(struct disk_config *d, char *tok, char *err,
			    size_t errlen)
{
	if (!strcmp(tok, "ro")) {
		d->readonly = true;
	} else if (!strcmp(tok, "direct")) {
		d->direct = true;
	} else if (!strcmp(tok, "io=vcpu") || !strcmp(tok, "io=auto")) {
		d->vcpu_io = true;
		d->vcpu_io_auto = tok[3] == 'a';
	} else if (!strcmp(tok, "io=thread")) {
		d->vcpu_io = d->vcpu_io_auto = false;
	} else if (!strncmp(tok, "io=", 3)) {
		snprintf(err, errlen, "unknown disk io '%s' (thread, vcpu, auto)",
			 tok + 3);
		return -EINVAL;
	} else if (!strcmp(tok, "format=raw")) {
		d->format = DISK_FMT_RAW;
	} else if (!strcmp(tok, "format=qcow2")) {
		d->format = DISK_FMT_QCOW2;
	} else if (!strncmp(tok, "format=", 7)) {
		snprintf(err, errlen, "unknown disk format '%s' (raw, qcow2)",
			 tok + 7);
		return -EINVAL;
	} else if (!strcmp(tok, "backing=any")) {
		d->backing_any = true;
	} else if (!strncmp(tok, "backing=", 8) && tok[8]) {
		d->backing_path = tok + 8;
	} else if (!strcmp(tok, "backing-follow")) {
		d->backing_follow = true;
	} else if (!strncmp(tok, "serial=", 7)) {
		if (strlen(tok + 7) > LKVM_DISK_SERIAL_MAX) {
			snprintf(err, errlen,
				 "disk serial '%s' is longer than %d bytes",
				 tok + 7, LKVM_DISK_SERIAL_MAX);
			return -EINVAL;
		}
		d->serial = tok + 7;
	} else {
		snprintf(err, errlen,
			 "unknown disk option '%s' (ro, direct, io=, serial=, format=, backing=, backing-follow)",
			 tok);
		return -EINVAL;
	}
	return 0;
}

int disk_config_parse(struct disk_config *d, const char *arg, char *err,
		      size_t errlen)
{
	char *tok, *rest;
	int r;

	memset(d, 0, sizeof(*d));
	d->arg = arg;
	d->buf = strdup(arg);
	if (!d->buf) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rest = d->buf;
	tok = strsep(&rest, ",");
	if (!*tok) {
		snprintf(err, errlen, "--disk needs a path");
		r = -EINVAL;
		goto fail;
	}
	d->path = tok;
	while ((tok = strsep(&rest, ","))) {
		if (!*tok)
			continue;
		r = disk_config_word(d, tok, err, errlen);
		if (r)
			goto fail;
	}
	return 0;
fail:
	disk_config_release(d);
	return r;
}

void disk_config_release(struct disk_config *d)
{
	free(d->buf);
	memset(d, 0, sizeof(*d));
}

int vm_config_add_disk(struct vm_config *cfg, const char *arg, char *err,
		       size_t errlen)
{
	struct disk_config d, *disks;
	int r;

	r = disk_config_parse(&d, arg, err, errlen);
	if (r)
		return r;
	disks = reallocarray(cfg->disks, cfg->nr_disks + 1, sizeof(*disks));
	if (!disks) {
		disk_config_release(&d);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	disks[cfg->nr_disks++] = d;
	cfg->disks = disks;
	return 0;
}

void vm_config_release(struct vm_config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->nr_disks; i++)
		disk_config_release(&cfg->disks[i]);
	free(cfg->disks);
	cfg->disks = NULL;
	cfg->nr_disks = 0;
	vm_config_release_nets(cfg);
	vm_config_release_9p(cfg);
	free(cfg->kernel_found);
	cfg->kernel_found = NULL;
	free(cfg->sandbox_env);
	cfg->sandbox_env = NULL;
	cfg->nr_sandbox_env = 0;
	cfg->sandbox_env_given = false;
	jail_config_release(&cfg->jail);
}
