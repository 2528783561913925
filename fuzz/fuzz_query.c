/* libFuzzer target: linli's own reading of query-string values (libmicrohttpd splits and decodes
 * the query; what the values mean is ours). The input is the decoded query, "name=value" pairs
 * joined by '&'. It checks:
 *   - list_args_parse (limit, offset, q, format of every list): any values give either a clean 422
 *     or a limit of 1–500 (everything for an export), an offset of 0 or more and a search text of
 *     at most 100 bytes, whose LIKE pattern escapes %, _ and \ (a name with _ matches only itself);
 *   - validate_int, which reads the numbers the handlers take (compound_id, volunteer_id,
 *     campaign_id, year, month, from, to): it accepts exactly an optional '-' and digits whose value
 *     fits the range, and returns that value — never a half-read "5abc" or a wrapped year;
 *   - req_param_i64 (the numbers in the path) never yields a negative id, and people_tag_bit (?tag=)
 *     yields one known bit or none.
 * The pairs reach req_query as a request without a connection does (server/inproc.h): from the
 * request's array of values. */
#include "fuzz.h"
#include "core/validate.h"
#include "modules/registry/people.h"
#include "server/reply.h"
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PAIRS 16
static const char *names[MAX_PAIRS], *values[MAX_PAIRS];
static struct req_value pairs[MAX_PAIRS];
static int npairs;

/* What validate_int must answer, worked out another way (strtoll and a look at every byte). */
static int reference_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    const char *d = *s == '-' ? s + 1 : s;
    if (!*d || strspn(d, "0123456789") != strlen(d))
        return -1;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno == ERANGE || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static void check_int(const char *s, int64_t min, int64_t max)
{
    int64_t got = 12345, want = 12345;
    int rc = validate_int(s, min, max, &got), ref = reference_int(s, min, max, &want);
    if (rc != ref || got != want)
        abort(); /* accepted the wrong thing, refused a good number, or touched *out on refusal */
}

/* The LIKE pattern a search text must give: '%', the text with %, _ and \\ each after a \\, '%'. */
static const char *reference_like(const char *q)
{
    static char out[2 * 4096 + 3];
    size_t n = 0;
    out[n++] = '%';
    for (; *q && n < sizeof out - 3; q++) {
        if (strchr("%_\\", *q))
            out[n++] = '\\';
        out[n++] = *q;
    }
    out[n++] = '%';
    out[n] = 0;
    return out;
}

/* The first value of name, as req_query finds it. */
static const char *query(const char *name)
{
    for (int i = 0; i < npairs; i++)
        if (strcmp(names[i], name) == 0)
            return values[i];
    return NULL;
}

static void check_list_args(arena *a, int lang)
{
    req r;
    memset(&r, 0, sizeof r);
    r.a = a;
    r.values = pairs;
    r.nvalues = npairs;
    r.lang = lang ? LANG_EN : LANG_ZH;
    struct list_args la;
    memset(&la, 0xA5, sizeof la);
    int rc = list_args_parse(&r, &la);
    if (rc != 0) {
        if (rc != -1 || r.status != 422 || !r.resp || !strstr(r.resp, "\"fields\""))
            abort(); /* a refusal is a 422 that names the fields */
        free(r.resp);
        return;
    }
    if (r.status || r.resp)
        abort(); /* accepted, yet replied */
    const char *f = query("format");
    enum list_format want = !f || strcmp(f, "json") == 0 ? LIST_JSON : strcmp(f, "csv") == 0 ? LIST_CSV : LIST_XLSX;
    if (la.format != want || (f && want == LIST_XLSX && strcmp(f, "xlsx") != 0))
        abort();
    if (la.format == LIST_JSON) {
        if (la.limit < 1 || la.limit > 500 || la.offset < 0)
            abort();
        int64_t v;
        const char *l = query("limit"), *o = query("offset");
        if (l && reference_int(l, 1, 500, &v) == 0 && la.limit != v)
            abort(); /* a plain limit in range is taken as given */
        if (o && reference_int(o, 0, INT64_MAX, &v) == 0 && la.offset != v)
            abort();
    } else if (la.limit != 1000000 || la.offset != 0) {
        abort();
    }
    const char *q = query("q");
    if (la.q ? (!q || strcmp(la.q, q) != 0 || !*la.q || strlen(la.q) > 100) : (q && *q))
        abort();
    if ((la.q == NULL) != (la.like == NULL))
        abort();
    if (la.q && strcmp(la.like, reference_like(la.q)) != 0)
        abort(); /* the search text, its LIKE wildcards and escape escaped, between two % */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_text(data, size);
    arena *a = arena_new();
    if (!s || !a) {
        free(s);
        arena_free(a);
        return 0;
    }
    npairs = 0;
    for (char *p = s, *next; p && npairs < MAX_PAIRS; p = next) {
        next = strchr(p, '&');
        if (next)
            *next++ = 0;
        char *eq = strchr(p, '=');
        names[npairs] = p;
        values[npairs] = eq ? eq + 1 : "";
        if (eq)
            *eq = 0;
        pairs[npairs] = (struct req_value){REQ_QUERY, names[npairs], values[npairs]};
        npairs++;
    }
    check_list_args(a, (int)(size & 1));
    req r;
    memset(&r, 0, sizeof r);
    for (int i = 0; i < npairs; i++) {
        const char *v = values[i];
        check_int(v, INT64_MIN, INT64_MAX); /* from, to */
        check_int(v, 1, INT64_MAX);         /* an id */
        check_int(v, 2000, 2100);           /* a year */
        check_int(v, 1, 12);                /* a month */
        unsigned bit = people_tag_bit(v);
        if (bit & (bit - 1) || bit >= 16)
            abort();
        if (i < MAX_PATH_PARAMS)
            r.pv[r.npv++] = v;
    }
    for (int i = 0; i <= r.npv; i++)
        if (req_param_i64(&r, i) < 0)
            abort();
    arena_free(a);
    free(s);
    return 0;
}
