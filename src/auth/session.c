/* Sessions (see session.h). Expired rows are removed when a new session is made. Time is
 * clock_session_now (core/clock.h), so tests can let hours pass. */
#include "auth/session.h"
#include "auth/roles.h"
#include "core/clock.h"
#include "server/reply.h"
#include <string.h>

/* The last use is written when it is older than this: a busy session costs one write a minute. A
 * session row without one (written by an older linli, or by hand) was last used at its login. The
 * CASTs: parameters travel as text, and SQLite compares an expression (no column affinity) with
 * text as text. */
#define SEEN_EVERY 60

static const char sql_insert[] =
    "INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at, last_seen) "
    "VALUES ($1, $2, $3, $4, $5, $4)";
static const char sql_purge[] =
    "DELETE FROM sessions WHERE expires_at < $1 OR COALESCE(last_seen, created_at) < CAST($2 AS BIGINT)";
static const char sql_lookup[] =
    "SELECT a.id, a.login, a.display_name, s.csrf_token, "
    "(SELECT role FROM global_roles g WHERE g.account_id = a.id AND g.role = 'admin'), "
    "(SELECT district_id FROM global_roles g WHERE g.account_id = a.id AND g.role = 'district_admin'), "
    "COALESCE(s.last_seen, s.created_at) "
    "FROM sessions s JOIN accounts a ON a.id = s.account_id "
    "WHERE s.token_hash = $1 AND s.expires_at > $2 AND COALESCE(s.last_seen, s.created_at) > CAST($3 AS BIGINT) "
    "AND a.disabled = 0";
static const char sql_seen[] =
    "UPDATE sessions SET last_seen = $2 WHERE token_hash = $1 AND COALESCE(last_seen, created_at) < CAST($2 AS BIGINT)";
static const char sql_delete[] = "DELETE FROM sessions WHERE token_hash = $1";
static const char sql_count_others[] =
    "SELECT count(*) FROM sessions WHERE account_id = $1 AND token_hash <> COALESCE(CAST($2 AS TEXT), '')";
static const char sql_end_others[] =
    "DELETE FROM sessions WHERE account_id = $1 AND token_hash <> COALESCE(CAST($2 AS TEXT), '')";

/* The oldest last use a live session may have at now. */
/* The limits of app, or their defaults (2 hours idle, 12 hours in all) for an app that does not set
 * them (the in-process runner and tests make their own). */
static int64_t idle_minutes(const struct app *app) { return app->session_idle_minutes > 0 ? app->session_idle_minutes : 120; }
int session_hours(const struct app *app) { return app->session_hours > 0 ? app->session_hours : 12; }

static int64_t idle_floor(const struct app *app, int64_t now)
{
    return now - idle_minutes(app) * 60;
}

store_rc session_create(store *s, arena *a, const struct app *app, int64_t account_id, const char *replaces,
                        const char **token, const char **csrf)
{
    int64_t now = clock_session_now();
    *token = crypto_token(a, 32);
    *csrf = crypto_token(a, 24);
    store_rc rc = STORE_OK;
    if (replaces)
        rc = store_exec(s, a, sql_delete, 1, (const char *[]){replaces}, NULL);
    const char *purge[2] = {arena_i64(a, now), arena_i64(a, idle_floor(app, now))};
    if (rc == STORE_OK)
        rc = store_exec(s, a, sql_purge, 2, purge, NULL);
    const char *p[5] = {crypto_hash_hex(a, *token), arena_i64(a, account_id), *csrf, arena_i64(a, now),
                        arena_i64(a, now + (int64_t)session_hours(app) * 3600)};
    if (rc == STORE_OK)
        rc = store_exec(s, a, sql_insert, 5, p, NULL);
    return rc;
}

const char *session_cookie_hash(req *r)
{
    const char *token = req_cookie(r, SESSION_COOKIE);
    if (!token || !*token || strlen(token) > 100)
        return NULL;
    return crypto_hash_hex(r->a, token);
}

int session_authenticate(req *r)
{
    const char *hash = session_cookie_hash(r);
    if (!hash)
        return 0;
    store *s = req_store(r);
    if (!s)
        return -1;
    store_rows *rows = NULL;
    int64_t now = clock_session_now();
    const char *p[3] = {hash, arena_i64(r->a, now), arena_i64(r->a, idle_floor(r->app, now))};
    store_rc rc = store_exec(s, r->a, sql_lookup, 3, p, &rows);
    if (rc != STORE_OK) {
        reply_store_error(r, rc);
        return -1;
    }
    if (rows->nrows == 0)
        return 0;
    r->account_id = store_cell_i64(rows, 0, 0);
    r->login = store_cell(rows, 0, 1);
    r->display_name = store_cell(rows, 0, 2);
    r->csrf = store_cell(rows, 0, 3);
    r->session_hash = hash;
    if (store_cell(rows, 0, 4))
        r->global_roles |= ROLE_ADMIN;
    if (store_cell(rows, 0, 5)) {
        r->global_roles |= ROLE_DISTRICT_ADMIN;
        r->district_id = store_cell_i64(rows, 0, 5);
    }
    /* The session slides. A failed write is not this request's failure: the session is live now,
     * and the next request writes the time again; at worst the idle limit comes a minute early. */
    if (now - store_cell_i64(rows, 0, 6) >= SEEN_EVERY)
        (void)store_exec(s, r->a, sql_seen, 2, p, NULL);
    return 0;
}

store_rc session_delete(store *s, arena *a, const char *token_hash)
{
    const char *p[1] = {token_hash};
    return store_exec(s, a, sql_delete, 1, p, NULL);
}

store_rc session_end_others(store *s, arena *a, int64_t account_id, const char *keep, int64_t *ended)
{
    const char *p[2] = {arena_i64(a, account_id), keep};
    int64_t n = 0;
    int found = 0;
    store_rc rc = ended ? store_query_i64(s, a, sql_count_others, 2, p, &n, &found) : STORE_OK;
    if (rc == STORE_OK)
        rc = store_exec(s, a, sql_end_others, 2, p, NULL);
    if (rc == STORE_OK && ended)
        *ended = n;
    return rc;
}
