// SPDX-License-Identifier: GPL-2.0
/*
 * Present-but-inert PC ports. Reads return what the hardware would show
 * with nothing happening: 0 for chipset logic that is always there (the
 * DMA controllers and page registers, idle), all-ones for decode-only
 * ports and for expansion cards a PC may lack (VGA, floppy, parallel,
 * game port: a floating ISA bus reads 0xff, which is how drivers conclude
 * there is no card). Writes are dropped, except port 0x92.
 *
 * Not here on purpose: 0x20/0xa0 and 0x4d0/0x4d1 (in-kernel PIC and ELCR),
 * 0x40-0x43 and 0x61 (in-kernel PIT; 0x61 comes with the PIT's speaker
 * dummy), 0x3f6 (IDE secondary status, shares a block with the floppy).
 */
#include <assert.h>
#include <string.h>

#include "devices/ignored-ports.h"
#include "log.h"

#define PORT92_FAST_RESET	0x01
#define PORT92_A20		0x02

enum ignored_kind {
	READS_ZERO,
	READS_ONES,
	PORT92,
};

static const struct {
	const char *name;
	u16 base;
	u16 len;
	enum ignored_kind kind;
} ignored_table[] = {
	{ "dma1", 0x00, 0x20, READS_ZERO },
	{ "post", 0x80, 0x01, READS_ONES },
	{ "dma-page", 0x81, 0x0f, READS_ZERO },
	{ "sysctl-a", 0x92, 0x01, PORT92 },
	{ "dma2", 0xc0, 0x20, READS_ZERO },
	{ "io-delay", 0xed, 0x01, READS_ONES },
	{ "gameport", 0x201, 0x01, READS_ONES },
	{ "lpt2", 0x278, 0x03, READS_ONES },
	{ "lpt1", 0x378, 0x03, READS_ONES },
	{ "vga", 0x3b0, 0x30, READS_ONES },
	{ "floppy", 0x3f0, 0x06, READS_ONES },
	{ "floppy-dir", 0x3f7, 0x01, READS_ONES },
};

static_assert(ARRAY_SIZE(ignored_table) <= IGNORED_PORTS_MAX,
	      "raise IGNORED_PORTS_MAX");

static void port92_write(struct ignored_ports *ip, u8 val)
{
	__atomic_store_n(&ip->port92, (u8)(val & ~PORT92_FAST_RESET),
			 __ATOMIC_SEQ_CST);
	if (val & PORT92_FAST_RESET) {
		pr_info("port 0x92: guest fast reset");
		if (ip->ops.reset)
			ip->ops.reset(ip->ops.opaque);
	}
}

static void ignored_access(struct bus_dev *dev, struct vcpu *vcpu,
			   u64 offset, u8 *data, u32 len, bool is_write)
{
	struct ignored_ports *ip = dev->priv;
	enum ignored_kind kind = ignored_table[dev - ip->devs].kind;

	if (kind == PORT92) {
		if (is_write)
			port92_write(ip, data[0]);
		else
			data[0] = __atomic_load_n(&ip->port92,
						  __ATOMIC_SEQ_CST);
		return;
	}
	if (!is_write)
		memset(data, kind == READS_ZERO ? 0x00 : 0xff, len);
}

int ignored_ports_init(struct ignored_ports *ip, struct bus *bus,
		       const struct ignored_ports_ops *ops)
{
	unsigned int i;
	int err;

	memset(ip, 0, sizeof(*ip));
	if (ops)
		ip->ops = *ops;
	ip->bus = bus;
	ip->port92 = PORT92_A20;
	for (i = 0; i < ARRAY_SIZE(ignored_table); i++) {
		struct bus_dev *dev = &ip->devs[i];

		dev->name = ignored_table[i].name;
		dev->base = ignored_table[i].base;
		dev->len = ignored_table[i].len;
		dev->access = ignored_access;
		dev->priv = ip;
		err = bus_register(bus, dev);
		if (err) {
			pr_err("cannot claim ports 0x%x-0x%x (%s): %s",
			       ignored_table[i].base,
			       ignored_table[i].base + ignored_table[i].len - 1,
			       ignored_table[i].name, strerror(-err));
			ignored_ports_exit(ip);
			return err;
		}
		ip->nr_devs = i + 1;
	}
	return 0;
}

void ignored_ports_exit(struct ignored_ports *ip)
{
	unsigned int i;

	for (i = 0; i < ip->nr_devs; i++)
		bus_unregister(ip->bus, &ip->devs[i]);
	ip->nr_devs = 0;
}

void ignored_ports_reset(struct ignored_ports *ip)
{
	__atomic_store_n(&ip->port92, (u8)PORT92_A20, __ATOMIC_SEQ_CST);
}
