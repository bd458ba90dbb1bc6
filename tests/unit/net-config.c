// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/net-config.c: -n's sub-options with kvmtool's names, parsed once;
 * every refusal names the bad sub-option; `lkvm run` without -n gets one
 * user-mode NIC where lkvm has libslirp, and -n none gives none.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "run-options.h"

static struct net_config N;
static char err[256];

static int parse(const char *arg)
{
	net_config_release(&N);
	err[0] = '\0';
	return net_config_parse(&N, arg, err, sizeof(err));
}

static bool refused(const char *arg, const char *word)
{
	return parse(arg) == -EINVAL && strstr(err, word) &&
	       !strncmp(err, "-n: ", 4);
}

int main(void)
{
	static const u8 mac[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
	char ip[INET_ADDRSTRLEN];
	struct vm_config cfg;
	char *argv[4];

	ok(!parse("mode=tap,tapif=tap7,guest_mac=02:aa:bb:cc:dd:ee,queues=4,script=/bin/true,downscript=none,host_ip=10.0.0.1") &&
	   N.mode == NET_MODE_TAP && !strcmp(N.tapif, "tap7") &&
	   N.has_mac && !memcmp(N.guest_mac, mac, 6) && N.queues == 4 &&
	   !strcmp(N.script, "/bin/true") && !strcmp(N.host_ip_arg, "10.0.0.1") &&
	   N.fd == -1,
	   "mode=tap with tapif, guest_mac, queues, script, host_ip");
	ok(!parse("tapif=tap0") && N.mode == NET_MODE_TAP,
	   "no mode=: tap, as kvmtool");
	ok(!parse("mode=user") && N.mode == NET_MODE_USER &&
	   inet_ntop(AF_INET, &N.guest_ip, ip, sizeof(ip)) &&
	   !strcmp(ip, "192.168.33.15") &&
	   inet_ntop(AF_INET, &N.host_ip, ip, sizeof(ip)) &&
	   !strcmp(ip, "192.168.33.1"),
	   "mode=user: kvmtool's 192.168.33.1 / .15 by default");
	ok(!parse("mode=user,hostfwd=tcp:2222-:22,hostfwd=udp:0.0.0.0:5353-10.0.2.9:53,guest_ip=10.0.2.15,host_ip=10.0.2.2") &&
	   N.nr_fwd == 2 && !N.fwd[0].udp && N.fwd[0].host_port == 2222 &&
	   N.fwd[0].guest_port == 22 &&
	   N.fwd[0].host_addr.s_addr == htonl(INADDR_LOOPBACK) &&
	   !N.fwd[0].guest_addr.s_addr && N.fwd[1].udp &&
	   N.fwd[1].host_addr.s_addr == 0 &&
	   N.fwd[1].guest_addr.s_addr == htonl(0x0a000209),
	   "hostfwd: tcp on 127.0.0.1 by default, udp with both addresses");
	ok(!parse("none") && N.mode == NET_MODE_NONE &&
	   !parse("mode=none") && N.mode == NET_MODE_NONE,
	   "none and mode=none");
	ok(!parse("mode=tap,fd=3") && N.fd == 3, "fd=3");
	ok(!parse("mode=tap,host_mac=02:aa:bb:cc:dd:ee") && N.has_host_mac &&
	   !memcmp(N.host_mac, mac, 6) && !N.has_mac,
	   "host_mac: the tap's address, apart from guest_mac");

	ok(refused("mode=bridge", "mode 'bridge'"), "unknown mode: %s", err);
	ok(refused("mode=tap,colour=blue", "sub-option 'colour'"),
	   "unknown sub-option: %s", err);
	ok(refused("guest_mac=02:aa:bb:cc:dd", "guest_mac") &&
	   refused("guest_mac=01:aa:bb:cc:dd:ee", "guest_mac") &&
	   refused("guest_mac=00:00:00:00:00:00", "guest_mac") &&
	   refused("guest_mac=02:aa:bb:cc:dd:eex", "guest_mac"),
	   "short, multicast, zero, trailing-junk MACs: %s", err);
	ok(refused("host_mac=02:aa:bb", "host_mac") &&
	   refused("host_mac=ff:ff:ff:ff:ff:ff", "host_mac") &&
	   refused("mode=user,host_mac=02:aa:bb:cc:dd:ee", "host_mac= is for mode=tap"),
	   "short and broadcast host_mac, host_mac with mode=user: %s", err);
	ok(refused("queues=0", "queues") && refused("queues=17", "queues") &&
	   refused("queues=2x", "queues"), "queues out of 1..16: %s", err);
	ok(refused("queues=+2", "queues") && refused("queues= +2", "queues") &&
	   refused("mode=tap,fd=-1", "fd") && refused("mode=tap,fd= -1", "fd") &&
	   refused("mode=tap,fd=99999999999999999999", "fd"),
	   "queues and fd take no sign, not even after a blank: %s", err);
	ok(!parse("mode=tap,queues= 2") && N.queues == 2,
	   "a leading blank is still taken, as by the run options");
	ok(refused("mode=user,queues=2", "queues=2"),
	   "mode=user with 2 queues: %s", err);
	ok(refused("mode=user,hostfwd=tcp:22", "hostfwd") &&
	   refused("mode=user,hostfwd=sctp:1-:2", "hostfwd") &&
	   refused("mode=user,hostfwd=tcp:70000-:22", "hostfwd") &&
	   refused("mode=user,hostfwd=tcp:1-:0", "hostfwd"),
	   "malformed hostfwd: %s", err);
	ok(refused("mode=user,tapif=tap0", "mode=tap") &&
	   refused("mode=tap,hostfwd=tcp:1-:2", "mode=user"),
	   "a sub-option of the other mode: %s", err);
	ok(refused("host_ip=300.1.1.1", "host_ip") &&
	   refused("mode=tap,tapif", "'tapif' needs a value") &&
	   refused("vhost=1", "vhost") && !parse("vhost=0"),
	   "bad address, missing value, vhost=1: %s", err);
	ok(refused("mode=user,host_ip=10.0.0.1,guest_ip=10.0.1.2", "one /24") &&
	   refused("mode=user,host_ip=10.0.0.1,guest_ip=10.0.0.1", "one /24") &&
	   refused("mode=user,guest_ip=192.168.33.255", "one /24") &&
	   refused("mode=user,guest_ip=192.168.33.254", "one /24") &&
	   refused("mode=user,host_ip=10.0.0.0,guest_ip=10.0.0.5", "one /24") &&
	   !parse("mode=user,host_ip=10.0.0.1,guest_ip=10.0.0.253"),
	   "mode=user: host_ip and guest_ip not two hosts of one /24, refused at parse time: %s",
	   err);
	net_config_release(&N);

	argv[0] = "run";
	argv[1] = "guest.elf";
	argv[2] = NULL;
	ok(!run_parse_args(2, argv, &cfg, 1ULL << 30, 1, err, sizeof(err)) &&
	   !cfg.nr_nets && cfg.default_nic == net_user_available(),
	   "no -n: %s", net_user_available() ?
	   "one user-mode NIC" : "no NIC (no libslirp)");
	vm_config_release(&cfg);
	argv[2] = "--network";
	argv[3] = "none";
	ok(!run_parse_args(4, argv, &cfg, 1ULL << 30, 1, err, sizeof(err)) &&
	   cfg.nr_nets == 1 && cfg.nets[0].mode == NET_MODE_NONE &&
	   !cfg.default_nic,
	   "--network none: no NIC");
	vm_config_release(&cfg);
	argv[2] = "--nodefaults";
	ok(!run_parse_args(3, argv, &cfg, 1ULL << 30, 1, err, sizeof(err)) &&
	   !cfg.nr_nets && !cfg.default_nic, "--nodefaults: no default NIC");
	vm_config_release(&cfg);
	argv[2] = "-n";
	argv[3] = "mode=tap,guest_mac=zz";
	ok(run_parse_args(4, argv, &cfg, 1ULL << 30, 1, err, sizeof(err)) &&
	   strstr(err, "guest_mac 'zz'"), "run -n with a bad MAC: %s", err);
	return tap_done();
}
