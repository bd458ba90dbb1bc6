// SPDX-License-Identifier: GPL-2.0
/* Tests for `lkvm run` option parsing (vmm/run-options.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "run-options.h"
#include "tap.h"

#define HOST_RAM (8ULL << 30)
#define HOST_CPUS 4

static int parse(struct vm_config *cfg, char *err, const char *const *args)
{
	char *argv[32];
	int argc = 0;

	argv[argc++] = "run";
	while (*args)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	return run_parse_args(argc, argv, cfg, HOST_RAM, HOST_CPUS, err, 256);
}

#define ARGS(...) ((const char *[]){ __VA_ARGS__, NULL })

/* parse() with room for more arguments. */
static int parse_many(struct vm_config *cfg, char *err,
		      const char *const *args)
{
	static char *argv[256];
	int argc = 0;

	argv[argc++] = "run";
	while (*args && argc < (int)ARRAY_SIZE(argv) - 1)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	return run_parse_args(argc, argv, cfg, HOST_RAM, HOST_CPUS, err, 256);
}

static void test_sizes(void)
{
	static const struct {
		const char *s;
		u64 v;
	} good[] = {
		{ "256", 256ULL << 20 }, { "256M", 256ULL << 20 },
		{ "1G", 1ULL << 30 }, { "1024K", 1ULL << 20 },
		{ "2g", 2ULL << 30 }, { "512MiB", 512ULL << 20 },
		{ "1T", 1ULL << 40 },
	};
	static const char *const bad[] = {
		"", "M", "-1", "+5", "12X", "1.5G", "0x10", "99999999999999999999",
		"18446744073709551615G", "5 M",
	};
	unsigned int i;
	u64 v;

	for (i = 0; i < ARRAY_SIZE(good); i++)
		ok(parse_mem_size(good[i].s, &v) == 0 && v == good[i].v,
		   "size '%s' parses to %llu", good[i].s,
		   (unsigned long long)good[i].v);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ok(parse_mem_size(bad[i], &v) != 0, "size '%s' is refused",
		   bad[i]);
}

static void test_defaults(void)
{
	struct vm_config cfg;
	char err[256];

	ok(parse(&cfg, err, ARGS("-k", "vmlinux")) == 0, "-k alone parses");
	ok(cfg.ram_size == 256ULL << 20, "default memory is 256M");
	ok(cfg.nr_cpus == HOST_CPUS, "default CPUs is the host's count");
	ok(!strcmp(cfg.dev_path, "/dev/kvm"), "default device is /dev/kvm");
	ok(!strcmp(cfg.cmdline, ""), "default command line is empty");
	ok(cfg.boot_protocol == BOOT_PROTO_AUTO, "default boot protocol auto");
	ok(cfg.io_poll_us == 64, "the I/O thread polls up to 64 us by default");
	ok(parse(&cfg, err, ARGS("-k", "k", "--io-poll", "0")) == 0 &&
	   cfg.io_poll_us == 0, "--io-poll 0 turns polling off");
	ok(parse(&cfg, err, ARGS("-k", "k", "--io-poll", "1000")) == 0 &&
	   cfg.io_poll_us == 1000, "--io-poll 1000 is the largest");
	ok(parse(&cfg, err, ARGS("-k", "k", "-c", " 2", "--io-poll", "\t7")) == 0 &&
	   cfg.nr_cpus == 2 && cfg.io_poll_us == 7,
	   "-c and --io-poll take leading blanks (%s)", err);
	ok(parse(&cfg, err, ARGS("bzImage")) == 0 &&
	   !strcmp(cfg.kernel_path, "bzImage"),
	   "positional kernel is accepted");
}

static void test_all_options(void)
{
	struct vm_config cfg;
	char err[256];
	int r;

	r = parse(&cfg, err,
		  ARGS("--kernel", "k", "--initrd", "i", "--params",
		       "console=ttyS0 quiet", "--mem", "1G", "--cpus", "2",
		       "--name", "box", "--console", "serial", "--loglevel",
		       "debug", "--debug-ioport", "--debug-mmio",
		       "--debug-single-step", "--hugetlbfs", "/dev/hugepages",
		       "--dev", "/tmp/kvm", "--boot-protocol", "pvh"));
	ok(r == 0, "every long option parses (%s)", err);
	ok(!strcmp(cfg.kernel_path, "k") && !strcmp(cfg.initrd_path, "i"),
	   "kernel and initrd paths kept");
	ok(!strcmp(cfg.cmdline, "console=ttyS0 quiet"),
	   "command line kept intact");
	ok(cfg.ram_size == 1ULL << 30 && cfg.nr_cpus == 2,
	   "memory and CPUs set");
	ok(!strcmp(cfg.name, "box") && cfg.loglevel == LOG_DEBUG,
	   "name and log level set");
	ok(cfg.debug_ioport && cfg.debug_mmio && cfg.debug_single_step,
	   "debug flags set");
	ok(!strcmp(cfg.hugetlbfs_path, "/dev/hugepages") &&
	   !strcmp(cfg.dev_path, "/tmp/kvm"), "hugetlbfs and dev set");
	ok(cfg.boot_protocol == BOOT_PROTO_PVH, "boot protocol pvh");
	ok(parse(&cfg, err, ARGS("-k", "k", "-m", "64", "-c", "1", "-p", "x",
				 "-i", "r")) == 0 &&
	   cfg.ram_size == 64ULL << 20 && cfg.nr_cpus == 1,
	   "short options parse");
	ok(parse(&cfg, err, ARGS("-h")) == 1, "-h asks for help");
	ok(parse(&cfg, err, ARGS("-k", "k")) == 0 &&
	   cfg.emulation_assist == EMULATION_ASSIST_AUTO,
	   "emulation assist defaults to auto");
	ok(parse(&cfg, err, ARGS("-k", "k", "--emulation-assist", "on")) == 0 &&
	   cfg.emulation_assist == EMULATION_ASSIST_ON, "emulation assist on");
	ok(parse(&cfg, err, ARGS("-k", "k", "--emulation-assist", "off")) == 0 &&
	   cfg.emulation_assist == EMULATION_ASSIST_OFF, "emulation assist off");
	ok(parse(&cfg, err, ARGS("-k", "k")) == 0 && !cfg.rng &&
	   cfg.console == CONSOLE_SERIAL &&
	   cfg.virtio_transport == VIRTIO_TRANSPORT_PCI,
	   "no rng, serial console and virtio over PCI by default");
	ok(parse(&cfg, err, ARGS("-k", "k", "--console", "virtio", "--rng",
				 "--virtio-transport", "mmio")) == 0 &&
	   cfg.rng && cfg.console == CONSOLE_VIRTIO &&
	   cfg.virtio_transport == VIRTIO_TRANSPORT_MMIO,
	   "--console virtio, --rng, --virtio-transport mmio");
	ok(parse(&cfg, err, ARGS("-k", "k", "-d", "a.img", "--disk",
				 "b.qcow2,ro,direct,serial=xyz")) == 0 &&
	   cfg.nr_disks == 2 && !strcmp(cfg.disks[0].arg, "a.img") &&
	   !strcmp(cfg.disks[1].arg, "b.qcow2,ro,direct,serial=xyz"),
	   "-d and --disk repeat, arguments kept as given");
	vm_config_release(&cfg);
	ok(parse(&cfg, err, ARGS("-k", "k", "--virtio-transport",
				 "mmio-legacy")) == 0 &&
	   cfg.virtio_transport == VIRTIO_TRANSPORT_MMIO_LEGACY,
	   "--virtio-transport mmio-legacy");
	ok(parse(&cfg, err, ARGS("-k", "k", "--virtio-transport", "pci")) == 0 &&
	   cfg.virtio_transport == VIRTIO_TRANSPORT_PCI,
	   "--virtio-transport pci");
	ok(parse(&cfg, err, ARGS("-k", "k")) == 0 && cfg.pvpanic,
	   "a pvpanic device by default");
	ok(parse(&cfg, err, ARGS("-k", "k", "--no-pvpanic")) == 0 &&
	   !cfg.pvpanic, "--no-pvpanic leaves it out");
	ok(parse(&cfg, err, ARGS("-k", "k")) == 0 && !cfg.no_acpi,
	   "ACPI tables by default");
	ok(parse(&cfg, err, ARGS("-k", "k", "--no-acpi")) == 0 && cfg.no_acpi,
	   "--no-acpi");
}

/* kvmtool's habits: options after the kernel, its spellings. */
static void test_kvmtool_habits(void)
{
	struct vm_config cfg;
	char err[256];

	ok(parse(&cfg, err, ARGS("bzImage", "-m", "64", "-c", "1")) == 0 &&
	   !strcmp(cfg.kernel_path, "bzImage") &&
	   cfg.ram_size == 64ULL << 20 && cfg.nr_cpus == 1,
	   "options after the kernel are taken (got '%s')", err);
	ok(parse(&cfg, err, ARGS("-m", "512", "bzImage", "-p", "quiet",
				 "--name", "box", "--rng")) == 0 &&
	   !strcmp(cfg.kernel_path, "bzImage") &&
	   cfg.ram_size == 512ULL << 20 && !strcmp(cfg.cmdline, "quiet") &&
	   !strcmp(cfg.name, "box") && cfg.rng,
	   "options before and after the kernel are taken");
	ok(parse(&cfg, err, ARGS("-m", "64", "--", "-odd-kernel")) == 0 &&
	   !strcmp(cfg.kernel_path, "-odd-kernel") && cfg.ram_size == 64ULL << 20,
	   "after --, an argument like an option is the kernel");
	ok(parse(&cfg, err, ARGS("--", "bzImage", "-m", "64")) < 0 &&
	   strstr(err, "unexpected argument '-m'"),
	   "after --, no more options (got '%s')", err);
	ok(parse(&cfg, err, ARGS("-k", "k", "--console", "hv")) == 0 &&
	   cfg.console == CONSOLE_VIRTIO,
	   "--console hv is the virtio console, as in kvmtool");
	ok(parse(&cfg, err, ARGS("-k", "k", "--debug")) == 0 &&
	   cfg.loglevel == LOG_DEBUG,
	   "--debug is --loglevel debug");
	ok(parse(&cfg, err, ARGS("-k", "k", "--debug", "--loglevel", "error")) ==
	   0 && cfg.loglevel == LOG_ERROR,
	   "the later of --debug and --loglevel wins");
	ok(parse(&cfg, err, ARGS("-k", "k", "-k", "k2")) == 0 &&
	   !strcmp(cfg.kernel_path, "k2"), "-k twice: the last wins");
}

static void test_refusals(void)
{
	static const struct {
		const char *why;
		const char *args[8];
		const char *msg;
	} cases[] = {
		{ "no kernel", { "-m", "64" }, "no kernel" },
		{ "-m 0", { "-k", "k", "-m", "0" }, "too small" },
		{ "-m bogus", { "-k", "k", "-m", "lots" }, "invalid memory" },
		{ "-m beyond host", { "-k", "k", "-m", "64G" }, "more than the host" },
		{ "-m absurd", { "-k", "k", "-m", "99999999999999G" }, "invalid memory" },
		{ "-c 0", { "-k", "k", "-c", "0" }, "invalid CPU count" },
		{ "-c -1", { "-k", "k", "-c", "-1" }, "invalid CPU count" },
		{ "-c huge", { "-k", "k", "-c", "100000" }, "too many CPUs" },
		{ "-c text", { "-k", "k", "-c", "two" }, "invalid CPU count" },
		{ "-c with a sign", { "-k", "k", "-c", "+2" }, "invalid CPU count" },
		{ "-c with a sign after a blank", { "-k", "k", "-c", " +2" }, "invalid CPU count" },
		{ "-c -1 after a blank", { "-k", "k", "-c", " -1" }, "invalid CPU count" },
		{ "-c with a trailing blank", { "-k", "k", "-c", "2 " }, "invalid CPU count" },
		{ "-c empty", { "-k", "k", "-c", "" }, "invalid CPU count" },
		{ "-c beyond unsigned long", { "-k", "k", "-c", "99999999999999999999999" }, "too many CPUs" },
		{ "unknown option", { "-k", "k", "--frobnicate" }, "unknown option" },
		{ "missing value", { "-k" }, "needs a value" },
		{ "bad console", { "-k", "k", "--console", "vga" }, "unsupported console" },
		{ "bad transport", { "-k", "k", "--virtio-transport", "ccw" }, "invalid virtio transport" },
		{ "rng with a value", { "-k", "k", "--rng=yes" }, "unknown option" },
		{ "no-pvpanic with a value", { "-k", "k", "--no-pvpanic=1" }, "unknown option" },
		{ "no-acpi with a value", { "-k", "k", "--no-acpi=1" }, "unknown option" },
		{ "jail-user alone", { "-k", "k", "--jail-user", "x" }, "needs --jail" },
		{ "jail without a dir", { "-k", "k", "--jail" }, "needs a value" },
		{ "bad disk option", { "-k", "k", "-d", "a,rw" }, "unknown disk option" },
		{ "disk without path", { "-k", "k", "--disk", ",ro" }, "needs a path" },
		{ "long disk serial", { "-k", "k", "-d", "a,serial=123456789012345678901" }, "longer than 20" },
		{ "bad disk io", { "-k", "k", "-d", "a,io=inline" }, "unknown disk io 'inline' (thread, vcpu, auto)" },
		{ "bad loglevel", { "-k", "k", "--loglevel", "loud" }, "invalid log level" },
		{ "bad protocol", { "-k", "k", "--boot-protocol", "efi" }, "invalid boot protocol" },
		{ "two kernels", { "-k", "k", "other" }, "unexpected argument" },
		{ "two positional kernels", { "a", "-m", "64", "b" },
		  "unexpected argument 'b'" },
		{ "-k after a kernel", { "a", "-k", "b" }, "unexpected option '-k b'" },
		{ "debug with a value", { "-k", "k", "--debug=1" }, "unknown option" },
		{ "missing value after the kernel", { "k", "-m" }, "needs a value" },
		{ "unknown option after the kernel", { "k", "--vnc" },
		  "unknown option '--vnc'" },
		{ "extra argument", { "a", "b" }, "unexpected argument" },
		{ "bad name", { "-k", "k", "--name", "a/b" }, "invalid name" },
		{ "dot name", { "-k", "k", "--name", ".x" }, "invalid name" },
		{ "dash name", { "-k", "k", "--name", "-x" }, "invalid name" },
		{ "spaced name", { "-k", "k", "--name", "a b" }, "invalid name" },
		{ "long name", { "-k", "k", "--name",
		  "01234567890123456789012345678901234567890123456789012345678901234" },
		  "invalid name" },
		{ "bad assist", { "-k", "k", "--emulation-assist", "maybe" }, "invalid emulation assist" },
		{ "io-poll over the cap", { "-k", "k", "--io-poll", "1001" }, "invalid --io-poll" },
		{ "negative io-poll", { "-k", "k", "--io-poll", "-1" }, "invalid --io-poll" },
		{ "io-poll with a unit", { "-k", "k", "--io-poll", "5us" }, "invalid --io-poll" },
		{ "io-poll with a sign", { "-k", "k", "--io-poll", "+5" }, "invalid --io-poll" },
		{ "io-poll empty", { "-k", "k", "--io-poll", "" }, "invalid --io-poll" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vm_config cfg;
		char err[256];
		int r = parse(&cfg, err, cases[i].args);

		ok(r < 0 && strstr(err, cases[i].msg),
		   "%s is refused with '%s' (got '%s')", cases[i].why,
		   cases[i].msg, err);
	}
}

/* -d is parsed once, at option time, into typed fields. */
static void test_disks(void)
{
	const struct disk_config *d;
	struct vm_config cfg;
	char err[256], names[12][8];
	const char *args[2 + 2 * 12 + 1];
	unsigned int i;

	ok(parse(&cfg, err, ARGS("-k", "k", "-d", "a.img", "--disk",
				 "b.qcow2,ro,,direct,serial=xyz,format=qcow2")) == 0 &&
	   cfg.nr_disks == 2, "two disks parse (%s)", err);
	d = &cfg.disks[0];
	ok(!strcmp(d->path, "a.img") && !d->readonly && !d->direct &&
	   !d->serial && d->format == DISK_FMT_AUTO && !d->backing_any &&
	   !d->backing_follow && !d->backing_path,
	   "a bare path: read-write, buffered, no serial, format probed");
	d = &cfg.disks[1];
	ok(!strcmp(d->path, "b.qcow2") && d->readonly && d->direct &&
	   !strcmp(d->serial, "xyz") && d->format == DISK_FMT_QCOW2,
	   "path, ro, direct, serial and format into their fields");
	vm_config_release(&cfg);
	ok(!cfg.disks && !cfg.nr_disks, "vm_config_release() empties the list");

	ok(parse(&cfg, err, ARGS("-k", "k", "-d",
				 "x.img,format=qcow2,backing=any,backing-follow")) == 0 &&
	   cfg.disks[0].format == DISK_FMT_QCOW2 && cfg.disks[0].backing_any &&
	   cfg.disks[0].backing_follow && !cfg.disks[0].backing_path,
	   "-d PATH,format=qcow2,backing=any,backing-follow parsed");
	vm_config_release(&cfg);
	ok(parse(&cfg, err, ARGS("-k", "k", "-d",
				 "x.img,format=raw,backing=/srv/base.img")) == 0 &&
	   cfg.disks[0].format == DISK_FMT_RAW && !cfg.disks[0].backing_any &&
	   !strcmp(cfg.disks[0].backing_path, "/srv/base.img"),
	   "-d PATH,format=raw,backing=FILE parsed");
	vm_config_release(&cfg);
	ok(parse(&cfg, err, ARGS("-k", "k", "-d", "a,serial=12345678901234567890")) == 0 &&
	   !strcmp(cfg.disks[0].serial, "12345678901234567890"),
	   "a 20-byte serial is taken");
	vm_config_release(&cfg);
	ok(parse(&cfg, err, ARGS("-k", "k", "-d", "a,io=vcpu", "-d", "b,io=vcpu,io=thread")) == 0 &&
	   cfg.disks[0].vcpu_io && !cfg.disks[1].vcpu_io,
	   "-d PATH,io=vcpu parsed; io=thread (the default) after it wins");
	vm_config_release(&cfg);
	ok(parse(&cfg, err, ARGS("-k", "k", "-d", "a,io=auto", "-d", "b,io=auto,io=vcpu", "-d", "c,io=auto,io=thread")) == 0 &&
	   cfg.disks[0].vcpu_io && cfg.disks[0].vcpu_io_auto &&
	   cfg.disks[1].vcpu_io && !cfg.disks[1].vcpu_io_auto &&
	   !cfg.disks[2].vcpu_io && !cfg.disks[2].vcpu_io_auto,
	   "-d PATH,io=auto parsed; io=vcpu or io=thread after it wins");
	vm_config_release(&cfg);
	ok(parse(&cfg, err, ARGS("-k", "k", "-d", "x.img,format=vmdk")) < 0 &&
	   strstr(err, "unknown disk format 'vmdk'"),
	   "-d PATH,format=vmdk refused: %s", err);
	ok(parse(&cfg, err, ARGS("-k", "k", "-d", "a", "-d", "b,bogus")) < 0 &&
	   !cfg.disks && !cfg.nr_disks,
	   "a refusal leaves no disks behind");

	/* No cap in the config: twelve disks, more than the old six. */
	args[0] = "-k";
	args[1] = "k";
	for (i = 0; i < 12; i++) {
		snprintf(names[i], sizeof(names[i]), "d%u", i + 1);
		args[2 + 2 * i] = "-d";
		args[3 + 2 * i] = names[i];
	}
	args[2 + 2 * i] = NULL;
	ok(parse(&cfg, err, args) == 0 && cfg.nr_disks == 12 &&
	   !strcmp(cfg.disks[0].path, "d1") && !strcmp(cfg.disks[11].path, "d12"),
	   "twelve -d options give twelve disks, in order (%s)", err);
	vm_config_release(&cfg);
}

/* A refusal's reason is one plain line, whatever the argument held. */
static void test_plain_reasons(void)
{
	struct vm_config cfg;
	char err[256];
	int r;

	r = parse(&cfg, err, ARGS("-k", "k", "--name", "a\nb\x1b[2J"));
	ok(r < 0 && !strcmp(err, "invalid name 'a?b?[2J': " CONTROL_NAME_RULE),
	   "a name's newline and escape are shown as '?' (got '%s')", err);
	r = parse(&cfg, err, ARGS("-k", "k", "--fro\nb"));
	ok(r < 0 && !strcmp(err, "unknown option '--fro?b'"),
	   "so are an unknown option's (got '%s')", err);
	r = parse(&cfg, err, ARGS("-k", "k", "-d", "a,\x7f"));
	ok(r < 0 && !strchr(err, 0x7f),
	   "and a disk option's (got '%s')", err);
}

/* The table: what the parser and the help are made from. */
static void test_table(void)
{
	unsigned int i, j, nr, dup = 0, bad = 0, missing = 0, flags = 0;
	const struct run_option *o = run_options(&nr);
	struct vm_config cfg;
	char *help = NULL, err[256], name[40];
	size_t len = 0;
	FILE *f = open_memstream(&help, &len);

	if (!f) {
		ok(0, "open_memstream");
		return;
	}
	run_usage(f);
	fclose(f);
	for (i = 0; i < nr; i++) {
		for (j = i + 1; j < nr; j++)
			if (!strcmp(o[i].name, o[j].name) ||
			    (o[i].short_name && o[i].short_name == o[j].short_name))
				dup++;
		if (!o[i].name[0] || o[i].name[0] == '-' || !o[i].set ||
		    !o[i].help || !o[i].help[0])
			bad++;
		snprintf(name, sizeof(name), " --%s ", o[i].name);
		if (!strstr(help, name))
			missing++;
		/* A flag (but --help) parses by its long name alone. */
		if (!o[i].arg && strcmp(o[i].name, "help")) {
			snprintf(name, sizeof(name), "--%s", o[i].name);
			if (parse(&cfg, err, ARGS("-k", "k", name)) == 0)
				flags++;
			else
				printf("# '%s' refused: %s\n", name, err);
			vm_config_release(&cfg);
		}
	}
	ok(nr >= 22, "the table has every option (%u)", nr);
	ok(!dup, "no long or short name twice (%u)", dup);
	ok(!bad, "each entry has a name, a setter and help (%u bad)", bad);
	ok(!missing, "lkvm run --help shows every entry (%u missing)", missing);
	ok(flags == 10, "every flag parses by its long name (%u of 10)", flags);
	free(help);
}

/* --9p DIR,TAG[,ro][,passthrough] and vm_config_add_9p(). */
static void test_9p(void)
{
	char dir[] = "/tmp/lkvm-9p-opt-XXXXXX", file[64], tag65[66];
	char a1[128], a2[128];
	struct vm_config cfg;
	char err[256];
	int r;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(file, sizeof(file), "%s/f", dir);
	fclose(fopen(file, "w"));
	memset(tag65, 'a', 65);
	tag65[65] = '\0';

	snprintf(a1, sizeof(a1), "%s,t1", dir);
	snprintf(a2, sizeof(a2), "%s,/dev/root,ro", dir);
	r = parse(&cfg, err, ARGS("-k", "k", "--9p", a1, "--9p", a2));
	ok(r == 0 && cfg.nr_shares_9p == 2 &&
	   !strcmp(cfg.shares_9p[0].dir, dir) &&
	   !strcmp(cfg.shares_9p[0].tag, "t1") && !cfg.shares_9p[0].flags &&
	   !strcmp(cfg.shares_9p[1].tag, "/dev/root") &&
	   cfg.shares_9p[1].flags == P9_SHARE_RO,
	   "--9p repeats: dir, tag and ro kept in order (%s)", err);
	vm_config_release(&cfg);
	ok(!cfg.shares_9p && !cfg.nr_shares_9p,
	   "vm_config_release() empties the shares");

	r = parse(&cfg, err, ARGS("-k", "k", "--9p", "/nonexistent-lkvm,t"));
	ok(r < 0 && strstr(err, "No such file"),
	   "a missing directory is refused (got '%s')", err);
	snprintf(a1, sizeof(a1), "%s,t", file);
	r = parse(&cfg, err, ARGS("-k", "k", "--9p", a1));
	ok(r < 0 && strstr(err, "is not a directory"),
	   "a file is refused (got '%s')", err);
	r = parse(&cfg, err, ARGS("-k", "k", "--9p", dir));
	ok(r < 0 && strstr(err, "needs a tag"),
	   "a share without a tag is refused (got '%s')", err);
	snprintf(a1, sizeof(a1), "%s,", dir);
	r = parse(&cfg, err, ARGS("-k", "k", "--9p", a1));
	ok(r < 0 && strstr(err, "needs a tag"),
	   "an empty tag is refused (got '%s')", err);
	snprintf(a1, sizeof(a1), "%s,%s", dir, tag65);
	r = parse(&cfg, err, ARGS("-k", "k", "--9p", a1));
	ok(r < 0 && strstr(err, "longer than 64"),
	   "a 65-byte tag is refused (got '%s')", err);
	tag65[64] = '\0';
	ok(vm_config_add_9p(&cfg, dir, tag65, 0, err, sizeof(err)) == 0 &&
	   cfg.nr_shares_9p == 1, "a 64-byte tag is taken (%s)", err);
	ok(vm_config_add_9p(&cfg, dir, tag65, P9_SHARE_RO, err,
			    sizeof(err)) < 0 && strstr(err, "given twice") &&
	   cfg.nr_shares_9p == 1,
	   "a repeated tag is refused, the list unchanged (got '%s')", err);
	ok(vm_config_add_9p(&cfg, dir, "a b", 0, err, sizeof(err)) < 0 &&
	   vm_config_add_9p(&cfg, dir, "a\tb", 0, err, sizeof(err)) < 0 &&
	   cfg.nr_shares_9p == 1, "a tag with a blank is refused");
	ok(vm_config_add_9p(&cfg, dir, "x", 0x80, err, sizeof(err)) < 0,
	   "unknown flags are refused");
	r = vm_config_add_9p(&cfg, dir, "p", P9_SHARE_PASSTHROUGH, err,
			     sizeof(err));
	if (geteuid() == 0)
		ok(r == 0 && cfg.shares_9p[1].flags == P9_SHARE_PASSTHROUGH,
		   "passthrough is taken as root (%s)", err);
	else
		ok(r < 0 && strstr(err, "needs root"),
		   "passthrough is refused without root (got '%s')", err);
	vm_config_release(&cfg);
	snprintf(a1, sizeof(a1), "%s,t,rw", dir);
	r = parse(&cfg, err, ARGS("-k", "k", "--9p", a1));
	ok(r < 0 && strstr(err, "unknown 9p option 'rw'"),
	   "an unknown word is refused (got '%s')", err);
	unlink(file);
	rmdir(dir);
}

/* --env NAME[=VALUE]: in order; NAME alone takes lkvm's value, if any. */
static void test_env(void)
{
	const char *args[2 * LKVM_SANDBOX_MAX_ENV + 6];
	struct vm_config cfg;
	char err[256], many[LKVM_SANDBOX_MAX_ENV + 1][16];
	unsigned int i;
	int r;

	setenv("LKVM_T_SET", "from lkvm", 1);
	unsetenv("LKVM_T_UNSET");
	r = parse(&cfg, err, ARGS("-k", "k", "--env", "A=1", "-e",
				  "LKVM_T_SET", "--env", "LKVM_T_UNSET",
				  "--env", "B=", "-e", "C=x=y"));
	ok(r == 0 && cfg.nr_sandbox_env == 4 &&
	   !strcmp(cfg.sandbox_env[0], "A=1") &&
	   !strcmp(cfg.sandbox_env[1], "LKVM_T_SET=from lkvm") &&
	   !strcmp(cfg.sandbox_env[2], "B=") &&
	   !strcmp(cfg.sandbox_env[3], "C=x=y"),
	   "--env: NAME=VALUE as given, NAME with lkvm's value, an unset NAME left out");
	if (!r)
		vm_config_release(&cfg);
	ok(parse(&cfg, err, ARGS("-k", "k", "--env", "=x")) < 0 &&
	   strstr(err, "invalid --env '=x'"), "--env =x is refused: %s", err);
	ok(parse(&cfg, err, ARGS("-k", "k", "-e", "")) < 0 &&
	   strstr(err, "invalid --env ''"), "--env '' is refused");
	args[0] = "-k";
	args[1] = "k";
	for (i = 0; i <= LKVM_SANDBOX_MAX_ENV; i++) {
		snprintf(many[i], sizeof(many[i]), "V%u=%u", i, i);
		args[2 + 2 * i] = "--env";
		args[3 + 2 * i] = many[i];
	}
	args[2 + 2 * i] = NULL;
	ok(parse_many(&cfg, err, args) < 0 && strstr(err, "too many --env"),
	   "%u --env are refused: %s", LKVM_SANDBOX_MAX_ENV + 1, err);
	args[2 + 2 * LKVM_SANDBOX_MAX_ENV] = NULL;
	r = parse_many(&cfg, err, args);
	ok(r == 0 && cfg.nr_sandbox_env == LKVM_SANDBOX_MAX_ENV,
	   "%u --env are taken", LKVM_SANDBOX_MAX_ENV);
	if (!r)
		vm_config_release(&cfg);
}

int main(void)
{
	test_sizes();
	test_env();
	test_table();
	test_defaults();
	test_all_options();
	test_kvmtool_habits();
	test_refusals();
	test_disks();
	test_plain_reasons();
	test_9p();
	return tap_done();
}
