// SPDX-License-Identifier: GPL-2.0
/*
 * The channel-subsystem I/O instructions KVM hands to userspace once
 * KVM_CAP_S390_CSS_SUPPORT is on: operands fetched and stored through the
 * vCPU's logical address space, the work done by devices/css.c.
 */
#include <errno.h>
#include <string.h>

#include "log.h"
#include "s390x/s390x.h"

/* A failed access: the accessor's program code (> 0) or addressing. */
static void io_access_fault(struct s390_cpu *cpu, int err)
{
	cpu->pgm = err > 0 ? err : CSS_PGM_ADDRESSING;
}

/* I/O instruction operands are words: a misaligned one is a spec. exception. */
static bool io_aligned(struct s390_cpu *cpu, u64 addr)
{
	if (addr & 3) {
		cpu->pgm = CSS_PGM_SPECIFICATION;
		return false;
	}
	return true;
}

static bool io_read(struct s390_cpu *cpu, u64 addr, void *buf, u32 len)
{
	int err = cpu->mem.read(cpu->mem.opaque, addr, buf, len);

	if (err)
		io_access_fault(cpu, err);
	return !err;
}

static bool io_write(struct s390_cpu *cpu, u64 addr, const void *buf,
		     u32 len)
{
	int err = cpu->mem.write(cpu->mem.opaque, addr, buf, len);

	if (err)
		io_access_fault(cpu, err);
	return !err;
}

/* A negative css_* result is a program interruption code. */
static void io_result(struct s390_cpu *cpu, int r)
{
	if (r < 0)
		cpu->pgm = -r;
	else
		s390_set_cc(cpu, r);
}

/*
 * CHSC: no commands are provided; the response block says so. Its
 * address, in R1, wraps to the addressing mode as B2D2 operands do.
 */
static void io_chsc(struct s390_cpu *cpu, const struct s390_insn *in)
{
	u64 addr = s390_wrap_addr(cpu, cpu->gprs[in->r1]);
	u8 req[4], resp[8] = { 0 };
	u16 len;

	if (addr & 0xfff) {
		cpu->pgm = CSS_PGM_SPECIFICATION;
		return;
	}
	if (!io_read(cpu, addr, req, sizeof(req)))
		return;
	len = (u16)req[0] << 8 | req[1];
	/* Response header: length 8, then the response code. */
	resp[1] = 8;
	if (len < 16 || len > 0x1000 - 8) {
		resp[3] = 0x03;		/* request-block error */
		len = 16;
	} else {
		resp[3] = 0x04;		/* command not provided */
	}
	if (!io_write(cpu, addr + len, resp, sizeof(resp)))
		return;
	s390_set_cc(cpu, 0);
}

void s390_handle_io(struct s390_cpu *cpu, struct css *css,
		    const struct s390_insn *in)
{
	u32 sid = (u32)cpu->gprs[1];
	struct css_subchannel *sch;
	u8 buf[CSS_IRB_SIZE];
	u64 addr = s390_operand_addr(cpu, in->b2, in->d2);

	cpu->pgm = 0;
	switch (in->kind) {
	case S390_INSN_STCRW:
		/* No channel reports: store zero, cc 1. */
		if (!io_aligned(cpu, addr))
			return;
		memset(buf, 0, 4);
		if (io_write(cpu, addr, buf, 4))
			s390_set_cc(cpu, 1);
		return;
	case S390_INSN_CHSC:
		io_chsc(cpu, in);
		return;
	case S390_INSN_TPI:
		/* KVM answers TPI when an interrupt is queued: none is. */
		s390_set_cc(cpu, 0);
		return;
	case S390_INSN_SAL:
	case S390_INSN_SCHM:
	case S390_INSN_STCPS:
		/* Nothing to set or measure: done. */
		s390_set_cc(cpu, 0);
		return;
	default:
		break;
	}

	if (css_sid_schno(sid) < 0) {
		cpu->pgm = CSS_PGM_OPERAND;
		return;
	}
	sch = css_find(css, sid);
	switch (in->kind) {
	case S390_INSN_STSCH:
		if (!io_aligned(cpu, addr))
			return;
		if (!sch) {
			s390_set_cc(cpu, 3);
			return;
		}
		css_stsch(sch, buf);
		if (io_write(cpu, addr, buf, CSS_SCHIB_SIZE))
			s390_set_cc(cpu, 0);
		return;
	case S390_INSN_MSCH:
		if (!io_aligned(cpu, addr))
			return;
		if (!io_read(cpu, addr, buf, CSS_SCHIB_SIZE))
			return;
		if (!sch) {
			s390_set_cc(cpu, 3);
			return;
		}
		io_result(cpu, css_msch(sch, buf));
		return;
	case S390_INSN_SSCH:
		if (!io_aligned(cpu, addr))
			return;
		if (!io_read(cpu, addr, buf, CSS_ORB_SIZE))
			return;
		if (!sch) {
			s390_set_cc(cpu, 3);
			return;
		}
		io_result(cpu, css_ssch(sch, buf));
		return;
	case S390_INSN_TSCH:
		if (!io_aligned(cpu, addr))
			return;
		if (!sch) {
			s390_set_cc(cpu, 3);
			return;
		}
		/*
		 * TSCH takes the status: first make sure the IRB can be
		 * stored, so that an access exception leaves it pending.
		 */
		memset(buf, 0, CSS_IRB_SIZE);
		if (!io_write(cpu, addr, buf, CSS_IRB_SIZE))
			return;
		{
			int cc = css_tsch(sch, buf);

			if (io_write(cpu, addr, buf, CSS_IRB_SIZE))
				s390_set_cc(cpu, cc);
		}
		return;
	case S390_INSN_CSCH:
	case S390_INSN_HSCH:
	case S390_INSN_RSCH:
	case S390_INSN_XSCH:
		if (!sch) {
			s390_set_cc(cpu, 3);
			return;
		}
		if (in->kind == S390_INSN_CSCH)
			io_result(cpu, css_csch(sch));
		else if (in->kind == S390_INSN_HSCH)
			io_result(cpu, css_hsch(sch));
		else if (in->kind == S390_INSN_RSCH)
			io_result(cpu, css_rsch(sch));
		else
			io_result(cpu, css_xsch(sch));
		return;
	default:
		cpu->pgm = CSS_PGM_OPERATION;
		return;
	}
}
