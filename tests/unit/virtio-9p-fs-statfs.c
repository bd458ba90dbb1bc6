// SPDX-License-Identifier: GPL-2.0
/*
 * virtio/9p-fs*.c on a host file system that cannot statfs every kind of
 * file, as QEMU's 9p server (a host whose / is 9p: a nested VM, CI)
 * answers statfs by opening the path O_RDONLY | O_NOFOLLOW: a symbolic
 * link gives ELOOP, a socket ENXIO. The server asks statfs only where a
 * walk steps onto another device (to keep out of /proc and its kin), so
 * symbolic links, sockets and files on the share's own device walk as
 * anywhere else, and /proc in a share of / is still found. Tstatfs on
 * such a node answers with a directory's statfs on the node's device,
 * never another device's.
 */
#include <linux/magic.h>
#include <sys/statfs.h>

#include "virtio-9p-fs-tree.h"

static int statfs_calls;

/* fstatfs() as it behaves on a file of QEMU's 9p. */
static int qemu_9p_statfs(int fd, struct statfs *buf)
{
	struct stat st;

	statfs_calls++;
	if (fstat(fd, &st))
		return -1;
	if (S_ISLNK(st.st_mode) || S_ISSOCK(st.st_mode)) {
		errno = S_ISLNK(st.st_mode) ? ELOOP : ENXIO;
		return -1;
	}
	return fstatfs(fd, buf);
}

static void make_tree(void)
{
	mkd("share");
	mkd("outside");
	put("outside/secret", "SECRET");
	put("share/file", "hello");
	mkd("share/dir");
	put("share/dir/f", "in dir");
	sym("dir", "share/link");
	sym("nowhere", "share/dangling");
	sock_at("share/sock");
	sentinel = outside_snapshot();
}

static struct p9fs *share(const char *dir, bool no_openat2)
{
	struct p9fs_options o = {
		.dir = dir, .readonly = true, .no_openat2 = no_openat2,
		.host_statfs = qemu_9p_statfs,
	};
	const char *why = "";
	struct p9fs *fs;

	if (p9fs_open_share(&o, &fs, &why))
		return NULL;
	return fs;
}

static void test_share(bool no_openat2)
{
	const char *m = no_openat2 ? "fallback" : "openat2";
	struct p9fs *fs = share(at("share"), no_openat2);
	struct p9fs_node n;
	struct p9_qid q;
	char buf[16];
	ssize_t len;
	int r, r2, calls;

	if (!fs)
		die("p9fs_open_share");
	calls = statfs_calls;
	r = WALK(fs, &n, &q, "link");
	len = r ? -1 : p9fs_readlink(fs, &n, buf, sizeof(buf));
	ok(!r && q.type == P9_QTSYMLINK && len == 3 && !memcmp(buf, "dir", 3),
	   "%s: a symlink walks and reads back (%d, %zd)", m, r, len);
	p9fs_node_release(fs, &n);
	r = WALK(fs, &n, &q, "dangling");
	p9fs_node_release(fs, &n);
	r2 = WALK(fs, &n, &q, "sock");
	p9fs_node_release(fs, &n);
	ok(!r && !r2, "%s: a dangling symlink and a socket walk (%d %d)", m,
	   r, r2);
	r = WALK(fs, &n, &q, "dir", "f");
	r2 = r ? r : p9fs_open(fs, &n, O_RDONLY, &q);
	ok(!r && !r2 && !n.pseudo, "%s: dir/f walks and opens (%d %d)", m, r,
	   r2);
	p9fs_node_release(fs, &n);
	r = WALK(fs, &n, &q, "dir", "..");
	ok(!r && n.is_root, "%s: dir/.. is the root (%d)", m, r);
	p9fs_node_release(fs, &n);
	ok(statfs_calls == calls,
	   "%s: no statfs for walks on the share's device (%d calls)", m,
	   statfs_calls - calls);
	p9fs_close_share(fs);
	outside_same(m);
}

/* The fields one file system's statfs keeps from one call to the next. */
static bool same_fs(const struct p9_statfs *a, const struct p9_statfs *b)
{
	return a->type == b->type && a->bsize == b->bsize &&
	       a->blocks == b->blocks && a->files == b->files &&
	       a->fsid == b->fsid && a->namelen == b->namelen;
}

/* Tstatfs on each name, against the root's; its error for the last. */
static int statfs_as_root(struct p9fs *fs, const struct p9_statfs *root,
			  const char *name, bool *same)
{
	struct p9_statfs st;
	struct p9fs_node n;
	struct p9_qid q;
	int r;

	*same = false;
	r = WALK(fs, &n, &q, name);
	if (!r) {
		r = p9fs_statfs(fs, &n, &st);
		*same = !r && same_fs(&st, root);
	}
	p9fs_node_release(fs, &n);
	return r;
}

/* Tstatfs on a symlink or socket fid: its directory's file system. */
static void test_statfs(bool no_openat2)
{
	const char *m = no_openat2 ? "fallback" : "openat2";
	static const char *const names[] = { "link", "dangling", "sock",
					     "file" };
	struct p9fs *fs = share(at("share"), no_openat2);
	struct p9_statfs root, st;
	struct p9fs_node n;
	struct p9_qid q;
	unsigned int i;
	int r, calls;
	bool same;

	if (!fs)
		die("p9fs_open_share");
	r = p9fs_root(fs, &n, &q);
	calls = statfs_calls;
	r = r ? r : p9fs_statfs(fs, &n, &root);
	p9fs_node_release(fs, &n);
	ok(!r && statfs_calls == calls + 1,
	   "%s: Tstatfs on the root asks the host's statfs (%d, %d calls)", m,
	   r, statfs_calls - calls);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		r = statfs_as_root(fs, &root, names[i], &same);
		ok(!r && same, "%s: Tstatfs on %s is the share's file system (%d)",
		   m, names[i], r);
	}
	/*
	 * A link on neither its root's nor its path's directory's device (a
	 * mount over that directory since the walk; played by changing the
	 * node's device): the host's error, nothing of another file system.
	 */
	r = WALK(fs, &n, &q, "link");
	if (!r) {
		n.dev = ~n.dev;
		memset(&st, 0xa5, sizeof(st));
		r = p9fs_statfs(fs, &n, &st);
	}
	p9fs_node_release(fs, &n);
	ok(r == -ELOOP && st.type == 0xa5a5a5a5,
	   "%s: a link on no directory's device gives ELOOP (%d)", m, r);
	p9fs_close_share(fs);
	outside_same(m);
}

/*
 * A share of /, a link on a tmpfs mounted beneath it (/dev/shm): its
 * directory's statfs (tmpfs), not the share root's.
 */
static void test_statfs_mount(void)
{
	char dir[] = "/dev/shm/lkvm-9p-statfs-XXXXXX";
	struct stat root, shm;
	struct p9_statfs st;
	struct p9fs_node n;
	struct p9fs *fs;
	struct p9_qid q;
	char link[64];
	int r;

	if (stat("/", &root) || stat("/dev/shm", &shm) ||
	    root.st_dev == shm.st_dev || !mkdtemp(dir)) {
		skip("no /dev/shm of its own",
		     "a link on a mount inside a share: its file system");
		return;
	}
	snprintf(link, sizeof(link), "%s/link", dir);
	fs = symlink("nowhere", link) ? NULL : share("/", false);
	r = fs ? WALK(fs, &n, &q, "dev", "shm", dir + strlen("/dev/shm/"),
		      "link") : -1;
	if (!r) {
		memset(&st, 0, sizeof(st));
		r = p9fs_statfs(fs, &n, &st);
		p9fs_node_release(fs, &n);
	}
	ok(!r && st.type == TMPFS_MAGIC,
	   "a link on a mount inside a share: its file system (%d, %#x)", r,
	   r ? 0 : st.type);
	if (fs)
		p9fs_close_share(fs);
	unlink(link);
	rmdir(dir);
}

/* A share of / still finds /proc by its statfs, on another device. */
static void test_pseudo(void)
{
	struct p9fs *fs = share("/", false);
	struct p9fs_node n, m;
	struct p9_qid q;
	struct stat root, proc;
	int r, r2, calls;

	if (!fs || stat("/", &root) || stat("/proc", &proc) ||
	    root.st_dev == proc.st_dev) {
		skip("no separate /proc to share with /",
		     "a share of /: /proc found by statfs");
		if (fs)
			p9fs_close_share(fs);
		return;
	}
	calls = statfs_calls;
	r = WALK(fs, &n, &q, "proc");
	ok(!r && n.pseudo && statfs_calls == calls + 1,
	   "a share of /: /proc is a pseudo file system (%d, %d calls)", r,
	   statfs_calls - calls);
	r = n.pseudo ? p9fs_walk(fs, &n, "self", &m, &q) : 0;
	r2 = n.pseudo ? p9fs_open(fs, &n, O_RDONLY, &q) : 0;
	ok(r == -EACCES && r2 == -EACCES,
	   "a share of /: nothing beneath /proc, never opened (%d %d)", r, r2);
	p9fs_node_release(fs, &n);
	p9fs_close_share(fs);
}

int main(void)
{
	alarm(60);
	if (!mkdtemp(base))
		die("mkdtemp");
	make_tree();
	test_share(false);
	test_share(true);
	test_statfs(false);
	test_statfs(true);
	test_statfs_mount();
	test_pseudo();
	tree_remove();
	return tap_done();
}
