// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for a hostile driver on the virtio-mmio transport: any
 * sequence of register and config-space accesses (both layouts: v2 and
 * legacy), with guest memory the input also fills, against an echo device
 * that pops, copies and pushes on every notification. Exercises the
 * status/feature state machine, queue configuration and enabling, reset,
 * interrupts and the chain walker behind them.
 *
 * Input:
 *   u8 flags (bit0: legacy layout), le16 n, n bytes of guest memory (R0,
 *   then R1), then 8-byte operations:
 *     u8 kind, u8 width, le16 offset, le32 value
 *   kind % 4: 0 write, 1 read (both at offset % 0x200, width 1/2/4/8),
 *             2 poke 16 bits of guest memory at offset, 3 reset the
 *             device through Status.
 *
 * Guest memory as in virtio-walker.c. Invariants (abort = finding): the
 * interrupt line is high iff InterruptStatus is non-zero; a ready queue
 * has a valid size and its areas lie wholly in RAM (echo-device.h); the
 * read-only R2, which nothing but the device could write, stays zero.
 */
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "virtio/mmio.h"
#include "echo-device.h"

#define R0 0x1000ULL
#define R0_SIZE 8192ULL
#define R1 0x3000ULL
#define R1_SIZE 1024ULL
#define R2 0x8000ULL
#define R2_SIZE 512ULL
#define BASE 0xd0000000ULL
#define MAX_OPS 2048

struct fz {
	struct guest_mem mem;
	u8 *r[3];
	struct fz_echo echo;
	struct virtio_mmio m;
	struct irq_line irq;
	int level;
};

static void fz_level(struct irq_line *line, int level)
{
	struct fz *f = line->opaque;

	f->level = level;
}

static void check(struct fz *f)
{
	unsigned int i;

	if (f->level != (f->m.interrupt_status != 0))
		abort();
	fz_echo_check_queues(&f->echo, &f->mem);
	for (i = 0; i < R2_SIZE; i++)
		if (f->r[2][i])
			abort();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct fz f;
	struct virtio_mmio_options o;
	unsigned int ops = 0;
	size_t n, i;

	if (size < 3)
		return 0;
	log_set_level(LOG_ERROR);
	memset(&f, 0, sizeof(f));
	f.r[0] = calloc(1, R0_SIZE);
	f.r[1] = calloc(1, R1_SIZE);
	f.r[2] = calloc(1, R2_SIZE);
	if (!f.r[0] || !f.r[1] || !f.r[2] ||
	    guest_mem_add(&f.mem, R0, R0_SIZE, f.r[0], false) ||
	    guest_mem_add(&f.mem, R1, R1_SIZE, f.r[1], false) ||
	    guest_mem_add(&f.mem, R2, R2_SIZE, f.r[2], true))
		abort();
	fz_echo_init(&f.echo, &f.mem, 2, 64, 1ULL << 5);
	f.irq = (struct irq_line){ .set_level = fz_level, .opaque = &f };
	o.legacy = data[0] & 1;
	if (virtio_mmio_init(&f.m, &f.echo.vdev, BASE, &f.irq, &o))
		abort();
	n = data[1] | data[2] << 8;
	data += 3;
	size -= 3;
	n = MIN(MIN(n, size), R0_SIZE + R1_SIZE);
	guest_mem_write(&f.mem, R0, data, n);
	for (i = n; i + 8 <= size && ops++ < MAX_OPS; i += 8) {
		const u8 *op = data + i;
		u32 width = 1u << (op[1] % 4);
		u16 off = op[2] | op[3] << 8;
		u8 val[8];

		memcpy(val, op + 4, 4);
		memcpy(val + 4, op + 4, 4);
		switch (op[0] % 4) {
		case 0:
		case 1:
			off %= VIRTIO_MMIO_SIZE;
			if (off + width > VIRTIO_MMIO_SIZE)
				off = VIRTIO_MMIO_SIZE - width;
			virtio_mmio_access(&f.m.bus_dev, NULL, off, val, width,
					   op[0] % 4 == 0);
			break;
		case 2:
			guest_mem_write(&f.mem, R0 + off % (R0_SIZE + R1_SIZE - 1),
					op + 4, 2);
			break;
		default: {
			u32 zero = 0;

			virtio_mmio_access(&f.m.bus_dev, NULL,
					   VIRTIO_MMIO_STATUS, (u8 *)&zero, 4,
					   true);
			break;
		}
		}
		check(&f);
	}
	virtio_mmio_destroy(&f.m);
	fz_echo_destroy(&f.echo);
	free(f.r[0]);
	free(f.r[1]);
	free(f.r[2]);
	return 0;
}
