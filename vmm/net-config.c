// SPDX-License-Identifier: GPL-2.0
/* -n/--network: its argument parsed once, at option time. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse-num.h"
#include "run-options.h"

#define NET_SUBOPTIONS \
	"mode, tapif, guest_mac, host_mac, host_ip, guest_ip, script, downscript, fd, queues, hostfwd"

static int bad(char *err, size_t errlen, const char *fmt, const char *a,
	       const char *b)
{
	snprintf(err, errlen, fmt, a, b);
	return -EINVAL;
}

static int parse_mac(const char *s, u8 mac[6])
{
	unsigned int v[6], i;
	char end;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &end) != 6 || strlen(s) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = (u8)v[i];
	/* A NIC's own address is unicast and not zero. */
	if (mac[0] & 1 || !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return -EINVAL;
	return 0;
}

static int parse_port(const char *s, u16 *port)
{
	unsigned long v;

	if (parse_num_ulong(s, 65535, PARSE_NUM_BLANKS, &v) || !v)
		return -EINVAL;
	*port = (u16)v;
	return 0;
}

/* [ADDR:]PORT, ADDR defaulting to def. */
static int parse_endpoint(char *s, struct in_addr def, struct in_addr *a,
			  u16 *port)
{
	char *colon = strrchr(s, ':');

	*a = def;
	if (colon) {
		*colon = '\0';
		if (*s && inet_pton(AF_INET, s, a) != 1)
			return -EINVAL;
		s = colon + 1;
	}
	return parse_port(s, port);
}

/* hostfwd=tcp|udp:[HOSTADDR:]HOSTPORT-[GUESTADDR]:GUESTPORT */
static int parse_hostfwd(struct net_config *n, const char *val)
{
	struct net_hostfwd *f;
	char tmp[128], *dash, *rest;
	struct in_addr lo = { htonl(INADDR_LOOPBACK) }, any = { 0 };

	if (n->nr_fwd == NET_MAX_HOSTFWD || strlen(val) >= sizeof(tmp))
		return -EINVAL;
	f = &n->fwd[n->nr_fwd];
	snprintf(tmp, sizeof(tmp), "%s", val);
	if (!strncmp(tmp, "tcp:", 4))
		f->udp = false;
	else if (!strncmp(tmp, "udp:", 4))
		f->udp = true;
	else
		return -EINVAL;
	rest = tmp + 4;
	dash = strchr(rest, '-');
	if (!dash)
		return -EINVAL;
	*dash = '\0';
	if (parse_endpoint(rest, lo, &f->host_addr, &f->host_port) ||
	    !strchr(dash + 1, ':') ||
	    parse_endpoint(dash + 1, any, &f->guest_addr, &f->guest_port))
		return -EINVAL;
	n->nr_fwd++;
	return 0;
}

static int net_word(struct net_config *n, char *key, char *val, char *err,
		    size_t errlen)
{
	static const char *const modes[] = { "tap", "user", "none" };
	unsigned long v;
	unsigned int i;

	if (!strcmp(key, "mode")) {
		for (i = 0; i < ARRAY_SIZE(modes); i++)
			if (!strcmp(val, modes[i]))
				break;
		if (i == ARRAY_SIZE(modes))
			return bad(err, errlen,
				   "-n: invalid mode '%s'%s: use tap, user or none",
				   val, "");
		n->mode = i;
	} else if (!strcmp(key, "tapif")) {
		n->tapif = val;
	} else if (!strcmp(key, "guest_mac") || !strcmp(key, "host_mac")) {
		bool guest = key[0] == 'g';

		if (parse_mac(val, guest ? n->guest_mac : n->host_mac))
			return bad(err, errlen,
				   "-n: invalid %s '%s': need a unicast xx:xx:xx:xx:xx:xx",
				   key, val);
		if (guest)
			n->has_mac = true;
		else
			n->has_host_mac = true;
	} else if (!strcmp(key, "host_ip") || !strcmp(key, "guest_ip")) {
		struct in_addr *a = key[0] == 'h' ? &n->host_ip : &n->guest_ip;

		if (inet_pton(AF_INET, val, a) != 1)
			return bad(err, errlen,
				   "-n: invalid %s '%s': need an IPv4 address",
				   key, val);
		if (key[0] == 'h')
			n->host_ip_arg = val;
	} else if (!strcmp(key, "script")) {
		n->script = val;
	} else if (!strcmp(key, "downscript")) {
		n->downscript = val;
	} else if (!strcmp(key, "fd")) {
		if (parse_num_ulong(val, INT_MAX, PARSE_NUM_BLANKS, &v))
			return bad(err, errlen, "-n: invalid fd '%s'%s", val,
				   "");
		n->fd = (int)v;
	} else if (!strcmp(key, "queues")) {
		if (parse_num_ulong(val, NET_BACKEND_MAX_QUEUES,
				    PARSE_NUM_BLANKS, &v) || !v) {
			snprintf(err, errlen,
				 "-n: invalid queues '%s': need 1 to %d", val,
				 NET_BACKEND_MAX_QUEUES);
			return -EINVAL;
		}
		n->queues = (unsigned int)v;
	} else if (!strcmp(key, "hostfwd")) {
		if (parse_hostfwd(n, val))
			return bad(err, errlen,
				   "-n: invalid hostfwd '%s'%s: need tcp|udp:[ADDR:]HOSTPORT-[ADDR]:GUESTPORT (at most 16)",
				   val, "");
	} else if (!strcmp(key, "vhost")) {
		if (strcmp(val, "0"))
			return bad(err, errlen,
				   "-n: vhost=%s%s: vhost-net is not supported",
				   val, "");
	} else {
		return bad(err, errlen, "-n: unknown sub-option '%s'%s (" NET_SUBOPTIONS ")",
			   key, "");
	}
	return 0;
}

/* Sub-options that the mode does not use are mistakes, said so. */
static int net_check(struct net_config *n, char *err, size_t errlen)
{
	if (n->mode != NET_MODE_TAP &&
	    (n->tapif || n->script || n->downscript || n->fd >= 0))
		return bad(err, errlen,
			   "-n: tapif=, script=, downscript= and fd= are for mode=tap, not '%s'%s",
			   n->arg, "");
	/* libslirp's gateway has its own fixed address. */
	if (n->mode != NET_MODE_TAP && n->has_host_mac)
		return bad(err, errlen,
			   "-n: host_mac= is for mode=tap (the tap's own address), not '%s'%s",
			   n->arg, "");
	if (n->mode != NET_MODE_USER && (n->nr_fwd || n->guest_ip.s_addr))
		return bad(err, errlen,
			   "-n: hostfwd= and guest_ip= are for mode=user, not '%s'%s",
			   n->arg, "");
	if (n->mode == NET_MODE_USER && n->queues > 1) {
		snprintf(err, errlen,
			 "-n: queues=%u: mode=user gives one queue pair",
			 n->queues);
		return -EINVAL;
	}
	if (n->fd >= 0 && n->tapif)
		return bad(err, errlen, "-n: fd= and tapif= together in '%s'%s",
			   n->arg, "");
	if (n->mode == NET_MODE_USER) {
		if (!n->host_ip.s_addr)
			inet_pton(AF_INET, NET_DEFAULT_HOST_IP, &n->host_ip);
		if (!n->guest_ip.s_addr)
			inet_pton(AF_INET, NET_DEFAULT_GUEST_IP, &n->guest_ip);
		if (!net_user_addrs_ok(n->host_ip, n->guest_ip))
			return bad(err, errlen,
				   "-n: host_ip and guest_ip must be two host addresses of one /24 (.1 to .253 for the guest) in '%s'%s",
				   n->arg, "");
	}
	return 0;
}

int net_config_parse(struct net_config *n, const char *arg, char *err,
		     size_t errlen)
{
	char *tok, *rest, *eq;
	int r;

	memset(n, 0, sizeof(*n));
	n->arg = arg;
	n->fd = -1;
	n->mode = NET_MODE_TAP;
	n->buf = strdup(arg);
	if (!n->buf) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rest = n->buf;
	/* "-n none": no network, as mode=none. */
	if (!strcmp(arg, "none")) {
		n->mode = NET_MODE_NONE;
		return 0;
	}
	while ((tok = strsep(&rest, ","))) {
		if (!*tok)
			continue;
		eq = strchr(tok, '=');
		if (!eq) {
			r = bad(err, errlen,
				"-n: sub-option '%s' needs a value%s (" NET_SUBOPTIONS ")",
				tok, "");
			goto fail;
		}
		*eq = '\0';
		r = net_word(n, tok, eq + 1, err, errlen);
		if (r)
			goto fail;
	}
	r = net_check(n, err, errlen);
	if (r)
		goto fail;
	return 0;
fail:
	net_config_release(n);
	return r;
}

void net_config_default(struct net_config *n)
{
	memset(n, 0, sizeof(*n));
	n->arg = "mode=user";
	n->mode = NET_MODE_USER;
	n->fd = -1;
	inet_pton(AF_INET, NET_DEFAULT_HOST_IP, &n->host_ip);
	inet_pton(AF_INET, NET_DEFAULT_GUEST_IP, &n->guest_ip);
}

void net_config_release(struct net_config *n)
{
	free(n->buf);
	memset(n, 0, sizeof(*n));
	n->fd = -1;
}

int vm_config_add_net(struct vm_config *cfg, const char *arg, char *err,
		      size_t errlen)
{
	struct net_config n, *nets;
	int r;

	r = net_config_parse(&n, arg, err, errlen);
	if (r)
		return r;
	nets = reallocarray(cfg->nets, cfg->nr_nets + 1, sizeof(*nets));
	if (!nets) {
		net_config_release(&n);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	nets[cfg->nr_nets++] = n;
	cfg->nets = nets;
	return 0;
}

void vm_config_release_nets(struct vm_config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->nr_nets; i++)
		net_config_release(&cfg->nets[i]);
	free(cfg->nets);
	cfg->nets = NULL;
	cfg->nr_nets = 0;
}
