// SPDX-License-Identifier: GPL-2.0
/* The 9P2000.L wire format. See include/virtio/9p-proto.h. */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "virtio/9p-proto.h"

static bool room(struct p9_buf *b, u32 n)
{
	if (b->bad || n > b->cap - b->pos) {
		b->bad = true;
		return false;
	}
	return true;
}

static u64 get_le(struct p9_buf *b, u32 n)
{
	u64 v = 0;
	u32 i;

	if (!room(b, n))
		return 0;
	for (i = 0; i < n; i++)
		v |= (u64)b->p[b->pos + i] << (8 * i);
	b->pos += n;
	return v;
}

static void put_le(struct p9_buf *b, u64 v, u32 n)
{
	u32 i;

	if (!room(b, n))
		return;
	for (i = 0; i < n; i++)
		b->p[b->pos + i] = (u8)(v >> (8 * i));
	b->pos += n;
}

/* len[2] bytes: moved back over len[2] and NUL-terminated in place. */
static void get_str(struct p9_buf *b, struct p9_str *s)
{
	u32 start = b->pos;
	u16 len = (u16)get_le(b, 2);

	s->s = NULL;
	s->len = 0;
	if (!room(b, len))
		return;
	memmove(b->p + start, b->p + start + 2, len);
	b->p[start + len] = '\0';
	s->s = (char *)b->p + start;
	s->len = len;
	b->pos += len;
}

static void get_qid(struct p9_buf *b, struct p9_qid *q)
{
	q->type = (u8)get_le(b, 1);
	q->version = (u32)get_le(b, 4);
	q->path = get_le(b, 8);
}

static void put_qid(struct p9_buf *b, const struct p9_qid *q)
{
	put_le(b, q->type, 1);
	put_le(b, q->version, 4);
	put_le(b, q->path, 8);
}

int p9_vunpack(struct p9_buf *b, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		switch (*fmt) {
		case 'b':
			*va_arg(ap, u8 *) = (u8)get_le(b, 1);
			break;
		case 'w':
			*va_arg(ap, u16 *) = (u16)get_le(b, 2);
			break;
		case 'd':
			*va_arg(ap, u32 *) = (u32)get_le(b, 4);
			break;
		case 'q':
			*va_arg(ap, u64 *) = get_le(b, 8);
			break;
		case 's':
			get_str(b, va_arg(ap, struct p9_str *));
			break;
		case 'Q':
			get_qid(b, va_arg(ap, struct p9_qid *));
			break;
		default:
			b->bad = true;
		}
	}
	return b->bad ? -EPROTO : 0;
}

int p9_unpack(struct p9_buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = p9_vunpack(b, fmt, ap);
	va_end(ap);
	return r;
}

/* s[2] then the bytes; longer than 9P's 16-bit length can say: bad. */
static void put_str(struct p9_buf *b, const char *s, size_t len)
{
	if (len > 0xffff) {
		b->bad = true;
		return;
	}
	put_le(b, len, 2);
	if (room(b, len)) {
		memcpy(b->p + b->pos, s, len);
		b->pos += len;
	}
}

int p9_vpack(struct p9_buf *b, const char *fmt, va_list ap)
{
	const char *s;
	unsigned int len;

	for (; *fmt; fmt++) {
		switch (*fmt) {
		case 'b':
			put_le(b, (u8)va_arg(ap, unsigned int), 1);
			break;
		case 'w':
			put_le(b, (u16)va_arg(ap, unsigned int), 2);
			break;
		case 'd':
			put_le(b, va_arg(ap, u32), 4);
			break;
		case 'q':
			put_le(b, va_arg(ap, u64), 8);
			break;
		case 's':
			s = va_arg(ap, const char *);
			len = va_arg(ap, unsigned int);
			put_str(b, s, len);
			break;
		case 'z':
			s = va_arg(ap, const char *);
			put_str(b, s, strlen(s));
			break;
		case 'Q':
			put_qid(b, va_arg(ap, const struct p9_qid *));
			break;
		default:
			b->bad = true;
		}
	}
	return b->bad ? -EMSGSIZE : 0;
}

int p9_pack(struct p9_buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = p9_vpack(b, fmt, ap);
	va_end(ap);
	return r;
}

int p9_parse_header(u8 *msg, u32 len, u32 *size, u8 *type, u16 *tag)
{
	struct p9_buf b;

	*tag = P9_NOTAG;
	*type = 0;
	*size = 0;
	p9_buf_init(&b, msg, len);
	if (p9_unpack(&b, "dbw", size, type, tag)) {
		*tag = P9_NOTAG;
		return -EPROTO;
	}
	if (*size < P9_HDRSZ || *size > len)
		return -EPROTO;
	return 0;
}

/* Every string of m that the type has: no NUL inside. */
static int check_strs(const struct p9_str *const *s, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!p9_str_ok(s[i]))
			return -EINVAL;
	return 0;
}

#define STRS(...) check_strs((const struct p9_str *const[]){ __VA_ARGS__ }, \
		ARRAY_SIZE(((const struct p9_str *const[]){ __VA_ARGS__ })))

static int parse_walk(struct p9_buf *b, struct p9_msg *m)
{
	unsigned int i;

	if (p9_unpack(b, "ddw", &m->walk.fid, &m->walk.newfid,
		      &m->walk.nwname))
		return -EPROTO;
	if (m->walk.nwname > P9_MAXWELEM)
		return -EPROTO;
	for (i = 0; i < m->walk.nwname; i++)
		if (p9_unpack(b, "s", &m->walk.wname[i]))
			return -EPROTO;
	return 0;
}

static int parse_lock(struct p9_buf *b, struct p9_msg *m, bool getlock)
{
	struct p9_flock *fl = &m->lock.fl;
	struct p9_str id;
	int r;

	if (getlock) {
		fl->flags = 0;
		r = p9_unpack(b, "dbqqds", &m->lock.fid, &fl->type, &fl->start,
			      &fl->length, &fl->proc_id, &id);
	} else {
		r = p9_unpack(b, "dbdqqds", &m->lock.fid, &fl->type,
			      &fl->flags, &fl->start, &fl->length,
			      &fl->proc_id, &id);
	}
	if (r)
		return r;
	if (id.len >= sizeof(fl->client_id) || !p9_str_ok(&id))
		return -EINVAL;
	memcpy(fl->client_id, id.s, id.len + 1);
	return 0;
}

/* The fields after the header; -EPROTO if short, -EOPNOTSUPP if unknown. */
static int parse_body(struct p9_buf *b, struct p9_msg *m)
{
	struct p9_setattr *sa = &m->setattr.sa;

	switch (m->type) {
	case P9_TVERSION:
		return p9_unpack(b, "ds", &m->version.msize,
				 &m->version.version);
	case P9_TAUTH:
		m->attach.fid = P9_NOFID;
		return p9_unpack(b, "dssd", &m->attach.afid,
				 &m->attach.uname, &m->attach.aname,
				 &m->attach.n_uname);
	case P9_TATTACH:
		return p9_unpack(b, "ddssd", &m->attach.fid, &m->attach.afid,
				 &m->attach.uname, &m->attach.aname,
				 &m->attach.n_uname);
	case P9_TFLUSH:
		return p9_unpack(b, "w", &m->flush.oldtag);
	case P9_TWALK:
		return parse_walk(b, m);
	case P9_TREAD:
	case P9_TREADDIR:
		return p9_unpack(b, "dqd", &m->io.fid, &m->io.offset,
				 &m->io.count);
	case P9_TWRITE:
		if (p9_unpack(b, "dqd", &m->io.fid, &m->io.offset,
			      &m->io.count) || m->io.count > b->cap - b->pos)
			return -EPROTO;
		m->io.data = b->p + b->pos;
		b->pos += m->io.count;
		return 0;
	case P9_TCLUNK:
	case P9_TREMOVE:
	case P9_TSTATFS:
	case P9_TREADLINK:
		return p9_unpack(b, "d", &m->fid.fid);
	case P9_TLOPEN:
		return p9_unpack(b, "dd", &m->lopen.fid, &m->lopen.flags);
	case P9_TLCREATE:
		return p9_unpack(b, "dsddd", &m->lcreate.fid,
				 &m->lcreate.name, &m->lcreate.flags,
				 &m->lcreate.mode, &m->lcreate.gid);
	case P9_TSYMLINK:
		return p9_unpack(b, "dssd", &m->symlink.fid, &m->symlink.name,
				 &m->symlink.target, &m->symlink.gid);
	case P9_TMKNOD:
		return p9_unpack(b, "dsdddd", &m->mknod.dfid, &m->mknod.name,
				 &m->mknod.mode, &m->mknod.major,
				 &m->mknod.minor, &m->mknod.gid);
	case P9_TRENAME:
		return p9_unpack(b, "dds", &m->rename.fid, &m->rename.dfid,
				 &m->rename.name);
	case P9_TGETATTR:
		return p9_unpack(b, "dq", &m->getattr.fid, &m->getattr.mask);
	case P9_TSETATTR:
		return p9_unpack(b, "dddddqqqqq", &m->setattr.fid, &sa->valid,
				 &sa->mode, &sa->uid, &sa->gid, &sa->size,
				 &sa->atime_sec, &sa->atime_nsec,
				 &sa->mtime_sec, &sa->mtime_nsec);
	case P9_TXATTRWALK:
		return p9_unpack(b, "dds", &m->xattrwalk.fid,
				 &m->xattrwalk.newfid, &m->xattrwalk.name);
	case P9_TXATTRCREATE:
		return p9_unpack(b, "dsqd", &m->xattrcreate.fid,
				 &m->xattrcreate.name, &m->xattrcreate.size,
				 &m->xattrcreate.flags);
	case P9_TFSYNC:
		return p9_unpack(b, "dd", &m->fsync.fid, &m->fsync.datasync);
	case P9_TLOCK:
		return parse_lock(b, m, false);
	case P9_TGETLOCK:
		return parse_lock(b, m, true);
	case P9_TLINK:
		return p9_unpack(b, "dds", &m->link.dfid, &m->link.fid,
				 &m->link.name);
	case P9_TMKDIR:
		return p9_unpack(b, "dsdd", &m->mkdir.dfid, &m->mkdir.name,
				 &m->mkdir.mode, &m->mkdir.gid);
	case P9_TRENAMEAT:
		return p9_unpack(b, "dsds", &m->renameat.olddfid,
				 &m->renameat.oldname, &m->renameat.newdfid,
				 &m->renameat.newname);
	case P9_TUNLINKAT:
		return p9_unpack(b, "dsd", &m->unlinkat.dfid,
				 &m->unlinkat.name, &m->unlinkat.flags);
	default:
		return -EOPNOTSUPP;
	}
}

/* Names that become path components or attribute names: no NUL inside. */
static int check_names(const struct p9_msg *m)
{
	unsigned int i;

	switch (m->type) {
	case P9_TVERSION:
		return STRS(&m->version.version);
	case P9_TAUTH:
	case P9_TATTACH:
		return STRS(&m->attach.uname, &m->attach.aname);
	case P9_TWALK:
		for (i = 0; i < m->walk.nwname; i++)
			if (!p9_str_ok(&m->walk.wname[i]))
				return -EINVAL;
		return 0;
	case P9_TLCREATE:
		return STRS(&m->lcreate.name);
	case P9_TSYMLINK:
		return STRS(&m->symlink.name, &m->symlink.target);
	case P9_TMKNOD:
		return STRS(&m->mknod.name);
	case P9_TRENAME:
		return STRS(&m->rename.name);
	case P9_TXATTRWALK:
		return STRS(&m->xattrwalk.name);
	case P9_TXATTRCREATE:
		return STRS(&m->xattrcreate.name);
	case P9_TLINK:
		return STRS(&m->link.name);
	case P9_TMKDIR:
		return STRS(&m->mkdir.name);
	case P9_TRENAMEAT:
		return STRS(&m->renameat.oldname, &m->renameat.newname);
	case P9_TUNLINKAT:
		return STRS(&m->unlinkat.name);
	default:
		return 0;
	}
}

int p9_parse(u8 *msg, u32 size, struct p9_msg *m)
{
	struct p9_buf b;
	int r;

	memset(m, 0, sizeof(*m));
	p9_buf_init(&b, msg, size);
	if (p9_unpack(&b, "dbw", &m->size, &m->type, &m->tag) ||
	    m->size != size)
		return -EPROTO;
	r = parse_body(&b, m);
	if (r)
		return r;
	/* Bytes left over: the size field lies about the fields. */
	if (b.pos != size)
		return -EPROTO;
	return check_names(m);
}

void p9_reply_begin(struct p9_buf *b, void *out, u32 cap)
{
	p9_buf_init(b, out, cap);
	if (cap < P9_HDRSZ)
		b->bad = true;
	else
		b->pos = P9_HDRSZ;
}

int p9_reply_end(struct p9_buf *b, u8 type, u16 tag)
{
	u32 len = b->pos;

	if (b->bad)
		return -EMSGSIZE;
	b->pos = 0;
	put_le(b, len, 4);
	put_le(b, type, 1);
	put_le(b, tag, 2);
	b->pos = len;
	return (int)len;
}

int p9_reply_error(void *out, u32 cap, u16 tag, u32 ecode)
{
	struct p9_buf b;

	p9_reply_begin(&b, out, cap);
	put_le(&b, ecode, 4);
	return p9_reply_end(&b, P9_RLERROR, tag);
}

int p9_put_rgetattr(struct p9_buf *b, const struct p9_attr *a)
{
	return p9_pack(b, "qQdddqqqqqqqqqqqqqqq", a->valid, &a->qid, a->mode,
		       a->uid, a->gid, a->nlink, a->rdev, a->size, a->blksize,
		       a->blocks, a->atime_sec, a->atime_nsec, a->mtime_sec,
		       a->mtime_nsec, a->ctime_sec, a->ctime_nsec,
		       a->btime_sec, a->btime_nsec, a->gen, a->data_version);
}

int p9_put_rstatfs(struct p9_buf *b, const struct p9_statfs *s)
{
	return p9_pack(b, "ddqqqqqqd", s->type, s->bsize, s->blocks, s->bfree,
		       s->bavail, s->files, s->ffree, s->fsid, s->namelen);
}

int p9_put_rgetlock(struct p9_buf *b, const struct p9_flock *fl)
{
	return p9_pack(b, "bqqds", fl->type, fl->start, fl->length,
		       fl->proc_id, fl->client_id,
		       (unsigned int)strnlen(fl->client_id,
					     sizeof(fl->client_id) - 1));
}

int p9_put_dirent(struct p9_buf *b, u32 limit, const struct p9_qid *qid,
		  u64 off, u8 type, const char *name, size_t len)
{
	u32 need = P9_QIDSZ + 8 + 1 + 2 + (u32)len;
	u32 end = MIN(limit, b->cap);

	if (b->bad || len > 0xffff || b->pos > end || need > end - b->pos)
		return -EMSGSIZE;
	return p9_pack(b, "Qqbs", qid, off, (unsigned int)type, name,
		       (unsigned int)len);
}

const char *p9_type_name(u8 type)
{
	static const char *const names[] = {
		[P9_TSTATFS] = "Tstatfs", [P9_TLOPEN] = "Tlopen",
		[P9_TLCREATE] = "Tlcreate", [P9_TSYMLINK] = "Tsymlink",
		[P9_TMKNOD] = "Tmknod", [P9_TRENAME] = "Trename",
		[P9_TREADLINK] = "Treadlink", [P9_TGETATTR] = "Tgetattr",
		[P9_TSETATTR] = "Tsetattr", [P9_TXATTRWALK] = "Txattrwalk",
		[P9_TXATTRCREATE] = "Txattrcreate", [P9_TREADDIR] = "Treaddir",
		[P9_TFSYNC] = "Tfsync", [P9_TLOCK] = "Tlock",
		[P9_TGETLOCK] = "Tgetlock", [P9_TLINK] = "Tlink",
		[P9_TMKDIR] = "Tmkdir", [P9_TRENAMEAT] = "Trenameat",
		[P9_TUNLINKAT] = "Tunlinkat", [P9_TVERSION] = "Tversion",
		[P9_TAUTH] = "Tauth", [P9_TATTACH] = "Tattach",
		[P9_TFLUSH] = "Tflush", [P9_TWALK] = "Twalk",
		[P9_TREAD] = "Tread", [P9_TWRITE] = "Twrite",
		[P9_TCLUNK] = "Tclunk", [P9_TREMOVE] = "Tremove",
	};

	if (type < ARRAY_SIZE(names) && names[type])
		return names[type];
	return "T?";
}
