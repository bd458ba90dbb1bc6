// SPDX-License-Identifier: GPL-2.0
/*
 * Fids held by requests stuck in the host (tests/9p/blocked.h) while the
 * guest renames more than the server's rename log keeps (P9_RENAME_LOG):
 *  - a file fid (its Tread stuck) and a directory fid (its Treaddir
 *    stuck) whose own entries were renamed many times meanwhile still
 *    name their objects afterwards: Tmkdir through the directory fid
 *    lands in it, Trename of each moves it from where it now is;
 *  - a file fid whose file the host moved out of the share meanwhile
 *    finds no path again: Trename and Tsetattr fail, the moved file is
 *    unchanged.
 */
#include <sys/stat.h>

#include "log.h"
#include "tap.h"
#include "blocked.h"

#define SLOT_F		1	/* the slot blocked.h's uffd traps */
#define SLOT_D		2
#define SLOT_H		3
#define FID_ROOT	0
#define FID_F		1	/* "f", b9_open_file() */
#define FID_D		2	/* "d", an open directory */
#define FID_H		3	/* "h", another file */
#define ROUNDS		14	/* three renames each: 42 > P9_RENAME_LOG */
#define NR_ENTRIES	300	/* "d"'s Rreaddir passes the trapped pages */

static char dir[96], outside[128];

static const char *at(const char *fmt, ...)
{
	static char p[4][256];
	static unsigned int n;
	char *s = p[n++ % 4];
	int len;
	va_list ap;

	len = snprintf(s, sizeof(p[0]), "%s/", dir);
	va_start(ap, fmt);
	vsnprintf(s + len, sizeof(p[0]) - len, fmt, ap);
	va_end(ap);
	return s;
}

static bool put(const char *path, size_t len)
{
	static char data[B9_FILE_LEN];
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);

	memset(data, 'y', sizeof(data));
	if (fd < 0)
		return false;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return false;
	}
	return !close(fd);
}

/* "d" with NR_ENTRIES long names, "h" as "f". */
static bool make_tree(void)
{
	unsigned int i;

	if (mkdir(at("d"), 0755) || !put(at("h"), B9_FILE_LEN))
		return false;
	for (i = 0; i < NR_ENTRIES; i++)
		if (!put(at("d/entry-%04u-padding-padding-padding-pad", i), 0))
			return false;
	return true;
}

/* Post a request of fid like Tread's (fid, offset 0, count) and block. */
static bool block(struct c9 *c, int uffd, u8 type, unsigned int slot,
		  u32 fid)
{
	static u8 treq[64];
	struct pollfd pfd[2] = {
		{ .fd = uffd, .events = POLLIN },
		{ .fd = c->wuffd, .events = POLLIN },
	};
	struct uffd_msg msg;
	u32 len;
	int fd;

	len = c9_build(treq, sizeof(treq), type, 100 + slot, "dqd", fid, 0ULL,
		       B9_FILE_LEN);
	c9_post(c, slot, treq, len, B9_READ_CAP);
	c9_kick(c);
	if (poll(pfd, 2, 10000) < 1)
		return false;
	fd = pfd[0].revents & POLLIN ? uffd : c->wuffd;
	return read(fd, &msg, sizeof(msg)) == sizeof(msg) &&
	       msg.event == UFFD_EVENT_PAGEFAULT;
}

static int trenameat(struct c9 *c, const char *from, const char *to)
{
	return c9_call(c, P9_TRENAMEAT, "dzdz", FID_ROOT, from, FID_ROOT, to);
}

/* ROUNDS renames of each of f, d and h, one after the other. */
static bool rename_many(struct c9 *c)
{
	char a[32], b[32];
	const char *names = "fdh";
	unsigned int i, k;

	for (i = 0; i < ROUNDS; i++) {
		for (k = 0; k < 3; k++) {
			if (i)
				snprintf(a, sizeof(a), "%c%u", names[k], i);
			else
				snprintf(a, sizeof(a), "%c", names[k]);
			snprintf(b, sizeof(b), "%c%u", names[k], i + 1);
			if (trenameat(c, a, b) != P9_RRENAMEAT) {
				printf("# Trenameat %s %s failed\n", a, b);
				return false;
			}
		}
	}
	return true;
}

static void remove_tree(void)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		printf("# could not remove %s\n", dir);
}

static bool exists(const char *path, mode_t type, off_t size)
{
	struct stat st;

	if (lstat(path, &st))
		return false;
	return (st.st_mode & S_IFMT) == type && (size < 0 || st.st_size == size);
}

int main(void)
{
	unsigned int i, slot;
	struct stat before, after;
	struct c9 c;
	int uffd, r;
	u32 len;

	log_set_level(LOG_ERROR);
	uffd = b9_start(&c, dir, sizeof(dir), "renames", "renames", SLOT_F);
	if (uffd < 0)
		return tap_done();
	snprintf(outside, sizeof(outside), "%s.outside", dir);
	if (!make_tree()) {
		ok(0, "the share's tree is made");
		return tap_done();
	}
	ok(b9_open_file(&c), "a file of the share is opened");
	ok(c9_call(&c, P9_TWALK, "ddwz", FID_ROOT, FID_D, 1, "d") == P9_RWALK &&
	   c9_call(&c, P9_TLOPEN, "dd", FID_D, O_RDONLY | O_DIRECTORY) ==
		   P9_RLOPEN &&
	   c9_call(&c, P9_TWALK, "ddwz", FID_ROOT, FID_H, 1, "h") == P9_RWALK &&
	   c9_call(&c, P9_TLOPEN, "dd", FID_H, O_RDONLY) == P9_RLOPEN,
	   "a directory and a second file are opened");
	ok(block(&c, uffd, P9_TREAD, SLOT_F, FID_F) &&
	   block(&c, uffd, P9_TREADDIR, SLOT_D, FID_D) &&
	   block(&c, uffd, P9_TREAD, SLOT_H, FID_H),
	   "a Tread of each file and a Treaddir of the directory are stuck");

	ok(rename_many(&c), "%u renames through the root fid meanwhile",
	   3 * ROUNDS);
	/* The host moves the last name of h out of the share. */
	ok(!rename(at("h%u", ROUNDS), outside) && !stat(outside, &before),
	   "the host moves h out of the share");

	b9_release_workers(&c);
	close(uffd);
	for (i = 0; i < 3; i++)
		if (!c9_reap(&c, &slot, &len, 10000))
			break;
	ok(i == 3, "the stuck requests are answered once the host lets go");

	r = c9_call(&c, P9_TMKDIR, "dzdd", FID_D, "sub", 0755, 0);
	ok(r == P9_RMKDIR && exists(at("d%u/sub", ROUNDS), S_IFDIR, -1),
	   "Tmkdir through the directory's fid lands in it: %d", r);
	r = c9_call(&c, P9_TRENAME, "ddz", FID_D, FID_ROOT, "dir-final");
	ok(r == P9_RRENAME && exists(at("dir-final/sub"), S_IFDIR, -1) &&
	   exists(at("dir-final/entry-0000-padding-padding-padding-pad"),
		  S_IFREG, 0) && !exists(at("d%u", ROUNDS), S_IFDIR, -1),
	   "Trename of the directory's fid moves it from its new name: %d", r);
	r = c9_call(&c, P9_TRENAME, "ddz", FID_F, FID_ROOT, "file-final");
	ok(r == P9_RRENAME && exists(at("file-final"), S_IFREG, B9_FILE_LEN) &&
	   !exists(at("f%u", ROUNDS), S_IFREG, -1),
	   "Trename of the file's fid moves it from its new name: %d", r);

	r = c9_call(&c, P9_TRENAME, "ddz", FID_H, FID_ROOT, "h-back");
	ok(r < 0 && !exists(at("h-back"), S_IFREG, -1),
	   "Trename of a file the host moved out fails: %d", r);
	r = c9_call(&c, P9_TSETATTR, "dddddqqqqq", FID_H, 0x1, 0600, 0, 0,
		    0ULL, 0ULL, 0ULL, 0ULL, 0ULL);
	ok(r < 0 && !stat(outside, &after) &&
	   after.st_mode == before.st_mode && after.st_ino == before.st_ino,
	   "nor does Tsetattr change it: %d", r);

	c9_close(&c);
	unlink(outside);
	remove_tree();
	return tap_done();
}
