/* libmicrohttpd glue: the daemon (epoll, a thread pool, limits on connections, time and memory),
 * the two-call handler idiom, request bodies up to the route's limit, the request context and its
 * arena (released once, when the request completes), the thread's database connection, the checks
 * of a request's framing and address before anything reads it, the security headers of every
 * answer, the access log, and a graceful stop on SIGTERM/SIGINT. */
#include "server/http.h"
#include "core/fault.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/validate.h"
#include "server/reply.h"
#include "server/router.h"
#include "server/static.h"
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

#define DEFAULT_BODY_LIMIT (1u << 20)
/* How much of a refused chunked body is read and dropped before the connection is cut. */
#define DROP_LIMIT ((size_t)8 << 20)
/* The longest request target (path and query) and the most query arguments linli reads; more is
 * answered 414 at once. No page or client of linli comes near either. */
#define MAX_URI_BYTES 8192
#define MAX_QUERY_ARGS 100

/* What every answer says about how a browser may use it. Pages: scripts, styles, fonts and images
 * only from linli itself (data: for the few images and the icon font that Element Plus and Vant
 * carry inside their CSS), no plugins, no framing by another site, forms only to linli, no inline
 * script and no eval. Style attributes may be inline: ECharts writes its tooltips as HTML with
 * style attributes (the browser tests saw it refused otherwise); style elements may not
 * (style-src-elem; a browser that does not know it falls back to style-src). API answers (JSON,
 * SVG, CSV) are never documents: nothing at all. */
static const char csp_page[] = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; style-src-elem 'self'; "
                               "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
                               "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
static const char csp_api[] = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

static const struct app *the_app;
static atomic_int in_flight;
/* The checks of raw header lines below read how libmicrohttpd 0.9.75 leaves them in its buffer;
 * with any other version of the library they are off (http_serve says so). */
static int raw_lines_known;

/* Each pool thread opens its own connection on first use; all are closed after the daemon stops. */
static _Thread_local store *thread_store;
static pthread_mutex_t stores_lock = PTHREAD_MUTEX_INITIALIZER;
static store *stores[256];
static int nstores;

store *req_store(req *r)
{
    if (r->db)
        return r->db;
    if (!thread_store) {
        char err[512];
        store *s = NULL;
        if (store_open(r->app->db_url, &s, err, sizeof err) != STORE_OK) {
            fprintf(stderr, "linli: %s\n", err);
            reply_error(r, 503, "unavailable", NULL);
            return NULL;
        }
        pthread_mutex_lock(&stores_lock);
        if (nstores < (int)(sizeof stores / sizeof stores[0]))
            stores[nstores++] = s;
        pthread_mutex_unlock(&stores_lock);
        thread_store = s;
    }
    r->db = thread_store;
    return thread_store;
}

int64_t req_param_i64(req *r, int i)
{
    if (i >= r->npv || !r->pv[i])
        return 0;
    char *end;
    long long v = strtoll(r->pv[i], &end, 10);
    return *end || v <= 0 ? 0 : v;
}

/* From the connection, or, for a request without one, from r->values: header names in any case,
 * as libmicrohttpd compares them; cookie and query names exactly. */
static const char *lookup(req *r, enum MHD_ValueKind mhd_kind, enum req_value_kind kind, const char *name)
{
    if (r->conn)
        return MHD_lookup_connection_value(r->conn, mhd_kind, name);
    for (int i = 0; i < r->nvalues; i++) {
        const struct req_value *v = &r->values[i];
        if (v->kind == kind && (kind == REQ_HEADER ? strcasecmp(v->name, name) : strcmp(v->name, name)) == 0)
            return v->value;
    }
    return NULL;
}

const char *req_query(req *r, const char *name)
{
    return lookup(r, MHD_GET_ARGUMENT_KIND, REQ_QUERY, name);
}

const char *req_header(req *r, const char *name)
{
    return lookup(r, MHD_HEADER_KIND, REQ_HEADER, name);
}

const char *req_cookie(req *r, const char *name)
{
    return lookup(r, MHD_COOKIE_KIND, REQ_COOKIE, name);
}

const char *req_public_url(req *r)
{
    if (r->app->public_url)
        return r->app->public_url;
    /* The port is the one bound (--listen HOST:0 picks one), read from the daemon: never from
     * the request, whose Host header the client chooses. */
    const union MHD_ConnectionInfo *ci = r->conn ? MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_DAEMON) : NULL;
    const union MHD_DaemonInfo *di = ci ? MHD_get_daemon_info(ci->daemon, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    /* Without a connection (the in-process runner) there is no daemon, and no port to say. */
    return arena_printf(r->a, "http://%s:%u", r->app->listen_host ? r->app->listen_host : "127.0.0.1", di ? di->port : 0u);
}

void http_reply_static(req *r, const char *data, size_t len)
{
    r->static_body = data;
    r->resp_len = len;
}

/* What the request's framing headers say; filled by scan_header over every header. */
struct framing {
    int content_length; /* how many Content-Length headers */
    int transfer_encoding;
    int te_not_chunked; /* a Transfer-Encoding other than "chunked" */
    int bad_name;       /* a header name with white space or a control character in it */
    int host;           /* how many Host headers */
    int folded;         /* a header line continued on the next (obs-fold) */
    int bare_lf;        /* a line ended by LF alone */
    const char *end;    /* where the last line seen ends (its terminating NUL) */
};

/* How libmicrohttpd 0.9.75 leaves a request's head in its read buffer, where the names and values
 * it hands out still point: each line's CR and LF are overwritten with NULs (a bare LF with one
 * NUL), the colon after a name with a NUL, and a value starts after the white space that follows.
 * So for "Name: value\r\n" the bytes from the name on are "Name\0 value\0\0". The library itself
 * accepts a bare LF anywhere, and a folded line (obs-fold, RFC 9112 5.2) it glues onto the NAME of
 * the header before it, in a new block ("Transfer-Encoding:\r\n chunked" becomes a header named
 * "Transfer-Encodingchunked" with an empty value): no check of names or values could see either.
 * Their layout does: a folded header's name no longer sits just before its value, and a line
 * ended by a bare LF has no second NUL. */
static void scan_line_ends(struct framing *f, const char *key, const char *value)
{
    size_t klen = strlen(key);
    uintptr_t after_key = (uintptr_t)key + klen + 1, at = (uintptr_t)value;
    if (at < after_key || at - after_key > 256) {
        f->folded = 1; /* the name was moved: the line was continued */
        return;
    }
    for (size_t i = 0; i < at - after_key; i++) /* only the white space after the colon between */
        if (key[klen + 1 + i] != ' ' && key[klen + 1 + i] != '\t')
            f->folded = 1;
    f->end = value + strlen(value);
    if (f->end[1] != 0)
        f->bare_lf = 1;
}

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct framing *f = cls;
    for (const char *c = key; *c; c++)
        if ((unsigned char)*c <= ' ' || *c == 0x7f)
            f->bad_name = 1;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
        f->content_length++;
    else if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0)
        f->host++;
    else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        f->transfer_encoding++;
        /* Exactly what libmicrohttpd itself takes for chunked; anything else (other codings, a
         * list, trailing white space) it would read some other way. */
        if (!value || strcasecmp(value, "chunked") != 0)
            f->te_not_chunked = 1;
    }
    if (raw_lines_known && value)
        scan_line_ends(f, key, value);
    return MHD_YES;
}

/* Framing that could let a second request be smuggled past a proxy in front of linli (RFC 9112
 * 6.1-6.3, 11.2): two Content-Lengths, Transfer-Encoding together with Content-Length, more than
 * one Transfer-Encoding or any coding but chunked, a header name with white space. libmicrohttpd
 * reads some of these its own way; linli refuses them all. */
static enum MHD_Result check_query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    if (!utf8_valid(key) || (value && !utf8_valid(value))) {
        *(int *)cls = 1;
        return MHD_NO;
    }
    return MHD_YES;
}

/* Query values go into SQL parameters and JSON: bytes that are not UTF-8 are refused at the door
 * (PostgreSQL would refuse them as text, and jansson as strings). */
static int query_is_not_utf8(req *r)
{
    int bad = 0;
    if (r->conn)
        MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, check_query_arg, &bad);
    for (int i = 0; !r->conn && i < r->nvalues; i++)
        if (r->values[i].kind == REQ_QUERY)
            bad |= check_query_arg(&bad, MHD_GET_ARGUMENT_KIND, r->values[i].name, r->values[i].value) == MHD_NO;
    return bad;
}

/* version: the request line's last word, which the library leaves in its buffer like a value. */
static int framing_is_ambiguous(struct MHD_Connection *conn, const char *version)
{
    struct framing f = {0};
    if (raw_lines_known && version && *version) {
        f.end = version + strlen(version);
        if (f.end[1] != 0)
            f.bare_lf = 1;
    }
    MHD_get_connection_values(conn, MHD_HEADER_KIND, scan_header, &f);
    /* The empty line that ends the head: after the last line's "\0\0", CR LF leave two more NULs. */
    if (f.end && (f.end[2] != 0 || f.end[3] != 0))
        f.bare_lf = 1;
    return f.content_length > 1 || f.transfer_encoding > 1 || (f.transfer_encoding && f.content_length) ||
           f.te_not_chunked || f.bad_name || f.host > 1 || f.folded || f.bare_lf;
}

/* Markers the URI callback leaves as a request's context, for the first call to answer. */
static char uri_too_long; /* the target is longer than MAX_URI_BYTES or has more than MAX_QUERY_ARGS */
static char path_has_nul; /* "%00" in the path, which the library would decode into the end of it */

/* Called by libmicrohttpd with the raw request target, before it splits off and decodes the query
 * arguments. In 0.9.75 each argument takes a record from the connection's 32 KiB pool, and running
 * out of the pool there leaves the connection hanging without an answer until it times out (450
 * short arguments are enough). So a target with too many arguments has its query string cut off
 * here, where the library parses it next (it passes its own buffer), and is answered 414. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    const char *q = strchr(uri, '?');
    size_t args = 0;
    if (q) {
        args = 1;
        for (const char *c = q + 1; *c && args <= MAX_QUERY_ARGS; c++)
            args += *c == '&';
    }
    if (args > MAX_QUERY_ARGS || strlen(uri) > MAX_URI_BYTES) {
        if (q)
            ((char *)q)[1] = 0; /* no arguments left to parse */
        return &uri_too_long;
    }
    for (const char *c = uri; *c && c != q; c++)
        if (c[0] == '%' && c[1] == '0' && c[2] == '0')
            return &path_has_nul;
    return NULL;
}

static int is_marker(const void *c)
{
    return c == &uri_too_long || c == &path_has_nul;
}

static enum MHD_Result queue(struct MHD_Connection *conn, req *r, int close_after)
{
    struct MHD_Response *resp;
    if (r->static_body)
        resp = MHD_create_response_from_buffer(r->resp_len, (void *)r->static_body, MHD_RESPMEM_PERSISTENT);
    else {
        resp = MHD_create_response_from_buffer(r->resp_len, r->resp, MHD_RESPMEM_MUST_FREE);
        if (resp)
            r->resp = NULL; /* libmicrohttpd owns it now */
    }
    if (!resp)
        return MHD_NO;
    if (r->ctype)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->ctype);
    int api = strncmp(r->url, "/api/", 5) == 0;
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Content-Security-Policy", api || strcmp(r->url, "/healthz") == 0 ? csp_api : csp_page);
    if (api)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    for (int i = 0; i < r->nhdr; i++)
        MHD_add_response_header(resp, r->hdr_name[i], r->hdr_value[i]);
    if (close_after)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(conn, r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static size_t body_limit(const req *r)
{
    return r->route && r->route->body_limit ? r->route->body_limit : DEFAULT_BODY_LIMIT;
}

void http_route(req *r)
{
    /* The decoded path goes into SQL parameters, JSON and the log like the query does. */
    if (!utf8_valid(r->url)) {
        reply_error(r, 400, "invalid_path", NULL);
        return;
    }
    if (query_is_not_utf8(r)) {
        reply_error(r, 400, "invalid_query", NULL);
        return;
    }
    int path_known = 0;
    int is_api = strncmp(r->url, "/api/", 5) == 0 || strcmp(r->url, "/healthz") == 0;
    r->route = router_match(r->method, r->url, NULL, NULL, &path_known);
    if (r->route)
        return;
    if (is_api || path_known || !r->app->web) {
        if (path_known)
            reply_error(r, 405, "method_not_allowed", NULL);
        else
            reply_error(r, 404, "not_found", NULL);
        return;
    }
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
        reply_error(r, 405, "method_not_allowed", NULL);
        return;
    }
    if (static_serve(r, r->app->web, r->url) != 0)
        reply_error(r, 404, "not_found", NULL);
}

/* A transaction must not outlive its request: one still open (its ROLLBACK failed, or a handler
 * forgot) is rolled back here, and its write lock with it; so is a statement left half-run. */
static void end_open_transaction(req *r)
{
    if (r->db)
        store_settle(r->db);
    if (r->db && store_in_transaction(r->db)) {
        store_rollback(r->db);
        r->in_tx = 0;
    }
}

void req_begin(req *r, arena *a, const struct app *app, const char *method, const char *url, lang_t lang)
{
    memset(r, 0, sizeof *r);
    r->a = a;
    r->app = app;
    r->method = method;
    r->url = url;
    r->lang = lang;
    clock_gettime(CLOCK_MONOTONIC, &r->t0);
}

int http_body_append(req *r, const char *data, size_t n)
{
    if (r->status) {
        /* Already answered: discard, but only so much. A chunked body that goes on far past
         * the limit is not read to its end: the connection is cut. */
        r->body_dropped += n;
        return r->body_dropped > DROP_LIMIT ? -1 : 0;
    }
    if (r->body_len + n > body_limit(r)) {
        /* Too large, and no Content-Length said so up front (a chunked body): what follows is
         * read and dropped up to DROP_LIMIT, memory stays bounded, and the 413 goes out when
         * the body ends. */
        free(r->body);
        r->body = NULL;
        r->body_len = r->body_cap = 0;
        r->body_too_large = 1;
        reply_error(r, 413, "payload_too_large", NULL);
        return 0;
    }
    if (r->body_len + n + 1 > r->body_cap) {
        size_t cap = r->body_cap ? r->body_cap * 2 : 4096;
        while (cap < r->body_len + n + 1)
            cap *= 2;
        char *nb = realloc(r->body, cap);
        if (!nb)
            return -1;
        r->body = nb;
        r->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = 0;
    return 0;
}

void http_run(req *r)
{
    if (!r->status)
        router_handle(r);
    end_open_transaction(r);
}

void req_end(req *r)
{
    json_decref(r->in);
    free(r->body);
    free(r->resp);
    arena_free(r->a); /* r itself lives in it */
}

/* A request whose context could not be allocated: answered with a fixed 503, its body dropped. */
static char no_context;

static enum MHD_Result on_request_inner(struct MHD_Connection *conn, const char *url, const char *method,
                                        const char *version, const char *upload_data, size_t *upload_data_size,
                                        void **req_cls)
{
    req *r = *req_cls;
    if (r == (req *)&no_context) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    const void *refused = is_marker(r) ? r : NULL; /* what on_uri found */
    if (refused)
        r = NULL;
    if (!r) {
        arena *a = arena_new();
        r = a ? arena_alloc(a, sizeof *r) : NULL;
        if (!r) {
            arena_free(a);
            static const char busy_zh[] = "{\"error\":{\"code\":\"unavailable\",\"message\":\"服务器内存不足，请稍后再试\"}}";
            static const char busy_en[] =
                "{\"error\":{\"code\":\"unavailable\",\"message\":\"The server is out of memory; try again later\"}}";
            int en = i18n_lang(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_LANGUAGE)) == LANG_EN;
            struct MHD_Response *resp = MHD_create_response_from_buffer(en ? sizeof busy_en - 1 : sizeof busy_zh - 1,
                                                                        (void *)(en ? busy_en : busy_zh), MHD_RESPMEM_PERSISTENT);
            if (!resp)
                return MHD_NO;
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
            MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
            MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
            MHD_add_response_header(resp, "Content-Security-Policy", csp_api);
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
            if (fault_enabled) {
                char seen[64];
                snprintf(seen, sizeof seen, "alloc=%ld io=%ld", fault_alloc.seen, fault_io.seen);
                MHD_add_response_header(resp, "X-Linli-Fault-Seen", seen);
            }
            enum MHD_Result ret = MHD_queue_response(conn, 503, resp);
            MHD_destroy_response(resp);
            *req_cls = &no_context;
            return ret;
        }
        req_begin(r, a, the_app, method, url,
                  i18n_lang(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_LANGUAGE)));
        r->conn = conn;
        *req_cls = r;
        atomic_fetch_add(&in_flight, 1);
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        char ip[INET6_ADDRSTRLEN] = "?";
        if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, ip, sizeof ip);
        r->client_ip = arena_strdup(a, ip);
        if (framing_is_ambiguous(conn, version)) {
            reply_error(r, 400, "bad_request", NULL);
            return queue(conn, r, 1);
        }
        if (refused == &uri_too_long) {
            reply_error(r, 414, "uri_too_long", NULL);
            return queue(conn, r, 1);
        }
        if (refused == &path_has_nul) {
            reply_error(r, 400, "invalid_path", NULL);
            return MHD_YES; /* answered once the body (if any) has gone by */
        }
        http_route(r);
        if (r->status)
            return MHD_YES; /* answered below, once the body (if any) has gone by */
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > body_limit(r)) {
            reply_error(r, 413, "payload_too_large", NULL);
            return queue(conn, r, 1);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        return http_body_append(r, upload_data, n) == 0 ? MHD_YES : MHD_NO;
    }
    http_run(r);
    if (fault_enabled && r->fault_spec) {
        r->fault_seen = arena_printf(r->a, "alloc=%ld io=%ld", fault_alloc.seen, fault_io.seen);
        if (r->fault_seen)
            reply_header(r, "X-Linli-Fault-Seen", r->fault_seen);
    }
    return queue(conn, r, r->body_too_large);
}

/* Test runs with fault injection (LINLI_TEST_FAULTS=1): the header X-Linli-Fault arms the
 * countdowns for this request only; they follow the request from call to call and are cleared in
 * between, so nothing else on the thread is touched. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    (void)cls;
    if (!fault_enabled)
        return on_request_inner(conn, url, method, version, upload_data, upload_data_size, req_cls);
    req *r = *req_cls;
    const char *spec = NULL;
    if (!r || is_marker(r)) {
        spec = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Linli-Fault");
        memset(&fault_alloc, 0, sizeof fault_alloc);
        memset(&fault_io, 0, sizeof fault_io);
        if (spec && fault_parse(spec, &fault_alloc, &fault_io) != 0)
            spec = NULL;
    } else if (r != (req *)&no_context) {
        fault_alloc = r->fault_alloc;
        fault_io = r->fault_io;
    }
    enum MHD_Result ret = on_request_inner(conn, url, method, version, upload_data, upload_data_size, req_cls);
    r = *req_cls;
    struct fault left_alloc = fault_alloc, left_io = fault_io;
    memset(&fault_alloc, 0, sizeof fault_alloc);
    memset(&fault_io, 0, sizeof fault_io);
    if (r && r != (req *)&no_context && !is_marker(r)) {
        if (r->status)
            end_open_transaction(r); /* again, now that nothing is made to fail */
        if (spec)
            r->fault_spec = spec;
        r->fault_alloc = left_alloc;
        r->fault_io = left_io;
    }
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls, enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    req *r = *req_cls;
    if (!r || r == (req *)&no_context || is_marker(r)) {
        *req_cls = NULL;
        return;
    }
    if (!the_app->quiet) {
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ms = (double)(t1.tv_sec - r->t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - r->t0.tv_nsec) / 1e6;
        /* One line per request: method, path, status, bytes, milliseconds, account. What the
         * client sent is escaped (core/log.h): a path with %0a in it cannot start a line. */
        char method[64], path[2048], login[256];
        printf("%s %s %u %zu %.1fms %s%s\n", log_escape(method, sizeof method, r->method), log_escape(path, sizeof path, r->url),
               r->status, r->resp_len, ms, log_escape(login, sizeof login, r->login ? r->login : "-"),
               toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
    }
    atomic_fetch_sub(&in_flight, 1);
    req_end(r);
    *req_cls = NULL;
}

/* The library's messages may quote what a client sent: escaped like the access log, one line each. */
static void log_mhd(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char text[1024], esc[2048];
    vsnprintf(text, sizeof text, fmt, ap);
    size_t n = strlen(text);
    if (n && text[n - 1] == '\n')
        text[n - 1] = 0;
    fprintf(stderr, "libmicrohttpd: %s\n", log_escape(esc, sizeof esc, text));
}

int http_serve(struct app *app, const char *host, int port, int threads)
{
    the_app = app;
    raw_lines_known = strcmp(MHD_get_version(), "0.9.75") == 0;
    if (!raw_lines_known)
        fprintf(stderr, "linli: libmicrohttpd %s: the checks for folded header lines and bare LF are written for 0.9.75 "
                        "and are off\n", MHD_get_version());
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl); /* best effort: the connection limit below still holds */
    }
    /* Each connection is a descriptor; keep some for the database, the logs and the pages. */
    if (!app->max_connections && getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rlim_t room = rl.rlim_cur > 256 ? rl.rlim_cur - 128 : 128;
        app->max_connections = room < 16384 ? (int)room : 16384;
    }
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        fprintf(stderr, "linli: listen address must be an IPv4 address, not %s\n", host);
        return 1;
    }
    /* Signals go to this thread only (sigwait below); the pool threads inherit the mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL, on_request, NULL,
        MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)app->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)app->max_per_ip,
        MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
        MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "linli: cannot listen on %s:%d (in use?)\n", host, port);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("linli: serving on http://%s:%u (%s, %d threads)\n", host, info ? info->port : (unsigned)port,
           app->store_kind, threads);
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    printf("linli: %s received, finishing requests in flight\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    fflush(stdout);
    MHD_quiesce_daemon(d); /* no new connections; requests under way go on */
    for (int i = 0; i < 100 && atomic_load(&in_flight) > 0; i++)
        usleep(50 * 1000);
    MHD_stop_daemon(d);
    for (int i = 0; i < nstores; i++)
        store_close(stores[i]);
    nstores = 0;
    printf("linli: stopped\n");
    return 0;
}
