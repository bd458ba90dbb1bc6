// SPDX-License-Identifier: GPL-2.0
/*
 * test=pci: list the functions on PCI bus 0 through ports 0xcf8/0xcfc.
 *
 *   pci: 00:DD.F VVVV:DDDD class CCCCCC   one line per function
 *   pci: N functions                      at the end
 */
#include "guest.h"

static int test_pci(const struct boot_info *bi, const char *arg)
{
	unsigned int dev, fn, count = 0;

	for (dev = 0; dev < 32; dev++) {
		for (fn = 0; fn < 8; fn++) {
			u32 id = pci_cfg_read32(0, dev, fn, PCI_VENDOR_ID);
			u32 class;

			if ((id & 0xffff) == 0xffff || !(id & 0xffff)) {
				if (!fn)
					break;
				continue;
			}
			class = pci_cfg_read32(0, dev, fn, 0x08) >> 8;
			printf("pci: 00:%02x.%x %04x:%04x class %06x\n", dev, fn,
			       id & 0xffff, id >> 16, class);
			count++;
			/* Header type bit 7: multi-function device. */
			if (!fn && !(pci_cfg_read8(0, dev, 0, 0x0e) & 0x80))
				break;
		}
	}
	printf("pci: %u functions\n", count);
	return EXIT_OK;
}
GUEST_TEST("pci", test_pci);
