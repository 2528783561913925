/* Idempotency-Key for R_IDEMPOTENT routes (idem.h). The answers live in the table idempotency
 * (community_id, idem_key): route (the path), status, body, and request_hash, a BLAKE2b-256 of the
 * account, method, path and body, which tells a retry from another request under the same key. */
#include "server/idem.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "server/reply.h"
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Takes the key: a row with status 0 until the answer is known. Inside the request's transaction,
 * so a second try with the key waits here until the first ends (PostgreSQL), and the row never
 * outlives a rollback. */
static const char sql_take[] =
    "INSERT INTO idempotency (community_id, idem_key, route, status, body, created_at, request_hash) "
    "VALUES ($1, $2, $3, 0, '', $4, $5) ON CONFLICT (community_id, idem_key) DO NOTHING RETURNING 1";
static const char sql_get[] = "SELECT route, status, body, request_hash FROM idempotency WHERE community_id = $1 AND idem_key = $2";
static const char sql_keep[] = "UPDATE idempotency SET status = $3, body = $4 WHERE community_id = $1 AND idem_key = $2";
static const char sql_drop[] = "DELETE FROM idempotency WHERE community_id = $1 AND idem_key = $2 AND status = 0";

const char *idem_key_check(const char *key)
{
    if (!key || !*key)
        return "required";
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)key; *c; c++, n++)
        if (*c < 0x20 || *c > 0x7E)
            return "idempotency_key_chars";
    return n > IDEM_KEY_MAX ? "too_long" : NULL;
}

/* Hex BLAKE2b-256 of the account, the method, the path and the body as sent. */
static const char *request_hash(req *r)
{
    unsigned char h[32];
    crypto_generichash_state st;
    char head[64];
    int n = snprintf(head, sizeof head, "%lld\n", (long long)r->account_id);
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)head, (unsigned long long)n);
    crypto_generichash_update(&st, (const unsigned char *)r->method, strlen(r->method) + 1);
    crypto_generichash_update(&st, (const unsigned char *)r->url, strlen(r->url) + 1);
    if (r->body)
        crypto_generichash_update(&st, (const unsigned char *)r->body, r->body_len);
    crypto_generichash_final(&st, h, sizeof h);
    char *hex = arena_alloc(r->a, 2 * sizeof h + 1);
    sodium_bin2hex(hex, 2 * sizeof h + 1, h, sizeof h);
    return hex;
}

int idem_begin(req *r)
{
    r->idem_key = NULL;
    if (!(r->route->flags & R_IDEMPOTENT))
        return 0;
    const char *key = req_header(r, "Idempotency-Key");
    if (!key)
        return 0;
    const char *code = idem_key_check(key);
    if (code) {
        reply_field(r, "Idempotency-Key", code);
        return 1;
    }
    const char *hash = request_hash(r), *cid = arena_i64(r->a, r->community_id);
    store_rows *took = NULL, *rows = NULL;
    if (db_begin(r) != 0 ||
        q_exec(r, sql_take, 5, (const char *[]){cid, key, r->url, arena_i64(r->a, clock_now()), hash}, &took) != 0)
        return 1;
    if (took->nrows == 1) {
        r->idem_key = key;
        return 0;
    }
    if (q_exec(r, sql_get, 2, (const char *[]){cid, key}, &rows) != 0)
        return 1;
    /* A row kept before request_hash existed is told by its path alone. */
    const char *kept_hash = rows->nrows ? store_cell(rows, 0, 3) : NULL;
    if (rows->nrows == 0 || store_cell_i64(rows, 0, 1) == 0) {
        reply_fail(r, 503, "unavailable", NULL); /* it went while we waited: try again */
        return 1;
    }
    if (kept_hash ? strcmp(kept_hash, hash) != 0 : strcmp(store_cell(rows, 0, 0), r->url) != 0) {
        reply_fail(r, 422, "idempotency_mismatch", NULL);
        return 1;
    }
    db_rollback(r);
    const char *body = store_cell(rows, 0, 2);
    char *copy = strdup(body);
    if (!copy) {
        reply_error(r, 500, "internal", NULL);
        return 1;
    }
    reply_bytes(r, (unsigned)store_cell_i64(rows, 0, 1), "application/json; charset=utf-8", copy, strlen(copy));
    reply_header(r, "Idempotent-Replay", "true");
    return 1;
}

void idem_finish(req *r)
{
    if (!r->idem_key || r->status >= 500 || !r->db || !store_in_transaction(r->db))
        return; /* nothing taken, or the commit point rolls the key back with the rest */
    const char *cid = arena_i64(r->a, r->community_id);
    store_rc rc;
    if (r->status >= 200 && r->status < 300 && !json_alloc_failed) {
        const char *body = r->resp ? arena_strndup(r->a, r->resp, r->resp_len) : "";
        rc = store_exec(r->db, r->a, sql_keep, 4, (const char *[]){cid, r->idem_key, arena_i64(r->a, r->status), body}, NULL);
    } else {
        rc = store_exec(r->db, r->a, sql_drop, 2, (const char *[]){cid, r->idem_key}, NULL);
    }
    if (rc != STORE_OK) {
        free(r->resp);
        r->resp = NULL;
        r->resp_len = 0;
        r->static_body = NULL;
        r->nhdr = 0;
        reply_store_error(r, rc == STORE_CONSTRAINT ? STORE_ERROR : rc);
        if (r->status < 500)
            reply_error(r, 500, "internal", NULL);
    }
}
