// SPDX-License-Identifier: GPL-2.0
/*
 * virtio/9p-fs*.c on a host file system that cannot statfs every kind of
 * file, as QEMU's 9p server (a host whose / is 9p: a nested VM, CI)
 * answers statfs by opening the path O_RDONLY | O_NOFOLLOW: a symbolic
 * link gives ELOOP, a socket ENXIO. The server asks statfs only where a
 * walk steps onto another device (to keep out of /proc and its kin), so
 * symbolic links, sockets and files on the share's own device walk as
 * anywhere else, and /proc in a share of / is still found.
 */
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
	test_pseudo();
	tree_remove();
	return tap_done();
}
