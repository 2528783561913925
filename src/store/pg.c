/* The PostgreSQL engine of the storage seam (libpq). Statements are prepared once per connection
 * under a generated name, keyed by the address of their text; parameters travel as text. A lost
 * connection is reset and, outside a transaction, the statement retried once, so linli reconnects
 * by itself after the database server restarts. */
#include "store/store.h"
#include "core/fault.h"
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 512

struct pg_store {
    struct store base;
    PGconn *conn;
    int next_name;
    int in_tx;
    struct {
        const char *key;
        int name;
    } cache[CACHE_SLOTS];
    char err[512];
};

static void quiet_notices(void *arg, const PGresult *res)
{
    (void)arg;
    (void)res;
}

static store_rc pg_open(const char *url, store **out, char *err, size_t errlen)
{
    struct pg_store *s = linli_calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return STORE_ERROR;
    }
    s->base.engine = &store_engine_pg;
    s->conn = PQconnectdb(url);
    if (PQstatus(s->conn) != CONNECTION_OK) {
        snprintf(err, errlen, "cannot connect to PostgreSQL: %s", PQerrorMessage(s->conn));
        PQfinish(s->conn);
        free(s);
        return STORE_ERROR;
    }
    PQsetNoticeReceiver(s->conn, quiet_notices, NULL);
    *out = &s->base;
    return STORE_OK;
}

static void pg_close(store *base)
{
    struct pg_store *s = (struct pg_store *)base;
    PQfinish(s->conn);
    free(s);
}

static store_rc result_rc(struct pg_store *s, PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return STORE_OK;
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    snprintf(s->err, sizeof s->err, "%s", PQresultErrorMessage(res));
    if (state && strncmp(state, "23", 2) == 0)
        return STORE_CONSTRAINT;
    if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0))
        return STORE_BUSY;
    if (state && strcmp(state, "53100") == 0)
        return STORE_FULL;
    return STORE_ERROR;
}

/* After a reset every prepared statement is gone with the old session. */
static int reconnect(struct pg_store *s)
{
    PQreset(s->conn);
    memset(s->cache, 0, sizeof s->cache);
    s->in_tx = 0;
    return PQstatus(s->conn) == CONNECTION_OK;
}

static int statement_name(struct pg_store *s, const char *sql, char name[24], store_rc *rc)
{
    size_t h = ((uintptr_t)sql >> 3) % CACHE_SLOTS;
    for (size_t probe = 0; probe < CACHE_SLOTS; probe++) {
        size_t i = (h + probe) % CACHE_SLOTS;
        if (s->cache[i].key == sql) {
            snprintf(name, 24, "s%d", s->cache[i].name);
            return 1;
        }
        if (!s->cache[i].key) {
            int id = ++s->next_name;
            snprintf(name, 24, "s%d", id);
            PGresult *res = PQprepare(s->conn, name, sql, 0, NULL);
            *rc = result_rc(s, res);
            PQclear(res);
            if (*rc != STORE_OK)
                return 0;
            s->cache[i].key = sql;
            s->cache[i].name = id;
            return 1;
        }
    }
    snprintf(s->err, sizeof s->err, "statement cache full");
    *rc = STORE_ERROR;
    return 0;
}

static store_rc pg_exec(store *base, arena *a, const char *sql, int nparams, const char *const *params,
                        store_rows **out)
{
    struct pg_store *s = (struct pg_store *)base;
    for (int attempt = 0;; attempt++) {
        char name[24];
        store_rc rc = STORE_OK;
        PGresult *res = NULL;
        if (statement_name(s, sql, name, &rc)) {
            res = PQexecPrepared(s->conn, name, nparams, params, NULL, NULL, 0);
            rc = result_rc(s, res);
        }
        if (rc == STORE_ERROR && PQstatus(s->conn) == CONNECTION_BAD && !s->in_tx && attempt == 0) {
            PQclear(res);
            if (reconnect(s))
                continue;
            return STORE_ERROR;
        }
        if (rc != STORE_OK || !out) {
            PQclear(res);
            if (out)
                *out = NULL;
            return rc;
        }
        store_rows *rows = arena_alloc(a, sizeof *rows);
        int nr = PQntuples(res), nc = PQnfields(res);
        if (rows) {
            rows->nrows = nr;
            rows->ncols = nc;
            rows->names = arena_alloc(a, sizeof(char *) * (size_t)(nc ? nc : 1));
            rows->cells = arena_alloc(a, sizeof(char *) * ((size_t)nr * (size_t)nc + 1));
        }
        if (!rows || !rows->names || !rows->cells) {
            PQclear(res);
            snprintf(s->err, sizeof s->err, "out of memory");
            return STORE_ERROR;
        }
        for (int j = 0; j < nc; j++)
            rows->names[j] = arena_strdup(a, PQfname(res, j));
        for (int i = 0; i < nr; i++)
            for (int j = 0; j < nc; j++)
                rows->cells[(size_t)i * (size_t)nc + (size_t)j] =
                    PQgetisnull(res, i, j) ? NULL : arena_strndup(a, PQgetvalue(res, i, j), (size_t)PQgetlength(res, i, j));
        PQclear(res);
        *out = rows;
        return STORE_OK;
    }
}

static store_rc pg_exec_script(store *base, const char *sql)
{
    struct pg_store *s = (struct pg_store *)base;
    int is_begin = strncmp(sql, "BEGIN", 5) == 0;
    int is_end = strcmp(sql, "COMMIT") == 0 || strcmp(sql, "ROLLBACK") == 0;
    if (is_begin && PQstatus(s->conn) == CONNECTION_BAD && !reconnect(s)) {
        snprintf(s->err, sizeof s->err, "%s", PQerrorMessage(s->conn));
        return STORE_ERROR;
    }
    PGresult *res = PQexec(s->conn, sql);
    store_rc rc = result_rc(s, res);
    PQclear(res);
    if (is_begin && rc == STORE_OK)
        s->in_tx = 1;
    if (is_end)
        s->in_tx = 0;
    return rc;
}

static const char *pg_errmsg(store *base) { return ((struct pg_store *)base)->err; }

const struct store_engine store_engine_pg = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .exec_script = pg_exec_script,
    .errmsg = pg_errmsg,
    .begin_sql = "BEGIN ISOLATION LEVEL READ COMMITTED",
};
