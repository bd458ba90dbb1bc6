// SPDX-License-Identifier: GPL-2.0
/*
 * Signals: SIGTERM, SIGINT and SIGHUP stop the VM through the one stop
 * path (read from a signalfd on the I/O thread); a crash puts the
 * terminal back (its screen, then its settings) before the process dies. The stop signals are blocked
 * from the start of lkvm run (signals_block_stop()), so one that comes
 * while the VM is being set up waits for the signalfd instead of killing
 * lkvm half-way (no status line) or, in a jail, being lost.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "log.h"
#include "signals.h"
#include "vm.h"

/* The one global: a fatal-signal handler has no other way to the term. */
static struct term *fatal_term;

static void fatal_signal(int sig)
{
	if (fatal_term) {
		/* What the guest's output left the terminal in, then termios. */
		if (fatal_term->out_ready)
			term_out_repair_now(&fatal_term->out);
		term_restore(fatal_term);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void stop_signal_ready(struct io_handler *h, u32 events)
{
	struct vm *vm = h->opaque;
	struct signalfd_siginfo si;

	(void)events;
	while (read(h->fd, &si, sizeof(si)) == sizeof(si)) {
		pr_info("signal %u: stopping", si.ssi_signo);
		vm_request_stop(vm, 128 + si.ssi_signo);
	}
}

void signals_stop_set(sigset_t *set)
{
	static const int stop[] = { SIGTERM, SIGINT, SIGHUP };
	struct sigaction old;
	unsigned int i;

	sigemptyset(set);
	for (i = 0; i < ARRAY_SIZE(stop); i++) {
		/*
		 * One lkvm was started with ignoring stays ignored: nohup's
		 * SIGHUP, the SIGINT a shell script's background job gets.
		 * (A signalfd would read a blocked, ignored signal.)
		 */
		if (!sigaction(stop[i], NULL, &old) &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaddset(set, stop[i]);
	}
}

int signals_block_stop(void)
{
	sigset_t stop;

	signals_stop_set(&stop);
	return -pthread_sigmask(SIG_BLOCK, &stop, NULL);
}

int signals_init(struct vm *vm, struct io_handler *h)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	struct sigaction sa = { .sa_handler = fatal_signal };
	sigset_t stop;
	unsigned int i;
	int fd, err;

	fatal_term = &vm->term;
	/* A closed stdout must not kill lkvm: the UART drops output instead. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return -errno;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	for (i = 0; i < ARRAY_SIZE(fatal); i++)
		if (sigaction(fatal[i], &sa, NULL))
			return -errno;

	/*
	 * Blocked since lkvm run started (again here for other callers),
	 * before any thread exists, so every thread has them blocked.
	 */
	err = signals_block_stop();
	if (err)
		return err;
	signals_stop_set(&stop);
	fd = signalfd(-1, &stop, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	h->fd = fd;
	h->fn = stop_signal_ready;
	h->opaque = vm;
	err = io_loop_add(&vm->io, h, EPOLLIN);
	if (err)
		close(fd);
	return err;
}

void signals_exit(struct io_handler *h)
{
	fatal_term = NULL;
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
}
