/* The hash-chained audit log (see audit.h). The hash input is each field as length-prefixed
 * bytes, so no choice of field values can make two different rows hash alike. */
#include "core/audit.h"
#include "core/fault.h"
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char genesis[] = "0000000000000000000000000000000000000000000000000000000000000000";

static const char sql_head_lock[] =
    "INSERT INTO audit_heads (community_id, seq, hash) VALUES ($1, 0, $2) "
    "ON CONFLICT (community_id) DO UPDATE SET seq = audit_heads.seq RETURNING seq, hash";
static const char sql_head_set[] = "UPDATE audit_heads SET seq = $2, hash = $3 WHERE community_id = $1";
static const char sql_insert[] =
    "INSERT INTO audit_log (community_id, seq, at, actor_id, actor, action, entity, entity_id, "
    "before_json, after_json, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
static const char sql_heads[] = "SELECT community_id, seq, hash FROM audit_heads ORDER BY community_id";
static const char sql_rows[] =
    "SELECT community_id, seq, at, actor_id, actor, action, entity, entity_id, before_json, after_json, "
    "prev_hash, hash FROM audit_log WHERE community_id = $1 AND seq > $2 ORDER BY seq LIMIT 5000";

/* fields[0..9] are community_id, seq, at, actor_id, actor, action, entity, entity_id, before,
 * after; prev is the previous hash. */
static void row_hash(const char *const *fields, const char *prev, char out[65])
{
    crypto_generichash_state st;
    unsigned char h[32];
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    for (int i = 0; i < 11; i++) {
        const char *f = i < 10 ? fields[i] : prev;
        uint64_t n = f ? strlen(f) + 1 : 0; /* NULL and "" differ */
        unsigned char len[8];
        for (int b = 0; b < 8; b++)
            len[b] = (unsigned char)(n >> (8 * b));
        crypto_generichash_update(&st, len, sizeof len);
        if (f)
            crypto_generichash_update(&st, (const unsigned char *)f, n - 1);
    }
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(out, 65, h, sizeof h);
}

store_rc audit_append(store *s, arena *a, int64_t community_id, int64_t actor_id, const char *actor,
                      const char *action, const char *entity, const char *entity_id,
                      const json_t *before, const json_t *after)
{
    store_rows *head = NULL;
    const char *p[12];
    p[0] = arena_i64(a, community_id);
    p[1] = genesis;
    /* Taking the head row locks the chain of this community until the transaction ends. */
    store_rc rc = store_exec(s, a, sql_head_lock, 2, p, &head);
    if (rc != STORE_OK)
        return rc;
    int64_t seq = store_cell_i64(head, 0, 0) + 1;
    const char *prev = arena_strdup(a, store_cell(head, 0, 1));
    const char *b = before ? json_text(a, before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    const char *af = after ? json_text(a, after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if ((before && !b) || (after && !af))
        return STORE_ERROR; /* out of memory: no row rather than a row that says less */
    p[1] = arena_i64(a, seq);
    p[2] = arena_i64(a, (int64_t)time(NULL));
    p[3] = actor_id ? arena_i64(a, actor_id) : NULL;
    p[4] = actor ? actor : "system";
    p[5] = action;
    p[6] = entity;
    p[7] = entity_id;
    p[8] = b;
    p[9] = af;
    char hash[65];
    row_hash(p, prev, hash);
    p[10] = prev;
    p[11] = arena_strdup(a, hash);
    rc = store_exec(s, a, sql_insert, 12, p, NULL);
    if (rc == STORE_OK) {
        const char *q[3] = {p[0], p[1], p[11]};
        rc = store_exec(s, a, sql_head_set, 3, q, NULL);
    }
    return rc;
}

int audit_verify(store *s, long *rows, char *bad, size_t badlen)
{
    arena *a = arena_new();
    store_rows *heads = NULL;
    *rows = 0;
    if (!a || store_exec(s, a, sql_heads, 0, NULL, &heads) != STORE_OK) {
        snprintf(bad, badlen, "cannot read the audit log: %s", store_errmsg(s));
        arena_free(a);
        return -1;
    }
    int result = 0;
    for (int h = 0; h < heads->nrows && result == 0; h++) {
        const char *cid = store_cell(heads, h, 0);
        int64_t head_seq = store_cell_i64(heads, h, 1);
        char prev[65];
        snprintf(prev, sizeof prev, "%s", genesis);
        int64_t expect = 1;
        for (;;) {
            arena *ra = arena_new();
            store_rows *rs = NULL;
            const char *p[2] = {cid, arena_i64(ra, expect - 1)};
            if (store_exec(s, ra, sql_rows, 2, p, &rs) != STORE_OK) {
                snprintf(bad, badlen, "cannot read the audit log: %s", store_errmsg(s));
                arena_free(ra);
                result = -1;
                break;
            }
            for (int i = 0; i < rs->nrows && result == 0; i++) {
                const char *f[10];
                for (int j = 0; j < 10; j++)
                    f[j] = store_cell(rs, i, j);
                int64_t seq = store_cell_i64(rs, i, 1);
                char hash[65];
                row_hash(f, prev, hash);
                (*rows)++;
                if (seq != expect) {
                    snprintf(bad, badlen, "community %s, seq %lld: missing (the next row is seq %lld)", cid, (long long)expect, (long long)seq);
                    result = -1;
                } else if (strcmp(store_cell(rs, i, 10), prev) != 0) {
                    snprintf(bad, badlen, "community %s, seq %lld: does not follow the row before it", cid, (long long)seq);
                    result = -1;
                } else if (strcmp(store_cell(rs, i, 11), hash) != 0) {
                    snprintf(bad, badlen, "community %s, seq %lld: hash does not match its contents (the row was edited)", cid, (long long)seq);
                    result = -1;
                }
                snprintf(prev, sizeof prev, "%s", hash);
                expect++;
            }
            int n = rs->nrows;
            arena_free(ra);
            if (result || n < 5000)
                break;
        }
        if (result == 0 && expect - 1 != head_seq) {
            snprintf(bad, badlen, "community %s, seq %lld: missing (the chain ends at seq %lld)", cid,
                     (long long)(expect - 1 < head_seq ? expect : head_seq), (long long)(expect - 1));
            result = -1;
        } else if (result == 0 && strcmp(prev, store_cell(heads, h, 2)) != 0 && head_seq > 0) {
            snprintf(bad, badlen, "community %s, seq %lld: the last row differs from the recorded head", cid, (long long)head_seq);
            result = -1;
        }
    }
    arena_free(a);
    return result;
}
