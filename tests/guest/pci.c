// SPDX-License-Identifier: GPL-2.0
/* PCI configuration space access, mechanism #1 (ports 0xcf8/0xcfc). */
#include "guest.h"

#define PCI_CONFIG_ADDR	0xcf8
#define PCI_CONFIG_DATA	0xcfc

static spinlock_t pci_lock;

static void pci_select(u8 bus, u8 dev, u8 fn, u16 off)
{
	outl(0x80000000u | (u32)bus << 16 | (u32)(dev & 0x1f) << 11 |
	     (u32)(fn & 7) << 8 | (off & 0xfc), PCI_CONFIG_ADDR);
}

u32 pci_cfg_read32(u8 bus, u8 dev, u8 fn, u16 off)
{
	u32 v;

	spin_lock(&pci_lock);
	pci_select(bus, dev, fn, off);
	v = inl(PCI_CONFIG_DATA);
	spin_unlock(&pci_lock);
	return v;
}

u16 pci_cfg_read16(u8 bus, u8 dev, u8 fn, u16 off)
{
	u16 v;

	spin_lock(&pci_lock);
	pci_select(bus, dev, fn, off);
	v = inw(PCI_CONFIG_DATA + (off & 2));
	spin_unlock(&pci_lock);
	return v;
}

u8 pci_cfg_read8(u8 bus, u8 dev, u8 fn, u16 off)
{
	u8 v;

	spin_lock(&pci_lock);
	pci_select(bus, dev, fn, off);
	v = inb(PCI_CONFIG_DATA + (off & 3));
	spin_unlock(&pci_lock);
	return v;
}

void pci_cfg_write32(u8 bus, u8 dev, u8 fn, u16 off, u32 v)
{
	spin_lock(&pci_lock);
	pci_select(bus, dev, fn, off);
	outl(v, PCI_CONFIG_DATA);
	spin_unlock(&pci_lock);
}

void pci_cfg_write16(u8 bus, u8 dev, u8 fn, u16 off, u16 v)
{
	spin_lock(&pci_lock);
	pci_select(bus, dev, fn, off);
	outw(v, PCI_CONFIG_DATA + (off & 2));
	spin_unlock(&pci_lock);
}

void pci_cfg_write8(u8 bus, u8 dev, u8 fn, u16 off, u8 v)
{
	spin_lock(&pci_lock);
	pci_select(bus, dev, fn, off);
	outb(v, PCI_CONFIG_DATA + (off & 3));
	spin_unlock(&pci_lock);
}

/* Offset of the first capability with this ID, or 0. */
u8 pci_find_cap(u8 bus, u8 dev, u8 fn, u8 cap_id)
{
	unsigned int guard;
	u8 pos;

	if (!(pci_cfg_read16(bus, dev, fn, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	pos = pci_cfg_read8(bus, dev, fn, PCI_CAPABILITY_LIST) & ~3;
	for (guard = 0; pos >= 0x40 && guard < 48; guard++) {
		if (pci_cfg_read8(bus, dev, fn, pos) == cap_id)
			return pos;
		pos = pci_cfg_read8(bus, dev, fn, pos + 1) & ~3;
	}
	return 0;
}

/* Address a memory BAR holds (64-bit BARs: i is the low half), or 0. */
u64 pci_bar_addr(u8 bus, u8 dev, u8 fn, unsigned int i)
{
	u16 off = PCI_BAR0 + 4 * i;
	u32 lo = pci_cfg_read32(bus, dev, fn, off);
	u64 addr;

	if (i > 5 || (lo & 1))
		return 0;
	addr = lo & ~0xfULL;
	if ((lo & 6) == 4 && i < 5)
		addr |= (u64)pci_cfg_read32(bus, dev, fn, off + 4) << 32;
	return addr;
}
