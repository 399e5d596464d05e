// wcwidth(3) with a UTF-8 LC_CTYPE of its own: Swift's Glibc module does not expose
// wcwidth, and the CLI should not change the process's locale to ask.
#define _GNU_SOURCE
#include <locale.h>
#include <pthread.h>
#include <wchar.h>
#include "terminal_shims.h"

static locale_t utf8_locale;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void make_locale(void) {
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

int aggregator_column_width(uint32_t code_point) {
    pthread_once(&once, make_locale);
    if (utf8_locale == (locale_t)0) return 1;
    locale_t previous = uselocale(utf8_locale);
    int width = wcwidth((wchar_t)code_point);
    uselocale(previous);
    return width;
}
