/* libFuzzer target: sequences of API calls against the whole server, in this process
 * (server/inproc.h), under ASan and UBSan. Once, at start: a throw-away data folder and SQLite
 * database under $TMPDIR (default /tmp), the schema, the account admin and the demo community with
 * few residents (modules/install.h, what `linli init --demo` makes), a second community, one account
 * per role (admin, two staff, a social worker, an org rep, a reviewer, a resident, a volunteer
 * approved through the API, a district admin, staff of the other community), each logged in through
 * POST /api/v1/session for its cookie and CSRF token, and the ids of the demo's objects read through
 * the API. That database file is kept as it then is and written back before every input (0.5 ms:
 * see db_reset), so each input starts from the same state, and the test clock from zero.
 *
 * An input is a sequence of operations separated by '\n' (at most MAX_OPS). A missing byte reads as
 * 0, and 0 always means the ordinary choice, so a short operation is an ordinary valid request:
 *
 *   op    := role route[3] param* flags query* item*
 *   role  := byte % number of roles (0 admin, 1 staff, 2 org_rep, 3 reviewer, 4 resident,
 *            5 volunteer, 6 social_worker, 7 a second staff member, 8 district_admin, 9 staff of the
 *            other community, 10 nobody)
 *   route := three bytes: the route whose key (route_key: a hash of "METHOD PATH", three bytes in
 *            0x40..0x7f) they are, else route number (b0 << 16 | b1 << 8 | b2) % routes. Every route
 *            of the route table (modules[]), and CLOCK, which moves the test clock on.
 *   param := one byte per path parameter: 0..0xbf an id of that kind remembered from an earlier
 *            answer (0 the latest) — for {community_id}, the demo community —, 0xc0..0xdf any id
 *            remembered, 0xe0..0xff an odd value (0, -1, 2^63, "abc", …)
 *   flags := bits 0-1: 3 sends no CSRF token; bit 2: English; bits 3-4: how many query bytes follow;
 *            bits 5-7: the Idempotency-Key (0-4 fresh for this operation, 5 the previous one,
 *            6 none, 7 an odd one). For CLOCK: how far the clock moves on (clock_units × (1 + bits 3-7)).
 *   query := one byte: a query argument (its name: bits 0-3, among the route's own and the common
 *            ones; its value: bits 4-7)
 *   item  := field[2] mode value: changes one field of the JSON body (which starts with every
 *            required field valid and no optional one). field: the field whose key (field_key, two
 *            bytes in 0x40..0x7f) it is, else field number % fields. mode % 8: 0 absent, 1-3 valid,
 *            4 an edge value of its type, 5 another type, 6 a remembered value of any kind, 7 null;
 *            value picks among each kind's values. For the file and CSV routes the first item picks
 *            the body.
 *
 * Bodies come from each route's field list (field_spec: type, required, max, choices), and the
 * shapes of nested values from its doc text ("[{item, fen}]", "{criterion key: score}", …). Answers
 * are read for ids: every "id" (an id of the route's kind), "*_id", "seq", "serial", "code", "token",
 * "key" and "item" goes into the pool of that name, so later operations refer to what earlier ones
 * made (create a round, move its phases, propose, edit, publish, report …). A custom mutator and
 * crossover that know this encoding change one thing an operation means, or splice operations of
 * two inputs, so that a long valid sequence survives mutation (see "mutations" below).
 *
 * A crash, a sanitizer report, or an input after which the audit log's or the fund ledger's hash
 * chain no longer verifies is a finding. Environment: FUZZ_API_TRACE=1 prints every request and
 * its answer; FUZZ_API_STRICT=1 also makes a 500 or an error answer without the error envelope a
 * finding (abort); at exit the speed and the routes that answered 500 are printed. fuzz/api_seeds.py
 * writes the seed corpus (fuzz/corpus/api) and hand-made regression inputs; fuzz/regress/ keeps
 * those and the minimized inputs that crashed the server, and fuzz/api_replay_test.c replays both
 * folders in the unit tests. */
#include "fuzz.h"
#include "auth/account.h"
#include "auth/roles.h"
#include "core/audit.h"
#include "core/crypto.h"
#include "core/fault.h"
#include "core/vcache.h"
#include "modules/fund/fund.h"
#include "modules/install.h"
#include "modules/registry/demo_people.h"
#include "server/inproc.h"
#include "server/router.h"
#include "store/migrate.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_OPS 32
#define RESIDENTS 30
#define POOL_KINDS 64
#define POOL_MAX 48
#define VALUE_MAX 96

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- what the whole run shares: made once ---- */

static char dir[PATH_MAX], db_file[PATH_MAX + 16], db_url[PATH_MAX + 32], clock_file[PATH_MAX + 16];
static struct app app;
static store *db;
static char *pristine;
static size_t pristine_len;
static int64_t community, other_community;
static int trace, strict;

struct actor {
    const char *name;
    const char *login; /* NULL: nobody is logged in */
    unsigned role;     /* granted in the demo community (0: none, or global) */
    int64_t account_id;
    char cookie[128], csrf[64];
};
static struct actor roles[] = {
    {"admin", "admin", 0, 0, "", ""},
    {"staff", "fz-staff", ROLE_STAFF, 0, "", ""},
    {"org_rep", "fz-org-rep", ROLE_ORG_REP, 0, "", ""},
    {"reviewer", "fz-reviewer", ROLE_REVIEWER, 0, "", ""},
    {"resident", "fz-resident", ROLE_RESIDENT, 0, "", ""},
    {"volunteer", "fz-volunteer", ROLE_RESIDENT, 0, "", ""}, /* approved as a volunteer at start */
    {"social_worker", "fz-social-worker", ROLE_SOCIAL_WORKER, 0, "", ""},
    {"staff2", "fz-staff2", ROLE_STAFF, 0, "", ""},
    {"district_admin", "fz-district-admin", ROLE_DISTRICT_ADMIN, 0, "", ""},
    {"outsider", "fz-outsider", 0, 0, "", ""}, /* staff of the other community */
    {"nobody", NULL, 0, 0, "", ""},
};
#define NROLES ((int)(sizeof roles / sizeof roles[0]))
static const char password[] = "fuzz-password-1";

/* ---- the routes ---- */

struct fuzz_route {
    const route *rt; /* NULL: CLOCK */
    const char *method, *path;
    uint32_t key;           /* 18 bits: three bytes of 6 bits, each sent as 0x40 + bits */
    char kind[40];          /* the pool an answer's "id" goes to */
    int nparams;
    char params[MAX_PATH_PARAMS][40];
    int nfields;
    uint16_t field_keys[32];
};
static struct fuzz_route *routes;
static int nroutes;
static unsigned long *errors_500, *successes; /* per route: how many 500s, how many 2xx */
static double reset_s, ops_s; /* time spent putting the database back, and running operations */
static unsigned long inputs, ops_run;

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint32_t fnv1a(const char *s, uint32_t h)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static uint32_t route_key(const char *method, const char *path)
{
    uint32_t h = fnv1a(path, fnv1a(" ", fnv1a(method, 2166136261u)));
    return (h ^ (h >> 18)) & 0x3ffff;
}

static uint16_t field_key(const char *name)
{
    uint32_t h = fnv1a(name, 2166136261u);
    return (uint16_t)((h ^ (h >> 12)) & 0xfff);
}

/* "people" → "person", "activities" → "activity", "wishes" → "wish", "grant-rounds" → "grant_round". */
static void singular(const char *word, size_t n, char *out, size_t cap)
{
    snprintf(out, cap, "%.*s", (int)n, word);
    for (char *c = out; *c; c++)
        if (*c == '-')
            *c = '_';
    size_t l = strlen(out);
    if (strcmp(out, "people") == 0)
        snprintf(out, cap, "person");
    else if (l > 3 && strcmp(out + l - 3, "ies") == 0)
        snprintf(out + l - 3, cap - (l - 3), "y");
    else if (l > 4 && (strcmp(out + l - 4, "shes") == 0 || strcmp(out + l - 4, "ches") == 0 || strcmp(out + l - 4, "sses") == 0))
        out[l - 2] = 0;
    else if (l > 1 && out[l - 1] == 's')
        out[l - 1] = 0;
    if (strncmp(out, "grant_", 6) == 0) /* grant-rounds/{round_id} */
        memmove(out, out + 6, strlen(out + 6) + 1);
}

/* The kind of the object a route answers with: the route's last path parameter when the path ends
 * with one; else the parameter of the item routes under this path; else the nearest plural segment
 * ("…/reports" → report_id) or parameter before the path's last words ("…/{round_id}/phase"). */
static void route_kind(const route *rt, char *out, size_t cap)
{
    const char *path = rt->path;
    size_t n = strlen(path);
    out[0] = 0;
    if (n && path[n - 1] == '}') {
        const char *b = strrchr(path, '{');
        snprintf(out, cap, "%.*s", (int)(n - (size_t)(b - path) - 2), b + 1);
        return;
    }
    for (int m = 0; m < module_count; m++)
        for (int i = 0; i < modules[m]->nroutes; i++) {
            const char *p = modules[m]->routes[i].path;
            if (strncmp(p, path, n) == 0 && p[n] == '/' && p[n + 1] == '{') {
                const char *e = strchr(p + n + 2, '}');
                snprintf(out, cap, "%.*s", (int)(e - (p + n + 2)), p + n + 2);
                return;
            }
        }
    const char *end = path + n;
    while (end > path) {
        const char *seg = end;
        while (seg > path && seg[-1] != '/')
            seg--;
        size_t sl = (size_t)(end - seg);
        if (sl && seg[0] == '{') {
            snprintf(out, cap, "%.*s", (int)(sl - 2), seg + 1);
            return;
        }
        if (sl > 1 && seg[sl - 1] == 's') {
            singular(seg, sl, out, cap);
            strncat(out, "_id", cap - strlen(out) - 1);
            return;
        }
        end = seg > path ? seg - 1 : path;
    }
}

static void routes_make(void)
{
    int n = 1;
    for (int m = 0; m < module_count; m++)
        n += modules[m]->nroutes;
    routes = calloc((size_t)n, sizeof *routes);
    errors_500 = calloc((size_t)n, sizeof *errors_500);
    successes = calloc((size_t)n, sizeof *successes);
    if (!routes || !errors_500 || !successes)
        abort();
    for (int m = 0; m < module_count; m++)
        for (int i = 0; i < modules[m]->nroutes; i++) {
            struct fuzz_route *f = &routes[nroutes++];
            f->rt = &modules[m]->routes[i];
            f->method = f->rt->method;
            f->path = f->rt->path;
            route_kind(f->rt, f->kind, sizeof f->kind);
            for (const char *p = f->path; (p = strchr(p, '{')) && f->nparams < MAX_PATH_PARAMS; p++) {
                const char *e = strchr(p, '}');
                snprintf(f->params[f->nparams++], sizeof f->params[0], "%.*s", (int)(e - p - 1), p + 1);
            }
            for (const field_spec *fs = f->rt->body; fs && fs->name && f->nfields < 32; fs++)
                f->field_keys[f->nfields++] = field_key(fs->name);
        }
    struct fuzz_route *c = &routes[nroutes++];
    c->method = "CLOCK";
    c->path = "";
    /* Two routes with one key: the later is reached by its number only. Keys are kept as they are
     * (rather than made unique) so that an input's meaning does not change when routes are added. */
    for (int i = 0; i < nroutes; i++)
        routes[i].key = route_key(routes[i].method, routes[i].path);
}

/* ---- remembered values ---- */

struct pool {
    char name[40];
    int n;
    char v[POOL_MAX][VALUE_MAX];
};
static struct pool pools[POOL_KINDS], pools_at_start[POOL_KINDS];
static int npools, npools_at_start;
static struct pool *any_id; /* every id of every kind */

static struct pool *pool_get(const char *name, int create)
{
    for (int i = 0; i < npools; i++)
        if (strcmp(pools[i].name, name) == 0)
            return &pools[i];
    if (!create || npools == POOL_KINDS || strlen(name) >= sizeof pools[0].name)
        return NULL;
    struct pool *p = &pools[npools++];
    snprintf(p->name, sizeof p->name, "%s", name);
    p->n = 0;
    return p;
}

static void pool_add(const char *name, const char *value)
{
    if (!*value || strlen(value) >= VALUE_MAX)
        return;
    struct pool *p = pool_get(name, 1);
    if (!p)
        return;
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->v[i], value) == 0) { /* seen again: now the latest */
            for (int j = i; j + 1 < p->n; j++)
                memcpy(p->v[j], p->v[j + 1], VALUE_MAX);
            snprintf(p->v[p->n - 1], VALUE_MAX, "%s", value);
            return;
        }
    if (p->n == POOL_MAX) {
        memmove(p->v[0], p->v[1], (size_t)(POOL_MAX - 1) * VALUE_MAX);
        p->n--;
    }
    snprintf(p->v[p->n++], VALUE_MAX, "%s", value);
}

/* The value b picks of pool p: 0 the latest. NULL when p is empty. */
static const char *pool_pick(const struct pool *p, unsigned b)
{
    return p && p->n ? p->v[p->n - 1 - (int)(b % (unsigned)p->n)] : NULL;
}

static void pool_add_json(const char *name, const json_t *v)
{
    char buf[32];
    if (json_is_integer(v)) {
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        pool_add(name, buf);
        if (strcmp(name, "seq") != 0 && strcmp(name, "key") != 0)
            pool_add("any_id", buf);
    } else if (json_is_string(v)) {
        pool_add(name, json_string_value(v));
    }
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

/* Remembers the ids and codes of an answer: idkind names the pool of an "id" here. */
static void remember(const json_t *j, const char *idkind, int depth)
{
    if (depth > 6)
        return;
    const char *k;
    json_t *v;
    size_t i;
    if (json_is_object(j)) {
        json_object_foreach((json_t *)j, k, v) {
            if (json_is_integer(v) || json_is_string(v)) {
                if (strcmp(k, "id") == 0 && *idkind)
                    pool_add_json(idkind, v);
                else if (ends_with(k, "_id") || strcmp(k, "seq") == 0 || strcmp(k, "serial") == 0 || strcmp(k, "code") == 0 ||
                         strcmp(k, "token") == 0 || strcmp(k, "key") == 0 || strcmp(k, "item") == 0)
                    pool_add_json(k, v);
            } else if (json_is_array(v) || json_is_object(v)) {
                char base[40];
                singular(k, strlen(k), base, sizeof base);
                if (strcmp(k, "items") == 0 || strcmp(k, "account") == 0)
                    snprintf(base, sizeof base, "%s", strcmp(k, "items") == 0 ? idkind : "account_id");
                else if (!ends_with(base, "_id"))
                    strncat(base, "_id", sizeof base - strlen(base) - 1);
                if (json_is_array(v)) {
                    char scalar[40];
                    singular(k, strlen(k), scalar, sizeof scalar); /* "codes": ["…"] → code */
                    json_t *e;
                    json_array_foreach(v, i, e) {
                        if (json_is_object(e) || json_is_array(e))
                            remember(e, base, depth + 1);
                        else
                            pool_add_json(scalar, e);
                    }
                } else
                    remember(v, base, depth + 1);
            }
        }
    } else if (json_is_array(j)) {
        json_array_foreach(j, i, v) remember(v, idkind, depth + 1);
    }
}

/* ---- the bytes of an operation ---- */

struct cursor {
    const uint8_t *p;
    size_t n, at;
};

static unsigned next(struct cursor *c)
{
    return c->at < c->n ? c->p[c->at++] : 0;
}

/* ---- values ---- */

static int64_t now(void);
static unsigned serial; /* operations run in this input: makes names unique */

static const char *const words[] = {"活动经费", "丰华花苑邻里文化营造", "测试", "文华社区", "志愿服务", "Fuzz", "a", "书画培训"};
static const char *const odd_strings[] = {
    "", " ", "\t\r\n", "<script>alert(1)</script>", "' OR '1'='1' --", "%s%s%n%x", "../../../../etc/passwd", "😀😀😀",
    "\u202e\u200b", "NaN", "-1", "0", "null", "2026-02-30", "9999-99-99", "0000-00-00", "2026-1-1", "１２３", "\\", "\"",
    "Robert'); DROP TABLE people;--", "e\u0301", "\x7f", "{\"a\":1}",
};
static const int64_t money_values[] = {10000, 100, 1, 50000, 100000, 1000000, 0, 3000};
static const int64_t odd_ints[] = {-1, 0, INT64_MAX, INT64_MIN, 2147483648LL, 4294967296LL, 1000000000000LL, 1000000000001LL,
                                   -1000000000000LL, 999999999, INT64_MAX - 1, 1, 86400, -86400, 253402300800LL, 31};
static const char *const odd_params[] = {"0", "-1", "9223372036854775807", "9223372036854775808", "abc", "1e3", "00001", "1 ",
                                         "99999999999999999999999", "😀", "%00", "..", "-9223372036854775808", "0x10", "+1", "1.5"};
static const int64_t time_units[] = {3600, 86400, 60, 7 * 86400, 1, 30 * 86400, -86400, 0};
static const int64_t clock_units[] = {86400, 3600, 60, 7 * 86400, 1, 30 * 86400, 600, 365 * 86400};

static const char *doc_of(const field_spec *f) { return f->doc ? f->doc : ""; }

static int is_time(const field_spec *f)
{
    return f->type == F_INT && (strstr(doc_of(f), "UTC seconds") || ends_with(f->name, "_at") || strstr(f->name, "deadline"));
}

static int is_date(const field_spec *f) { return f->type == F_STR && strstr(doc_of(f), "YYYY-MM-DD"); }

/* The place of f among the fields of its list that are times (or dates): later ones come later. */
static int time_rank(const field_spec *spec, const field_spec *f)
{
    int k = 0;
    for (const field_spec *x = spec; x < f; x++)
        k += is_time(f) ? is_time(x) : is_date(x);
    return k;
}

static json_t *text_of(const char *word, unsigned v, int max)
{
    char buf[256];
    if (v & 0x40)
        snprintf(buf, sizeof buf, "%s", word);
    else
        snprintf(buf, sizeof buf, "%s %u", word, serial); /* unique by default: names may have to be */
    if (max > 0) { /* at most max code points */
        int cps = 0;
        char *c = buf;
        for (; *c; c++)
            if (((unsigned char)*c & 0xC0) != 0x80 && ++cps > max)
                break;
        *c = 0;
    }
    return json_string(buf);
}

static json_t *date_of(int64_t t)
{
    time_t tt = (time_t)(t + 8 * 3600);
    struct tm tm;
    gmtime_r(&tt, &tm);
    char buf[40]; /* room for any int the format could print (-O3 checks) */
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    return json_string(buf);
}

static json_t *id_of(const char *s)
{
    char *end;
    long long v = s ? strtoll(s, &end, 10) : 0;
    return s && !*end ? json_integer(v) : json_string(s ? s : "");
}

static const char *current_kind; /* the kind of the route being run */

/* The pool named for a field ("account_id", "proposal_ids" → proposal_id, "code"); "ids": the
 * route's own kind (POST …/hours/decision {"ids"}). */
static const struct pool *pool_for(const char *name)
{
    if (strcmp(name, "ids") == 0)
        return pool_get(current_kind ? current_kind : "", 0);
    char base[48];
    snprintf(base, sizeof base, "%s", name);
    if (ends_with(base, "_ids") || ends_with(base, "codes"))
        base[strlen(base) - 1] = 0;
    return pool_get(base, 0);
}

static const char *id_for(const char *name, unsigned v)
{
    const char *s = pool_pick(pool_for(name), v);
    return s ? s : pool_pick(any_id, v) ? pool_pick(any_id, v) : "1";
}

/* The keys of a nested object's doc: "[{item, fen}]", "{\"type\": \"a\"|\"b\", \"id\": N}". */
struct shape {
    int kind; /* 0 none, 1 array of objects, 2 object of named keys, 3 map from one pool's names */
    int nkeys;
    char keys[8][24];
    char choices[8][4][24];
    int nchoices[8];
    char map_pool[24];
    int map_money;
};

static void shape_of(const field_spec *f, struct shape *s)
{
    memset(s, 0, sizeof *s);
    const char *d = doc_of(f);
    if (strncmp(d, "[{", 2) == 0) {
        s->kind = 1;
        for (const char *p = d + 2; *p && *p != '}' && s->nkeys < 8;) {
            while (*p == ' ' || *p == ',')
                p++;
            size_t l = strcspn(p, ",}");
            snprintf(s->keys[s->nkeys++], sizeof s->keys[0], "%.*s", (int)l, p);
            p += l;
        }
    } else if (strncmp(d, "{\"", 2) == 0) {
        s->kind = 2;
        for (const char *p = d; (p = strchr(p, '"'));) {
            const char *e = strchr(p + 1, '"');
            if (!e)
                break;
            const char *after = e + 1;
            while (*after == ' ')
                after++;
            const char *before = p - 1;
            while (before > d && *before == ' ')
                before--;
            if (*before == '|' || (*before == ':' && s->nkeys)) { /* a choice of the last key */
                int k = s->nkeys - 1;
                if (s->nchoices[k] < 4)
                    snprintf(s->choices[k][s->nchoices[k]++], sizeof s->choices[0][0], "%.*s", (int)(e - p - 1), p + 1);
            } else if (s->nkeys < 8)
                snprintf(s->keys[s->nkeys++], sizeof s->keys[0], "%.*s", (int)(e - p - 1), p + 1);
            p = e + 1;
        }
    } else if (d[0] == '{') {
        s->kind = 3;
        const char *colon = strchr(d, ':');
        const char *w = colon;
        while (w && w > d && w[-1] != ' ' && w[-1] != '{')
            w--;
        if (colon)
            snprintf(s->map_pool, sizeof s->map_pool, "%.*s", (int)(colon - w), w);
        s->map_money = colon && strstr(colon, "fen") != NULL;
    }
}

static json_t *member_value(const char *key, const struct shape *s, int k, int nth, int of, int64_t money, unsigned v)
{
    if (s->nchoices[k])
        return json_string(s->choices[k][v % (unsigned)s->nchoices[k]]);
    if (strcmp(key, "fen") == 0 || ends_with(key, "_fen"))
        return json_integer(money / of + (nth == 0 ? money % of : 0));
    if (strcmp(key, "weight") == 0)
        return json_integer(100 / of + (nth == 0 ? 100 % of : 0));
    if (strcmp(key, "max") == 0)
        return json_integer(10);
    if (strcmp(key, "id") == 0)
        return id_of(pool_pick(any_id, v));
    if (strcmp(key, "key") == 0) {
        char buf[16];
        snprintf(buf, sizeof buf, "k%d", nth);
        return json_string(buf);
    }
    const char *remembered = pool_pick(pool_get(key, 0), v + (unsigned)nth);
    return json_string(remembered ? remembered : words[(v + (unsigned)nth) % 8]);
}

/* A valid nested value: lines that add up to the body's money, weights that add up to 100. */
static json_t *nested_valid(const field_spec *f, int64_t money, unsigned v)
{
    struct shape s;
    shape_of(f, &s);
    if (f->type == F_ARRAY && s.kind == 1) {
        int n = 1 + (int)(v % 3);
        json_t *a = json_array();
        for (int i = 0; i < n; i++) {
            json_t *o = json_object();
            for (int k = 0; k < s.nkeys; k++)
                json_object_set_new(o, s.keys[k], member_value(s.keys[k], &s, k, i, n, money, v >> 2));
            json_array_append_new(a, o);
        }
        return a;
    }
    if (f->type == F_ARRAY)
        return v & 1 ? json_pack("[s]", "photo-1.jpg") : json_array();
    json_t *o = json_object();
    if (s.kind == 2)
        for (int k = 0; k < s.nkeys; k++)
            json_object_set_new(o, s.keys[k], member_value(s.keys[k], &s, k, 0, 1, money, v));
    else if (s.kind == 3) {
        const struct pool *p = pool_get(s.map_pool, 0);
        int n = p && p->n ? (p->n < 4 ? p->n : 4) : 1;
        for (int i = 0; i < n; i++) {
            const char *name = p && p->n ? pool_pick(p, v + (unsigned)i) : words[0];
            json_object_set_new(o, name, json_integer(s.map_money ? money_values[v % 8] / 3 : (int64_t)(v % 11)));
        }
    }
    return o;
}

/* An odd nested value: the shapes a careless update lets through. */
static json_t *nested_odd(const field_spec *f, int64_t money, unsigned v)
{
    struct shape s;
    shape_of(f, &s);
    json_t *good = nested_valid(f, money, v >> 4);
    switch (v % 16) {
    case 0: /* an element without one of its keys */
    case 1:
        if (json_is_array(good) && s.nkeys)
            json_object_del(json_array_get(good, 0), s.keys[(v >> 4) % (unsigned)s.nkeys]);
        else if (json_is_object(good) && s.nkeys)
            json_object_del(good, s.keys[(v >> 4) % (unsigned)s.nkeys]);
        return good;
    case 2: /* an empty element */
        json_decref(good);
        return f->type == F_ARRAY ? json_pack("[{}]") : json_pack("{s:{}}", "x");
    case 3:
        json_decref(good);
        return f->type == F_ARRAY ? json_array() : json_object();
    case 4: /* a negative amount */
    case 5: { /* amounts whose sum wraps to the body's money */
        json_decref(good);
        const char *key = s.kind == 1 && s.nkeys > 1 ? s.keys[1] : "fen", *name = s.kind == 1 ? s.keys[0] : "x";
        if (f->type != F_ARRAY)
            return json_pack("{s:I}", words[0], v % 16 == 4 ? (json_int_t)-1 : (json_int_t)INT64_MAX);
        if (v % 16 == 4)
            return json_pack("[{s:s, s:I}, {s:s, s:I}]", name, words[0], key, (json_int_t)(money + 1), name, words[1], key, (json_int_t)-1);
        int64_t big = INT64_MAX / 2 + 1;
        return json_pack("[{s:s, s:I}, {s:s, s:I}, {s:s, s:I}]", name, words[0], key, (json_int_t)big, name, words[1], key, (json_int_t)big,
                         name, words[2], key, (json_int_t)(int64_t)((uint64_t)money - 2 * (uint64_t)big)); /* the sum wraps to money */
    }
    case 6: /* keys of the wrong type */
        if (json_is_array(good) && s.nkeys) {
            json_t *e = json_array_get(good, 0);
            json_object_set_new(e, s.keys[(v >> 4) % (unsigned)s.nkeys], (v >> 4) & 1 ? json_integer(7) : json_string("7"));
        } else if (json_is_object(good))
            json_object_set_new(good, s.kind == 2 && s.nkeys ? s.keys[0] : words[0], json_real(1.5));
        return good;
    case 7: /* scalars where objects belong */
        json_decref(good);
        return f->type == F_ARRAY ? json_pack("[i, s, n, []]", 1, "x") : json_pack("{s:n, s:[]}", words[0], "y");
    case 8: { /* more elements than allowed */
        json_decref(good);
        json_t *a = f->type == F_ARRAY ? json_array() : json_object();
        for (int i = 0; i < 101 + (int)(v >> 4) * 100; i++) {
            char k[16];
            snprintf(k, sizeof k, "k%d", i);
            if (f->type == F_ARRAY)
                json_array_append_new(a, json_pack("{s:s, s:i}", s.nkeys ? s.keys[0] : "item", k, s.nkeys > 1 ? s.keys[1] : "fen", 1));
            else
                json_object_set_new(a, k, json_integer(1));
        }
        return a;
    }
    case 9: /* an extra key, and the same name twice */
        if (json_is_array(good)) {
            json_object_set_new(json_array_get(good, 0), "extra", json_true());
            json_array_append(good, json_array_get(good, 0));
        } else
            json_object_set_new(good, "extra", json_integer(1));
        return good;
    case 10: /* deep nesting */ {
        json_decref(good);
        json_t *x = json_object();
        for (int i = 0; i < 40; i++)
            x = f->type == F_ARRAY ? json_pack("[o]", x) : json_pack("{s:o}", "k", x);
        return x;
    }
    case 11: /* huge numbers and strings inside */
        if (json_is_array(good))
            for (int k = 0; k < s.nkeys; k++)
                json_object_set_new(json_array_get(good, 0), s.keys[k], k & 1 ? json_integer(INT64_MAX) : json_string(""));
        else
            json_object_set_new(good, "", json_integer(INT64_MIN));
        return good;
    default:
        return good;
    }
}

/* One field's value for mode and v; NULL: leave the field out. */
static json_t *field_value(const field_spec *spec, const field_spec *f, unsigned mode, unsigned v, int64_t money)
{
    char buf[64];
    int max = f->max;
    int64_t t = now();
    switch (mode % 8) {
    case 0:
        return NULL;
    case 4: /* an edge value of the type */
        switch (f->type) {
        case F_STR: {
            if (v % 4 == 0) { /* one past the limit, in characters of three bytes */
                int n = (max ? max : 200) + 1 + (int)(v >> 6);
                char *s = malloc((size_t)n * 3 + 1);
                for (int i = 0; i < n; i++)
                    memcpy(s + i * 3, "字", 3);
                s[n * 3] = 0;
                json_t *j = json_string(s);
                free(s);
                return j;
            }
            if (v % 4 == 1) { /* exactly at the limit, in characters of four bytes */
                int n = max ? max : 100;
                char *s = malloc((size_t)n * 4 + 1);
                for (int i = 0; i < n; i++)
                    memcpy(s + i * 4, "😀", 4);
                s[n * 4] = 0;
                json_t *j = json_string(s);
                free(s);
                return j;
            }
            return json_string(odd_strings[(v >> 2) % (sizeof odd_strings / sizeof odd_strings[0])]);
        }
        case F_INT:
            if (v % 4 == 0 && max)
                return json_integer(max + (int64_t)(v >> 2) % 3 - 1);
            return json_integer(odd_ints[(v >> 2) % 16]);
        case F_MONEY:
            return json_integer(odd_ints[v % 16]);
        case F_ID:
            return json_integer(odd_ints[v % 16]);
        case F_ENUM:
            if (v & 1 && f->choices && f->choices[0]) { /* a choice with a space after it */
                snprintf(buf, sizeof buf, "%s ", f->choices[0]);
                return json_string(buf);
            }
            return json_string(odd_strings[(v >> 1) % 8]);
        case F_BOOL:
            return json_integer(v & 1);
        case F_PHONE:
            return json_string((const char *[]){"", "1380013800", "23800138000", "138001380000", "+8613800138000", "138 0013 8000", "１３８００１３８０００", "13800138000\n"}[v % 8]);
        case F_IDNUM:
            return json_string((const char *[]){"", "11010519491231002x", "110105194912310021", "11010519491231002", "000000000000000000",
                                                "44060620260230001X", "1101051949123100２X", "11010519491231002X "}[v % 8]);
        case F_TAGS:
            return v & 1 ? json_pack("[s]", "") : json_pack("[s, s]", f->choices && f->choices[0] ? f->choices[0] : "x", f->choices && f->choices[0] ? f->choices[0] : "x");
        case F_IDS: {
            json_t *a = json_array();
            switch (v % 6) {
            case 0: break;
            case 1: json_array_append_new(a, json_integer(0)); break;
            case 2: json_array_append_new(a, json_integer(-1)); break;
            case 3: json_array_append_new(a, json_integer(INT64_MAX)); break;
            case 4:
                for (int i = 0; i < 1001; i++)
                    json_array_append_new(a, json_integer(i + 1));
                break;
            default: {
                json_t *id = id_of(id_for(f->name, v >> 3));
                json_array_append(a, id);
                json_array_append_new(a, id);
            }
            }
            return a;
        }
        case F_OBJECT:
        case F_ARRAY:
            return nested_odd(f, money, v);
        }
        return json_null();
    case 5: /* another type */
        switch (v % 8) {
        case 0: return json_true();
        case 1: return json_integer(0);
        case 2: return json_real(1.5);
        case 3: return json_string("1");
        case 4: return json_array();
        case 5: return json_object();
        case 6: return json_string("");
        default: return json_real(-1e300);
        }
    case 6: { /* a remembered value, whatever its kind */
        const char *s = pool_pick(&pools[v % (unsigned)(npools ? npools : 1)], v >> 3);
        return f->type == F_STR || f->type == F_ENUM || f->type == F_PHONE || f->type == F_IDNUM ? json_string(s ? s : "") : id_of(s);
    }
    case 7:
        return json_null();
    default: /* 1, 2, 3: valid */
        break;
    }
    if (is_time(f))
        return json_integer(t + (time_rank(spec, f) + 1) * time_units[v % 8]);
    if (is_date(f))
        return date_of(t + (time_rank(spec, f) + (int64_t)(v >> 3) % 4) * 86400 * (int64_t)(v % 8 == 7 ? -1 : 1));
    switch (f->type) {
    case F_STR: {
        const char *remembered = v & 0x80 ? NULL : pool_pick(pool_get(f->name, 0), v);
        if (remembered) /* a code, a serial, a token seen in an answer */
            return json_string(remembered);
        return text_of(words[v % 8], v, max);
    }
    case F_INT: {
        if (strstr(f->name, "year"))
            return json_integer(1950 + (int64_t)(v % 70));
        static const int64_t small[] = {1, 0, 2, 5, 10, 60, 100, 30};
        int64_t x = small[v % 8];
        return json_integer(max && x > max ? max : x);
    }
    case F_MONEY: {
        int64_t x = money_values[v % 8];
        return json_integer(max && x > max ? max : x);
    }
    case F_BOOL:
        return json_boolean((v & 1) == 0);
    case F_ENUM: {
        int n = 0;
        while (f->choices && f->choices[n])
            n++;
        return json_string(n ? f->choices[v % (unsigned)n] : "");
    }
    case F_ID:
        return id_of(id_for(f->name, v));
    case F_PHONE:
    case F_IDNUM: {
        struct demo_person p;
        demo_person_make(4242u, v, 1, 1, &p);
        return json_string(f->type == F_PHONE ? p.phone : p.id_number);
    }
    case F_TAGS: {
        json_t *a = json_array();
        for (int i = 0; f->choices && f->choices[i]; i++)
            if (v & (1u << i) || (v == 0 && i == 0))
                json_array_append_new(a, json_string(f->choices[i]));
        return a;
    }
    case F_IDS: {
        const struct pool *p = pool_for(f->name);
        json_t *a = json_array();
        if (!p || !p->n) { /* no ids of that kind: increasing numbers (star thresholds) */
            for (int i = 0; i < 5; i++)
                json_array_append_new(a, json_integer((i + 1) * 10 * (1 + (int64_t)(v % 4))));
            return a;
        }
        int n = 1 + (int)((v >> 4) % 3);
        for (int i = 0; i < n && i < p->n; i++)
            json_array_append_new(a, id_of(pool_pick(p, v % 16 + (unsigned)i)));
        return a;
    }
    case F_OBJECT:
    case F_ARRAY:
        return nested_valid(f, money, v);
    }
    return json_null();
}

/* ---- running a request ---- */

static int64_t clock_offset;
static void write_file(const char *path, const char *data, size_t len);

static int64_t now(void) { return (int64_t)time(NULL) + clock_offset; }

/* The offset is written over the file in place, always as many bytes: a file truncated and written
 * again is flushed to disk at close on ext4 (its replace-by-truncate heuristic), which cost 10 ms. */
static void clock_set(int64_t offset)
{
    if (offset == clock_offset)
        return;
    clock_offset = offset;
    char text[32];
    int n = snprintf(text, sizeof text, "%+020lld\n", (long long)offset);
    write_file(clock_file, text, (size_t)n);
}

struct request {
    const char *method;
    char path[1024];
    struct req_value values[16];
    int nvalues;
    char *body;
    size_t body_len;
};

static void add_value(struct request *q, enum req_value_kind kind, const char *name, const char *value)
{
    if (q->nvalues < (int)(sizeof q->values / sizeof q->values[0]))
        q->values[q->nvalues++] = (struct req_value){kind, name, value};
}

/* Runs q as role; remembers what the answer names. Returns the status. */
static unsigned run(int role_i, const struct fuzz_route *fr, struct request *q, struct inproc_answer *ans)
{
    const struct actor *role = &roles[role_i];
    if (role->login && role->cookie[0])
        add_value(q, REQ_COOKIE, "linli_session", role->cookie);
    struct inproc_request in = {q->method, q->path, q->values, q->nvalues, q->body, q->body_len, "127.0.0.1"};
    if (inproc_run(&app, db, &in, ans) != 0)
        abort(); /* out of memory in the fuzzer itself */
    if (trace)
        fprintf(stderr, "fuzz_api: %-14s %s %s%s%.*s → %u %.*s\n", role->name, q->method, q->path, q->body ? " " : "",
                q->body && q->body_len < 400 ? (int)q->body_len : 40, q->body ? q->body : "", ans->status,
                ans->len < 300 ? (int)ans->len : 300, ans->body);
    if (ans->status == 500 && fr)
        errors_500[fr - routes]++;
    if (ans->status >= 200 && ans->status < 300 && fr && inputs)
        successes[fr - routes]++;
    json_error_t e;
    json_t *j = ans->ctype && strncmp(ans->ctype, "application/json", 16) == 0 ? json_parse(ans->body, ans->len, 0, &e) : NULL;
    if (strict && (ans->status >= 500 || (ans->status >= 400 && !json_is_string(json_object_get(json_object_get(j, "error"), "code"))))) {
        fprintf(stderr, "fuzz_api: %s %s answered %u: %.*s\n", q->method, q->path, ans->status, (int)ans->len, ans->body);
        abort();
    }
    if (j && ans->status < 300)
        remember(j, fr ? fr->kind : "", 0);
    json_decref(j);
    return ans->status;
}

static const char *const common_query[] = {"limit", "offset", "q", "format", "preview", "name", "private", "status", "unmask", "year", NULL};
static const char *const query_values[] = {"1", "0", "-1", "abc", "csv", "xlsx", "json", "99999999999999999999", "", "2026", "13", "1e3",
                                           "%", "_", "😀", NULL};

/* The query argument b names, for route fr. */
static void add_query(struct request *q, const struct fuzz_route *fr, unsigned b, char store[][VALUE_MAX], int *nstore)
{
    const char *names[24];
    int n = 0;
    for (const char *const *x = fr->rt->query; x && *x && n < 12; x++)
        names[n++] = *x;
    for (const char *const *x = common_query; *x; x++)
        names[n++] = *x;
    const char *name = names[(b & 15) % (unsigned)n];
    const char *value = query_values[(b >> 4) % 15];
    if ((b >> 4) == 15) { /* a remembered value of the argument's kind */
        const char *s = pool_pick(pool_get(name, 0), 0);
        if (!s)
            s = pool_pick(any_id, 0);
        snprintf(store[*nstore], VALUE_MAX, "%s", s ? s : "1");
        value = store[(*nstore)++];
    }
    add_value(q, REQ_QUERY, name, value);
}

static const char pdf[] = "%PDF-1.4\n% linli fuzz\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\x08\x06\0\0\0\x1f\x15\xc4\x89";
static const char jpeg[] = "\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0\xff\xd9";

/* A body for a file route, or a CSV for an import. */
static void raw_body(const struct fuzz_route *fr, unsigned pick, struct request *q, char *buf, size_t cap)
{
    if (fr->rt->flags & R_CSV_BODY) {
        struct demo_person p;
        demo_person_make(99u, pick, 1, 1, &p);
        static const char *const compounds[] = {"文华花园", "康桥水岸", "没有这个小区", ""};
        const char *head = "姓名,性别,手机号,身份证号,小区,楼栋,房号\n";
        switch (pick % 6) {
        case 0:
        case 1:
        case 2:
            snprintf(buf, cap, "%s%s,%s,%s,%s,%s,%d栋,%s\n", head, p.name, p.gender == 'M' ? "男" : "女", p.phone, p.id_number,
                     compounds[(pick >> 3) % 4], p.building, p.room);
            break;
        case 3:
            snprintf(buf, cap, "%s", head);
            break;
        case 4:
            snprintf(buf, cap, "%s%s,,,,,,\n%s,男,%s,%s,文华花园,1栋,1-101\n", head, p.name, p.name, p.phone, p.id_number);
            break;
        default:
            snprintf(buf, cap, "\"unclosed,%s\n\xef\xbb\xbf,,\n", p.name);
        }
        q->body = buf;
        q->body_len = strlen(buf);
        add_value(q, REQ_HEADER, "Content-Type", pick % 16 == 15 ? "application/json" : "text/csv");
        return;
    }
    switch (pick % 5) {
    case 0: memcpy(buf, pdf, sizeof pdf - 1); q->body_len = sizeof pdf - 1; break;
    case 1: memcpy(buf, png, sizeof png - 1); q->body_len = sizeof png - 1; break;
    case 2: memcpy(buf, jpeg, sizeof jpeg - 1); q->body_len = sizeof jpeg - 1; break;
    case 3: snprintf(buf, cap, "<html>%u</html>", pick); q->body_len = strlen(buf); break;
    default: q->body_len = 0;
    }
    q->body = buf;
    add_value(q, REQ_HEADER, "Content-Type", "application/octet-stream");
}

/* The field of fr that the two bytes name. */
static const field_spec *field_named(const struct fuzz_route *fr, unsigned hi, unsigned lo)
{
    if (!fr->nfields)
        return NULL;
    unsigned k = ((hi & 0x3f) << 6) | (lo & 0x3f);
    if ((hi & 0xc0) == 0x40 && (lo & 0xc0) == 0x40)
        for (int i = 0; i < fr->nfields; i++)
            if (fr->field_keys[i] == k)
                return &fr->rt->body[i];
    return &fr->rt->body[((hi << 8) | lo) % (unsigned)fr->nfields];
}

static char last_idem[32];

/* The route three bytes name (see the top of the file); *by_key is 0 when no key matched. */
static const struct fuzz_route *route_of(unsigned b0, unsigned b1, unsigned b2, int *by_key)
{
    uint32_t key = ((b0 & 0x3f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
    *by_key = 1;
    if ((b0 & 0xc0) == 0x40 && (b1 & 0xc0) == 0x40 && (b2 & 0xc0) == 0x40)
        for (int i = 0; i < nroutes; i++)
            if (routes[i].key == key)
                return &routes[i];
    *by_key = 0;
    return &routes[((b0 << 16) | (b1 << 8) | b2) % (unsigned)nroutes];
}

/* Decodes and runs one operation. */
static void run_op(const uint8_t *p, size_t n)
{
    struct cursor c = {p, n, 0};
    int role = (int)(next(&c) % NROLES);
    unsigned b0 = next(&c), b1 = next(&c), b2 = next(&c);
    int by_key;
    const struct fuzz_route *fr = route_of(b0, b1, b2, &by_key);
    if (!by_key && trace)
        fprintf(stderr, "fuzz_api: (no route has the key %02x%02x%02x: route number %u)\n", b0, b1, b2, (unsigned)(fr - routes));
    serial++;
    if (!fr->rt) { /* CLOCK */
        unsigned f = next(&c);
        clock_set(clock_offset + clock_units[f % 8] * (1 + (int64_t)(f >> 3)));
        if (trace)
            fprintf(stderr, "fuzz_api: the clock is now %+lld s\n", (long long)clock_offset);
        return;
    }
    current_kind = fr->kind;
    struct request q = {.method = fr->method};
    char values[MAX_PATH_PARAMS + 4][VALUE_MAX];
    int nvalues = 0;
    /* the path, with its parameters */
    size_t at = 0;
    int pi = 0;
    for (const char *s = fr->path; *s && at < sizeof q.path - VALUE_MAX;) {
        if (*s != '{') {
            q.path[at++] = *s++;
            continue;
        }
        unsigned b = next(&c);
        const char *v;
        char num[24];
        if (strcmp(fr->params[pi], "community_id") == 0 && b < 0xc0) {
            snprintf(num, sizeof num, "%lld", (long long)(b % 16 == 15 ? other_community : community));
            v = num;
        } else if (b < 0xc0)
            v = pool_pick(pool_get(fr->params[pi], 0), b);
        else if (b < 0xe0)
            v = pool_pick(any_id, b & 0x1f);
        else
            v = odd_params[b & 15];
        if (!v)
            v = pool_pick(any_id, b) ? pool_pick(any_id, b) : "1";
        at += (size_t)snprintf(q.path + at, sizeof q.path - at, "%s", v);
        s = strchr(s, '}') + 1;
        pi++;
    }
    q.path[at] = 0;
    unsigned flags = next(&c);
    const struct actor *r = &roles[role];
    if ((flags & 3) != 3 && r->login && strcmp(q.method, "GET") != 0)
        add_value(&q, REQ_HEADER, "X-CSRF-Token", r->csrf);
    if (flags & 4)
        add_value(&q, REQ_HEADER, "Accept-Language", "en");
    for (unsigned i = 0; i < ((flags >> 3) & 3); i++)
        add_query(&q, fr, next(&c), values, &nvalues);
    unsigned idem = flags >> 5;
    if (idem <= 4) {
        snprintf(last_idem, sizeof last_idem, "fz-%u", serial);
        add_value(&q, REQ_HEADER, "Idempotency-Key", last_idem);
    } else if (idem == 5)
        add_value(&q, REQ_HEADER, "Idempotency-Key", last_idem[0] ? last_idem : "fz-0");
    else if (idem == 7)
        add_value(&q, REQ_HEADER, "Idempotency-Key", (flags & 8) ? "" : "fz\x01key");
    /* the body */
    static char raw[8192];
    char *text = NULL;
    if (fr->rt->flags & (R_RAW_BODY | R_CSV_BODY)) {
        unsigned pick = 0;
        if (c.at < c.n) { /* the first item: its mode and value */
            next(&c);
            next(&c);
            pick = next(&c);
            pick |= next(&c) << 8;
        }
        raw_body(fr, pick, &q, raw, sizeof raw);
        int named = 0;
        for (int i = 0; i < q.nvalues; i++)
            named |= q.values[i].kind == REQ_QUERY && strcmp(q.values[i].name, "name") == 0;
        if ((fr->rt->flags & R_RAW_BODY) && !named)
            add_value(&q, REQ_QUERY, "name", "scan.pdf");
    } else if (fr->rt->body) {
        /* The deviations first (the last one for a field wins), then the body in two passes: money
         * before the nested values that must add up to it. */
        unsigned mode[32], val[32];
        for (int i = 0; i < fr->nfields; i++) {
            mode[i] = fr->rt->body[i].required ? 1 : 0;
            val[i] = 0;
        }
        while (c.at < c.n) {
            unsigned hi = next(&c), lo = next(&c), m = next(&c), v = next(&c);
            const field_spec *f = field_named(fr, hi, lo);
            mode[f - fr->rt->body] = m;
            val[f - fr->rt->body] = v;
        }
        json_t *body = json_object();
        int64_t money = money_values[0];
        int money_set = 0;
        for (int pass = 0; pass < 2; pass++)
            for (int i = 0; i < fr->nfields; i++) {
                const field_spec *f = &fr->rt->body[i];
                int nested = f->type == F_OBJECT || f->type == F_ARRAY;
                if (nested != pass)
                    continue;
                json_t *v = field_value(fr->rt->body, f, mode[i], val[i], money);
                if (f->type == F_MONEY && json_is_integer(v) && mode[i] % 8 >= 1 && mode[i] % 8 <= 3 && !money_set) {
                    money = json_integer_value(v); /* what nested amounts add up to */
                    money_set = 1;
                }
                if (v)
                    json_object_set_new(body, f->name, v);
            }
        text = json_dumps(body, JSON_COMPACT);
        json_decref(body);
        q.body = text;
        q.body_len = text ? strlen(text) : 0;
        add_value(&q, REQ_HEADER, "Content-Type", "application/json");
    }
    struct inproc_answer ans;
    run(role, fr, &q, &ans);
    inproc_answer_free(&ans);
    free(text);
}

/* ---- mutations that know the encoding ----
 * libFuzzer's byte mutations mostly break an operation; these change one thing an operation means
 * (a field's mode or value, a field added, a role, a path parameter, an operation copied, moved,
 * removed or added, the clock moved) and keep the rest. A third of the time the bytes are left to
 * libFuzzer's own mutations (LLVMFuzzerMutate), and crossover splices the operations of two inputs.
 * Nothing here knows any route in particular. */

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size) __attribute__((weak));
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *d1, size_t s1, const uint8_t *d2, size_t s2, uint8_t *out, size_t max_out,
                                 unsigned int seed);

#define MAX_SPLIT 64
struct split {
    int n;
    size_t at[MAX_SPLIT], len[MAX_SPLIT];
};

static void split_ops(const uint8_t *d, size_t size, struct split *sp)
{
    sp->n = 0;
    for (size_t at = 0; at <= size && sp->n < MAX_SPLIT;) {
        const uint8_t *end = at < size ? memchr(d + at, '\n', size - at) : NULL;
        size_t n = end ? (size_t)(end - (d + at)) : size - at;
        if (n || end) {
            sp->at[sp->n] = at;
            sp->len[sp->n++] = n;
        }
        if (!end)
            break;
        at += n + 1;
    }
}

/* Joins ops (pointers and lengths) into out; the new size, or 0 if it does not fit. */
static size_t join_ops(const uint8_t *const *ops, const size_t *lens, int n, uint8_t *out, size_t max)
{
    size_t at = 0;
    for (int i = 0; i < n; i++) {
        if (at + lens[i] + (i > 0) > max)
            return 0;
        if (i > 0)
            out[at++] = '\n';
        memmove(out + at, ops[i], lens[i]);
        at += lens[i];
    }
    return at;
}

static unsigned rnd(unsigned *state, unsigned n)
{
    *state = *state * 1103515245u + 12345u;
    return n ? (*state >> 8) % n : 0;
}

static uint8_t no_newline(unsigned b)
{
    return (uint8_t)(b == '\n' ? b + 1 : b);
}

/* Where an operation's items begin (after role, route, parameters, flags and query bytes). */
static size_t items_at(const uint8_t *op, size_t n, const struct fuzz_route **fr_out)
{
    int by_key;
    const struct fuzz_route *fr = route_of(n > 1 ? op[1] : 0, n > 2 ? op[2] : 0, n > 3 ? op[3] : 0, &by_key);
    *fr_out = fr;
    size_t at = 4 + (size_t)(fr->rt ? fr->nparams : 0);
    unsigned flags = at < n ? op[at] : 0;
    return at + 1 + (fr->rt ? (flags >> 3) & 3 : 0);
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    unsigned st = seed;
    if ((rnd(&st, 3) == 0 || size == 0) && LLVMFuzzerMutate)
        return LLVMFuzzerMutate(data, size, max_size);
    static uint8_t work[1 << 16], extra[64];
    if (size > sizeof work || !nroutes)
        return LLVMFuzzerMutate ? LLVMFuzzerMutate(data, size, max_size) : size;
    memcpy(work, data, size);
    struct split sp;
    split_ops(work, size, &sp);
    const uint8_t *ops[MAX_SPLIT + 1];
    size_t lens[MAX_SPLIT + 1];
    for (int i = 0; i < sp.n; i++) {
        ops[i] = work + sp.at[i];
        lens[i] = sp.len[i];
    }
    int n = sp.n;
    static uint8_t op_buf[4096];
    int k = n ? (int)rnd(&st, (unsigned)n) : 0;
    const struct fuzz_route *fr = NULL;
    switch (rnd(&st, 9)) {
    case 0: /* remove an operation */
        if (n > 1) {
            memmove(&ops[k], &ops[k + 1], sizeof ops[0] * (size_t)(n - k - 1));
            memmove(&lens[k], &lens[k + 1], sizeof lens[0] * (size_t)(n - k - 1));
            n--;
            break;
        }
        /* fall through */
    case 1: /* copy an operation to another place */
        if (n && n < MAX_SPLIT) {
            int to = (int)rnd(&st, (unsigned)n + 1);
            const uint8_t *o = ops[k];
            size_t l = lens[k];
            memmove(&ops[to + 1], &ops[to], sizeof ops[0] * (size_t)(n - to));
            memmove(&lens[to + 1], &lens[to], sizeof lens[0] * (size_t)(n - to));
            ops[to] = o;
            lens[to] = l;
            n++;
        }
        break;
    case 2: /* a new operation: a route, its parameters the latest ids; or the clock moved on */
        if (n < MAX_SPLIT) {
            const struct fuzz_route *r = &routes[rnd(&st, (unsigned)nroutes)];
            size_t l = 0;
            extra[l++] = no_newline(rnd(&st, NROLES));
            extra[l++] = (uint8_t)(0x40 | (r->key >> 12));
            extra[l++] = (uint8_t)(0x40 | ((r->key >> 6) & 0x3f));
            extra[l++] = (uint8_t)(0x40 | (r->key & 0x3f));
            for (int i = 0; r->rt && i < r->nparams; i++)
                extra[l++] = (uint8_t)rnd(&st, 3);
            extra[l++] = r->rt ? 0 : no_newline(rnd(&st, 32));
            int to = (int)rnd(&st, (unsigned)n + 1);
            memmove(&ops[to + 1], &ops[to], sizeof ops[0] * (size_t)(n - to));
            memmove(&lens[to + 1], &lens[to], sizeof lens[0] * (size_t)(n - to));
            ops[to] = extra;
            lens[to] = l;
            n++;
        }
        break;
    case 3: /* swap two operations */
        if (n > 1) {
            int j = (int)rnd(&st, (unsigned)n);
            const uint8_t *o = ops[k];
            size_t l = lens[k];
            ops[k] = ops[j];
            lens[k] = lens[j];
            ops[j] = o;
            lens[j] = l;
        }
        break;
    default: { /* change one thing inside an operation: more often one that sends fields */
        if (!n)
            break;
        if (rnd(&st, 3)) {
            int with[MAX_SPLIT], nwith = 0;
            for (int i = 0; i < n; i++) {
                const struct fuzz_route *x;
                if (lens[i] >= 4 && items_at(ops[i], lens[i], &x) + 4 <= lens[i])
                    with[nwith++] = i;
            }
            if (nwith)
                k = with[rnd(&st, (unsigned)nwith)];
        }
        size_t l = lens[k] < sizeof op_buf - 8 ? lens[k] : sizeof op_buf - 8;
        memcpy(op_buf, ops[k], l);
        while (l < 5)
            op_buf[l++] = 0;
        size_t it = items_at(op_buf, l, &fr);
        while (l < it)
            op_buf[l++] = 0;
        int nitems = (int)((l - it) / 4);
        switch (rnd(&st, 6)) {
        case 0: /* the role */
            op_buf[0] = no_newline(rnd(&st, NROLES));
            break;
        case 1: /* a path parameter: a more recent or older id, or any byte */
            if (fr->rt && fr->nparams) {
                size_t at = 4 + rnd(&st, (unsigned)fr->nparams);
                op_buf[at] = no_newline(rnd(&st, 2) ? rnd(&st, 4) : rnd(&st, 256));
                break;
            }
            /* fall through */
        case 2: /* the flags (for the clock: how far it moves) */
            op_buf[4 + (fr->rt ? fr->nparams : 0)] ^= (uint8_t)(1u << rnd(&st, 8));
            if (op_buf[4 + (fr->rt ? fr->nparams : 0)] == '\n')
                op_buf[4 + (fr->rt ? fr->nparams : 0)]++;
            it = items_at(op_buf, l, &fr); /* the query bytes may be more now */
            while (l < it)
                op_buf[l++] = 0;
            nitems = (int)((l - it) / 4);
            break;
        case 3: /* a field added */
            if (fr->rt && fr->nfields && l + 4 < sizeof op_buf) {
                unsigned fk = fr->field_keys[rnd(&st, (unsigned)fr->nfields)];
                op_buf[l++] = (uint8_t)(0x40 | (fk >> 6));
                op_buf[l++] = (uint8_t)(0x40 | (fk & 0x3f));
                op_buf[l++] = no_newline(rnd(&st, 8));
                op_buf[l++] = no_newline(rnd(&st, 256));
                break;
            }
            /* fall through */
        default: /* a field's mode or value */
            if (nitems) {
                size_t at = it + 4 * rnd(&st, (unsigned)nitems);
                /* the mode: an edge value most often (0 absent, 1-3 valid, 4 edge, 5 type, 6 any, 7 null) */
                static const uint8_t modes[16] = {4, 4, 4, 4, 4, 4, 5, 5, 6, 6, 7, 0, 1, 2, 3, 1};
                if (rnd(&st, 2))
                    op_buf[at + 2] = no_newline((op_buf[at + 2] & ~7u) | modes[rnd(&st, 16)]);
                else
                    op_buf[at + 3] = no_newline(rnd(&st, 2) ? op_buf[at + 3] ^ (1u << rnd(&st, 8)) : rnd(&st, 256));
            } else if (l < sizeof op_buf) /* a byte of the operation */
                op_buf[rnd(&st, (unsigned)l)] = no_newline(rnd(&st, 256));
        }
        ops[k] = op_buf;
        lens[k] = l;
    }
    }
    static uint8_t out[1 << 16];
    size_t m = join_ops(ops, lens, n, out, max_size < sizeof out ? max_size : sizeof out);
    if (!m)
        return LLVMFuzzerMutate ? LLVMFuzzerMutate(data, size, max_size) : size;
    memcpy(data, out, m);
    return m;
}

/* The first operations of one input, then the last of the other. */
size_t LLVMFuzzerCustomCrossOver(const uint8_t *d1, size_t s1, const uint8_t *d2, size_t s2, uint8_t *out, size_t max_out,
                                 unsigned int seed)
{
    unsigned st = seed;
    struct split a, b;
    split_ops(d1, s1, &a);
    split_ops(d2, s2, &b);
    const uint8_t *ops[2 * MAX_SPLIT];
    size_t lens[2 * MAX_SPLIT];
    int n = 0, ka = (int)rnd(&st, (unsigned)a.n + 1), kb = (int)rnd(&st, (unsigned)b.n + 1);
    for (int i = 0; i < ka; i++, n++) {
        ops[n] = d1 + a.at[i];
        lens[n] = a.len[i];
    }
    for (int i = kb; i < b.n && n < MAX_SPLIT; i++, n++) {
        ops[n] = d2 + b.at[i];
        lens[n] = b.len[i];
    }
    return join_ops(ops, lens, n, out, max_out);
}

/* ---- the database at start, and before each input ---- */

/* The fuzzer's one connection. Its journal is a rollback journal kept in memory, not the server's
 * write-ahead log, so that the database is that one file and nothing else (see db_reset); and
 * nothing here must survive a power loss, so there is no fsync either. */
static void db_open(void)
{
    char err[512];
    if (store_open(db_url, &db, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "fuzz_api: %s\n", err);
        abort();
    }
    if (store_exec_script(db, "PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF") != STORE_OK)
        abort();
}

/* Overwritten in place, then cut to length: truncating first would free every page of the file and
 * make the kernel clear and map them again (most of the cost of a reset, measured). */
static void write_file(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    if (fd < 0 || pwrite(fd, data, len, 0) != (ssize_t)len || ftruncate(fd, (off_t)len) != 0 || close(fd) != 0) {
        fprintf(stderr, "fuzz_api: cannot write %s: %s\n", path, strerror(errno));
        abort();
    }
}

/* Back to the database as it was at the end of LLVMFuzzerInitialize: its bytes are written over the
 * file while the connection is idle (no transaction, no lock), as another process might write it.
 * At its next transaction SQLite sees the file's change counter differ from the one it last read
 * (every commit of an input moved it on) and drops its cached pages; the schema is the same, so
 * the connection and its prepared statements stay as they are. Closing and opening the connection
 * instead cost 6 ms an input, most of it reading the schema again. */
static void db_reset(void)
{
    if (store_in_transaction(db))
        abort(); /* http_run ends every transaction */
    write_file(db_file, pristine, pristine_len);
}

static void db_keep(void)
{
    FILE *f = fopen(db_file, "rb");
    if (!f || fseek(f, 0, SEEK_END) != 0)
        abort();
    long len = ftell(f);
    rewind(f);
    pristine = malloc((size_t)len);
    if (!pristine || fread(pristine, 1, (size_t)len, f) != (size_t)len)
        abort();
    fclose(f);
    pristine_len = (size_t)len;
}

/* A request made by the set-up itself, with a JSON body (NULL: none); its answer parsed (new ref). */
static json_t *setup_call(int role, const char *method, const char *path, json_t *body, unsigned want)
{
    struct request q = {.method = method};
    snprintf(q.path, sizeof q.path, "%s", path);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (text) {
        q.body = text;
        q.body_len = strlen(text);
        add_value(&q, REQ_HEADER, "Content-Type", "application/json");
    }
    if (roles[role].login && strcmp(method, "GET") != 0)
        add_value(&q, REQ_HEADER, "X-CSRF-Token", roles[role].csrf);
    const struct fuzz_route *fr = NULL;
    int known = 0;
    const route *rt = router_match(method, path, NULL, NULL, &known);
    for (int i = 0; i < nroutes && rt; i++)
        if (routes[i].rt == rt)
            fr = &routes[i];
    struct inproc_answer ans;
    unsigned status = run(role, fr, &q, &ans);
    free(text);
    if (want && status != want) {
        fprintf(stderr, "fuzz_api: set-up: %s %s answered %u, not %u: %.*s\n", method, path, status, want, (int)ans.len, ans.body);
        abort();
    }
    json_error_t e;
    json_t *j = json_parse(ans.body, ans.len, 0, &e);
    if (role < NROLES && strcmp(path, "/api/v1/session") == 0 && strcmp(method, "POST") == 0) {
        const char *cookie = inproc_header(&ans, "Set-Cookie");
        const char *csrf = json_string_value(json_object_get(j, "csrf_token"));
        if (!cookie || !csrf || strncmp(cookie, "linli_session=", 14) != 0)
            abort();
        snprintf(roles[role].cookie, sizeof roles[role].cookie, "%.*s", (int)strcspn(cookie + 14, ";"), cookie + 14);
        snprintf(roles[role].csrf, sizeof roles[role].csrf, "%s", csrf);
    }
    inproc_answer_free(&ans);
    return j;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void cleanup(void)
{
    if (inputs > 1)
        fprintf(stderr, "fuzz_api: %lu inputs, %lu operations: %.2f ms to reset the database before an input, %.2f ms an operation\n",
                inputs, ops_run, reset_s * 1e3 / (double)(inputs - 1), ops_run ? ops_s * 1e3 / (double)ops_run : 0.0);
    int never = 0;
    for (int i = 0; i < nroutes; i++)
        never += routes[i].rt && !successes[i];
    if (inputs > 1 && never) { /* how deep the inputs got */
        fprintf(stderr, "fuzz_api: %d of %d routes never answered 2xx:", never, nroutes - 1);
        for (int i = 0; i < nroutes; i++)
            if (routes[i].rt && !successes[i])
                fprintf(stderr, " %s %s;", routes[i].method, routes[i].path + (strncmp(routes[i].path, "/api/v1/communities/{community_id}", 34) ? 0 : 34));
        fputc('\n', stderr);
    }
    int any = 0;
    for (int i = 0; i < nroutes; i++)
        if (errors_500[i]) {
            if (!any)
                fprintf(stderr, "fuzz_api: routes that answered 500 (run with FUZZ_API_TRACE=1 to see why):\n");
            any = 1;
            fprintf(stderr, "fuzz_api:   %lu × %s %s\n", errors_500[i], routes[i].method, routes[i].path);
        }
    if (db)
        store_close(db);
    db = NULL;
    if (dir[0])
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Folders left by earlier runs that were killed (a crash ends the process without atexit). */
static void remove_stale(const char *tmp)
{
    DIR *d = opendir(tmp);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        long pid;
        char path[PATH_MAX];
        if (sscanf(e->d_name, "linli-fuzz-api.%ld", &pid) == 1 && pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH &&
            snprintf(path, sizeof path, "%s/%s", tmp, e->d_name) < (int)sizeof path)
            nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    }
    if (d)
        closedir(d);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    json_alloc_install();
    if (crypto_init() != 0)
        abort();
    trace = getenv("FUZZ_API_TRACE") && strcmp(getenv("FUZZ_API_TRACE"), "1") == 0;
    strict = getenv("FUZZ_API_STRICT") && strcmp(getenv("FUZZ_API_STRICT"), "1") == 0;
    const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    remove_stale(tmp);
    snprintf(dir, sizeof dir, "%s/linli-fuzz-api.%ld", tmp, (long)getpid());
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    if (mkdir(dir, 0700) != 0) {
        fprintf(stderr, "fuzz_api: cannot create %s: %s\n", dir, strerror(errno));
        abort();
    }
    atexit(cleanup);
    snprintf(db_file, sizeof db_file, "%s/linli.db", dir);
    snprintf(db_url, sizeof db_url, "sqlite:%s", db_file);
    snprintf(clock_file, sizeof clock_file, "%s/clock", dir);
    write_file(clock_file, "+0000000000000000000\n", 21);
    setenv("LINLI_TEST_CLOCK_FILE", clock_file, 1);
    char key_file[PATH_MAX + 16], err[512];
    snprintf(key_file, sizeof key_file, "%s/secret.key", dir);
    if (crypto_key_create(key_file, err, sizeof err) != 0 || crypto_key_load(key_file, &app.keys, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz_api: %s\n", err);
        abort();
    }
    app.db_url = db_url;
    app.store_kind = "sqlite";
    app.data_dir = dir;
    app.session_hours = 12;
    app.quiet = 1;
    routes_make();

    /* linli init --demo, with few residents; then an account for each role. */
    db_open();
    int64_t admin_id;
    int saved = dup(STDOUT_FILENO), null = open("/dev/null", O_WRONLY); /* the demo's progress lines */
    fflush(stdout);
    dup2(null, STDOUT_FILENO);
    int bad = migrate_apply(db, NULL, err, sizeof err) != 0 || install_admin(db, password, &admin_id, err, sizeof err) != 0 ||
              install_demo(db, &app.keys, RESIDENTS, admin_id, &community, err, sizeof err) != 0;
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    close(null);
    if (bad) {
        fprintf(stderr, "fuzz_api: set-up: %s\n", err);
        abort();
    }
    roles[0].account_id = admin_id;
    pool_get("any_id", 1);
    any_id = pool_get("any_id", 0);
    json_decref(setup_call(NROLES - 1, "GET", "/healthz", NULL, 200));
    json_decref(setup_call(0, "POST", "/api/v1/session", json_pack("{s:s, s:s}", "login", "admin", "password", password), 200));

    /* A second community, for its staff (tenancy). */
    char path[256];
    json_t *towns = setup_call(0, "GET", "/api/v1/towns", NULL, 200);
    json_int_t town = json_integer_value(json_object_get(json_array_get(json_object_get(towns, "items"), 0), "id"));
    json_decref(towns);
    json_t *other = setup_call(0, "POST", "/api/v1/communities", json_pack("{s:s, s:I}", "name", "模糊测试社区", "town_id", town), 201);
    other_community = json_integer_value(json_object_get(other, "id"));
    json_decref(other);
    arena *a = arena_new();
    store_rc rc = store_begin(db);
    for (int i = 1; i < NROLES && rc == STORE_OK; i++) {
        struct actor *r = &roles[i];
        if (!r->login)
            continue;
        rc = account_create(db, a, r->login, r->name, password, &r->account_id);
        if (rc == STORE_OK && r->role && !(r->role & ROLES_GLOBAL))
            rc = account_grant(db, a, r->account_id, community, r->role, 0);
        if (rc == STORE_OK && strcmp(r->name, "outsider") == 0)
            rc = account_grant(db, a, r->account_id, other_community, ROLE_STAFF, 0);
    }
    if (rc == STORE_OK)
        rc = store_commit(db);
    arena_free(a);
    if (rc != STORE_OK) {
        fprintf(stderr, "fuzz_api: set-up: accounts: %s\n", store_errmsg(db));
        abort();
    }
    /* The district admin reads the district of the demo community. */
    a = arena_new();
    store_rows *rows = NULL;
    const char *cid = arena_i64(a, community);
    if (store_exec(db, a, "SELECT t.district_id FROM communities c JOIN towns t ON t.id = c.town_id WHERE c.community_id = $1", 1, &cid,
                   &rows) != STORE_OK ||
        rows->nrows != 1 || store_begin(db) != STORE_OK ||
        account_grant(db, a, roles[8].account_id, 0, ROLE_DISTRICT_ADMIN, store_cell_i64(rows, 0, 0)) != STORE_OK ||
        store_commit(db) != STORE_OK)
        abort();
    arena_free(a);

    /* Each role logs in through the API. */
    for (int i = 1; i < NROLES; i++)
        if (roles[i].login)
            json_decref(setup_call(i, "POST", "/api/v1/session", json_pack("{s:s, s:s}", "login", roles[i].login, "password", password), 200));
    /* The volunteer applies and staff approve. */
    snprintf(path, sizeof path, "/api/v1/communities/%lld/volunteers", (long long)community);
    json_t *vol = setup_call(5, "POST", path, json_pack("{s:s, s:i}", "name", "模糊志愿者", "birth_year", 1990), 201);
    snprintf(path, sizeof path, "/api/v1/communities/%lld/volunteers/%lld/decision", (long long)community,
             (long long)json_integer_value(json_object_get(vol, "id")));
    json_decref(vol);
    json_decref(setup_call(1, "POST", path, json_pack("{s:s}", "decision", "approve"), 200));

    /* What the demo holds, read as staff and admin would: every list and page of the community, then
     * those under one remembered id. */
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < nroutes; i++) {
            const struct fuzz_route *fr = &routes[i];
            if (!fr->rt || strcmp(fr->method, "GET") != 0 || fr->nparams != round + (strncmp(fr->path, "/api/v1/communities/", 20) == 0) ||
                strstr(fr->path, "openapi"))
                continue;
            char p[512];
            size_t at = 0;
            int ok = 1;
            for (const char *s = fr->path, *e; *s && at < sizeof p - 64; s = e) {
                if (*s != '{') {
                    p[at++] = *s;
                    e = s + 1;
                    continue;
                }
                e = strchr(s, '}') + 1;
                char name[40];
                snprintf(name, sizeof name, "%.*s", (int)(e - s - 2), s + 1);
                const char *v = strcmp(name, "community_id") == 0 ? NULL : pool_pick(pool_get(name, 0), 0);
                if (strcmp(name, "community_id") == 0)
                    at += (size_t)snprintf(p + at, sizeof p - at, "%lld", (long long)community);
                else if (v)
                    at += (size_t)snprintf(p + at, sizeof p - at, "%s", v);
                else
                    ok = 0;
            }
            p[at] = 0;
            if (ok)
                json_decref(setup_call(0, "GET", p, NULL, 0));
        }
    /* The roles' accounts last, so that account_id number i is role i's (0 admin, 3 the reviewer …). */
    for (int i = NROLES - 1; i >= 0; i--)
        if (roles[i].account_id) {
            char id[24];
            snprintf(id, sizeof id, "%lld", (long long)roles[i].account_id);
            pool_add("account_id", id);
        }
    db_keep();
    memcpy(pools_at_start, pools, sizeof pools);
    npools_at_start = npools;
    if (trace) {
        fprintf(stderr, "fuzz_api: ready: %d routes, community %lld (and %lld), %zu bytes of database; remembered:\n", nroutes,
                (long long)community, (long long)other_community, pristine_len);
        for (int i = 0; i < npools; i++)
            fprintf(stderr, "fuzz_api:   %s: %d (latest %s)\n", pools[i].name, pools[i].n, pools[i].n ? pools[i].v[pools[i].n - 1] : "-");
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db)
        LLVMFuzzerInitialize(NULL, NULL);
    static int dirty;
    double t0 = seconds();
    if (dirty)
        db_reset();
    dirty = 1;
    inputs++;
    memcpy(pools, pools_at_start, sizeof pools);
    npools = npools_at_start;
    clock_set(0);
    vcache_clear(); /* kept answers are exact, but an input must not depend on the one before */
    serial = 0;
    last_idem[0] = 0;
    double t1 = seconds();
    reset_s += t1 - t0;
    int ops = 0;
    for (size_t at = 0; at < size && ops < MAX_OPS; ops++) {
        const uint8_t *end = memchr(data + at, '\n', size - at);
        size_t n = end ? (size_t)(end - (data + at)) : size - at;
        run_op(data + at, n);
        at += n + 1;
    }
    ops_run += (unsigned long)ops;
    ops_s += seconds() - t1;
    /* Whatever the calls were, both hash chains still hold: every change went through the audit
     * log and the ledger, appended in order. */
    long rows = 0;
    char bad[512];
    if (audit_verify(db, &rows, bad, sizeof bad) != 0 || ledger_verify(db, 0, &rows, bad, sizeof bad) != 0) {
        fprintf(stderr, "fuzz_api: a hash chain is broken after this input: %s\n", bad);
        abort();
    }
    return 0;
}
