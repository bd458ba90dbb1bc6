// SPDX-License-Identifier: GPL-2.0
/* 9p roots for -d DIR, -d NAME and --name NAME; see include/root-9p.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "control.h"
#include "root-9p.h"
#include "run-options.h"

int lkvm_home_path(char *buf, size_t len, const char *name)
{
	const char *home = getenv("LKVM_HOME"), *user = getenv("HOME");
	int n;

	if (home && *home)
		n = snprintf(buf, len, "%s%s%s", home, name ? "/" : "",
			     name ? name : "");
	else if (user && *user)
		n = snprintf(buf, len, "%s/.lkvm%s%s", user, name ? "/" : "",
			     name ? name : "");
	else
		return -ENOENT;
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

bool setup_name_valid(const char *name)
{
	return control_name_valid(name) && strcmp(name, ".") &&
	       strcmp(name, "..");
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* dir/virt/init: made by `lkvm setup`. */
bool root_9p_is_setup(const char *dir)
{
	char init[4096];
	struct stat st;

	if (snprintf(init, sizeof(init), "%s%s", dir, ROOT_9P_INIT) >=
	    (int)sizeof(init))
		return false;
	return !stat(init, &st) && S_ISREG(st.st_mode);
}

static int set_root(struct vm_config *cfg, const char *dir, char *err,
		    size_t errlen)
{
	bool setup = root_9p_is_setup(dir);
	int r;

	if (cfg->root_9p) {
		snprintf(err, errlen, "a second 9p root '%s': one -d DIR or -d NAME",
			 dir);
		return -EINVAL;
	}
	r = vm_config_add_9p(cfg, dir, ROOT_9P_TAG, 0, err, errlen);
	if (!r && setup)
		r = vm_config_add_9p(cfg, "/", ROOT_9P_HOST_TAG, P9_SHARE_RO,
				     err, errlen);
	if (r)
		return r;
	cfg->root_9p = true;
	cfg->root_9p_setup = setup;
	return 1;
}

int root_9p_from_disk_arg(struct vm_config *cfg, const char *val, char *err,
			  size_t errlen)
{
	char dir[4096];

	if (is_dir(val))
		return set_root(cfg, val, err, errlen);
	if (!setup_name_valid(val) ||
	    lkvm_home_path(dir, sizeof(dir), val) || !root_9p_is_setup(dir))
		return 0;
	return set_root(cfg, dir, err, errlen);
}

int root_9p_from_name(struct vm_config *cfg, const char *name, char *err,
		      size_t errlen)
{
	char dir[4096];

	if (cfg->root_9p || cfg->nr_disks || cfg->initrd_path ||
	    lkvm_home_path(dir, sizeof(dir), name) || !root_9p_is_setup(dir))
		return 0;
	return set_root(cfg, dir, err, errlen);
}
