// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for a hostile driver on the PCI host (devices/pci.c) and
 * the virtio-pci transport (virtio/pci.c), lkvm's default: any sequence of
 * configuration accesses (mechanism #1 and ECAM), accesses to the device's
 * BARs wherever the driver has moved them (common, ISR, device and notify
 * structures in BAR 4, the MSI-X table and PBA in BAR 1), and guest memory
 * pokes, against an echo device with two queues that pops, copies and
 * pushes on every notification. Exercises BAR sizing and moves, the
 * command register, capabilities (PCI_CFG window included), MSI-X masking
 * and vectors, feature and status logic, queue set-up and the rings.
 *
 * Input:
 *   u8 flags (unused, kept for the seeds' format), le16 n, n bytes of guest
 *   memory (RAM at 1 MiB), then 8-byte operations:
 *     u8 kind, u8 width, le16 offset, le32 value
 *   kind % 8: 0/1 write/read configuration space (offset % 4096 through
 *             ECAM, or % 256 through 0xcf8/0xcfc when offset >= 0x8000),
 *             2/3 write/read BAR 4 at offset % 0x4000, 4/5 write/read
 *             BAR 1 (MSI-X) at offset % 0x1000, 6 poke 32 bits of guest
 *             memory at offset, 7 the raw 64-bit MMIO address
 *             0xc0000000 + value (BARs or not) with a write of offset.
 *   width % 4 selects 1, 2, 4 or 8 bytes.
 *
 * Invariants (abort = finding): INTx is high only while the ISR has a bit
 * and MSI-X is off; a ready queue has a valid size and its areas lie
 * wholly in RAM (echo-device.h); every MSI-X vector the driver chose is
 * in the table or NO_VECTOR.
 */
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "unaligned.h"
#include "../unit/virtio-pci-drv.h"
#include "echo-device.h"

#define MAX_OPS 2048
#define ECAM 0xe0000000ULL

struct fz {
	struct th t;
	struct fz_echo echo;
	struct virtio_pci vp;
};

static struct fz F;
static u8 ram[TH_RAM_SIZE];

/*
 * Where the driver has put BAR bar now, from the register itself: th_bar()
 * would go through 0xcf8 and change the address the input has set there.
 */
static u64 bar_base(unsigned int bar)
{
	u8 *c = F.vp.pci.cfg + PCI_BAR0 + 4 * bar;
	u64 a = get_le32(c) & ~0xfULL;

	if ((get_le32(c) & 6) == 4)
		a |= (u64)get_le32(c + 4) << 32;
	return a;
}

/* A write, or a read whose value the invariants do not need. */
static void bus_rw(struct bus *b, u64 addr, u32 len, u64 v, bool write)
{
	if (write)
		th_wr(b, addr, len, v);
	else
		th_rd(b, addr, len);
}

/* A vector the driver set is one the MSI-X table has, or NO_VECTOR. */
static bool vector_ok(u16 v)
{
	return v == VIRTIO_MSI_NO_VECTOR || v < F.vp.pci.msix.nr;
}

static void check(void)
{
	unsigned int q;

	if (F.t.level && (!F.vp.isr || pci_msix_enabled(&F.vp.pci)))
		abort();
	fz_echo_check_queues(&F.echo, &F.t.mem);
	if (!vector_ok(F.vp.config_vector))
		abort();
	for (q = 0; q < F.echo.vdev.nr_queues; q++)
		if (!vector_ok(F.vp.queue_vector[q]))
			abort();
}

static void run_op(const u8 *op)
{
	static const u32 widths[] = { 1, 2, 4, 8 };
	u8 kind = op[0] % 8;
	u32 len = widths[op[1] % 4];
	u16 off = get_le16(op + 2);
	u32 val = get_le32(op + 4);
	u64 v = (u64)val << 32 | val;
	u8 slot = F.vp.pci.slot;

	switch (kind) {
	case 0:
	case 1:
		if (off >= 0x8000 && kind == 0) {
			cfg_wr(&F.t, slot, off & 0xff, MIN(len, 4u), val);
		} else if (off >= 0x8000) {
			cfg_rd(&F.t, slot, off & 0xff, MIN(len, 4u));
		} else {
			bus_rw(&F.t.mmio, ECAM + ((u64)slot << 15) +
			       off % 4096, MIN(len, 4u), val, kind == 0);
		}
		break;
	case 2:
	case 3:
		bus_rw(&F.t.mmio, bar_base(VIRTIO_PCI_BAR) + off % 0x4000, len,
		       v, kind == 2);
		break;
	case 4:
	case 5:
		bus_rw(&F.t.mmio, bar_base(VIRTIO_PCI_MSIX_BAR) + off % 0x1000,
		       len, v, kind == 4);
		break;
	case 6:
		off %= TH_RAM_SIZE - 3;
		val = htole32(val);
		memcpy(F.t.ram + off, &val, 4);
		break;
	case 7:
		bus_rw(&F.t.mmio, 0xc0000000ULL + val, len, off, true);
		break;
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	unsigned int ops = 0;
	size_t n;

	if (size < 3)
		return 0;
	log_set_level(LOG_ERROR);
	memset(&F, 0, sizeof(F));
	/* One RAM for every input: a fresh 1 MiB costs ASan page faults. */
	memset(ram, 0, TH_RAM_SIZE);
	th_init_ram(&F.t, ram);
	fz_echo_init(&F.echo, &F.t.mem, 2, 64, 1ULL << 5);
	if (virtio_pci_init(&F.vp, &F.echo.vdev, &F.t.host, &F.t.intx))
		abort();

	n = MIN((size_t)get_le16(data + 1), size - 3);
	memcpy(F.t.ram, data + 3, MIN(n, (size_t)TH_RAM_SIZE));
	data += 3 + n;
	size -= 3 + n;
	while (size >= 8 && ops++ < MAX_OPS) {
		run_op(data);
		check();
		data += 8;
		size -= 8;
	}

	virtio_pci_destroy(&F.vp);
	fz_echo_destroy(&F.echo);
	th_fini(&F.t);
	return 0;
}

#include "replay.h"
