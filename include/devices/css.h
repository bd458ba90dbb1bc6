/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The s390 channel subsystem (devices/css.c): the bus virtio-ccw devices
 * (include/virtio/ccw.h) live on.
 *
 * This is architecture-neutral code, compiled and unit-tested on every
 * arch (little- and big-endian hosts): every structure the guest sees is
 * converted with explicit byte-order helpers. The s390x arch code
 * (vmm/s390x/) decodes the I/O instructions and calls the css_* functions
 * below; it also delivers the interrupts these request through struct
 * css_irq_ops.
 *
 * The model: a channel subsystem image (cssid 0, subchannel set 0) with up
 * to CSS_MAX_SUBCHANNELS I/O subchannels, each with its PMCW and SCSW. A
 * START SUBCHANNEL runs the channel program to its end on the calling vCPU
 * (CCWs format 0 or 1, IDAWs format 1 or 2, command chaining, TIC), then
 * makes the subchannel status pending and asks for an I/O interrupt;
 * TEST SUBCHANNEL stores the IRB and clears the status. What a command
 * does is the device's (struct css_device_ops).
 *
 * Return convention of the css_* instruction functions: the condition
 * code (0-3) the instruction sets, or a negative program interruption code
 * (-CSS_PGM_OPERAND, -CSS_PGM_SPECIFICATION, ...) the caller injects.
 */
#ifndef LKVM_DEVICES_CSS_H
#define LKVM_DEVICES_CSS_H

#include <pthread.h>
#include <stdatomic.h>

#include "guest-mem.h"
#include "types.h"

#define CSS_MAX_SUBCHANNELS	64

/* Program interruption codes the instructions can cause. */
#define CSS_PGM_OPERATION	0x01
#define CSS_PGM_PRIVILEGED	0x02
#define CSS_PGM_PROTECTION	0x04
#define CSS_PGM_ADDRESSING	0x05
#define CSS_PGM_SPECIFICATION	0x06
#define CSS_PGM_OPERAND		0x15

/* Sizes of the guest-visible blocks (big-endian). */
#define CSS_SCHIB_SIZE		52
#define CSS_ORB_SIZE		12
#define CSS_IRB_SIZE		96
#define CSS_SCSW_SIZE		12
#define CSS_SENSE_SIZE		32

/* SCSW word 0: function, activity and status control. */
#define SCSW_FCTL_START		0x00004000
#define SCSW_FCTL_HALT		0x00002000
#define SCSW_FCTL_CLEAR		0x00001000
#define SCSW_ACTL_START_PEND	0x00000400
#define SCSW_STCTL_ALERT	0x00000010
#define SCSW_STCTL_INTERMEDIATE	0x00000008
#define SCSW_STCTL_PRIMARY	0x00000004
#define SCSW_STCTL_SECONDARY	0x00000002
#define SCSW_STCTL_STATUS_PEND	0x00000001
#define SCSW_FLAG_FORMAT1	0x00800000	/* F: ORB's CCW format */
#define SCSW_FLAG_ECTL		0x00020000	/* E: ECW holds sense */

/* Device status (SCSW byte 8). */
#define DEV_STAT_ATTENTION	0x80
#define DEV_STAT_CHN_END	0x08
#define DEV_STAT_DEV_END	0x04
#define DEV_STAT_UNIT_CHECK	0x02
#define DEV_STAT_UNIT_EXCEP	0x01
/* Subchannel (channel) status (SCSW byte 9). */
#define SCH_STAT_PCI		0x80
#define SCH_STAT_INCORR_LEN	0x40
#define SCH_STAT_PROG_CHECK	0x20
#define SCH_STAT_PROT_CHECK	0x10
#define SCH_STAT_CHN_DATA_CHK	0x08
#define SCH_STAT_CHAIN_CHECK	0x01

/* Sense byte 0. */
#define SNS0_CMD_REJECT		0x80
#define SNS0_INTERVENTION_REQ	0x40

/* CCW flags. */
#define CCW_FLAG_CD		0x80
#define CCW_FLAG_CC		0x40
#define CCW_FLAG_SLI		0x20
#define CCW_FLAG_SKIP		0x10
#define CCW_FLAG_PCI		0x08
#define CCW_FLAG_IDA		0x04
#define CCW_FLAG_SUSPEND	0x02
#define CCW_FLAG_MIDA		0x01

/* Basic commands. */
#define CCW_CMD_TIC		0x08
#define CCW_CMD_NOOP		0x03
#define CCW_CMD_BASIC_SENSE	0x04
#define CCW_CMD_SENSE_ID	0xe4

/*
 * The data area of one CCW: count bytes at addr, directly or through the
 * IDAW list at addr. Device command handlers move bytes with
 * ccw_data_read()/ccw_data_write(), which follow the IDAWs and return the
 * bytes moved or -EFAULT (a byte not in guest RAM, or, for a write, in
 * read-only memory).
 */
struct ccw_data {
	const struct guest_mem *mem;
	u8 cmd;
	u8 flags;
	u16 count;
	u32 addr;		/* data or IDAW list address */
	bool idaw_fmt2;		/* 64-bit IDAWs (ORB H bit) */
	bool idaw_2k;		/* format-2 IDAWs address 2K blocks (ORB T) */
};

int ccw_data_read(const struct ccw_data *d, u32 offset, void *buf, u32 len);
int ccw_data_write(const struct ccw_data *d, u32 offset, const void *buf,
		   u32 len);

/*
 * What one CCW's execution ended with: CCW_DONE with the residual count,
 * or a unit check with sense byte 0 (e.g. command reject), or a channel
 * program check (bad address, bad count...).
 */
enum ccw_result { CCW_DONE, CCW_UNIT_CHECK, CCW_PROGRAM_CHECK,
		  CCW_PROTECTION_CHECK };

struct ccw_status {
	enum ccw_result result;
	u16 residual;		/* count - bytes transferred */
	u8 sense0;		/* for CCW_UNIT_CHECK */
};

static inline struct ccw_status ccw_status(enum ccw_result r, u16 residual,
					   u8 sense0)
{
	return (struct ccw_status){ .result = r, .residual = residual,
				    .sense0 = sense0 };
}

struct css_subchannel;
struct virtio_ccw;

/* A device on a subchannel: runs one CCW (not TIC/sense: the CSS does). */
struct css_device_ops {
	struct ccw_status (*execute)(struct css_subchannel *sch,
				     const struct ccw_data *d);
	/* The guest disabled the subchannel (MSCH, E = 0); optional. */
	void (*disable)(struct css_subchannel *sch);
};

/* What the arch provides: floating I/O and adapter interrupts. */
struct css_irq_ops {
	/* The subchannel became status pending: inject an I/O interrupt. */
	void (*io_interrupt)(void *opaque, struct css_subchannel *sch);
	/* An adapter (thin) interrupt for isc. */
	void (*adapter_interrupt)(void *opaque, u8 isc);
	/*
	 * Optional: a device's adapter indicators were set (SET_IND_ADAPTER)
	 * or dropped (reset). The arch may give each queue an irqfd behind
	 * an adapter route (virtio_ccw_set_irqfds) so that KVM sets the bits
	 * and injects; called without the transport's locks.
	 */
	void (*thinint_changed)(void *opaque, struct virtio_ccw *ccw);
	void *opaque;
};

struct css_subchannel {
	struct css *css;
	u16 schno;
	u16 devno;
	const struct css_device_ops *ops;
	void *priv;
	pthread_mutex_t lock;
	/* PMCW */
	u32 intparm;
	u8 isc;
	bool enabled;
	bool csense;		/* concurrent sense */
	u8 lpm;
	u16 mbi;
	u8 mme;
	bool mp, tf;
	/* SCSW (host-order copy of the word 0 bits we keep) and status. */
	u32 scsw_ctrl;		/* fctl | actl | stctl | flags */
	u32 scsw_cpa;
	u8 dstat, cstat;
	u16 scsw_count;
	u8 sense[CSS_SENSE_SIZE];
	bool sense_valid;
	u64 nr_starts;
};

struct css {
	const struct guest_mem *mem;
	struct css_irq_ops irq;
	struct css_subchannel *sch[CSS_MAX_SUBCHANNELS];
	unsigned int nr_sch;
	/* DIAGNOSE 0x500 for no device: logged once. */
	atomic_bool bad_notify_logged;
};

void css_init(struct css *css, const struct guest_mem *mem,
	      const struct css_irq_ops *irq);
/*
 * Detach the subchannels still attached (their owners destroy them) and
 * empty the subsystem: no subchannel is found afterwards.
 */
void css_destroy(struct css *css);
/* Attach sch (zeroed by the caller, ops/priv set) as the next subchannel. */
int css_add_subchannel(struct css *css, struct css_subchannel *sch,
		       u16 devno);
void css_subchannel_destroy(struct css_subchannel *sch);

/* Subchannel ID (general register 1): 0x0001ssss for cssid 0, ssid 0. */
#define CSS_SID(schno)	(0x00010000u | (u16)(schno))
/* Decode a subchannel ID; -1 for a malformed one (operand exception). */
int css_sid_schno(u32 sid);
/* The subchannel for a well-formed sid, or NULL (cc 3: not operational). */
struct css_subchannel *css_find(struct css *css, u32 sid);

/* The I/O instructions, on a valid subchannel; see the convention above. */
int css_stsch(struct css_subchannel *sch, u8 schib[CSS_SCHIB_SIZE]);
int css_msch(struct css_subchannel *sch, const u8 schib[CSS_SCHIB_SIZE]);
int css_ssch(struct css_subchannel *sch, const u8 orb[CSS_ORB_SIZE]);
int css_tsch(struct css_subchannel *sch, u8 irb[CSS_IRB_SIZE]);
int css_csch(struct css_subchannel *sch);
int css_hsch(struct css_subchannel *sch);
int css_rsch(struct css_subchannel *sch);
int css_xsch(struct css_subchannel *sch);
/* TSCH for a subchannel that does not exist stores nothing: cc 3. */

/*
 * Unsolicited status (alert, device end) for an interrupt outside a
 * channel program: virtio-ccw's classic indicators. Interrupts only if
 * the subchannel is enabled and not already status pending.
 */
void css_notify_alert(struct css_subchannel *sch);

#endif
