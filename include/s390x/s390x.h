/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s390x: what vmm/s390x/ shares between its files and with its tests.
 *
 * The pure parts -- decoding KVM_EXIT_S390_SIEIC records, the I/O
 * instructions, DIAGNOSE, SIGP, the SCLP service calls and the kernel
 * image layout -- work on a struct s390_cpu (registers, PSW, an operand
 * memory accessor) and return what the instruction did, so that the tests
 * run them under qemu-s390x-static without KVM. vm.c and exits.c turn the
 * results into KVM ioctls.
 */
#ifndef LKVM_S390X_H
#define LKVM_S390X_H

#include "guest-mem.h"
#include "types.h"
#include "virtio/ccw.h"

/* KVM_EXIT_S390_SIEIC interception codes. */
#define S390_ICPT_INSTRUCTION	0x04
#define S390_ICPT_PROGRAM	0x08
#define S390_ICPT_INST_PROGI	0x0c
#define S390_ICPT_WAIT		0x1c	/* KVM passes on disabled waits only */
#define S390_ICPT_STOP		0x28	/* the CPU entered the stopped state */

/* PSW bits: interruption masks, wait state, condition code, addressing. */
#define S390_PSW_IO		(1ULL << 57)
#define S390_PSW_EXT		(1ULL << 56)
#define S390_PSW_MCHECK		(1ULL << 50)
#define S390_PSW_WAIT		(1ULL << 49)
#define S390_PSW_CC_SHIFT	44
#define S390_PSW_CC_MASK	(3ULL << S390_PSW_CC_SHIFT)
#define S390_PSW_EA		(1ULL << 32)
#define S390_PSW_BA		(1ULL << 31)
/* The PSW a loaded kernel starts with: 64-bit addressing. */
#define S390_IPL_PSW_MASK	(S390_PSW_EA | S390_PSW_BA)

/* Linux's boot layout (arch/s390 parmarea). */
#define S390_KERNEL_START	0x10000ULL
#define S390_LINUX_MAGIC	0x10008ULL	/* "S390EP" */
#define S390_PARM_IPL_DEVICE	0x10400ULL
#define S390_PARM_INITRD_START	0x10408ULL
#define S390_PARM_INITRD_SIZE	0x10410ULL
#define S390_PARM_MAX_CMDLINE	0x10430ULL
#define S390_PARM_CMDLINE	0x10480ULL
#define S390_LEGACY_CMDLINE_MAX	896
#define S390_INITRD_DEFAULT	0x800000ULL
#define S390_PREFIX_SIZE	0x2000ULL

enum s390_insn_kind {
	S390_INSN_UNKNOWN,
	S390_INSN_DIAG,		/* 83 */
	S390_INSN_SIGP,		/* AE */
	S390_INSN_SERVC,	/* B220 */
	S390_INSN_CSCH,		/* B230 */
	S390_INSN_HSCH,		/* B231 */
	S390_INSN_MSCH,		/* B232 */
	S390_INSN_SSCH,		/* B233 */
	S390_INSN_STSCH,	/* B234 */
	S390_INSN_TSCH,		/* B235 */
	S390_INSN_TPI,		/* B236 */
	S390_INSN_SAL,		/* B237 */
	S390_INSN_RSCH,		/* B238 */
	S390_INSN_STCRW,	/* B239 */
	S390_INSN_STCPS,	/* B23A */
	S390_INSN_SCHM,		/* B23C */
	S390_INSN_CHSC,		/* B25F */
	S390_INSN_XSCH,		/* B276 */
};

struct s390_insn {
	enum s390_insn_kind kind;
	u16 opcode;		/* ipa's first byte(s): 0x83, 0xb233... */
	u8 r1, r2, r3;
	u8 b2;
	u16 d2;
};

/*
 * Decode an instruction interception from KVM_EXIT_S390_SIEIC's icptcode,
 * ipa and ipb. 0, or -EINVAL for another interception code (the kind is
 * S390_INSN_UNKNOWN for an instruction lkvm does not handle).
 */
int s390_decode_sieic(u8 icptcode, u16 ipa, u32 ipb, struct s390_insn *in);
const char *s390_insn_name(enum s390_insn_kind kind);

/* Accessor for instruction operands (logical addresses, via KVM). */
struct s390_mem_ops {
	int (*read)(void *opaque, u64 addr, void *buf, u32 len);
	int (*write)(void *opaque, u64 addr, const void *buf, u32 len);
	void *opaque;
};

/* One vCPU's state as the handlers see it. */
struct s390_cpu {
	u64 gprs[16];
	u64 psw_mask;
	u64 psw_addr;
	u64 prefix;
	unsigned int id;
	struct s390_mem_ops mem;
	/* Results. */
	int pgm;		/* program interruption code to inject, or 0 */
	bool gprs_changed;
};

void s390_set_cc(struct s390_cpu *cpu, unsigned int cc);
unsigned int s390_get_cc(const struct s390_cpu *cpu);
/* An address wrapped to the PSW's addressing mode (24, 31 or 64 bits). */
u64 s390_wrap_addr(const struct s390_cpu *cpu, u64 a);
/* Base + displacement, wrapped to the PSW's addressing mode. */
u64 s390_operand_addr(const struct s390_cpu *cpu, u8 b2, u16 d2);
/* Real to absolute address: the prefix swaps the first 8K. */
u64 s390_real_to_abs(u64 addr, u64 prefix);

/*
 * I/O instructions on the channel subsystem: sets the condition code, or
 * cpu->pgm. TSCH's exit (KVM_EXIT_S390_TSCH) comes here with its ipb.
 */
void s390_handle_io(struct s390_cpu *cpu, struct css *css,
		    const struct s390_insn *in);

/* What a DIAGNOSE asked for beyond its register results. */
enum s390_diag_action {
	S390_DIAG_DONE,		/* registers/PSW updated (or cpu->pgm) */
	S390_DIAG_UCALL,	/* selftest guest-to-host call (0x501) */
	S390_DIAG_REIPL,	/* 0x308: re-IPL (reboot) */
};
#define S390_DIAG_VIRTIO	0x500
#define S390_DIAG_UCALL_CODE	0x501
enum s390_diag_action s390_handle_diag(struct s390_cpu *cpu, struct css *css,
				       const struct s390_insn *in, u64 *arg);
/*
 * A KVM selftest guest-to-host call (ucall): DIAGNOSE 0x501, the ucall
 * block's address in R3 ("diag 0,rN,0x501"). For a selftest harness's own
 * exit loop: true and the address if the interception is one.
 */
bool s390_ucall_decode(u8 icptcode, u16 ipa, u32 ipb, const u64 gprs[16],
		       u64 *addr);
/* The function code DIAGNOSE names: (base + displacement) & 0xffff. */
u16 s390_diag_code(const struct s390_cpu *cpu, const struct s390_insn *in);

/* SIGP orders KVM leaves to userspace. */
#define SIGP_SENSE		0x01
#define SIGP_START		0x04
#define SIGP_STOP		0x05
#define SIGP_RESTART		0x06
#define SIGP_INITIAL_CPU_RESET	0x0b
#define SIGP_CPU_RESET		0x0c
#define SIGP_SET_ARCHITECTURE	0x12
#define SIGP_STATUS_INVALID_ORDER	0x00000002
#define SIGP_STATUS_INVALID_PARAMETER	0x00000100
#define SIGP_STATUS_INCORRECT_STATE	0x00000200

enum s390_sigp_action {
	S390_SIGP_NONE,
	S390_SIGP_START,	/* target: make it run */
	S390_SIGP_RESTART,
	S390_SIGP_STOP,
	S390_SIGP_RESET,
	S390_SIGP_INITIAL_RESET,
};

/*
 * SIGP: decodes the order (second operand address bits 56-63), the target
 * CPU address (r3) and the parameter (r1 + 1), checks them against
 * nr_cpus, sets cc and status; returns what the target must do.
 */
enum s390_sigp_action s390_handle_sigp(struct s390_cpu *cpu,
				       const struct s390_insn *in,
				       unsigned int nr_cpus, u16 *target);

/* SCLP: the service call's command words and response codes. */
#define SCLP_CMD_READ_SCP_INFO		0x00020001
#define SCLP_CMD_READ_SCP_INFO_FORCED	0x00120001
#define SCLP_CMD_READ_EVENT_DATA	0x00770005
#define SCLP_CMD_WRITE_EVENT_DATA	0x00760005
#define SCLP_CMD_WRITE_EVENT_MASK	0x00780005
#define SCLP_RC_NORMAL_READ_COMPLETION	0x0010
#define SCLP_RC_NORMAL_COMPLETION	0x0020
#define SCLP_RC_SCCB_BOUNDARY_VIOLATION	0x0100
#define SCLP_RC_INVALID_COMMAND		0x01f0
#define SCLP_RC_INSUFFICIENT_LENGTH	0x0300
#define SCLP_RC_INVALID_FUNCTION	0x40f0
#define SCLP_RC_NO_EVENT_BUFFERS	0x60f0
#define SCLP_RC_INVALID_MASK_LENGTH	0x74f0
#define SCLP_EV_MSG			0x02
#define SCLP_EV_VT220			0x1a
#define SCLP_EV_FLAG_PROCESSED		0x80
#define SCLP_SCCB_MAX			4096
#define SCLP_IN_BUF			512

/* The SCLP: machine facts and the console's event state. */
struct sclp {
	u64 ram_size;
	unsigned int nr_cpus;
	u32 receive_mask;	/* events the guest takes */
	u32 send_mask;		/* events the guest sends */
	/* Console output. */
	void (*out)(void *opaque, const u8 *buf, size_t len);
	void *out_opaque;
	/* Console input waiting for READ EVENT DATA. */
	pthread_mutex_t lock;
	u8 in[SCLP_IN_BUF];
	size_t in_len;
};

void sclp_init(struct sclp *s, u64 ram_size, unsigned int nr_cpus);
/* A machine reset: no event masks, no console input waiting. */
void sclp_reset(struct sclp *s);
void sclp_destroy(struct sclp *s);
/*
 * Run one service call on a host copy of the SCCB (len bytes read from
 * the guest, at least 8). Returns the number of bytes to copy back, or
 * -EINVAL when the call itself is refused (cc 3 is not used: see sclp.c).
 */
int sclp_service_call(struct sclp *s, u32 command, u8 *sccb, u32 len);
/*
 * SERVICE CALL: the command word and the SCCB's real address from the
 * guest's registers, its CPU's prefix. Reads the SCCB (its length in its
 * first halfword; it may not cross a 4K page), runs it and copies it back
 * (a bad length only gets its response code). 0: condition code 0, a
 * service signal is due; else the program interruption code to inject.
 */
int sclp_servc(struct sclp *s, const struct guest_mem *mem, u32 command,
	       u64 real, u64 prefix);
/* Console input; returns how many bytes were taken. */
size_t sclp_receive(struct sclp *s, const u8 *buf, size_t len);
bool sclp_event_pending(struct sclp *s);
/* EBCDIC (code page 1047) to ASCII for message events; '.' if unknown. */
char s390_ebcdic_to_ascii(u8 c);

/* The kernel image: where it goes, its entry, the parameter area. */
struct s390_boot {
	u64 entry;
	u64 kernel_end;
	u64 initrd_start, initrd_size;
	bool is_linux;
	char error[128];
};

int s390_load_kernel(const struct guest_mem *mem, u64 ram_size,
		     const u8 *kernel, size_t kernel_len,
		     const u8 *initrd, size_t initrd_len,
		     const char *cmdline, struct s390_boot *boot);

/* Interrupt words for KVM_S390_INTERRUPT (struct kvm_s390_interrupt). */
struct s390_irq_words {
	u32 type;
	u32 parm;
	u64 parm64;
};

void s390_io_irq_words(const struct css_subchannel *sch,
		       struct s390_irq_words *w);
void s390_adapter_irq_words(u8 isc, struct s390_irq_words *w);

#endif
