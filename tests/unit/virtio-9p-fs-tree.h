/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tests' tree: base/share (what lkvm serves) beside base/outside (a
 * sentinel tree the server must never read, write, create or remove in),
 * and a snapshot of everything but the share to compare after each step.
 */
#ifndef LKVM_TESTS_9P_FS_TREE_H
#define LKVM_TESTS_9P_FS_TREE_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "virtio/9p-fs.h"
#include "tap.h"

static char base[] = "/tmp/lkvm-9p-fs-XXXXXX";
static char pbuf[4][512];
static unsigned int pnext;

/* base/rel, from a small ring so a few can be alive at once. */
static inline const char *at(const char *rel)
{
	char *p = pbuf[pnext++ % 4];

	snprintf(p, sizeof(pbuf[0]), "%s/%s", base, rel);
	return p;
}

static inline void die(const char *what)
{
	perror(what);
	exit(1);
}

static inline void put(const char *rel, const char *text)
{
	FILE *f = fopen(at(rel), "w");

	if (!f || fputs(text, f) < 0 || fclose(f))
		die(rel);
}

static inline void mkd(const char *rel)
{
	if (mkdir(at(rel), 0755))
		die(rel);
}

static inline void sym(const char *target, const char *rel)
{
	if (symlink(target, at(rel)))
		die(rel);
}

/* The snapshot: every path beside the share with its type, size, mtime. */
/* A UNIX socket bound at rel (and closed: the file stays). */
static inline void sock_at(const char *rel)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", at(rel));
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)))
		die("bind");
	close(s);
}

/* From the root through each name: 0 and the last node, or -errno. */
static inline int walk_path(struct p9fs *fs, const char *const *names, int nr,
		     struct p9fs_node *out, struct p9_qid *qid)
{
	struct p9fs_node cur, next;
	int i, r;

	r = p9fs_root(fs, &cur, qid);
	for (i = 0; !r && i < nr; i++) {
		r = p9fs_walk(fs, &cur, names[i], &next, qid);
		p9fs_node_release(fs, &cur);
		if (!r)
			cur = next;
	}
	if (!r)
		*out = cur;
	else
		p9fs_node_init(out);
	return r;
}

#define WALK(fs, out, qid, ...)						\
	walk_path(fs, (const char *const[]){ __VA_ARGS__ },		\
		  sizeof((const char *const[]){ __VA_ARGS__ }) /	\
		  sizeof(char *), out, qid)

static char *snap;
static size_t snap_len, snap_cap;

static inline int snap_one(const char *path, const struct stat *st,
			   int flag, struct FTW *ftw)
{
	char line[1024];
	int n;

	if (!strncmp(path + strlen(base), "/share", 6) &&
	    (path[strlen(base) + 6] == '/' || !path[strlen(base) + 6]))
		return FTW_SKIP_SUBTREE;
	n = snprintf(line, sizeof(line), "%s %o %lld %lld.%09ld %llu\n",
		     path, st->st_mode, (long long)st->st_size,
		     (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
		     (unsigned long long)st->st_nlink);
	if (snap_len + n + 1 > snap_cap) {
		snap_cap = (snap_len + n + 1) * 2;
		snap = realloc(snap, snap_cap);
		if (!snap)
			die("realloc");
	}
	memcpy(snap + snap_len, line, n + 1);
	snap_len += n;
	return FTW_CONTINUE;
}

static inline char *outside_snapshot(void)
{
	snap = NULL;
	snap_len = snap_cap = 0;
	if (nftw(base, snap_one, 16, FTW_PHYS | FTW_ACTIONRETVAL))
		die("nftw");
	return snap ? snap : strdup("");
}

static char *sentinel;

/* Nothing beside the share changed since the last call. */
static inline void outside_same(const char *after)
{
	char *now = outside_snapshot();

	ok(!strcmp(now, sentinel), "after %s: nothing outside the share changed",
	   after);
	free(sentinel);
	sentinel = now;
}

static inline int rm_one(const char *path, const struct stat *st, int flag,
			 struct FTW *ftw)
{
	return remove(path) && errno != ENOENT ? -1 : 0;
}

static inline void tree_remove(void)
{
	nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A readdir sink: names into one buffer, up to a budget per call. */
struct names {
	char buf[65536];
	size_t len;
	int budget;
	u64 next;
	int calls;
};

static inline int name_sink(void *ctx, const struct p9_qid *qid, u64 next,
			    u8 type, const char *name, size_t len)
{
	struct names *s = ctx;

	if (!s->budget || s->len + len + 2 > sizeof(s->buf))
		return 1;
	s->budget--;
	memcpy(s->buf + s->len, "/", 1);
	memcpy(s->buf + s->len + 1, name, len);
	s->len += len + 1;
	s->buf[s->len] = '\0';
	s->next = next;
	return 0;
}

/* Every entry of an open directory node, in calls of per entries. */
static inline int list_all(struct p9fs *fs, struct p9fs_node *n, int per,
			   struct names *s)
{
	int r;

	memset(s, 0, sizeof(*s));
	strcpy(s->buf, "");
	do {
		s->budget = per;
		r = p9fs_readdir(fs, n, s->next, name_sink, s);
		s->calls++;
	} while (r > 0 && s->calls < 100000);
	return r;
}

/* "/name/" appears in the listing. */
static inline bool listed(const struct names *s, const char *name)
{
	char key[300];
	const char *p = s->buf;
	size_t kl;

	snprintf(key, sizeof(key), "/%s", name);
	kl = strlen(key);
	while ((p = strstr(p, key))) {
		if (p[kl] == '/' || !p[kl])
			return true;
		p += kl;
	}
	return false;
}

#endif
