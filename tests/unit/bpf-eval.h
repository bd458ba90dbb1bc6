/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A classic BPF interpreter for seccomp programs, for the unit tests that
 * cannot install a filter (qemu-user runs a foreign architecture's
 * filters nowhere): bpf_eval_check() refuses what the kernel's checks
 * for a seccomp filter refuse (length, jumps out of the program, a last
 * instruction that is not a return, loads outside struct seccomp_data or
 * unaligned, division by a constant 0, shifts past 31) and every
 * instruction outside the subset here; bpf_eval_run() gives the action
 * for one struct seccomp_data, loading its words in the host's byte order
 * as the kernel does.
 */
#ifndef LKVM_TESTS_BPF_EVAL_H
#define LKVM_TESTS_BPF_EVAL_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>

#include "types.h"

/* An ALU or conditional jump operation the kernel knows. */
static inline bool bpf_eval_op_known(u16 code)
{
	u16 op = BPF_OP(code);

	if (BPF_CLASS(code) == BPF_JMP)
		return op == BPF_JEQ || op == BPF_JGT || op == BPF_JGE ||
		       op == BPF_JSET;
	return op == BPF_ADD || op == BPF_SUB || op == BPF_MUL ||
	       op == BPF_DIV || op == BPF_MOD || op == BPF_OR ||
	       op == BPF_AND || op == BPF_XOR || op == BPF_LSH ||
	       op == BPF_RSH;
}

/* NULL if the program is one the kernel takes, else what is wrong. */
static inline const char *bpf_eval_check(const struct sock_filter *f,
					 size_t len, size_t *at)
{
	size_t pc;

	*at = 0;
	if (!len || len > BPF_MAXINSNS)
		return "length out of 1..4096";
	for (pc = 0; pc < len; pc++) {
		const struct sock_filter *i = &f[pc];
		size_t left = len - pc - 1;
		u16 c = i->code, op = BPF_OP(c);

		*at = pc;
		switch (c) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (i->k >= sizeof(struct seccomp_data) || i->k & 3)
				return "load outside seccomp_data or unaligned";
			continue;
		case BPF_LD | BPF_W | BPF_LEN:
		case BPF_LDX | BPF_W | BPF_LEN:
		case BPF_LD | BPF_IMM:
		case BPF_LDX | BPF_IMM:
		case BPF_MISC | BPF_TAX:
		case BPF_MISC | BPF_TXA:
		case BPF_RET | BPF_K:
		case BPF_RET | BPF_A:
		case BPF_ALU | BPF_NEG:
			continue;
		case BPF_JMP | BPF_JA:
			if (i->k >= left)
				return "jump past the end";
			continue;
		}
		/* The rest: ALU operations and conditional jumps, K or X. */
		if ((BPF_CLASS(c) != BPF_ALU && BPF_CLASS(c) != BPF_JMP) ||
		    (c & ~(BPF_CLASS(c) | op | BPF_X)) || !bpf_eval_op_known(c))
			return "instruction outside the interpreter's set";
		if (BPF_CLASS(c) == BPF_JMP && (i->jt >= left || i->jf >= left))
			return "conditional jump past the end";
		if (BPF_SRC(c) == BPF_X)
			continue;
		if ((op == BPF_DIV || op == BPF_MOD) && !i->k)
			return "division by a constant 0";
		if ((op == BPF_LSH || op == BPF_RSH) && i->k >= 32)
			return "shift past 31";
	}
	*at = len - 1;
	if (BPF_CLASS(f[len - 1].code) != BPF_RET)
		return "the last instruction is not a return";
	return NULL;
}

static inline u32 bpf_eval_alu(u16 op, u32 a, u32 src)
{
	switch (op) {
	case BPF_ADD:
		return a + src;
	case BPF_SUB:
		return a - src;
	case BPF_MUL:
		return a * src;
	case BPF_DIV:
		return src ? a / src : 0;
	case BPF_MOD:
		return src ? a % src : 0;
	case BPF_OR:
		return a | src;
	case BPF_AND:
		return a & src;
	case BPF_XOR:
		return a ^ src;
	case BPF_LSH:
		return src < 32 ? a << src : 0;
	case BPF_RSH:
		return src < 32 ? a >> src : 0;
	default:	/* BPF_NEG */
		return 0 - a;
	}
}

static inline bool bpf_eval_cond(u16 op, u32 a, u32 src)
{
	switch (op) {
	case BPF_JEQ:
		return a == src;
	case BPF_JGT:
		return a > src;
	case BPF_JGE:
		return a >= src;
	default:	/* BPF_JSET */
		return (a & src) != 0;
	}
}

/* The action for d; the program must have passed bpf_eval_check(). */
static inline u32 bpf_eval_run(const struct sock_filter *f, size_t len,
			       const struct seccomp_data *d)
{
	u32 a = 0, x = 0, w;
	size_t pc = 0;

	while (pc < len) {
		const struct sock_filter *i = &f[pc++];
		u32 src = BPF_SRC(i->code) == BPF_X ? x : i->k;

		switch (BPF_CLASS(i->code)) {
		case BPF_LD:
		case BPF_LDX:
			w = i->k;
			if (BPF_MODE(i->code) == BPF_ABS)
				memcpy(&w, (const char *)d + i->k, sizeof(w));
			else if (BPF_MODE(i->code) == BPF_LEN)
				w = sizeof(*d);
			if (BPF_CLASS(i->code) == BPF_LD)
				a = w;
			else
				x = w;
			break;
		case BPF_MISC:
			if (BPF_MISCOP(i->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		case BPF_RET:
			return BPF_RVAL(i->code) == BPF_A ? a : i->k;
		case BPF_ALU:
			a = bpf_eval_alu(BPF_OP(i->code), a, src);
			break;
		case BPF_JMP:
			if (BPF_OP(i->code) == BPF_JA)
				pc += i->k;
			else if (bpf_eval_cond(BPF_OP(i->code), a, src))
				pc += i->jt;
			else
				pc += i->jf;
			break;
		}
	}
	/* Not reached for a checked program: its last instruction returns. */
	return SECCOMP_RET_KILL_PROCESS;
}

#endif
