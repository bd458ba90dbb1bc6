// SPDX-License-Identifier: GPL-2.0
/* Where `lkvm run` looks for a kernel when given none; see kernel-find.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel-find.h"
#include "types.h"

#if defined(__aarch64__)
static const char *const tree_images[] = { "Image", "arch/arm64/boot/Image" };
#elif defined(__s390x__)
static const char *const tree_images[] = { "image", "arch/s390/boot/image" };
#else
static const char *const tree_images[] = {
	"bzImage", "arch/x86/boot/bzImage"
};
#endif

static int usable(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, R_OK);
}

char *kernel_find(const char *release, char *looked, size_t looked_len)
{
	char boot[300];
	size_t i, n = ARRAY_SIZE(tree_images);

	for (i = 0; i < n; i++)
		if (usable(tree_images[i]))
			return strdup(tree_images[i]);
	snprintf(boot, sizeof(boot), "/boot/vmlinuz-%s", release);
	if (usable(boot))
		return strdup(boot);
	snprintf(looked, looked_len, "./%s, ./%s or %s", tree_images[0],
		 tree_images[1], boot);
	return NULL;
}
