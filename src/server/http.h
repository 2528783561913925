/* The map of linli's request path: the application (built in main, read-only to handlers), the
 * request context every handler receives, and the route table entry from which the router, the
 * OpenAPI document and the authorization matrix are all made.
 *
 * A request goes: parse → route → authenticate → authorize (the route's permission) → scope to the
 * community in the path → validate the body against the route's field list → the handler (one
 * transaction, audit row inside it) → respond. Each step is done once, in router.c; a handler
 * finds the user, the community, the arena and the validated body already in its context. */
#ifndef LINLI_HTTP_H
#define LINLI_HTTP_H
#include "core/arena.h"
#include "core/fault.h"
#include "core/crypto.h"
#include "store/store.h"
#include <jansson.h>
#include <stdint.h>
#include <time.h>

struct static_files;

/* The application: one, built in main before the server starts, never written afterwards. */
struct app {
    const char *db_url;
    const char *store_kind; /* "sqlite" or "postgresql" */
    const char *data_dir;
    struct crypto_keys keys;
    struct static_files *web; /* NULL when no built pages were found */
    int secure_cookies;       /* mark the session cookie Secure (the default off loopback) */
    int session_hours;        /* a session's absolute limit (--session-hours) */
    int session_idle_minutes; /* a session unused this long ends (--session-idle-minutes) */
    unsigned char trust_proxy[8][4]; /* IPv4 addresses of the proxies whose X-Forwarded-* count */
    int ntrust_proxy;
    int quiet;                /* no access log */
    int max_connections;      /* open connections in all (--max-connections) */
    int max_per_ip;           /* open connections from one address (--max-per-ip) */
    const char *listen_host;  /* the IPv4 address of --listen */
    /* "http(s)://HOST[:PORT]" (--public-url, no trailing slash): where people reach linli, for QR
     * codes and absolute links; NULL: http://listen_host:port (see req_public_url) */
    const char *public_url;
};

typedef enum { LANG_ZH = 0, LANG_EN = 1 } lang_t;

typedef struct req req;
typedef void (*handler_fn)(req *r);

/* How a body field is checked before the handler runs (and how OpenAPI describes it). */
/* F_MONEY: an amount in fen, 0 … MONEY_MAX_FEN (core/validate.h), or `max` when that is smaller. */
enum field_type { F_STR, F_INT, F_MONEY, F_BOOL, F_ENUM, F_ID, F_PHONE, F_IDNUM, F_TAGS, F_IDS, F_OBJECT, F_ARRAY };
typedef struct field_spec {
    const char *name;
    enum field_type type;
    int required;
    int max;                   /* F_STR: max characters (UTF-8 code points); F_INT: max value */
    const char *const *choices; /* F_ENUM and F_TAGS: NULL-terminated */
    const char *doc;
    /* A field only some may use: when it is used (a bool true, a non-empty string equal to
     * perm_value or, without one, any non-empty string; any other value sent), the caller needs the
     * permission perm too, or the request is 403 with the field named. The router checks it, and the
     * OpenAPI document and docs/authorization.md show it. */
    const char *perm, *perm_value;
} field_spec;

/* A column of a list's CSV/XLSX export: the JSON key and the header in each language. */
typedef struct column_spec {
    const char *key, *zh, *en;
} column_spec;

enum route_flags {
    R_PUBLIC = 1,   /* no login needed */
    R_LIST = 2,     /* a paged list: limit/offset/q, and ?format=csv|xlsx exports */
    R_CSV_BODY = 4, /* the body is text/csv, not JSON */
    R_RAW_BODY = 8, /* the body is a file; the handler checks what it is */
    R_VIEW = 16,    /* a POST that only shows something (and audits that it did): answers 200, and
                       with columns, ?format csv|xlsx in its body. A POST because showing is audited:
                       a GET could be sent by another site's page (issue #11, L3) */
    R_STREAM = 32,  /* answers text/event-stream (Server-Sent Events), not JSON: the OpenAPI document
                       says so, for clients and validating proxies */
    R_IDEMPOTENT = 64, /* takes an Idempotency-Key: a retry with the key gets the first answer
                          (server/idem.h); every POST that makes or does something has it */
};

typedef struct route {
    const char *method;
    const char *path;   /* "/api/v1/communities/{community_id}/people/{person_id}" */
    handler_fn fn;
    const char *perm;   /* a permission of auth/roles.c; NULL only with R_PUBLIC */
    unsigned flags;
    const field_spec *body;       /* JSON body fields, ended by {0}; NULL: no body */
    const column_spec *columns;   /* R_LIST export columns, ended by {0} */
    const char *tag, *summary;
    size_t body_limit;            /* bytes; 0 means the default (1 MiB) */
    const char *const *query;     /* extra query parameters a list takes, NULL-terminated */
    /* The finer rules the handler applies beyond perm, each a permission of auth/roles.c (what a
     * holder may see or do that others may not: every organisation's proposals, every reviewer's
     * scores) or an ownership rule ("own: …"), NULL-terminated. Shown in the OpenAPI document
     * (x-finer) and docs/authorization.md; the handler asks perm_allows, never a role mask. */
    const char *const *finer;
} route;

/* A module: its name and its routes. src/modules/modules.c lists them. */
typedef struct module {
    const char *name;
    const route *routes;
    int nroutes;
    /* Adds the module's key numbers to a community's home page (may be NULL). Returns 0, or -1
     * after replying an error. */
    int (*stats)(req *r, json_t *stats);
} module;

#define MAX_PATH_PARAMS 6

/* A header, cookie or query argument of a request run without a connection (server/inproc.h). */
enum req_value_kind { REQ_HEADER, REQ_COOKIE, REQ_QUERY };
struct req_value {
    enum req_value_kind kind;
    const char *name, *value;
};

struct req {
    /* set by http.c (or by server/inproc.c for a request without a connection) */
    void *conn; /* struct MHD_Connection *; NULL: headers, cookies and query come from values[] */
    const struct req_value *values;
    int nvalues;
    arena *a;
    const struct app *app;
    store *db;
    const char *method, *url;
    lang_t lang;
    char *body;
    size_t body_len, body_cap;
    int body_too_large;
    size_t body_dropped; /* bytes of a refused body read and thrown away */
    /* fault injection in test runs (core/fault.h): the countdowns between calls */
    const char *fault_spec, *fault_seen;
    struct fault fault_alloc, fault_io;
    struct timespec t0;
    const char *client_ip;
    /* set by the router */
    int via_proxy; /* it came from a proxy of app->trust_proxy; client_ip is then the proxy's client */
    const route *route;
    const char *pv[MAX_PATH_PARAMS];
    int npv;
    json_t *in; /* the validated JSON body (borrowed from the request; freed at the end) */
    int in_tx;  /* a transaction is open (db_begin); replies on failure roll it back */
    const char *idem_key; /* the Idempotency-Key this request took (server/idem.c), or NULL */
    int router_commits; /* set by the router around a handler: db_commit keeps the transaction open,
                           and the router commits once the answer is made (server/router.h) */
    int retry;  /* the transaction failed in a way that running it again may cure (store_retryable) */
    int64_t account_id;        /* 0: nobody logged in */
    const char *login, *display_name, *csrf, *session_hash;
    unsigned global_roles;     /* ROLE_ADMIN, ROLE_DISTRICT_ADMIN */
    int64_t district_id;       /* for district_admin */
    int64_t community_id;      /* 0 when the route is not under a community */
    unsigned roles;            /* the caller's roles in that community, global ones included */
    /* the response, set by reply.c */
    unsigned status;
    char *resp;
    size_t resp_len;
    const char *ctype;
    const char *hdr_name[8], *hdr_value[8];
    const char *static_body; /* a body owned by the application (static files), not copied */
    int nhdr;
};

/* Path parameter i (in the order they appear in the route) as an integer; 0 if not a number. */
int64_t req_param_i64(req *r, int i);
/* A query-string argument, or NULL. */
const char *req_query(req *r, const char *name);
/* A request header (its name in any case), or NULL. */
const char *req_header(req *r, const char *name);
/* Where people reach linli, "http(s)://HOST[:PORT]" without a trailing slash, for QR codes and any
 * absolute link: --public-url, else the listen address and port. Never the request's Host header. */
const char *req_public_url(req *r);
/* A cookie, or NULL. */
const char *req_cookie(req *r, const char *name);
/* The request's database connection: the one its caller gave (r->db already set, server/inproc.c),
 * else the thread's, opened on first use; NULL (and a 503 reply) if it cannot be opened. */
store *req_store(req *r);

/* The steps of a request that http.c and server/inproc.c share. A request context begins with
 * req_begin (a zeroed r in its arena a), is routed with http_route (a query that is not UTF-8, a
 * 404 or 405, or the static pages are answered there), takes its body in http_body_append (a
 * body past the route's limit is answered 413), runs with http_run once the body is in, and is
 * released with req_end, which frees the arena r lives in. */
void req_begin(req *r, arena *a, const struct app *app, const char *method, const char *url, lang_t lang);
void http_route(req *r);
/* 0, or -1 when the connection should be cut (out of memory, or far too much of a refused body). */
int http_body_append(req *r, const char *data, size_t n);
/* Runs the matched route (unless the request is answered already), then makes sure no transaction
 * and no half-run statement outlives it. */
void http_run(req *r);
void req_end(req *r);

/* Starts the server and blocks until SIGTERM or SIGINT; in-flight requests finish. */
int http_serve(struct app *app, const char *host, int port, int threads);
#endif
