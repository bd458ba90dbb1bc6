// SPDX-License-Identifier: GPL-2.0
/*
 * virtio/vsock.c against a hostile guest driver and a hostile local user
 * of its host socket (tests/unit/virtio-vsock-drv.h's harness): a
 * transmit notification that lands on a thread under a vCPU's seccomp
 * filter.
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "seccomp-filter.h"
#include "tap.h"
#include "virtio-vsock-drv.h"

/* --- A notification on a vCPU --- */

struct vcpu_job {
	u16 op;
	u32 gport, hport;
	const char *data;
	bool filtered;
};

/* The vCPU's own filter on this thread, forbidden calls failing EPERM. */
static bool vcpu_filter(void)
{
	static struct sock_filter insn[SC_MAX_INSNS];
	struct sock_fprog prog;
	int n = sc_role_program(SC_ROLE_VCPU, SECCOMP_RET_ERRNO | EPERM,
				getpid(), insn, SC_MAX_INSNS);

	if (n <= 0)
		return false;
	prog.len = (unsigned short)n;
	prog.filter = insn;
	return !prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) &&
	       !syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu_job *j = arg;

	j->filtered = vcpu_filter();
	if (j->filtered)
		tx(j->op, j->gport, j->hport, 0, 0, j->data,
		   j->data ? (u32)strlen(j->data) : 0);
	return NULL;
}

/* A packet whose notification a vCPU thread delivers (no ioeventfd). */
static bool tx_on_vcpu(u16 op, u32 gport, u32 hport, const char *data)
{
	struct vcpu_job j = { op, gport, hport, data, false };
	pthread_t t;

	if (pthread_create(&t, NULL, vcpu_thread, &j) ||
	    pthread_join(t, NULL))
		abort();
	return j.filtered;
}

static void test_vcpu_notify(void)
{
	int lfd = host_listen(2002), fd = -1;
	char in[8] = "";

	if (!tx_on_vcpu(VSOCK_OP_REQUEST, 7300, 2002, NULL)) {
		skip("no seccomp filter here",
		     "a REQUEST notified on a vCPU thread under its filter");
		close(lfd);
		return;
	}
	ok(rx_expect(VSOCK_OP_RESPONSE, 7300, 2000) && P.h.src_port == 2002,
	   "a REQUEST notified on a vCPU thread under its filter: RESPONSE (the host socket made on the I/O thread)");
	if (P.h.op == VSOCK_OP_RESPONSE)
		fd = accept(lfd, NULL, NULL);
	tx_on_vcpu(VSOCK_OP_RW, 7300, 2002, "abc");
	ok(fd >= 0 && read(fd, in, 3) == 3 && !memcmp(in, "abc", 3),
	   "its data, notified on the vCPU, reaches the host listener");
	tx_on_vcpu(VSOCK_OP_RST, 7300, 2002, NULL);
	ok(fd >= 0 && host_eof(fd, 2000), "its RST closes the host socket");
	if (fd >= 0)
		close(fd);
	close(lfd);
}

int main(void)
{
	char why[200] = "";

	log_set_level(LOG_ERROR);
	setup(64, 300, 0);
	test_vcpu_notify();
	ok(!virtio_vsock_check(V, why, sizeof(why)) &&
	   stats().nr_conns == 0,
	   "the device's own invariants hold, no connection left %s", why);
	teardown();
	remove_dir();
	return tap_done();
}
