// SPDX-License-Identifier: GPL-2.0
/*
 * devices/disk-image.c: what is opened as a disk and how its format is
 * chosen. -d accepts regular files and block devices only, checked before
 * the open (a FIFO does not hang); format=raw|qcow2 wins over probing; a
 * probed-raw writable image refuses a first-sector write that would make
 * it probe as qcow2; backing files are regular files in the image's own
 * directory tree, not reached through a final symlink, unless the user
 * allows it, and a qcow2's backing format is honoured. The backing cases
 * need qemu-img and skip without it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "disk.h"
#include "tap.h"

static char dir[] = "/tmp/lkvm-disk-image-XXXXXX";
static char path[512];
static int fail_strdup;

/* The library's strdup calls land here: fail one on demand. */
char *strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p;

	if (fail_strdup) {
		fail_strdup = 0;
		errno = ENOMEM;
		return NULL;
	}
	p = malloc(n);
	return p ? memcpy(p, s, n) : NULL;
}

static const char *at(const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static int sh(const char *fmt, ...) __printf(1, 2);
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return st < 0 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

static void put(const char *name, const void *data, size_t len, size_t size)
{
	int fd = open(at(name), O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || pwrite(fd, data, len, 0) != (ssize_t)len ||
	    ftruncate(fd, size) || close(fd)) {
		perror(name);
		exit(1);
	}
}

static int open_img(struct disk **d, const char *name,
		    const struct disk_open_opts *o, char *err)
{
	*d = NULL;
	err[0] = '\0';
	return disk_open(d, at(name), o, err, 256);
}

static void on_alarm(int sig)
{
	static const char msg[] = "not ok - an open hung (FIFO opened?)\n";

	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

/* "QFI\xfb" and a header lkvm refuses (version 99). */
static const u8 qcow2ish[8] = { 'Q', 'F', 'I', 0xfb, 0, 0, 0, 99 };

static void test_types(void)
{
	struct disk_open_opts o = { 0 };
	char err[256];
	struct disk *d;
	int r;

	if (mkfifo(at("fifo"), 0600)) {
		perror("mkfifo");
		exit(1);
	}
	r = open_img(&d, "fifo", &o, err);
	ok(r == -EMEDIUMTYPE && !d && strstr(err, "is a FIFO, not a regular file"),
	   "-d FIFO: refused at once, not opened: %s", err);
	o.readonly = true;
	r = open_img(&d, "fifo", &o, err);
	ok(r == -EMEDIUMTYPE && !d,
	   "-d FIFO,ro: refused at once (a read-only open of it would block)");
	err[0] = '\0';
	r = disk_open(&d, "/dev/null", &o, err, sizeof(err));
	ok(r == -EMEDIUMTYPE && strstr(err, "a character device"),
	   "-d /dev/null: refused: %s", err);
	o.readonly = false;
	r = open_img(&d, "", &o, err);
	ok(r == -EMEDIUMTYPE && strstr(err, "a directory"),
	   "-d a directory: refused: %s", err);

	put("raw", "data", 4, 65536);
	fail_strdup = 1;
	r = open_img(&d, "raw", &o, err);
	ok(r == -ENOMEM && !d, "strdup failing in the open: -ENOMEM (%d), no disk",
	   r);
	fail_strdup = 0;
	disk_close(d);
}

static void test_format(void)
{
	struct disk_open_opts o = { 0 };
	char err[256], buf[4];
	struct disk *d;
	int r;

	put("looks-qcow2", qcow2ish, sizeof(qcow2ish), 65536);
	r = open_img(&d, "looks-qcow2", &o, err);
	ok(r && !d && strstr(err, "qcow2"),
	   "probed: a qcow2 magic opens as qcow2 (and this header is refused): %s",
	   err);
	o.format = DISK_FMT_RAW;
	r = open_img(&d, "looks-qcow2", &o, err);
	ok(!r && d && d->format == DISK_FMT_RAW && d->size == 65536 &&
	   !d->probed_raw && !disk_read(d, buf, 4, 0) &&
	   !memcmp(buf, "QFI\xfb", 4),
	   "format=raw: the same file opens as raw, reads its magic, no guard");
	disk_close(d);
	o.format = DISK_FMT_QCOW2;
	r = open_img(&d, "raw", &o, err);
	ok(r == -EINVAL && !d && strstr(err, "not a qcow2 image"),
	   "format=qcow2 on a raw file: refused: %s", err);
	o.format = DISK_FMT_AUTO;
	r = open_img(&d, "raw", &o, err);
	ok(!r && d && d->probed_raw, "probed raw, writable: guarded");
	disk_close(d);
	o.readonly = true;
	r = open_img(&d, "raw", &o, err);
	ok(!r && d && !d->probed_raw, "probed raw, read-only: no guard needed");
	disk_close(d);
}

static struct disk_req write_req(struct iovec *iov, int cnt, u64 off)
{
	struct disk_req r = { .op = DISK_OP_WRITE, .off = off, .iov = iov,
			      .iovcnt = cnt };
	int i;

	for (i = 0; i < cnt; i++)
		r.len += iov[i].iov_len;
	return r;
}

static void test_guard(void)
{
	struct disk_open_opts o = { 0 };
	static u8 a[512], b[8192], back[8192 + 512];
	struct iovec iov[2];
	struct disk_req r;
	char err[256];
	struct disk *d;
	int ret;

	put("guarded", "", 0, 1 << 20);
	if (open_img(&d, "guarded", &o, err)) {
		ok(0, "open guarded: %s", err);
		return;
	}
	memcpy(a, "QFI\xfb", 4);
	memset(b, 0x5a, sizeof(b));
	iov[0] = (struct iovec){ a, sizeof(a) };
	iov[1] = (struct iovec){ b, sizeof(b) };
	r = write_req(iov, 2, 0);
	ret = disk_guard_write(d, &r);
	ok(ret == -EPERM && !r.guard && r.iov == iov,
	   "a qcow2 magic written to sector 0 of a probed-raw image: -EPERM");

	/* The same bytes one sector on are just data. */
	r = write_req(iov, 2, 512);
	ok(!disk_guard_write(d, &r) && !r.guard,
	   "the magic at sector 1: allowed, untouched");

	/* Harmless bytes: allowed, and written from the checked copy. */
	memset(a, 0x11, sizeof(a));
	r = write_req(iov, 2, 0);
	ret = disk_guard_write(d, &r);
	ok(!ret && r.guard && r.iov != iov && r.len == sizeof(a) + sizeof(b),
	   "other data at sector 0: allowed, through a copy");
	/* The guest changes its buffer after the check: too late. */
	memcpy(a, "QFI\xfb", 4);
	disk_req_execute(d, &r);
	disk_req_release(&r);
	ok(r.result == (s64)(sizeof(a) + sizeof(b)) && !r.guard &&
	   !disk_read(d, back, sizeof(back), 0) && back[0] == 0x11 &&
	   back[4095] == 0x5a && back[4096] == 0x5a &&
	   back[8192 + 511] == 0x5a,
	   "what was checked is what was written (a later change of the guest buffer is not)");

	/* One iovec longer than the copy is split. */
	memset(b, 0, sizeof(b));
	iov[0] = (struct iovec){ b, sizeof(b) };
	r = write_req(iov, 1, 0);
	ok(!disk_guard_write(d, &r) && r.iovcnt == 2 &&
	   r.iov[0].iov_len == 4096 && r.iov[1].iov_base == b + 4096,
	   "one long iovec: the copy and the rest");
	disk_req_release(&r);
	memcpy(b, "QFI\xfb", 4);
	r = write_req(iov, 1, 0);
	ok(disk_guard_write(d, &r) == -EPERM, "the magic in one long iovec: -EPERM");
	disk_close(d);

	o.format = DISK_FMT_RAW;
	if (open_img(&d, "guarded", &o, err)) {
		ok(0, "open guarded format=raw: %s", err);
		return;
	}
	r = write_req(iov, 1, 0);
	ok(!disk_guard_write(d, &r) && !r.guard,
	   "format=raw given: the user's choice, the magic may be written");
	disk_close(d);
}

static void test_backing(void)
{
	struct disk_open_opts o = { .readonly = true };
	const char *const names[] = {
		"outside refused with the hint", "backing=any allows",
		"backing=PATH allows that file", "a device as backing refused",
		"a FIFO as backing refused", "a final symlink refused",
		"backing-follow follows it", "backing format raw honoured",
		"backing format qcow2 on a raw file refused",
		"no backing format: probed", "extensions end at the name",
	};
	char err[256], base[512], buf[4];
	struct disk *d;
	unsigned int i;
	int r;

	if (sh("command -v qemu-img >/dev/null")) {
		for (i = 0; i < ARRAY_SIZE(names); i++)
			skip("qemu-img not installed (qemu-utils)", "%s", names[i]);
		return;
	}
	mkdir(at("vm"), 0700);
	put("base.raw", qcow2ish, sizeof(qcow2ish), 1 << 20);
	snprintf(base, sizeof(base), "%s/base.raw", dir);
	sh("cd %s/vm && qemu-img create -q -f qcow2 -u -b ../base.raw -F raw up.qcow2 1M",
	   dir);
	r = open_img(&d, "vm/up.qcow2", &o, err);
	ok(r == -EXDEV && !d && strstr(err, "outside the image's directory tree") &&
	   strstr(err, ",backing=") && strstr(err, ",backing=any"),
	   "backing '../base.raw': outside the tree, refused with the hint: %s",
	   err);
	o.backing_any = true;
	r = open_img(&d, "vm/up.qcow2", &o, err);
	ok(!r && d, "backing=any: allowed %s", err);
	disk_close(d);
	o.backing_any = false;
	o.backing_path = base;
	r = open_img(&d, "vm/up.qcow2", &o, err);
	ok(!r && d, "backing=PATH naming that file: allowed %s", err);
	disk_close(d);
	o.backing_path = NULL;

	o.backing_any = true;
	sh("cd %s/vm && qemu-img create -q -f qcow2 -u -b /dev/null -F raw dev.qcow2 1M",
	   dir);
	r = open_img(&d, "vm/dev.qcow2", &o, err);
	ok(r == -EMEDIUMTYPE && strstr(err, "/dev/null' of") &&
	   strstr(err, "a character device"),
	   "backing /dev/null, even with backing=any: refused: %s", err);
	o.backing_any = false;

	mkfifo(at("vm/pipe"), 0600);
	sh("cd %s/vm && qemu-img create -q -f qcow2 -u -b pipe -F raw pipe.qcow2 1M",
	   dir);
	r = open_img(&d, "vm/pipe.qcow2", &o, err);
	ok(r == -EMEDIUMTYPE && strstr(err, "a FIFO"),
	   "a FIFO as backing: refused at once: %s", err);

	sh("cp %s/base.raw %s/vm/in.raw && ln -s in.raw %s/vm/link.raw", dir,
	   dir, dir);
	sh("cd %s/vm && qemu-img create -q -f qcow2 -u -b link.raw -F raw link.qcow2 1M",
	   dir);
	r = open_img(&d, "vm/link.qcow2", &o, err);
	ok(r == -ELOOP && strstr(err, "symbolic link") &&
	   strstr(err, ",backing-follow"),
	   "backing through a final symlink: refused with the hint: %s", err);
	o.backing_follow = true;
	r = open_img(&d, "vm/link.qcow2", &o, err);
	ok(!r && d, "backing-follow: the symlink is followed %s", err);
	disk_close(d);
	o.backing_follow = false;

	sh("cd %s/vm && qemu-img create -q -f qcow2 -u -b in.raw -F raw fmt.qcow2 1M",
	   dir);
	r = open_img(&d, "vm/fmt.qcow2", &o, err);
	ok(!r && d && !disk_read(d, buf, 4, 0) && !memcmp(buf, "QFI\xfb", 4),
	   "backing format raw: a qcow2-looking backing file is read as raw %s",
	   err);
	disk_close(d);
	sh("cd %s/vm && qemu-img create -q -f qcow2 -u -b in.raw -F qcow2 q.qcow2 1M",
	   dir);
	put("vm/plain.raw", "plain", 5, 1 << 20);
	sh("cd %s/vm && qemu-img create -q -f qcow2 -u -b plain.raw -F qcow2 q.qcow2 1M",
	   dir);
	r = open_img(&d, "vm/q.qcow2", &o, err);
	ok(r && !d && strstr(err, "not a qcow2 image"),
	   "backing format qcow2 naming a raw file: refused: %s", err);
	/*
	 * The backing name right after the extensions, no end marker: the
	 * extensions end where the name begins (else its bytes would be
	 * taken for an extension).
	 */
	sh("cd %s/vm && qemu-img create -q -f qcow2 -u -b in.raw -F raw nomark.qcow2 1M && python3 -c \"import struct,sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); o=struct.unpack('>I',b[100:104])[0]\nwhile struct.unpack('>I',b[o:o+4])[0]: o+=8+(struct.unpack('>I',b[o+4:o+8])[0]+7)//8*8\nb[o:o+6]=b'in.raw'; b[8:16]=struct.pack('>Q',o); open(p,'wb').write(b)\" nomark.qcow2",
	   dir);
	r = open_img(&d, "vm/nomark.qcow2", &o, err);
	ok(!r && d && !disk_read(d, buf, 4, 0) && !memcmp(buf, "QFI\xfb", 4),
	   "extensions end at the backing name (no end marker): raw honoured %s",
	   err);
	disk_close(d);
	/* Rename the extension's type: no backing format, so probed. */
	sh("python3 -c \"import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); i=b.find(bytes.fromhex('e2792aca')); b[i:i+4]=bytes.fromhex('1234abcd'); open(p,'wb').write(b)\" %s/vm/fmt.qcow2",
	   dir);
	r = open_img(&d, "vm/fmt.qcow2", &o, err);
	ok(r && !d && strstr(err, "unsupported qcow2 version 99"),
	   "no backing format: the backing file is probed (as qcow2 here): %s",
	   err);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	signal(SIGALRM, on_alarm);
	alarm(60);
	test_types();
	test_format();
	test_guard();
	test_backing();
	sh("rm -rf %s", dir);
	return tap_done();
}
