// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for a hostile guest on the PC's platform ports: the
 * RTC/CMOS (0x70-0x71), the i8042 (0x60, 0x64), the debug-exit port
 * (0xf4-0xf7), the ACPI PM registers (0x600-0x60f) and port 0x92 with the
 * other inert ports, on one port bus as in lkvm, against a model of what
 * each must answer.
 *
 * Input: 3-byte operations
 *   u8 op     op % 4: 0 write, 1 read, 2 write then read back, 3 a wide
 *             access (width 2 or 4 from bit 2, write if bit 3)
 *   u8 port   port % 22 picks 0x70, 0x71, 0x60, 0x64, 0xf4, 0xf5, 0xf6,
 *             0xf7, 0x72 (nothing there), 0x61 (nothing there), 0x600
 *             to 0x608, 0x60b, 0x60c or 0x92
 *   u8 value
 *
 * Invariants (abort = finding):
 * - RTC: the index port reads 0xff; the index is the written byte & 0x7f
 *   (the NMI bit is not part of it); plain CMOS bytes read back what was
 *   written; register A reads what was written without UIP, C reads 0,
 *   D reads VRT; every time register read is valid in the current format
 *   (BCD digits or binary, 12-hour with the PM bit or 24-hour, in range);
 *   with B.SET on, a valid value written to a time register reads back
 *   unchanged while the format stays.
 * - i8042: status has IBF clear, the keylock bit set, SYS from the
 *   command byte, CMD after a port 0x64 write, OBF exactly when the
 *   model's output queue holds a byte, AUXDATA/TIMEOUT only with OBF; port
 *   0x60 gives the model's bytes in order (command byte, self-test 0x55,
 *   output port, loop-back, 0xfe for absent devices); IRQ 1 and 12 follow
 *   the head byte and the command byte's enables; a reset is requested,
 *   with status 0, exactly for a pulse command with bit 0 clear or an
 *   output-port write with bit 0 clear.
 * - debug-exit: exactly one stop per write whose first byte is at 0xf4,
 *   with that byte as the status; reads give all-ones and stop nothing;
 *   accesses that do not fit in 0xf4-0xf7 reach no device.
 * - ACPI PM: PM1_EN reads back what was written & 0x4721, PM1_CNT the
 *   BM_RLD and SLP_TYP bits written with SCI_EN set, status and sleep
 *   control registers 0; a byte-wise access at any offset of a register
 *   works on those bytes; one that spans registers or the reserved bytes
 *   reads all-ones and changes nothing; a power-off exactly for a write
 *   setting SLP_EN with SLP_TYP 5 (PM1_CNT's merged with what it held,
 *   SLEEP_CONTROL's from the byte); the PM timer's full reads never go
 *   back (modulo 2^32) and are not frozen across 4096 operations.
 * - port 0x92: reads back what was written without bit 0; a write with
 *   bit 0 set asks for a reset.
 * - ports with nothing there read all-ones.
 */
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "devices/acpi-pm.h"
#include "devices/debug-exit.h"
#include "devices/i8042.h"
#include "devices/ignored-ports.h"
#include "devices/rtc.h"
#include "log.h"
#include "x86/layout.h"

#define MAX_OPS		4096

static unsigned int stops_i8042, stops_debug, stops_pm, stops_92;
static int last_status;

/* The callbacks lkvm gives the devices (a reset stops with status 0). */
static void rec_i8042_reset(void *opaque)
{
	stops_i8042++;
	last_status = 0;
}

static void rec_debug_exit(void *opaque, int status)
{
	stops_debug++;
	last_status = status;
}

static void rec_pm_off(void *opaque)
{
	stops_pm++;
}

static void rec_92_reset(void *opaque)
{
	stops_92++;
}

static const struct i8042_ops kbc_ops = { .reset = rec_i8042_reset };
static const struct acpi_pm_ops pm_ops = { .power_off = rec_pm_off };
static const struct ignored_ports_ops ip_ops = { .reset = rec_92_reset };
static const struct debug_exit_ops de_ops = { .exit = rec_debug_exit };

struct line {
	struct irq_line line;
	int level;
};

static void set_level(struct irq_line *l, int level)
{
	container_of(l, struct line, line)->level = level;
}

/* What the i8042 must hold. */
struct kbc_model {
	u8 ctr, outport, pending;
	bool last_cmd;
	u8 q[I8042_QUEUE_SIZE], qst[I8042_QUEUE_SIZE];
	unsigned int head, n;
	u8 last;
};

/* What the RTC must hold. */
struct rtc_model {
	u8 index;
	u8 cmos[RTC_CMOS_SIZE];
	bool known[RTC_CMOS_SIZE];	/* cmos[i] is what a read must give */
};

/* What the ACPI PM registers and port 0x92 must hold. */
struct pm_model {
	u16 en, cnt;
	u8 p92;
	bool have_tmr;
	u32 tmr;
	unsigned int tmr_ops;	/* operations since the timer last moved */
};

struct fz {
	struct bus bus;
	struct rtc rtc;
	struct i8042 kbc;
	struct debug_exit de;
	struct acpi_pm pm;
	struct ignored_ports ip;
	struct pm_model m;
	struct line kbd, aux;
	struct kbc_model k;
	struct rtc_model r;
};

static const u16 ports[22] = { 0x70, 0x71, 0x60, 0x64, 0xf4, 0xf5, 0xf6,
			       0xf7, 0x72, 0x61, 0x600, 0x601, 0x602, 0x603,
			       0x604, 0x605, 0x606, 0x607, 0x608, 0x60b,
			       0x60c, 0x92 };

/* ACPI PM: the register [off, off + width) lies in; -1 spanning or none. */
static int pm_reg(u32 off, u32 width, u32 *roff)
{
	static const u8 regs[][2] = { { 0, 2 }, { 2, 2 }, { 4, 2 }, { 6, 1 },
				      { 7, 1 }, { 8, 4 } };
	unsigned int i;

	for (i = 0; i < 6; i++) {
		if (off < regs[i][0] || off >= regs[i][0] + regs[i][1])
			continue;
		if (off + width > regs[i][0] + regs[i][1])
			return -1;
		*roff = regs[i][0];
		return regs[i][0];
	}
	return -1;
}

static void pm_io(struct fz *f, u32 off, const u8 *in, u8 *d, u32 width,
		  bool write, unsigned int before)
{
	struct pm_model *m = &f->m;
	unsigned int shift, i;
	u32 roff = 0, want = 0, v = 0, mask = 0;
	int r = pm_reg(off, width, &roff);
	bool off_req = false;
	u16 cnt;

	if (r < 0) {
		for (i = 0; !write && i < width; i++)
			if (d[i] != 0xff)
				abort();
		if (stops_pm != before)
			abort();
		return;
	}
	shift = 8 * (off - roff);
	for (i = 0; i < width; i++) {
		v |= (u32)in[i] << (8 * i + shift);
		mask |= 0xffu << (8 * i + shift);
	}
	if (!write) {
		if (roff == ACPI_PM_TMR) {
			for (i = 0; i < width; i++)
				want |= (u32)d[i] << (8 * i);
			if (width == 4) {
				if (m->have_tmr && want - m->tmr > 0x80000000u)
					abort();	/* went back */
				if (m->have_tmr && want == m->tmr &&
				    ++m->tmr_ops > 4096)
					abort();	/* frozen */
				if (!m->have_tmr || want != m->tmr)
					m->tmr_ops = 0;
				m->have_tmr = true;
				m->tmr = want;
			}
			return;
		}
		if (roff == ACPI_PM_PM1_EN)
			want = m->en;
		else if (roff == ACPI_PM_PM1_CNT)
			want = m->cnt | ACPI_PM1_CNT_SCI_EN;
		for (i = 0; i < width; i++)
			if (d[i] != (u8)(want >> (8 * i + shift)))
				abort();
		return;
	}
	switch (roff) {
	case ACPI_PM_PM1_EN:
		m->en = ((m->en & ~mask) | (v & mask)) & ACPI_PM1_EN_MASK;
		break;
	case ACPI_PM_PM1_CNT:
		cnt = (u16)((m->cnt & ~mask) | (v & mask));
		m->cnt = cnt & (ACPI_PM1_CNT_BM_RLD | ACPI_PM1_CNT_SLP_TYP);
		off_req = (v & mask & ACPI_PM1_CNT_SLP_EN) &&
			  ((cnt & ACPI_PM1_CNT_SLP_TYP) >>
			   ACPI_PM1_CNT_SLP_TYP_SHIFT) == ACPI_PM_SLP_TYP_S5;
		break;
	case ACPI_PM_SLEEP_CTL:
		off_req = (v & ACPI_SLEEP_CTL_SLP_EN) &&
			  ((v & ACPI_SLEEP_CTL_SLP_TYP) >>
			   ACPI_SLEEP_CTL_SLP_TYP_SHIFT) == ACPI_PM_SLP_TYP_S5;
		break;
	}
	if (stops_pm != before + (off_req ? 1 : 0))
		abort();
}

static bool is_time(u8 i)
{
	return i <= RTC_YEAR ? !(i & 1) || i >= RTC_DAY_OF_WEEK :
	       i == RTC_CENTURY;
}

/* A time register value valid in the format register B selects. */
static bool time_valid(u8 b, u8 idx, u8 v)
{
	bool bin = b & RTC_B_DM_BINARY, h12 = !(b & RTC_B_24H);
	int lo, hi, d;

	if (idx == RTC_HOURS && h12) {
		v &= 0x7f;
		lo = 1;
		hi = 12;
	} else {
		switch (idx) {
		case RTC_SECONDS:
		case RTC_MINUTES:
			lo = 0, hi = 59;
			break;
		case RTC_HOURS:
			lo = 0, hi = 23;
			break;
		case RTC_DAY_OF_WEEK:
			lo = 1, hi = 7;
			break;
		case RTC_DAY_OF_MONTH:
			lo = 1, hi = 31;
			break;
		case RTC_MONTH:
			lo = 1, hi = 12;
			break;
		default:	/* year, century */
			lo = 0, hi = 99;
			break;
		}
	}
	if (bin) {
		d = v;
	} else {
		if ((v & 0xf) > 9 || (v >> 4) > 9)
			return false;
		d = (v >> 4) * 10 + (v & 0xf);
	}
	return d >= lo && d <= hi;
}

static void rtc_model_write(struct rtc_model *r, u8 v)
{
	u8 i = r->index, b = r->cmos[RTC_REG_B];

	if (is_time(i)) {
		/*
		 * An invalid value is ignored; the day of the week follows
		 * the date. Read-back is promised only while B.SET holds
		 * the time (else it runs on from the written value).
		 */
		if (!time_valid(b, i, v) || i == RTC_DAY_OF_WEEK)
			return;
		r->known[i] = b & RTC_B_SET;
		r->cmos[i] = v;
		return;
	}
	switch (i) {
	case RTC_REG_B:
		if ((v ^ b) & (RTC_B_DM_BINARY | RTC_B_24H | RTC_B_SET)) {
			unsigned int j;

			for (j = 0; j < RTC_CMOS_SIZE; j++)
				if (is_time((u8)j))
					r->known[j] = false;
		}
		r->cmos[i] = v;
		break;
	case RTC_REG_A:
		r->cmos[i] = v & 0x7f;
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		break;
	default:
		r->cmos[i] = v;
		break;
	}
}

static void rtc_model_read(const struct rtc_model *r, u8 got)
{
	u8 i = r->index;

	if (is_time(i)) {
		if (!time_valid(r->cmos[RTC_REG_B], i, got))
			abort();
		if (r->known[i] && got != r->cmos[i])
			abort();
		return;
	}
	if ((i == RTC_REG_C && got != 0) || (i == RTC_REG_D && got != RTC_D_VRT))
		abort();
	if (i != RTC_REG_C && i != RTC_REG_D && got != r->cmos[i])
		abort();
}

static void kbc_push(struct kbc_model *k, u8 byte, u8 st)
{
	unsigned int t;

	if (k->n == I8042_QUEUE_SIZE)
		return;
	t = (k->head + k->n) % I8042_QUEUE_SIZE;
	k->q[t] = byte;
	k->qst[t] = st;
	k->n++;
}

/* A command; returns true when it must request a reset. */
static bool kbc_model_cmd(struct kbc_model *k, u8 c)
{
	k->last_cmd = true;
	k->pending = 0;
	if ((c & 0xf0) == 0xf0)
		return !(c & 1);
	if (c == 0x20)
		kbc_push(k, k->ctr, 0);
	else if (c > 0x20 && c < 0x60)
		kbc_push(k, 0, 0);
	else if ((c >= 0x60 && c < 0x80) || c == 0xd1 || c == 0xd2 ||
		 c == 0xd3 || c == 0xd4)
		k->pending = c;
	else if (c == 0xa7)
		k->ctr |= 0x20;
	else if (c == 0xa8)
		k->ctr &= ~0x20;
	else if (c == 0xa9 || c == 0xab)
		kbc_push(k, 0, 0);
	else if (c == 0xaa)
		kbc_push(k, 0x55, 0);
	else if (c == 0xad)
		k->ctr |= 0x10;
	else if (c == 0xae)
		k->ctr &= ~0x10;
	else if (c == 0xd0)
		kbc_push(k, k->outport, 0);
	return false;
}

static bool kbc_model_data(struct kbc_model *k, u8 v)
{
	u8 c = k->pending;
	bool reset = false;

	k->last_cmd = false;
	k->pending = 0;
	switch (c) {
	case 0x60:
		k->ctr = v;
		break;
	case 0xd1:
		reset = !(v & 1);
		k->outport = v | 1;
		break;
	case 0xd2:
		kbc_push(k, v, 0);
		break;
	case 0xd3:
		kbc_push(k, v, 0x20);
		break;
	case 0xd4:
		kbc_push(k, 0xfe, 0x60);
		break;
	case 0:
		kbc_push(k, 0xfe, 0x40);
		break;
	default:
		break;
	}
	return reset;
}

static void kbc_check_status(const struct kbc_model *k, u8 st)
{
	u8 want = 0x10 | (k->ctr & 4) | (k->last_cmd ? 8 : 0);

	if (k->n)
		want |= 1 | k->qst[k->head];
	if (st != want)
		abort();
}

static void kbc_check_lines(const struct fz *f)
{
	const struct kbc_model *k = &f->k;
	bool aux = k->n && (k->qst[k->head] & 0x20);

	if (f->kbd.level != (k->n && !aux && (k->ctr & 1)) ||
	    f->aux.level != (k->n && aux && (k->ctr & 2)))
		abort();
}

static void port_io(struct fz *f, u16 port, u8 *d, u32 width, bool write)
{
	unsigned int before_i8042 = stops_i8042, before_debug = stops_debug;
	unsigned int before_pm = stops_pm, before_92 = stops_92;
	bool hit, reset = false;
	u8 saved[4];
	u32 i;

	memcpy(saved, d, width);
	hit = bus_access(&f->bus, NULL, port, d, width, write);

	if (port >= X86_PORT_ACPI_PM && port < X86_PORT_ACPI_PM + ACPI_PM_LEN) {
		if (!hit)
			abort();
		pm_io(f, port - X86_PORT_ACPI_PM, saved, d, width, write,
		      before_pm);
		return;
	}
	if (port == 0x92 && width == 1) {
		if (!hit)
			abort();
		if (write) {
			f->m.p92 = saved[0] & ~1;
			if (stops_92 != before_92 + (saved[0] & 1))
				abort();
		} else if (d[0] != f->m.p92) {
			abort();
		}
		return;
	}
	if (stops_92 != before_92 || stops_pm != before_pm)
		abort();	/* from another port */

	/* debug-exit: 0xf4-0xf7, one device of 4 bytes. */
	if (port >= X86_PORT_DEBUG_EXIT && port + width <= 0xf8) {
		if (!hit)
			abort();
		if (write && port == X86_PORT_DEBUG_EXIT) {
			if (stops_debug != before_debug + 1 ||
			    last_status != saved[0])
				abort();
		} else if (stops_debug != before_debug) {
			abort();
		}
		if (!write)
			for (i = 0; i < width; i++)
				if (d[i] != 0xff)
					abort();
		return;
	}
	if (stops_debug != before_debug)
		abort();
	if (width != 1 || port == 0x72 || port == 0x61 || port == 0x92) {
		/* Wide accesses fit no other device; empty ports float. */
		if (port >= 0x70 && port + width <= 0x72) {
			/* The RTC splits a 2-byte access: index, then data. */
			if (!hit)
				abort();
			if (write) {
				f->r.index = saved[0] & 0x7f;
				rtc_model_write(&f->r, saved[1]);
			} else {
				if (d[0] != 0xff)
					abort();
				rtc_model_read(&f->r, d[1]);
			}
			return;
		}
		if (hit)
			abort();
		for (i = 0; !write && i < width; i++)
			if (d[i] != 0xff)
				abort();
		return;
	}
	switch (port) {
	case 0x70:
		if (write)
			f->r.index = saved[0] & 0x7f;
		else if (d[0] != 0xff)
			abort();
		break;
	case 0x71:
		if (write)
			rtc_model_write(&f->r, saved[0]);
		else
			rtc_model_read(&f->r, d[0]);
		break;
	case 0x64:
		if (write)
			reset = kbc_model_cmd(&f->k, saved[0]);
		else
			kbc_check_status(&f->k, d[0]);
		break;
	case 0x60:
		if (write) {
			reset = kbc_model_data(&f->k, saved[0]);
		} else if (f->k.n) {
			if (d[0] != f->k.q[f->k.head])
				abort();
			f->k.last = d[0];
			f->k.head = (f->k.head + 1) % I8042_QUEUE_SIZE;
			f->k.n--;
		} else if (d[0] != f->k.last) {
			abort();
		}
		break;
	}
	if (stops_i8042 != before_i8042 + (reset ? 1 : 0))
		abort();
	kbc_check_lines(f);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct fz f;
	unsigned int ops = 0;
	size_t i;

	log_set_level(LOG_ERROR);
	memset(&f, 0, sizeof(f));
	f.kbd.line.set_level = set_level;
	f.aux.line.set_level = set_level;
	bus_init(&f.bus, "pio");
	if (rtc_init(&f.rtc, &f.bus) ||
	    i8042_init(&f.kbc, &f.bus, &kbc_ops, &f.kbd.line, &f.aux.line) ||
	    debug_exit_init(&f.de, &f.bus, X86_PORT_DEBUG_EXIT, &de_ops) ||
	    acpi_pm_init(&f.pm, &f.bus, X86_PORT_ACPI_PM, &pm_ops) ||
	    ignored_ports_init(&f.ip, &f.bus, &ip_ops))
		abort();
	f.m.p92 = 0x02;		/* A20 on */
	/* As the devices start. */
	f.r.cmos[RTC_REG_A] = 0x26;
	f.r.cmos[RTC_REG_B] = RTC_B_24H;
	f.k.ctr = 0x45;
	f.k.outport = 0x03;
	stops_i8042 = stops_debug = stops_pm = stops_92 = 0;

	for (i = 0; i + 3 <= size && ops++ < MAX_OPS; i += 3) {
		u8 op = data[i], v = data[i + 2], d[4] = { v, v ^ 0x5a, v, v };
		u16 port = ports[data[i + 1] % 22];


		switch (op % 4) {
		case 0:
			port_io(&f, port, d, 1, true);
			break;
		case 1:
			d[0] = 0;
			port_io(&f, port, d, 1, false);
			break;
		case 2:
			port_io(&f, port, d, 1, true);
			d[0] = 0;
			port_io(&f, port, d, 1, false);
			break;
		default:
			port_io(&f, port, d, op & 4 ? 4 : 2, op & 8);
			break;
		}
	}
	ignored_ports_exit(&f.ip);
	acpi_pm_exit(&f.pm);
	debug_exit_exit(&f.de);
	i8042_exit(&f.kbc);
	rtc_exit(&f.rtc);
	bus_destroy(&f.bus);
	return 0;
}

#include "replay.h"
