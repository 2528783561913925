/* Tests of the storage seam against real databases: migrations, the Citus rule over the whole
 * schema (community_id leads every tenant table's primary key and foreign keys), the append-only
 * audit log and its hash chain, that every sealed column is one `linli rekey` knows (core/rekey.h),
 * and that a search matches Latin letters whatever their case on both engines. SQLite always;
 * PostgreSQL too when LINLI_TEST_PG names an empty database. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "core/audit.h"
#include "core/rekey.h"
#include "store/migrate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Tables above any one community (reference tables under Citus). Adding one is a decision. */
static const char *const global_tables[] = {"schema_migrations", "districts", "towns", "accounts",
                                            "global_roles", "sessions", "id_seq", "rekey_marker", NULL};

static int is_global(const char *t)
{
    for (int i = 0; global_tables[i]; i++)
        if (strcmp(global_tables[i], t) == 0)
            return 1;
    return 0;
}

static char sqlite_path[64];

static store *open_sqlite(void)
{
    char url[80], err[256];
    snprintf(url, sizeof url, "sqlite:%s", sqlite_path);
    store *s = NULL;
    assert_int_equal(store_open(url, &s, err, sizeof err), STORE_OK);
    return s;
}

/* The PostgreSQL database LINLI_TEST_PG names, migrated; the test is skipped without one. */
static store *open_pg(void)
{
    const char *url = getenv("LINLI_TEST_PG");
    if (!url || !*url)
        skip();
    store *s = NULL;
    char err[512];
    assert_int_equal(store_open(url, &s, err, sizeof err), STORE_OK);
    assert_int_equal(migrate_apply(s, NULL, err, sizeof err), 0);
    return s;
}

static void test_migrate_twice(void **state)
{
    (void)state;
    store *s = open_sqlite();
    char err[256];
    int applied = -1;
    assert_int_equal(migrate_apply(s, &applied, err, sizeof err), 0);
    assert_true(applied >= 2);
    assert_int_equal(migrate_apply(s, &applied, err, sizeof err), 0);
    assert_int_equal(applied, 0);
    store_close(s);
}

static const char sql_tables_sqlite[] =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
static const char sql_pk_sqlite[] = "SELECT name FROM pragma_table_info($1) WHERE pk > 0 ORDER BY pk";
static const char sql_fk_sqlite[] =
    "SELECT \"table\", \"from\" FROM pragma_foreign_key_list($1) WHERE seq = 0";
static const char sql_tables_pg[] =
    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename";
static const char sql_pk_pg[] =
    "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
    "WHERE i.indrelid = CAST($1 AS regclass) AND i.indisprimary";
static const char sql_fk_pg[] =
    "SELECT CAST(CAST(c.confrelid AS regclass) AS text), a.attname FROM pg_constraint c "
    "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
    "WHERE c.contype = 'f' AND c.conrelid = CAST($1 AS regclass)";

static void check_citus_rule(store *s, const char *tables_sql, const char *pk_sql, const char *fk_sql)
{
    arena *a = arena_new();
    store_rows *tables = NULL;
    assert_int_equal(store_exec(s, a, tables_sql, 0, NULL, &tables), STORE_OK);
    int tenant = 0;
    for (int i = 0; i < tables->nrows; i++) {
        const char *t = store_cell(tables, i, 0);
        if (is_global(t))
            continue;
        tenant++;
        store_rows *pk = NULL, *fk = NULL;
        const char *p[1] = {t};
        assert_int_equal(store_exec(s, a, pk_sql, 1, p, &pk), STORE_OK);
        if (pk->nrows == 0 || strcmp(store_cell(pk, 0, 0), "community_id") != 0)
            fail_msg("table %s: its primary key must start with community_id", t);
        assert_int_equal(store_exec(s, a, fk_sql, 1, p, &fk), STORE_OK);
        for (int j = 0; j < fk->nrows; j++)
            if (!is_global(store_cell(fk, j, 0)) && strcmp(store_cell(fk, j, 1), "community_id") != 0)
                fail_msg("table %s: its foreign key to %s must start with community_id", t, store_cell(fk, j, 0));
    }
    assert_true(tenant >= 8);
    arena_free(a);
}

static void test_citus_rule_sqlite(void **state)
{
    (void)state;
    store *s = open_sqlite();
    check_citus_rule(s, sql_tables_sqlite, sql_pk_sqlite, sql_fk_sqlite);
    store_close(s);
}

static void test_citus_rule_pg(void **state)
{
    (void)state;
    store *s = open_pg();
    check_citus_rule(s, sql_tables_pg, sql_pk_pg, sql_fk_pg);
    store_close(s);
}

/* Every column named *_enc or *_private holds sealed values, every *_idx the look-up hash of the
 * *_enc beside it: each must be in sealed_columns (src/modules/sealed.c), or `linli rekey` would
 * leave it under the old key. */
static const char sql_columns_sqlite[] =
    "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY 1, 2";
static const char sql_columns_pg[] =
    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY 1, 2";

static const struct sealed_column *sealed_named(const char *name)
{
    for (int i = 0; i < sealed_column_count; i++)
        if (strcmp(sealed_columns[i].name, name) == 0)
            return &sealed_columns[i];
    return NULL;
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

static void check_sealed_listed(store *s, const char *columns_sql)
{
    arena *a = arena_new();
    store_rows *cols = NULL;
    assert_int_equal(store_exec(s, a, columns_sql, 0, NULL, &cols), STORE_OK);
    int seen = 0;
    for (int i = 0; i < cols->nrows; i++) {
        const char *t = store_cell(cols, i, 0), *c = store_cell(cols, i, 1);
        char name[160];
        if (ends_with(c, "_enc") || ends_with(c, "_private")) {
            snprintf(name, sizeof name, "%s.%s", t, c);
            if (!sealed_named(name))
                fail_msg("%s holds sealed values but is not in sealed_columns (src/modules/sealed.c)", name);
            seen++;
        } else if (ends_with(c, "_idx")) {
            snprintf(name, sizeof name, "%s.%.*s_enc", t, (int)(strlen(c) - 4), c);
            const struct sealed_column *sc = sealed_named(name);
            if (!sc || !sc->look_up)
                fail_msg("%s.%s is a keyed look-up hash, but %s is not in sealed_columns with look_up", t, c, name);
        }
    }
    assert_true(seen >= 8);
    arena_free(a);
}

static void test_sealed_listed_sqlite(void **state)
{
    (void)state;
    store *s = open_sqlite();
    char err[256];
    assert_int_equal(migrate_apply(s, NULL, err, sizeof err), 0);
    check_sealed_listed(s, sql_columns_sqlite);
    store_close(s);
}

static void test_sealed_listed_pg(void **state)
{
    (void)state;
    store *s = open_pg();
    check_sealed_listed(s, sql_columns_pg);
    store_close(s);
}

static void append(store *s, arena *a, int64_t community, const char *what)
{
    json_t *after = json_pack("{s:s}", "what", what);
    assert_int_equal(store_begin(s), STORE_OK);
    assert_int_equal(audit_append(s, a, community, 1, "tester", "create", "thing", what, NULL, after), STORE_OK);
    assert_int_equal(store_commit(s), STORE_OK);
    json_decref(after);
}

static void test_audit_chain(void **state)
{
    (void)state;
    store *s = open_sqlite();
    arena *a = arena_new();
    for (int i = 0; i < 5; i++)
        append(s, a, 0, i % 2 ? "odd" : "even");
    append(s, a, 42, "elsewhere");
    long rows = 0;
    char bad[256];
    assert_int_equal(audit_verify(s, &rows, bad, sizeof bad), 0);
    assert_int_equal(rows, 6);
    /* The database itself refuses to change the log. */
    assert_int_not_equal(store_exec_script(s, "UPDATE audit_log SET actor = 'x' WHERE seq = 2"), STORE_OK);
    assert_int_not_equal(store_exec_script(s, "DELETE FROM audit_log WHERE seq = 5"), STORE_OK);
    /* Someone with the file in hand removes the guard and edits a row: verify names it. */
    assert_int_equal(store_exec_script(s, "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"
                                          "UPDATE audit_log SET after_json = '{\"what\":\"forged\"}' WHERE community_id = 0 AND seq = 3"),
                     STORE_OK);
    assert_int_equal(audit_verify(s, &rows, bad, sizeof bad), -1);
    assert_non_null(strstr(bad, "community 0, seq 3"));
    store_close(s);
    arena_free(a);
}

static void test_audit_deleted_tail(void **state)
{
    (void)state;
    store *s = open_sqlite();
    long rows;
    char bad[256];
    /* Restore seq 3 is impossible; instead check a deleted last row in community 42. */
    assert_int_equal(store_exec_script(s, "DELETE FROM audit_log WHERE community_id = 42"), STORE_OK);
    assert_int_equal(store_exec_script(s, "DELETE FROM audit_log WHERE community_id = 0 AND seq >= 3"), STORE_OK);
    /* community 0 now ends at seq 2 while its head says 5. */
    assert_int_equal(audit_verify(s, &rows, bad, sizeof bad), -1);
    assert_non_null(strstr(bad, "community 0, seq 3"));
    store_close(s);
}

static void test_placeholders_and_errors(void **state)
{
    (void)state;
    store *s = open_sqlite();
    arena *a = arena_new();
    static const char sql[] = "SELECT $2 || '$1' || $1";
    const char *p[2] = {"a", "b"};
    store_rows *rows = NULL;
    assert_int_equal(store_exec(s, a, sql, 2, p, &rows), STORE_OK);
    assert_string_equal(store_cell(rows, 0, 0), "b$1a"); /* $1 inside a literal stays */
    static const char dup[] = "INSERT INTO districts (id, name) VALUES ($1, $2)";
    const char *d[2] = {"1", "顺德区"};
    assert_int_equal(store_exec(s, a, dup, 2, d, NULL), STORE_OK);
    d[0] = "2";
    assert_int_equal(store_exec(s, a, dup, 2, d, NULL), STORE_CONSTRAINT);
    int64_t id1, id2;
    assert_int_equal(store_begin(s), STORE_OK);
    assert_int_equal(store_next_id(s, a, &id1), STORE_OK);
    assert_int_equal(store_next_id(s, a, &id2), STORE_OK);
    assert_int_equal(store_commit(s), STORE_OK);
    assert_int_equal(id2, id1 + 1);
    char err[128];
    store *bad = NULL;
    assert_int_equal(store_open("mysql://x", &bad, err, sizeof err), STORE_ERROR);
    assert_non_null(strstr(err, "sqlite:PATH"));
    arena_free(a);
    store_close(s);
}

/* A search matches Latin letters whatever their case, the same on both engines (store.h): ILIKE, which
 * the SQLite engine rewrites to its LIKE; a word that only contains ILIKE, and ILIKE in a literal, stay. */
static void check_search(store *s)
{
    arena *a = arena_new();
    static const char sql[] =
        "SELECT CASE WHEN CAST($1 AS TEXT) ILIKE CAST($2 AS TEXT) ESCAPE '\\' THEN 'yes' ELSE 'no' END, 'ILIKE x', 1 AS ILIKE_N";
    static const char *const cases[][3] = {
        {"Yoga 瑜伽班", "%yoga%", "yes"}, {"yoga", "%YOGA%", "yes"}, {"书画班", "%书画%", "yes"},
        {"a_b", "%a\\_b%", "yes"}, {"axb", "%a\\_b%", "no"}, {"100%", "%0\\%%", "yes"}, {"Tai Chi", "%yoga%", "no"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *p[2] = {cases[i][0], cases[i][1]};
        store_rows *rows = NULL;
        assert_int_equal(store_exec(s, a, sql, 2, p, &rows), STORE_OK);
        if (strcmp(store_cell(rows, 0, 0), cases[i][2]) != 0)
            fail_msg("%s: '%s' ILIKE '%s' gave %s", store_kind(s), cases[i][0], cases[i][1], store_cell(rows, 0, 0));
        assert_string_equal(store_cell(rows, 0, 1), "ILIKE x");
        assert_string_equal(rows->names[2], store_kind(s)[0] == 's' ? "ILIKE_N" : "ilike_n");
    }
    arena_free(a);
}

static void test_search_sqlite(void **state)
{
    (void)state;
    store *s = open_sqlite();
    check_search(s);
    store_close(s);
}

static void test_search_pg(void **state)
{
    (void)state;
    store *s = open_pg();
    check_search(s);
    store_close(s);
}

int main(void)
{
    snprintf(sqlite_path, sizeof sqlite_path, "/tmp/linli-store-test-%d.db", (int)getpid());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrate_twice),
        cmocka_unit_test(test_citus_rule_sqlite),
        cmocka_unit_test(test_citus_rule_pg),
        cmocka_unit_test(test_sealed_listed_sqlite),
        cmocka_unit_test(test_sealed_listed_pg),
        cmocka_unit_test(test_audit_chain),
        cmocka_unit_test(test_audit_deleted_tail),
        cmocka_unit_test(test_placeholders_and_errors),
        cmocka_unit_test(test_search_sqlite),
        cmocka_unit_test(test_search_pg),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char path[96];
    unlink(sqlite_path);
    snprintf(path, sizeof path, "%s-wal", sqlite_path);
    unlink(path);
    snprintf(path, sizeof path, "%s-shm", sqlite_path);
    unlink(path);
    return rc;
}
