// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the 9P2000.L parser and dispatcher (virtio/9p-proto.c,
 * virtio/9p-ops.c) over a real share (virtio/9p-fs*.c) in a temporary
 * directory. An input is a sequence of requests, each cap[1] len[2]
 * bytes[len]: the bytes are one message, cap picks the reply buffer's
 * size; the whole request and reply are in flat buffers, as the device
 * hands them to p9_server_handle_io() (virtio/9p.c copies them: a request
 * a reset abandons must not touch the guest's memory). Invariants beyond
 * no crash, each an abort:
 *  - every request gets exactly one reply when the buffer holds 11 bytes
 *    (none below), whose size field equals its length, whose tag is the
 *    request's (NOTAG when it had none) and whose type is Rlerror or the
 *    request's plus one;
 *  - nothing beside the share changes: a sibling directory with a file,
 *    and symbolic links to it and to / inside the share;
 *  - after each request, every directory fid's path names that very
 *    directory while it exists: the fids at or below an entry that
 *    Trenameat or Trename moves follow it (a removed directory, st_nlink
 *    0, and a path lost to too many renames are let be). A cap byte of
 *    0xfa or more stands for a request stuck meanwhile, which the target
 *    (one thread) cannot have: before the request, the rename log moves
 *    past every fid, whose path is lost when it next follows the log and
 *    found again from its descriptor when next taken (p9fs_node_refind(),
 *    checked here as every path is);
 *  - once a reset has let every fid go, the device counts no attribute
 *    buffer bytes and the share no host lock ranges (an entry left in
 *    either would shrink the guest's bound for good).
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "virtio/9p-proto.h"
#include "virtio/9p.h"
#include "../../virtio/9p-fs-int.h"

static char base[64], share[96], outside[96], secret[128];
static struct p9fs *fs;
static struct p9_server srv;
static u8 *in, *out;
static struct stat st_base, st_out, st_secret;
static unsigned long runs;

static void die(const char *what)
{
	fprintf(stderr, "9p-dispatch: invariant broken: %s\n", what);
	abort();
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	if (ftw->level > 0)
		remove(path);
	return 0;
}

/* The share's starting content (again every 256 inputs). */
static void fixtures(void)
{
	char p[256];
	FILE *f;

	nftw(share, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	snprintf(p, sizeof(p), "%s/file", share);
	f = fopen(p, "w");
	if (f) {
		fputs("0123456789", f);
		fclose(f);
	}
	snprintf(p, sizeof(p), "%s/sub", share);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/abs", share);
	if (symlink("/", p))
		die("symlink");
	snprintf(p, sizeof(p), "%s/out", share);
	if (symlink("../outside", p))
		die("symlink");
}

static int rm_all(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	remove(path);
	return 0;
}

static void cleanup(void)
{
	nftw(base, rm_all, 16, FTW_DEPTH | FTW_PHYS);
}

static bool same(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_nlink == b->st_nlink && a->st_mode == b->st_mode &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static void init(void)
{
	struct p9fs_options opt = { .model = P9FS_MODEL_MAPPED };
	const char *why = "";
	FILE *f;

	log_set_level(LOG_ERROR);
	snprintf(base, sizeof(base), "/tmp/lkvm-9p-fuzz-XXXXXX");
	if (!mkdtemp(base))
		die("mkdtemp");
	atexit(cleanup);
	snprintf(share, sizeof(share), "%s/share", base);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	snprintf(secret, sizeof(secret), "%s/secret", outside);
	if (mkdir(share, 0755) || mkdir(outside, 0755))
		die("mkdir");
	f = fopen(secret, "w");
	if (!f)
		die("secret");
	fputs("top secret", f);
	fclose(f);
	fixtures();
	opt.dir = share;
	if (p9fs_open_share(&opt, &fs, &why) ||
	    p9_server_init(&srv, fs, "virtio-9p.fuzz"))
		die(why);
	in = malloc(P9_MSIZE_MAX);
	out = malloc(P9_MSIZE_MAX);
	if (!in || !out || stat(base, &st_base) || stat(outside, &st_out) ||
	    stat(secret, &st_secret))
		die("setup");
}

static void check_reply(const u8 *req, u32 len, u32 cap, u32 n)
{
	u32 size;
	u16 tag = P9_NOTAG;

	if (cap < P9_RLERROR_SZ) {
		if (n)
			die("a reply without room for one");
		return;
	}
	if (n < P9_HDRSZ || n > cap)
		die("no reply, or one past its buffer");
	size = out[0] | out[1] << 8 | out[2] << 16 | (u32)out[3] << 24;
	if (size != n)
		die("reply size field differs from its length");
	if (len >= P9_HDRSZ)
		tag = (u16)(req[5] | req[6] << 8);
	if ((u16)(out[5] | out[6] << 8) != tag)
		die("reply tag differs from the request's");
	if (out[4] != P9_RLERROR && (len < P9_HDRSZ || out[4] != req[4] + 1))
		die("reply type is neither Rlerror nor the request's");
}

/* 0 if a directory node's path still names it (or it is gone). */
static int path_current(void *ctx, const struct p9fs_node *n)
{
	struct stat a, b;
	int fd, bad;

	if (!S_ISDIR(n->mode) || !n->path || n->path_fd < 0 ||
	    fstat(n->path_fd, &a) || !a.st_nlink)
		return 0;
	fd = p9fs_resolve(fs, n->path);
	if (fd < 0)
		return 1;
	bad = fstat(fd, &b) || a.st_dev != b.st_dev || a.st_ino != b.st_ino;
	close(fd);
	return bad;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const u32 caps[] = { 10, 11, 64, 4096, P9_MSIZE_MAX };
	struct stat st;
	size_t pos = 0;

	if (!fs)
		init();
	if (!(runs++ % 256))
		fixtures();
	p9_server_reset(&srv);
	while (pos + 3 <= size) {
		u32 cap = caps[data[pos] % ARRAY_SIZE(caps)];
		u32 len = data[pos + 1] | data[pos + 2] << 8;
		struct p9_iobufs io = { 0 };
		u8 req[8];
		u32 n;

		if (data[pos] >= 0xfa) {
			pthread_mutex_lock(&srv.lock);
			srv.renames.gen += P9_RENAME_LOG + 1;
			pthread_mutex_unlock(&srv.lock);
		}
		pos += 3;
		len = MIN(len, (u32)(size - pos));
		memcpy(in, data + pos, len);
		memcpy(req, data + pos, MIN(len, 8u));
		n = p9_server_handle_io(&srv, in, len, out, cap, &io);
		pos += len;
		check_reply(req, len, cap, n);
		if (p9_server_each_node(&srv, path_current, NULL))
			die("a directory fid's path names another, or nothing");
	}
	if (stat(base, &st) || !same(&st, &st_base) || stat(outside, &st) ||
	    !same(&st, &st_out) || stat(secret, &st) || !same(&st, &st_secret))
		die("something beside the share changed");
	p9_server_reset(&srv);
	if (srv.xattr_bytes || fs->lock_ranges)
		die("no fid left, yet attribute bytes or lock ranges counted");
	return 0;
}
