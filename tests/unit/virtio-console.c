// SPDX-License-Identifier: GPL-2.0
/*
 * virtio/console.c behind the virtio-pci transport: output from the
 * transmit queue reaches the output fd byte-exact, input through the
 * term sink fills receive buffers (and stops, asking for room, when there
 * are none), F_SIZE with a terminal's size (a pty), EMERG_WRITE, reset.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "tap.h"
#include "log.h"
#include "virtio/console.h"
#include "virtio-pci-drv.h"

#define C(off) TC(&T, off)
#define NOVEC VIRTIO_MSI_NO_VECTOR

static struct th T;
static struct virtio_console CON;
static struct virtio_pci VP;
static struct term_out OUT;
static int pipefd[2];
static int rooms;

static void room(void *o)
{
	rooms++;
}

static void setup(int size_fd)
{
	th_init(&T);
	/* A blocking pipe, as stdout usually is; its reader polls. */
	if (pipe(pipefd) || fcntl(pipefd[0], F_SETFL, O_NONBLOCK) ||
	    term_out_init(&OUT, pipefd[1]) ||
	    virtio_console_init(&CON, &T.mem, "virtio-console.0", &OUT,
				size_fd) ||
	    virtio_pci_init(&VP, &CON.vdev, &T.host, &T.intx))
		abort();
	virtio_console_set_room_cb(&CON, room, NULL);
	rooms = 0;
	th_find(&T, VIRTIO_ID_CONSOLE);
}

static void teardown(void)
{
	virtio_pci_destroy(&VP);
	virtio_console_destroy(&CON);
	term_out_destroy(&OUT);
	th_fini(&T);
	close(pipefd[0]);
	close(pipefd[1]);
}

static void start(u64 features)
{
	th_negotiate(&T, features);
	th_queue(&T, 0, 8, NOVEC);
	th_queue(&T, 1, 8, NOVEC);
	th_driver_ok(&T);
}

static void test_output(void)
{
	static const char msg[] = "hello from hvc0\n";
	char got[64] = { 0 };
	u32 len = 99;
	ssize_t n;

	setup(-1);
	ok(!(th_device_features(&T) & VIRTIO_BIT(VIRTIO_CONSOLE_F_SIZE)) &&
	   (th_device_features(&T) &
	    VIRTIO_BIT(VIRTIO_CONSOLE_F_EMERG_WRITE)) &&
	   !(th_device_features(&T) &
	     VIRTIO_BIT(VIRTIO_CONSOLE_F_MULTIPORT)),
	   "features: EMERG_WRITE; no SIZE without a terminal; one port");
	ok(mrd(&T, C(NUMQ), 2) == 2, "two queues: receiveq, transmitq");
	ok(mrd(&T, T.device + 4, 4) == 1, "config: max_nr_ports 1");
	start(0);
	memcpy(th_hva(&T, TH_BUFS), msg, sizeof(msg) - 1);
	th_post(&T, 1, TH_BUFS, sizeof(msg) - 1, false);
	n = read(pipefd[0], got, sizeof(got));
	ok(n == (ssize_t)sizeof(msg) - 1 && !memcmp(got, msg, n),
	   "transmitq bytes reach the output fd exactly");
	ok(th_used(&T, 1, &len) && len == 0,
	   "the transmit buffer comes back with 0 bytes written");
	ok(T.level == 1, "and an interrupt (INTx)");
	teardown();
}

#define HELD_BUFS	8
#define HELD_LEN	0x8000

/*
 * Nobody reads stdout: transmit buffers stay unused (the guest is held
 * back) instead of the notify blocking in write(), and once the reader
 * takes the bytes the rest is transmitted and used, every byte in order.
 * Today's code blocked in write() here (the alarm fails the test).
 */
static void test_output_held(void)
{
	u8 buf[8192];
	size_t pos = 0, total = HELD_BUFS * HELD_LEN;
	unsigned int i, used = 0, bad = 0, rounds = 0;
	ssize_t n;
	u32 len;

	setup(-1);
	fcntl(pipefd[0], F_SETPIPE_SZ, 4096);
	start(0);
	for (i = 0; i < total; i++)
		*(u8 *)th_hva(&T, TH_BUFS + i) = (u8)(i % 241);
	alarm(10);
	for (i = 0; i < HELD_BUFS; i++)
		th_post(&T, 1, TH_BUFS + (u64)i * HELD_LEN, HELD_LEN, false);
	alarm(0);
	while (th_used(&T, 1, &len))
		used++;
	ok(used < HELD_BUFS && CON.tx_held,
	   "unread output: %u of %d buffers used, the rest held", used,
	   HELD_BUFS);
	ok(term_out_pending(&OUT) <= TERM_OUT_SOFT_CAP,
	   "no more than the soft cap buffered (%zu)", term_out_pending(&OUT));
	while (pos < total && rounds++ < 100000) {
		while ((n = read(pipefd[0], buf, sizeof(buf))) > 0) {
			ssize_t k;

			for (k = 0; k < n; k++)
				if (buf[k] != (u8)((pos + k) % 241))
					bad++;
			pos += (size_t)n;
		}
		term_out_service(&OUT);
		while (th_used(&T, 1, &len))
			used++;
	}
	ok(pos == total && !bad, "the reader gets every byte in order (%zu of %zu, %u bad)",
	   pos, total, bad);
	ok(used == HELD_BUFS && !CON.tx_held && CON.bytes_out == total,
	   "every transmit buffer used once its bytes were out (%u)", used);
	teardown();
}

/* A reset while a chain is held forgets it: nothing is pushed later. */
static void test_output_held_reset(void)
{
	unsigned int i;

	setup(-1);
	fcntl(pipefd[0], F_SETPIPE_SZ, 4096);
	start(0);
	for (i = 0; i < HELD_BUFS; i++)
		th_post(&T, 1, TH_BUFS + (u64)i * HELD_LEN, HELD_LEN, false);
	ok(CON.tx_held, "a chain is held");
	mwr(&T, C(STATUS), 1, 0);
	ok(!CON.tx_held, "device reset drops the held chain");
	teardown();
}

/*
 * A queue reset (QueueReady=0, as virtio-mmio and virtio-ccw drivers do)
 * while a chain is held forgets it: once the reader drains stdout nothing
 * of the old ring is used.
 */
static void test_output_held_queue_reset(void)
{
	u8 buf[8192];
	unsigned int i, used = 0;
	u32 len;

	setup(-1);
	fcntl(pipefd[0], F_SETPIPE_SZ, 4096);
	start(0);
	for (i = 0; i < HELD_BUFS; i++)
		th_post(&T, 1, TH_BUFS + (u64)i * HELD_LEN, HELD_LEN, false);
	while (th_used(&T, 1, &len))
		used++;
	ok(CON.tx_held, "a chain is held");
	virtio_queue_set_ready(&CON.vdev, VIRTIO_CONSOLE_TXQ, false);
	ok(!CON.tx_held, "resetting the transmit queue drops the held chain");
	for (i = 0; i < 1000; i++) {
		while (read(pipefd[0], buf, sizeof(buf)) > 0)
			;
		term_out_service(&OUT);
	}
	i = used;
	while (th_used(&T, 1, &len))
		used++;
	ok(used == i, "nothing of the old ring is used after the reset (%u)",
	   used - i);
	teardown();
}

static void test_input(void)
{
	u32 l1 = 0, l2 = 0;

	setup(-1);
	ok(virtio_console_sink(&CON, (const u8 *)"x", 1) == 0,
	   "input before DRIVER_OK is not taken");
	start(0);
	ok(rooms == 1, "DRIVER_OK asks the terminal for input");
	ok(virtio_console_sink(&CON, (const u8 *)"x", 1) == 0,
	   "no receive buffers: nothing taken");
	th_post(&T, 0, TH_BUFS, 4, true);
	ok(rooms == 2, "posting a receive buffer asks the terminal for input");
	th_post(&T, 0, TH_BUFS + 0x100, 4, true);
	ok(virtio_console_sink(&CON, (const u8 *)"abcdefghij", 10) == 8,
	   "10 bytes offered, 8 fit in two 4-byte buffers");
	ok(th_used(&T, 0, &l1) && th_used(&T, 0, &l2) && l1 == 4 && l2 == 4 &&
	   !memcmp(th_hva(&T, TH_BUFS), "abcd", 4) &&
	   !memcmp(th_hva(&T, TH_BUFS + 0x100), "efgh", 4),
	   "the bytes arrive in order, lengths in the used ring");
	ok(CON.bytes_in == 8, "byte counter");
	mwr(&T, C(STATUS), 1, 0);
	ok(virtio_console_sink(&CON, (const u8 *)"ij", 2) == 0,
	   "after a reset input waits again");
	teardown();
}

static void test_size_and_emerg(void)
{
	struct winsize ws = { .ws_row = 42, .ws_col = 133 };
	int m = posix_openpt(O_RDWR | O_NOCTTY), s = -1;
	char c = 0;

	if (m >= 0 && !grantpt(m) && !unlockpt(m))
		s = open(ptsname(m), O_RDWR | O_NOCTTY);
	if (s < 0 || ioctl(s, TIOCSWINSZ, &ws)) {
		skip("no pseudo-terminal", "F_SIZE from a terminal");
		skip("no pseudo-terminal", "EMERG_WRITE");
		return;
	}
	setup(s);
	ok((th_device_features(&T) & VIRTIO_BIT(VIRTIO_CONSOLE_F_SIZE)) &&
	   mrd(&T, T.device, 2) == 133 && mrd(&T, T.device + 2, 2) == 42,
	   "F_SIZE offered with the terminal's 133x42");
	start(VIRTIO_BIT(VIRTIO_CONSOLE_F_EMERG_WRITE));
	mwr(&T, T.device + 8, 4, 'Z');
	ok(read(pipefd[0], &c, 1) == 1 && c == 'Z',
	   "EMERG_WRITE: a config write prints one character");
	mwr(&T, T.device, 2, 1);
	ok(mrd(&T, T.device, 2) == 133, "other config writes are ignored");
	teardown();
	close(s);
	close(m);
}

int main(void)
{
	log_set_level(LOG_ERROR);
	test_output();
	test_output_held();
	test_output_held_queue_reset();
	test_output_held_reset();
	test_input();
	test_size_and_emerg();
	return tap_done();
}
