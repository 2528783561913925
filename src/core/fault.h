/* The allocation seam: the project's own allocations go through linli_malloc/linli_calloc so
 * that a test can make the Nth one fail (fault injection in the manner of SQLite's malloc tests).
 * In a normal run they are malloc and calloc. */
#ifndef LINLI_FAULT_H
#define LINLI_FAULT_H
#include <stddef.h>
#include <stdlib.h>

/* When nonzero, the countdown-th allocation from now fails (and every one after it if
 * fault_persistent); set by tests only. */
extern long fault_countdown;
extern int fault_persistent;

static inline int fault_hit(void)
{
    if (fault_countdown <= 0)
        return 0;
    if (fault_countdown == 1) {
        if (!fault_persistent)
            fault_countdown = 0;
        return 1;
    }
    fault_countdown--;
    return 0;
}
static inline void *linli_malloc(size_t n) { return fault_hit() ? NULL : malloc(n); }
static inline void *linli_calloc(size_t n, size_t m) { return fault_hit() ? NULL : calloc(n, m); }
#endif
