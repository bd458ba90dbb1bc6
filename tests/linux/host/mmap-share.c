// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-share FILE: run inside `lkvm sandbox` on a file of the host's
 * current directory (a 9p share). Maps FILE shared, checks that the first
 * page shows what the host wrote there, writes a marker into the second
 * page through the mapping, msyncs it, and reads the marker back with
 * pread() (through the file, not the mapping). The host checks the
 * marker in the file after lkvm exits.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096
#define HOST_MARK "written by the host"
#define GUEST_MARK "written through a shared mapping"

int main(int argc, char **argv)
{
	char back[sizeof(GUEST_MARK)];
	char *map;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: mmap-share FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		perror("open");
		return 1;
	}
	map = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	if (memcmp(map, HOST_MARK, strlen(HOST_MARK))) {
		fprintf(stderr, "mmap-share: the mapping does not show the host's data\n");
		return 1;
	}
	memcpy(map + PAGE, GUEST_MARK, sizeof(GUEST_MARK));
	if (msync(map, 2 * PAGE, MS_SYNC)) {
		perror("msync");
		return 1;
	}
	if (munmap(map, 2 * PAGE)) {
		perror("munmap");
		return 1;
	}
	if (pread(fd, back, sizeof(back), PAGE) != (ssize_t)sizeof(back) ||
	    memcmp(back, GUEST_MARK, sizeof(back))) {
		fprintf(stderr, "mmap-share: pread does not see the mapping's write\n");
		return 1;
	}
	if (close(fd)) {
		perror("close");
		return 1;
	}
	printf("mmap-share: ok\n");
	return 0;
}
