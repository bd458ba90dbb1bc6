/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_CONFIG_H
#define LKVM_CONFIG_H

#include "disk.h"
#include "log.h"
#include "net-config.h"
#include "types.h"
#include "x86/boot.h"

#define LKVM_DEFAULT_RAM (256 * SZ_1M)
#define LKVM_MAX_CPUS 255	/* APIC IDs in the MP table */
/* --env: at most this many (the guest init takes 128 variables). */
#define LKVM_SANDBOX_MAX_ENV	64
#define LKVM_DISK_SERIAL_MAX 20	/* -d ...,serial=S: the virtio-blk ID */

enum emulation_assist {
	EMULATION_ASSIST_AUTO,	/* on when the host emulates guest CPL0 */
	EMULATION_ASSIST_ON,
	EMULATION_ASSIST_OFF,
};

enum console_kind {
	CONSOLE_SERIAL,
	CONSOLE_VIRTIO,
};

/* How virtio devices reach the guest (--virtio-transport). */
enum virtio_transport {
	VIRTIO_TRANSPORT_PCI,
	VIRTIO_TRANSPORT_MMIO,
	VIRTIO_TRANSPORT_MMIO_LEGACY,
};

/*
 * One -d/--disk PATH[,ro][,direct][,io=thread|vcpu|auto][,serial=S]
 * [,format=raw|qcow2][,backing=any|FILE][,backing-follow], parsed at option time
 * (vmm/disk-config.c). path, serial and backing_path point into buf.
 */
struct disk_config {
	const char *arg;		/* as given, for messages */
	const char *path;
	bool readonly;			/* ro */
	bool direct;			/* direct: O_DIRECT */
	bool vcpu_io;			/* io=vcpu|auto: lone requests there */
	bool vcpu_io_auto;		/* io=auto: while they are quick */
	const char *serial;		/* NULL, or at most 20 bytes */
	enum disk_format format;	/* DISK_FMT_AUTO: probe */
	/* Where a qcow2's backing files may be: see disk_open_opts. */
	bool backing_any;
	bool backing_follow;
	const char *backing_path;
	char *buf;			/* the copy the pointers point into */
};

/*
 * One --9p DIR,TAG[,ro][,passthrough]: a host directory shared with the
 * guest over virtio-9p (vm_config_add_9p(), vmm/p9-config.c).
 */
#define P9_SHARE_RO		0x1	/* every modifying request: EROFS */
#define P9_SHARE_PASSTHROUGH	0x2	/* owners and modes as asked; root only */
/*
 * The mount tag's longest: the virtio-9p config has a 16-bit length, Linux
 * copies the tag whole; 64 keeps it a sane mount source and argument.
 */
#define LKVM_9P_TAG_MAX		64

struct p9_share_config {
	char *dir;			/* as given (a directory) */
	char *tag;			/* the guest's mount source */
	unsigned int flags;		/* P9_SHARE_* */
};

/*
 * --jail DIR, --jail-user USER[:GROUP] (include/jail.h). In the jailed
 * stage (inside), the rest comes from the lkvm the user ran.
 */
struct jail_config {
	const char *dir;		/* NULL: no jail */
	const char *user;		/* NULL: the invoking user (not root) */
	bool inside;			/* this lkvm is the jailed stage */
	bool userns;			/* ... in a user namespace of its own */
	int lock_fd, listen_fd;		/* the control socket, made outside */
	u32 uid, gid;			/* who the jailed VM runs as */
	int host_pid;			/* inside: the outside lkvm's pid */
	bool tty_background;		/* inside: stdin is a background tty */
	char **owned;			/* strings the jail allocated */
	unsigned int nr_owned;
};

/* Everything `lkvm run` was asked to do, parsed and validated. */
struct vm_config {
	const char *kernel_path;
	const char *initrd_path;
	const char *cmdline;
	const char *name;
	const char *dev_path;		/* /dev/kvm */
	const char *hugetlbfs_path;
	u64 ram_size;
	unsigned int nr_cpus;
	enum console_kind console;
	enum virtio_transport virtio_transport;
	bool rng;			/* --rng: a virtio-rng device */
	bool balloon;			/* --balloon: a virtio-balloon */
	bool pvpanic;			/* a pvpanic device; --no-pvpanic */
	bool no_acpi;			/* --no-acpi: no ACPI tables (x86) */
	bool guest_decompress;		/* --guest-decompress (x86 bzImage) */
	/* -d/--disk, in order: as many as given (vm_config_release()). */
	struct disk_config *disks;
	unsigned int nr_disks;
	/* -n/--network, in order (mode=none ones included). */
	struct net_config *nets;
	unsigned int nr_nets;
	/* No -n, and lkvm has libslirp: kvmtool's one user-mode NIC. */
	bool default_nic;
	/* --9p and the 9p roots, in order (vm_config_release()). */
	struct p9_share_config *shares_9p;
	unsigned int nr_shares_9p;
	enum boot_protocol boot_protocol;
	enum log_level loglevel;
	enum emulation_assist emulation_assist;
	bool debug_ioport;
	bool debug_mmio;
	bool debug_single_step;
	/* --console-log FILE: the serial console's output goes there. */
	const char *console_log;
	/* --status-file FILE: lkvm's verdict, one line (vmm/status-file.c). */
	const char *status_file;
	bool nodefaults;		/* --nodefaults: -p is the whole line */
	char *kernel_found;		/* kernel_path when looked up; freed */
	/*
	 * A 9p root (-d DIR, -d NAME, run --name NAME): the "/dev/root"
	 * share; root_9p_setup: a `lkvm setup` root, booted with
	 * init=/virt/init and the host at /host (share "hostfs").
	 */
	bool root_9p;
	bool root_9p_setup;
	/*
	 * lkvm sandbox: the guest init's job (include/guest-job.h), put in
	 * the initramfs lkvm makes; more console ports (stderr, status and,
	 * without a terminal session, stdin).
	 */
	bool sandbox;
	bool sandbox_tty;		/* a terminal session on hvc0 */
	/*
	 * --env NAME[=VALUE] (lkvm sandbox): "NAME=VALUE" strings in argv
	 * or environ, in order; the array is vm_config_release()'s to free.
	 */
	const char **sandbox_env;
	unsigned int nr_sandbox_env;
	bool sandbox_env_given;		/* any --env, even of an unset NAME */
	/* --seccomp: an enum sc_mode; 0 is SC_MODE_ON, the default. */
	u8 seccomp;
	/* --vsock CID[,path=SOCK]: a virtio-vsock device when vsock_cid. */
	u64 vsock_cid;
	const char *vsock_path;		/* NULL: $LKVM_HOME/<name>.vsock */
	/* --io-poll US: the I/O thread's polling cap (include/io-poll.h). */
	u32 io_poll_us;
	struct jail_config jail;
	/* The command's arguments, NULL-terminated: the jail runs them again. */
	char **argv;
};

#endif
