// SPDX-License-Identifier: GPL-2.0
/*
 * virtio device tests over PCI or MMIO (whichever the VMM offers; the
 * command line's virtio_mmio.device= words win), with interrupts by MSI-X,
 * INTx (or the mmio line), or polling:
 *
 *   test=virtio-rng[:msix|intx|poll]
 *     virtio-rng: TRANSPORT IRQ: N bytes in K buffers, D distinct byte values
 *     virtio-rng: msix mask: pending while masked, delivered on unmask
 *     virtio-rng: ok
 *   test=virtio-console[:msix|intx|poll]   (and vc-echo on the command line
 *   to read one line of input and send it back)
 *     hvc0 output: "hvc0: hello over virtio-TRANSPORT (IRQ)"
 *     virtio-console: size COLSxROWS         (when F_SIZE is offered)
 *     virtio-console: got N bytes: LINE      (vc-echo; and hvc0: echo LINE)
 *     virtio-console: ok
 */
#include "virtio.h"

#define ID_CONSOLE	3
#define ID_RNG		4
#define RNG_BUF		64
#define RNG_BUFS	4
#define WAIT_LIMIT	3000000u

/* In an interrupt mode, wait for queue q's count to pass `before`. */
static bool wait_irq(struct vio_dev *d, unsigned int q, u32 before)
{
	unsigned int i;

	if (d->irq == VIO_POLL)
		return true;
	for (i = 0; i < WAIT_LIMIT && d->q[q].irqs == before; i++)
		cpu_relax();
	return d->q[q].irqs != before;
}

static int rng_mask_check(struct vio_dev *d, u8 *buf)
{
	u32 before = d->q[0].irqs, len;
	unsigned int i;

	vio_msix_mask(d, 0, true);
	vio_post(d, 0, buf, RNG_BUF, true);
	if (vio_wait_used(d, 0, &len)) {
		printf("virtio-rng: no buffer back while masked\n");
		return EXIT_FAIL;
	}
	for (i = 0; i < WAIT_LIMIT / 10; i++)
		cpu_relax();
	if (d->q[0].irqs != before || !vio_msix_pending(d, 0)) {
		printf("virtio-rng: masked vector: %u interrupts, pending %d\n",
		       d->q[0].irqs - before, vio_msix_pending(d, 0));
		return EXIT_FAIL;
	}
	vio_msix_mask(d, 0, false);
	if (!wait_irq(d, 0, before) || vio_msix_pending(d, 0)) {
		printf("virtio-rng: unmasking did not deliver the pending message\n");
		return EXIT_FAIL;
	}
	printf("virtio-rng: msix mask: pending while masked, delivered on unmask\n");
	return EXIT_OK;
}

static int test_virtio_rng(const struct boot_info *bi, const char *arg)
{
	struct vio_dev d;
	enum vio_irq irq;
	bool seen[256] = { false };
	unsigned int i, distinct = 0, total = 0;
	u8 *buf;

	if (vio_parse_irq(arg, &irq))
		return EXIT_USAGE;
	if (vio_init(&d, ID_RNG, irq, 0, NULL) || vio_start(&d, 1))
		return EXIT_FAIL;
	buf = page_zalloc(1);
	for (i = 0; i < RNG_BUFS; i++) {
		u8 *b = buf + i * RNG_BUF;
		u32 before = d.q[0].irqs, len = 0;

		vio_post(&d, 0, b, RNG_BUF, true);
		if (vio_wait_used(&d, 0, &len) || !wait_irq(&d, 0, before)) {
			printf("virtio-rng: buffer %u: no %s\n", i,
			       vio_has_used(&d, 0) || len ? "interrupt" :
			       "used entry");
			return EXIT_FAIL;
		}
		if (len != RNG_BUF) {
			printf("virtio-rng: buffer %u: %u bytes\n", i, len);
			return EXIT_FAIL;
		}
		total += len;
	}
	for (i = 0; i < RNG_BUFS * RNG_BUF; i++) {
		if (!seen[buf[i]])
			distinct++;
		seen[buf[i]] = true;
	}
	printf("virtio-rng: %s %s: %u bytes in %u buffers, %u distinct byte values\n",
	       d.transport, vio_irq_name(d.irq), total, RNG_BUFS, distinct);
	/* 256 random bytes hold ~160 distinct values; constant data 1. */
	if (distinct < 64 || !memcmp(buf, buf + RNG_BUF, RNG_BUF)) {
		printf("virtio-rng: the bytes do not look random\n");
		return EXIT_FAIL;
	}
	if (d.irq == VIO_MSIX && rng_mask_check(&d, buf))
		return EXIT_FAIL;
	vio_reset(&d);
	printf("virtio-rng: ok\n");
	return EXIT_OK;
}
GUEST_TEST("virtio-rng", test_virtio_rng);

static int console_send(struct vio_dev *d, char *buf, const char *s)
{
	u32 before = d->q[1].irqs, n = (u32)strlen(s);

	memcpy(buf, s, n);
	vio_post(d, 1, buf, n, false);
	if (vio_wait_used(d, 1, NULL) || !wait_irq(d, 1, before)) {
		printf("virtio-console: transmit not completed\n");
		return -1;
	}
	return 0;
}

/* Read one line through the receive queue (buffers of 16 bytes). */
static int console_readline(struct vio_dev *d, u8 *rx, char *line,
			    unsigned int max)
{
	unsigned int n = 0, tries = 0, slot = 0;
	u32 len;

	while (n < max - 1 && tries < 20) {
		if (vio_wait_used(d, 0, &len)) {
			tries++;
			continue;
		}
		if (len > 16) {
			printf("virtio-console: used length %u > 16\n", len);
			return -1;
		}
		for (u32 i = 0; i < len && n < max - 1; i++)
			line[n++] = (char)rx[16 * slot + i];
		vio_post(d, 0, rx + 16 * slot, 16, true);
		slot = (slot + 1) % 4;
		if (n && line[n - 1] == '\n')
			break;
	}
	line[n] = 0;
	if (!n || line[n - 1] != '\n')
		return -1;
	line[n - 1] = 0;
	return (int)n;
}

static int test_virtio_console(const struct boot_info *bi, const char *arg)
{
	struct vio_dev d;
	enum vio_irq irq;
	char *tx, line[128], msg[200];
	u64 offered;
	u8 *rx;
	unsigned int i;
	int n;

	if (vio_parse_irq(arg, &irq))
		return EXIT_USAGE;
	if (vio_init(&d, ID_CONSOLE, irq, 1, &offered) || vio_start(&d, 2))
		return EXIT_FAIL;
	if (offered & 1)
		printf("virtio-console: size %ux%u\n",
		       vio_cfg8(&d, 0) | vio_cfg8(&d, 1) << 8,
		       vio_cfg8(&d, 2) | vio_cfg8(&d, 3) << 8);
	rx = page_zalloc(1);
	tx = page_zalloc(1);
	/* Four 16-byte receive buffers, in the order they are used. */
	for (i = 0; i < 4; i++)
		vio_post(&d, 0, rx + 16 * i, 16, true);
	snprintf(msg, sizeof(msg), "hvc0: hello over virtio-%s (%s)\n",
		 d.transport, vio_irq_name(d.irq));
	if (console_send(&d, tx, msg))
		return EXIT_FAIL;
	if (cmdline_has("vc-echo")) {
		n = console_readline(&d, rx, line, sizeof(line));
		if (n < 0) {
			printf("virtio-console: no input line\n");
			return EXIT_FAIL;
		}
		printf("virtio-console: got %d bytes: %s\n", n, line);
		snprintf(msg, sizeof(msg), "hvc0: echo %s\n", line);
		if (console_send(&d, tx, msg))
			return EXIT_FAIL;
	}
	vio_reset(&d);
	printf("virtio-console: ok\n");
	return EXIT_OK;
}
GUEST_TEST("virtio-console", test_virtio_console);
