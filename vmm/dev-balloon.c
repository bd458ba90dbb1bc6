// SPDX-License-Identifier: GPL-2.0
/*
 * --balloon: one virtio-balloon, and its control verb
 *   balloon inflate MIB | deflate MIB	move the target (lkvm balloon)
 *   balloon stats			counters and the guest's figures
 *					(lkvm stat -m)
 *   balloon				the target and the guest's answer
 * Guest RAM must be private anonymous memory, where MADV_DONTNEED gives
 * pages back: with --hugetlbfs the balloon is refused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "log.h"
#include "virtio/balloon.h"
#include "vm-virtio.h"
#include "vm.h"

/* How long `lkvm stat -m` waits for the guest to refresh its figures. */
#define BALLOON_STATS_TIMEOUT_MS 5000
#define PAGES_PER_MIB (SZ_1M >> VIRTIO_BALLOON_PFN_SHIFT)

static unsigned int balloon_count(const struct vm_config *cfg)
{
	return cfg->balloon;
}

/* "N": 1 to 2^20 MiB, decimal digits only. */
static bool parse_mib(const char *s, u64 *out)
{
	u64 v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > SZ_1M)
			return false;
		v = v * 10 + (u64)(*s - '0');
	}
	if (!v || v > SZ_1M)
		return false;
	*out = v;
	return true;
}

static void balloon_move(struct virtio_balloon *b, const char *args,
			 bool inflate, FILE *out)
{
	u64 mib, target = virtio_balloon_target(b), want;

	if (!parse_mib(args, &mib)) {
		fprintf(out, "error: balloon %s: '%s' is not a size in MiB (1 to %llu)\n",
			inflate ? "inflate" : "deflate", args,
			(unsigned long long)SZ_1M);
		return;
	}
	if (!inflate && mib * PAGES_PER_MIB > target) {
		fprintf(out, "error: cannot deflate by %llu MiB: the balloon's target is %llu MiB\n",
			(unsigned long long)mib,
			(unsigned long long)(target / PAGES_PER_MIB));
		return;
	}
	want = inflate ? target + mib * PAGES_PER_MIB :
			 target - mib * PAGES_PER_MIB;
	if (virtio_balloon_set_target(b, want)) {
		fprintf(out, "error: a balloon of %llu MiB is beyond the guest's %llu MiB of RAM\n",
			(unsigned long long)(want / PAGES_PER_MIB),
			(unsigned long long)(b->ram_pages / PAGES_PER_MIB));
		return;
	}
	fprintf(out, "ok\ntarget_mib %llu\n",
		(unsigned long long)(want / PAGES_PER_MIB));
}

static void balloon_show(struct virtio_balloon *b, FILE *out)
{
	struct virtio_balloon_counters c;

	virtio_balloon_counters(b, &c);
	fprintf(out, "balloon_target_mib %llu\nballoon_actual_mib %llu\n",
		(unsigned long long)(virtio_balloon_target(b) / PAGES_PER_MIB),
		(unsigned long long)(virtio_balloon_actual(b) / PAGES_PER_MIB));
	fprintf(out, "balloon_inflated_pages %llu\nballoon_deflated_pages %llu\n",
		(unsigned long long)c.inflated,
		(unsigned long long)c.deflated);
	fprintf(out, "balloon_returned_bytes %llu\nballoon_reported_bytes %llu\n",
		(unsigned long long)c.returned_bytes,
		(unsigned long long)c.reported_bytes);
	fprintf(out, "balloon_bad_pages %llu\nballoon_discard_errors %llu\n",
		(unsigned long long)c.bad_pfns,
		(unsigned long long)c.discard_errors);
}

static void balloon_stats(struct virtio_balloon *b, FILE *out)
{
	struct virtio_balloon_stats s;
	unsigned int tag;
	int err;

	err = virtio_balloon_request_stats(b, BALLOON_STATS_TIMEOUT_MS, &s);
	fprintf(out, "ok\n");
	balloon_show(b, out);
	/* Stale figures are still figures: say how they are. */
	fprintf(out, "guest_stats %s\n",
		!err ? "fresh" : err == -EAGAIN ?
		(s.updates ? "stale (the guest did not answer in time)" :
			     "none (the guest did not answer in time)") :
		(s.updates ? "stale (the driver is not running)" :
			     "none (no statistics queue: driver not running)"));
	for (tag = 0; tag < VIRTIO_BALLOON_S_NR; tag++)
		if (s.present & (1u << tag))
			fprintf(out, "%s %llu\n", virtio_balloon_stat_name(tag),
				(unsigned long long)s.val[tag]);
}

static void verb_balloon(struct vm *vm, void *opaque, const char *args,
			 FILE *out)
{
	struct virtio_balloon *b = opaque;

	if (!strncmp(args, "inflate ", 8))
		balloon_move(b, args + 8, true, out);
	else if (!strncmp(args, "deflate ", 8))
		balloon_move(b, args + 8, false, out);
	else if (!strcmp(args, "stats"))
		balloon_stats(b, out);
	else if (!*args) {
		fprintf(out, "ok\n");
		balloon_show(b, out);
	} else
		fprintf(out, "error: balloon: unknown request '%s' (inflate MIB, deflate MIB or stats)\n",
			args);
}

static int balloon_create(struct vm *vm, struct vm_virtio_dev *d)
{
	struct virtio_balloon *b;
	int err;

	if (vm->cfg->hugetlbfs_path) {
		pr_err("--balloon cannot give memory back from hugetlbfs-backed RAM (--hugetlbfs): use one or the other");
		return -EINVAL;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	err = virtio_balloon_init(b, &vm->mem, d->name, vm->cfg->ram_size);
	if (err) {
		pr_err("cannot set up %s: %s", d->name, strerror(-err));
		free(b);
		return err;
	}
	d->vdev = &b->vdev;
	d->priv = b;
	return 0;
}

/* On the VM's device list: `lkvm balloon` and `lkvm stat -m` reach it. */
static int balloon_attached(struct vm *vm, struct vm_virtio_dev *d)
{
	struct control_verb verb = {
		.name = "balloon", .fn = verb_balloon, .opaque = d->priv,
		.takes_args = true, .help = "inflate MIB | deflate MIB | stats",
	};

	return control_verb_register(vm, &verb);
}

static void balloon_destroy(struct vm_virtio_dev *d)
{
	virtio_balloon_destroy(d->priv);
	free(d->priv);
}

const struct vm_virtio_kind dev_balloon_kind = {
	.name = "virtio-balloon",
	.count = balloon_count,
	.create = balloon_create,
	.attached = balloon_attached,
	.destroy = balloon_destroy,
};
