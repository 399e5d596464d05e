// glibc's malloc tuning, for ProcessMemory.swift: Swift's Glibc module does not import
// <malloc.h>.
#include <malloc.h>
#include <stdlib.h>
#include "process_shims.h"

// Two arenas from the very start, before any thread allocates: glibc's default (eight per
// core) kept 174 MB of heap for 29 MB in use in a daemon polling 2,000 feeds, because
// memory freed in one thread's arena serves only the threads using that arena.
// MALLOC_ARENA_MAX in the environment still wins.
__attribute__((constructor)) static void aggregator_default_heap_arenas(void) {
    if (getenv("MALLOC_ARENA_MAX") == NULL) mallopt(M_ARENA_MAX, 2);
}

void aggregator_limit_heap_arenas(int count) {
    if (getenv("MALLOC_ARENA_MAX") == NULL) mallopt(M_ARENA_MAX, count);
}

void aggregator_release_freed_heap(void) {
    malloc_trim(0);
}
