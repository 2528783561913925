/* The router (see router.h). Matching compares path segments; a segment in braces matches any
 * one segment. With some tens of routes a linear scan costs less than the request's first syscall. */
#include "server/router.h"
#include "auth/roles.h"
#include "auth/session.h"
#include "core/fault.h"
#include "core/validate.h"
#include "server/idem.h"
#include "server/reply.h"
#include <arpa/inet.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <strings.h>

static int match_path(const char *pattern, const char *path, const char **pv, int *npv, arena *a)
{
    int n = 0;
    const char *p = pattern, *u = path;
    while (*p && *u) {
        if (*p != '/' || *u != '/')
            return 0;
        p++;
        u++;
        const char *pe = strchr(p, '/'), *ue = strchr(u, '/');
        size_t pl = pe ? (size_t)(pe - p) : strlen(p), ul = ue ? (size_t)(ue - u) : strlen(u);
        if (*p == '{') {
            if (ul == 0 || n >= MAX_PATH_PARAMS)
                return 0;
            if (pv)
                pv[n] = a ? arena_strndup(a, u, ul) : NULL;
            n++;
        } else if (pl != ul || strncmp(p, u, pl) != 0) {
            return 0;
        }
        p += pl;
        u += ul;
    }
    if (*p || *u)
        return 0;
    if (npv)
        *npv = n;
    return 1;
}

const route *router_match(const char *method, const char *path, const char **pv, int *npv, int *path_known)
{
    *path_known = 0;
    for (int m = 0; m < module_count; m++)
        for (int i = 0; i < modules[m]->nroutes; i++) {
            const route *rt = &modules[m]->routes[i];
            if (!match_path(rt->path, path, NULL, NULL, NULL))
                continue;
            *path_known = 1;
            if (strcmp(rt->method, method) == 0 || (strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0)) {
                (void)pv; /* the values are copied into the request's arena by router_handle */
                (void)npv;
                return rt;
            }
        }
    return NULL;
}

/* One row per role the caller holds in the community (one row with a NULL role if none); no row
 * if there is no such community. */
static const char sql_scope[] =
    "SELECT t.district_id, g.role FROM communities c JOIN towns t ON t.id = c.town_id "
    "LEFT JOIN role_grants g ON g.community_id = c.community_id AND g.account_id = $2 "
    "WHERE c.community_id = $1";

/* Sets r->community_id and r->roles for the community in the path. -1 after replying. */
static int scope_community(req *r)
{
    r->community_id = req_param_i64(r, 0);
    store *s = req_store(r);
    if (!s)
        return -1;
    store_rows *rows = NULL;
    const char *p[2] = {arena_i64(r->a, r->community_id), arena_i64(r->a, r->account_id)};
    store_rc rc = r->community_id > 0 ? store_exec(s, r->a, sql_scope, 2, p, &rows) : STORE_OK;
    if (rc != STORE_OK) {
        reply_store_error(r, rc);
        return -1;
    }
    if (!rows || rows->nrows == 0) {
        reply_error(r, 404, "not_found", NULL);
        return -1;
    }
    int64_t district = store_cell_i64(rows, 0, 0);
    r->roles = r->global_roles & ROLE_ADMIN;
    if ((r->global_roles & ROLE_DISTRICT_ADMIN) && r->district_id == district)
        r->roles |= ROLE_DISTRICT_ADMIN;
    for (int i = 0; i < rows->nrows; i++)
        if (store_cell(rows, i, 1))
            r->roles |= role_from_name(store_cell(rows, i, 1));
    return 0;
}

static int is_write(const char *m)
{
    return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

static int content_type_is(req *r, const char *want)
{
    const char *ct = req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
    return ct && strncasecmp(ct, want, strlen(want)) == 0;
}

/* When the request comes from a proxy named by --trust-proxy, the client is the last address of
 * X-Forwarded-For (the one that proxy added) and X-Forwarded-Proto may be believed (r->via_proxy).
 * From anyone else both headers are the client's own words and count for nothing. */
static void resolve_proxy(req *r)
{
    unsigned char peer[4];
    if (!r->client_ip || inet_pton(AF_INET, r->client_ip, peer) != 1)
        return;
    for (int i = 0; i < r->app->ntrust_proxy; i++)
        if (memcmp(peer, r->app->trust_proxy[i], sizeof peer) == 0)
            r->via_proxy = 1;
    const char *xff = r->via_proxy ? req_header(r, "X-Forwarded-For") : NULL;
    if (!xff)
        return;
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    last += strspn(last, " \t");
    char ip[INET6_ADDRSTRLEN];
    size_t n = strcspn(last, " \t");
    unsigned char bin[16];
    if (n == 0 || n >= sizeof ip)
        return;
    memcpy(ip, last, n);
    ip[n] = 0;
    if (inet_pton(AF_INET, ip, bin) == 1 || inet_pton(AF_INET6, ip, bin) == 1)
        r->client_ip = arena_strdup(r->a, ip);
}

/* Throws away the answer made so far (the request is run again, or answers otherwise). */
static void reply_reset(req *r)
{
    free(r->resp);
    r->resp = NULL;
    r->resp_len = 0;
    r->static_body = NULL;
    r->ctype = NULL;
    r->status = 0;
    r->nhdr = 0;
}

/* Commits the request's transaction if its answer is below 500, else rolls it back. A commit that
 * fails keeps nothing: the answer becomes 503 (507 for a full disk), or, when running the request
 * again may cure it, r->retry is set. */
static void commit_point(req *r)
{
    if (!r->db || !store_in_transaction(r->db)) {
        r->in_tx = 0;
        return;
    }
    if (r->status >= 500) {
        db_rollback(r);
        return;
    }
    store_rc rc = store_commit(r->db);
    if (rc == STORE_OK) {
        r->in_tx = 0;
        return;
    }
    int again = rc == STORE_BUSY && store_retryable(r->db);
    db_rollback(r);
    reply_reset(r);
    r->retry = again;
    reply_error(r, rc == STORE_FULL ? 507 : 503, rc == STORE_FULL ? "insufficient_storage" : "commit_failed", NULL);
}

/* Whether the request uses the field (field_spec.perm): a bool true, a non-empty string (equal to
 * perm_value when the field names one), or any other value sent. */
static int field_used(const field_spec *f, const json_t *v)
{
    if (!v || json_is_null(v) || json_is_false(v))
        return 0;
    if (json_is_string(v))
        return *json_string_value(v) && (!f->perm_value || strcmp(json_string_value(v), f->perm_value) == 0);
    return 1;
}

/* The body's fields that need a permission of their own: 0, or -1 after a 403 naming them. */
static int fields_allowed(req *r, const field_spec *body)
{
    json_t *fields = NULL;
    for (const field_spec *f = body; f->name; f++)
        if (f->perm && field_used(f, json_object_get(r->in, f->name)) && !perm_allows(f->perm, r->roles))
            field_error(r, &fields, f->name, "field_forbidden");
    if (!fields)
        return 0;
    reply_error(r, 403, "forbidden", fields);
    return -1;
}

static void handle(req *r)
{
    const route *rt = r->route;
    resolve_proxy(r);
    int npv = 0;
    const char *path = r->url;
    match_path(rt->path, path, r->pv, &npv, r->a);
    r->npv = npv;

    if (session_authenticate(r) != 0)
        return;
    /* A state-changing request that rides on a session cookie must prove it came from our page. */
    if (r->account_id && is_write(r->method)) {
        const char *t = req_header(r, "X-CSRF-Token");
        if (!t || !crypto_str_equal(t, r->csrf)) {
            if (!(rt->flags & R_PUBLIC)) {
                reply_error(r, 403, "csrf_failed", NULL);
                return;
            }
            /* A public write (logging in again, say) goes on, but never with the session's authority. */
            r->account_id = 0;
            r->login = r->display_name = r->csrf = r->session_hash = NULL;
            r->global_roles = 0;
        }
    }
    if (!(rt->flags & R_PUBLIC) && !r->account_id) {
        reply_error(r, 401, "unauthorized", NULL);
        return;
    }
    if (strstr(rt->path, "{community_id}")) {
        if (scope_community(r) != 0)
            return;
    } else {
        r->roles = r->global_roles;
        if (r->account_id && !r->roles)
            r->roles = ROLE_RESIDENT; /* any logged-in account holds the "session" permission */
    }
    if (!(rt->flags & R_PUBLIC) && !perm_allows(rt->perm, r->roles)) {
        reply_error(r, 403, "forbidden", NULL);
        return;
    }
    if (rt->flags & R_RAW_BODY) {
        /* the handler looks at the bytes themselves */
    } else if (rt->flags & R_CSV_BODY) {
        if (!content_type_is(r, "text/csv") && !content_type_is(r, "text/plain")) {
            reply_error(r, 415, "unsupported_media_type", NULL);
            return;
        }
    } else if (rt->body) {
        if (!content_type_is(r, "application/json")) {
            reply_error(r, 415, "unsupported_media_type", NULL);
            return;
        }
        json_error_t jerr;
        r->in = json_parse(r->body ? r->body : "", r->body_len, JSON_REJECT_DUPLICATES, &jerr);
        /* A failed allocation during the parse spoils it (core/fault.h). */
        if (json_alloc_failed || (!r->in && json_error_code(&jerr) == json_error_out_of_memory)) {
            json_decref(r->in);
            r->in = NULL;
            reply_error(r, 500, "internal", NULL);
            return;
        }
        if (!r->in || !json_is_object(r->in)) {
            reply_error(r, 400, "invalid_json", NULL);
            return;
        }
        json_t *fields = NULL;
        if (validate_body(r, rt->body, r->in, strcmp(r->method, "PATCH") == 0, &fields) != 0) {
            reply_error(r, 422, "validation_failed", fields); /* a 500 if the reasons could not be allocated */
            return;
        }
        validate_drop_absent(rt->body, r->in);
        if (fields_allowed(r, rt->body) != 0)
            return;
    }
    /* The commit point. The handler's writes stay in one transaction (db_commit defers to here);
     * once its answer is made, an answer below 500 commits them and one of 500 or more rolls them
     * back. A transaction PostgreSQL aborted as a serialization failure or deadlock, in the handler
     * or at the commit, is run again, up to three times in all, after a short random pause; its
     * answer so far is thrown away. Handlers that keep files (raw bodies) are not run twice. */
    for (int attempt = 1;; attempt++) {
        r->retry = 0;
        r->router_commits = 1;
        if (idem_begin(r) == 0)
            rt->fn(r);
        r->router_commits = 0;
        if (!r->status)
            reply_error(r, 500, "internal", NULL);
        if (!r->retry) {
            idem_finish(r);
            commit_point(r);
        }
        if (!r->retry || attempt == 3 || (rt->flags & R_RAW_BODY))
            break;
        reply_reset(r);
        uint32_t pause = randombytes_uniform(5000) + 1000u * (uint32_t)attempt;
        usleep(pause);
    }
}

void router_handle(req *r)
{
    /* The recovery point for running out of memory in the arena (see arena_on_oom): whatever the
     * request was doing is abandoned, its transaction rolled back, and it answers 500. */
    jmp_buf oom;
    if (setjmp(oom)) {
        r->router_commits = 0;
        db_rollback(r);
        reply_error(r, 500, "internal", NULL);
        return;
    }
    json_alloc_failed = 0; /* from here on, one failed JSON allocation spoils the request */
    arena_on_oom(r->a, &oom);
    handle(r);
    arena_on_oom(r->a, NULL);
}
