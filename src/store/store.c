/* The engine-independent half of the storage seam: picks the engine from the URL and offers the
 * helpers every module uses. Dialect differences stay in sqlite.c and pg.c. */
#include "store/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t store_cell_i64(const store_rows *r, int row, int col)
{
    const char *c = store_cell(r, row, col);
    return c ? strtoll(c, NULL, 10) : 0;
}

store_rc store_open(const char *url, store **out, char *err, size_t errlen)
{
    *out = NULL;
    if (strncmp(url, "sqlite:", 7) == 0)
        return store_engine_sqlite.open(url + 7, out, err, errlen);
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
        return store_engine_pg.open(url, out, err, errlen);
    snprintf(err, errlen, "unknown database URL \"%s\": use sqlite:PATH or postgresql://...", url);
    return STORE_ERROR;
}

void store_close(store *s)
{
    if (s)
        s->engine->close(s);
}

const char *store_kind(const store *s) { return s->engine->name; }
const char *store_errmsg(store *s) { return s->engine->errmsg(s); }

store_rc store_exec(store *s, arena *a, const char *sql, int nparams, const char *const *params,
                    store_rows **out)
{
    return s->engine->exec(s, a, sql, nparams, params, out);
}

store_rc store_exec_script(store *s, const char *sql) { return s->engine->exec_script(s, sql); }

store_rc store_begin(store *s) { return s->engine->exec_script(s, s->engine->begin_sql); }
store_rc store_commit(store *s) { return s->engine->exec_script(s, "COMMIT"); }

void store_rollback(store *s)
{
    /* A failed rollback leaves nothing to undo: the engine has already ended the transaction. */
    (void)s->engine->exec_script(s, "ROLLBACK");
}

int store_retryable(store *s) { return s->engine->retryable ? s->engine->retryable(s) : 0; }

void store_settle(store *s)
{
    if (s->engine->settle)
        s->engine->settle(s);
}

int store_in_transaction(store *s) { return s->engine->in_transaction ? s->engine->in_transaction(s) : 0; }

store_rc store_query_i64(store *s, arena *a, const char *sql, int nparams, const char *const *params,
                         int64_t *value, int *found)
{
    store_rows *rows = NULL;
    store_rc rc = store_exec(s, a, sql, nparams, params, &rows);
    *found = 0;
    if (rc == STORE_OK && rows->nrows > 0) {
        *found = 1;
        *value = store_cell_i64(rows, 0, 0);
    }
    return rc;
}

static const char sql_next_id_sqlite[] = "UPDATE id_seq SET v = v + 1 RETURNING v";
static const char sql_next_id_pg[] = "SELECT nextval('linli_id_seq')";

store_rc store_next_id(store *s, arena *a, int64_t *id)
{
    int found;
    const char *sql = s->engine == &store_engine_sqlite ? sql_next_id_sqlite : sql_next_id_pg;
    store_rc rc = store_query_i64(s, a, sql, 0, NULL, id, &found);
    if (rc == STORE_OK && !found)
        rc = STORE_ERROR;
    return rc;
}
