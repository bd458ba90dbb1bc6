/* SPDX-License-Identifier: GPL-2.0 */
/* Ports, addresses and values the mmio_pio test's host and guest share. */
#define MP_PORT8	0xe0
#define MP_PORT16	0xe2
#define MP_PORT32	0xe4
#define MP_PORT_STR	0xe8
#define MP_MMIO		(ST_MMIO_BASE + 0x100)

#define MP_IN8		0xa5
#define MP_IN16		0xbeef
#define MP_IN32		0xdeadbeefu
#define MP_OUT8		0x5a
#define MP_OUT32	0x12345678u
#define MP_MMIO8	0x81
#define MP_MMIO16	0x8182
#define MP_MMIO32	0x81828384u
#define MP_MMIO64	0x8182838485868788ull
#define MP_MMIO_ADD	0x100u
#define MP_MMIO_W32	0xcafef00du
#define MP_MMIO_W64	0x0123456789abcdefull
#define MP_STR_LEN	4
