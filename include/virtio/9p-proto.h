/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The 9P2000.L wire format: a bounds-checked cursor over one flat message
 * (size[4] type[1] tag[2], then the type's fields; little-endian integers,
 * strings as len[2] bytes, qids as type[1] version[4] path[8]), the
 * T-messages parsed into struct p9_msg, and the R-messages written.
 *
 * Nothing here trusts the message: a read past its end, a size field that
 * disagrees with the bytes at hand, more than P9_MAXWELEM walk names or a
 * string with a NUL in it gives -EPROTO (or -EINVAL for the NUL), and a
 * write past the reply buffer's end gives -EMSGSIZE; the caller answers
 * Rlerror. Strings are handed out NUL-terminated in place: the parser
 * moves each one over its own length field, so no field after it moves.
 */
#ifndef LKVM_VIRTIO_9P_PROTO_H
#define LKVM_VIRTIO_9P_PROTO_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "types.h"
#include "virtio/9p-fs.h"

/* Message types (9P2000 and the .L additions). */
enum p9_type {
	P9_TLERROR = 6, P9_RLERROR,
	P9_TSTATFS = 8, P9_RSTATFS,
	P9_TLOPEN = 12, P9_RLOPEN,
	P9_TLCREATE = 14, P9_RLCREATE,
	P9_TSYMLINK = 16, P9_RSYMLINK,
	P9_TMKNOD = 18, P9_RMKNOD,
	P9_TRENAME = 20, P9_RRENAME,
	P9_TREADLINK = 22, P9_RREADLINK,
	P9_TGETATTR = 24, P9_RGETATTR,
	P9_TSETATTR = 26, P9_RSETATTR,
	P9_TXATTRWALK = 30, P9_RXATTRWALK,
	P9_TXATTRCREATE = 32, P9_RXATTRCREATE,
	P9_TREADDIR = 40, P9_RREADDIR,
	P9_TFSYNC = 50, P9_RFSYNC,
	P9_TLOCK = 52, P9_RLOCK,
	P9_TGETLOCK = 54, P9_RGETLOCK,
	P9_TLINK = 70, P9_RLINK,
	P9_TMKDIR = 72, P9_RMKDIR,
	P9_TRENAMEAT = 74, P9_RRENAMEAT,
	P9_TUNLINKAT = 76, P9_RUNLINKAT,
	P9_TVERSION = 100, P9_RVERSION,
	P9_TAUTH = 102, P9_RAUTH,
	P9_TATTACH = 104, P9_RATTACH,
	P9_TERROR = 106, P9_RERROR,
	P9_TFLUSH = 108, P9_RFLUSH,
	P9_TWALK = 110, P9_RWALK,
	P9_TOPEN = 112, P9_ROPEN,
	P9_TCREATE = 114, P9_RCREATE,
	P9_TREAD = 116, P9_RREAD,
	P9_TWRITE = 118, P9_RWRITE,
	P9_TCLUNK = 120, P9_RCLUNK,
	P9_TREMOVE = 122, P9_RREMOVE,
	P9_TSTAT = 124, P9_RSTAT,
	P9_TWSTAT = 126, P9_RWSTAT,
};

#define P9_HDRSZ	7		/* size[4] type[1] tag[2] */
#define P9_NOTAG	0xffff
#define P9_NOFID	0xffffffffU
#define P9_MAXWELEM	16		/* names in one Twalk */
#define P9_QIDSZ	13
#define P9_RLERROR_SZ	11		/* size type tag ecode[4] */
/* Bytes before the data of Rread (size type tag count) and Twrite. */
#define P9_RREAD_HDR	11
#define P9_TWRITE_HDR	23
/* Tread / Twrite header as Linux counts it, for the iounit. */
#define P9_IOHDRSZ	24
#define P9_VERSION_L	"9P2000.L"

/* A string inside the message: NUL-terminated in place, len bytes. */
struct p9_str {
	char *s;
	u16 len;
};

/* A cursor over one flat message, for reading or writing. */
struct p9_buf {
	u8 *p;
	u32 cap;	/* bytes at p */
	u32 pos;	/* next byte */
	bool bad;	/* read past the end / no room: sticky */
};

static inline void p9_buf_init(struct p9_buf *b, void *p, u32 cap)
{
	b->p = p;
	b->cap = cap;
	b->pos = 0;
	b->bad = false;
}

/*
 * Read or write fields by a format: 'b' u8, 'w' u16, 'd' u32, 'q' u64,
 * 's' string (read: struct p9_str *; write: const char *, unsigned int
 * len), 'z' (write only) a NUL-terminated string written as 's', 'Q' qid
 * (struct p9_qid *; written from a const pointer). Reading NUL-terminates
 * strings in place; one with a NUL inside is read whole, and p9_str_ok()
 * says so. -EPROTO (read) or -EMSGSIZE (write) when the buffer ends; the
 * cursor is bad from then on.
 */
int p9_unpack(struct p9_buf *b, const char *fmt, ...);
int p9_pack(struct p9_buf *b, const char *fmt, ...);
int p9_vunpack(struct p9_buf *b, const char *fmt, va_list ap);
int p9_vpack(struct p9_buf *b, const char *fmt, va_list ap);

/* A string without an embedded NUL. */
static inline bool p9_str_ok(const struct p9_str *s)
{
	return s->s && __builtin_strlen(s->s) == s->len;
}

/* One parsed T-message. */
struct p9_msg {
	u32 size;
	u8 type;
	u16 tag;
	union {
		struct { u32 msize; struct p9_str version; } version;
		struct {
			u32 fid, afid;
			struct p9_str uname, aname;
			u32 n_uname;
		} attach;			/* and Tauth (fid: afid) */
		struct { u16 oldtag; } flush;
		struct {
			u32 fid, newfid;
			u16 nwname;
			struct p9_str wname[P9_MAXWELEM];
		} walk;
		/* Tread, Treaddir, Twrite (data: count bytes in the message). */
		struct { u32 fid; u64 offset; u32 count; u8 *data; } io;
		/* Tclunk, Tremove, Tstatfs, Treadlink. */
		struct { u32 fid; } fid;
		struct { u32 fid, flags; } lopen;
		struct {
			u32 fid;
			struct p9_str name;
			u32 flags, mode, gid;
		} lcreate;
		struct {
			u32 fid;
			struct p9_str name, target;
			u32 gid;
		} symlink;
		struct {
			u32 dfid;
			struct p9_str name;
			u32 mode, major, minor, gid;
		} mknod;
		struct { u32 fid, dfid; struct p9_str name; } rename;
		struct { u32 fid; u64 mask; } getattr;
		struct { u32 fid; struct p9_setattr sa; } setattr;
		struct { u32 fid, newfid; struct p9_str name; } xattrwalk;
		struct {
			u32 fid;
			struct p9_str name;
			u64 size;
			u32 flags;
		} xattrcreate;
		struct { u32 fid, datasync; } fsync;
		/* Tlock and Tgetlock (Tgetlock has no flags). */
		struct { u32 fid; struct p9_flock fl; } lock;
		struct { u32 dfid, fid; struct p9_str name; } link;
		struct {
			u32 dfid;
			struct p9_str name;
			u32 mode, gid;
		} mkdir;
		struct {
			u32 olddfid, newdfid;
			struct p9_str oldname, newname;
		} renameat;
		struct { u32 dfid; struct p9_str name; u32 flags; } unlinkat;
	};
};

/*
 * Read the header of msg (len bytes at hand): its size field must be at
 * least P9_HDRSZ and at most len. tag is set whenever 7 bytes were there
 * (P9_NOTAG otherwise), even on error, for the Rlerror.
 */
int p9_parse_header(u8 *msg, u32 len, u32 *size, u8 *type, u16 *tag);

/*
 * Parse a whole T-message of size bytes (p9_parse_header() first) into m.
 * -EPROTO for a truncated or overlong message, -EOPNOTSUPP for a type
 * that is not a 9P2000.L T-message, -EINVAL for a name with a NUL.
 * Strings point into msg, which must outlive m.
 */
int p9_parse(u8 *msg, u32 size, struct p9_msg *m);

/*
 * Reply writing: p9_reply_begin() reserves the header, the caller packs
 * the fields, p9_reply_end() writes size[4] type[1] tag[2] and returns
 * the reply's length, or -EMSGSIZE if it did not fit.
 */
void p9_reply_begin(struct p9_buf *b, void *out, u32 cap);
int p9_reply_end(struct p9_buf *b, u8 type, u16 tag);
/* Rlerror: ecode is a positive errno. 11 bytes; -EMSGSIZE below that. */
int p9_reply_error(void *out, u32 cap, u16 tag, u32 ecode);

/* The R-messages with fields (the empty ones need only begin/end). */
int p9_put_rgetattr(struct p9_buf *b, const struct p9_attr *a);
int p9_put_rstatfs(struct p9_buf *b, const struct p9_statfs *s);
int p9_put_rgetlock(struct p9_buf *b, const struct p9_flock *fl);
/*
 * One Treaddir entry: qid offset type name. -EMSGSIZE (cursor unchanged,
 * not bad) when it does not fit before limit.
 */
int p9_put_dirent(struct p9_buf *b, u32 limit, const struct p9_qid *qid,
		  u64 off, u8 type, const char *name, size_t len);

/* The name of a message type for logs ("Twalk"), "T?" if unknown. */
const char *p9_type_name(u8 type);

#endif
