/* Requests run inside the process (see inproc.h). The context is made and released by the same
 * functions as http.c's, and the answer is copied out of it before it is released. */
#include "server/inproc.h"
#include "core/i18n.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *copy(const char *s, size_t n)
{
    char *c = malloc(n + 1);
    if (c) {
        if (n)
            memcpy(c, s, n);
        c[n] = 0;
    }
    return c;
}

static const char *find_value(const struct inproc_request *q, enum req_value_kind kind, const char *name)
{
    for (int i = 0; i < q->nvalues; i++)
        if (q->values[i].kind == kind && strcasecmp(q->values[i].name, name) == 0)
            return q->values[i].value;
    return NULL;
}

int inproc_run(const struct app *app, store *db, const struct inproc_request *q, struct inproc_answer *ans)
{
    memset(ans, 0, sizeof *ans);
    arena *a = arena_new();
    req *r = a ? arena_alloc(a, sizeof *r) : NULL;
    if (!r) {
        arena_free(a);
        return -1;
    }
    req_begin(r, a, app, q->method, q->path, i18n_lang(find_value(q, REQ_HEADER, "Accept-Language")));
    r->values = q->values;
    r->nvalues = q->nvalues;
    r->db = db;
    r->client_ip = q->client_ip ? q->client_ip : "?";
    http_route(r);
    int cut = q->body_len && http_body_append(r, q->body, q->body_len) != 0;
    if (cut && !r->status) { /* out of memory while taking the body: http.c would close the connection */
        req_end(r);
        return -1;
    }
    http_run(r);
    const char *body = r->static_body ? r->static_body : r->resp;
    ans->status = r->status;
    ans->len = body ? r->resp_len : 0;
    ans->body = copy(body, ans->len);
    ans->ctype = r->ctype ? copy(r->ctype, strlen(r->ctype)) : NULL;
    int oom = !ans->body || (r->ctype && !ans->ctype);
    for (int i = 0; i < r->nhdr && !oom; i++) {
        ans->hdr_name[i] = copy(r->hdr_name[i], strlen(r->hdr_name[i]));
        ans->hdr_value[i] = copy(r->hdr_value[i], strlen(r->hdr_value[i]));
        ans->nhdr = i + 1;
        oom = !ans->hdr_name[i] || !ans->hdr_value[i];
    }
    req_end(r);
    if (oom) {
        inproc_answer_free(ans);
        return -1;
    }
    return 0;
}

const char *inproc_header(const struct inproc_answer *ans, const char *name)
{
    for (int i = 0; i < ans->nhdr; i++)
        if (strcasecmp(ans->hdr_name[i], name) == 0)
            return ans->hdr_value[i];
    return NULL;
}

void inproc_answer_free(struct inproc_answer *ans)
{
    free(ans->body);
    free(ans->ctype);
    for (int i = 0; i < ans->nhdr; i++) {
        free(ans->hdr_name[i]);
        free(ans->hdr_value[i]);
    }
    memset(ans, 0, sizeof *ans);
}
