/* What the libFuzzer targets share. */
#ifndef LINLI_FUZZ_H
#define LINLI_FUZZ_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The fuzzer's bytes as a NUL-terminated string (malloc'd; NULL if memory runs out). A NUL inside
 * the input ends the string early, as it would for the C code under test. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s) {
        memcpy(s, data, size);
        s[size] = 0;
    }
    return s;
}
#endif
