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
