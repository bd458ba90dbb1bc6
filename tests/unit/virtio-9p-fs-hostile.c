// SPDX-License-Identifier: GPL-2.0
/*
 * virtio/9p-fs*.c against a hostile guest and a changing host tree:
 * ".." at the root, absolute and relative symlinks out of the share, a
 * directory swapped for a symlink between walk and use (staged, then
 * raced with RENAME_EXCHANGE), names with '/' or NUL, FIFOs, sockets and
 * device nodes never opened, a file system mounted inside the share
 * (distinct qids), the qid map's bounds, and Landlock on a worker thread.
 * After each group nothing beside the share may have changed.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/un.h>

#include "virtio-9p-fs-tree.h"
#include "../../virtio/9p-fs-int.h"

static const struct p9fs_cred guest = { .uid = 1000, .gid = 1000 };
static const char *mode_name;

static void make_tree(void)
{
	mkd("share");
	mkd("share2");
	put("share2/file", "ro share");
	mkd("outside");
	mkd("outside/sub");
	put("outside/secret", "SECRET");
	put("outside/sub/x", "OUTSIDE");
	put("share/file", "hello");
	mkd("share/dir");
	mkd("share/dir/inner");
	sym("/", "share/abs");
	sym("../outside", "share/rel");
	sym("dir/../../outside/secret", "share/deep");
	sym("../outside/secret", "share/evil");
	sym("/proc/self/root", "share/magic");
	if (mkfifo(at("share/fifo"), 0644))
		die("mkfifo");
	sock_at("share/sock");
	sentinel = outside_snapshot();
}

static struct p9fs *share(const char *dir, bool ro, bool no_openat2)
{
	struct p9fs_options o = {
		.dir = at(dir), .readonly = ro, .no_openat2 = no_openat2,
	};
	const char *why;
	struct p9fs *fs;

	if (p9fs_open_share(&o, &fs, &why))
		die("p9fs_open_share");
	return fs;
}

static void test_dotdot(struct p9fs *fs)
{
	struct p9fs_node n;
	struct p9_qid rq, q;

	p9fs_root(fs, &n, &rq);
	p9fs_node_release(fs, &n);
	ok(!WALK(fs, &n, &q, "..", "..", "..", "..") && q.path == rq.path &&
	   n.is_root, "%s: \"..\" four times from the root: the root", mode_name);
	p9fs_node_release(fs, &n);
	ok(!WALK(fs, &n, &q, "dir", "inner", "..", "..", "..", "..") &&
	   q.path == rq.path && n.is_root,
	   "%s: down two and up four: the root", mode_name);
	p9fs_node_release(fs, &n);
	ok(WALK(fs, &n, &q, "..", "outside") == -ENOENT,
	   "%s: \"..\" then \"outside\": not found in the share", mode_name);
	ok(WALK(fs, &n, &q, "dir", "..", "..", "outside", "secret") == -ENOENT,
	   "%s: a longer way up: still not found", mode_name);
	outside_same("walks with \"..\"");
}

/* A symlink node: returned as itself, never followed by any call. */
static void test_symlinks(struct p9fs *fs)
{
	static const char *const links[] = { "abs", "rel", "deep", "evil",
					     "magic" };
	struct p9_setattr sa = { .valid = P9_SETATTR_SIZE, .size = 0 };
	struct p9fs_node n, m, root;
	struct p9_attr a;
	struct stat st;
	struct p9_qid q;
	char buf[64];
	unsigned int i;

	p9fs_root(fs, &root, &q);
	for (i = 0; i < ARRAY_SIZE(links); i++) {
		const char *l = links[i];
		int bad = 0;

		if (WALK(fs, &n, &q, l) || q.type != P9_QTSYMLINK) {
			ok(0, "%s: walk to %s gives the symlink", mode_name, l);
			continue;
		}
		bad += p9fs_walk(fs, &n, "secret", &m, &q) != -ENOTDIR;
		bad += p9fs_walk(fs, &n, "..", &m, &q) != -ENOTDIR;
		bad += p9fs_open(fs, &n, O_RDONLY, &q) != -ELOOP;
		bad += p9fs_open(fs, &n, O_RDWR | O_TRUNC, &q) != -ELOOP;
		bad += p9fs_getattr(fs, &n, ~0ULL, &a) || !S_ISLNK(a.mode);
		bad += p9fs_setattr(fs, &n, &sa) != -EINVAL;
		bad += p9fs_create(fs, &n, "new", O_RDWR, 0644, &guest, &q) !=
		       -ENOTDIR;
		bad += p9fs_mkdir(fs, &n, "new", 0755, &guest, &q) != -ENOTDIR;
		bad += p9fs_xattr_set(fs, &n, "user.x", "1", 1, 0) !=
		       -EOPNOTSUPP;
		bad += p9fs_xattr_get(fs, &n, "user.x", buf, 64) != -ENODATA;
		bad += p9fs_readlink(fs, &n, buf, sizeof(buf)) <= 0;
		ok(!bad, "%s: symlink %s: never followed (%d calls wrong)",
		   mode_name, l, bad);
		p9fs_node_release(fs, &n);
	}
	WALK(fs, &n, &q, "abs");
	ok(p9fs_readlink(fs, &n, buf, sizeof(buf)) == 1 && buf[0] == '/',
	   "%s: readlink of abs: \"/\"", mode_name);
	ok(p9fs_readlink(fs, &n, buf, 0) == -EINVAL,
	   "%s: readlink into no room: -EINVAL", mode_name);
	p9fs_getattr(fs, &n, ~0ULL, &a);
	sa.valid = P9_SETATTR_UID | P9_SETATTR_GID;
	sa.uid = a.uid;
	sa.gid = a.gid;
	ok(!p9fs_setattr(fs, &n, &sa), "%s: lchown of a link to its owner: done",
	   mode_name);
	sa.uid++;
	ok(p9fs_setattr(fs, &n, &sa) == -EOPNOTSUPP,
	   "%s mapped: lchown of a link to another: -EOPNOTSUPP", mode_name);
	p9fs_node_release(fs, &n);
	WALK(fs, &n, &q, "evil");
	ok(!p9fs_link(fs, &root, &n, "evil2") && !lstat(at("share/evil2"), &st),
	   "%s: link of a symlink out links the symlink", mode_name);
	ok(!p9fs_rename(fs, &n, &root, "evil3", NULL) && !p9fs_remove(fs, &n),
	   "%s: rename and remove of a symlink act on the link", mode_name);
	p9fs_node_release(fs, &n);
	p9fs_unlinkat(fs, &root, "evil2", 0);
	sym("../outside/secret", "share/evil");
	ok(!p9fs_symlink(fs, &root, "planted", "/etc/passwd", &guest, &q) &&
	   !WALK(fs, &n, &q, "planted") &&
	   p9fs_open(fs, &n, O_RDONLY, &q) == -ELOOP,
	   "%s: a symlink the guest plants to /etc/passwd is never opened",
	   mode_name);
	p9fs_node_release(fs, &n);
	p9fs_unlinkat(fs, &root, "planted", 0);
	p9fs_node_release(fs, &root);
	outside_same("symlinks out of the share");
}

static void test_names(struct p9fs *fs)
{
	static const char *const bad[] = { "../outside", "a/b", "/", "",
					   "dir/..", "/etc" };
	struct p9fs_node root, n;
	struct p9_qid q;
	unsigned int i, wrong = 0;

	p9fs_root(fs, &root, &q);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		wrong += p9fs_walk(fs, &root, bad[i], &n, &q) != -EINVAL;
		wrong += p9fs_mkdir(fs, &root, bad[i], 0755, &guest, &q) !=
			 -EINVAL;
		wrong += p9fs_symlink(fs, &root, bad[i], "x", &guest, &q) !=
			 -EINVAL;
		wrong += p9fs_mknod(fs, &root, bad[i], 0644, 0, 0, &guest,
				    &q) != -EINVAL;
		wrong += p9fs_unlinkat(fs, &root, bad[i], 0) != -EINVAL;
		wrong += p9fs_renameat(fs, &root, "file", &root, bad[i], NULL) !=
			 -EINVAL;
	}
	ok(!wrong, "%s: names with '/' or empty: -EINVAL (%u calls wrong)",
	   mode_name, wrong);
	ok(!p9fs_name_ok("secret\0/../x", 12), "%s: a NUL inside: refused",
	   mode_name);
	ok(p9fs_create(fs, &root, "..", O_RDWR, 0644, &guest, &q) == -EEXIST &&
	   p9fs_create(fs, &root, ".", O_RDWR, 0644, &guest, &q) == -EEXIST &&
	   p9fs_renameat(fs, &root, "..", &root, "x", NULL) == -EINVAL &&
	   p9fs_unlinkat(fs, &root, "..", AT_REMOVEDIR) == -EINVAL,
	   "%s: \".\" and \"..\" cannot be made, moved or removed", mode_name);
	p9fs_node_release(fs, &root);
	outside_same("bad names");
}

/* Types that must never be opened: the open must fail, not block. */
static void test_special(struct p9fs *fs, bool root_user)
{
	static const char *const names[] = { "fifo", "sock", "null", "blk" };
	struct p9_setattr sa = { .valid = P9_SETATTR_SIZE };
	struct p9fs_node n;
	struct p9_attr a;
	struct p9_qid q;
	char buf[16];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		const char *nm = names[i];
		int bad = 0;

		if (i >= 2 && !root_user) {
			skip("mknod of a device node needs root",
			     "%s: device node %s never opened", mode_name, nm);
			continue;
		}
		if (WALK(fs, &n, &q, nm)) {
			ok(0, "%s: walk to %s", mode_name, nm);
			continue;
		}
		bad += q.type != P9_QTFILE;
		bad += p9fs_open(fs, &n, O_RDONLY, &q) != -ENXIO;
		bad += p9fs_open(fs, &n, O_WRONLY, &q) != -ENXIO;
		bad += p9fs_open(fs, &n, O_RDWR, &q) != -ENXIO;
		bad += n.open_fd != -1;
		bad += p9fs_getattr(fs, &n, ~0ULL, &a) != 0;
		bad += p9fs_setattr(fs, &n, &sa) != -EINVAL;
		bad += p9fs_xattr_get(fs, &n, NULL, buf, sizeof(buf)) != 0;
		ok(!bad, "%s: %s: stat'ed, never opened (%d calls wrong)",
		   mode_name, nm, bad);
		p9fs_node_release(fs, &n);
	}
	ok(!WALK(fs, &n, &q, "fifo") && !p9fs_getattr(fs, &n, ~0ULL, &a) &&
	   S_ISFIFO(a.mode), "%s: a FIFO's getattr says FIFO", mode_name);
	sa.valid = P9_SETATTR_MTIME | P9_SETATTR_MTIME_SET;
	sa.mtime_sec = 1234567;
	sa.mtime_nsec = 0;
	ok(!p9fs_setattr(fs, &n, &sa) && !p9fs_getattr(fs, &n, ~0ULL, &a) &&
	   a.mtime_sec == 1234567, "%s: a FIFO's times set without opening it",
	   mode_name);
	sa.valid = P9_SETATTR_UID | P9_SETATTR_GID;
	sa.uid = a.uid;
	sa.gid = a.gid;
	ok(!p9fs_setattr(fs, &n, &sa), "%s: a FIFO chowned to its owner: done",
	   mode_name);
	sa.uid = a.uid + 1;
	ok(p9fs_setattr(fs, &n, &sa) == -EOPNOTSUPP,
	   "%s mapped: a FIFO chowned to another: -EOPNOTSUPP", mode_name);
	p9fs_node_release(fs, &n);
	outside_same("FIFOs, sockets and device nodes");
}

/* A directory swapped for a symlink out after the walk: staged. */
static void test_swap_staged(struct p9fs *fs)
{
	struct p9fs_node sw, x, inner, up, root;
	struct p9_qid q;
	char buf[16] = { 0 };
	struct iovec iov = { buf, sizeof(buf) - 1 };
	struct names *s = malloc(sizeof(*s));

	mkd("share/sw");
	mkd("share/sw/inner");
	put("share/sw/x", "INSIDE");
	p9fs_root(fs, &root, &q);
	WALK(fs, &sw, &q, "sw");
	WALK(fs, &x, &q, "sw", "x");
	WALK(fs, &inner, &q, "sw", "inner");
	if (rename(at("share/sw"), at("share/sw.old")))
		die("rename");
	sym("../outside/sub", "share/sw");

	ok(!p9fs_open(fs, &sw, O_RDONLY, &q) && list_all(fs, &sw, 100, s) == 0 &&
	   listed(s, "x") && listed(s, "inner"),
	   "%s: the walked directory is still the one opened", mode_name);
	ok(p9fs_remove(fs, &x) == -ESTALE || p9fs_remove(fs, &x) == -ENOTDIR,
	   "%s: remove by a path now through a symlink: refused", mode_name);
	ok(!access(at("outside/sub/x"), F_OK), "%s: outside/sub/x still there",
	   mode_name);
	ok(p9fs_rename(fs, &x, &root, "stolen", NULL) < 0 &&
	   access(at("share/stolen"), F_OK),
	   "%s: rename by such a path: refused", mode_name);
	ok(!p9fs_walk(fs, &inner, "..", &up, &q) && q.type == P9_QTSYMLINK &&
	   p9fs_walk(fs, &up, "x", &x, &q) == -ENOTDIR,
	   "%s: \"..\" through the swapped name gives the symlink, not its target",
	   mode_name);
	p9fs_node_release(fs, &up);
	ok(!p9fs_open(fs, &x, O_RDONLY, &q) && p9fs_read(fs, &x, 0, &iov, 1) == 6 &&
	   !strcmp(buf, "INSIDE"), "%s: the walked file reads its own data",
	   mode_name);
	ok(!p9fs_unlinkat(fs, &root, "sw", 0) && !access(at("outside/sub"), F_OK),
	   "%s: unlinkat of the swapped name removes the link only", mode_name);
	p9fs_node_release(fs, &sw);
	p9fs_node_release(fs, &x);
	p9fs_node_release(fs, &inner);
	p9fs_node_release(fs, &root);
	unlink(at("share/sw.old/x"));
	rmdir(at("share/sw.old/inner"));
	rmdir(at("share/sw.old"));
	free(s);
	outside_same("a staged swap");
}

/* The same, raced: RENAME_EXCHANGE flips a directory and a symlink. */
static atomic_int racing;

static void *flipper(void *arg)
{
	char a[512], b[512];

	snprintf(a, sizeof(a), "%s", at("share/race"));
	snprintf(b, sizeof(b), "%s", at("share/race_alt"));
	while (atomic_load(&racing))
		renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
	return NULL;
}

static void test_swap_race(struct p9fs *fs)
{
	int i, outside = 0, inside = 0, made = 0, errs = 0;
	struct p9fs_node n, root, r;
	struct p9_qid q;
	struct stat st;
	pthread_t t;
	char buf[16];
	struct iovec iov = { buf, sizeof(buf) };

	mkd("share/race");
	put("share/race/x", "INSIDE");
	sym("../outside/sub", "share/race_alt");
	p9fs_root(fs, &root, &q);
	atomic_store(&racing, 1);
	if (pthread_create(&t, NULL, flipper, NULL))
		die("pthread_create");
	for (i = 0; i < 3000; i++) {
		ssize_t len;

		if (WALK(fs, &n, &q, "race", "x")) {
			errs++;
		} else {
			if (!p9fs_open(fs, &n, O_RDONLY, &q)) {
				len = p9fs_read(fs, &n, 0, &iov, 1);
				if (len == 7 && !memcmp(buf, "OUTSIDE", 7))
					outside++;
				else if (len == 6)
					inside++;
			}
			p9fs_node_release(fs, &n);
		}
		if (!p9fs_walk(fs, &root, "race", &r, &q)) {
			if (!p9fs_mkdir(fs, &r, "made", 0755, &guest, &q)) {
				made++;
				p9fs_unlinkat(fs, &r, "made", AT_REMOVEDIR);
			}
			p9fs_node_release(fs, &r);
		}
	}
	atomic_store(&racing, 0);
	pthread_join(t, NULL);
	ok(!outside && inside > 0,
	   "%s: 3000 raced walks: %d inside, %d refused, %d outside",
	   mode_name, inside, errs, outside);
	ok(made > 0 && access(at("outside/sub/made"), F_OK),
	   "%s: raced mkdir: %d made inside, none outside", mode_name, made);
	p9fs_node_release(fs, &root);
	/* Whichever name ended up the directory; never through the link. */
	if (lstat(at("share/race"), &st) || !S_ISDIR(st.st_mode))
		if (renameat2(AT_FDCWD, at("share/race"), AT_FDCWD,
			      at("share/race_alt"), RENAME_EXCHANGE))
			die("renameat2");
	unlink(at("share/race/x"));
	rmdir(at("share/race"));
	unlink(at("share/race_alt"));
	outside_same("a raced swap");
}

static void test_huge(struct p9fs *fs)
{
	struct p9fs_node n;
	struct p9_qid q;
	struct iovec iov[2];
	char buf[4];

	iov[0].iov_base = buf;
	iov[0].iov_len = sizeof(buf);
	WALK(fs, &n, &q, "file");
	p9fs_open(fs, &n, O_RDWR, &q);
	ok(p9fs_read(fs, &n, 0, iov, 100000) == -EINVAL &&
	   p9fs_write(fs, &n, 0, iov, 100000) == -EINVAL,
	   "%s: an iovec count past IOV_MAX: -EINVAL", mode_name);
	ok(p9fs_write(fs, &n, ~0ULL, iov, 1) == -EINVAL,
	   "%s: a write at offset 2^64-1: -EINVAL", mode_name);
	p9fs_node_release(fs, &n);
	ok(p9fs_open(fs, &n, O_RDONLY, &q) == -EBADF &&
	   p9fs_read(fs, &n, 0, iov, 1) == -EBADF,
	   "%s: calls on an empty node: -EBADF", mode_name);
}

/* A file system mounted inside the share: qids stay distinct. */
static void test_other_fs(void)
{
	struct p9fs_node n, f;
	struct p9_qid q, fq, sq;
	struct stat st, fst;
	struct p9fs *fs;

	if (geteuid()) {
		skip("mounting a tmpfs needs root",
		     "a file system inside the share gets distinct qids");
		return;
	}
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		skip("no mount namespace here",
		     "a file system inside the share gets distinct qids");
		return;
	}
	mkd("share/mnt");
	if (mount("lkvm-test", at("share/mnt"), "tmpfs", 0, "size=1m")) {
		skip("tmpfs mount failed",
		     "a file system inside the share gets distinct qids");
		rmdir(at("share/mnt"));
		return;
	}
	put("share/mnt/f", "tmpfs");
	fs = share("share", false, false);
	stat(at("share/mnt/f"), &fst);
	stat(at("share"), &st);
	ok(!WALK(fs, &n, &q, "mnt") && !WALK(fs, &f, &fq, "mnt", "f") &&
	   fq.path >> QID_INO_BITS == 1 && (fq.path & ((1ULL << QID_INO_BITS) - 1)) ==
	   fst.st_ino && q.path >> QID_INO_BITS == 1,
	   "a tmpfs inside the share: its inodes under device index 1");
	p9fs_node_release(fs, &f);
	p9fs_node_release(fs, &n);
	ok(!WALK(fs, &n, &sq, "file") && sq.path >> QID_INO_BITS == 0 &&
	   sq.path != fq.path, "the share's own file keeps index 0");
	p9fs_node_release(fs, &n);
	p9fs_close_share(fs);
	umount(at("share/mnt"));
	rmdir(at("share/mnt"));
	outside_same("a file system inside the share");
}

/*
 * The big-inode table full (overlayfs with xino: inode numbers past 56
 * bits): the files past it get stable hashed qids apart from the slots,
 * and the files it holds keep theirs.
 */
static void qid_big_full(struct p9fs_qidmap *m)
{
	u64 first, again, p[16], q;
	unsigned int i, n = QID_BIG_MAX + ARRAY_SIZE(p), bad = 0;
	int r = 0;

	p9fs_qid_path(m, 10, 1ULL << 60, &first);
	for (i = 0; i < n; i++) {
		r |= p9fs_qid_path(m, 10, (1ULL << 60) + i, &q);
		if (i >= QID_BIG_MAX)
			p[i - QID_BIG_MAX] = q;
		else if (i < QID_BIG_MAX - 8 && (q & QID_HASHED))
			bad++;	/* the test's first few took slots */
	}
	ok(!r && !bad, "qid map: %u big inode numbers: each a qid (r %d, %u hashed early)",
	   n, r, bad);
	for (i = 0; i < ARRAY_SIZE(p); i++) {
		unsigned int j;

		if (!(p[i] & QID_HASHED) ||
		    p9fs_qid_path(m, 10, (1ULL << 60) + QID_BIG_MAX + i, &q) ||
		    q != p[i])
			bad++;
		for (j = 0; j < i; j++)
			bad += p[j] == p[i];
	}
	ok(!bad, "qid map: past the table's %u slots: hashed, stable, distinct (%u bad)",
	   QID_BIG_MAX, bad);
	ok(!p9fs_qid_path(m, 10, 1ULL << 60, &again) && again == first &&
	   !p9fs_qid_path(m, 10, 7, &q) && q == 7,
	   "qid map: full, the files it holds keep their qids");
}

static void test_qid_map(void)
{
	struct p9fs_qidmap m;
	u64 a, b, c, d, dev12;
	unsigned int i;
	int r = 0;

	p9fs_qid_init(&m, 10);
	r = p9fs_qid_path(&m, 10, 5, &a) | p9fs_qid_path(&m, 11, 5, &b) |
	    p9fs_qid_path(&m, 12, 5, &c);
	dev12 = c;
	ok(!r && a == 5 && a != b && b != c && a != c,
	   "qid map: one inode number on three devices: three qids");
	ok(!p9fs_qid_path(&m, 11, 5, &d) && d == b,
	   "qid map: the same (dev, ino) again: the same qid");
	ok(!p9fs_qid_path(&m, 10, 1ULL << 60, &a) &&
	   !p9fs_qid_path(&m, 11, 1ULL << 60, &b) &&
	   !p9fs_qid_path(&m, 10, (1ULL << 60) | 5, &c) &&
	   a != b && a != c && b != c && a >> QID_INO_BITS == QID_DEV_BIG &&
	   !p9fs_qid_path(&m, 11, 1ULL << 60, &d) && d == b,
	   "qid map: inode numbers past 56 bits get their own slots");
	for (i = 13, r = 0; i < 13 + QID_DEV_MAX; i++)
		r |= p9fs_qid_path(&m, i, 1, &a);
	ok(!r && a >> QID_INO_BITS == QID_DEV_BIG && (a & QID_HASHED) &&
	   !p9fs_qid_path(&m, 12 + QID_DEV_MAX, 1, &b) && b == a &&
	   !p9fs_qid_path(&m, 12 + QID_DEV_MAX, 2, &c) && c != a &&
	   !p9fs_qid_path(&m, 12, 5, &d) && d == dev12,
	   "qid map: past %d devices: a stable hashed qid, the others kept (r %d)",
	   QID_DEV_MAX, r);
	qid_big_full(&m);
	p9fs_qid_destroy(&m);
}

struct ll_result {
	struct p9fs *const *shares;
	int ret, outside_open, inside_read, ro_write, ro_read, created;
	const char *why;
};

static void *ll_thread(void *arg)
{
	struct ll_result *res = arg;
	struct p9fs *fs = res->shares[0];
	struct p9fs_node n;
	struct p9_qid q;
	char buf[8];
	struct iovec iov = { buf, sizeof(buf) };
	int fd;

	res->ret = p9fs_landlock_thread(res->shares, 2, &res->why);
	if (res->ret != 1)
		return NULL;
	fd = open(at("outside/secret"), O_RDONLY);
	res->outside_open = fd >= 0 ? 0 : -errno;
	if (fd >= 0)
		close(fd);
	fd = open(at("share2/file"), O_RDWR);
	res->ro_write = fd >= 0 ? 0 : -errno;
	if (fd >= 0)
		close(fd);
	fd = open(at("share2/file"), O_RDONLY);
	res->ro_read = fd >= 0 ? 0 : -errno;
	if (fd >= 0)
		close(fd);
	if (!WALK(fs, &n, &q, "file") && !p9fs_open(fs, &n, O_RDONLY, &q))
		res->inside_read = p9fs_read(fs, &n, 0, &iov, 1);
	p9fs_node_release(fs, &n);
	p9fs_root(fs, &n, &q);
	res->created = p9fs_create(fs, &n, "ll", O_RDWR, 0644, &guest, &q);
	p9fs_node_release(fs, &n);
	return NULL;
}

static void test_landlock(void)
{
	struct p9fs *shares[2] = { share("share", false, false),
				   share("share2", true, false) };
	struct ll_result res = { .shares = shares };
	pthread_t t;
	int fd;

	if (pthread_create(&t, NULL, ll_thread, &res))
		die("pthread_create");
	pthread_join(t, NULL);
	if (res.ret == 0) {
		skip(res.why, "Landlock on a worker thread");
	} else {
		ok(res.ret == 1, "Landlock: the thread restricted itself (%d)",
		   res.ret);
		ok(res.outside_open == -EACCES,
		   "Landlock: the thread cannot open a file beside the share");
		ok(res.ro_write == -EACCES && !res.ro_read,
		   "Landlock: a read-only share only reads");
		ok(res.inside_read == 5 && !res.created,
		   "Landlock: the share still reads and writes");
		fd = open(at("outside/secret"), O_RDONLY);
		ok(fd >= 0, "Landlock: other threads are not restricted");
		if (fd >= 0)
			close(fd);
		unlink(at("share/ll"));
	}
	p9fs_close_share(shares[0]);
	p9fs_close_share(shares[1]);
	outside_same("Landlock");
}

/*
 * The host's kernel file systems: the host's "/" shared read-only (as
 * lkvm sandbox does) reaches /proc and /sys only as mount points: they
 * can be walked to and stat'ed (the guest mounts its own there), never
 * opened, listed, walked beneath or changed; neither can be a share.
 */
static void test_pseudo_fs(void)
{
	struct p9fs_options o = { .dir = "/", .readonly = true };
	struct p9_attr a;
	struct p9fs_node n, m;
	struct p9_qid q;
	const char *why = "";
	struct p9fs *fs;
	int r, r2, r3;

	if (p9fs_open_share(&o, &fs, &why)) {
		skip("cannot share /", "pseudo file systems: %s", why);
		return;
	}
	r = WALK(fs, &n, &q, "proc");
	r2 = r ? r : p9fs_getattr(fs, &n, ~0ULL, &a);
	ok(!r && !r2 && n.pseudo && (q.type & P9_QTDIR),
	   "share of /: /proc is a directory to walk to and stat (%d %d)", r,
	   r2);
	r = n.pseudo ? p9fs_walk(fs, &n, "self", &m, &q) : 0;
	r2 = n.pseudo ? p9fs_open(fs, &n, 0, &q) : 0;
	r3 = n.pseudo ? p9fs_walk(fs, &n, "..", &m, &q) : -1;
	ok(r == -EACCES && r2 == -EACCES,
	   "share of /: nothing beneath /proc, and it is never opened (%d %d)",
	   r, r2);
	ok(!r3 && !m.pseudo, "share of /: .. from /proc is / again (%d)", r3);
	if (!r3)
		p9fs_node_release(fs, &m);
	p9fs_node_release(fs, &n);
	r = WALK(fs, &n, &q, "sys", "kernel");
	ok(r == -EACCES, "share of /: /sys/kernel is refused (%d)", r);
	p9fs_node_release(fs, &n);
	r = WALK(fs, &n, &q, "etc");
	ok(!r && !n.pseudo, "share of /: /etc is an ordinary directory (%d)",
	   r);
	p9fs_node_release(fs, &n);
	p9fs_close_share(fs);
	o.dir = "/proc";
	r = p9fs_open_share(&o, &fs, &why);
	ok(r == -EACCES && strstr(why, "pseudo"), "/proc cannot be a share (%s)",
	   why);
}

/* p9fs_check_fs() on a file system of statfs type fake_type. */
static long fake_type;

static int fake_statfs(int fd, struct statfs *buf)
{
	memset(buf, 0, sizeof(*buf));
	buf->f_type = fake_type;
	return 0;
}

/*
 * Kernel file systems outside /proc and /sys whose files act when read:
 * an rpc_pipefs pipe (/run/rpc_pipefs, /var/lib/nfs/rpc_pipefs) hands
 * its reader the upcall meant for rpc.gssd, so a guest reading one
 * through a read-only share of / would take it from the host's NFS
 * client; nfsd's transaction files. Both are refused like procfs; an
 * ordinary file system (ext4's type) is not.
 */
static void test_pseudo_types(void)
{
	static const long types[] = { 0x67596969, 0x6e667364, 0x9fa0 };
	unsigned int i, refused = 0;
	int fd = open(at("share"), O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		die("open share");
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		fake_type = types[i];
		refused += p9fs_check_fs(fake_statfs, fd) == -EACCES;
	}
	fake_type = 0xef53;
	ok(refused == ARRAY_SIZE(types) && !p9fs_check_fs(fake_statfs, fd),
	   "rpc_pipefs, nfsd and procfs are refused (%u of %zu), ext4 is not",
	   refused, ARRAY_SIZE(types));
	close(fd);
}

/* A read-only share takes no host lock; a writable one does. */
static void test_ro_locks(void)
{
	struct p9_flock fl = { .type = 1, .start = 0, .length = 0 };
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct p9fs *fs = share("share2", true, false);
	struct p9fs_node n;
	struct p9_qid q;
	u8 status = 0xff;
	int fd, r;

	r = WALK(fs, &n, &q, "file");
	if (!r)
		r = p9fs_open(fs, &n, 0, &q);
	if (!r)
		r = p9fs_lock(fs, &n, &fl, &status);
	fd = open(at("share2/file"), O_RDWR | O_CLOEXEC);
	ok(!r && status == P9_LOCK_SUCCESS && fd >= 0 &&
	   !fcntl(fd, F_OFD_SETLK, &l),
	   "ro share: the guest's write lock granted, the host's own still free");
	if (fd >= 0)
		close(fd);
	p9fs_node_release(fs, &n);
	p9fs_close_share(fs);
}

/*
 * The host's lock records of one fid: /proc/self/fdinfo of the descriptor
 * its locks are on lists each ("lock:" lines), read in one go under the
 * inode's lock list. Not /proc/locks: it is read a page at a time from a
 * list of the whole machine's locks, and another process's locking
 * between two reads makes it skip or repeat records (a parallel test
 * run did: 3876 of 4096).
 */
static unsigned int host_lock_records(const struct p9fs_node *n)
{
	int fd = n->lock_fd >= 0 ? n->lock_fd : n->open_fd;
	char path[64], line[256];
	unsigned int records = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		die("fdinfo");
	while (fgets(line, sizeof(line), f))
		records += !strncmp(line, "lock:", 5);
	fclose(f);
	return records;
}

/* Does any lock, of any owner, remain on path? (A new one would conflict.) */
static bool file_locked(const char *path)
{
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0 || fcntl(fd, F_OFD_GETLK, &l))
		die("F_OFD_GETLK");
	close(fd);
	return l.l_type != F_UNLCK;
}

static u8 lock1(struct p9fs *fs, struct p9fs_node *n, u8 type, u64 start,
		u64 len)
{
	struct p9_flock fl = { .type = type, .start = start, .length = len };
	u8 status = 0xff;

	if (p9fs_lock(fs, n, &fl, &status))
		return 0xfe;
	return status;
}

/*
 * A guest locking every other byte makes one host record a lock: the
 * share holds at most P9FS_LOCK_RANGES_MAX of them, then the guest gets
 * P9_LOCK_ERROR; its count follows the kernel's exactly (merges, splits,
 * unlocks), so taking and dropping one lock again and again never runs
 * into the bound, and a clunk gives its ranges back.
 */
static void test_lock_ranges(void)
{
	struct p9fs *fs = share("share", false, false);
	const char *file = at("share/file");
	unsigned int i, got = 0, wrong = 0;
	struct p9fs_node a, b;
	struct p9_qid q;
	u8 st = P9_LOCK_SUCCESS;

	if (WALK(fs, &a, &q, "file") || p9fs_open(fs, &a, O_RDWR, &q) ||
	    WALK(fs, &b, &q, "file") || p9fs_open(fs, &b, O_RDWR, &q))
		die("lock ranges: open");
	for (i = 0; i < P9FS_LOCK_RANGES_MAX + 64; i++) {
		st = lock1(fs, &a, 1, 2ULL * i, 1);
		if (st != P9_LOCK_SUCCESS)
			break;
		got++;
	}
	ok(st == P9_LOCK_ERROR && got == P9FS_LOCK_RANGES_MAX &&
	   host_lock_records(&a) == P9FS_LOCK_RANGES_MAX,
	   "lock ranges: every other byte: %u taken, then ERROR; %u host records (at most %u)",
	   got, host_lock_records(&a), P9FS_LOCK_RANGES_MAX);
	ok(lock1(fs, &b, 1, 1ULL << 40, 1) == P9_LOCK_ERROR,
	   "lock ranges: the bound is the share's: another fid gets ERROR");
	ok(lock1(fs, &a, 2, 0, 0) == P9_LOCK_SUCCESS &&
	   !file_locked(file) && a.nr_locks == 0,
	   "lock ranges: a whole-file unlock frees them all");
	for (i = 0; i < 3 * P9FS_LOCK_RANGES_MAX; i++)
		wrong += lock1(fs, &b, i & 1 ? 2 : 1, 100, 10) !=
			 P9_LOCK_SUCCESS;
	ok(!wrong && b.nr_locks == 0 && !file_locked(file),
	   "lock ranges: a lock taken and dropped %u times never hits the bound (%u refused)",
	   3 * P9FS_LOCK_RANGES_MAX, wrong);
	/* Splits and merges of both types: the count is the kernel's. */
	srand(7);
	for (i = 0; i < 3000; i++) {
		u64 s = (u64)(rand() % 200), l = (u64)(rand() % 9);

		st = lock1(fs, &a, (u8)(rand() % 3), s, rand() % 50 ? l : 0);
		if (st != P9_LOCK_SUCCESS ||
		    a.nr_locks != host_lock_records(&a))
			wrong++;
	}
	ok(!wrong, "lock ranges: 3000 random locks and unlocks: the count is the host's every time (%u wrong)",
	   wrong);
	for (i = 0; i < P9FS_LOCK_RANGES_MAX + 64 &&
		    lock1(fs, &a, 1, 1000 + 2ULL * i, 1) == P9_LOCK_SUCCESS; i++)
		;
	p9fs_node_release(fs, &a);
	ok(!file_locked(file) && lock1(fs, &b, 1, 5, 1) == P9_LOCK_SUCCESS,
	   "lock ranges: a clunk gives its ranges back to the share");
	p9fs_node_release(fs, &b);
	p9fs_close_share(fs);
}

/* Names beyond PATH_MAX from the share's root: refused, not stored. */
static void test_long_path(void)
{
	struct p9fs *fs = share("share", false, false);
	struct p9fs_node cur, next;
	struct p9_qid q;
	char name[251];
	int i, r = 0, dfd, fds[18];

	memset(name, 'q', 250);
	name[250] = '\0';
	/* Made one level at a time: the whole path is too long to name. */
	fds[0] = open(at("share"), O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (i = 0; i < 17; i++) {
		if (fds[i] < 0 || mkdirat(fds[i], name, 0700))
			die("mkdirat");
		fds[i + 1] = openat(fds[i], name,
				    O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	p9fs_root(fs, &cur, &q);
	for (i = 0; i < 17; i++) {
		r = p9fs_walk(fs, &cur, name, &next, &q);
		if (r)
			break;
		p9fs_node_release(fs, &cur);
		cur = next;
	}
	ok(r == -ENAMETOOLONG && i == 16,
	   "a walk past PATH_MAX from the root: -ENAMETOOLONG (step %d, %d)",
	   i, r);
	p9fs_node_release(fs, &cur);
	p9fs_close_share(fs);
	for (i = 17; i > 0; i--) {
		close(fds[i]);
		dfd = fds[i - 1];
		if (unlinkat(dfd, name, AT_REMOVEDIR))
			die("unlinkat");
	}
	close(fds[0]);
}

int main(void)
{
	bool root_user = !geteuid();
	int pass;

	alarm(120);
	if (!mkdtemp(base))
		die("mkdtemp");
	make_tree();
	if (root_user && (mknod(at("share/null"), S_IFCHR | 0666, makedev(1, 3)) ||
			  mknod(at("share/blk"), S_IFBLK | 0600, makedev(7, 0))))
		die("mknod");
	for (pass = 0; pass < 2; pass++) {
		struct p9fs *fs = share("share", false, pass);

		mode_name = pass ? "fallback" : "openat2";
		test_dotdot(fs);
		test_symlinks(fs);
		test_names(fs);
		test_special(fs, root_user);
		test_swap_staged(fs);
		test_swap_race(fs);
		test_huge(fs);
		p9fs_close_share(fs);
	}
	test_qid_map();
	test_pseudo_fs();
	test_pseudo_types();
	test_ro_locks();
	test_lock_ranges();
	test_long_path();
	test_landlock();
	test_other_fs();
	tree_remove();
	return tap_done();
}
