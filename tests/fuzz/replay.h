/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Replay a fuzz target's inputs without libFuzzer: built with
 * -DFUZZ_STANDALONE, a target that includes this after its
 * LLVMFuzzerTestOneInput() becomes "TARGET FILE...", running each file
 * once (under gdb or valgrind, say). FUZZ_REPLAY_MAX bounds an input;
 * a target may define FUZZ_REPLAY_BEFORE() and FUZZ_REPLAY_AFTER(path) to
 * reset and print what it counts around each input.
 */
#ifndef LKVM_FUZZ_REPLAY_H
#define LKVM_FUZZ_REPLAY_H

#ifdef FUZZ_STANDALONE
#include <stdio.h>
#include <stdlib.h>

#ifndef FUZZ_REPLAY_MAX
#define FUZZ_REPLAY_MAX (1 << 20)
#endif
#ifndef FUZZ_REPLAY_BEFORE
#define FUZZ_REPLAY_BEFORE() do { } while (0)
#endif
#ifndef FUZZ_REPLAY_AFTER
#define FUZZ_REPLAY_AFTER(path) do { } while (0)
#endif

int main(int argc, char **argv)
{
	static unsigned char buf[FUZZ_REPLAY_MAX];
	int i;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		size_t n;

		if (!f) {
			perror(argv[i]);
			return 1;
		}
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		FUZZ_REPLAY_BEFORE();
		LLVMFuzzerTestOneInput(buf, n);
		FUZZ_REPLAY_AFTER(argv[i]);
	}
	return 0;
}
#endif

#endif
