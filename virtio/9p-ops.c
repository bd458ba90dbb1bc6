// SPDX-License-Identifier: GPL-2.0
/*
 * The 9P2000.L message handlers. See include/virtio/9p.h; the fids are
 * the table's (virtio/9p-fids.c), the file system work is the share's
 * (include/virtio/9p-fs.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "9p-ops-int.h"

static bool is_dir(const struct p9fs_node *n)
{
	return (n->mode & S_IFMT) == S_IFDIR;
}

static bool is_open(const struct p9fs_node *n)
{
	return n->open_fd >= 0 || n->dir;
}

static int name_ok(const struct p9_str *name)
{
	return p9fs_name_ok(name->s, name->len) ? 0 : -EINVAL;
}

static int rofs(struct p9_call *c)
{
	return p9fs_readonly(c->s->fs) ? -EROFS : 0;
}

static int op_version(struct p9_call *c)
{
	struct p9_msg *m = c->m;
	u32 msize;
	int r;

	if (m->version.msize < P9_MSIZE_MIN)
		return -EINVAL;
	msize = MIN(m->version.msize, (u32)P9_MSIZE_MAX);
	r = p9_fids_session(c, msize);
	if (r)
		return r;
	if (strcmp(m->version.version.s, P9_VERSION_L))
		return p9_pack(c->rb, "ds", msize, "unknown", 7);
	return p9_pack(c->rb, "ds", msize, P9_VERSION_L,
		       (unsigned int)strlen(P9_VERSION_L));
}

static int op_attach(struct p9_call *c)
{
	struct p9_msg *m = c->m;
	struct p9_fid *f;
	struct p9_qid qid;
	int r;

	if (m->attach.afid != P9_NOFID)
		return -EINVAL;		/* no authentication */
	r = p9_fid_new(c->s, c->epoch, m->attach.fid, &f);
	if (r)
		return r;
	r = p9fs_root(c->s->fs, &f->node, &qid);
	if (r) {
		p9_fid_drop(c->s, f);
		return r;
	}
	f->kind = P9_FID_NODE;
	f->uid = m->attach.n_uname == P9_NOFID ? 0 : m->attach.n_uname;
	c->f[0] = f;
	c->nf = 1;
	return p9_pack(c->rb, "Q", &qid);
}

static int op_walk(struct p9_call *c)
{
	struct p9_msg *m = c->m;
	struct p9_server *s = c->s;
	struct p9_qid qids[P9_MAXWELEM];
	struct p9fs_node cur, next;
	struct p9_fid *nf = NULL;
	unsigned int i, k;
	int r;

	r = p9_take(c, 1, m->walk.fid, 0);
	if (r)
		return r;
	if (is_open(&c->f[0]->node))
		return -EBUSY;		/* walk from an open fid: not allowed */
	if (m->walk.newfid != m->walk.fid) {
		r = p9_fid_new(s, c->epoch, m->walk.newfid, &nf);
		if (r)
			return r;
	}
	p9fs_node_init(&cur);
	r = p9fs_node_clone(s->fs, &c->f[0]->node, &cur);
	for (i = 0; !r && i < m->walk.nwname; i++) {
		const struct p9_str *w = &m->walk.wname[i];

		if (!is_dir(&cur)) {
			r = -ENOTDIR;
			break;
		}
		if (strcmp(w->s, ".") && strcmp(w->s, "..") &&
		    !p9fs_name_ok(w->s, w->len)) {
			r = -EINVAL;
			break;
		}
		p9fs_node_init(&next);
		r = p9fs_walk(s->fs, &cur, w->s, &next, &qids[i]);
		if (r)
			break;
		p9fs_node_release(s->fs, &cur);
		cur = next;
	}
	if (r && i == 0) {
		/* Nothing walked: the error, and newfid is not made. */
		p9fs_node_release(s->fs, &cur);
		if (nf)
			p9_fid_drop(s, nf);
		return r;
	}
	if (i < m->walk.nwname) {
		/* A partial walk: the qids so far, newfid not made. */
		p9fs_node_release(s->fs, &cur);
		if (nf)
			p9_fid_drop(s, nf);
	} else if (nf) {
		nf->node = cur;
		nf->kind = P9_FID_NODE;
		nf->uid = c->f[0]->uid;
		/* Its path is as old as the fid it was walked from. */
		nf->path_gen = c->f[0]->path_gen;
		c->f[1] = nf;
		c->nf = 2;
	} else {
		p9fs_node_release(s->fs, &c->f[0]->node);
		c->f[0]->node = cur;
	}
	r = p9_pack(c->rb, "w", i);
	for (k = 0; !r && k < i; k++)
		r = p9_pack(c->rb, "Q", &qids[k]);
	return r;
}

static int op_lopen(struct p9_call *c)
{
	struct p9_qid qid;
	int r;

	r = p9_take(c, 1, c->m->lopen.fid, 0);
	if (r)
		return r;
	if (is_open(&c->f[0]->node))
		return -EBUSY;
	r = p9fs_open(c->s->fs, &c->f[0]->node, c->m->lopen.flags, &qid);
	if (r)
		return r;
	return p9_pack(c->rb, "Qd", &qid, c->msize - P9_IOHDRSZ);
}

static int op_lcreate(struct p9_call *c)
{
	struct p9_msg *m = c->m;
	struct p9fs_cred cred;
	struct p9_qid qid;
	int r;

	r = p9_take(c, 1, m->lcreate.fid, 0);
	if (!r)
		r = rofs(c);
	if (!r)
		r = name_ok(&m->lcreate.name);
	if (r)
		return r;
	if (!is_dir(&c->f[0]->node) || is_open(&c->f[0]->node))
		return -ENOTDIR;
	cred = (struct p9fs_cred){ c->f[0]->uid, m->lcreate.gid };
	r = p9fs_create(c->s->fs, &c->f[0]->node, m->lcreate.name.s,
			m->lcreate.flags, m->lcreate.mode, &cred, &qid);
	if (r)
		return r;
	return p9_pack(c->rb, "Qd", &qid, c->msize - P9_IOHDRSZ);
}

/* Rread: count[4] data, count clamped to Tread's, the reply's room. */
static int op_read(struct p9_call *c)
{
	struct p9_msg *m = c->m;
	struct p9_fid *f;
	struct iovec iov;
	u32 room, count;
	ssize_t n;
	int r;

	if (c->cap < P9_RREAD_HDR)
		return -EMSGSIZE;
	room = c->cap - P9_RREAD_HDR;
	count = MIN(m->io.count, room);
	r = p9_fids_get(c, &m->io.fid, 1, c->f);
	if (r)
		return r;
	c->nf = 1;
	f = c->f[0];
	iov.iov_base = c->rb->p + P9_RREAD_HDR;
	if (f->kind == P9_FID_XATTR_READ) {
		if (m->io.offset >= f->xsize)
			n = 0;
		else
			n = MIN((u64)count, f->xsize - m->io.offset);
		memcpy(iov.iov_base, f->xbuf + (n ? m->io.offset : 0), n);
	} else if (f->kind == P9_FID_NODE) {
		if (f->node.open_fd < 0 || is_dir(&f->node))
			return -EBADF;
		iov.iov_len = count;
		n = p9fs_read(c->s->fs, &f->node, m->io.offset, &iov, 1);
		if (n < 0)
			return (int)n;
		if ((u64)n > count)
			n = count;
	} else {
		return -EBADF;
	}
	r = p9_pack(c->rb, "d", (u32)n);
	c->rb->pos += (u32)n;
	return r;
}

static int op_write(struct p9_call *c)
{
	struct p9_msg *m = c->m;
	struct p9_fid *f;
	struct iovec iov;
	u32 count = m->io.count;	/* in the message, so <= msize */
	ssize_t n;
	int r;

	r = p9_fids_get(c, &m->io.fid, 1, c->f);
	if (r)
		return r;
	c->nf = 1;
	f = c->f[0];
	if (f->kind == P9_FID_XATTR_WRITE) {
		if (m->io.offset > f->xsize)
			return -EINVAL;
		n = MIN((u64)count, f->xsize - m->io.offset);
		memcpy(f->xbuf + m->io.offset, m->io.data, n);
		f->xlen = MAX(f->xlen, m->io.offset + n);
	} else if (f->kind == P9_FID_NODE) {
		if (f->node.open_fd < 0 || is_dir(&f->node))
			return -EBADF;
		iov.iov_base = m->io.data;
		iov.iov_len = count;
		n = p9fs_write(c->s->fs, &f->node, m->io.offset, &iov, 1);
		if (n < 0)
			return (int)n;
	} else {
		return -EBADF;
	}
	return p9_pack(c->rb, "d", (u32)MIN((u64)n, (u64)count));
}

struct dirent_ctx {
	struct p9_buf *rb;
	u32 limit;
};

static int emit_dirent(void *ctx, const struct p9_qid *qid, u64 next,
		       u8 type, const char *name, size_t len)
{
	struct dirent_ctx *d = ctx;

	return p9_put_dirent(d->rb, d->limit, qid, next, type, name, len) ?
	       1 : 0;
}

static int op_readdir(struct p9_call *c)
{
	struct p9_msg *m = c->m;
	struct dirent_ctx d;
	u32 room;
	int r;

	if (c->cap < P9_RREAD_HDR)
		return -EMSGSIZE;
	room = c->cap - P9_RREAD_HDR;
	r = p9_take(c, 1, m->io.fid, 0);
	if (r)
		return r;
	if (!is_dir(&c->f[0]->node) || !is_open(&c->f[0]->node))
		return -EBADF;
	d.rb = c->rb;
	d.limit = P9_RREAD_HDR + MIN(m->io.count, room);
	c->rb->pos = P9_RREAD_HDR;
	r = p9fs_readdir(c->s->fs, &c->f[0]->node, m->io.offset, emit_dirent,
			 &d);
	if (r < 0)
		return r;
	/* count[4] after the header: the entries' bytes. */
	room = c->rb->pos;
	c->rb->pos = P9_HDRSZ;
	r = p9_pack(c->rb, "d", room - P9_RREAD_HDR);
	c->rb->pos = room;
	return r;
}

static int op_getattr(struct p9_call *c)
{
	struct p9_attr a;
	int r;

	r = p9_take(c, 1, c->m->getattr.fid, 0);
	if (r)
		return r;
	memset(&a, 0, sizeof(a));
	r = p9fs_getattr(c->s->fs, &c->f[0]->node, c->m->getattr.mask, &a);
	if (r)
		return r;
	return p9_put_rgetattr(c->rb, &a);
}

static int op_setattr(struct p9_call *c)
{
	int r = p9_take(c, 1, c->m->setattr.fid, 0);

	if (!r)
		r = rofs(c);
	if (r)
		return r;
	return p9fs_setattr(c->s->fs, &c->f[0]->node, &c->m->setattr.sa);
}

static int op_statfs(struct p9_call *c)
{
	struct p9_statfs st;
	int r = p9_take(c, 1, c->m->fid.fid, 0);

	if (r)
		return r;
	memset(&st, 0, sizeof(st));
	r = p9fs_statfs(c->s->fs, &c->f[0]->node, &st);
	if (r)
		return r;
	return p9_put_rstatfs(c->rb, &st);
}

/* Tmkdir, Tmknod, Tsymlink: a new object in directory fid, its qid. */
static int op_make(struct p9_call *c)
{
	struct p9_msg *m = c->m;
	const struct p9_str *name;
	struct p9fs_cred cred;
	struct p9fs_node *dir;
	struct p9_qid qid;
	u32 fid, gid;
	int r;

	switch (m->type) {
	case P9_TMKDIR:
		fid = m->mkdir.dfid, name = &m->mkdir.name, gid = m->mkdir.gid;
		break;
	case P9_TMKNOD:
		fid = m->mknod.dfid, name = &m->mknod.name, gid = m->mknod.gid;
		break;
	default:
		fid = m->symlink.fid, name = &m->symlink.name;
		gid = m->symlink.gid;
		break;
	}
	r = p9_take(c, 1, fid, 0);
	if (!r)
		r = rofs(c);
	if (!r)
		r = name_ok(name);
	if (r)
		return r;
	dir = &c->f[0]->node;
	if (!is_dir(dir))
		return -ENOTDIR;
	cred = (struct p9fs_cred){ c->f[0]->uid, gid };
	if (m->type == P9_TMKDIR)
		r = p9fs_mkdir(c->s->fs, dir, name->s, m->mkdir.mode, &cred,
			       &qid);
	else if (m->type == P9_TMKNOD)
		r = p9fs_mknod(c->s->fs, dir, name->s, m->mknod.mode,
			       m->mknod.major, m->mknod.minor, &cred, &qid);
	else
		r = p9fs_symlink(c->s->fs, dir, name->s, m->symlink.target.s,
				 &cred, &qid);
	if (r)
		return r;
	return p9_pack(c->rb, "Q", &qid);
}

static int op_readlink(struct p9_call *c)
{
	char buf[4096];
	ssize_t n;
	int r;

	r = p9_take(c, 1, c->m->fid.fid, 0);
	if (r)
		return r;
	n = p9fs_readlink(c->s->fs, &c->f[0]->node, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	return p9_pack(c->rb, "s", buf, (unsigned int)MIN((size_t)n,
							   sizeof(buf)));
}

static int op_link(struct p9_call *c)
{
	struct p9_msg *m = c->m;
	int r = p9_take(c, 2, m->link.dfid, m->link.fid);

	if (!r)
		r = rofs(c);
	if (!r)
		r = name_ok(&m->link.name);
	if (r)
		return r;
	if (!is_dir(&c->f[0]->node))
		return -ENOTDIR;
	return p9fs_link(c->s->fs, &c->f[0]->node, &c->f[1]->node,
			 m->link.name.s);
}

static int op_rename(struct p9_call *c)
{
	struct p9_msg *m = c->m;
	struct p9fs_move mv = { NULL, NULL };
	int r = p9_take(c, 2, m->rename.fid, m->rename.dfid);

	if (!r)
		r = rofs(c);
	if (!r)
		r = name_ok(&m->rename.name);
	if (r)
		return r;
	if (c->f[0] == c->f[1] || !is_dir(&c->f[1]->node))
		return -ENOTDIR;
	p9_rename_begin(c->s);
	r = p9fs_rename(c->s->fs, &c->f[0]->node, &c->f[1]->node,
			m->rename.name.s, &mv);
	p9_rename_end(c->s, &mv);
	return r;
}

static int op_renameat(struct p9_call *c)
{
	struct p9_msg *m = c->m;
	struct p9fs_move mv = { NULL, NULL };
	int r = p9_take(c, 2, m->renameat.olddfid, m->renameat.newdfid);

	if (!r)
		r = rofs(c);
	if (!r)
		r = name_ok(&m->renameat.oldname);
	if (!r)
		r = name_ok(&m->renameat.newname);
	if (r)
		return r;
	if (!is_dir(&c->f[0]->node) || !is_dir(&c->f[1]->node))
		return -ENOTDIR;
	p9_rename_begin(c->s);
	r = p9fs_renameat(c->s->fs, &c->f[0]->node, m->renameat.oldname.s,
			  &c->f[1]->node, m->renameat.newname.s, &mv);
	p9_rename_end(c->s, &mv);
	return r;
}

static int op_unlinkat(struct p9_call *c)
{
	struct p9_msg *m = c->m;
	int r = p9_take(c, 1, m->unlinkat.dfid, 0);

	if (!r)
		r = rofs(c);
	if (!r)
		r = name_ok(&m->unlinkat.name);
	if (r)
		return r;
	if (m->unlinkat.flags & ~(u32)AT_REMOVEDIR)
		return -EINVAL;
	if (!is_dir(&c->f[0]->node))
		return -ENOTDIR;
	return p9fs_unlinkat(c->s->fs, &c->f[0]->node, m->unlinkat.name.s,
			     m->unlinkat.flags);
}

static int op_fsync(struct p9_call *c)
{
	int r = p9_take(c, 1, c->m->fsync.fid, 0);

	if (r)
		return r;
	if (!is_open(&c->f[0]->node))
		return -EBADF;
	return p9fs_fsync(c->s->fs, &c->f[0]->node, c->m->fsync.datasync);
}

static int op_lock(struct p9_call *c)
{
	struct p9_flock *fl = &c->m->lock.fl;
	u8 status = P9_LOCK_ERROR;
	int r = p9_take(c, 1, c->m->lock.fid, 0);

	if (r)
		return r;
	if (fl->type > 2)
		return -EINVAL;
	if (c->f[0]->node.open_fd < 0)
		return -EBADF;
	if (c->m->type == P9_TGETLOCK) {
		r = p9fs_getlock(c->s->fs, &c->f[0]->node, fl);
		if (r)
			return r;
		return p9_put_rgetlock(c->rb, fl);
	}
	r = p9fs_lock(c->s->fs, &c->f[0]->node, fl, &status);
	if (r)
		return r;
	return p9_pack(c->rb, "b", (unsigned int)status);
}

static int op_xattrwalk(struct p9_call *c)
{
	struct p9_msg *m = c->m;
	struct p9_server *s = c->s;
	const char *name = m->xattrwalk.name.len ? m->xattrwalk.name.s : NULL;
	struct p9_fid *nf = NULL;
	ssize_t len;
	u64 res;
	u8 *buf;
	int r;

	r = p9_take(c, 1, m->xattrwalk.fid, 0);
	if (r)
		return r;
	len = p9fs_xattr_get(s->fs, &c->f[0]->node, name, NULL, 0);
	if (len < 0)
		return (int)len;
	if (len > P9_XATTR_MAX)
		return -E2BIG;
	res = (u64)len;
	if (p9_xattr_reserve(s, res))
		return -ENOMEM;
	buf = malloc(len ? len : 1);
	if (!buf) {
		p9_xattr_unreserve(s, res);
		return -ENOMEM;
	}
	len = p9fs_xattr_get(s->fs, &c->f[0]->node, name, buf, len);
	if (len < 0 || (u64)len > res) {
		p9_xattr_unreserve(s, res);
		free(buf);
		return len < 0 ? (int)len : -E2BIG;
	}
	if (m->xattrwalk.newfid == m->xattrwalk.fid) {
		nf = c->f[0];
		free(nf->xbuf);
	} else {
		r = p9_fid_new(s, c->epoch, m->xattrwalk.newfid, &nf);
		if (!r)
			r = p9fs_node_clone(s->fs, &c->f[0]->node, &nf->node);
		if (r) {
			if (nf)
				p9_fid_drop(s, nf);
			p9_xattr_unreserve(s, res);
			free(buf);
			return r;
		}
		c->f[1] = nf;
		c->nf = 2;
	}
	nf->kind = P9_FID_XATTR_READ;
	nf->uid = c->f[0]->uid;
	nf->path_gen = c->f[0]->path_gen;
	nf->xbuf = buf;
	nf->xres = res;
	nf->xsize = (u64)len;
	return p9_pack(c->rb, "q", (u64)len);
}

static int op_xattrcreate(struct p9_call *c)
{
	struct p9_msg *m = c->m;
	struct p9_fid *f;
	int r = p9_take(c, 1, m->xattrcreate.fid, 0);

	if (!r)
		r = rofs(c);
	if (r)
		return r;
	if (!m->xattrcreate.name.len)
		return -EINVAL;
	if (m->xattrcreate.size > P9_XATTR_MAX)
		return -E2BIG;
	r = p9_xattr_reserve(c->s, m->xattrcreate.size);
	if (r)
		return r;
	f = c->f[0];
	f->xname = strdup(m->xattrcreate.name.s);
	f->xbuf = calloc(1, m->xattrcreate.size ? m->xattrcreate.size : 1);
	if (!f->xname || !f->xbuf) {
		p9_xattr_unreserve(c->s, m->xattrcreate.size);
		free(f->xname);
		free(f->xbuf);
		f->xname = NULL;
		f->xbuf = NULL;
		return -ENOMEM;
	}
	f->xres = m->xattrcreate.size;
	f->kind = P9_FID_XATTR_WRITE;
	f->xsize = m->xattrcreate.size;
	f->xlen = 0;
	f->xflags = m->xattrcreate.flags;
	return 0;
}

/* Tclunk (an xattrcreate fid sets its attribute now) and Tremove. */
static int op_clunk(struct p9_call *c)
{
	struct p9_fid *f;
	int r;

	r = p9_fids_get(c, &c->m->fid.fid, 1, c->f);
	if (r)
		return r;
	f = c->f[0];
	if (c->m->type == P9_TREMOVE) {
		r = f->kind != P9_FID_NODE ? -EINVAL : rofs(c);
		if (!r)
			r = p9fs_remove(c->s->fs, &f->node);
	} else if (f->kind == P9_FID_XATTR_WRITE) {
		if (f->xlen != f->xsize)
			r = -EINVAL;
		else	/* size 0: Linux's removexattr */
			r = p9fs_xattr_set(c->s->fs, &f->node, f->xname,
					   f->xsize ? f->xbuf : NULL, f->xsize,
					   f->xflags);
	}
	/* The fid goes whatever happened (9P: even a failed remove). */
	p9_fid_drop(c->s, f);
	return r;
}

/* The device has already waited for the request Tflush names. */
static int op_flush(struct p9_call *c)
{
	return 0;
}

typedef int (*p9_op)(struct p9_call *c);

static p9_op op_for(u8 type)
{
	switch (type) {
	case P9_TVERSION: return op_version;
	case P9_TFLUSH: return op_flush;
	case P9_TATTACH: return op_attach;
	case P9_TWALK: return op_walk;
	case P9_TLOPEN: return op_lopen;
	case P9_TLCREATE: return op_lcreate;
	case P9_TREAD: return op_read;
	case P9_TWRITE: return op_write;
	case P9_TREADDIR: return op_readdir;
	case P9_TGETATTR: return op_getattr;
	case P9_TSETATTR: return op_setattr;
	case P9_TSTATFS: return op_statfs;
	case P9_TMKDIR:
	case P9_TMKNOD:
	case P9_TSYMLINK: return op_make;
	case P9_TREADLINK: return op_readlink;
	case P9_TLINK: return op_link;
	case P9_TRENAME: return op_rename;
	case P9_TRENAMEAT: return op_renameat;
	case P9_TUNLINKAT: return op_unlinkat;
	case P9_TFSYNC: return op_fsync;
	case P9_TLOCK:
	case P9_TGETLOCK: return op_lock;
	case P9_TXATTRWALK: return op_xattrwalk;
	case P9_TXATTRCREATE: return op_xattrcreate;
	case P9_TCLUNK:
	case P9_TREMOVE: return op_clunk;
	default: return NULL;	/* Tauth, 9P2000's own, R-messages */
	}
}

/*
 * bad: the request itself was malformed or unknown (one rate-limited
 * line); a handler's error (ENOENT, a missing xattr's EOPNOTSUPP that
 * Linux asks for at every exec) is an ordinary answer and says nothing.
 */
static u32 reply_error(struct p9_server *s, u8 *out, u32 out_cap, u16 tag,
		       u8 type, int err, bool bad)
{
	int n;

	if (bad)
		pr_warn_ratelimited("%s: bad %s (type %u, tag %u): %s", s->name,
				    p9_type_name(type), type, tag,
				    strerror(-err));
	n = p9_reply_error(out, out_cap, tag, (u32)-err);
	return n < 0 ? 0 : (u32)n;
}

u32 p9_server_handle_io(struct p9_server *s, u8 *in, u32 in_len, u8 *out,
			u32 out_cap, struct p9_iobufs *io)
{
	struct p9_call c = { .s = s, .io = io };
	struct p9_msg m;
	struct p9_buf rb;
	u32 size, msize;
	u16 tag;
	u8 type;
	p9_op op;
	bool bad = false;
	int r;

	pthread_mutex_lock(&s->lock);
	msize = s->msize;
	c.epoch = io && io->epoch ? io->epoch : s->epoch;
	pthread_mutex_unlock(&s->lock);
	if (io)
		io->parked = false;
	r = p9_parse_header(in, in_len, &size, &type, &tag);
	if (out_cap < P9_RLERROR_SZ) {
		/* Not even room for Rlerror: do nothing, answer nothing. */
		pr_warn_ratelimited("%s: %s (tag %u) with %u bytes for the reply",
				    s->name, p9_type_name(type), tag, out_cap);
		return 0;
	}
	if (!r && size > msize && type != P9_TVERSION)
		r = -EPROTO;
	if (!r && size > in_len)
		r = -EPROTO;
	else if (!r)
		r = p9_parse(in, size, &m);
	if (!r) {
		op = op_for(type);
		r = op ? 0 : -EOPNOTSUPP;
	}
	bad = r != 0;
	if (r)
		goto error;
	c.m = &m;
	c.rb = &rb;
	c.msize = msize;
	c.cap = type == P9_TVERSION ? out_cap : MIN(out_cap, msize);
	p9_reply_begin(&rb, out, c.cap);
	r = op(&c);
	if (c.nf)
		p9_fids_put(s, c.f, c.nf);
	if (c.parked) {
		/* Nothing done, nothing answered: served again later. */
		io->parked = true;
		return 0;
	}
	if (!r)
		r = p9_reply_end(&rb, type + 1, tag);
	if (r < 0)
		goto error;
	pr_debug("%s: %s tag %u: %d bytes", s->name, p9_type_name(type), tag,
		 r);
	return (u32)r;
error:
	pr_debug("%s: %s tag %u: %s", s->name, p9_type_name(type), tag,
		 strerror(-r));
	return reply_error(s, out, out_cap, tag, type, r, bad);
}
