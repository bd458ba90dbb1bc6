// SPDX-License-Identifier: GPL-2.0
/*
 * A small slab allocator over one mmap()ed arena, so that everything the
 * kernel's driver code allocates lies in a range lkvm can register as
 * guest RAM. Pages are handed to one size class each (16 B ... 2 KiB
 * objects per page, or power-of-two runs of whole pages); objects of class
 * size s are s-aligned (runs: page-aligned), which is what kmalloc and
 * alloc_pages_exact promise, and zeroed. One lock: the driver thread is the only user,
 * the device thread never allocates here.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "peer.h"

#define PAGE 4096UL
#define NCLASS 32		/* class c: 16 << c bytes */
#define CLASS_NONE 0xff

static struct {
	unsigned char *base;
	size_t size, bump;
	unsigned char *page_class;
	void *freelist[NCLASS];
	pthread_mutex_t lock;
} A = { .lock = PTHREAD_MUTEX_INITIALIZER };

int peer_arena_init(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return -errno;
	A.base = p;
	A.size = size;
	A.bump = 0;
	/* Class table in the arena's own first pages. */
	A.page_class = A.base;
	memset(A.page_class, CLASS_NONE, size / PAGE);
	A.bump = (size / PAGE + PAGE - 1) & ~(PAGE - 1);
	return 0;
}

void *peer_arena_base(void)
{
	return A.base;
}

size_t peer_arena_size(void)
{
	return A.size;
}

static unsigned int size_class(size_t size)
{
	unsigned int c = 0;

	while (((size_t)16 << c) < size)
		c++;
	return c;
}

static void *arena_alloc(size_t size)
{
	unsigned int c;
	size_t csize, run;
	void *p;

	if (!size)
		size = 1;
	if (size > A.size / 2)
		return NULL;
	c = size_class(size);
	csize = (size_t)16 << c;
	pthread_mutex_lock(&A.lock);
	if (!A.freelist[c]) {
		run = csize < PAGE ? PAGE : csize;
		if (A.bump + run > A.size) {
			pthread_mutex_unlock(&A.lock);
			return NULL;
		}
		p = A.base + A.bump;
		A.page_class[A.bump / PAGE] = c;
		A.bump += run;
		if (csize < PAGE) {
			size_t off;

			for (off = 0; off < PAGE; off += csize) {
				*(void **)((char *)p + off) = A.freelist[c];
				A.freelist[c] = (char *)p + off;
			}
		} else {
			A.freelist[c] = p;
			*(void **)p = NULL;
		}
	}
	p = A.freelist[c];
	A.freelist[c] = *(void **)p;
	pthread_mutex_unlock(&A.lock);
	/*
	 * Always zeroed: the kernel allocates rings with __GFP_ZERO, which
	 * the tools/virtio kmalloc shim ignores (glibc's fresh pages hide it).
	 */
	memset(p, 0, size);
	return p;
}

static size_t arena_usable(void *p)
{
	size_t off = (unsigned char *)p - A.base;

	return (size_t)16 << A.page_class[off / PAGE];
}

void *peer_malloc(size_t size)
{
	return arena_alloc(size);
}

void *peer_calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > (size_t)-1 / size)
		return NULL;
	p = arena_alloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void peer_free(void *p)
{
	size_t off;
	unsigned int c;

	if (!p)
		return;
	off = (unsigned char *)p - A.base;
	if (off >= A.size)
		abort();	/* not ours: a bug in the test */
	pthread_mutex_lock(&A.lock);
	c = A.page_class[off / PAGE];
	*(void **)p = A.freelist[c];
	A.freelist[c] = p;
	pthread_mutex_unlock(&A.lock);
}

void *peer_realloc(void *p, size_t size)
{
	void *n;
	size_t old;

	if (!p)
		return arena_alloc(size);
	old = arena_usable(p);
	if (size <= old)
		return p;
	n = arena_alloc(size);
	if (!n)
		return NULL;
	memcpy(n, p, old);
	peer_free(p);
	return n;
}

int peer_posix_memalign(void **p, size_t align, size_t size)
{
	if (!align || (align & (align - 1)) || align > PAGE)
		return EINVAL;
	*p = arena_alloc(size < align ? align : size);
	return *p ? 0 : ENOMEM;
}
