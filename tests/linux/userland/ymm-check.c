// SPDX-License-Identifier: GPL-2.0
/*
 * ymm-check: do the upper halves of the YMM registers survive the guest
 * kernel's context switches? Two processes on one CPU each fill YMM0-15
 * with their own pattern and check it after every sched_yield().
 *
 * User code runs natively and sees the host CPU's AVX even when the guest
 * kernel, booted with noxsave (kvm_pvm hosts, HOST-NOTES.md), saves only
 * the SSE state: then the upper halves leak from one process to the other.
 *
 * Prints one line; exit status 0 when they survive, 1 when they do not, 2
 * when the CPU or the kernel offers no AVX. The only AVX code of the test
 * user land (compiled for general registers, it uses AVX in asm only).
 */
#include "sys.h"

USERLAND_START;

#define ROUNDS 100
#define SYS_sched_setaffinity 203

static unsigned char want[16][32] __aligned(32);
static unsigned char got[16][32] __aligned(32);

/* All sixteen at once: one asm statement each way, no vector C code. */
static void load_all(void)
{
	asm volatile ("vmovdqu 0(%0), %%ymm0\n"
		      "vmovdqu 32(%0), %%ymm1\n"
		      "vmovdqu 64(%0), %%ymm2\n"
		      "vmovdqu 96(%0), %%ymm3\n"
		      "vmovdqu 128(%0), %%ymm4\n"
		      "vmovdqu 160(%0), %%ymm5\n"
		      "vmovdqu 192(%0), %%ymm6\n"
		      "vmovdqu 224(%0), %%ymm7\n"
		      "vmovdqu 256(%0), %%ymm8\n"
		      "vmovdqu 288(%0), %%ymm9\n"
		      "vmovdqu 320(%0), %%ymm10\n"
		      "vmovdqu 352(%0), %%ymm11\n"
		      "vmovdqu 384(%0), %%ymm12\n"
		      "vmovdqu 416(%0), %%ymm13\n"
		      "vmovdqu 448(%0), %%ymm14\n"
		      "vmovdqu 480(%0), %%ymm15\n"
		      : : "r" (want) : "memory");
}

static void store_all(void)
{
	asm volatile ("vmovdqu %%ymm0, 0(%0)\n"
		      "vmovdqu %%ymm1, 32(%0)\n"
		      "vmovdqu %%ymm2, 64(%0)\n"
		      "vmovdqu %%ymm3, 96(%0)\n"
		      "vmovdqu %%ymm4, 128(%0)\n"
		      "vmovdqu %%ymm5, 160(%0)\n"
		      "vmovdqu %%ymm6, 192(%0)\n"
		      "vmovdqu %%ymm7, 224(%0)\n"
		      "vmovdqu %%ymm8, 256(%0)\n"
		      "vmovdqu %%ymm9, 288(%0)\n"
		      "vmovdqu %%ymm10, 320(%0)\n"
		      "vmovdqu %%ymm11, 352(%0)\n"
		      "vmovdqu %%ymm12, 384(%0)\n"
		      "vmovdqu %%ymm13, 416(%0)\n"
		      "vmovdqu %%ymm14, 448(%0)\n"
		      "vmovdqu %%ymm15, 480(%0)\n"
		      : : "r" (got) : "memory");
}

static int avx_usable(void)
{
	unsigned int a, b, c, d, lo, hi;

	asm volatile ("cpuid" : "=a" (a), "=b" (b), "=c" (c), "=d" (d)
		      : "a" (1), "c" (0));
	if (!(c & (1u << 27)) || !(c & (1u << 28)))	/* OSXSAVE, AVX */
		return 0;
	asm volatile ("xgetbv" : "=a" (lo), "=d" (hi) : "c" (0));
	return (lo & 6) == 6;				/* SSE and AVX state */
}

/* One process's rounds; returns the number of bytes found changed. */
static long rounds(unsigned long seed)
{
	long bad = 0;
	int r, k, i;

	for (r = 0; r < 16; r++)
		for (k = 0; k < 32; k++)
			want[r][k] = (unsigned char)(seed * 131 + r * 32 + k);
	load_all();
	for (i = 0; i < ROUNDS; i++) {
		sys3(SYS_sched_yield, 0, 0, 0);
		store_all();
		for (r = 0; r < 16; r++)
			for (k = 0; k < 32; k++)
				bad += got[r][k] != want[r][k];
		load_all();
	}
	return bad;
}

int main(long argc, char **argv, char **envp)
{
	unsigned long cpu0 = 1;
	long pid[2], total = 0;
	char num[24];
	int i, st;

	(void)argc;
	(void)argv;
	(void)envp;
	if (!avx_usable()) {
		put("ymm-check: no AVX for user code here\n");
		return 2;
	}
	/* Both on CPU 0, so they switch with each other. */
	sys3(SYS_sched_setaffinity, 0, sizeof(cpu0), (long)&cpu0);
	for (i = 0; i < 2; i++) {
		pid[i] = sys3(SYS_fork, 0, 0, 0);
		if (pid[i] == 0)
			sys3(SYS_exit, rounds((unsigned long)i + 1) ? 1 : 0, 0,
			     0);
	}
	for (i = 0; i < 2; i++) {
		if (pid[i] < 0 ||
		    sys6(SYS_wait4, pid[i], (long)&st, 0, 0, 0, 0) != pid[i])
			return 3;
		total += st != 0;
	}
	put("ymm-check: ");
	if (total) {
		put(fmt_long(num, total));
		put(" of 2 processes found their YMM upper halves changed across context switches\n");
		return 1;
	}
	put("YMM registers survive context switches (2 processes, ");
	put(fmt_long(num, ROUNDS));
	put(" switches each)\n");
	return 0;
}
