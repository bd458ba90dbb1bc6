// SPDX-License-Identifier: GPL-2.0
/*
 * DIAGNOSE (virtio-ccw notifications 0x500, the selftests' 0x501 calls,
 * re-IPL 0x308) and the SIGNAL PROCESSOR orders KVM leaves to userspace.
 */
#include <errno.h>
#include <string.h>

#include "log.h"
#include "s390x/s390x.h"

u16 s390_diag_code(const struct s390_cpu *cpu, const struct s390_insn *in)
{
	return ((in->b2 ? cpu->gprs[in->b2] : 0) + in->d2) & 0xffff;
}

bool s390_ucall_decode(u8 icptcode, u16 ipa, u32 ipb, const u64 gprs[16],
		       u64 *addr)
{
	struct s390_insn in;
	struct s390_cpu cpu = { .psw_mask = S390_IPL_PSW_MASK };

	if (s390_decode_sieic(icptcode, ipa, ipb, &in) ||
	    in.kind != S390_INSN_DIAG)
		return false;
	memcpy(cpu.gprs, gprs, sizeof(cpu.gprs));
	if (s390_diag_code(&cpu, &in) != S390_DIAG_UCALL_CODE)
		return false;
	*addr = gprs[in.r3];
	return true;
}

enum s390_diag_action s390_handle_diag(struct s390_cpu *cpu, struct css *css,
				       const struct s390_insn *in, u64 *arg)
{
	u16 code = s390_diag_code(cpu, in);

	cpu->pgm = 0;
	switch (code) {
	case S390_DIAG_VIRTIO:
		if (cpu->gprs[1] != DIAG500_VIRTIO_CCW_NOTIFY) {
			/* Unimplemented subcode: nothing else changes. */
			cpu->pgm = CSS_PGM_SPECIFICATION;
			return S390_DIAG_DONE;
		}
		cpu->gprs[2] = (u64)virtio_ccw_diag_notify(css, cpu->gprs[2],
							   cpu->gprs[3],
							   cpu->gprs[4]);
		cpu->gprs_changed = true;
		return S390_DIAG_DONE;
	case S390_DIAG_UCALL_CODE:
		/* diag 0,rN,0x501: the ucall block's address is in R3. */
		*arg = cpu->gprs[in->r3];
		return S390_DIAG_UCALL;
	case 0x308:
		*arg = cpu->gprs[in->r3];	/* subcode */
		return S390_DIAG_REIPL;
	case 0x44:			/* time-slice end */
	case 0x9c:			/* directed yield */
		return S390_DIAG_DONE;
	default:
		cpu->pgm = CSS_PGM_SPECIFICATION;
		return S390_DIAG_DONE;
	}
}

/* Status in R1 and cc 1, as SIGP stores it. */
static void sigp_status(struct s390_cpu *cpu, const struct s390_insn *in,
			u32 status)
{
	cpu->gprs[in->r1] = (cpu->gprs[in->r1] & 0xffffffff00000000ULL) |
			    status;
	cpu->gprs_changed = true;
	s390_set_cc(cpu, 1);
}

enum s390_sigp_action s390_handle_sigp(struct s390_cpu *cpu,
				       const struct s390_insn *in,
				       unsigned int nr_cpus, u16 *target)
{
	u8 order = s390_operand_addr(cpu, in->b2, in->d2) & 0xff;
	u64 param = cpu->gprs[in->r1 | 1];

	cpu->pgm = 0;
	*target = cpu->gprs[in->r3] & 0xffff;
	if (order == SIGP_SET_ARCHITECTURE) {
		/* Every CPU is in z/Architecture already. */
		if ((param & 0xff) == 1 || (param & 0xff) == 2)
			s390_set_cc(cpu, 0);
		else
			sigp_status(cpu, in, SIGP_STATUS_INVALID_PARAMETER);
		return S390_SIGP_NONE;
	}
	if (*target >= nr_cpus) {
		s390_set_cc(cpu, 3);	/* not operational */
		return S390_SIGP_NONE;
	}
	switch (order) {
	case SIGP_SENSE:
		s390_set_cc(cpu, 0);
		return S390_SIGP_NONE;
	case SIGP_START:
		s390_set_cc(cpu, 0);
		return S390_SIGP_START;
	case SIGP_STOP:
		s390_set_cc(cpu, 0);
		return S390_SIGP_STOP;
	case SIGP_RESTART:
		s390_set_cc(cpu, 0);
		return S390_SIGP_RESTART;
	case SIGP_CPU_RESET:
		s390_set_cc(cpu, 0);
		return S390_SIGP_RESET;
	case SIGP_INITIAL_CPU_RESET:
		s390_set_cc(cpu, 0);
		return S390_SIGP_INITIAL_RESET;
	default:
		sigp_status(cpu, in, SIGP_STATUS_INVALID_ORDER);
		return S390_SIGP_NONE;
	}
}
