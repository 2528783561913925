/* Fault injection (see fault.h): the countdowns, jansson's counted allocator, the spec parser. */
#include "core/fault.h"
#include <jansson.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

_Thread_local struct fault fault_alloc, fault_io;
int fault_enabled;

_Thread_local int json_alloc_failed;
static _Thread_local jmp_buf *parse_escape; /* set while json_parse runs the parser */

static void *json_counted_malloc(size_t n)
{
    void *p = linli_malloc(n);
    if (!p) {
        json_alloc_failed = 1;
        if (parse_escape) {
            jmp_buf *to = parse_escape;
            parse_escape = NULL;
            longjmp(*to, 1);
        }
    }
    return p;
}

json_t *json_parse(const char *text, size_t len, size_t flags, json_error_t *err)
{
    jmp_buf escape;
    if (setjmp(escape)) {
        if (err) {
            memset(err, 0, sizeof *err);
            snprintf(err->text, sizeof err->text, "out of memory");
            err->text[JSON_ERROR_TEXT_LENGTH - 1] = (char)json_error_out_of_memory;
        }
        return NULL;
    }
    parse_escape = &escape;
    json_t *v = json_loadb(text, len, flags, err);
    parse_escape = NULL;
    return v;
}

json_t *json_parse_str(const char *text, json_error_t *err)
{
    return text ? json_parse(text, strlen(text), 0, err) : NULL;
}

char *json_text(arena *a, const json_t *j, size_t flags)
{
    char *t = json_dumps(j, flags);
    char *out = t && !json_alloc_failed ? arena_strdup(a, t) : NULL;
    free(t);
    return out ? out : arena_fail(a);
}

void json_alloc_install(void)
{
    json_set_alloc_funcs(json_counted_malloc, free);
}

int fault_install(void)
{
    if (fault_enabled)
        return 0;
    json_alloc_install();
    if (fault_install_sqlite() != 0)
        return -1;
    fault_enabled = 1;
    return 0;
}

int fault_parse(const char *spec, struct fault *alloc, struct fault *io)
{
    char kind[8];
    long n = 0;
    int used = 0;
    if (!spec || sscanf(spec, "%7[a-z]=%ld%n", kind, &n, &used) != 2 || n < 1)
        return -1;
    struct fault *f = strcmp(kind, "alloc") == 0 ? alloc : strcmp(kind, "io") == 0 ? io : NULL;
    if (!f)
        return -1;
    const char *rest = spec + used;
    if (*rest && strcmp(rest, ",persistent") != 0)
        return -1;
    f->countdown = n;
    f->persistent = *rest != 0;
    f->seen = 0;
    return 0;
}
