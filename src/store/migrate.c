/* Applies the embedded migrations in order. Each migration (its portable file plus the part for
 * this engine) runs in one transaction together with the row that records it, so a crash leaves
 * it either applied or not at all. On PostgreSQL an advisory lock keeps two servers starting at
 * once from applying the same migration twice. */
#include "store/migrate.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char sql_create[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)";
static const char sql_lock_pg[] = "SELECT pg_advisory_xact_lock(7403551)";
static const char sql_seen[] = "SELECT 1 FROM schema_migrations WHERE name = $1";
static const char sql_record[] = "INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)";

int migrate_apply(store *s, int *applied, char *err, size_t errlen)
{
    int count = 0;
    arena *a = arena_new();
    if (!a || store_exec_script(s, sql_create) != STORE_OK) {
        snprintf(err, errlen, "cannot create schema_migrations: %s", a ? store_errmsg(s) : "out of memory");
        arena_free(a);
        return -1;
    }
    int is_pg = strcmp(store_kind(s), "postgresql") == 0;
    for (int i = 0; i < migration_file_count;) {
        const char *name = migration_files[i].name;
        int j = i;
        while (j < migration_file_count && strcmp(migration_files[j].name, name) == 0)
            j++;
        const char *p[2] = {name, NULL};
        int64_t one;
        int found = 0;
        store_rc rc = store_begin(s);
        if (rc == STORE_OK && is_pg)
            rc = store_exec(s, a, sql_lock_pg, 0, NULL, NULL);
        if (rc == STORE_OK)
            rc = store_query_i64(s, a, sql_seen, 1, p, &one, &found);
        for (int k = i; rc == STORE_OK && !found && k < j; k++) {
            const char *b = migration_files[k].backend;
            if (b[0] == 0 || strcmp(b, store_kind(s)) == 0)
                rc = store_exec_script(s, migration_files[k].sql);
        }
        if (rc == STORE_OK && !found) {
            p[1] = arena_i64(a, (int64_t)time(NULL));
            rc = store_exec(s, a, sql_record, 2, p, NULL);
            count++;
        }
        if (rc == STORE_OK)
            rc = store_commit(s);
        if (rc != STORE_OK) {
            snprintf(err, errlen, "migration %s failed: %s", name, store_errmsg(s));
            store_rollback(s);
            arena_free(a);
            return -1;
        }
        i = j;
    }
    arena_free(a);
    if (applied)
        *applied = count;
    return 0;
}
