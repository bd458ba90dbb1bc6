// SPDX-License-Identifier: GPL-2.0
/*
 * virtio/9p-fs*.c, every call on an ordinary tree: the share, walking,
 * open/read/write, readdir across many short calls, getattr/setattr,
 * statfs, the calls that make and remove, locks, xattrs, both security
 * models, and a read-only share. Each group runs twice: with openat2()
 * and with the component-by-component fallback. The hostile cases are in
 * virtio-9p-fs-hostile.c.
 */
#include <signal.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include "virtio-9p-fs-tree.h"

#define NBIG	300

static const struct p9fs_cred guest = { .uid = 1234, .gid = 5678 };
static const char *mode_name;

/*
 * The host syncs lkvm's 9p code asks for: this program's fsync() and
 * fdatasync() are linked in place of libc's, counting each call.
 */
static unsigned int host_syncs;

int fsync(int fd)
{
	host_syncs++;
	return syscall(SYS_fsync, fd);
}

int fdatasync(int fd)
{
	host_syncs++;
	return syscall(SYS_fdatasync, fd);
}

static void make_tree(void)
{
	char name[32];
	int i;

	mkd("share");
	mkd("outside");
	put("outside/secret", "SECRET");
	put("share/file", "hello, 9p");
	mkd("share/dir");
	put("share/dir/f", "in dir");
	mkd("share/dir/sub");
	mkd("share/big");
	for (i = 0; i < NBIG; i++) {
		snprintf(name, sizeof(name), "share/big/entry-%04d", i);
		put(name, "");
	}
	sentinel = outside_snapshot();
}

static struct p9fs *share(bool ro, enum p9fs_model model, bool no_openat2)
{
	struct p9fs_options o = {
		.dir = at("share"), .readonly = ro, .model = model,
		.no_openat2 = no_openat2,
	};
	const char *why = NULL;
	struct p9fs *fs;

	if (p9fs_open_share(&o, &fs, &why))
		die("p9fs_open_share");
	return fs;
}

/* root, then name: a fresh node. */
static int walk1(struct p9fs *fs, const char *name, struct p9fs_node *out,
		 struct p9_qid *qid)
{
	struct p9fs_node root;
	struct p9_qid q;
	int r;

	p9fs_node_init(out);
	r = p9fs_root(fs, &root, &q);
	if (r)
		return r;
	r = p9fs_walk(fs, &root, name, out, qid ? qid : &q);
	p9fs_node_release(fs, &root);
	return r;
}

static void test_open_share(void)
{
	struct p9fs_options o = { .dir = at("nowhere") };
	const char *why = NULL;
	struct p9fs *fs = (void *)1;
	pid_t pid;
	int st;

	ok(p9fs_open_share(&o, &fs, &why) == -ENOENT && why && !fs,
	   "a share that does not exist: -ENOENT (%s)", why ? why : "?");
	o.dir = at("share/file");
	why = NULL;
	ok(p9fs_open_share(&o, &fs, &why) == -ENOTDIR && why,
	   "a share that is a file: -ENOTDIR (%s)", why ? why : "?");
	o.dir = at("share");
	o.model = P9FS_MODEL_PASSTHROUGH;
	if (geteuid()) {
		ok(p9fs_open_share(&o, &fs, &why) == -EPERM,
		   "passthrough without root: -EPERM");
		return;
	}
	pid = fork();
	if (!pid) {
		if (setresuid(65534, 65534, 65534))
			_exit(2);
		_exit(p9fs_open_share(&o, &fs, &why) == -EPERM ? 0 : 1);
	}
	ok(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	   !WEXITSTATUS(st), "passthrough without root: -EPERM");
}

static void test_names(void)
{
	char longname[NAME_MAX + 2];

	memset(longname, 'a', sizeof(longname));
	ok(p9fs_name_ok("file", 4) && p9fs_name_ok("..", 2) &&
	   p9fs_name_ok(longname, NAME_MAX), "plain names pass p9fs_name_ok");
	ok(!p9fs_name_ok("", 0), "an empty name is refused");
	ok(!p9fs_name_ok("a/b", 3) && !p9fs_name_ok("/", 1),
	   "a name with '/' is refused");
	ok(!p9fs_name_ok("a\0b", 3), "a name with NUL is refused");
	ok(!p9fs_name_ok(longname, NAME_MAX + 1), "a name past NAME_MAX is refused");
}

static void test_walk_read(struct p9fs *fs)
{
	struct p9fs_node root, a, b, c;
	struct p9_qid rq, q, q2;
	struct p9_attr at1;
	char buf[32] = { 0 };
	struct iovec iov = { buf, sizeof(buf) - 1 };
	struct names *s = malloc(sizeof(*s));
	struct stat st;
	int i, all;

	ok(!p9fs_root(fs, &root, &rq) && rq.type == P9_QTDIR && root.is_root &&
	   S_ISDIR(root.mode), "%s: the root is a directory", mode_name);
	ok(!p9fs_walk(fs, &root, "..", &a, &q) && q.path == rq.path && a.is_root,
	   "%s: \"..\" of the root is the root", mode_name);
	p9fs_node_release(fs, &a);
	ok(!p9fs_walk(fs, &root, ".", &a, &q) && q.path == rq.path,
	   "%s: \".\" is the same node", mode_name);
	p9fs_node_release(fs, &a);
	ok(p9fs_walk(fs, &root, "file", &root, &q) == -EINVAL,
	   "%s: a walk into its own node is refused", mode_name);
	stat(at("share/file"), &st);
	ok(!p9fs_walk(fs, &root, "file", &a, &q) && q.type == P9_QTFILE &&
	   q.path == st.st_ino && !strcmp(a.path, "file"),
	   "%s: walk to a file: its qid", mode_name);
	ok(p9fs_walk(fs, &a, "x", &b, &q2) == -ENOTDIR,
	   "%s: walking on from a file: -ENOTDIR", mode_name);
	ok(p9fs_walk(fs, &root, "nothing", &b, &q2) == -ENOENT,
	   "%s: walk to a missing name: -ENOENT", mode_name);
	ok(p9fs_walk(fs, &root, "dir/f", &b, &q2) == -EINVAL,
	   "%s: walk with a '/' in the name: -EINVAL", mode_name);
	ok(!p9fs_open(fs, &a, O_RDONLY, &q2) && a.open_fd >= 0 &&
	   q2.path == q.path, "%s: open a file for reading", mode_name);
	ok(p9fs_open(fs, &a, O_RDONLY, &q2) == -EBUSY,
	   "%s: opening an open node: -EBUSY", mode_name);
	ok(p9fs_read(fs, &a, 7, &iov, 1) == 2 && !strcmp(buf, "9p"),
	   "%s: read from an offset", mode_name);
	ok(p9fs_write(fs, &a, 0, &iov, 1) == -EBADF,
	   "%s: write to a file opened for reading: -EBADF", mode_name);
	ok(p9fs_read(fs, &a, 1ULL << 63, &iov, 1) == -EINVAL,
	   "%s: a read past the largest offset: -EINVAL", mode_name);
	ok(!p9fs_getattr(fs, &a, ~0ULL, &at1) && at1.size == 9 &&
	   S_ISREG(at1.mode) && at1.qid.path == q.path && at1.nlink == 1,
	   "%s: getattr of a file", mode_name);
	ok(!p9fs_node_clone(fs, &a, &c) && c.open_fd < 0 && c.path_fd >= 0 &&
	   !strcmp(c.path, "file"), "%s: a clone is not open", mode_name);
	p9fs_node_release(fs, &c);
	ok(c.path_fd < 0 && !c.path, "%s: release empties the node", mode_name);
	p9fs_node_release(fs, &a);

	ok(!p9fs_walk(fs, &root, "dir", &a, &q) && q.type == P9_QTDIR &&
	   !p9fs_walk(fs, &a, "sub", &b, &q2) && !strcmp(b.path, "dir/sub"),
	   "%s: walk two levels", mode_name);
	ok(!p9fs_walk(fs, &b, "..", &c, &q2) && q2.path == q.path &&
	   !strcmp(c.path, "dir"), "%s: \"..\" leads back", mode_name);
	p9fs_node_release(fs, &c);
	ok(!p9fs_walk(fs, &a, "..", &c, &q2) && q2.path == rq.path && c.is_root,
	   "%s: \"..\" of a top directory is the root", mode_name);
	p9fs_node_release(fs, &c);
	ok(p9fs_readdir(fs, &a, 0, name_sink, s) == -EBADF,
	   "%s: readdir of a directory not open: -EBADF", mode_name);
	ok(p9fs_open(fs, &a, O_WRONLY, &q2) == -EISDIR,
	   "%s: a directory opened for writing: -EISDIR", mode_name);
	p9fs_node_release(fs, &a);
	p9fs_node_release(fs, &b);

	/* Readdir: all entries, in short reads, none twice. */
	ok(!p9fs_walk(fs, &root, "big", &a, &q) && !p9fs_open(fs, &a, 0, &q2) &&
	   list_all(fs, &a, 7, s) == 0, "%s: readdir in 7-entry calls", mode_name);
	for (all = 1, i = 0; i < NBIG; i++) {
		char name[32];
		const char *p;

		snprintf(name, sizeof(name), "entry-%04d", i);
		p = strstr(s->buf, name);
		if (!p || strstr(p + 1, name))
			all = 0;
	}
	ok(all && listed(s, ".") && listed(s, ".."),
	   "%s: %d entries, \".\" and \"..\", each once, over %d calls",
	   mode_name, NBIG, s->calls);
	ok(p9fs_readdir(fs, &a, s->next, name_sink, s) == 0,
	   "%s: readdir from the last offset: the end", mode_name);
	p9fs_node_release(fs, &a);
	ok(!p9fs_open(fs, &root, 0, &q2) && list_all(fs, &root, 1000, s) == 0 &&
	   listed(s, "file") && listed(s, "dir") && listed(s, "big") &&
	   !listed(s, "secret"), "%s: readdir of the root", mode_name);
	p9fs_node_release(fs, &root);
	free(s);
	outside_same("walks and reads");
}

static void test_modify(struct p9fs *fs)
{
	struct p9fs_node root, d, n, m, d2;
	unsigned int syncs;
	struct p9_qid q;
	struct p9_attr a;
	struct stat st;
	char buf[64];
	struct iovec iov = { buf, 0 };

	p9fs_root(fs, &root, &q);
	ok(!p9fs_mkdir(fs, &root, "made", 0755, &guest, &q) &&
	   q.type == P9_QTDIR && !stat(at("share/made"), &st) &&
	   S_ISDIR(st.st_mode), "%s: mkdir", mode_name);
	ok(p9fs_mkdir(fs, &root, "made", 0755, &guest, &q) == -EEXIST,
	   "%s: mkdir of an existing name: -EEXIST", mode_name);
	ok(p9fs_mkdir(fs, &root, "..", 0755, &guest, &q) == -EEXIST &&
	   p9fs_mkdir(fs, &root, "a/b", 0755, &guest, &q) == -EINVAL,
	   "%s: mkdir of \"..\" or \"a/b\" refused", mode_name);
	p9fs_walk(fs, &root, "made", &d, &q);
	ok(!p9fs_create(fs, &d, "new", O_RDWR, 0644, &guest, &q) &&
	   d.open_fd >= 0 && S_ISREG(d.mode) && !strcmp(d.path, "made/new"),
	   "%s: create: the node becomes the open file", mode_name);
	memcpy(buf, "written", 7);
	iov.iov_len = 7;
	ok(p9fs_write(fs, &d, 3, &iov, 1) == 7 && !stat(at("share/made/new"), &st) &&
	   st.st_size == 10, "%s: write at an offset", mode_name);
	syncs = host_syncs;
	ok(!p9fs_fsync(fs, &d, false) && !p9fs_fsync(fs, &d, true) &&
	   host_syncs == syncs + 2,
	   "%s: fsync and fdatasync reach the host", mode_name);
	p9fs_walk(fs, &root, "made", &n, &q);
	ok(p9fs_create(fs, &n, "new", O_RDWR, 0644, &guest, &q) == -EEXIST,
	   "%s: create of an existing name: -EEXIST", mode_name);
	ok(p9fs_fsync(fs, &n, false) == -EBADF,
	   "%s: fsync of a node not open: -EBADF", mode_name);
	p9fs_node_release(fs, &n);

	/* setattr: size and times. */
	struct p9_setattr sa = { .valid = P9_SETATTR_SIZE, .size = 2 };

	ok(!p9fs_setattr(fs, &d, &sa) && !stat(at("share/made/new"), &st) &&
	   st.st_size == 2, "%s: setattr size truncates", mode_name);
	sa.valid = P9_SETATTR_MTIME | P9_SETATTR_MTIME_SET | P9_SETATTR_ATIME |
		   P9_SETATTR_ATIME_SET;
	sa.mtime_sec = 1000000000;
	sa.atime_sec = 1000000001;
	ok(!p9fs_setattr(fs, &d, &sa) && !stat(at("share/made/new"), &st) &&
	   st.st_mtim.tv_sec == 1000000000 && st.st_atim.tv_sec == 1000000001,
	   "%s: setattr times", mode_name);
	sa.mtime_nsec = 2000000000;
	ok(p9fs_setattr(fs, &d, &sa) == -EINVAL,
	   "%s: setattr with nanoseconds past a second: -EINVAL", mode_name);

	/* symlink, readlink, link. */
	ok(!p9fs_symlink(fs, &root, "ln", "made/new", &guest, &q) &&
	   q.type == P9_QTSYMLINK && readlink(at("share/ln"), buf, sizeof(buf)) == 8,
	   "%s: symlink", mode_name);
	p9fs_walk(fs, &root, "ln", &n, &q);
	ok(p9fs_readlink(fs, &n, buf, sizeof(buf)) == 8 && !memcmp(buf, "made/new", 8),
	   "%s: readlink", mode_name);
	ok(p9fs_readlink(fs, &d, buf, sizeof(buf)) == -EINVAL,
	   "%s: readlink of a file: -EINVAL", mode_name);
	ok(!p9fs_link(fs, &root, &d, "hard") && !stat(at("share/hard"), &st) &&
	   st.st_nlink == 2, "%s: link of a file", mode_name);
	ok(!p9fs_link(fs, &root, &n, "ln2") && !lstat(at("share/ln2"), &st) &&
	   S_ISLNK(st.st_mode), "%s: link of a symlink links the symlink",
	   mode_name);
	ok(p9fs_link(fs, &root, &root, "rootlink") == -EPERM,
	   "%s: link of a directory: -EPERM", mode_name);
	p9fs_node_release(fs, &n);

	/* renameat across directories, rename of a node. */
	ok(!p9fs_renameat(fs, &root, "hard", &root, "hard2", NULL) &&
	   !stat(at("share/hard2"), &st), "%s: renameat", mode_name);
	p9fs_walk(fs, &root, "made", &n, &q);
	ok(!p9fs_renameat(fs, &root, "hard2", &n, "hard3", NULL) &&
	   !stat(at("share/made/hard3"), &st),
	   "%s: renameat across directories", mode_name);
	ok(!p9fs_rename(fs, &d, &root, "moved", NULL) && !strcmp(d.path, "moved") &&
	   !stat(at("share/moved"), &st) && stat(at("share/made/new"), &st),
	   "%s: rename of a node moves it and its path", mode_name);
	ok(!p9fs_mkdir(fs, &n, "inner", 0755, &guest, &q) &&
	   !p9fs_walk(fs, &n, "inner", &m, &q) &&
	   !p9fs_rename(fs, &m, &root, "inner2", NULL) &&
	   !p9fs_walk(fs, &m, "..", &d2, &q) && d2.is_root &&
	   d2.path && !strcmp(d2.path, ""),
	   "%s: after rename \"..\" follows the new path", mode_name);
	p9fs_node_release(fs, &d2);
	ok(!p9fs_remove(fs, &m) && stat(at("share/inner2"), &st),
	   "%s: remove of a renamed node", mode_name);
	p9fs_node_release(fs, &m);
	ok(p9fs_rename(fs, &root, &n, "r", NULL) == -EBUSY,
	   "%s: rename of the root: -EBUSY", mode_name);

	/* getattr / statfs. */
	struct p9_statfs sf;

	ok(!p9fs_statfs(fs, &root, &sf) && sf.bsize && sf.namelen == 255 &&
	   sf.blocks, "%s: statfs", mode_name);
	ok(!p9fs_getattr(fs, &n, ~0ULL, &a) && S_ISDIR(a.mode) && a.nlink >= 2,
	   "%s: getattr of a directory", mode_name);

	/* unlinkat, remove. */
	ok(!p9fs_unlinkat(fs, &n, "hard3", 0) && stat(at("share/made/hard3"), &st),
	   "%s: unlinkat of a file", mode_name);
	ok(p9fs_unlinkat(fs, &root, "made", 0) == -EISDIR,
	   "%s: unlinkat of a directory without AT_REMOVEDIR: -EISDIR", mode_name);
	ok(p9fs_unlinkat(fs, &root, "made", 0x1000) == -EINVAL,
	   "%s: unlinkat with unknown flags: -EINVAL", mode_name);
	ok(p9fs_unlinkat(fs, &root, "..", AT_REMOVEDIR) == -EINVAL,
	   "%s: unlinkat of \"..\": -EINVAL", mode_name);
	ok(!p9fs_remove(fs, &d) && stat(at("share/moved"), &st),
	   "%s: remove of a file node", mode_name);
	ok(!p9fs_remove(fs, &n) && stat(at("share/made"), &st),
	   "%s: remove of a directory node", mode_name);
	ok(p9fs_remove(fs, &root) == -EBUSY, "%s: remove of the root: -EBUSY",
	   mode_name);
	ok(!p9fs_unlinkat(fs, &root, "ln", 0) && !p9fs_unlinkat(fs, &root, "ln2", 0),
	   "%s: unlinkat of symlinks", mode_name);
	p9fs_node_release(fs, &n);
	p9fs_node_release(fs, &d);
	p9fs_node_release(fs, &root);
	outside_same("making and removing");
}

/* Can a host process take a write lock on the whole file? */
static bool host_can_lock(const char *path)
{
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd = open(path, O_RDWR);
	bool can;

	if (fd < 0)
		return false;
	can = !fcntl(fd, F_OFD_SETLK, &l);
	close(fd);
	return can;
}

/*
 * Linux's client sends a guest's flock() as a whole-file write lock, even
 * on a file opened read-only (flock(1) opens O_RDONLY): it is taken on
 * the host, released at unlock, and conflicts with other fids.
 */
static void test_locks_readonly_open(struct p9fs *fs)
{
	struct p9_flock fl = { .type = 1, .start = 0, .length = 0 };
	struct p9fs_node a, b;
	struct p9_qid q;
	u8 st = 9;

	walk1(fs, "file", &a, &q);
	walk1(fs, "file", &b, &q);
	p9fs_open(fs, &a, O_RDONLY, &q);
	p9fs_open(fs, &b, O_RDONLY, &q);
	ok(!p9fs_lock(fs, &a, &fl, &st) && st == P9_LOCK_SUCCESS,
	   "%s: a write lock on a fid opened read-only", mode_name);
	ok(!host_can_lock(at("share/file")),
	   "%s: ... is a host lock: a host process cannot take it", mode_name);
	ok(!p9fs_lock(fs, &b, &fl, &st) && st == P9_LOCK_BLOCKED,
	   "%s: ... another read-only fid's write lock is BLOCKED", mode_name);
	fl.type = 2;
	ok(!p9fs_lock(fs, &a, &fl, &st) && st == P9_LOCK_SUCCESS &&
	   host_can_lock(at("share/file")),
	   "%s: its unlock frees it on the host", mode_name);
	fl.type = 0;
	ok(!p9fs_lock(fs, &b, &fl, &st) && st == P9_LOCK_SUCCESS,
	   "%s: a read lock on a read-only fid", mode_name);
	p9fs_node_release(fs, &b);
	ok(host_can_lock(at("share/file")),
	   "%s: clunking the fid drops its locks", mode_name);
	p9fs_node_release(fs, &a);
}

static void test_locks(struct p9fs *fs)
{
	struct p9fs_node a, b;
	struct p9_flock fl = { .type = 1, .start = 0, .length = 0 };
	struct p9_flock g;
	struct p9_qid q;
	u8 st = 9;

	walk1(fs, "file", &a, &q);
	walk1(fs, "file", &b, &q);
	ok(p9fs_lock(fs, &a, &fl, &st) == -EBADF,
	   "%s: lock on a node not open: -EBADF", mode_name);
	p9fs_open(fs, &a, O_RDWR, &q);
	p9fs_open(fs, &b, O_RDWR, &q);
	ok(!p9fs_lock(fs, &a, &fl, &st) && st == P9_LOCK_SUCCESS,
	   "%s: a write lock", mode_name);
	ok(!p9fs_lock(fs, &b, &fl, &st) && st == P9_LOCK_BLOCKED,
	   "%s: a conflicting lock: BLOCKED at once", mode_name);
	g = fl;
	ok(!p9fs_getlock(fs, &b, &g) && g.type == 1 && g.start == 0,
	   "%s: getlock names the holder's lock", mode_name);
	fl.type = 2;
	ok(!p9fs_lock(fs, &a, &fl, &st) && st == P9_LOCK_SUCCESS,
	   "%s: unlock", mode_name);
	fl.type = 0;
	fl.start = 5;
	fl.length = ~0ULL;
	ok(!p9fs_lock(fs, &b, &fl, &st) && st == P9_LOCK_SUCCESS,
	   "%s: after the unlock, a read lock to the end", mode_name);
	g.type = 1;
	g.start = 0;
	g.length = 0;
	ok(!p9fs_getlock(fs, &a, &g) && g.type == 0 && g.start == 5,
	   "%s: getlock sees the read lock", mode_name);
	g.start = 0;
	g.length = 5;
	g.type = 1;
	ok(!p9fs_getlock(fs, &a, &g) && g.type == 2,
	   "%s: getlock of a free range: unlocked", mode_name);
	fl.type = 7;
	ok(!p9fs_lock(fs, &b, &fl, &st) && st == P9_LOCK_ERROR,
	   "%s: a lock of an unknown type: ERROR", mode_name);
	p9fs_node_release(fs, &a);
	p9fs_node_release(fs, &b);
	test_locks_readonly_open(fs);
}

/* The mapped model: the guest's owner and mode in the attribute only. */
static void test_mapped(struct p9fs *fs)
{
	struct p9fs_node root, n;
	struct p9_setattr sa = { 0 };
	struct p9_attr a;
	struct p9_qid q;
	struct stat st;
	char buf[256];
	ssize_t len;

	p9fs_root(fs, &root, &q);
	p9fs_root(fs, &n, &q);
	ok(!p9fs_create(fs, &n, "suid", O_WRONLY, 04755, &guest, &q) &&
	   !stat(at("share/suid"), &st) && (st.st_mode & 07777) == 0600 &&
	   st.st_uid == geteuid(),
	   "%s mapped: a set-uid create is a 0600 file of lkvm's user", mode_name);
	ok(!p9fs_getattr(fs, &n, ~0ULL, &a) && a.mode == (S_IFREG | 04755) &&
	   a.uid == guest.uid && a.gid == guest.gid,
	   "%s mapped: getattr reports the guest's mode and owner", mode_name);
	sa.valid = P9_SETATTR_MODE | P9_SETATTR_UID | P9_SETATTR_GID;
	sa.mode = 06777;
	sa.uid = 0;
	sa.gid = 0;
	ok(!p9fs_setattr(fs, &n, &sa) && !stat(at("share/suid"), &st) &&
	   (st.st_mode & 07777) == 0600 && st.st_uid == geteuid() &&
	   !p9fs_getattr(fs, &n, ~0ULL, &a) && a.mode == (S_IFREG | 06777) &&
	   a.uid == 0 && a.gid == 0,
	   "%s mapped: chmod 6777 and chown 0 stay in the attribute", mode_name);
	p9fs_node_release(fs, &n);
	ok(!p9fs_mkdir(fs, &root, "mdir", 01777, &guest, &q) &&
	   !stat(at("share/mdir"), &st) && (st.st_mode & 07777) == 0700 &&
	   !walk1(fs, "mdir", &n, &q) && !p9fs_getattr(fs, &n, ~0ULL, &a) &&
	   a.mode == (S_IFDIR | 01777) && a.uid == guest.uid,
	   "%s mapped: mkdir: a 0700 directory, the guest's mode in the attribute",
	   mode_name);
	p9fs_node_release(fs, &n);
	ok(!p9fs_mknod(fs, &root, "cdev", S_IFCHR | 0666, 1, 3, &guest, &q) &&
	   !lstat(at("share/cdev"), &st) && S_ISREG(st.st_mode) &&
	   (st.st_mode & 07777) == 0600 && !walk1(fs, "cdev", &n, &q) &&
	   !p9fs_getattr(fs, &n, ~0ULL, &a) && a.mode == (S_IFCHR | 0666) &&
	   a.rdev == makedev(1, 3),
	   "%s mapped: mknod of a device is a regular host file carrying 1:3",
	   mode_name);
	p9fs_node_release(fs, &n);
	ok(!p9fs_mknod(fs, &root, "fifo2", S_IFIFO | 0644, 0, 0, &guest, &q) &&
	   !lstat(at("share/fifo2"), &st) && S_ISREG(st.st_mode) &&
	   !walk1(fs, "fifo2", &n, &q) && !p9fs_getattr(fs, &n, ~0ULL, &a) &&
	   S_ISFIFO(a.mode) && a.rdev == 0,
	   "%s mapped: mknod of a FIFO is a regular host file", mode_name);
	p9fs_node_release(fs, &n);
	ok(p9fs_mknod(fs, &root, "dir2", S_IFDIR | 0755, 0, 0, &guest, &q) ==
	   -EINVAL, "%s: mknod of a directory type: -EINVAL", mode_name);

	/* xattrs: the guest's own; the model's hidden and refused. */
	walk1(fs, "suid", &n, &q);
	ok(!p9fs_xattr_set(fs, &n, "user.test", "v1", 2, 0) &&
	   p9fs_xattr_get(fs, &n, "user.test", buf, sizeof(buf)) == 2 &&
	   !memcmp(buf, "v1", 2) &&
	   p9fs_xattr_get(fs, &n, "user.test", NULL, 0) == 2,
	   "%s: xattr set and get", mode_name);
	ok(p9fs_xattr_set(fs, &n, "user.test", "v2", 2, XATTR_CREATE) == -EEXIST,
	   "%s: xattr XATTR_CREATE of an existing one: -EEXIST", mode_name);
	len = p9fs_xattr_get(fs, &n, NULL, buf, sizeof(buf));
	ok(len == 10 && !memcmp(buf, "user.test", 10) &&
	   p9fs_xattr_get(fs, &n, NULL, NULL, 0) == 10,
	   "%s: the xattr list hides user.lkvm.attr", mode_name);
	ok(getxattr(at("share/suid"), "user.lkvm.attr", NULL, 0) > 0,
	   "%s: (the host file does carry user.lkvm.attr)", mode_name);
	ok(p9fs_xattr_get(fs, &n, NULL, buf, 3) == -ERANGE,
	   "%s: a list longer than the buffer: -ERANGE", mode_name);
	ok(p9fs_xattr_get(fs, &n, "user.lkvm.attr", buf, sizeof(buf)) == -ENODATA,
	   "%s: the model's attribute cannot be read", mode_name);
	ok(p9fs_xattr_set(fs, &n, "user.lkvm.attr", "x", 1, 0) == -EPERM &&
	   p9fs_xattr_set(fs, &n, "user.lkvm.other", "x", 1, 0) == -EPERM &&
	   p9fs_xattr_set(fs, &n, "user.lkvm.attr", NULL, 0, 0) == -EPERM,
	   "%s: the model's attributes cannot be set or removed", mode_name);
	ok(p9fs_xattr_set(fs, &n, "trusted.x", "x", 1, 0) == -EOPNOTSUPP &&
	   p9fs_xattr_set(fs, &n, "security.x", "x", 1, 0) == -EOPNOTSUPP,
	   "%s mapped: trusted.* and security.* refused", mode_name);
	ok(p9fs_xattr_set(fs, &n, "user.test", "v", 1, 0x10) == -EINVAL,
	   "%s: xattr with unknown flags: -EINVAL", mode_name);
	ok(!p9fs_xattr_set(fs, &n, "user.test", NULL, 0, 0) &&
	   p9fs_xattr_get(fs, &n, "user.test", buf, sizeof(buf)) == -ENODATA,
	   "%s: xattr removal", mode_name);
	p9fs_node_release(fs, &n);
	walk1(fs, "cdev", &n, &q);
	p9fs_remove(fs, &n);
	p9fs_node_release(fs, &n);
	p9fs_unlinkat(fs, &root, "fifo2", 0);
	p9fs_unlinkat(fs, &root, "suid", 0);
	p9fs_unlinkat(fs, &root, "mdir", AT_REMOVEDIR);
	p9fs_node_release(fs, &root);
	outside_same("the mapped model");
}

/* Passthrough (root only): the host objects get what the guest asked. */
static void test_passthrough(void)
{
	struct p9fs_node root, n;
	struct p9_setattr sa = { 0 };
	struct p9fs *fs;
	struct p9_qid q;
	struct stat st;

	if (geteuid()) {
		skip("not root", "passthrough: owner, mode and device nodes");
		return;
	}
	fs = share(false, P9FS_MODEL_PASSTHROUGH, false);
	p9fs_root(fs, &root, &q);
	p9fs_root(fs, &n, &q);
	ok(!p9fs_create(fs, &n, "pt", O_WRONLY, 0640, &guest, &q) &&
	   !stat(at("share/pt"), &st) && (st.st_mode & 07777) == 0640 &&
	   st.st_uid == guest.uid && st.st_gid == guest.gid,
	   "passthrough: create gives the host file the guest's owner and mode");
	sa.valid = P9_SETATTR_MODE | P9_SETATTR_UID;
	sa.mode = 0604;
	sa.uid = 4321;
	ok(!p9fs_setattr(fs, &n, &sa) && !stat(at("share/pt"), &st) &&
	   (st.st_mode & 07777) == 0604 && st.st_uid == 4321,
	   "passthrough: setattr chmods and chowns the host file");
	p9fs_node_release(fs, &n);
	ok(!p9fs_mknod(fs, &root, "null", S_IFCHR | 0666, 1, 3, &guest, &q) &&
	   !lstat(at("share/null"), &st) && S_ISCHR(st.st_mode) &&
	   st.st_rdev == makedev(1, 3), "passthrough: mknod makes a device node");
	ok(!walk1(fs, "null", &n, &q) && p9fs_open(fs, &n, O_RDONLY, &q) == -ENXIO,
	   "passthrough: the device node is still never opened");
	p9fs_node_release(fs, &n);
	p9fs_unlinkat(fs, &root, "null", 0);
	p9fs_unlinkat(fs, &root, "pt", 0);
	p9fs_node_release(fs, &root);
	p9fs_close_share(fs);
	outside_same("the passthrough model");
}

/* A read-only share: -EROFS from every call that would change it. */
static void test_readonly(bool no_openat2)
{
	struct p9fs *fs = share(true, P9FS_MODEL_MAPPED, no_openat2);
	struct p9fs_node root, f, d;
	struct p9_setattr sa = { .valid = P9_SETATTR_MODE, .mode = 0777 };
	struct p9_qid q;
	char buf[8];
	struct iovec iov = { buf, sizeof(buf) };
	unsigned int syncs;
	int n = 0;

	p9fs_root(fs, &root, &q);
	p9fs_root(fs, &d, &q);
	walk1(fs, "file", &f, &q);
	ok(p9fs_readonly(fs), "%s ro: p9fs_readonly", mode_name);
	n += p9fs_open(fs, &f, O_WRONLY, &q) == -EROFS;
	n += p9fs_open(fs, &f, O_RDWR, &q) == -EROFS;
	n += p9fs_open(fs, &f, O_RDONLY | O_TRUNC, &q) == -EROFS;
	n += p9fs_create(fs, &d, "c", O_RDWR, 0644, &guest, &q) == -EROFS;
	n += p9fs_mkdir(fs, &root, "m", 0755, &guest, &q) == -EROFS;
	n += p9fs_mknod(fs, &root, "k", S_IFIFO | 0644, 0, 0, &guest, &q) == -EROFS;
	n += p9fs_symlink(fs, &root, "s", "file", &guest, &q) == -EROFS;
	n += p9fs_link(fs, &root, &f, "l") == -EROFS;
	n += p9fs_renameat(fs, &root, "file", &root, "r", NULL) == -EROFS;
	n += p9fs_rename(fs, &f, &root, "r", NULL) == -EROFS;
	n += p9fs_unlinkat(fs, &root, "file", 0) == -EROFS;
	n += p9fs_remove(fs, &f) == -EROFS;
	n += p9fs_setattr(fs, &f, &sa) == -EROFS;
	n += p9fs_xattr_set(fs, &f, "user.x", "1", 1, 0) == -EROFS;
	ok(n == 14, "%s ro: %d of 14 modifying calls gave -EROFS", mode_name, n);
	ok(!p9fs_open(fs, &f, O_RDONLY, &q) && p9fs_write(fs, &f, 0, &iov, 1) == -EROFS &&
	   p9fs_read(fs, &f, 0, &iov, 1) == 8,
	   "%s ro: reading works, write: -EROFS", mode_name);
	/*
	 * The guest wrote nothing: a sync would only force the host's own
	 * dirty data, a journal commit and a disk cache flush, at the rate
	 * the guest asks.
	 */
	syncs = host_syncs;
	n = p9fs_fsync(fs, &f, false) || p9fs_fsync(fs, &f, true);
	syncs = host_syncs - syncs;
	ok(!n && !syncs,
	   "%s ro: fsync and fdatasync answer 0 and sync nothing on the host (%u did)",
	   mode_name, syncs);
	ok(access(at("share/c"), F_OK) && access(at("share/m"), F_OK) &&
	   access(at("share/k"), F_OK) && access(at("share/s"), F_OK) &&
	   access(at("share/l"), F_OK) && access(at("share/r"), F_OK) &&
	   !access(at("share/file"), F_OK),
	   "%s ro: nothing made or removed in the share", mode_name);
	p9fs_node_release(fs, &f);
	p9fs_node_release(fs, &d);
	p9fs_node_release(fs, &root);
	p9fs_close_share(fs);
	outside_same("a read-only share");
}

/*
 * As an ordinary user (lkvm's usual case; a child that dropped root when
 * the test runs as root): the mapped model on the user's own files, and
 * link without CAP_DAC_READ_SEARCH, through the fallbacks.
 */
static int unprivileged_checks(void)
{
	struct p9fs_node root, n, l;
	struct p9_setattr sa = { .valid = P9_SETATTR_MODE, .mode = 04755 };
	struct p9_attr a;
	struct p9fs *fs;
	struct p9_qid q;
	struct stat st;
	int bad = 0;

	fs = share(false, P9FS_MODEL_MAPPED, false);
	p9fs_root(fs, &root, &q);
	p9fs_root(fs, &n, &q);
	bad |= p9fs_create(fs, &n, "u", O_RDWR, 0644, &guest, &q) ? 1 : 0;
	bad |= p9fs_setattr(fs, &n, &sa) || p9fs_getattr(fs, &n, ~0ULL, &a) ||
	       a.mode != (S_IFREG | 04755) || a.uid != guest.uid ? 2 : 0;
	bad |= stat(at("share/u"), &st) || (st.st_mode & 07777) != 0600 ||
	       st.st_uid != geteuid() ? 4 : 0;
	bad |= p9fs_link(fs, &root, &n, "u2") || stat(at("share/u2"), &st) ||
	       st.st_nlink != 2 ? 8 : 0;
	bad |= p9fs_symlink(fs, &root, "s", "u", &guest, &q) ||
	       walk1(fs, "s", &l, &q) || p9fs_link(fs, &root, &l, "s2") ||
	       lstat(at("share/s2"), &st) || !S_ISLNK(st.st_mode) ? 16 : 0;
	bad |= p9fs_xattr_set(fs, &n, "user.lkvm.attr", "x", 1, 0) != -EPERM ?
	       32 : 0;
	p9fs_node_release(fs, &l);
	/* A host file the user may not read: stat'able all the same. */
	if (geteuid()) {
		bad |= walk1(fs, "rootonly", &l, &q) ||
		       p9fs_getattr(fs, &l, ~0ULL, &a) || a.uid != 0 ||
		       a.mode != (S_IFREG | 0600) ? 64 : 0;
		p9fs_node_release(fs, &l);
	}
	p9fs_node_release(fs, &l);
	p9fs_unlinkat(fs, &root, "s2", 0);
	p9fs_unlinkat(fs, &root, "s", 0);
	p9fs_unlinkat(fs, &root, "u2", 0);
	p9fs_remove(fs, &n);
	p9fs_node_release(fs, &n);
	p9fs_node_release(fs, &root);
	p9fs_close_share(fs);
	return bad;
}

static void test_unprivileged(void)
{
	const uid_t nobody = 65534;
	pid_t pid;
	int st;

	if (geteuid()) {
		ok(!unprivileged_checks(), "unprivileged: mapped model and link");
		return;
	}
	/* mkdtemp made base 0700: let the user through to the share. */
	if (chown(at("share"), nobody, nobody) || chmod(base, 0711))
		die("chown");
	put("share/rootonly", "root's");
	if (chmod(at("share/rootonly"), 0600) ||
	    setxattr(at("share/rootonly"), "user.lkvm.attr", "x", 1, 0))
		die("rootonly");
	pid = fork();
	if (!pid) {
		if (setresgid(nobody, nobody, nobody) ||
		    setresuid(nobody, nobody, nobody))
			_exit(127);
		_exit(unprivileged_checks());
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		st = -1;
	ok(WIFEXITED(st) && !WEXITSTATUS(st),
	   "as uid %u: the mapped model, links, a root-only file stat'ed (%#x)",
	   nobody, st);
	if (chown(at("share"), 0, 0) || chmod(base, 0700) ||
	    unlink(at("share/rootonly")))
		die("chown");
	outside_same("an unprivileged user");
}

int main(void)
{
	int pass;

	alarm(120);
	if (!mkdtemp(base))
		die("mkdtemp");
	make_tree();
	test_open_share();
	test_names();
	for (pass = 0; pass < 2; pass++) {
		struct p9fs *fs;

		mode_name = pass ? "fallback" : "openat2";
		fs = share(false, P9FS_MODEL_MAPPED, pass);
		test_walk_read(fs);
		test_modify(fs);
		test_locks(fs);
		test_mapped(fs);
		p9fs_close_share(fs);
		test_readonly(pass);
	}
	test_passthrough();
	test_unprivileged();
	tree_remove();
	return tap_done();
}
