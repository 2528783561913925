/* The request arena (see arena.h): a chain of blocks, bump allocation, one release point. */
#include "core/arena.h"
#include "core/fault.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct block {
    struct block *next;
    size_t used, size;
    max_align_t data[];
};

struct arena {
    struct block *head;
    jmp_buf *oom; /* where to go when a block cannot be had, if set */
};

arena *arena_new(void)
{
    return linli_calloc(1, sizeof(arena));
}

void arena_on_oom(arena *a, jmp_buf *to)
{
    a->oom = to;
}

void *arena_fail(arena *a)
{
    jmp_buf *to = a->oom;
    a->oom = NULL; /* once: the recovery itself must not jump again */
    if (to)
        longjmp(*to, 1);
    return NULL;
}

void arena_free(arena *a)
{
    if (!a)
        return;
    struct block *b = a->head;
    while (b) {
        struct block *n = b->next;
        free(b);
        b = n;
    }
    free(a);
}

void *arena_alloc(arena *a, size_t size)
{
    const size_t align = sizeof(max_align_t);
    size = (size + align - 1) & ~(align - 1);
    struct block *b = a->head;
    if (!b || b->size - b->used < size) {
        size_t want = b ? b->size * 2 : 4096;
        if (want > 1u << 20)
            want = 1u << 20;
        if (want < size)
            want = size;
        struct block *nb = linli_malloc(sizeof(struct block) + want);
        if (!nb)
            return arena_fail(a);
        nb->used = 0;
        nb->size = want;
        nb->next = a->head;
        a->head = nb;
        b = nb;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *p = arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *arena_strdup(arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = n >= 0 ? arena_alloc(a, (size_t)n + 1) : NULL;
    if (p)
        vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

char *arena_i64(arena *a, int64_t v)
{
    return arena_printf(a, "%lld", (long long)v);
}
