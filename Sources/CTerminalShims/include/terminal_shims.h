#ifndef TERMINAL_SHIMS_H
#define TERMINAL_SHIMS_H
#include <stdint.h>

/// Terminal columns a code point takes (wcwidth(3) in a UTF-8 locale, whatever the
/// process's own locale): 2 for wide (CJK, most emoji), 0 for combining marks, -1 for
/// control characters.
int aggregator_column_width(uint32_t code_point);

#endif
