#ifndef AGGREGATOR_THREAD_PRIORITY_H
#define AGGREGATOR_THREAD_PRIORITY_H

/// 1: this process leaves its threads at the priority it was started with (see
/// thread_priority.c). Called once at start so the definition is certainly linked in.
int aggregator_thread_priorities_fixed(void);

#endif
