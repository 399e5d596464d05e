#ifndef AGGREGATOR_PROCESS_SHIMS_H
#define AGGREGATOR_PROCESS_SHIMS_H

/// 1: this process leaves its threads at the priority it was started with (see
/// thread_priority.c). Called once at start so the definition is certainly linked in.
int aggregator_thread_priorities_fixed(void);

/// Catches the `count` signals in `numbers` with a handler that writes each signal's
/// number, as one byte, into a pipe (see signal_pipe.c); returns the pipe's read end,
/// or -1 with errno set. Call once, as early as possible.
int aggregator_signal_pipe(const int *numbers, int count);

/// Starts the program at `path` (see spawn_hook.c): `argv` and `envp` NULL-terminated,
/// `stdin_fd` as its standard input, `output_fd` as its standard output and error, in a
/// process group of its own. 0 and the child's pid in `pid`, or an errno value.
int aggregator_spawn_hook(const char *path, char *const argv[], char *const envp[],
                          int stdin_fd, int output_fd, int *pid);

/// glibc's malloc.h, which Swift's Glibc module leaves out (see heap.c): at most `count`
/// arenas; memory freed inside the heap returned to the system.
void aggregator_limit_heap_arenas(int count);
void aggregator_release_freed_heap(void);

#endif
