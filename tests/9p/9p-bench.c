// SPDX-License-Identifier: GPL-2.0
/*
 * make bench: lkvm's virtio-9p device fed host-side through its
 * virtqueue (tests/9p/client.h), beside diod (Debian's 9P2000.L server,
 * over a socketpair, when installed) serving the same directory to the
 * same requests, and the host file system called directly as the limit:
 * sequential write and read of a large file (DEPTH requests in flight,
 * msize-sized), and create+stat+unlink of small files (6 requests each:
 * walk, lcreate, clunk, walk, getattr, remove: diod has no Tunlinkat).
 *
 * usage: 9p-bench DIR [SIZE_MB] [FILES] [ROUNDS]
 * Prints one line per server and load, medians of ROUNDS, and TAP.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "log.h"
#include "client.h"

#define DEPTH	8
#define MSIZE	(512 * 1024)

/* A way to a 9P server: lkvm's device or a socket to diod. */
struct xport {
	const char *name;
	struct c9 *c;		/* lkvm */
	int fd;			/* diod */
	pid_t pid;
	u8 *reply[DEPTH + 1];	/* diod: per slot (= tag) */
	u32 msize;
	const char *aname;
};

static u8 msgbuf[DEPTH + 1][MSIZE + 64];
static u8 data[MSIZE];

static int read_full(int fd, void *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);

		if (r <= 0)
			return -1;
		p = (u8 *)p + r;
		n -= (size_t)r;
	}
	return 0;
}

static int write_full(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t r = write(fd, p, n);

		if (r <= 0)
			return -1;
		p = (const u8 *)p + r;
		n -= (size_t)r;
	}
	return 0;
}

/* Post message slot (its tag is the slot); no kick for lkvm yet. */
static void x_post(struct xport *x, unsigned int slot, u32 len)
{
	if (x->c)
		c9_post(x->c, slot, msgbuf[slot], len, x->msize);
	else if (write_full(x->fd, msgbuf[slot], len))
		abort();
}

static void x_kick(struct xport *x)
{
	if (x->c)
		c9_kick(x->c);
}

/* The next reply: its slot and bytes. */
static const u8 *x_reap(struct xport *x, unsigned int *slot)
{
	u32 len;
	u8 hdr[7];

	if (x->c) {
		if (!c9_reap(x->c, slot, &len, 30000))
			abort();
		return c9_hva(x->c, c9_in(*slot));
	}
	if (read_full(x->fd, hdr, 7))
		abort();
	len = hdr[0] | hdr[1] << 8 | hdr[2] << 16 | (u32)hdr[3] << 24;
	*slot = hdr[5] | hdr[6] << 8;
	if (*slot > DEPTH || len < 7 || len > x->msize + 64)
		abort();
	memcpy(x->reply[*slot], hdr, 7);
	if (read_full(x->fd, x->reply[*slot] + 7, len - 7))
		abort();
	return x->reply[*slot];
}

/* One request on slot DEPTH, waited for: the reply's type. */
static u8 x_call(struct xport *x, u8 type, const char *fmt, ...)
{
	unsigned int slot;
	const u8 *r;
	va_list ap;
	u32 len;

	va_start(ap, fmt);
	len = c9_vbuild(msgbuf[DEPTH], sizeof(msgbuf[DEPTH]), type, DEPTH, fmt,
			ap);
	va_end(ap);
	x_post(x, DEPTH, len);
	x_kick(x);
	r = x_reap(x, &slot);
	if (r[4] == P9_RLERROR && type != P9_TWALK)
		fprintf(stderr, "9p-bench: %s: %s: error %u\n", x->name,
			p9_type_name(type), r[7]);
	if (r[4] == P9_RVERSION)
		x->msize = MIN(x->msize, (u32)(r[7] | r[8] << 8 |
					      r[9] << 16 | (u32)r[10] << 24));
	return r[4];
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int x_start(struct xport *x, u32 msize)
{
	x->msize = msize;
	if (x_call(x, P9_TVERSION, "dz", msize, "9P2000.L") != P9_RVERSION ||
	    x_call(x, P9_TATTACH, "ddzzd", 0, P9_NOFID, "root", x->aname,
		   (u32)geteuid()) != P9_RATTACH)
		return -1;
	return 0;
}

/* Sequential I/O on fid 1 (open): DEPTH chunks in flight. MB/s. */
static double x_seq(struct xport *x, bool write, u64 size)
{
	u32 chunk = ((write ? x->msize - P9_TWRITE_HDR :
		      x->msize - P9_RREAD_HDR) / 4096) * 4096;
	u64 off = 0, done = 0;
	unsigned int inflight = 0, slot;
	double t0 = now();
	const u8 *r;
	u32 len;

	while (done < size) {
		/* Fill every free slot. */
		for (slot = 0; slot < DEPTH && off < size; slot++) {
			if (msgbuf[slot][4] == 0xff)
				continue;	/* in flight */
			len = c9_build(msgbuf[slot], sizeof(msgbuf[slot]),
				       write ? P9_TWRITE : P9_TREAD, slot,
				       "dqd", 1, off, chunk);
			if (write) {
				memcpy(msgbuf[slot] + len, data, chunk);
				len += chunk;
				msgbuf[slot][0] = (u8)len;
				msgbuf[slot][1] = (u8)(len >> 8);
				msgbuf[slot][2] = (u8)(len >> 16);
			}
			x_post(x, slot, len);
			msgbuf[slot][4] = 0xff;
			off += chunk;
			inflight++;
		}
		x_kick(x);
		r = x_reap(x, &slot);
		if (r[4] != (write ? P9_RWRITE : P9_RREAD)) {
			fprintf(stderr, "9p-bench: %s: %s failed (%u)\n",
				x->name, write ? "Twrite" : "Tread", r[4]);
			return 0;
		}
		done += chunk;
		msgbuf[slot][4] = 0;
		inflight--;
	}
	while (inflight--)
		x_reap(x, &slot);
	memset(msgbuf, 0, sizeof(msgbuf[0]) * DEPTH);
	return size / 1048576.0 / (now() - t0);
}

static double x_write(struct xport *x, u64 size)
{
	double r;

	char name[32];

	snprintf(name, sizeof(name), "%s-big", x->name);
	if (x_call(x, P9_TWALK, "ddwz", 0, 1, 1, name) == P9_RWALK)
		x_call(x, P9_TREMOVE, "d", 1);
	if (x_call(x, P9_TWALK, "ddw", 0, 1, 0) != P9_RWALK)
		return 0;
	if (x_call(x, P9_TLCREATE, "dzddd", 1, name, O_RDWR, 0644,
		   (u32)getegid()) != P9_RLCREATE) {
		x_call(x, P9_TCLUNK, "d", 1);
		return 0;
	}
	r = x_seq(x, true, size);
	x_call(x, P9_TCLUNK, "d", 1);
	return r;
}

static double x_read(struct xport *x, u64 size)
{
	double r;

	char name[32];

	snprintf(name, sizeof(name), "%s-big", x->name);
	if (x_call(x, P9_TWALK, "ddwz", 0, 1, 1, name) != P9_RWALK)
		return 0;
	if (x_call(x, P9_TLOPEN, "dd", 1, O_RDONLY) == P9_RLOPEN)
		r = x_seq(x, false, size);
	else
		r = 0;
	x_call(x, P9_TREMOVE, "d", 1);
	return r;
}

/* create+stat+unlink triples a second. */
static double x_meta(struct xport *x, unsigned int files)
{
	double t0 = now();
	unsigned int i;
	char name[32];

	for (i = 0; i < files; i++) {
		snprintf(name, sizeof(name), "%s-m%u", x->name, i);
		if (x_call(x, P9_TWALK, "ddw", 0, 3, 0) != P9_RWALK ||
		    x_call(x, P9_TLCREATE, "dzddd", 3, name, O_WRONLY, 0644,
			   (u32)getegid()) != P9_RLCREATE ||
		    x_call(x, P9_TCLUNK, "d", 3) != P9_RCLUNK ||
		    x_call(x, P9_TWALK, "ddwz", 0, 4, 1, name) != P9_RWALK ||
		    x_call(x, P9_TGETATTR, "dq", 4, 0x7ffULL) != P9_RGETATTR ||
		    x_call(x, P9_TREMOVE, "d", 4) != P9_RREMOVE) {
			x_call(x, P9_TCLUNK, "d", 3);
			x_call(x, P9_TCLUNK, "d", 4);
			return 0;
		}
	}
	return files / (now() - t0);
}

/* The host file system directly: the same loads with system calls. */
static double host_seq(const char *dir, bool write, u64 size)
{
	char p[256];
	double t0 = now();
	u64 off;
	int fd;

	snprintf(p, sizeof(p), "%s/host-big", dir);
	fd = open(p, write ? O_RDWR | O_CREAT | O_TRUNC : O_RDONLY, 0644);
	if (fd < 0)
		return 0;
	for (off = 0; off < size; off += MSIZE - 4096) {
		ssize_t n = write ? pwrite(fd, data, MSIZE - 4096, off) :
				    pread(fd, msgbuf[0], MSIZE - 4096, off);

		if (n <= 0)
			break;
	}
	close(fd);
	if (!write)
		unlink(p);
	return size / 1048576.0 / (now() - t0);
}

static double host_meta(const char *dir, unsigned int files)
{
	double t0 = now();
	unsigned int i;
	struct stat st;
	char p[256];
	int fd;

	for (i = 0; i < files; i++) {
		snprintf(p, sizeof(p), "%s/hm%u", dir, i);
		fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0 || close(fd) || stat(p, &st) || unlink(p))
			return 0;
	}
	return files / (now() - t0);
}

/* diod on one end of a socketpair, serving dir to us. */
static int diod_start(struct xport *x, const char *dir)
{
	char fdarg[16], uid[16];
	int sv[2], i;

	if (access("/usr/sbin/diod", X_OK))
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	x->pid = fork();
	if (x->pid < 0)
		return -1;
	if (!x->pid) {
		close(sv[0]);
		if (dup2(sv[1], 3) < 0)
			_exit(127);
		snprintf(fdarg, sizeof(fdarg), "3");
		snprintf(uid, sizeof(uid), "%u", (unsigned int)geteuid());
		freopen("/dev/null", "w", stderr);
		execl("/usr/sbin/diod", "diod", "-f", "-n", "-N", "-r", fdarg,
		      "-w", fdarg, "-e", dir, "-u", uid, "-L", "stderr",
		      "-c", "/dev/null", (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	x->fd = sv[0];
	for (i = 0; i <= DEPTH; i++) {
		x->reply[i] = malloc(MSIZE + 64);
		if (!x->reply[i])
			return -1;
	}
	return 0;
}

static void diod_stop(struct xport *x)
{
	int i;

	close(x->fd);
	if (x->pid > 0) {
		kill(x->pid, SIGTERM);
		waitpid(x->pid, NULL, 0);
	}
	for (i = 0; i <= DEPTH; i++)
		free(x->reply[i]);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp);
	return n ? v[n / 2] : 0;
}

enum { W, R, M, NLOAD };
static const char *const load_name[] = {
	"seq-write MB/s", "seq-read MB/s", "create+stat+unlink /s",
};

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/var/tmp";
	u64 size = (argc > 2 ? strtoull(argv[2], NULL, 0) : 256) << 20;
	unsigned int files = argc > 3 ? atoi(argv[3]) : 2000;
	unsigned int rounds = argc > 4 ? atoi(argv[4]) : 3, r, l, t = 0;
	double v[3][NLOAD][16] = { 0 }, med[3][NLOAD];
	struct xport lk = { .name = "lkvm-9p", .aname = "" };
	struct xport di = { .name = "diod", .aname = dir };
	const char *why = "";
	bool have_diod;
	struct c9 c;

	log_set_level(LOG_ERROR);
	rounds = MIN(MAX(rounds, 1u), 16u);
	memset(data, 0x5a, sizeof(data));
	if (c9_open(&c, dir, false, &why)) {
		printf("ok 1 - 9p bench # SKIP %s\n1..1\n", why);
		return 0;
	}
	lk.c = &c;
	c.msize = MSIZE;
	/* The same msize for both: diod's largest, if it is smaller. */
	have_diod = !diod_start(&di, dir) && !x_start(&di, MSIZE);
	if (x_start(&lk, have_diod ? di.msize : MSIZE)) {
		printf("not ok 1 - lkvm-9p: version/attach\n1..1\n");
		return 1;
	}
	for (r = 0; r < rounds; r++) {
		v[0][W][r] = x_write(&lk, size);
		v[0][R][r] = x_read(&lk, size);
		v[0][M][r] = x_meta(&lk, files);
		if (have_diod) {
			v[1][W][r] = x_write(&di, size);
			v[1][R][r] = x_read(&di, size);
			v[1][M][r] = x_meta(&di, files);
		}
		v[2][W][r] = host_seq(dir, true, size);
		v[2][R][r] = host_seq(dir, false, size);
		v[2][M][r] = host_meta(dir, files);
	}
	for (l = 0; l < NLOAD; l++)
		for (r = 0; r < 3; r++)
			med[r][l] = median(v[r][l], rounds);
	printf("# 9p: %llu MiB file, %u files, %u rounds (medians); msize lkvm %u%s",
	       (unsigned long long)(size >> 20), files, rounds, lk.msize,
	       have_diod ? "" : "\n");
	if (have_diod)
		printf(", diod %u\n", di.msize);
	printf("# %-24s %12s %12s %12s %9s %9s\n", "load", "lkvm-9p", "diod",
	       "host", "lkvm/diod", "lkvm/host");
	for (l = 0; l < NLOAD; l++)
		printf("# %-24s %12.0f %12.0f %12.0f %9.2f %9.2f\n",
		       load_name[l], med[0][l], med[1][l], med[2][l],
		       med[1][l] > 0 ? med[0][l] / med[1][l] : 0,
		       med[2][l] > 0 ? med[0][l] / med[2][l] : 0);
	for (l = 0; l < NLOAD; l++)
		printf("%s %u - lkvm-9p %s: %.0f (host %.0f)\n",
		       med[0][l] > 0 ? "ok" : "not ok", ++t, load_name[l],
		       med[0][l], med[2][l]);
	if (have_diod)
		for (l = 0; l < NLOAD; l++)
			printf("ok %u - diod %s: %.0f\n", ++t, load_name[l],
			       med[1][l]);
	else
		printf("ok %u - diod # SKIP not installed or not serving (Debian package diod)\n",
		       ++t);
	printf("1..%u\n", t);
	if (have_diod)
		diod_stop(&di);
	c9_close(&c);
	return 0;
}
