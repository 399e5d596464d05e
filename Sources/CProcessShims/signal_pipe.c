// Signals as bytes in a pipe (the self-pipe trick), for aggregatord's SIGTERM, SIGINT and
// SIGHUP. Why not libdispatch's signal sources or sigwait(2): on Linux, libdispatch's
// dispatch_main() leaves the main thread in sigsuspend(2) with every signal unblocked,
// so a signal can always land on that thread. A signal source registers asynchronously
// after the program set SIG_IGN, and a SIGTERM arriving in between was discarded: the
// daemon then ignored `systemctl stop` until killed (seen under load, right after
// start). With sigwait, the main thread's empty mask let SIGHUP take its default action
// and end the process. A handler installed with sigaction(2) catches the signal on
// whichever thread it lands, and the pipe keeps it until a thread reads it — also when
// it arrived before the daemon was ready to act on it.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "process_shims.h"

static int signal_pipe[2] = {-1, -1};

static void on_signal(int number) {
    int saved = errno;  // a handler must leave errno as it found it
    unsigned char byte = (unsigned char)number;
    ssize_t ignored = write(signal_pipe[1], &byte, 1);  // async-signal-safe; a full pipe drops repeats
    (void)ignored;
    errno = saved;
}

int aggregator_signal_pipe(const int *numbers, int count) {
    if (signal_pipe[0] < 0) {
        if (pipe2(signal_pipe, O_CLOEXEC) != 0) return -1;
        // Never block in a handler: with the pipe full, a further signal is dropped.
        if (fcntl(signal_pipe[1], F_SETFL, O_NONBLOCK) != 0) return -1;
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (int i = 0; i < count; i++) {
        if (sigaction(numbers[i], &action, NULL) != 0) return -1;
    }
    return signal_pipe[0];
}
