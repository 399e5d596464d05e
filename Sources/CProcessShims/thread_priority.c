// Why this file exists: Swift's libdispatch on Linux imitates Apple's quality-of-service
// classes by renicing every worker thread it starts, from a table (background 10,
// utility 2, default 0, user-initiated -2, user-interactive -4; its timer thread asks
// for -4). A service without CAP_SYS_NICE may not go below nice 0 (EACCES), and the
// shipped unit's SystemCallFilter=~@resources refuses setpriority outright (EPERM); each
// refusal was written to syslog as "Failed to set thread priority for worker thread",
// so a healthy aggregatord filled its journal with them at start, during polls and at
// stop (worker threads come and go). Granting CAP_SYS_NICE or RLIMIT_NICE would let a
// background collector run above ordinary processes, and LIBDISPATCH_LOG=NO would also
// hide libdispatch's real failures. So both binaries answer libdispatch's request
// themselves: a thread's own nice value (PRIO_PROCESS, who 0 — how libdispatch asks)
// is left as the process was started, which is the unit's Nice= or the shell's. Every
// other use of setpriority reaches the kernel unchanged.
//
// The definition takes precedence over libc's: for the static release binaries the
// linker resolves libdispatch.a's reference to it; for debug builds the dynamic linker
// finds the executable's exported symbol before libc's.
#define _GNU_SOURCE
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "process_shims.h"

int setpriority(__priority_which_t which, id_t who, int prio) {
    if (which == PRIO_PROCESS && who == 0) return 0;
    return (int)syscall(SYS_setpriority, which, who, prio);
}

int aggregator_thread_priorities_fixed(void) { return 1; }
