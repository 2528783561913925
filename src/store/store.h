/* The storage seam. One interface, two engines (SQLite in sqlite.c, PostgreSQL in pg.c) behind a
 * table of function pointers, chosen by the URL: "sqlite:PATH" or "postgresql://...".
 *
 * SQL is written once, PostgreSQL style, with $1 placeholders; the SQLite engine rewrites them to
 * ?1. A search writes `col ILIKE $n ESCAPE '\'` (the pattern from list_args, its wildcards escaped):
 * PostgreSQL matches Latin letters whatever their case, and the SQLite engine rewrites ILIKE to its
 * LIKE, which does the same for ASCII letters, so "yoga" finds "Yoga" on both. Never lower() on both
 * sides (PostgreSQL and SQLite fold different letters) nor a bare LIKE for a search (case-sensitive on
 * PostgreSQL only). Statements are prepared once per connection and cached by the address of their text, so a
 * statement is always a `static const char` string, never text built at run time from input.
 * Every value goes in and comes out as text (NULL for SQL NULL): integers are decimal text, which
 * both engines convert exactly. A connection belongs to one thread. */
#ifndef LINLI_STORE_H
#define LINLI_STORE_H
#include "core/arena.h"
#include <stdint.h>

typedef enum {
    STORE_OK = 0,
    STORE_CONSTRAINT, /* a unique, foreign-key or check constraint refused the write */
    STORE_BUSY,       /* a lock or serialization conflict, or the connection to the database lost: the
                       * client may send the request again (503); see store_retryable */
    STORE_FULL,       /* the disk is full: nothing was written */
    STORE_ERROR,      /* anything else; the message is in store_errmsg */
} store_rc;

typedef struct store store;

/* The rows a query returned, allocated in the caller's arena. cell(r, i, j) is row i, column j. */
typedef struct store_rows {
    int nrows, ncols;
    char **names;
    char **cells;
} store_rows;

static inline const char *store_cell(const store_rows *r, int row, int col)
{
    return r->cells[(size_t)row * (size_t)r->ncols + (size_t)col];
}
int64_t store_cell_i64(const store_rows *r, int row, int col);

struct store_engine {
    const char *name; /* "sqlite" or "postgresql" */
    store_rc (*open)(const char *url, store **out, char *err, size_t errlen);
    void (*close)(store *s);
    store_rc (*exec)(store *s, arena *a, const char *sql, int nparams, const char *const *params,
                     store_rows **out);
    store_rc (*exec_script)(store *s, const char *sql);
    const char *(*errmsg)(store *s);
    const char *begin_sql; /* the statement that starts a write transaction */
    int (*in_transaction)(store *s); /* NULL: the engine cannot tell (taken as no) */
    int (*retryable)(store *s);      /* NULL: never (see store_retryable) */
    void (*settle)(store *s);        /* NULL: nothing to do (see store_settle) */
};

struct store {
    const struct store_engine *engine;
};

/* Opens a connection for url. On failure returns an error and writes a message to err. */
store_rc store_open(const char *url, store **out, char *err, size_t errlen);
void store_close(store *s);
const char *store_kind(const store *s);
const char *store_errmsg(store *s);
/* Runs one statement with its parameters; rows (if out is not NULL) land in arena a. */
store_rc store_exec(store *s, arena *a, const char *sql, int nparams, const char *const *params,
                    store_rows **out);
/* Runs several statements without parameters (migrations). */
store_rc store_exec_script(store *s, const char *sql);
/* Transactions. store_begin takes the write lock at once on SQLite (BEGIN IMMEDIATE). */
store_rc store_begin(store *s);
store_rc store_commit(store *s);
void store_rollback(store *s);
/* Nonzero while a transaction is open on the connection. After every request the server rolls
 * back one left open (a ROLLBACK that itself failed, out of memory say), so no lock outlives it. */
int store_in_transaction(store *s);
/* The request is over: a statement left half-run (its request abandoned when memory ran out between
 * two rows) is reset, so that it does not hold a read snapshot (SQLite: the WAL cannot be
 * checkpointed, the connection reads old data and cannot start writing). After every request. */
void store_settle(store *s);
/* Nonzero when the last failure was one the whole transaction may simply be run again for: on
 * PostgreSQL a serialization failure (40001) or a deadlock (40P01). SQLite never says so: its
 * writers queue on BEGIN IMMEDIATE and its busy time-out has already waited. */
int store_retryable(store *s);
/* The next value of the one id sequence every table draws from. Inside a transaction. */
store_rc store_next_id(store *s, arena *a, int64_t *id);

/* Convenience: one row, first column as an integer. *found is 0 when there was no row. */
store_rc store_query_i64(store *s, arena *a, const char *sql, int nparams, const char *const *params,
                         int64_t *value, int *found);

extern const struct store_engine store_engine_sqlite;
extern const struct store_engine store_engine_pg;
#endif
