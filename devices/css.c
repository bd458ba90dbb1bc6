// SPDX-License-Identifier: GPL-2.0
/*
 * The channel subsystem: subchannels, channel programs, IRBs.
 * Architecture-neutral: see include/devices/css.h. Every guest-visible
 * block is big-endian, converted with explicit helpers, so that the same
 * code is right on little- and big-endian hosts.
 *
 * Locks: sch->lock guards the subchannel's PMCW and SCSW and is never held
 * while a device runs a command (a virtio-ccw command calls into the
 * virtio core, whose signal hooks come back to the subchannel under
 * vq->lock). A subchannel running a channel program is marked
 * start-pending until the program ends, whatever CSCH, HSCH or TSCH do
 * meanwhile on other vCPUs, so a second SSCH (or MSCH) gets cc 2: a clear
 * or halt issued then is recorded and completes when the program ends.
 */
#include <errno.h>
#include <string.h>

#include "devices/css.h"
#include "unaligned.h"

#define CCW_MAX_CHAIN	256	/* CCWs (and TICs) one program may run */

/* Data areas: direct or through IDAWs. */

static int ccw_idaw(const struct ccw_data *d, u32 idx, u64 *addr)
{
	u8 raw[8];
	u32 size = d->idaw_fmt2 ? 8 : 4;
	u64 gpa = (u64)d->addr + (u64)idx * size;

	if (guest_mem_read(d->mem, gpa, raw, size))
		return -EFAULT;
	if (d->idaw_fmt2) {
		*addr = get_be64(raw);
	} else {
		*addr = get_be32(raw);
		if (*addr & 0x80000000u)	/* 31-bit IDAW */
			return -EFAULT;
	}
	return 0;
}

/* Guest address of byte pos of the data area and the bytes from there. */
static int ccw_locate(const struct ccw_data *d, u32 pos, u64 *gpa,
		      u32 *chunk)
{
	u32 block = (d->idaw_fmt2 && !d->idaw_2k) ? 4096 : 2048;
	u64 first, a;
	u32 first_len, idx, in;
	int err;

	if (!(d->flags & CCW_FLAG_IDA)) {
		*gpa = (u64)d->addr + pos;
		*chunk = d->count - pos;
		return 0;
	}
	err = ccw_idaw(d, 0, &first);
	if (err)
		return err;
	first_len = block - (u32)(first % block);
	if (pos < first_len) {
		*gpa = first + pos;
		*chunk = first_len - pos;
		return 0;
	}
	idx = 1 + (pos - first_len) / block;
	in = (pos - first_len) % block;
	err = ccw_idaw(d, idx, &a);
	if (err)
		return err;
	if (a % block)		/* later IDAWs start on a block boundary */
		return -EFAULT;
	*gpa = a + in;
	*chunk = block - in;
	return 0;
}

static int ccw_data_move(const struct ccw_data *d, u32 offset, void *buf,
			 u32 len, bool to_guest)
{
	u32 done = 0;

	if ((u64)offset + len > d->count)
		return -EFAULT;
	while (done < len) {
		u64 gpa;
		u32 chunk;
		int err = ccw_locate(d, offset + done, &gpa, &chunk);

		if (err)
			return err;
		chunk = MIN(chunk, len - done);
		/* Without IDAWs the area is 31-bit. */
		if (!(d->flags & CCW_FLAG_IDA) && gpa + chunk > 0x80000000ull)
			return -EFAULT;
		if (to_guest)
			err = guest_mem_store(d->mem, gpa, (u8 *)buf + done,
					      chunk);
		else
			err = guest_mem_read(d->mem, gpa, (u8 *)buf + done,
					     chunk);
		if (err)
			return -EFAULT;
		done += chunk;
	}
	return (int)len;
}

int ccw_data_read(const struct ccw_data *d, u32 offset, void *buf, u32 len)
{
	return ccw_data_move(d, offset, buf, len, false);
}

int ccw_data_write(const struct ccw_data *d, u32 offset, const void *buf,
		   u32 len)
{
	return ccw_data_move(d, offset, (void *)buf, len, true);
}

/* Subchannels and the I/O instructions. */

void css_init(struct css *css, const struct guest_mem *mem,
	      const struct css_irq_ops *irq)
{
	memset(css, 0, sizeof(*css));
	css->mem = mem;
	if (irq)
		css->irq = *irq;
}

void css_destroy(struct css *css)
{
	unsigned int i;

	for (i = 0; i < css->nr_sch; i++) {
		if (css->sch[i])
			css->sch[i]->css = NULL;
		css->sch[i] = NULL;
	}
	css->nr_sch = 0;
}

int css_add_subchannel(struct css *css, struct css_subchannel *sch,
		       u16 devno)
{
	if (css->nr_sch >= CSS_MAX_SUBCHANNELS)
		return -ENOSPC;
	pthread_mutex_init(&sch->lock, NULL);
	sch->css = css;
	sch->schno = css->nr_sch;
	sch->devno = devno;
	sch->lpm = 0x80;
	css->sch[css->nr_sch++] = sch;
	return 0;
}

void css_subchannel_destroy(struct css_subchannel *sch)
{
	struct css *css = sch->css;

	if (css && sch->schno < css->nr_sch && css->sch[sch->schno] == sch)
		css->sch[sch->schno] = NULL;
	pthread_mutex_destroy(&sch->lock);
}

int css_sid_schno(u32 sid)
{
	/* cssid 0, ssid 0, and the one bit that marks a subchannel ID. */
	if ((sid >> 16) != 0x0001)
		return -1;
	return sid & 0xffff;
}

struct css_subchannel *css_find(struct css *css, u32 sid)
{
	int schno = css_sid_schno(sid);

	if (schno < 0 || (unsigned int)schno >= css->nr_sch)
		return NULL;
	return css->sch[schno];
}

static bool sch_status_pending(const struct css_subchannel *sch)
{
	return sch->scsw_ctrl & SCSW_STCTL_STATUS_PEND;
}

/* A channel program runs on some vCPU (inside css_ssch()). */
static bool sch_running(const struct css_subchannel *sch)
{
	return sch->scsw_ctrl & SCSW_ACTL_START_PEND;
}

static bool sch_busy(const struct css_subchannel *sch)
{
	return !sch_status_pending(sch) &&
	       (sch->scsw_ctrl & (SCSW_FCTL_START | SCSW_FCTL_HALT |
				  SCSW_FCTL_CLEAR));
}

static void css_store_scsw(const struct css_subchannel *sch, u8 *p)
{
	put_be32(p, sch->scsw_ctrl);
	put_be32(p + 4, sch->scsw_cpa);
	p[8] = sch->dstat;
	p[9] = sch->cstat;
	put_be16(p + 10, sch->scsw_count);
}

int css_stsch(struct css_subchannel *sch, u8 schib[CSS_SCHIB_SIZE])
{
	u32 w1;

	memset(schib, 0, CSS_SCHIB_SIZE);
	pthread_mutex_lock(&sch->lock);
	w1 = (u32)(sch->isc & 7) << 27 | (sch->enabled ? 1u << 23 : 0) |
	     (u32)(sch->mme & 3) << 19 | (sch->mp ? 1u << 18 : 0) |
	     (sch->tf ? 1u << 17 : 0) | 1u << 16 | sch->devno;
	put_be32(schib, sch->intparm);
	put_be32(schib + 4, w1);
	schib[8] = sch->lpm;		/* LPM */
	schib[9] = 0;			/* PNOM */
	schib[10] = 0x80;		/* LPUM */
	schib[11] = 0x80;		/* PIM: one path */
	put_be16(schib + 12, sch->mbi);
	schib[14] = 0xff;		/* POM */
	schib[15] = 0x80;		/* PAM */
	/* CHPIDs 16-23: path 0 is CHPID 0. Word 6: I/O subchannel. */
	put_be32(schib + 24, sch->csense ? 1 : 0);
	css_store_scsw(sch, schib + 28);
	pthread_mutex_unlock(&sch->lock);
	return 0;
}

int css_msch(struct css_subchannel *sch, const u8 schib[CSS_SCHIB_SIZE])
{
	u32 w1 = get_be32(schib + 4), w6 = get_be32(schib + 24);
	bool was_enabled, disable = false;
	int cc = 0;

	/* Reserved PMCW bits: word 1 bits 0-1 and 5-7, word 6 but 29-31. */
	if ((w1 & 0xc7000000u) || (w6 & ~7u))
		return -CSS_PGM_OPERAND;
	pthread_mutex_lock(&sch->lock);
	if (sch_status_pending(sch)) {
		cc = 1;
	} else if (sch_busy(sch)) {
		cc = 2;
	} else {
		was_enabled = sch->enabled;
		sch->intparm = get_be32(schib);
		sch->isc = (w1 >> 27) & 7;
		sch->enabled = w1 & (1u << 23);
		sch->mme = (w1 >> 19) & 3;
		sch->mp = w1 & (1u << 18);
		sch->lpm = schib[8];
		sch->mbi = get_be16(schib + 12);
		sch->csense = w6 & 1;
		disable = was_enabled && !sch->enabled;
	}
	pthread_mutex_unlock(&sch->lock);
	if (disable && sch->ops && sch->ops->disable)
		sch->ops->disable(sch);
	return cc;
}

static void css_interrupt(struct css_subchannel *sch)
{
	struct css *css = sch->css;

	if (css->irq.io_interrupt)
		css->irq.io_interrupt(css->irq.opaque, sch);
}

/*
 * The clear or halt function completes: status pending with it. Under
 * sch->lock.
 */
static void css_end_function(struct css_subchannel *sch, u32 fctl)
{
	sch->scsw_ctrl = fctl | SCSW_STCTL_STATUS_PEND;
	if (fctl == SCSW_FCTL_CLEAR) {
		sch->dstat = 0;
		sch->cstat = 0;
		sch->scsw_count = 0;
		memset(sch->sense, 0, sizeof(sch->sense));
		sch->sense_valid = false;
	}
}

struct ccw_program {
	bool fmt1;
	bool idaw_fmt2;
	bool idaw_2k;
	u32 cpa;		/* next CCW */
	u32 last;		/* address of the last CCW fetched */
};

/* Fetch and decode the CCW at p->cpa; false for a program check. */
static bool ccw_fetch(struct css_subchannel *sch, struct ccw_program *p,
		      struct ccw_data *d)
{
	u8 raw[8];

	if (p->cpa & 7)
		return false;
	p->last = p->cpa;
	if (guest_mem_read(sch->css->mem, p->cpa, raw, sizeof(raw)))
		return false;
	memset(d, 0, sizeof(*d));
	d->mem = sch->css->mem;
	d->cmd = raw[0];
	d->idaw_fmt2 = p->idaw_fmt2;
	d->idaw_2k = p->idaw_2k;
	if (p->fmt1) {
		d->flags = raw[1];
		d->count = get_be16(raw + 2);
		d->addr = get_be32(raw + 4);
		if (d->addr & 0x80000000u)
			return false;
	} else {
		d->addr = (u32)raw[1] << 16 | (u32)raw[2] << 8 | raw[3];
		d->flags = raw[4];
		d->count = get_be16(raw + 6);
	}
	p->cpa += 8;
	return true;
}

static struct ccw_status css_basic_sense(struct css_subchannel *sch,
					 const struct ccw_data *d)
{
	u8 sense[CSS_SENSE_SIZE];
	u32 n = MIN((u32)d->count, (u32)CSS_SENSE_SIZE);

	pthread_mutex_lock(&sch->lock);
	memcpy(sense, sch->sense, sizeof(sense));
	memset(sch->sense, 0, sizeof(sch->sense));
	sch->sense_valid = false;
	pthread_mutex_unlock(&sch->lock);
	if (n && ccw_data_write(d, 0, sense, n) < 0)
		return ccw_status(CCW_PROGRAM_CHECK, d->count, 0);
	return ccw_status(CCW_DONE, d->count - n, 0);
}

/*
 * Run the channel program; fills in the final SCSW fields (not yet
 * published: the caller does that under sch->lock).
 */
static void css_run_program(struct css_subchannel *sch, struct ccw_program *p,
			    u8 *dstat, u8 *cstat, u16 *count, u8 *sense0)
{
	bool after_tic = false;
	unsigned int n;

	*dstat = 0;
	*cstat = 0;
	*count = 0;
	*sense0 = 0;
	for (n = 0; n < CCW_MAX_CHAIN; n++) {
		struct ccw_data d;
		struct ccw_status st;
		bool chain;

		if (!ccw_fetch(sch, p, &d))
			goto program_check;
		if ((d.cmd & 0x0f) == CCW_CMD_TIC) {
			/* Format 1: TIC's high nibble is 0; no TIC to TIC. */
			if (after_tic || (p->fmt1 && (d.cmd & 0xf0)) ||
			    (d.addr & 7))
				goto program_check;
			p->cpa = d.addr;
			after_tic = true;
			continue;
		}
		after_tic = false;
		/* Invalid command code; format-0 CCWs need a count. */
		if ((d.cmd & 0x0f) == 0 || (!p->fmt1 && d.count == 0))
			goto program_check;
		/* Data chaining, suspend and modified IDAWs: not offered. */
		if (d.flags & (CCW_FLAG_CD | CCW_FLAG_SUSPEND | CCW_FLAG_MIDA))
			goto program_check;
		if ((d.flags & CCW_FLAG_IDA) &&
		    (d.addr & (d.idaw_fmt2 ? 7 : 3)))
			goto program_check;

		if (d.cmd == CCW_CMD_BASIC_SENSE)
			st = css_basic_sense(sch, &d);
		else if (d.cmd == CCW_CMD_NOOP)
			st = ccw_status(CCW_DONE, d.count, 0);
		else if (sch->ops && sch->ops->execute)
			st = sch->ops->execute(sch, &d);
		else
			st = ccw_status(CCW_UNIT_CHECK, d.count,
					SNS0_CMD_REJECT);

		*count = st.residual;
		switch (st.result) {
		case CCW_UNIT_CHECK:
			*dstat = DEV_STAT_CHN_END | DEV_STAT_DEV_END |
				 DEV_STAT_UNIT_CHECK;
			*sense0 = st.sense0;
			return;
		case CCW_PROGRAM_CHECK:
			*cstat = SCH_STAT_PROG_CHECK;
			return;
		case CCW_PROTECTION_CHECK:
			*cstat = SCH_STAT_PROT_CHECK;
			return;
		case CCW_DONE:
			break;
		}
		chain = d.flags & CCW_FLAG_CC;
		if (st.residual && !(d.flags & CCW_FLAG_SLI)) {
			/* Incorrect length ends a chain. */
			*cstat = SCH_STAT_INCORR_LEN;
			*dstat = DEV_STAT_CHN_END | DEV_STAT_DEV_END;
			return;
		}
		if (!chain) {
			*dstat = DEV_STAT_CHN_END | DEV_STAT_DEV_END;
			return;
		}
	}
	/* A program that never ends (TIC loops): stop it. */
program_check:
	*cstat = SCH_STAT_PROG_CHECK;
	*count = 0;
}

int css_ssch(struct css_subchannel *sch, const u8 orb[CSS_ORB_SIZE])
{
	u32 w1 = get_be32(orb + 4), cpa = get_be32(orb + 8);
	struct ccw_program p = {
		.fmt1 = w1 & (1u << 23),
		.idaw_fmt2 = w1 & (1u << 17),
		.idaw_2k = w1 & (1u << 16),
		.cpa = cpa,
	};
	u8 dstat, cstat, sense0;
	u16 count;
	u32 stctl;

	/* ORB: reserved bits 26-30 of word 1, a 31-bit program address. */
	if ((w1 & 0x0000003eu) || (cpa & 0x80000000u))
		return -CSS_PGM_OPERAND;
	pthread_mutex_lock(&sch->lock);
	if (!sch->enabled || !(((w1 >> 8) & 0xff) & 0x80)) {
		/* Disabled, or no usable path in the LPM. */
		pthread_mutex_unlock(&sch->lock);
		return 3;
	}
	if (sch_status_pending(sch)) {
		pthread_mutex_unlock(&sch->lock);
		return 1;
	}
	if (sch_busy(sch)) {
		pthread_mutex_unlock(&sch->lock);
		return 2;
	}
	sch->intparm = get_be32(orb);
	sch->scsw_ctrl = SCSW_FCTL_START | SCSW_ACTL_START_PEND |
			 (p.fmt1 ? SCSW_FLAG_FORMAT1 : 0);
	sch->nr_starts++;
	pthread_mutex_unlock(&sch->lock);

	css_run_program(sch, &p, &dstat, &cstat, &count, &sense0);

	stctl = SCSW_STCTL_PRIMARY | SCSW_STCTL_SECONDARY |
		SCSW_STCTL_STATUS_PEND;
	if ((dstat & DEV_STAT_UNIT_CHECK) ||
	    (cstat & (SCH_STAT_PROG_CHECK | SCH_STAT_PROT_CHECK)))
		stctl |= SCSW_STCTL_ALERT;
	pthread_mutex_lock(&sch->lock);
	if (sch->scsw_ctrl & (SCSW_FCTL_CLEAR | SCSW_FCTL_HALT)) {
		/* A CSCH or HSCH came while it ran: theirs is the status. */
		css_end_function(sch, sch->scsw_ctrl & SCSW_FCTL_CLEAR ?
				 SCSW_FCTL_CLEAR : SCSW_FCTL_HALT);
		pthread_mutex_unlock(&sch->lock);
		css_interrupt(sch);
		return 0;
	}
	sch->scsw_ctrl = SCSW_FCTL_START | stctl |
			 (p.fmt1 ? SCSW_FLAG_FORMAT1 : 0);
	sch->scsw_cpa = p.last + 8;
	sch->dstat = dstat;
	sch->cstat = cstat;
	sch->scsw_count = count;
	if (dstat & DEV_STAT_UNIT_CHECK) {
		memset(sch->sense, 0, sizeof(sch->sense));
		sch->sense[0] = sense0;
		sch->sense_valid = true;
	}
	pthread_mutex_unlock(&sch->lock);
	css_interrupt(sch);
	return 0;
}

int css_tsch(struct css_subchannel *sch, u8 irb[CSS_IRB_SIZE])
{
	int cc;

	memset(irb, 0, CSS_IRB_SIZE);
	pthread_mutex_lock(&sch->lock);
	cc = sch_status_pending(sch) ? 0 : 1;
	if (cc == 0 && sch->csense && sch->sense_valid &&
	    (sch->dstat & DEV_STAT_UNIT_CHECK)) {
		/* Concurrent sense: the sense bytes come in the ECW. */
		sch->scsw_ctrl |= SCSW_FLAG_ECTL | (1u << 26);
		put_be32(irb + 16, 1u << 24 | (u32)CSS_SENSE_SIZE << 16);
		memcpy(irb + 32, sch->sense, CSS_SENSE_SIZE);
		memset(sch->sense, 0, sizeof(sch->sense));
		sch->sense_valid = false;
	}
	css_store_scsw(sch, irb);
	if (cc == 0) {
		/* The status is taken: the subchannel is idle again. */
		sch->scsw_ctrl = 0;
		sch->dstat = 0;
		sch->cstat = 0;
		sch->scsw_count = 0;
	}
	pthread_mutex_unlock(&sch->lock);
	return cc;
}

static int css_function(struct css_subchannel *sch, u32 fctl)
{
	bool inject = false;
	int cc = 0;

	pthread_mutex_lock(&sch->lock);
	if (!sch->enabled) {
		cc = 3;
	} else if (fctl == SCSW_FCTL_HALT &&
		   (sch_status_pending(sch) ||
		    (sch->scsw_ctrl & (SCSW_FCTL_HALT | SCSW_FCTL_CLEAR)))) {
		cc = sch_status_pending(sch) ? 1 : 2;
	} else if (sch_running(sch)) {
		/*
		 * The program runs on another vCPU and cannot be cut short:
		 * the function is recorded and completes, with the interrupt,
		 * when the program ends (css_ssch()).
		 */
		sch->scsw_ctrl |= fctl;
	} else {
		/* Nothing is left running: the function completes now. */
		css_end_function(sch, fctl);
		inject = true;
	}
	pthread_mutex_unlock(&sch->lock);
	if (inject)
		css_interrupt(sch);
	return cc;
}

int css_csch(struct css_subchannel *sch)
{
	return css_function(sch, SCSW_FCTL_CLEAR);
}

int css_hsch(struct css_subchannel *sch)
{
	return css_function(sch, SCSW_FCTL_HALT);
}

/*
 * Channel programs run to their end inside SSCH: nothing is ever
 * suspended (RSCH) or start-pending (XSCH), so both find no function to
 * act on: cc 1 if status pending, else cc 2.
 */
static int css_no_function(struct css_subchannel *sch)
{
	int cc;

	pthread_mutex_lock(&sch->lock);
	if (!sch->enabled)
		cc = 3;
	else
		cc = sch_status_pending(sch) ? 1 : 2;
	pthread_mutex_unlock(&sch->lock);
	return cc;
}

int css_rsch(struct css_subchannel *sch)
{
	return css_no_function(sch);
}

int css_xsch(struct css_subchannel *sch)
{
	return css_no_function(sch);
}

void css_notify_alert(struct css_subchannel *sch)
{
	bool inject = false;

	pthread_mutex_lock(&sch->lock);
	/*
	 * A pending status or a running program ends in an interrupt
	 * anyway, and the driver looks at its indicators then.
	 */
	if (sch->enabled && !sch_status_pending(sch) && !sch_busy(sch)) {
		sch->scsw_ctrl = SCSW_STCTL_ALERT | SCSW_STCTL_STATUS_PEND;
		sch->dstat = 0;
		sch->cstat = 0;
		sch->scsw_count = 0;
		inject = true;
	}
	pthread_mutex_unlock(&sch->lock);
	if (inject)
		css_interrupt(sch);
}
