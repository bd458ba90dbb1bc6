/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 9p roots (vmm/root-9p.c): `lkvm run -d DIR` with DIR a directory, `-d
 * NAME` and `--name NAME` with NAME made by `lkvm setup`, boot a directory
 * as the guest's root over 9p (share "/dev/root", as kvmtool's). A root
 * `lkvm setup` made (DIR/virt/init) also gets the host's root read-only
 * as share "hostfs", and the kernel command line init=/virt/init.
 */
#ifndef LKVM_ROOT_9P_H
#define LKVM_ROOT_9P_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

#define ROOT_9P_TAG		"/dev/root"
#define ROOT_9P_HOST_TAG	"hostfs"
#define ROOT_9P_INIT		"/virt/init"
/* What lkvm adds to the command line for a 9p root. */
#define ROOT_9P_CMDLINE \
	"root=/dev/root rootfstype=9p " \
	"rootflags=trans=virtio,version=9p2000.L,cache=mmap,msize=131072 rw"

/*
 * Where `lkvm setup NAME` puts NAME: $LKVM_HOME/NAME, else
 * $HOME/.lkvm/NAME. With name NULL, the directory itself. -ENAMETOOLONG,
 * -ENOENT (no HOME).
 */
int lkvm_home_path(char *buf, size_t len, const char *name);

/* Is dir a root `lkvm setup` made (dir/virt/init)? */
bool root_9p_is_setup(const char *dir);

/* Is name a valid instance name (the control socket's rule)? */
bool setup_name_valid(const char *name);

/*
 * -d's value: a directory, or the name of a `lkvm setup` instance, makes
 * the 9p root (1); anything else is a disk (0). -EINVAL with a reason in
 * err (a second root, a share refused).
 */
int root_9p_from_disk_arg(struct vm_config *cfg, const char *val, char *err,
			  size_t errlen);

/*
 * `lkvm run --name NAME` with neither -d nor -i: NAME's setup root if
 * there is one (1), else 0; -EINVAL as above.
 */
int root_9p_from_name(struct vm_config *cfg, const char *name, char *err,
		      size_t errlen);

#endif
