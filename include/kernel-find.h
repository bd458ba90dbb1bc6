/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `lkvm run` without a kernel looks for one where kvmtool does: a kernel
 * tree's image in the current directory, then the running kernel's in
 * /boot (vmm/kernel-find.c).
 */
#ifndef LKVM_KERNEL_FIND_H
#define LKVM_KERNEL_FIND_H

#include <stddef.h>

/*
 * The first readable regular file of: ./bzImage, arch/x86/boot/bzImage
 * (x86; ./Image and arch/arm64/boot/Image on arm64), then
 * /boot/vmlinuz-RELEASE with RELEASE uname(2)'s. Returns a malloc()ed
 * path, or NULL with the places looked at ("a, b or c") in looked.
 */
char *kernel_find(const char *release, char *looked, size_t looked_len);

#endif
