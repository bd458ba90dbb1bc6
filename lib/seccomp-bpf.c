// SPDX-License-Identifier: GPL-2.0
/*
 * A small compiler from allow rules to a classic BPF seccomp program.
 *
 *   load arch; not the build's -> SECCOMP_RET_KILL_PROCESS
 *   load nr; (x86_64) an x32 number -> deny
 *   per rule: nr differs -> next rule; each argument check fails ->
 *             next rule; all passed -> SECCOMP_RET_ALLOW
 *   deny
 *
 * Arguments are 64 bits in struct seccomp_data, checked as two 32-bit
 * words (classic BPF's width); `wide` arguments have both words checked,
 * the others only the low one (an int argument's upper half is not
 * defined by the ABI).
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <string.h>

#include "seccomp-filter.h"

#define SC_MAX_FIXUPS 128

struct sc_fixup {
	size_t at;
	bool jf;	/* patch jf, else jt */
	unsigned int label;
};

struct sc_prog {
	struct sock_filter *insn;
	size_t len, max;
	struct sc_fixup fix[SC_MAX_FIXUPS];
	unsigned int nr_fix;
	int err;
};

u32 sc_audit_arch(void)
{
#if defined(__x86_64__)
	return AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
	return AUDIT_ARCH_AARCH64;
#elif defined(__s390x__)
	return AUDIT_ARCH_S390X;
#else
#error "lkvm: seccomp: unknown architecture"
#endif
}

static void emit(struct sc_prog *p, u16 code, u8 jt, u8 jf, u32 k)
{
	if (p->len >= p->max) {
		p->err = -E2BIG;
		return;
	}
	p->insn[p->len++] = (struct sock_filter)BPF_JUMP(code, k, jt, jf);
}

static void emit_stmt(struct sc_prog *p, u16 code, u32 k)
{
	emit(p, code, 0, 0, k);
}

/* A conditional jump; the true (jt) or false branch goes to label. */
static void emit_jmp(struct sc_prog *p, u16 op, u32 k, bool on_true,
		     unsigned int label)
{
	if (p->nr_fix >= SC_MAX_FIXUPS) {
		p->err = -E2BIG;
		return;
	}
	emit(p, BPF_JMP | op | BPF_K, 0, 0, k);
	if (p->err)
		return;
	p->fix[p->nr_fix++] = (struct sc_fixup){ p->len - 1, !on_true, label };
}

/* Label here: every jump to it is patched, and forgotten. */
static void place(struct sc_prog *p, unsigned int label)
{
	unsigned int i = 0;

	while (i < p->nr_fix) {
		struct sc_fixup *f = &p->fix[i];
		size_t off = p->len - f->at - 1;

		if (f->label != label) {
			i++;
			continue;
		}
		if (off > 255) {
			p->err = -E2BIG;
			return;
		}
		if (p->insn[f->at].code == (BPF_JMP | BPF_JA | BPF_K))
			p->insn[f->at].k = (u32)off;
		else if (f->jf)
			p->insn[f->at].jf = (u8)off;
		else
			p->insn[f->at].jt = (u8)off;
		*f = p->fix[--p->nr_fix];
	}
}

static u32 arg_off(unsigned int idx, bool hi)
{
	bool lo_first = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

	return (u32)(offsetof(struct seccomp_data, args) + 8 * idx +
		     ((hi == lo_first) ? 4 : 0));
}

static void load_arg(struct sc_prog *p, unsigned int idx, bool hi)
{
	emit_stmt(p, BPF_LD | BPF_W | BPF_ABS, arg_off(idx, hi));
}

#define LBL_FAIL 0	/* the next rule */
#define LBL_PASS 1	/* the next argument check */

/* One argument check: jumps to LBL_FAIL, or goes on to the next on a pass. */
static int compile_arg(struct sc_prog *p, const struct sc_arg *a)
{
	unsigned int i, nr, words = a->wide ? 2 : 1, w;

	if (a->idx > 5)
		return -EINVAL;
	switch (a->kind) {
	case SC_ANY:
		return 0;
	case SC_ONE_OF:
		if (!a->nr || a->nr > SC_MAX_VALS)
			return -EINVAL;
		if (!a->wide) {
			load_arg(p, a->idx, false);
			for (i = 0; i < a->nr; i++)
				emit_jmp(p, BPF_JEQ, (u32)a->vals[i], true,
					 LBL_PASS);
			emit_jmp(p, BPF_JA, 0, true, LBL_FAIL);
			break;
		}
		for (i = 0; i < a->nr; i++) {
			/* Label 2 + i: the next value. */
			load_arg(p, a->idx, true);
			emit_jmp(p, BPF_JEQ, (u32)(a->vals[i] >> 32), false,
				 2 + i);
			load_arg(p, a->idx, false);
			emit_jmp(p, BPF_JEQ, (u32)a->vals[i], true, LBL_PASS);
			place(p, 2 + i);
		}
		emit_jmp(p, BPF_JA, 0, true, LBL_FAIL);
		break;
	case SC_NOT:		/* SC_NONE_OF with vals[0] alone */
	case SC_NONE_OF:
		nr = a->kind == SC_NOT ? 1 : a->nr;
		if (!nr || nr > SC_MAX_VALS)
			return -EINVAL;
		for (i = 0; i < nr; i++) {
			/* Label 2 + i: the next value. */
			if (a->wide) {
				load_arg(p, a->idx, true);
				emit_jmp(p, BPF_JEQ, (u32)(a->vals[i] >> 32),
					 false, 2 + i);
			}
			load_arg(p, a->idx, false);
			emit_jmp(p, BPF_JEQ, (u32)a->vals[i], true, LBL_FAIL);
			place(p, 2 + i);
		}
		break;
	case SC_NOT_IN:
		for (w = 0; w < words; w++) {
			u32 m = (u32)(w ? a->vals[0] >> 32 : a->vals[0]);

			if (!m)
				continue;
			load_arg(p, a->idx, w);
			emit_jmp(p, BPF_JSET, m, true, LBL_FAIL);
		}
		break;
	case SC_ALL_OF:
	case SC_MASKED:
		for (w = 0; w < words; w++) {
			u64 m64 = a->vals[0];
			u64 v64 = a->kind == SC_ALL_OF ? m64 : a->vals[1];
			u32 m = (u32)(w ? m64 >> 32 : m64);
			u32 v = (u32)(w ? v64 >> 32 : v64);

			load_arg(p, a->idx, w);
			emit_stmt(p, BPF_ALU | BPF_AND | BPF_K, m);
			emit_jmp(p, BPF_JEQ, v, false, LBL_FAIL);
		}
		break;
	default:
		return -EINVAL;
	}
	place(p, LBL_PASS);
	return 0;
}

static void load_nr(struct sc_prog *p)
{
	emit_stmt(p, BPF_LD | BPF_W | BPF_ABS,
		  offsetof(struct seccomp_data, nr));
}

int sc_compile(const struct sc_rule *rules, size_t nr_rules, u32 deny,
	       struct sock_filter *out, size_t max)
{
	struct sc_prog p = { .insn = out, .max = max };
	bool nr_loaded;
	size_t r;
	int err;

	emit_stmt(&p, BPF_LD | BPF_W | BPF_ABS,
		  offsetof(struct seccomp_data, arch));
	emit(&p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, sc_audit_arch());
	emit_stmt(&p, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	load_nr(&p);
#ifdef __x86_64__
	/* x32 system calls share the arch value: never allowed. */
	emit(&p, BPF_JMP | BPF_JGE | BPF_K, 0, 1, 0x40000000);
	emit_stmt(&p, BPF_RET | BPF_K, deny);
#endif
	nr_loaded = true;
	for (r = 0; r < nr_rules && !p.err; r++) {
		const struct sc_rule *rule = &rules[r];
		unsigned int a;

		if (rule->nr < 0 || rule->nr_args > SC_MAX_ARGS)
			return -EINVAL;
		if (!nr_loaded)
			load_nr(&p);
		emit_jmp(&p, BPF_JEQ, (u32)rule->nr, false, LBL_FAIL);
		for (a = 0; a < rule->nr_args; a++) {
			err = compile_arg(&p, &rule->args[a]);
			if (err)
				return err;
		}
		emit_stmt(&p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		place(&p, LBL_FAIL);
		nr_loaded = rule->nr_args == 0;
	}
	emit_stmt(&p, BPF_RET | BPF_K, deny);
	if (p.err)
		return p.err;
	return (int)p.len;
}
