/* The PostgreSQL engine of the storage seam (libpq). Statements are prepared once per connection
 * under a generated name, keyed by the address of their text; parameters travel as text.
 *
 * A lost connection (the database server restarted, or is down) is reset on the next statement:
 * outside a transaction the statement is then retried once, and a BEGIN always is, so linli
 * reconnects by itself. A statement inside a transaction is not retried — the transaction died
 * with the old session — and while the server cannot be reached every statement fails at once.
 * Both report STORE_BUSY, which the HTTP layer answers 503 unavailable: the request may be sent
 * again, and the next one on this connection tries to reconnect. */
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
    int lost; /* the connection was found lost and has not come back yet (for the log) */
    int retryable; /* the last statement failed as a serialization failure or deadlock */
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
    /* A default connect_timeout (a value in the URL wins): a reconnect to an unreachable host must
     * not hold a server thread for the minutes of a TCP time-out. */
    const char *const keys[] = {"connect_timeout", "dbname", NULL};
    const char *const values[] = {"5", url, NULL};
    s->conn = PQconnectdbParams(keys, values, 1);
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
    s->retryable = 0;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return STORE_OK;
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    s->retryable = state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0);
    snprintf(s->err, sizeof s->err, "%s", PQresultErrorMessage(res));
    if (state && strncmp(state, "23", 2) == 0)
        return STORE_CONSTRAINT;
    if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0))
        return STORE_BUSY;
    if (state && strcmp(state, "53100") == 0)
        return STORE_FULL;
    return STORE_ERROR;
}

/* Resets a lost connection. After a reset every prepared statement is gone with the old session,
 * and so is any transaction. 1 when the connection works again. Only the changes of state are
 * logged (lost, back), not every failed attempt while the server is down. */
static int reconnect(struct pg_store *s)
{
    if (!s->lost) {
        fprintf(stderr, "linli: lost the connection to PostgreSQL; reconnecting\n");
        s->lost = 1;
    }
    PQreset(s->conn);
    memset(s->cache, 0, sizeof s->cache);
    s->in_tx = 0;
    if (PQstatus(s->conn) != CONNECTION_OK)
        return 0;
    fprintf(stderr, "linli: reconnected to PostgreSQL\n");
    s->lost = 0;
    return 1;
}

/* A statement that failed because the connection is gone: STORE_BUSY, keeping libpq's reason. */
static store_rc connection_lost(struct pg_store *s)
{
    const char *why = PQerrorMessage(s->conn);
    snprintf(s->err, sizeof s->err, "no connection to PostgreSQL: %s", why && *why ? why : "connection lost");
    return STORE_BUSY;
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
        if (rc != STORE_OK && PQstatus(s->conn) == CONNECTION_BAD) {
            PQclear(res);
            if (out)
                *out = NULL;
            /* A connection found lost inside a transaction is reset by the next BEGIN. */
            if (!s->in_tx && attempt == 0 && reconnect(s))
                continue;
            return connection_lost(s);
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
    for (int attempt = 0;; attempt++) {
        if (is_begin && PQstatus(s->conn) == CONNECTION_BAD && !reconnect(s))
            return connection_lost(s);
        PGresult *res = PQexec(s->conn, sql);
        store_rc rc = result_rc(s, res);
        PQclear(res);
        if (is_end)
            s->in_tx = 0;
        if (rc != STORE_OK && PQstatus(s->conn) == CONNECTION_BAD) {
            /* A BEGIN on a connection that died while idle has started nothing: try it once more
             * on a new one. A COMMIT cut off is not retried: whether it took is unknown, and the
             * caller answers 503, so a client retries with its Idempotency-Key. */
            if (is_begin && attempt == 0)
                continue;
            return connection_lost(s);
        }
        if (is_begin && rc == STORE_OK)
            s->in_tx = 1;
        return rc;
    }
}

/* Whether a transaction is open (or failed and not yet ended) on the connection. A connection lost
 * inside a transaction still counts until the caller ends it: libpq then says "unknown", but until a
 * ROLLBACK clears in_tx no statement reconnects (pg_exec), so the request's end must send one
 * (http.c ends every transaction left open). Without this, a session cut inside a transaction left
 * the thread's connection answering 503 to every request that did not begin with BEGIN. */
static int pg_in_transaction(store *base)
{
    struct pg_store *s = (struct pg_store *)base;
    PGTransactionStatusType t = PQtransactionStatus(s->conn);
    return s->in_tx || t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

static int pg_retryable(store *base) { return ((struct pg_store *)base)->retryable; }

static const char *pg_errmsg(store *base) { return ((struct pg_store *)base)->err; }

const struct store_engine store_engine_pg = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .exec_script = pg_exec_script,
    .errmsg = pg_errmsg,
    .begin_sql = "BEGIN ISOLATION LEVEL READ COMMITTED",
    .in_transaction = pg_in_transaction,
    .retryable = pg_retryable,
};
