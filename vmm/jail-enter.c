// SPDX-License-Identifier: GPL-2.0
/*
 * --jail, inside: the VM's files bound into a tmpfs on DIR at their host
 * paths, pivot_root() into it, the limits, the drop to the jail user
 * with no capabilities (jail.h). Runs before any thread exists.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "arch.h"
#include "jail.h"
#include "log.h"
#include "net-backend.h"

/* Where a 9p share of the host's "/" (lkvm sandbox) appears inside. */
#define JAIL_HOST_ROOT "/lkvm-host-root"

/* One host file or directory to show inside. */
struct jail_bind {
	char *inside;		/* its path inside (owned by cfg->jail) */
	int fd;			/* O_PATH, the host's */
	mode_t type;		/* S_IFDIR, S_IFREG, S_IFCHR, ... */
	dev_t rdev;
	bool ro;
};

struct jail_binds {
	struct vm_config *cfg;
	struct jail_bind *b;
	unsigned int nr;
};

static int jail_bind_fail(const char *path, int err)
{
	pr_err("--jail: cannot bind '%s' into the jail: %s", path,
	       strerror(-err));
	return err;
}

/*
 * Add host path to the binds, read-only if ro, inside at want (NULL: its
 * canonical host path, JAIL_HOST_ROOT for "/"). The path inside in
 * *inside (when not NULL), for cfg to use.
 */
static int jail_add(struct jail_binds *bs, const char *path, const char *want,
		    bool ro, const char **inside)
{
	char real[PATH_MAX], *in;
	struct jail_bind *b;
	struct stat st;
	unsigned int i;
	int fd;

	if (!realpath(path, real))
		return jail_bind_fail(path, -errno);
	if (!want)
		want = strcmp(real, "/") ? real : JAIL_HOST_ROOT;
	for (i = 0; i < bs->nr; i++) {
		if (strcmp(bs->b[i].inside, want))
			continue;
		bs->b[i].ro &= ro;
		if (inside)
			*inside = bs->b[i].inside;
		return 0;
	}
	fd = open(real, O_PATH | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st)) {
		int err = -errno;

		if (fd >= 0)
			close(fd);
		return jail_bind_fail(path, err);
	}
	in = jail_own(&bs->cfg->jail, strdup(want));
	b = realloc(bs->b, (bs->nr + 1) * sizeof(*b));
	if (!in || !b) {
		close(fd);
		if (b)
			bs->b = b;
		return jail_bind_fail(path, -ENOMEM);
	}
	bs->b = b;
	bs->b[bs->nr++] = (struct jail_bind){
		.inside = in, .fd = fd, .type = st.st_mode & S_IFMT,
		.rdev = st.st_rdev, .ro = ro,
	};
	if (inside)
		*inside = in;
	return 0;
}

/* An output file lkvm creates (console log, status file): made now. */
static int jail_add_output(struct jail_binds *bs, const char **path)
{
	const struct jail_config *j = &bs->cfg->jail;
	int fd;

	if (!*path)
		return 0;
	fd = open(*path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY,
		  0644);
	if (fd < 0 && errno != EEXIST)
		return jail_bind_fail(*path, -errno);
	if (fd >= 0) {
		/* A root jail's user writes it. */
		if (!j->userns && fchown(fd, j->uid, j->gid)) {
			int err = -errno;

			close(fd);
			return jail_bind_fail(*path, err);
		}
		close(fd);
	}
	return jail_add(bs, *path, NULL, false, path);
}

/* A socket lkvm creates (--vsock path=): its directory, writable. */
static int jail_add_socket_dir(struct jail_binds *bs, const char **path)
{
	char dir[PATH_MAX], *slash, *in;
	const char *d;
	int err;

	snprintf(dir, sizeof(dir), "%s", *path);
	slash = strrchr(dir, '/');
	d = slash == dir ? "/" : slash ? dir : ".";
	if (slash && slash != dir)
		*slash = '\0';
	err = jail_add(bs, d, NULL, false, &d);
	if (err)
		return err;
	slash = strrchr(*path, '/');
	if (asprintf(&in, "%s/%s", d, slash ? slash + 1 : *path) < 0 ||
	    !jail_own(&bs->cfg->jail, in))
		return jail_bind_fail(*path, -ENOMEM);
	*path = in;
	return 0;
}

static bool jail_needs_tun(const struct vm_config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->nr_nets; i++)
		if (cfg->nets[i].mode == NET_MODE_TAP && cfg->nets[i].fd < 0)
			return true;
	return false;
}

static bool jail_user_net(const struct vm_config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->nr_nets; i++)
		if (cfg->nets[i].mode == NET_MODE_USER)
			return true;
	return cfg->default_nic;
}

/* Every file the VM uses; cfg's paths become the ones inside. */
static int jail_collect(struct jail_binds *bs)
{
	struct vm_config *cfg = bs->cfg;
	unsigned int i;
	int err;

	err = jail_add(bs, cfg->kernel_path, NULL, true, &cfg->kernel_path);
	if (!err && cfg->initrd_path)
		err = jail_add(bs, cfg->initrd_path, NULL, true,
			       &cfg->initrd_path);
	for (i = 0; !err && i < cfg->nr_disks; i++) {
		struct disk_config *d = &cfg->disks[i];

		err = jail_add(bs, d->path, NULL, d->readonly, &d->path);
		if (!err && d->backing_path)
			err = jail_add(bs, d->backing_path, NULL, true,
				       &d->backing_path);
	}
	for (i = 0; !err && i < cfg->nr_shares_9p; i++) {
		struct p9_share_config *s = &cfg->shares_9p[i];
		const char *in;
		char *dup;

		err = jail_add(bs, s->dir, NULL, s->flags & P9_SHARE_RO, &in);
		if (err)
			break;
		dup = strdup(in);
		if (!dup)
			return jail_bind_fail(s->dir, -ENOMEM);
		free(s->dir);
		s->dir = dup;
	}
	if (!err && cfg->hugetlbfs_path)
		err = jail_add(bs, cfg->hugetlbfs_path, NULL, false,
			       &cfg->hugetlbfs_path);
	if (!err)
		err = jail_add_output(bs, &cfg->console_log);
	if (!err)
		err = jail_add_output(bs, &cfg->status_file);
	if (!err && cfg->vsock_cid)
		err = jail_add_socket_dir(bs, &cfg->vsock_path);
	if (!err)
		err = jail_add(bs, cfg->dev_path, NULL, false, &cfg->dev_path);
	if (!err && jail_needs_tun(cfg))
		err = jail_add(bs, "/dev/net/tun", "/dev/net/tun", false, NULL);
	/* libslirp reads it for the guest's DNS. */
	if (!err && jail_user_net(cfg) && !access("/etc/resolv.conf", R_OK))
		err = jail_add(bs, "/etc/resolv.conf", "/etc/resolv.conf", true,
			       NULL);
	return err;
}

/* Parents first: a bind inside another lands on top of it. */
static int jail_bind_cmp(const void *a, const void *b)
{
	size_t la = strlen(((const struct jail_bind *)a)->inside);
	size_t lb = strlen(((const struct jail_bind *)b)->inside);

	return la < lb ? -1 : la > lb;
}

/*
 * The mount point of b under root (an O_PATH fd of the jail's root), its
 * directories made on the way, never following a symbolic link: an
 * O_PATH fd of it, or -errno. A root jail gets its devices as nodes of
 * its own (*made): the jail user's, where the host's may not be.
 */
static int jail_mount_point(int root, const struct jail_bind *b,
			    const struct jail_config *j, bool *made)
{
	char path[PATH_MAX], *comp, *next;
	int dir = dup(root), fd, err;

	*made = false;
	if (dir < 0)
		return -errno;
	snprintf(path, sizeof(path), "%s", b->inside + 1);
	for (comp = path; (next = strchr(comp, '/')); comp = next + 1) {
		*next = '\0';
		if (mkdirat(dir, comp, 0755) && errno != EEXIST)
			goto fail;
		fd = openat(dir, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);
		if (fd < 0)
			goto fail;
		close(dir);
		dir = fd;
	}
	if (b->type == S_IFDIR) {
		if (mkdirat(dir, comp, 0755) && errno != EEXIST)
			goto fail;
	} else if (b->type == S_IFCHR && !j->userns &&
		   !mknodat(dir, comp, S_IFCHR | 0600, b->rdev)) {
		if (fchownat(dir, comp, j->uid, j->gid, AT_SYMLINK_NOFOLLOW))
			goto fail;
		*made = true;
	} else {
		fd = openat(dir, comp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
			    O_NOFOLLOW, 0600);
		if (fd < 0 && errno != EEXIST)
			goto fail;
		if (fd >= 0)
			close(fd);
	}
	fd = openat(dir, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	close(dir);
	return fd;
fail:
	err = -errno;
	close(dir);
	return err;
}

/* A copy of the host's mount tree at b, attached at point. */
static int jail_bind_one(const struct jail_bind *b, int point)
{
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC |
			    (b->type == S_IFCHR ? 0 : MOUNT_ATTR_NODEV) |
			    (b->ro ? MOUNT_ATTR_RDONLY : 0),
	};
	int tree, err = 0;

	tree = open_tree(b->fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
			 AT_RECURSIVE | AT_EMPTY_PATH);
	if (tree < 0)
		return -errno;
	if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
			  sizeof(attr)) ||
	    move_mount(tree, "", point, "", MOVE_MOUNT_F_EMPTY_PATH |
		       MOVE_MOUNT_T_EMPTY_PATH))
		err = -errno;
	close(tree);
	return err;
}

static int jail_bind_all(struct jail_binds *bs, int root)
{
	const struct jail_config *j = &bs->cfg->jail;
	unsigned int i;
	bool made;
	int point, err;

	qsort(bs->b, bs->nr, sizeof(*bs->b), jail_bind_cmp);
	for (i = 0; i < bs->nr; i++) {
		point = jail_mount_point(root, &bs->b[i], j, &made);
		if (point < 0)
			return jail_bind_fail(bs->b[i].inside, point);
		err = made ? 0 : jail_bind_one(&bs->b[i], point);
		close(point);
		if (err)
			return jail_bind_fail(bs->b[i].inside, err);
	}
	return 0;
}

/* A procfs of the jail's PID namespace: lkvm opens /proc/self/fd/N. */
static int jail_mount_proc(int root)
{
	unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;

	if (mkdirat(root, "proc", 0555) && errno != EEXIST)
		return -errno;
	if (!mount("proc", "proc", "proc", flags,
		   "subset=pid,hidepid=invisible"))
		return 0;
	/* Kernels before 5.8 have no subset=pid. */
	if (errno == EINVAL && !mount("proc", "proc", "proc", flags,
				      "hidepid=2"))
		return 0;
	return -errno;
}

/* The tmpfs on dir, the binds, /proc, then dir becomes "/", read-only. */
static int jail_make_root(struct jail_binds *bs, const char *dir)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	const char *step = "make the mounts private";
	int root = -1, err;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		goto fail;
	step = "mount a tmpfs on the jail";
	if (mount("lkvm-jail", dir, "tmpfs", MS_NOSUID | MS_NOEXEC,
		  "mode=0755,size=1m,nr_inodes=4096"))
		goto fail;
	step = "open the jail";
	root = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0 || fchdir(root))
		goto fail;
	err = jail_bind_all(bs, root);
	if (err) {
		close(root);
		return err;
	}
	step = "mount /proc in the jail";
	err = jail_mount_proc(root);
	if (err) {
		errno = -err;
		goto fail;
	}
	step = "pivot_root into the jail";
	if (syscall(SYS_pivot_root, ".", ".") || umount2(".", MNT_DETACH) ||
	    chdir("/"))
		goto fail;
	step = "make the jail's root read-only";
	if (mount_setattr(AT_FDCWD, "/", 0, &ro, sizeof(ro)))
		goto fail;
	close(root);
	return 0;
fail:
	err = -errno;
	pr_err("--jail: cannot %s '%s': %s", step, dir, strerror(-err));
	if (root >= 0)
		close(root);
	return err;
}

static int jail_limits(void)
{
	struct rlimit core = { 0, 0 }, nofile;

	/* Guest memory never goes into a core file. */
	if (setrlimit(RLIMIT_CORE, &core) || getrlimit(RLIMIT_NOFILE, &nofile))
		return -errno;
	if (nofile.rlim_max > JAIL_NOFILE_MAX) {
		nofile.rlim_max = JAIL_NOFILE_MAX;
		if (nofile.rlim_cur > nofile.rlim_max)
			nofile.rlim_cur = nofile.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &nofile))
			return -errno;
	}
	return 0;
}

/* Every capability set empty, the bounding one too, as checked after. */
static bool jail_caps_gone(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	int cap;

	if (syscall(SYS_capget, &hdr, data))
		return false;
	if (data[0].effective | data[0].permitted | data[0].inheritable |
	    data[1].effective | data[1].permitted | data[1].inheritable)
		return false;
	for (cap = 0; cap <= 63; cap++)
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) > 0 ||
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) > 0)
			return false;
	return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
}

static int jail_drop(const struct jail_config *j)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct none[2] = { { 0 } };
	const char *step = "drop the bounding set";
	int cap;

	/* Past the last capability PR_CAPBSET_READ says EINVAL. */
	for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
			goto fail;
	step = "clear the ambient capabilities";
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0))
		goto fail;
	/* A user namespace has setgroups denied, and no groups to drop. */
	step = "drop the supplementary groups";
	if (!j->userns && setgroups(0, NULL))
		goto fail;
	step = "change user";
	if (setresgid(j->gid, j->gid, j->gid) ||
	    setresuid(j->uid, j->uid, j->uid))
		goto fail;
	step = "drop the capabilities";
	if (syscall(SYS_capset, &hdr, none))
		goto fail;
	step = "set no_new_privs";
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		goto fail;
	/* A change of user cleared it: the jail dies with the lkvm outside. */
	step = "set the parent-death signal";
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
		goto fail;
	if (!jail_caps_gone() || getuid() != j->uid || getegid() != j->gid) {
		pr_err("--jail: capabilities or ids still there after the drop");
		return -EPERM;
	}
	return 0;
fail:
	pr_err("--jail: cannot %s: %s", step, strerror(errno));
	return -errno;
}

int jail_tty_signals(void)
{
	static const int sigs[] = { SIGTTIN, SIGTTOU };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		if (signal(sigs[i], SIG_IGN) == SIG_ERR)
			return -errno;
	return 0;
}

int jail_enter(struct vm_config *cfg)
{
	struct jail_binds bs = { .cfg = cfg };
	char dir[PATH_MAX];
	unsigned int i;
	int err;

	err = jail_tty_signals();
	if (err) {
		pr_err("--jail: SIGTTIN, SIGTTOU: %s", strerror(-err));
		return err;
	}
	if (!realpath(cfg->jail.dir, dir)) {
		err = -errno;
		pr_err("--jail '%s': %s", cfg->jail.dir, strerror(-err));
		return err;
	}
	/* What lkvm reads later from the host's root (libraries, /sys), now. */
	arch_jail_prepare(cfg);
	if (jail_user_net(cfg))
		net_user_preload();
	err = jail_collect(&bs);
	if (!err)
		err = jail_make_root(&bs, dir);
	for (i = 0; i < bs.nr; i++)
		close(bs.b[i].fd);
	free(bs.b);
	if (err)
		return err;
	if (sethostname(cfg->name, strlen(cfg->name))) {
		err = -errno;
		pr_err("--jail: sethostname: %s", strerror(-err));
		return err;
	}
	err = jail_limits();
	if (err) {
		pr_err("--jail: setrlimit: %s", strerror(-err));
		return err;
	}
	return jail_drop(&cfg->jail);
}
