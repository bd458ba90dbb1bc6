// SPDX-License-Identifier: GPL-2.0
/* --vsock CID[,path=SOCK]: the virtio-vsock device, checked before the guest starts. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "parse-num.h"
#include "run-options.h"
#include "virtio/vsock.h"

static int parse_cid(const char *s, size_t n, u64 *cid, char *err,
		     size_t errlen)
{
	u64 v;

	if (parse_num_u64(s, n, UINT64_MAX, 0, &v)) {
		snprintf(err, errlen,
			 "bad vsock CID '%.*s': use --vsock CID[,path=SOCK]",
			 (int)MIN(n, (size_t)64), s);
		return -EINVAL;
	}
	if (v < VSOCK_MIN_GUEST_CID || v > VSOCK_MAX_GUEST_CID) {
		snprintf(err, errlen,
			 "vsock CID %llu is reserved: use %d to %llu (0-2 are the hypervisor's and the host's)",
			 (unsigned long long)v, VSOCK_MIN_GUEST_CID,
			 VSOCK_MAX_GUEST_CID);
		return -EINVAL;
	}
	*cid = v;
	return 0;
}

int vm_config_parse_vsock(struct vm_config *cfg, const char *arg, char *err,
			  size_t errlen)
{
	const char *comma = strchr(arg, ','), *path = NULL;
	u64 cid;
	int r;

	if (cfg->vsock_cid) {
		snprintf(err, errlen, "--vsock is given twice (one device)");
		return -EINVAL;
	}
	r = parse_cid(arg, comma ? (size_t)(comma - arg) : strlen(arg), &cid,
		      err, errlen);
	if (r)
		return r;
	if (comma) {
		if (strncmp(comma + 1, "path=", 5)) {
			snprintf(err, errlen,
				 "unknown vsock option '%.64s': use --vsock CID[,path=SOCK]",
				 comma + 1);
			return -EINVAL;
		}
		path = comma + 6;
		r = vsock_check_path(path, err, errlen);
		if (r)
			return r;
	}
	cfg->vsock_cid = cid;
	cfg->vsock_path = path;
	return 0;
}
