// SPDX-License-Identifier: GPL-2.0
/*
 * tests/net/user-netns.c with lkvm's seccomp filters prepared: libslirp's
 * thread (lkvm-net) runs every case under its own role's filter and
 * Landlock, as in lkvm run (ARP, DHCP, UDP, DNS forwarding, a hostfwd
 * connection, a TCP connection from the guest, thousands of UDP flows).
 * A call the filter lacks ends the suite (status 159).
 */
#define USER_NETNS_SECCOMP 1
#include "user-netns.c"
