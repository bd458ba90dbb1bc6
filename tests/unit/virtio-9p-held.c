// SPDX-License-Identifier: GPL-2.0
/*
 * The 9p server (virtio/9p-ops.c over virtio/9p-fs*.c) and the objects
 * its fids hold, as the tree changes under them:
 *  - a directory a host process moves out of the share: through a fid
 *    the guest still holds, no chmod, chown, utimes, setxattr, create
 *    or mkdir reaches it (ENOENT), and the moved tree is unchanged; a
 *    directory the host moves inside the share stays usable;
 *  - a rename through one fid (Trenameat, Trename): the other fids at or
 *    below the renamed entry follow it, for "..", Trename and Tremove;
 *  - a node that lost its path finds it again from its descriptor, only
 *    beneath the share's root and only for its very object;
 *  - the descriptors a request opens beside its fids' own stay within
 *    P9_REQ_FDS, the fallback resolver's deepest ".." included.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "log.h"
#include "tap.h"
#include "virtio/9p-proto.h"
#include "virtio/9p.h"

static char base[] = "/tmp/lkvm-9p-held-XXXXXX";
static struct p9fs *fs;
static struct p9_server srv;
static u8 in[8192], out[8192];
static struct p9_buf rb;
static const char *model;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static const char *at(const char *rel)
{
	static char p[4][512];
	static unsigned int n;
	char *s = p[n++ % 4];

	snprintf(s, sizeof(p[0]), "%s/%s", base, rel);
	return s;
}

static void mkd(const char *rel)
{
	if (mkdir(at(rel), 0755))
		die(rel);
}

static void put(const char *rel)
{
	int fd = open(at(rel), O_WRONLY | O_CREAT | O_EXCL, 0644);

	if (fd < 0 || write(fd, "data", 4) != 4 || close(fd))
		die(rel);
}

static void mv(const char *from, const char *to)
{
	if (rename(at(from), at(to)))
		die(from);
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	if (ftw->level)
		remove(path);
	return 0;
}

static void empty(void)
{
	nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	mkd("share");
	mkd("outside");
}

/* A request: the reply's type, or -ecode; rb is at its fields. */
static int call(u8 type, const char *fmt, ...)
{
	struct p9_buf b;
	u32 len, n, size, ecode;
	va_list ap;
	u8 rtype;
	u16 tag;

	p9_buf_init(&b, in, sizeof(in));
	b.pos = P9_HDRSZ;
	va_start(ap, fmt);
	if (p9_vpack(&b, fmt, ap))
		die("pack");
	va_end(ap);
	len = b.pos;
	b.pos = 0;
	p9_pack(&b, "dbw", len, (unsigned int)type, 1U);
	n = p9_server_handle_io(&srv, in, len, out, sizeof(out), NULL);
	p9_buf_init(&rb, out, n);
	if (p9_unpack(&rb, "dbw", &size, &rtype, &tag) || size != n)
		return -EPROTO;
	if (rtype == P9_RLERROR)
		return p9_unpack(&rb, "d", &ecode) ? -EPROTO : -(int)ecode;
	return rtype;
}

static void open_share(enum p9fs_model m, bool no_openat2)
{
	struct p9fs_options o = {
		.dir = at("share"), .model = m, .no_openat2 = no_openat2,
	};
	const char *why = "";

	if (p9fs_open_share(&o, &fs, &why) ||
	    p9_server_init(&srv, fs, "virtio-9p.held"))
		die(why);
	model = m == P9FS_MODEL_MAPPED ? "mapped" : "passthrough";
	if (call(P9_TVERSION, "dz", 8192U, P9_VERSION_L) != P9_RVERSION ||
	    call(P9_TATTACH, "ddzzd", 0U, P9_NOFID, "root", "", 0U) !=
	    P9_RATTACH)
		die("attach");
}

static void close_share(void)
{
	p9_server_destroy(&srv);
	p9fs_close_share(fs);
}

/* Twalk from fid to newfid through up to three names; -ecode. */
static int walk(u32 fid, u32 newfid, const char *a, const char *b,
		const char *c)
{
	unsigned int n = !!a + !!b + !!c;

	return call(P9_TWALK, n == 3 ? "ddwzzz" : n == 2 ? "ddwzz" :
		    n == 1 ? "ddwz" : "ddw", fid, newfid, n, a, b, c);
}

/* The qid path of what fid names (Tgetattr), or 0. */
static u64 qid_of(u32 fid)
{
	struct p9_qid q;
	u64 valid;

	if (call(P9_TGETATTR, "dq", fid, (u64)0x7ff) != P9_RGETATTR ||
	    p9_unpack(&rb, "qQ", &valid, &q))
		return 0;
	return q.path;
}

static int setattr(u32 fid, u32 valid, u32 mode, u32 uid, u64 sec)
{
	return call(P9_TSETATTR, "dddddqqqqq", fid, valid, mode, uid, uid,
		    (u64)0, sec, (u64)0, sec, (u64)0);
}

/* Txattrcreate, Twrite, Tclunk of a fresh fid walked from fid. */
static int xattr_set(u32 fid, u32 tmp)
{
	int r = walk(fid, tmp, NULL, NULL, NULL);

	if (r != P9_RWALK)
		return r;
	r = call(P9_TXATTRCREATE, "dzqd", tmp, "user.guest", (u64)1, 0U);
	if (r == P9_RXATTRCREATE)
		r = call(P9_TWRITE, "dqdb", tmp, (u64)0, 1U, (unsigned int)'x');
	if (r == P9_RWRITE)
		return call(P9_TCLUNK, "d", tmp);
	call(P9_TCLUNK, "d", tmp);
	return r;
}

/* A fingerprint of rel: mode, owner, times, attribute names. */
static void print(const char *rel, char *buf, size_t len)
{
	char names[256] = "";
	struct stat st;
	ssize_t n;

	if (lstat(at(rel), &st))
		die(rel);
	n = listxattr(at(rel), names, sizeof(names) - 1);
	snprintf(buf, len, "%o %u %u %lld.%ld %lld.%ld %zd %s", st.st_mode,
		 st.st_uid, st.st_gid, (long long)st.st_atim.tv_sec,
		 st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec,
		 st.st_mtim.tv_nsec, n, n > 0 ? names : "");
}

#define SA_TIMES	(P9_SETATTR_ATIME | P9_SETATTR_MTIME | \
			 P9_SETATTR_ATIME_SET | P9_SETATTR_MTIME_SET)

/* Item: a directory moved out of the share by the host. */
static void test_moved_out(enum p9fs_model m)
{
	char d0[512], f0[512], d1[512], f1[512];
	int r[8], i, changed = 0;

	empty();
	mkd("share/d");
	put("share/d/f");
	mkd("share/e");
	open_share(m, false);
	if (walk(0, 1, "d", NULL, NULL) != P9_RWALK ||
	    walk(0, 2, "d", "f", NULL) != P9_RWALK ||
	    walk(0, 3, "e", NULL, NULL) != P9_RWALK)
		die("walk");
	mv("share/d", "outside/d");
	print("outside/d", d0, sizeof(d0));
	print("outside/d/f", f0, sizeof(f0));
	r[0] = setattr(1, P9_SETATTR_MODE, 0777, 0, 0);
	r[1] = setattr(1, P9_SETATTR_UID | P9_SETATTR_GID, 0, 4242, 0);
	r[2] = setattr(1, SA_TIMES, 0, 0, 12345);
	r[3] = setattr(2, P9_SETATTR_MODE | SA_TIMES, 0777, 0, 12345);
	r[4] = xattr_set(1, 9);
	r[5] = xattr_set(2, 9);
	r[6] = call(P9_TMKDIR, "dzdd", 1U, "new", 0755U, 0U);
	r[7] = call(P9_TLCREATE, "dzddd", 1U, "new", 0101U, 0644U, 0U);
	for (i = 0; i < 8; i++)
		changed += r[i] != -ENOENT;
	print("outside/d", d1, sizeof(d1));
	print("outside/d/f", f1, sizeof(f1));
	ok(!changed, "%s: a fid in a directory moved out of the share: chmod, chown, utimes, setxattr, mkdir, create get ENOENT (%d %d %d %d %d %d %d %d)",
	   model, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
	ok(!strcmp(d0, d1) && !strcmp(f0, f1) &&
	   access(at("outside/d/new"), F_OK),
	   "%s: the moved directory and its file are unchanged (%s | %s)",
	   model, d1, f1);
	mv("share/e", "share/e2");
	ok(setattr(3, SA_TIMES, 0, 0, 12345) == P9_RSETATTR &&
	   setattr(0, SA_TIMES, 0, 0, 12345) == P9_RSETATTR,
	   "%s: a directory the host moved inside the share, and the root: utimes works",
	   model);
	close_share();
}

/* Item: a rename through one fid, the others at or below it follow. */
static void test_renames(enum p9fs_model m)
{
	u64 z, y;
	int r1, r2, r3, r4;

	empty();
	mkd("share/a");
	mkd("share/a/b");
	put("share/a/b/f");
	open_share(m, false);
	if (walk(0, 10, "a", NULL, NULL) != P9_RWALK ||
	    walk(0, 11, "a", "b", NULL) != P9_RWALK ||
	    walk(0, 12, "a", "b", "f") != P9_RWALK)
		die("walk");
	r1 = call(P9_TRENAMEAT, "dzdz", 0U, "a", 0U, "z");
	walk(0, 20, "z", NULL, NULL);
	z = qid_of(20);
	r2 = walk(11, 13, "..", NULL, NULL);
	ok(r1 == P9_RRENAMEAT && r2 == P9_RWALK && qid_of(13) == z,
	   "%s: Trenameat a -> z, then \"..\" of a fid at a/b: z (%d, %d)",
	   model, r1, r2);
	/* A new a/b where the fids' old path text pointed. */
	mkd("share/a");
	mkd("share/a/b");
	r2 = walk(11, 14, "..", NULL, NULL);
	ok(r2 == P9_RWALK && qid_of(14) == z,
	   "%s: with a new a/b made, \"..\" of that fid is still z, not the new a (%d)",
	   model, r2);
	r3 = call(P9_TRENAME, "ddz", 12U, 11U, "g");
	ok(r3 == P9_RRENAME && !access(at("share/z/b/g"), F_OK) &&
	   access(at("share/a/b/g"), F_OK),
	   "%s: Trename of a fid at the old a/b/f: z/b/g (%d)", model, r3);
	r3 = call(P9_TRENAME, "ddz", 10U, 0U, "y");
	walk(0, 21, "y", NULL, NULL);
	y = qid_of(21);
	r4 = call(P9_TREMOVE, "d", 12U);
	ok(r3 == P9_RRENAME && y == z && r4 == P9_RREMOVE &&
	   access(at("share/y/b/g"), F_OK) && !access(at("share/y/b"), F_OK),
	   "%s: Trename of z to y, then Tremove of the fid at z/b/g: y/b/g gone (%d, %d)",
	   model, r3, r4);
	r4 = call(P9_TMKDIR, "dzdd", 11U, "sub", 0755U, 0U);
	r2 = setattr(11, SA_TIMES, 0, 0, 12345);
	ok(r4 == P9_RMKDIR && r2 == P9_RSETATTR &&
	   !access(at("share/y/b/sub"), F_OK) && access(at("share/a/b/sub"), F_OK),
	   "%s: mkdir and utimes through the fid at y/b: there, not in the new a/b (%d, %d)",
	   model, r4, r2);
	close_share();
}

/* A node of the share at rel (up to two names), its path then lost. */
static void node_lost(struct p9fs_node *n, const char *a, const char *b)
{
	struct p9fs_node root, mid;
	struct p9_qid q;

	p9fs_node_init(&root);
	p9fs_node_init(&mid);
	p9fs_node_init(n);
	if (p9fs_root(fs, &root, &q) ||
	    p9fs_walk(fs, &root, a, b ? &mid : n, &q) ||
	    (b && p9fs_walk(fs, &mid, b, n, &q)))
		die("p9fs_walk");
	p9fs_node_release(fs, &root);
	p9fs_node_release(fs, &mid);
	p9fs_node_moved(n, NULL, NULL);
}

/*
 * p9fs_node_refind(): the kernel's name for a node's object, kept only
 * when it resolves beneath the root to that object.
 */
static void test_refind(bool no_openat2)
{
	const char *how = no_openat2 ? "walk" : "openat2";
	struct p9fs_node f, g, c, d;
	int r;

	empty();
	mkd("share/a");
	mkd("share/a/b");
	put("share/a/b/f");
	put("share/g");
	mkd("share/c");
	mkd("share/d");
	mkd("sharex");
	open_share(P9FS_MODEL_MAPPED, no_openat2);
	node_lost(&f, "a", "b");
	node_lost(&g, "g", NULL);
	node_lost(&c, "c", NULL);
	node_lost(&d, "d", NULL);

	mv("share/a", "share/z");
	r = p9fs_node_refind(fs, &f);
	ok(r == 0 && f.path && !strcmp(f.path, "z/b"),
	   "%s: a directory the host renamed is found at its new name (%d, %s)",
	   how, r, f.path ? f.path : "none");
	/* Removed: the kernel's name ends in " (deleted)"; a file has it. */
	if (unlink(at("share/g")))
		die("unlink");
	put("share/g (deleted)");
	r = p9fs_node_refind(fs, &g);
	ok(r == -ESTALE && !g.path,
	   "%s: a removed file is not found, not even by a name like the kernel's (%d)",
	   how, r);
	/* Beside the share, under a name the share's is a prefix of. */
	mv("share/c", "sharex/c");
	r = p9fs_node_refind(fs, &c);
	ok(r == -ESTALE && !c.path,
	   "%s: a directory moved to sharex/c is not beneath share (%d)", how,
	   r);
	/* Out, with a symbolic link where it was. */
	mv("share/d", "outside/d");
	if (symlink("../outside/d", at("share/d")))
		die("symlink");
	r = p9fs_node_refind(fs, &d);
	ok(r == -ESTALE && !d.path,
	   "%s: a directory moved out, a link in its place, is not found (%d)",
	   how, r);
	p9fs_node_release(fs, &f);
	p9fs_node_release(fs, &g);
	p9fs_node_release(fs, &c);
	p9fs_node_release(fs, &d);
	close_share();
}

static int spare[1024];
static unsigned int nspare;

/* Leave exactly free descriptors below the soft limit (set to 256). */
static void leave_free(unsigned int free)
{
	struct rlimit rl;
	int src = open("/dev/null", O_RDONLY | O_CLOEXEC), fd;

	if (src < 0 || getrlimit(RLIMIT_NOFILE, &rl))
		die("rlimit");
	rl.rlim_cur = 256;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("rlimit");
	while (nspare < ARRAY_SIZE(spare) && (fd = dup(src)) >= 0)
		spare[nspare++] = fd;
	if (errno != EMFILE || !nspare)
		die("dup");
	close(src);		/* and its place taken again */
	fd = dup(spare[0]);
	if (fd < 0)
		die("dup");
	spare[nspare++] = fd;
	while (free-- && nspare)
		close(spare[--nspare]);
}

static void give_back(void)
{
	while (nspare)
		close(spare[--nspare]);
}

/*
 * Item: what a request opens beside its fids' descriptors. The fallback
 * resolver (no openat2) is the deepest: ".." of a deep directory holds
 * the walk's copy of the fid and two steps of the walk from the root.
 */
static void test_request_fds(void)
{
	static const char *const d[] = {
		"share/1", "share/1/2", "share/1/2/3", "share/1/2/3/4",
	};
	int r1, r2, r3, r4, r5;
	unsigned int i;

	empty();
	for (i = 0; i < ARRAY_SIZE(d); i++)
		mkd(d[i]);
	mkd("share/t");
	open_share(P9FS_MODEL_MAPPED, true);
	if (walk(0, 1, "1", "2", "3") != P9_RWALK ||
	    walk(1, 2, "4", NULL, NULL) != P9_RWALK ||
	    walk(0, 3, "t", NULL, NULL) != P9_RWALK)
		die("walk");
	mv("share/1/2/3/4", "share/1/2/3/5");	/* fid 2: a stale path */
	leave_free(P9_REQ_FDS);
	r1 = walk(2, 4, "..", NULL, NULL);
	r2 = setattr(2, SA_TIMES, 0, 0, 12345);
	r3 = call(P9_TRENAME, "ddz", 3U, 1U, "t2");
	r4 = call(P9_TLCREATE, "dzddd", 1U, "f", 1U, 0644U, 0U);
	r5 = call(P9_TSTATFS, "d", 4U);
	give_back();
	ok(r1 == P9_RWALK && r2 == P9_RSETATTR && r3 == P9_RRENAME &&
	   r4 == P9_RLCREATE && r5 == P9_RSTATFS,
	   "%d descriptors beside the fids': \"..\" from 4 deep, utimes of a directory the host moved, Trename, Tlcreate, Tstatfs (%d %d %d %d %d)",
	   P9_REQ_FDS, r1, r2, r3, r4, r5);
	call(P9_TCLUNK, "d", 4U);
	leave_free(P9_REQ_FDS - 1);
	r1 = walk(2, 4, "..", NULL, NULL);
	give_back();
	ok(r1 == -EMFILE, "%d: \"..\" from 4 deep runs out (%d): the bound is tight",
	   P9_REQ_FDS - 1, r1);
	close_share();
}

static int rm_all(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	remove(path);
	return 0;
}

int main(void)
{
	log_set_level(LOG_ERROR);
	if (!mkdtemp(base))
		die("mkdtemp");
	test_moved_out(P9FS_MODEL_MAPPED);
	if (!geteuid())
		test_moved_out(P9FS_MODEL_PASSTHROUGH);
	else
		skip("needs root", "passthrough: a directory moved out");
	test_renames(P9FS_MODEL_MAPPED);
	test_refind(false);
	test_refind(true);
	test_request_fds();
	nftw(base, rm_all, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
