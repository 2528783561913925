/* Accounts and role grants (see account.h). */
#include "auth/account.h"
#include "auth/roles.h"
#include "auth/session.h"
#include "core/crypto.h"
#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

static const char sql_insert[] =
    "INSERT INTO accounts (id, login, display_name, pw_hash, created_at) VALUES ($1, $2, $3, $4, $5)";
static const char sql_find[] = "SELECT id, pw_hash FROM accounts WHERE login = $1 AND disabled = 0";
static const char sql_passwd[] = "UPDATE accounts SET pw_hash = $2 WHERE id = $1";
static const char sql_grant[] =
    "INSERT INTO role_grants (community_id, account_id, role, granted_at) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT DO NOTHING";
static const char sql_grant_global[] =
    "INSERT INTO global_roles (account_id, role, district_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
static const char sql_revoke[] = "DELETE FROM role_grants WHERE community_id = $1 AND account_id = $2 AND role = $3";
static const char sql_revoke_global[] = "DELETE FROM global_roles WHERE account_id = $1 AND role = $2";
static const char sql_roles[] =
    "SELECT community_id, role FROM role_grants WHERE account_id = $1 ORDER BY community_id, role";
static const char sql_global[] = "SELECT role, district_id FROM global_roles WHERE account_id = $1 ORDER BY role";

store_rc account_create(store *s, arena *a, const char *login, const char *display_name,
                        const char *password, int64_t *id)
{
    char hash[128];
    if (crypto_password_hash(password, hash) != 0)
        return STORE_ERROR;
    store_rc rc = store_next_id(s, a, id);
    if (rc != STORE_OK)
        return rc;
    const char *p[5] = {arena_i64(a, *id), login, display_name, hash, arena_i64(a, (int64_t)time(NULL))};
    return store_exec(s, a, sql_insert, 5, p, NULL);
}

store_rc account_find(store *s, arena *a, const char *login, int64_t *id, const char **pw_hash, int *found)
{
    store_rows *rows = NULL;
    const char *p[1] = {login};
    store_rc rc = store_exec(s, a, sql_find, 1, p, &rows);
    *found = rc == STORE_OK && rows->nrows > 0;
    if (*found) {
        *id = store_cell_i64(rows, 0, 0);
        *pw_hash = store_cell(rows, 0, 1);
    }
    return rc;
}

/* An argon2id hash of a random password, made with the same parameters as every real one, for
 * the logins of accounts that do not exist. Made once; until it is, dummy[0] is 0. */
static char dummy[128];
static pthread_mutex_t dummy_lock = PTHREAD_MUTEX_INITIALIZER;

int account_prepare(void)
{
    int rc = 0;
    pthread_mutex_lock(&dummy_lock);
    if (!dummy[0]) {
        unsigned char secret[24];
        char text[2 * sizeof secret + 1];
        randombytes_buf(secret, sizeof secret);
        sodium_bin2hex(text, sizeof text, secret, sizeof secret);
        rc = crypto_password_hash(text, dummy);
        if (rc != 0)
            dummy[0] = 0;
    }
    pthread_mutex_unlock(&dummy_lock);
    return rc;
}

store_rc account_check_password(store *s, arena *a, const char *login, const char *password, int64_t *id, int *ok)
{
    const char *hash = NULL;
    int found = 0;
    *ok = 0;
    store_rc rc = account_find(s, a, login, id, &hash, &found);
    if (rc != STORE_OK)
        return rc;
    if (found) {
        *ok = crypto_password_verify(hash, password);
        return STORE_OK;
    }
    /* The same work as for a real account; the answer is no whatever it says. If the dummy hash
     * cannot be made (out of memory), the refusal is only faster. */
    if (account_prepare() == 0)
        (void)crypto_password_verify(dummy, password);
    return STORE_OK;
}

store_rc account_set_password(store *s, arena *a, int64_t id, const char *password, const char *keep_session,
                              int64_t *ended)
{
    char hash[128];
    if (crypto_password_hash(password, hash) != 0)
        return STORE_ERROR;
    const char *p[2] = {arena_i64(a, id), hash};
    store_rc rc = store_exec(s, a, sql_passwd, 2, p, NULL);
    if (rc == STORE_OK)
        rc = session_end_others(s, a, id, keep_session, ended);
    return rc;
}

store_rc account_grant(store *s, arena *a, int64_t account_id, int64_t community_id, unsigned role, int64_t district_id)
{
    if (role & ROLES_GLOBAL) {
        const char *p[3] = {arena_i64(a, account_id), role_name(role), district_id ? arena_i64(a, district_id) : NULL};
        return store_exec(s, a, sql_grant_global, 3, p, NULL);
    }
    const char *p[4] = {arena_i64(a, community_id), arena_i64(a, account_id), role_name(role),
                        arena_i64(a, (int64_t)time(NULL))};
    return store_exec(s, a, sql_grant, 4, p, NULL);
}

store_rc account_revoke(store *s, arena *a, int64_t account_id, int64_t community_id, unsigned role)
{
    if (role & ROLES_GLOBAL) {
        const char *p[2] = {arena_i64(a, account_id), role_name(role)};
        return store_exec(s, a, sql_revoke_global, 2, p, NULL);
    }
    const char *p[3] = {arena_i64(a, community_id), arena_i64(a, account_id), role_name(role)};
    return store_exec(s, a, sql_revoke, 3, p, NULL);
}

store_rc account_roles(store *s, arena *a, int64_t id, json_t **roles, json_t **global_roles)
{
    store_rows *r1 = NULL, *r2 = NULL;
    const char *p[1] = {arena_i64(a, id)};
    store_rc rc = store_exec(s, a, sql_roles, 1, p, &r1);
    if (rc == STORE_OK)
        rc = store_exec(s, a, sql_global, 1, p, &r2);
    if (rc != STORE_OK)
        return rc;
    *roles = json_array();
    for (int i = 0; i < r1->nrows; i++)
        json_array_append_new(*roles, json_pack("{s:I, s:s}", "community_id", (json_int_t)store_cell_i64(r1, i, 0),
                                                "role", store_cell(r1, i, 1)));
    *global_roles = json_array();
    for (int i = 0; i < r2->nrows; i++)
        json_array_append_new(*global_roles, json_string(store_cell(r2, i, 0)));
    return STORE_OK;
}
