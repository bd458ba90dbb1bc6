/* SPDX-License-Identifier: GPL-2.0 */
/*
 * -n/--network: one NIC's settings with kvmtool's sub-option names,
 * parsed once at option time (vmm/net-config.c) into a net_config.
 */
#ifndef LKVM_NET_CONFIG_H
#define LKVM_NET_CONFIG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "net-backend.h"
#include "types.h"

#define NET_MAX_HOSTFWD		16
/* kvmtool's defaults for the user-mode network. */
#define NET_DEFAULT_HOST_IP	"192.168.33.1"
#define NET_DEFAULT_GUEST_IP	"192.168.33.15"

enum net_mode {
	NET_MODE_TAP,		/* kvmtool's default for -n */
	NET_MODE_USER,
	NET_MODE_NONE,
};

struct net_config {
	const char *arg;		/* as given, for messages */
	enum net_mode mode;
	const char *tapif;		/* NULL: a new tap */
	const char *script;		/* NULL: none */
	const char *downscript;
	const char *host_ip_arg;	/* host_ip= as given (tap) */
	struct in_addr host_ip, guest_ip;
	bool has_mac, has_host_mac;
	u8 guest_mac[6];
	u8 host_mac[6];			/* tap: the tap's own address */
	int fd;				/* fd=N, else -1 */
	unsigned int queues;		/* 0: the default */
	struct net_hostfwd fwd[NET_MAX_HOSTFWD];
	unsigned int nr_fwd;
	char *buf;			/* the copy the pointers point into */
};

/* -EINVAL with a reason naming the sub-option in err, or -ENOMEM. */
int net_config_parse(struct net_config *n, const char *arg, char *err,
		     size_t errlen);
/* The NIC lkvm gives a guest when no -n says otherwise: user mode. */
void net_config_default(struct net_config *n);
void net_config_release(struct net_config *n);

#endif
