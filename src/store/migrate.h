/* Versioned schema migrations, embedded in the binary at build time (tools/embed_sql.py). */
#ifndef LINLI_MIGRATE_H
#define LINLI_MIGRATE_H
#include "store/store.h"

struct migration_file {
    const char *name;    /* "0001_core": applied in name order, once */
    const char *backend; /* "" for every backend, else "sqlite" or "postgresql" */
    const char *sql;
};
extern const struct migration_file migration_files[];
extern const int migration_file_count;

/* Applies every migration the database has not seen, each in its own transaction. Returns 0, or
 * -1 with a message in err. *applied (may be NULL) counts what it applied. */
int migrate_apply(store *s, int *applied, char *err, size_t errlen);
#endif
