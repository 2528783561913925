/* One API request run inside the process, without libmicrohttpd: for the stateful fuzzer
 * (fuzz/fuzz_api.c) and tests. The request goes through exactly the steps of one that came over a
 * connection (http_route, http_body_append, http_run: the router, its checks, the handler, the end
 * of any transaction left open); only its headers, cookies and query arguments come from an array
 * instead of a connection, and it runs on a database connection the caller owns. */
#ifndef LINLI_INPROC_H
#define LINLI_INPROC_H
#include "server/http.h"

struct inproc_request {
    const char *method;
    const char *path;                /* without a query string: query arguments go in values */
    const struct req_value *values;  /* headers (Content-Type, X-CSRF-Token …), cookies, query */
    int nvalues;
    const char *body;                /* NULL: none */
    size_t body_len;
    const char *client_ip;           /* NULL: unknown, as http.c says for a client that is not IPv4 */
};

/* What the request answered; every part is the caller's (inproc_answer_free). */
struct inproc_answer {
    unsigned status;
    char *body;  /* NUL-terminated (the NUL not counted in len); never NULL after a run */
    size_t len;
    char *ctype; /* NULL when the answer has none */
    int nhdr;
    char *hdr_name[8], *hdr_value[8];
};

/* Runs one request of app on db. 0 with *ans filled, or -1 when memory ran out before it could
 * be answered (*ans is then empty). */
int inproc_run(const struct app *app, store *db, const struct inproc_request *q, struct inproc_answer *ans);
/* The value of the answer's header name (any case), or NULL. */
const char *inproc_header(const struct inproc_answer *ans, const char *name);
void inproc_answer_free(struct inproc_answer *ans);
#endif
