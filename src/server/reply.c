/* Responses (see reply.h). Bodies are malloc'd and handed to libmicrohttpd, which frees them:
 * nothing a response carries points into the request arena. */
#include "server/reply.h"
#include "core/fault.h"
#include "core/audit.h"
#include "core/export.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/vcache.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void reply_bytes(req *r, unsigned status, const char *ctype, char *data, size_t len)
{
    free(r->resp);
    r->status = status;
    r->ctype = ctype;
    r->resp = data;
    r->resp_len = len;
}

void reply_json(req *r, unsigned status, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
    json_decref(body);
    if (text && json_alloc_failed) { /* the document may lack a field (see core/fault.h) */
        free(text);
        text = NULL;
    }
    if (!text) {
        /* Out of memory while rendering: a fixed body still keeps the envelope promise. */
        static const char oom_zh[] = "{\"error\":{\"code\":\"internal\",\"message\":\"服务器内存不足，请稍后再试\"}}";
        static const char oom_en[] = "{\"error\":{\"code\":\"internal\",\"message\":\"The server is out of memory; try again later\"}}";
        text = strdup(r->lang == LANG_EN ? oom_en : oom_zh);
        status = 500;
    }
    reply_bytes(r, status, "application/json; charset=utf-8", text, text ? strlen(text) : 0);
}

int reply_kept(req *r, const char *key, version_fn fn, const char **version)
{
    if (!r->db && !req_store(r)) /* it has replied */
        return -1;
    store_rc rc = fn(r, version);
    if (rc != STORE_OK) {
        reply_store_error(r, rc);
        return -1;
    }
    size_t len = 0;
    char *body = vcache_get(key, *version, &len);
    if (!body)
        return 0;
    reply_bytes(r, 200, "application/json; charset=utf-8", body, len);
    return 1;
}

void reply_keep(req *r, const char *key, version_fn fn, const char *version)
{
    const char *now = NULL;
    if (r->status == 200 && r->resp && r->ctype && strncmp(r->ctype, "application/json", 16) == 0 &&
        fn(r, &now) == STORE_OK && strcmp(now, version) == 0)
        vcache_put(key, version, r->resp, r->resp_len);
}

static const char sql_version[] =
    "SELECT (SELECT seq FROM audit_heads WHERE community_id = $1), (SELECT hash FROM audit_heads WHERE community_id = $1), "
    "(SELECT seq FROM fund_heads WHERE community_id = $1), (SELECT hash FROM fund_heads WHERE community_id = $1)";

store_rc community_version(req *r, const char **out)
{
    store_rows *v = NULL;
    store_rc rc = store_exec(r->db, r->a, sql_version, 1, (const char *[]){arena_i64(r->a, r->community_id)}, &v);
    if (rc != STORE_OK)
        return rc;
    const char *c[4]; /* NULL for a chain not yet begun */
    for (int j = 0; j < 4; j++)
        c[j] = store_cell(v, 0, j) ? store_cell(v, 0, j) : "-";
    *out = arena_printf(r->a, "%s %s %s %s", c[0], c[1], c[2], c[3]);
    return STORE_OK;
}

void reply_error(req *r, unsigned status, const char *code, json_t *fields)
{
    /* A refusal for bad fields always names them; without them, they could not be allocated. */
    if (status == 422 && strcmp(code, "validation_failed") == 0 && (!fields || json_object_size(fields) == 0)) {
        status = 500;
        code = "internal";
    }
    json_t *err = json_pack("{s:s, s:s}", "code", code, "message", i18n_text(r->lang, code));
    if (err && fields) {
        if (json_object_set_new(err, "fields", fields) != 0) {
            json_decref(err); /* a refusal that cannot say why becomes a 500 below */
            err = NULL;
        }
    } else
        json_decref(fields);
    /* Out of memory: reply_json answers its fixed 500 for a NULL body. */
    reply_json(r, status, err ? json_pack("{s:o}", "error", err) : NULL);
}

void reply_empty(req *r, unsigned status)
{
    reply_bytes(r, status, NULL, NULL, 0);
}

void reply_header(req *r, const char *name, const char *value)
{
    if (r->nhdr < (int)(sizeof r->hdr_name / sizeof r->hdr_name[0])) {
        r->hdr_name[r->nhdr] = name;
        r->hdr_value[r->nhdr] = value;
        r->nhdr++;
    }
}

void reply_store_error(req *r, store_rc rc)
{
    if (rc == STORE_CONSTRAINT)
        reply_error(r, 409, "conflict", NULL);
    else if (rc == STORE_BUSY)
        reply_error(r, 503, "unavailable", NULL);
    else if (rc == STORE_FULL)
        reply_error(r, 507, "insufficient_storage", NULL);
    else {
        /* The path and the database's message (which may quote a value) came from the client. */
        char method[64], url[1024], msg[1024];
        fprintf(stderr, "linli: store error on %s %s: %s\n", log_escape(method, sizeof method, r->method),
                log_escape(url, sizeof url, r->url), log_escape(msg, sizeof msg, r->db ? store_errmsg(r->db) : "?"));
        reply_error(r, 500, "internal", NULL);
    }
}

void reply_file_error(req *r, file_rc rc, const char *what)
{
    if (rc == FILE_MISSING) {
        reply_fail(r, 404, "not_found", NULL);
        return;
    }
    if (rc == FILE_ERROR) {
        fprintf(stderr, "linli: cannot read %s in community %lld: %s\n", what, (long long)r->community_id, strerror(errno));
        reply_fail(r, 500, "internal", NULL);
        return;
    }
    /* Either is a sign that someone wrote the row or the attachment folder by hand: say so. */
    fprintf(stderr, "linli: refused %s in community %lld: %s\n", what, (long long)r->community_id,
            rc == FILE_BAD_REF ? "its stored reference is not sha256: and 64 hex characters" : "the file is not the one stored (a link, or other bytes)");
    reply_fail(r, 409, rc == FILE_BAD_REF ? "file_ref_invalid" : "file_damaged", NULL);
}

void field_error(req *r, json_t **fields, const char *field, const char *code)
{
    if (!*fields)
        *fields = json_object();
    if (*fields && !json_object_get(*fields, field))
        json_object_set_new(*fields, field, json_string(i18n_text(r->lang, code)));
}

static int parse_count(const char *s, int64_t *out)
{
    char *end;
    if (!s || !*s)
        return -1;
    long long v = strtoll(s, &end, 10);
    if (*end || v < 0)
        return -1;
    *out = v;
    return 0;
}

/* "%q%" with q's own %, _ and \ escaped by \, for ILIKE … ESCAPE '\': the text matches itself. */
static const char *like_pattern(arena *a, const char *q)
{
    size_t n = strlen(q);
    char *out = arena_alloc(a, 2 * n + 3), *o = out;
    *o++ = '%';
    for (const char *c = q; *c; c++) {
        if (*c == '%' || *c == '_' || *c == '\\')
            *o++ = '\\';
        *o++ = *c;
    }
    *o++ = '%';
    *o = 0;
    return out;
}

/* What both readers of list arguments do once limit, offset, format and q are read. */
static int list_args_finish(req *r, struct list_args *la, json_t *fields)
{
    if (la->limit > 500)
        la->limit = 500;
    if (la->format != LIST_JSON) {
        la->limit = 1000000;
        la->offset = 0;
    }
    if (la->q && !*la->q)
        la->q = NULL;
    if (la->q && strlen(la->q) > 100)
        field_error(r, &fields, "q", "too_long");
    la->like = la->q ? like_pattern(r->a, la->q) : NULL;
    if (fields) {
        reply_fail(r, 422, "validation_failed", fields);
        return -1;
    }
    return 0;
}

static int parse_format(const char *s, enum list_format *f)
{
    if (strcmp(s, "csv") == 0)
        *f = LIST_CSV;
    else if (strcmp(s, "xlsx") == 0)
        *f = LIST_XLSX;
    else if (strcmp(s, "json") == 0)
        *f = LIST_JSON;
    else
        return -1;
    return 0;
}

int list_args_parse(req *r, struct list_args *la)
{
    json_t *fields = NULL;
    const char *s;
    la->limit = 50;
    la->offset = 0;
    la->format = LIST_JSON;
    if ((s = req_query(r, "limit")) && (parse_count(s, &la->limit) || la->limit < 1))
        field_error(r, &fields, "limit", "must_be_positive");
    if ((s = req_query(r, "offset")) && parse_count(s, &la->offset))
        field_error(r, &fields, "offset", "not_a_number");
    if ((s = req_query(r, "format")) && parse_format(s, &la->format) != 0)
        field_error(r, &fields, "format", "invalid_format");
    la->q = req_query(r, "q");
    return list_args_finish(r, la, fields);
}

int list_args_body(req *r, struct list_args *la)
{
    json_t *fields = NULL, *v;
    la->limit = 50;
    la->offset = 0;
    la->format = LIST_JSON;
    if ((v = json_object_get(r->in, "limit")) && (la->limit = json_integer_value(v)) < 1)
        field_error(r, &fields, "limit", "must_be_positive");
    if ((v = json_object_get(r->in, "offset")))
        la->offset = json_integer_value(v);
    if ((v = json_object_get(r->in, "format")) && parse_format(json_string_value(v), &la->format) != 0)
        field_error(r, &fields, "format", "invalid_format");
    la->q = json_string_value(json_object_get(r->in, "q"));
    return list_args_finish(r, la, fields);
}

void reply_list(req *r, const struct list_args *la, json_t *items, int64_t total, json_t *extra)
{
    if (la->format == LIST_JSON || !r->route->columns) {
        json_t *body = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total);
        if (body && extra)
            json_object_update(body, extra);
        json_decref(extra);
        reply_json(r, 200, body);
        return;
    }
    json_decref(extra);
    /* The file is named for the last fixed segment of the path: ".../people" → people.csv; for a
     * list shown by POST, the one before it (".../people/unmask" → people.csv). */
    const char *path = r->route->path, *p = strrchr(path, '/');
    const char *base = p ? arena_strdup(r->a, p + 1) : "export";
    if (p && (r->route->flags & R_VIEW)) {
        const char *q = p;
        while (q > path && q[-1] != '/')
            q--;
        base = q > path ? arena_strndup(r->a, q, (size_t)(p - q)) : base;
    }
    size_t len = 0;
    char *data;
    if (la->format == LIST_CSV) {
        data = export_csv(items, r->route->columns, r->lang, &len);
        reply_bytes(r, 200, "text/csv; charset=utf-8", data, len);
        reply_header(r, "Content-Disposition", arena_printf(r->a, "attachment; filename=\"%s.csv\"", base));
    } else {
        data = export_xlsx(items, r->route->columns, r->lang, base, &len);
        reply_bytes(r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data, len);
        reply_header(r, "Content-Disposition", arena_printf(r->a, "attachment; filename=\"%s.xlsx\"", base));
    }
    json_decref(items);
    if (!data)
        reply_error(r, 500, "internal", NULL);
}

int db_begin(req *r)
{
    store *s = req_store(r);
    if (!s)
        return -1;
    if (r->router_commits && store_in_transaction(s)) {
        r->in_tx = 1;
        return 0; /* the request's one transaction goes on: the router commits it (router.h) */
    }
    store_rc rc = store_begin(s);
    if (rc != STORE_OK) {
        reply_store_error(r, rc);
        return -1;
    }
    r->in_tx = 1;
    return 0;
}

int db_commit(req *r)
{
    if (r->router_commits)
        return 0; /* not yet: the router commits once the answer is made, or rolls back (router.h) */
    store_rc rc = store_commit(r->db);
    if (rc != STORE_OK) {
        db_fail(r, rc);
        return -1;
    }
    r->in_tx = 0;
    return 0;
}

void db_fail(req *r, store_rc rc)
{
    int again = rc == STORE_BUSY && store_retryable(r->db); /* asked before the rollback */
    store_rollback(r->db);
    r->in_tx = 0;
    r->retry = again;
    reply_store_error(r, rc);
}

void db_rollback(req *r)
{
    /* A handler may have rolled back by store_rollback itself, leaving in_tx set; the engine knows. */
    if (r->in_tx || (r->db && store_in_transaction(r->db)))
        store_rollback(r->db);
    r->in_tx = 0;
}

int reply_fail(req *r, unsigned status, const char *code, json_t *fields)
{
    db_rollback(r);
    reply_error(r, status, code, fields);
    return -1;
}

int reply_field(req *r, const char *field, const char *code)
{
    json_t *fields = NULL;
    field_error(r, &fields, field, code);
    return reply_fail(r, 422, "validation_failed", fields);
}

int q_exec(req *r, const char *sql, int n, const char *const *p, store_rows **out)
{
    store *s = r->db ? r->db : req_store(r);
    if (!s)
        return -1;
    store_rc rc = store_exec(s, r->a, sql, n, p, out);
    if (rc == STORE_OK)
        return 0;
    if (r->in_tx)
        db_fail(r, rc);
    else
        reply_store_error(r, rc);
    return -1;
}

int q_i64(req *r, const char *sql, int n, const char *const *p, int64_t *v, int *found)
{
    store_rows *rows = NULL;
    if (q_exec(r, sql, n, p, &rows) != 0)
        return -1;
    *found = rows->nrows > 0;
    if (*found)
        *v = store_cell_i64(rows, 0, 0);
    return 0;
}

int q_audit(req *r, const char *action, const char *entity, int64_t entity_id, const json_t *before, const json_t *after)
{
    store_rc rc = audit_append(r->db, r->a, r->community_id, r->account_id, r->login, action, entity,
                               entity_id ? arena_i64(r->a, entity_id) : NULL, before, after);
    if (rc == STORE_OK)
        return 0;
    db_fail(r, rc);
    return -1;
}

json_t *row_json(const store_rows *rows, int i, const struct colmap *map)
{
    json_t *o = json_object();
    for (int j = 0; map[j].key; j++) {
        const char *v = store_cell(rows, i, j);
        json_t *jv;
        if (map[j].type == '-')
            continue;
        if (!v)
            jv = json_null();
        else if (map[j].type == 'i')
            jv = json_integer(store_cell_i64(rows, i, j));
        else if (map[j].type == 'b')
            jv = json_boolean(store_cell_i64(rows, i, j) != 0);
        else
            jv = json_string(v);
        json_object_set_new(o, map[j].key, jv);
    }
    return o;
}

json_t *rows_json(const store_rows *rows, const struct colmap *map)
{
    json_t *a = json_array();
    for (int i = 0; i < rows->nrows; i++)
        json_array_append_new(a, row_json(rows, i, map));
    return a;
}
