// SPDX-License-Identifier: GPL-2.0
/*
 * virtio/9p-proto.c: every 9P2000.L T-message parses back to the fields
 * it was built from; every prefix of it, a size field that lies either
 * way, a name with a NUL and too many walk names are refused; the
 * R-messages come out byte for byte as the protocol lays them out, and a
 * reply that does not fit is refused rather than cut.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "virtio/9p-proto.h"

#define BUFSZ 8192

static u8 msg[BUFSZ], copy[BUFSZ];

/* A T-message: header then fmt's fields. Its length. */
static u32 build(u8 type, u16 tag, const char *fmt, ...)
{
	struct p9_buf b;
	va_list ap;
	u32 len;

	p9_buf_init(&b, msg, BUFSZ);
	b.pos = P9_HDRSZ;
	va_start(ap, fmt);
	if (p9_vpack(&b, fmt, ap))
		abort();
	va_end(ap);
	len = b.pos;
	b.pos = 0;
	p9_pack(&b, "dbw", len, (unsigned int)type, (unsigned int)tag);
	return len;
}

/* Parse a fresh copy of msg[0, len) (parsing writes into it). */
static int parse(u32 len, struct p9_msg *m)
{
	u32 size;
	u16 tag;
	u8 type;
	int r;

	memcpy(copy, msg, len);
	r = p9_parse_header(copy, len, &size, &type, &tag);
	if (r)
		return r;
	return p9_parse(copy, size, m);
}

static bool str_is(const struct p9_str *s, const char *want)
{
	return s->s && s->len == strlen(want) && !strcmp(s->s, want);
}

/*
 * Every prefix of the message (its size field made to match) and the
 * message with its size field one short / one long is refused.
 */
static void check_cuts(const char *what, u32 len)
{
	unsigned int bad = 0;
	struct p9_msg m;
	u32 cut;

	for (cut = 0; cut < len; cut++) {
		memcpy(copy, msg, len);
		if (cut >= 4) {
			copy[0] = (u8)cut;
			copy[1] = (u8)(cut >> 8);
		}
		if (!p9_parse_header(copy, cut, &(u32){ 0 }, &(u8){ 0 },
				     &(u16){ 0 }) &&
		    !p9_parse(copy, cut, &m))
			bad++;
	}
	ok(!bad, "%s: each of its %u prefixes is refused (%u taken)", what,
	   len, bad);
	memcpy(copy, msg, len);
	copy[0] = (u8)(len + 1);
	ok(p9_parse_header(copy, len, &(u32){ 0 }, &(u8){ 0 }, &(u16){ 0 }) ==
	   -EPROTO, "%s: a size field past the bytes at hand is refused", what);
	memcpy(copy, msg, len);
	copy[len] = 0;
	copy[0] = (u8)(len + 1);
	copy[1] = (u8)((len + 1) >> 8);
	ok(p9_parse(copy, len + 1, &m) == -EPROTO,
	   "%s: a trailing byte is refused", what);
}

static void test_tmessages(void)
{
	struct p9_msg m;
	u32 len;

	len = build(P9_TVERSION, P9_NOTAG, "ds", 131072, "9P2000.L", 8);
	ok(!parse(len, &m) && m.type == P9_TVERSION && m.tag == P9_NOTAG &&
	   m.size == len && m.version.msize == 131072 &&
	   str_is(&m.version.version, "9P2000.L"), "Tversion");
	check_cuts("Tversion", len);

	len = build(P9_TATTACH, 1, "ddssd", 7, P9_NOFID, "root", 4, "/", 1,
		    1000);
	ok(!parse(len, &m) && m.tag == 1 && m.attach.fid == 7 &&
	   m.attach.afid == P9_NOFID && str_is(&m.attach.uname, "root") &&
	   str_is(&m.attach.aname, "/") && m.attach.n_uname == 1000,
	   "Tattach");
	check_cuts("Tattach", len);

	len = build(P9_TAUTH, 2, "dssd", 9, "u", 1, "", 0, 5);
	ok(!parse(len, &m) && m.attach.afid == 9 && m.attach.fid == P9_NOFID &&
	   m.attach.n_uname == 5, "Tauth");

	len = build(P9_TFLUSH, 3, "w", 77);
	ok(!parse(len, &m) && m.flush.oldtag == 77, "Tflush");
	check_cuts("Tflush", len);

	len = build(P9_TWALK, 4, "ddwsss", 1, 2, 3, "a", 1, "..", 2, "ccc", 3);
	ok(!parse(len, &m) && m.walk.fid == 1 && m.walk.newfid == 2 &&
	   m.walk.nwname == 3 && str_is(&m.walk.wname[0], "a") &&
	   str_is(&m.walk.wname[1], "..") && str_is(&m.walk.wname[2], "ccc"),
	   "Twalk with 3 names, strings NUL-terminated in place");
	check_cuts("Twalk", len);
	len = build(P9_TWALK, 4, "ddw", 1, 2, 0);
	ok(!parse(len, &m) && m.walk.nwname == 0, "Twalk with no name");

	len = build(P9_TREAD, 5, "dqd", 3, 0x123456789ULL, 4096);
	ok(!parse(len, &m) && m.io.fid == 3 && m.io.offset == 0x123456789ULL &&
	   m.io.count == 4096, "Tread");
	check_cuts("Tread", len);
	len = build(P9_TREADDIR, 5, "dqd", 3, 9, 100);
	ok(!parse(len, &m) && m.io.offset == 9 && m.io.count == 100,
	   "Treaddir");

	len = build(P9_TWRITE, 6, "dqds", 3, 10ULL, 5, "xhello", 6);
	/* count 5 then "xhello" as s: 2-byte length + 6 bytes = 8 > 5. */
	ok(parse(len, &m) == -EPROTO,
	   "Twrite whose count disagrees with its data is refused");
	len = build(P9_TWRITE, 6, "dqdbbbbb", 3, 10ULL, 5, 'h', 'e', 'l', 'l',
		    'o');
	ok(!parse(len, &m) && m.io.count == 5 && m.io.offset == 10 &&
	   !memcmp(m.io.data, "hello", 5), "Twrite");
	check_cuts("Twrite", len);
	len = build(P9_TWRITE, 6, "dqd", 3, 0ULL, 0x7fffffff);
	ok(parse(len, &m) == -EPROTO, "Twrite with a huge count is refused");

	len = build(P9_TCLUNK, 7, "d", 11);
	ok(!parse(len, &m) && m.fid.fid == 11, "Tclunk");
	check_cuts("Tclunk", len);
	len = build(P9_TREMOVE, 7, "d", 12);
	ok(!parse(len, &m) && m.fid.fid == 12, "Tremove");
	len = build(P9_TSTATFS, 7, "d", 13);
	ok(!parse(len, &m) && m.fid.fid == 13, "Tstatfs");
	len = build(P9_TREADLINK, 7, "d", 14);
	ok(!parse(len, &m) && m.fid.fid == 14, "Treadlink");

	len = build(P9_TLOPEN, 8, "dd", 3, 0101);
	ok(!parse(len, &m) && m.lopen.fid == 3 && m.lopen.flags == 0101,
	   "Tlopen");
	check_cuts("Tlopen", len);

	len = build(P9_TLCREATE, 9, "dsddd", 3, "new", 3, 02, 0644, 100);
	ok(!parse(len, &m) && m.lcreate.fid == 3 &&
	   str_is(&m.lcreate.name, "new") && m.lcreate.flags == 02 &&
	   m.lcreate.mode == 0644 && m.lcreate.gid == 100, "Tlcreate");
	check_cuts("Tlcreate", len);

	len = build(P9_TSYMLINK, 10, "dssd", 3, "l", 1, "/etc/passwd", 11, 5);
	ok(!parse(len, &m) && str_is(&m.symlink.name, "l") &&
	   str_is(&m.symlink.target, "/etc/passwd") && m.symlink.gid == 5,
	   "Tsymlink");
	check_cuts("Tsymlink", len);

	len = build(P9_TMKNOD, 11, "dsdddd", 3, "n", 1, 020644, 8, 1, 6);
	ok(!parse(len, &m) && m.mknod.dfid == 3 && m.mknod.mode == 020644 &&
	   m.mknod.major == 8 && m.mknod.minor == 1 && m.mknod.gid == 6,
	   "Tmknod");
	check_cuts("Tmknod", len);

	len = build(P9_TRENAME, 12, "dds", 3, 4, "to", 2);
	ok(!parse(len, &m) && m.rename.fid == 3 && m.rename.dfid == 4 &&
	   str_is(&m.rename.name, "to"), "Trename");
	check_cuts("Trename", len);

	len = build(P9_TGETATTR, 13, "dq", 3, 0x3fffULL);
	ok(!parse(len, &m) && m.getattr.mask == 0x3fff, "Tgetattr");
	check_cuts("Tgetattr", len);

	len = build(P9_TSETATTR, 14, "dddddqqqqq", 3, 0x1ff, 0755, 1, 2, 99ULL,
		    1ULL, 2ULL, 3ULL, 4ULL);
	ok(!parse(len, &m) && m.setattr.sa.valid == 0x1ff &&
	   m.setattr.sa.mode == 0755 && m.setattr.sa.uid == 1 &&
	   m.setattr.sa.gid == 2 && m.setattr.sa.size == 99 &&
	   m.setattr.sa.atime_sec == 1 && m.setattr.sa.mtime_nsec == 4,
	   "Tsetattr");
	check_cuts("Tsetattr", len);

	len = build(P9_TXATTRWALK, 15, "dds", 3, 4, "user.a", 6);
	ok(!parse(len, &m) && m.xattrwalk.newfid == 4 &&
	   str_is(&m.xattrwalk.name, "user.a"), "Txattrwalk");
	check_cuts("Txattrwalk", len);

	len = build(P9_TXATTRCREATE, 16, "dsqd", 3, "user.b", 6, 10ULL, 1);
	ok(!parse(len, &m) && m.xattrcreate.size == 10 &&
	   m.xattrcreate.flags == 1 && str_is(&m.xattrcreate.name, "user.b"),
	   "Txattrcreate");
	check_cuts("Txattrcreate", len);

	len = build(P9_TFSYNC, 17, "dd", 3, 1);
	ok(!parse(len, &m) && m.fsync.fid == 3 && m.fsync.datasync == 1,
	   "Tfsync");

	len = build(P9_TLOCK, 18, "dbdqqds", 3, 1, 2, 10ULL, 20ULL, 42,
		    "host", 4);
	ok(!parse(len, &m) && m.lock.fl.type == 1 && m.lock.fl.flags == 2 &&
	   m.lock.fl.start == 10 && m.lock.fl.length == 20 &&
	   m.lock.fl.proc_id == 42 && !strcmp(m.lock.fl.client_id, "host"),
	   "Tlock");
	check_cuts("Tlock", len);
	len = build(P9_TGETLOCK, 19, "dbqqds", 3, 0, 1ULL, 2ULL, 3, "c", 1);
	ok(!parse(len, &m) && m.lock.fl.type == 0 && m.lock.fl.start == 1 &&
	   m.lock.fl.proc_id == 3 && !strcmp(m.lock.fl.client_id, "c"),
	   "Tgetlock");
	check_cuts("Tgetlock", len);

	len = build(P9_TLINK, 20, "dds", 3, 4, "hard", 4);
	ok(!parse(len, &m) && m.link.dfid == 3 && m.link.fid == 4 &&
	   str_is(&m.link.name, "hard"), "Tlink");
	check_cuts("Tlink", len);

	len = build(P9_TMKDIR, 21, "dsdd", 3, "d", 1, 0700, 7);
	ok(!parse(len, &m) && m.mkdir.mode == 0700 && m.mkdir.gid == 7 &&
	   str_is(&m.mkdir.name, "d"), "Tmkdir");
	check_cuts("Tmkdir", len);

	len = build(P9_TRENAMEAT, 22, "dsds", 3, "a", 1, 4, "bb", 2);
	ok(!parse(len, &m) && m.renameat.olddfid == 3 &&
	   m.renameat.newdfid == 4 && str_is(&m.renameat.oldname, "a") &&
	   str_is(&m.renameat.newname, "bb"), "Trenameat");
	check_cuts("Trenameat", len);

	len = build(P9_TUNLINKAT, 23, "dsd", 3, "x", 1, 0x200);
	ok(!parse(len, &m) && m.unlinkat.flags == 0x200 &&
	   str_is(&m.unlinkat.name, "x"), "Tunlinkat");
	check_cuts("Tunlinkat", len);
}

static void test_hostile(void)
{
	struct p9_msg m;
	u32 len, size;
	u16 tag;
	u8 type;

	len = build(P9_TWALK, 1, "ddw", 1, 2, 17);
	ok(parse(len, &m) == -EPROTO, "Twalk with 17 names is refused");
	len = build(P9_TWALK, 1, "ddwss", 1, 2, 2, "a", 1, "b\0c", 3);
	ok(parse(len, &m) == -EINVAL, "a walk name with a NUL is refused");
	len = build(P9_TLCREATE, 1, "dsddd", 3, "a\0", 2, 0, 0, 0);
	ok(parse(len, &m) == -EINVAL, "a create name with a NUL is refused");
	len = build(P9_TSYMLINK, 1, "dssd", 3, "l", 1, "/x\0/y", 5, 0);
	ok(parse(len, &m) == -EINVAL,
	   "a symlink target with a NUL is refused");
	len = build(P9_TLOCK, 18, "dbdqqds", 3, 1, 2, 10ULL, 20ULL, 42,
		    msg + 1000, 256);
	ok(parse(len, &m) == -EINVAL, "a 256-byte lock client id is refused");
	len = build(P9_TWALK, 1, "ddw", 1, 2, 1);
	/* A string length beyond the message. */
	msg[len] = 0xff;
	msg[len + 1] = 0xff;
	msg[0] = (u8)(len + 2);
	ok(parse(len + 2, &m) == -EPROTO,
	   "a string whose length runs past the message is refused");
	len = build(P9_TOPEN, 1, "db", 1, 0);
	ok(parse(len, &m) == -EOPNOTSUPP, "9P2000's Topen is not supported");
	len = build(P9_RREAD, 1, "d", 0);
	ok(parse(len, &m) == -EOPNOTSUPP, "an R-message is not a request");
	len = build(255, 1, "");
	ok(parse(len, &m) == -EOPNOTSUPP, "type 255 is not supported");
	memset(msg, 0, 7);
	ok(p9_parse_header(msg, 7, &size, &type, &tag) == -EPROTO &&
	   tag == 0, "a size field of 0 is refused, the tag still read");
	ok(p9_parse_header(msg, 6, &size, &type, &tag) == -EPROTO &&
	   tag == P9_NOTAG, "6 bytes: no header, tag NOTAG");
	memset(msg, 0xff, 7);
	ok(p9_parse_header(msg, 7, &size, &type, &tag) == -EPROTO &&
	   tag == 0xffff, "a size field of 4 GiB is refused");
}

/* Decode the reply in out: its header, then fmt. */
static bool reply_is(u8 *out, int n, u8 type, u16 tag)
{
	struct p9_buf b;
	u32 size;
	u8 t;
	u16 g;

	if (n < P9_HDRSZ)
		return false;
	p9_buf_init(&b, out, (u32)n);
	return !p9_unpack(&b, "dbw", &size, &t, &g) && size == (u32)n &&
	       t == type && g == tag;
}

static void test_rmessages(void)
{
	static u8 out[512];
	struct p9_attr a = { 0 };
	struct p9_statfs st = { 0 };
	struct p9_flock fl = { 0 };
	struct p9_qid q = { P9_QTDIR, 7, 0x1122334455667788ULL }, q2;
	struct p9_buf b;
	struct p9_str s;
	u64 off, v64[16];
	u32 v32[4];
	u8 t;
	int n;

	n = p9_reply_error(out, sizeof(out), 9, ENOENT);
	ok(n == 11 && reply_is(out, n, P9_RLERROR, 9) && out[7] == ENOENT &&
	   !out[8] && !out[9] && !out[10], "Rlerror: 11 bytes, ecode le32");
	ok(p9_reply_error(out, 10, 9, ENOENT) == -EMSGSIZE,
	   "Rlerror in 10 bytes is refused");

	p9_reply_begin(&b, out, sizeof(out));
	p9_pack(&b, "Qd", &q, 4096 - 24);
	n = p9_reply_end(&b, P9_RLOPEN, 3);
	p9_buf_init(&b, out + 7, n - 7);
	ok(n == 7 + 13 + 4 && reply_is(out, n, P9_RLOPEN, 3) &&
	   !p9_unpack(&b, "Qd", &q2, &v32[0]) && q2.type == q.type &&
	   q2.version == 7 && q2.path == q.path && v32[0] == 4072 &&
	   out[7] == P9_QTDIR && out[8] == 7 && out[12] == 0x88,
	   "Rlopen: qid (type, version, path le64) and iounit");

	a.valid = 0x7ff;
	a.qid = q;
	a.mode = 0100644;
	a.uid = 1;
	a.gid = 2;
	a.nlink = 3;
	a.size = 4;
	a.mtime_sec = 5;
	a.data_version = 6;
	p9_reply_begin(&b, out, sizeof(out));
	p9_put_rgetattr(&b, &a);
	n = p9_reply_end(&b, P9_RGETATTR, 4);
	p9_buf_init(&b, out + 7, n - 7);
	ok(n == 7 + 8 + 13 + 12 + 15 * 8 && reply_is(out, n, P9_RGETATTR, 4) &&
	   !p9_unpack(&b, "qQdddqqqqqqqqqqqqqqq", &v64[0], &q2, &v32[0],
		      &v32[1], &v32[2], &v64[1], &v64[2], &v64[3], &v64[4],
		      &v64[5], &v64[6], &v64[7], &v64[8], &v64[9], &v64[10],
		      &v64[11], &v64[12], &v64[13], &v64[14], &v64[15]) &&
	   v64[0] == 0x7ff && v32[0] == 0100644 && v32[1] == 1 &&
	   v32[2] == 2 && v64[1] == 3 && v64[3] == 4 && v64[8] == 5 &&
	   v64[15] == 6, "Rgetattr: 160 bytes, every field in order");

	st.type = 0x01021997;
	st.bsize = 4096;
	st.blocks = 10;
	st.fsid = 11;
	st.namelen = 255;
	p9_reply_begin(&b, out, sizeof(out));
	p9_put_rstatfs(&b, &st);
	n = p9_reply_end(&b, P9_RSTATFS, 5);
	p9_buf_init(&b, out + 7, n - 7);
	ok(n == 7 + 4 + 4 + 6 * 8 + 4 && reply_is(out, n, P9_RSTATFS, 5) &&
	   !p9_unpack(&b, "ddqqqqqqd", &v32[0], &v32[1], &v64[0], &v64[1],
		      &v64[2], &v64[3], &v64[4], &v64[5], &v32[2]) &&
	   v32[0] == 0x01021997 && v64[0] == 10 && v64[5] == 11 &&
	   v32[2] == 255, "Rstatfs");

	fl.type = 2;
	fl.start = 100;
	fl.length = 200;
	fl.proc_id = 300;
	strcpy(fl.client_id, "guest");
	p9_reply_begin(&b, out, sizeof(out));
	p9_put_rgetlock(&b, &fl);
	n = p9_reply_end(&b, P9_RGETLOCK, 6);
	p9_buf_init(&b, out + 7, n - 7);
	ok(reply_is(out, n, P9_RGETLOCK, 6) &&
	   !p9_unpack(&b, "bqqds", &t, &v64[0], &v64[1], &v32[0], &s) &&
	   t == 2 && v64[0] == 100 && v64[1] == 200 && v32[0] == 300 &&
	   str_is(&s, "guest"), "Rgetlock");

	p9_reply_begin(&b, out, sizeof(out));
	b.pos = 11;
	ok(!p9_put_dirent(&b, 11 + 24 + 3, &q, 1, 4, "abc", 3) &&
	   p9_put_dirent(&b, 11 + 24 + 3 + 24, &q, 2, 4, "d", 1) ==
	   -EMSGSIZE && !b.bad && b.pos == 11 + 24 + 3,
	   "a dirent that fits is written, one past the limit is not");
	p9_buf_init(&b, out + 11, 27);
	ok(!p9_unpack(&b, "Qqbs", &q2, &off, &t, &s) && off == 1 && t == 4 &&
	   str_is(&s, "abc"), "a dirent: qid offset type name");

	p9_reply_begin(&b, out, 20);
	p9_pack(&b, "Qd", &q, 1);
	ok(p9_reply_end(&b, P9_RLOPEN, 1) == -EMSGSIZE,
	   "a reply past its buffer is refused");
	p9_reply_begin(&b, out, 6);
	ok(p9_reply_end(&b, P9_RCLUNK, 1) == -EMSGSIZE,
	   "no room for a header is refused");
	p9_reply_begin(&b, out, 7);
	ok(p9_reply_end(&b, P9_RCLUNK, 1) == 7 && reply_is(out, 7, P9_RCLUNK, 1),
	   "Rclunk: the header alone");
	ok(!strcmp(p9_type_name(P9_TWALK), "Twalk") &&
	   !strcmp(p9_type_name(200), "T?"), "type names");
}

int main(void)
{
	test_tmessages();
	test_hostile();
	test_rmessages();
	return tap_done();
}
