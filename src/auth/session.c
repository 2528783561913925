/* Sessions (see session.h). Expired rows are removed when a new session is made. */
#include "auth/session.h"
#include "auth/roles.h"
#include "server/reply.h"
#include <string.h>
#include <time.h>

static const char sql_insert[] =
    "INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
static const char sql_purge[] = "DELETE FROM sessions WHERE expires_at < $1";
static const char sql_lookup[] =
    "SELECT a.id, a.login, a.display_name, s.csrf_token, "
    "(SELECT role FROM global_roles g WHERE g.account_id = a.id AND g.role = 'admin'), "
    "(SELECT district_id FROM global_roles g WHERE g.account_id = a.id AND g.role = 'district_admin') "
    "FROM sessions s JOIN accounts a ON a.id = s.account_id "
    "WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.disabled = 0";
static const char sql_delete[] = "DELETE FROM sessions WHERE token_hash = $1";

store_rc session_create(store *s, arena *a, int64_t account_id, int hours, const char **token, const char **csrf)
{
    int64_t now = (int64_t)time(NULL);
    *token = crypto_token(a, 32);
    *csrf = crypto_token(a, 24);
    const char *purge[1] = {arena_i64(a, now)};
    store_rc rc = store_exec(s, a, sql_purge, 1, purge, NULL);
    if (rc != STORE_OK)
        return rc;
    const char *p[5] = {crypto_hash_hex(a, *token), arena_i64(a, account_id), *csrf, arena_i64(a, now),
                        arena_i64(a, now + (int64_t)hours * 3600)};
    return store_exec(s, a, sql_insert, 5, p, NULL);
}

int session_authenticate(req *r)
{
    const char *token = req_cookie(r, SESSION_COOKIE);
    if (!token || strlen(token) > 100)
        return 0;
    store *s = req_store(r);
    if (!s)
        return -1;
    store_rows *rows = NULL;
    const char *hash = crypto_hash_hex(r->a, token);
    const char *p[2] = {hash, arena_i64(r->a, (int64_t)time(NULL))};
    store_rc rc = store_exec(s, r->a, sql_lookup, 2, p, &rows);
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
    return 0;
}

store_rc session_delete(store *s, arena *a, const char *token_hash)
{
    const char *p[1] = {token_hash};
    return store_exec(s, a, sql_delete, 1, p, NULL);
}
