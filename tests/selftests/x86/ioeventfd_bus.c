// SPDX-License-Identifier: GPL-2.0
/*
 * ioeventfd_bus: an ioeventfd on port A and another at MMIO address A are
 * separate: a deassign with the wrong bus flag fails and removes nothing,
 * deassigning the PIO one leaves the MMIO one working and vice versa.
 * Guards resources unregistered from the wrong place.
 */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "selftest.h"

void ioeventfd_bus_guest(void);

#define IOE_ADDR	(ST_MMIO_BASE + 0x400)

static int ioe(struct st_vm *t, int fd, bool pio, bool deassign)
{
	struct kvm_ioeventfd e = {
		.addr = IOE_ADDR,
		.len = 1,
		.fd = fd,
		.flags = (pio ? KVM_IOEVENTFD_FLAG_PIO : 0) |
			 (deassign ? KVM_IOEVENTFD_FLAG_DEASSIGN : 0),
	};

	return ioctl(t->vm.vm_fd, KVM_IOEVENTFD, &e) ? -errno : 0;
}

/* The eventfd's count since the last read (nonblocking). */
static u64 count(struct st_vm *t, int fd)
{
	u64 v = 0;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		st_fail(t, "eventfd read: %m");
	return v;
}

int main(void)
{
	struct st_vm t;
	int pfd, mfd, err;

	st_begin(&t, "ioeventfd_bus",
		 "resources unregistered from the wrong place: PIO and MMIO ioeventfds at one address");
	st_vm_create(&t, NULL);
	st_require_cap(&t, KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD");
	pfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	mfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (pfd < 0 || mfd < 0)
		st_fail(&t, "eventfd: %m");
	err = ioe(&t, pfd, true, false);
	if (!err)
		err = ioe(&t, mfd, false, false);
	if (err)
		st_fail(&t, "KVM_IOEVENTFD assign: %s", strerror(-err));
	/* Wrong bus: the PIO eventfd is not on the MMIO bus. */
	err = ioe(&t, pfd, false, true);
	TEST_ASSERT(&t, err == -ENOENT,
		    "deassigning the PIO eventfd from the MMIO bus: %s, expected ENOENT",
		    err ? strerror(-err) : "succeeded");
	err = ioe(&t, mfd, true, true);
	TEST_ASSERT(&t, err == -ENOENT,
		    "deassigning the MMIO eventfd from the PIO bus: %s, expected ENOENT",
		    err ? strerror(-err) : "succeeded");

	st_vcpu_entry(&t, t.vcpu, ioeventfd_bus_guest, 0);
	st_expect_sync(&t, t.vcpu, 1);
	TEST_ASSERT(&t, count(&t, pfd) == 1, "PIO eventfd not signalled once");
	TEST_ASSERT(&t, count(&t, mfd) == 1, "MMIO eventfd not signalled once");

	err = ioe(&t, pfd, true, true);
	if (err)
		st_fail(&t, "deassigning the PIO eventfd: %s", strerror(-err));
	st_expect_io(&t, t.vcpu, KVM_EXIT_IO_OUT, IOE_ADDR, 1, 1);
	st_expect_sync(&t, t.vcpu, 2);
	TEST_ASSERT(&t, count(&t, pfd) == 0, "PIO eventfd signalled after deassign");
	TEST_ASSERT(&t, count(&t, mfd) == 1,
		    "MMIO eventfd lost when the PIO one was deassigned");

	err = ioe(&t, pfd, true, false);
	if (!err)
		err = ioe(&t, mfd, false, true);
	if (err)
		st_fail(&t, "swapping the eventfds: %s", strerror(-err));
	st_expect_mmio(&t, t.vcpu, IOE_ADDR, 1, true);
	st_expect_sync(&t, t.vcpu, 3);
	TEST_ASSERT(&t, count(&t, pfd) == 1,
		    "PIO eventfd lost when the MMIO one was deassigned");
	TEST_ASSERT(&t, count(&t, mfd) == 0, "MMIO eventfd signalled after deassign");
	st_expect_done(&t, t.vcpu);
	close(pfd);
	close(mfd);
	st_pass(&t);
}
