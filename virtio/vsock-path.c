// SPDX-License-Identifier: GPL-2.0
/*
 * The vsock socket path's check, shared by --vsock's parser (before the
 * guest starts) and the device (when it listens). See
 * include/virtio/vsock.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "virtio/vsock.h"

int vsock_check_path(const char *path, char *msg, size_t len)
{
	struct sockaddr_un sa;
	struct stat st;

	if (!*path) {
		snprintf(msg, len, "vsock socket path is empty");
		return -EINVAL;
	}
	/* Room for "_4294967295" (the guest's port) and the NUL. */
	if (strlen(path) + 11 >= sizeof(sa.sun_path)) {
		snprintf(msg, len,
			 "vsock socket path '%s' is too long (at most %zu bytes)",
			 path, sizeof(sa.sun_path) - 12);
		return -EINVAL;
	}
	if (!lstat(path, &st) && !S_ISSOCK(st.st_mode)) {
		snprintf(msg, len, "vsock socket path '%s' exists and is not a socket",
			 path);
		return -EINVAL;
	}
	return 0;
}
