/* The SQLite engine of the storage seam: WAL journal, synchronous=FULL (an acknowledged commit
 * survives power loss), a busy timeout, foreign keys on. Statements are prepared once per
 * connection and kept in a small cache keyed by the address of their text. */
#include "store/store.h"
#include "core/fault.h"
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 512

struct sqlite_store {
    struct store base;
    sqlite3 *db;
    struct {
        const char *key;
        sqlite3_stmt *stmt;
    } cache[CACHE_SLOTS];
    char err[256];
    /* A transaction linli began and has not ended. SQLite ends one by itself on some errors (out of
     * memory, an I/O error, a full disk): the statements after it would then run and commit one by
     * one. While in_tx is set and SQLite is back in autocommit, every statement is refused, COMMIT
     * fails and ROLLBACK only clears the flag, so nothing of the request is kept. */
    int in_tx;
};

static const char *pragmas =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "PRAGMA foreign_keys=ON;"
    "PRAGMA busy_timeout=10000;"
    "PRAGMA temp_store=MEMORY;";

static store_rc map_rc(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return STORE_OK;
    case SQLITE_CONSTRAINT:
        return STORE_CONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return STORE_BUSY;
    case SQLITE_FULL:
        return STORE_FULL;
    default:
        return STORE_ERROR;
    }
}

static store_rc sq_open(const char *path, store **out, char *err, size_t errlen)
{
    struct sqlite_store *s = linli_calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return STORE_ERROR;
    }
    s->base.engine = &store_engine_sqlite;
    int rc = sqlite3_open_v2(path, &s->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(s->db, pragmas, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot open SQLite database %s: %s", path,
                 s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        sqlite3_close(s->db);
        free(s);
        return STORE_ERROR;
    }
    *out = &s->base;
    return STORE_OK;
}

static void sq_close(store *base)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    for (int i = 0; i < CACHE_SLOTS; i++)
        if (s->cache[i].stmt)
            sqlite3_finalize(s->cache[i].stmt);
    sqlite3_close(s->db);
    free(s);
}

static int sql_word_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* Outside quoted literals: $N → ?N, and the word ILIKE → LIKE. linli's SQL is written for PostgreSQL;
 * a search there says ILIKE to match Latin letters whatever their case, which SQLite's LIKE already
 * does (for ASCII letters, with PRAGMA case_sensitive_like off, its default). So one query text
 * searches the same way on both engines (store.h). */
static char *rewrite_placeholders(const char *sql)
{
    size_t n = strlen(sql), o = 0;
    char *out = linli_malloc(n + 1);
    if (!out)
        return NULL;
    char quote = 0;
    for (size_t i = 0; i <= n; i++) {
        char c = sql[i];
        if (quote) {
            if (c == quote)
                quote = 0;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '$' && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
            c = '?';
        } else if (c == 'I' && strncmp(sql + i, "ILIKE", 5) == 0 && (i == 0 || !sql_word_char(sql[i - 1])) &&
                   !sql_word_char(sql[i + 5])) {
            continue; /* the I of ILIKE: LIKE follows */
        }
        out[o++] = c;
    }
    return out;
}

static sqlite3_stmt *prepare_cached(struct sqlite_store *s, const char *sql, int *rc)
{
    size_t h = ((uintptr_t)sql >> 3) % CACHE_SLOTS;
    for (size_t probe = 0; probe < CACHE_SLOTS; probe++) {
        size_t i = (h + probe) % CACHE_SLOTS;
        if (s->cache[i].key == sql)
            return s->cache[i].stmt;
        if (!s->cache[i].key) {
            char *text = rewrite_placeholders(sql);
            sqlite3_stmt *st = NULL;
            *rc = text ? sqlite3_prepare_v3(s->db, text, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL)
                       : SQLITE_NOMEM;
            free(text);
            if (*rc != SQLITE_OK)
                return NULL;
            s->cache[i].key = sql;
            s->cache[i].stmt = st;
            return st;
        }
    }
    /* The cache is full (more distinct statements than slots): prepare without caching is not
     * offered, so this is a programming error worth a clear message. */
    *rc = -1; /* not an SQLite code: the cache of this connection is full */
    return NULL;
}

static store_rc sq_exec(store *base, arena *a, const char *sql, int nparams, const char *const *params,
                        store_rows **out)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    int rc = SQLITE_OK;
    if (s->in_tx && sqlite3_get_autocommit(s->db)) {
        snprintf(s->err, sizeof s->err, "the transaction was rolled back by SQLite after an error");
        if (out)
            *out = NULL;
        return STORE_ERROR;
    }
    sqlite3_stmt *st = prepare_cached(s, sql, &rc);
    if (!st) {
        snprintf(s->err, sizeof s->err, "prepare: %s", rc == -1 ? "statement cache full" : sqlite3_errmsg(s->db));
        return map_rc(rc) == STORE_OK ? STORE_ERROR : map_rc(rc);
    }
    sqlite3_reset(st); /* in case a request was abandoned mid-statement (out of memory) */
    for (int i = 0; i < nparams; i++) {
        rc = params[i] ? sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_STATIC)
                       : sqlite3_bind_null(st, i + 1);
        if (rc != SQLITE_OK)
            break;
    }
    store_rows *rows = NULL;
    size_t cap = 0;
    if (rc == SQLITE_OK && out) {
        rows = arena_alloc(a, sizeof *rows);
        if (!rows)
            rc = SQLITE_NOMEM;
        else {
            rows->nrows = 0;
            rows->ncols = sqlite3_column_count(st);
            rows->cells = NULL;
            rows->names = arena_alloc(a, sizeof(char *) * (size_t)(rows->ncols ? rows->ncols : 1));
            for (int j = 0; rows->names && j < rows->ncols; j++)
                rows->names[j] = arena_strdup(a, sqlite3_column_name(st, j));
        }
    }
    while (rc == SQLITE_OK) {
        int step = sqlite3_step(st);
        if (step == SQLITE_DONE)
            break;
        if (step != SQLITE_ROW) {
            rc = step;
            break;
        }
        if (!rows)
            continue;
        size_t need = (size_t)(rows->nrows + 1) * (size_t)rows->ncols;
        if (need > cap) {
            size_t ncap = cap ? cap * 2 : (size_t)rows->ncols * 16;
            while (ncap < need)
                ncap *= 2;
            char **nc = arena_alloc(a, ncap * sizeof(char *));
            if (!nc) {
                rc = SQLITE_NOMEM;
                break;
            }
            if (rows->cells)
                memcpy(nc, rows->cells, cap * sizeof(char *));
            rows->cells = nc;
            cap = ncap;
        }
        for (int j = 0; j < rows->ncols; j++) {
            const unsigned char *t = sqlite3_column_text(st, j);
            char **cell = &rows->cells[(size_t)rows->nrows * (size_t)rows->ncols + (size_t)j];
            /* NULL text from a value that is not NULL: the conversion ran out of memory. */
            if (!t && sqlite3_column_type(st, j) != SQLITE_NULL) {
                rc = SQLITE_NOMEM;
                break;
            }
            *cell = t ? arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, j)) : NULL;
        }
        if (rc != SQLITE_OK)
            break;
        rows->nrows++;
    }
    if (rc != SQLITE_OK)
        snprintf(s->err, sizeof s->err, "%s", sqlite3_errmsg(s->db));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (out)
        *out = rc == SQLITE_OK ? rows : NULL;
    return map_rc(rc);
}

static store_rc sq_exec_script(store *base, const char *sql)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    char *msg = NULL;
    int is_begin = strncmp(sql, "BEGIN", 5) == 0, is_commit = strcmp(sql, "COMMIT") == 0, is_rollback = strcmp(sql, "ROLLBACK") == 0;
    if (s->in_tx && sqlite3_get_autocommit(s->db) && !is_begin) {
        /* SQLite already rolled the transaction back (see in_tx): a ROLLBACK has nothing left to do,
         * and anything else, COMMIT above all, must fail. */
        s->in_tx = 0;
        if (is_rollback)
            return STORE_OK;
        snprintf(s->err, sizeof s->err, "the transaction was rolled back by SQLite after an error");
        return STORE_ERROR;
    }
    /* A transaction still open here means an earlier ROLLBACK failed (out of memory, say): end it
     * now, before the new one, rather than refuse every request on this connection. */
    if (strncmp(sql, "BEGIN", 5) == 0 && !sqlite3_get_autocommit(s->db) &&
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(s->err, sizeof s->err, "a transaction left open could not be rolled back");
        return STORE_ERROR;
    }
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        snprintf(s->err, sizeof s->err, "%s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
    }
    if (is_begin)
        s->in_tx = rc == SQLITE_OK;
    else if (is_commit || is_rollback)
        s->in_tx = !sqlite3_get_autocommit(s->db); /* a COMMIT refused as busy leaves it open */
    return map_rc(rc);
}

/* Open, or begun by linli and rolled back by SQLite itself (in_tx): either way the caller must end it. */
static int sq_in_transaction(store *base)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    return s->in_tx || !sqlite3_get_autocommit(s->db);
}

static void sq_settle(store *base)
{
    sqlite3 *db = ((struct sqlite_store *)base)->db;
    for (sqlite3_stmt *st = sqlite3_next_stmt(db, NULL); st; st = sqlite3_next_stmt(db, st))
        if (sqlite3_stmt_busy(st))
            sqlite3_reset(st);
}

static const char *sq_errmsg(store *base) { return ((struct sqlite_store *)base)->err; }

/* Online backup of the whole database into dest (a new file). Used by `linli backup`. */
int store_sqlite_backup(store *base, const char *dest, char *err, size_t errlen)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3 *to = NULL;
    int rc = sqlite3_open(dest, &to);
    if (rc == SQLITE_OK) {
        sqlite3_backup *b = sqlite3_backup_init(to, "main", s->db, "main");
        if (b) {
            do {
                rc = sqlite3_backup_step(b, 256);
                if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
                    sqlite3_sleep(50);
            } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
            sqlite3_backup_finish(b);
        }
        rc = sqlite3_errcode(to);
    }
    if (rc != SQLITE_OK)
        snprintf(err, errlen, "%s", to ? sqlite3_errmsg(to) : sqlite3_errstr(rc));
    sqlite3_close(to);
    return rc == SQLITE_OK ? 0 : -1;
}

const struct store_engine store_engine_sqlite = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .exec = sq_exec,
    .exec_script = sq_exec_script,
    .errmsg = sq_errmsg,
    .begin_sql = "BEGIN IMMEDIATE",
    .in_transaction = sq_in_transaction,
    .settle = sq_settle,
};
