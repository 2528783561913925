/* Re-keying (see rekey.h): a pass over each sealed column, a page of rows at a time in key order,
 * each page in its own arena, all inside the caller's transaction. */
#include "core/rekey.h"
#include <stdio.h>
#include <string.h>

static const char *const start[2] = {"-1", "-1"};

/* BOX or MAC column c: re-seals (next) or checks (next NULL) every value. *done counts values
 * re-sealed or checked, *altered MAC signatures left as they were. 0 or -1 (err set). */
static int column_pass(store *s, const struct sealed_column *c, const struct crypto_keys *old, const struct crypto_keys *next,
                       long *done, long *altered, char *err, size_t errlen)
{
    char k1[32], k2[32];
    snprintf(k1, sizeof k1, "%s", start[0]);
    snprintf(k2, sizeof k2, "%s", start[1]);
    for (;;) {
        arena *a = arena_new();
        if (!a) {
            snprintf(err, errlen, "%s: out of memory", c->name);
            return -1;
        }
        store_rows *rows = NULL;
        store_rc rc = store_exec(s, a, c->page, 2, (const char *[]){k1, k2}, &rows);
        for (int i = 0; rc == STORE_OK && i < rows->nrows; i++) {
            const char *key1 = store_cell(rows, i, 0), *key2 = store_cell(rows, i, 1), *value = store_cell(rows, i, 2);
            const char *p[4] = {key1, key2, NULL, NULL};
            if (c->kind == SEALED_BOX) {
                const char *plain = crypto_open(a, old, value);
                if (!plain) {
                    snprintf(err, errlen, "%s of row (%s, %s) does not open with the current key", c->name, key1, key2);
                    arena_free(a);
                    return -1;
                }
                if (next) {
                    p[2] = crypto_seal(a, next, plain);
                    p[3] = c->look_up ? crypto_lookup_hash(a, next, plain) : NULL;
                }
            } else {
                const char *text = store_cell(rows, i, 3);
                const char *mac = text ? crypto_mac_hex(a, old, text) : NULL;
                if (!value || !mac || !crypto_str_equal(mac, value)) {
                    (*altered)++;
                    continue;
                }
                if (next)
                    p[2] = crypto_mac_hex(a, next, text);
            }
            if (next && (!p[2] || (c->look_up && !p[3]))) {
                snprintf(err, errlen, "%s: out of memory", c->name);
                arena_free(a);
                return -1;
            }
            if (next)
                rc = store_exec(s, a, c->update, c->kind == SEALED_BOX && c->look_up ? 4 : 3, p, NULL);
            (*done)++;
        }
        if (rc != STORE_OK) {
            snprintf(err, errlen, "%s: %s", c->name, store_errmsg(s));
            arena_free(a);
            return -1;
        }
        int n = rows->nrows;
        if (n > 0) {
            snprintf(k1, sizeof k1, "%s", store_cell(rows, n - 1, 0));
            snprintf(k2, sizeof k2, "%s", store_cell(rows, n - 1, 1));
        }
        arena_free(a);
        if (n < REKEY_PAGE)
            return 0;
    }
}

/* The rows of ONE_WAY column c that still matter; -1 (err set) if the store fails. */
static long one_way_count(store *s, const struct sealed_column *c, char *err, size_t errlen)
{
    arena *a = arena_new();
    int64_t n = 0;
    int found = 0;
    store_rc rc = a ? store_query_i64(s, a, c->page, 0, NULL, &n, &found) : STORE_ERROR;
    if (rc != STORE_OK)
        snprintf(err, errlen, "%s: %s", c->name, a ? store_errmsg(s) : "out of memory");
    arena_free(a);
    return rc == STORE_OK ? (long)n : -1;
}

int rekey_run(store *s, const struct crypto_keys *old, const struct crypto_keys *next, int void_one_way, json_t *counts,
              char *err, size_t errlen)
{
    json_t *altered = json_object(), *voided = json_object();
    int rc = altered && voided ? 0 : -1;
    if (rc)
        snprintf(err, errlen, "out of memory");
    /* What cannot be re-keyed is looked at first, before anything is written. */
    for (int i = 0; rc == 0 && i < sealed_column_count; i++) {
        const struct sealed_column *c = &sealed_columns[i];
        if (c->kind != SEALED_ONE_WAY)
            continue;
        long n = one_way_count(s, c, err, errlen);
        if (n < 0)
            rc = -1;
        else if (n > 0 && next && !void_one_way) {
            snprintf(err, errlen, "%ld values of %s cannot be re-keyed (only their keyed hash is kept)", n, c->name);
            rc = -2;
        } else if (n > 0) {
            if (next) {
                arena *a = arena_new();
                store_rc src = a ? store_exec(s, a, c->update, 0, NULL, NULL) : STORE_ERROR;
                if (src != STORE_OK) {
                    snprintf(err, errlen, "%s: %s", c->name, a ? store_errmsg(s) : "out of memory");
                    rc = -1;
                }
                arena_free(a);
            }
            json_object_set_new(voided, c->name, json_integer(n));
        }
    }
    for (int i = 0; rc == 0 && i < sealed_column_count; i++) {
        const struct sealed_column *c = &sealed_columns[i];
        if (c->kind == SEALED_ONE_WAY)
            continue;
        long done = 0, left = 0;
        rc = column_pass(s, c, old, next, &done, &left, err, errlen);
        json_object_set_new(counts, c->name, json_integer(done));
        if (left)
            json_object_set_new(altered, c->name, json_integer(left));
    }
    if (rc == 0 && json_object_size(altered))
        json_object_set(counts, "altered", altered);
    if (rc == 0 && json_object_size(voided))
        json_object_set(counts, next ? "voided" : "one_way", voided);
    json_decref(altered);
    json_decref(voided);
    return rc;
}

rekey_probe_rc rekey_probe(store *s, const struct crypto_keys *k, char *err, size_t errlen)
{
    int seen = 0;
    for (int i = 0; i < sealed_column_count; i++) {
        const struct sealed_column *c = &sealed_columns[i];
        if (c->kind != SEALED_BOX)
            continue;
        arena *a = arena_new();
        store_rows *rows = NULL;
        store_rc rc = a ? store_exec(s, a, c->page, 2, start, &rows) : STORE_ERROR;
        if (rc != STORE_OK) {
            snprintf(err, errlen, "cannot read %s: %s", c->name, a ? store_errmsg(s) : "out of memory");
            arena_free(a);
            return REKEY_PROBE_ERROR;
        }
        for (int j = 0; j < rows->nrows; j++) {
            seen = 1;
            if (crypto_open(a, k, store_cell(rows, j, 2))) {
                arena_free(a);
                return REKEY_PROBE_OPENS;
            }
        }
        arena_free(a);
    }
    return seen ? REKEY_PROBE_OTHER_KEY : REKEY_PROBE_EMPTY;
}
