// SPDX-License-Identifier: GPL-2.0
/*
 * Serial console on COM1 and a small printf: %d %i %u %x %X %c %s %p %%,
 * with the l, ll and z length modifiers, a field width and the '0' and
 * '-' flags. Bytes are written without polling the line status register:
 * QEMU's UART takes them at once, and lkvm keeps bytes written while its
 * transmitter is busy (up to 1 MiB ahead of a stalled reader).
 */
#include "guest.h"

#define COM1 0x3f8

static spinlock_t console_lock;

void console_putc(char c)
{
	outb((u8)c, COM1);
}

void console_write(const char *s, size_t len)
{
	while (len--)
		console_putc(*s++);
}

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

static void out_str(struct out *o, const char *s, int width, bool left)
{
	int n = (int)strlen(s);

	if (!left)
		out_pad(o, ' ', width - n);
	while (*s)
		out_char(o, *s++);
	if (left)
		out_pad(o, ' ', width - n);
}

static void out_num(struct out *o, u64 v, bool neg, unsigned int base,
		    bool upper, int width, bool zero, bool left)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, len;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	len = n + (neg ? 1 : 0);
	if (!left && !zero)
		out_pad(o, ' ', width - len);
	if (neg)
		out_char(o, '-');
	if (!left && zero)
		out_pad(o, '0', width - len);
	while (n)
		out_char(o, tmp[--n]);
	if (left)
		out_pad(o, ' ', width - len);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size, .len = 0 };

	for (; *fmt; fmt++) {
		bool zero = false, left = false, upper = false;
		int width = 0, lng = 0;
		u64 v;

		if (*fmt != '%') {
			out_char(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '0')
				zero = true;
			else if (*fmt == '-')
				left = true;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			long long s = lng ? va_arg(ap, long long) :
					    va_arg(ap, int);

			out_num(&o, s < 0 ? -(u64)s : (u64)s, s < 0, 10,
				false, width, zero, left);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
			v = lng ? va_arg(ap, unsigned long long) :
				  va_arg(ap, unsigned int);
			upper = *fmt == 'X';
			out_num(&o, v, false, *fmt == 'u' ? 10 : 16, upper,
				width, zero, left);
			break;
		case 'p':
			out_str(&o, "0x", 0, false);
			out_num(&o, (u64)va_arg(ap, void *), false, 16, false,
				width, zero, left);
			break;
		case 'c':
			out_char(&o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			out_str(&o, s ? s : "(null)", width, left);
			break;
		}
		case '%':
			out_char(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			out_char(&o, '%');
			out_char(&o, *fmt);
			break;
		}
	}
	if (o.size)
		o.buf[o.len < o.size ? o.len : o.size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	spin_lock(&console_lock);
	console_write(buf, strnlen(buf, sizeof(buf)));
	spin_unlock(&console_lock);
	return n;
}

int puts(const char *s)
{
	spin_lock(&console_lock);
	console_write(s, strlen(s));
	console_putc('\n');
	spin_unlock(&console_lock);
	return 0;
}

/* For the exception path: the CPU that faulted may hold the lock. */
void console_break_lock(void)
{
	spin_unlock(&console_lock);
}
