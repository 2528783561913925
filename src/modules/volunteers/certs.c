/* Hours certificates (志愿服务记录证明) and the volunteer's calendar feed. A certificate's content
 * is fixed when it is issued and sealed with a keyed BLAKE2b MAC; the public check recomputes the
 * seal, so a certificate edited in the database, or revoked, shows as such. The serial names the
 * community (COMMUNITY-YEAR-ID), so the check needs no login and no search across communities.
 *
 * The serial is sequential, so it is no secret: each certificate also has a random key
 * (verify_token, 128 bits) that its QR code and printed link carry (/verify/{serial}?k=KEY). The
 * public check shows what a certificate says only to someone who has the key; without it, it
 * answers {"valid": true|false} and nothing else, and a wrong key answers exactly as an unknown
 * serial does. Lookups without the right key are throttled per client address. Nobody issues a
 * certificate for their own volunteer record. */
#include "auth/ratelimit.h"
#include "core/clock.h"
#include "core/fault.h"
#include "core/mask.h"
#include "core/qr.h"
#include "modules/volunteers/volunteers.h"
#include "server/reply.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The public check's throttle, per client address (auth/ratelimit.h): lookups without the right
 * key are free up to CERT_CHECK_SLOW in 15 minutes, then each must wait (1, 2, 4, … s), and after
 * CERT_CHECK_LOCK the address is refused for 15 minutes. A QR code scanned with its key never
 * counts. */
#define CERT_CHECK_SLOW 20
#define CERT_CHECK_LOCK 50
/* Random bytes in a certificate's key: 128 bits, 22 characters of URL-safe base64. */
#define CERT_KEY_BYTES 16

static const char sql_cert_vol[] =
    "SELECT v.name, v.number, v.id_enc, v.status, c.name, v.account_id FROM volunteers v JOIN communities c ON "
    "c.community_id = v.community_id WHERE v.community_id = $1 AND v.id = $2";
static const char sql_cert_acts[] =
    "SELECT COALESCE(a.title, h.description), sum(h.minutes) FROM hour_records h LEFT JOIN activities a ON "
    "a.community_id = h.community_id AND a.id = h.activity_id WHERE h.community_id = $1 AND h.volunteer_id = $2 "
    "AND h.status = 'approved' AND h.served_on >= $3 AND h.served_on <= $4 AND NOT EXISTS (SELECT 1 FROM "
    "hour_records c WHERE c.community_id = h.community_id AND c.corrects_id = h.id) "
    "GROUP BY COALESCE(a.title, h.description) ORDER BY sum(h.minutes) DESC";
static const char sql_issuer[] =
    "SELECT issuer_name, issuer_person, issuer_contact FROM vol_settings WHERE community_id = $1";
static const char sql_cert_insert[] =
    "INSERT INTO vol_certificates (community_id, id, serial, volunteer_id, period_from, period_to, content, seal, "
    "issued_at, issued_by, verify_token) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
static const char sql_cert_one[] =
    "SELECT id, serial, volunteer_id, content, seal, issued_at, issued_by, revoked_at, revoked_reason, verify_token "
    "FROM vol_certificates WHERE community_id = $1 AND id = $2";
static const char sql_cert_by_serial[] =
    "SELECT id, serial, volunteer_id, content, seal, issued_at, issued_by, revoked_at, revoked_reason, verify_token "
    "FROM vol_certificates WHERE community_id = $1 AND serial = $2";
static const char sql_cert_revoke[] =
    "UPDATE vol_certificates SET revoked_at = $3, revoked_reason = $4 WHERE community_id = $1 AND id = $2 AND revoked_at IS NULL";

static int valid_day(const char *d)
{
    int y, m, dd;
    char tail;
    return d && strlen(d) == 10 && sscanf(d, "%4d-%2d-%2d%c", &y, &m, &dd, &tail) == 3 && m >= 1 && m <= 12 && dd >= 1 && dd <= 31;
}

/* The check page's path for a serial and its key (NULL: a certificate from before keys, which
 * checks as valid or not only). */
static const char *cert_verify_path(req *r, const char *serial, const char *key)
{
    return key ? arena_printf(r->a, "/verify/%s?k=%s", serial, key) : arena_printf(r->a, "/verify/%s", serial);
}

/* A sealed certificate's state: "revoked", "altered" (its content no longer matches its seal) or
 * "valid". */
static const char *cert_status(req *r, const store_rows *c)
{
    if (!crypto_str_equal(crypto_mac_hex(r->a, &r->app->keys, store_cell(c, 0, 3)), store_cell(c, 0, 4)))
        return "altered";
    return store_cell(c, 0, 7) ? "revoked" : "valid";
}

/* The certificate as the print page and the public check show it; with_key adds its key and
 * check path (for staff and the volunteer, never for the public answer or the audit log). */
static json_t *cert_json(req *r, const store_rows *c, int with_key)
{
    json_error_t e;
    json_t *content = json_parse_str(store_cell(c, 0, 3), &e);
    if (!content)
        content = json_object();
    const char *status = cert_status(r, c);
    json_object_set_new(content, "id", json_integer(store_cell_i64(c, 0, 0)));
    json_object_set_new(content, "issued_at", json_integer(store_cell_i64(c, 0, 5)));
    if (store_cell(c, 0, 7)) {
        json_object_set_new(content, "revoked_at", json_integer(store_cell_i64(c, 0, 7)));
        json_object_set_new(content, "revoked_reason", json_string(store_cell(c, 0, 8) ? store_cell(c, 0, 8) : ""));
    }
    json_object_set_new(content, "status", json_string(status));
    json_object_set_new(content, "valid", json_boolean(strcmp(status, "valid") == 0));
    if (with_key) {
        json_object_set_new(content, "verify_token", store_cell(c, 0, 9) ? json_string(store_cell(c, 0, 9)) : json_null());
        json_object_set_new(content, "verify_path", json_string(cert_verify_path(r, store_cell(c, 0, 1), store_cell(c, 0, 9))));
    }
    return content;
}

void cert_issue(req *r)
{
    const char *from = json_string_value(json_object_get(r->in, "from"));
    const char *to = json_string_value(json_object_get(r->in, "to"));
    if (!valid_day(from))
        return (void)reply_field(r, "from", "invalid_date");
    if (!valid_day(to) || strcmp(to, from) < 0)
        return (void)reply_field(r, "to", "invalid_date");
    if (db_begin(r) != 0)
        return;
    const char *cid = arena_i64(r->a, r->community_id), *vid = arena_i64(r->a, req_param_i64(r, 1));
    store_rows *vol = NULL, *acts = NULL, *issuer = NULL;
    const char *p[4] = {cid, vid, from, to};
    if (q_exec(r, sql_cert_vol, 2, p, &vol) != 0)
        return;
    if (vol->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    if (store_cell(vol, 0, 5) && store_cell_i64(vol, 0, 5) == r->account_id)
        return (void)reply_fail(r, 403, "self_approval", NULL);
    if (strcmp(store_cell(vol, 0, 3), "approved") != 0)
        return (void)reply_fail(r, 409, "not_a_volunteer", NULL);
    if (q_exec(r, sql_cert_acts, 4, p, &acts) != 0 || q_exec(r, sql_issuer, 1, p, &issuer) != 0)
        return;
    int64_t total = 0, id, now = clock_now();
    json_t *list = json_array();
    for (int i = 0; i < acts->nrows; i++) {
        total += store_cell_i64(acts, i, 1);
        json_array_append_new(list, json_pack("{s:s, s:f}", "title", store_cell(acts, i, 0) ? store_cell(acts, i, 0) : "",
                                              "hours", (double)(store_cell_i64(acts, i, 1) / 6) / 10.0));
    }
    store_rc rc = store_next_id(r->db, r->a, &id);
    if (rc != STORE_OK) {
        json_decref(list);
        return db_fail(r, rc);
    }
    char day[11], masked[32] = "";
    clock_day(now, day);
    const char *idn = crypto_open(r->a, &r->app->keys, store_cell(vol, 0, 2));
    if (idn)
        mask_idnum(idn, masked, sizeof masked);
    const char *serial = arena_printf(r->a, "%lld-%.4s-%06lld", (long long)r->community_id, day, (long long)id);
    const char *community = store_cell(vol, 0, 4);
    const char *iname = issuer->nrows && *store_cell(issuer, 0, 0) ? store_cell(issuer, 0, 0)
                                                                     : arena_printf(r->a, "%s居民委员会", community);
    json_t *content = json_pack(
        "{s:s, s:s, s:{s:s, s:s?, s:s}, s:{s:s, s:s}, s:f, s:I, s:o, s:{s:s, s:s, s:s}, s:s}", "serial", serial, "title",
        "志愿服务记录证明", "volunteer", "name", store_cell(vol, 0, 0), "number", store_cell(vol, 0, 1), "id_number",
        masked[0] ? masked : "—", "period", "from", from, "to", to, "hours", (double)(total / 6) / 10.0, "minutes",
        (json_int_t)total, "activities", list, "issuer", "name", iname, "person",
        issuer->nrows ? store_cell(issuer, 0, 1) : "", "contact", issuer->nrows ? store_cell(issuer, 0, 2) : "",
        "issued_on", day);
    const char *text = json_text(r->a, content, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(6));
    json_decref(content);
    if (!text)
        return (void)reply_fail(r, 500, "internal", NULL);
    const char *ins[11] = {cid, arena_i64(r->a, id), serial, vid, from, to, text,
                           crypto_mac_hex(r->a, &r->app->keys, text), arena_i64(r->a, now), r->login,
                           crypto_token(r->a, CERT_KEY_BYTES)};
    store_rows *c = NULL;
    const char *q[2] = {cid, ins[1]};
    if (q_exec(r, sql_cert_insert, 11, ins, NULL) != 0 || q_exec(r, sql_cert_one, 2, q, &c) != 0)
        return;
    json_t *item = cert_json(r, c, 0); /* the audit row holds what it says, not its key */
    if (q_audit(r, "issue", "certificate", id, NULL, item) != 0 || db_commit(r) != 0) {
        json_decref(item);
        return;
    }
    json_decref(item);
    reply_json(r, 201, cert_json(r, c, 1));
}

void cert_get(req *r)
{
    const char *p[2] = {arena_i64(r->a, r->community_id), arena_i64(r->a, req_param_i64(r, 1))};
    store_rows *c = NULL;
    if (q_exec(r, sql_cert_one, 2, p, &c) != 0)
        return;
    if (c->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    reply_json(r, 200, cert_json(r, c, 1));
}

void cert_revoke(req *r)
{
    if (db_begin(r) != 0)
        return;
    const char *p[4] = {arena_i64(r->a, r->community_id), arena_i64(r->a, req_param_i64(r, 1)),
                        arena_i64(r->a, clock_now()), json_string_value(json_object_get(r->in, "reason"))};
    store_rows *c = NULL;
    if (q_exec(r, sql_cert_one, 2, p, &c) != 0)
        return;
    if (c->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    if (store_cell(c, 0, 7))
        return (void)reply_fail(r, 409, "already_revoked", NULL);
    json_t *after = json_pack("{s:s}", "reason", p[3]);
    int bad = q_exec(r, sql_cert_revoke, 4, p, NULL) || q_audit(r, "revoke", "certificate", req_param_i64(r, 1), NULL, after);
    json_decref(after);
    if (bad || db_commit(r) != 0 || q_exec(r, sql_cert_one, 2, p, &c) != 0)
        return;
    reply_json(r, 200, cert_json(r, c, 1));
}

/* The public check (no login). With the certificate's key (?k=, from the QR code on the paper):
 * whether it is genuine, unaltered and not revoked, and what it says. Without the key, only
 * {"valid": true|false}. A wrong key, and an unknown serial, answer {"valid": false}: the same
 * bytes, so a guess tells nothing about a key. Each answer without the right key counts against
 * the client's address; past the throttle: 429 with Retry-After, before any look-up. */
void cert_verify(req *r)
{
    const char *serial = r->pv[0], *key = req_query(r, "k");
    time_t now = time(NULL);
    const char *throttle = arena_printf(r->a, "cert:%s", r->client_ip ? r->client_ip : "?");
    int retry = 0;
    if (ratelimit_check(throttle, CERT_CHECK_SLOW, CERT_CHECK_LOCK, now, &retry)) {
        reply_error(r, 429, "rate_limited", NULL);
        reply_header(r, "Retry-After", arena_printf(r->a, "%d", retry));
        return;
    }
    long long cid = serial ? strtoll(serial, NULL, 10) : 0;
    store *s = req_store(r);
    if (!s)
        return;
    store_rows *c = NULL;
    const char *p[2] = {arena_i64(r->a, cid), serial};
    if (cid > 0 && q_exec(r, sql_cert_by_serial, 2, p, &c) != 0)
        return;
    int found = c && c->nrows > 0;
    const char *stored = found ? store_cell(c, 0, 9) : NULL;
    if (key && stored && crypto_str_equal(key, stored)) {
        r->community_id = cid;
        reply_json(r, 200, cert_json(r, c, 0));
        return;
    }
    ratelimit_fail(throttle, now);
    int valid = found && !key && strcmp(cert_status(r, c), "valid") == 0;
    reply_json(r, 200, json_pack("{s:b}", "valid", valid));
}

/* A certificate key as crypto_token makes it (URL-safe base64), or a migration's hex: 1 to 64 of
 * A-Z a-z 0-9 - _. */
static int cert_key_ok(const char *k)
{
    size_t n = strlen(k);
    if (n < 1 || n > 64)
        return 0;
    for (; *k; k++)
        if (!((*k >= '0' && *k <= '9') || (*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || *k == '-' || *k == '_'))
            return 0;
    return 1;
}

/* The QR code printed on the certificate: the public check page of its serial, at the server's
 * public address (--public-url; a Host header would let anyone print codes that lead elsewhere), with
 * the key the print page passes (?k=). It looks nothing up: it draws the link it is given. */
void cert_qr(req *r)
{
    const char *serial = r->pv[0], *key = req_query(r, "k");
    for (const char *c = serial; *c; c++)
        if (!((*c >= '0' && *c <= '9') || *c == '-'))
            return (void)reply_fail(r, 404, "not_found", NULL);
    if (key && !cert_key_ok(key))
        return (void)reply_fail(r, 404, "not_found", NULL);
    char *url = arena_printf(r->a, "%s%s", req_public_url(r), cert_verify_path(r, serial, key));
    char *svg = qr_svg(url);
    if (!svg)
        return (void)reply_fail(r, 500, "internal", NULL);
    reply_bytes(r, 200, "image/svg+xml", svg, strlen(svg));
}

static const char sql_my_certs[] =
    "SELECT c.id, c.serial, c.period_from, c.period_to, c.issued_at, c.revoked_at, c.verify_token FROM vol_certificates c "
    "JOIN volunteers v ON v.community_id = c.community_id AND v.id = c.volunteer_id "
    "WHERE c.community_id = $1 AND v.account_id = $2 ORDER BY c.id DESC";
static const struct colmap my_cert_map[] = {
    {"id", 'i'}, {"serial", 's'}, {"period_from", 's'}, {"period_to", 's'}, {"issued_at", 'i'}, {"revoked_at", 'i'},
    {"verify_token", 'n'}, {0},
};

/* The caller's own certificates, each with its key and check path (verify_path), which the
 * volunteer may give to whoever should see the certificate. */
void cert_mine(req *r)
{
    store_rows *rows = NULL;
    if (q_exec(r, sql_my_certs, 2, (const char *[]){arena_i64(r->a, r->community_id), arena_i64(r->a, r->account_id)}, &rows) != 0)
        return;
    json_t *items = rows_json(rows, my_cert_map);
    for (int i = 0; i < rows->nrows; i++)
        json_object_set_new(json_array_get(items, (size_t)i), "verify_path",
                            json_string(cert_verify_path(r, store_cell(rows, i, 1), store_cell(rows, i, 6))));
    reply_json(r, 200, json_pack("{s:o, s:i}", "items", items, "total", rows->nrows));
}

/* ---- calendar ---- */

static const char *calendar_token(req *r, int64_t volunteer)
{
    return crypto_mac_hex(r->a, &r->app->keys, arena_printf(r->a, "calendar.%lld.%lld", (long long)r->community_id, (long long)volunteer));
}

void vol_calendar_link(req *r)
{
    int64_t vid = vol_caller(r);
    if (!vid)
        return;
    reply_json(r, 200, json_pack("{s:s}", "url", arena_printf(r->a, "/api/v1/communities/%lld/volunteers/%lld/calendar.ics?token=%s",
                                                             (long long)r->community_id, (long long)vid, calendar_token(r, vid))));
}

static const char sql_cal[] =
    "SELECT s.id, s.starts_at, s.ends_at, a.title, a.place, g.status FROM signups g "
    "JOIN shifts s ON s.community_id = g.community_id AND s.id = g.shift_id "
    "JOIN activities a ON a.community_id = s.community_id AND a.id = s.activity_id "
    "WHERE g.community_id = $1 AND g.volunteer_id = $2 AND g.status <> 'cancelled' AND s.ends_at > $3 ORDER BY s.starts_at";

static void ics_time(FILE *f, const char *name, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    fprintf(f, "%s:%04d%02d%02dT%02d%02d%02dZ\r\n", name, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Text for an iCalendar value: backslash, semicolon, comma and newlines escaped. */
static void ics_text(FILE *f, const char *name, const char *v)
{
    fprintf(f, "%s:", name);
    for (; v && *v; v++) {
        if (*v == '\\' || *v == ';' || *v == ',')
            fputc('\\', f);
        if (*v == '\n')
            fputs("\\n", f);
        else if (*v != '\r')
            fputc(*v, f);
    }
    fputs("\r\n", f);
}

/* The private feed a phone calendar subscribes to; the token in its URL is the only key. */
void vol_calendar(req *r)
{
    int64_t vid = req_param_i64(r, 1);
    const char *token = req_query(r, "token");
    r->community_id = req_param_i64(r, 0);
    if (!token || !crypto_str_equal(token, calendar_token(r, vid)))
        return (void)reply_fail(r, 404, "not_found", NULL);
    store *s = req_store(r);
    store_rows *rows = NULL;
    const char *p[3] = {arena_i64(r->a, r->community_id), arena_i64(r->a, vid), arena_i64(r->a, clock_now() - 90 * 86400)};
    if (!s || q_exec(r, sql_cal, 3, p, &rows) != 0)
        return;
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    fputs("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//linli//volunteers//ZH\r\nCALSCALE:GREGORIAN\r\n"
          "X-WR-CALNAME:志愿服务班次\r\n", f);
    int64_t now = clock_now();
    for (int i = 0; i < rows->nrows; i++) {
        fputs("BEGIN:VEVENT\r\n", f);
        fprintf(f, "UID:shift-%s-%lld@linli\r\n", store_cell(rows, i, 0), (long long)vid);
        ics_time(f, "DTSTAMP", now);
        ics_time(f, "DTSTART", store_cell_i64(rows, i, 1));
        ics_time(f, "DTEND", store_cell_i64(rows, i, 2));
        ics_text(f, "SUMMARY", arena_printf(r->a, "%s%s", store_cell(rows, i, 3),
                                            strcmp(store_cell(rows, i, 5), "waitlist") == 0 ? "（候补）" : ""));
        ics_text(f, "LOCATION", store_cell(rows, i, 4));
        fputs("END:VEVENT\r\n", f);
    }
    fputs("END:VCALENDAR\r\n", f);
    fclose(f);
    reply_bytes(r, 200, "text/calendar; charset=utf-8", out, len);
}
