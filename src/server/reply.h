/* Responses: JSON bodies, the one error envelope, lists with their CSV/XLSX exports, and the
 * transaction helpers that turn a storage failure into the right answer. A handler ends by calling
 * exactly one reply_* function; http.c queues what it set. */
#ifndef LINLI_REPLY_H
#define LINLI_REPLY_H
#include "core/files.h"
#include "server/http.h"

/* body is stolen (its reference passes to the reply). */
void reply_json(req *r, unsigned status, json_t *body);
/* The error envelope {"error":{"code","message","fields"}}; message in the caller's language.
 * fields (stolen, may be NULL) maps a field name to its message. */
void reply_error(req *r, unsigned status, const char *code, json_t *fields);
/* A body of bytes; data must come from malloc and is taken. */
void reply_bytes(req *r, unsigned status, const char *ctype, char *data, size_t len);
void reply_empty(req *r, unsigned status);
/* An extra response header; name and value must outlive the request (arena or static). */
void reply_header(req *r, const char *name, const char *value);
/* 409 for a constraint, 503 for a lock conflict, 500 for the rest. */
void reply_store_error(req *r, store_rc rc);
/* The answer for a file file_load did not give (core/files.h), after rolling back: 409
 * file_ref_invalid for a stored reference that is not one, 404 not_found, 409 file_damaged, 500.
 * Refused references and damaged files are logged, naming what (never the stored text). */
void reply_file_error(req *r, file_rc rc, const char *what);

/* Adds field: message (for code, in the caller's language) to *fields, creating it. */
void field_error(req *r, json_t **fields, const char *field, const char *code);

enum list_format { LIST_JSON, LIST_CSV, LIST_XLSX };
struct list_args {
    int64_t limit, offset;
    const char *q;    /* the search text, or NULL */
    const char *like; /* "%q%" with q's %, _ and \ escaped: every LIKE on it says ESCAPE '\', or NULL */
    enum list_format format;
};
/* Reads limit (default 50, at most 500; exports take everything), offset, q and format from the
 * query string. On bad input replies 422 and returns -1. */
int list_args_parse(req *r, struct list_args *la);
/* The same from the validated JSON body of a POST whose field list has q (F_STR), limit and offset
 * (F_INT) and format (F_ENUM json, csv, xlsx): a list asked for by POST because showing it is
 * audited. */
int list_args_body(req *r, struct list_args *la);
/* {"items": items, "total": total, ...extra}; or, for an export, the file. items and extra are
 * stolen; extra may be NULL. */
void reply_list(req *r, const struct list_args *la, json_t *items, int64_t total, json_t *extra);

/* One JSON key per selected column: 'i' integer, 's' string, 'n' string that may be NULL, 'b'
 * boolean (0/1), '-' skipped. */
struct colmap {
    const char *key;
    char type;
};
/* Row i of rows as a new object under map (ended by {0}). */
json_t *row_json(const store_rows *rows, int i, const struct colmap *map);
/* Every row of rows under map, as a new array. */
json_t *rows_json(const store_rows *rows, const struct colmap *map);

/* Kept answers (core/vcache.h), for reads whose whole state a cheap version names. A version reader
 * reads it from the database (never from memory, so another process's change shows at once) into
 * *out, or returns the error without replying. */
typedef store_rc (*version_fn)(req *r, const char **out);
/* Reads the version; serves the answer kept under key if it was made from it and returns 1; else
 * returns 0 with the version in *version (for reply_keep); -1 after replying the read's error. */
int reply_kept(req *r, const char *key, version_fn fn, const char **version);
/* Keeps this request's answer under key and version if it is a 200 JSON answer and fn still reads
 * that version: nothing was written while it was made (its reads ran outside a transaction). */
void reply_keep(req *r, const char *key, version_fn fn, const char *version);
/* The version of everything in the request's community: the heads of its audit chain and of its
 * fund chain ("-" for a chain not yet begun). Every change is audited in the transaction that makes
 * it, so this names the community's whole state. */
store_rc community_version(req *r, const char **out);

/* Transactions: 0 on success; on failure they have replied and return -1. In a request the router
 * runs (every request), db_commit does not commit: the request's writes stay in one transaction
 * until its answer is made, and the router then commits it (an answer below 500) or rolls it back
 * (500 or more); a commit that fails turns the answer into a 5xx and keeps nothing. A db_begin
 * after a db_commit goes on in the same transaction. So no write is ever kept under a 5xx. */
int db_begin(req *r);
int db_commit(req *r);
/* Rolls back and replies the error for rc. */
void db_fail(req *r, store_rc rc);
/* Rolls back the open transaction, if any, without replying. */
void db_rollback(req *r);

/* Shorthands for handlers: each runs a statement on the request's store and returns 0; on failure
 * it rolls back the open transaction (if any), replies the error and returns -1. */
int q_exec(req *r, const char *sql, int n, const char *const *p, store_rows **out);
int q_i64(req *r, const char *sql, int n, const char *const *p, int64_t *v, int *found);
/* The audit row of a change, in the open transaction; before/after borrowed. */
int q_audit(req *r, const char *action, const char *entity, int64_t entity_id, const json_t *before, const json_t *after);
/* Rolls back the open transaction (if any) and replies the error envelope. Always -1. */
int reply_fail(req *r, unsigned status, const char *code, json_t *fields);
/* Replies 422 with one field error. Always -1. */
int reply_field(req *r, const char *field, const char *code);
#endif
