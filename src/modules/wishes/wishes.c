/* Micro-wishes (微心愿): intake online or from a paper form, verification and review with the
 * de-identification check, the public wish wall, claims (one active claim per wish; the database
 * decides a race), automatic release of stale claims, fulfilment in kind or in cash through the
 * fund ledger, and the beneficiary's confirmation. The beneficiary's details are sealed; the wall
 * shows at most the compound.
 *
 * So that one account cannot empty the wall: a donor account holds at most the community's
 * max_open_claims active claims (default 3, staff change it); nobody claims again a wish they let
 * go (released by the sweep, by themselves or by staff) while its campaign runs; staff, and the
 * claimer, release a claim with a reason; staff block a donor from claiming, with a reason. All of
 * it audited. Claims staff enter for a donor on a campaign day (donor_name) belong to no account. */
#include "auth/roles.h"
#include "core/fault.h"
#include "core/clock.h"
#include "core/files.h"
#include "core/mask.h"
#include "core/validate.h"
#include "modules/fund/fund.h"
#include "modules/wishes/deid.h"
#include "server/reply.h"
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONTACT_DAYS 7
/* Open claims one donor account may hold when staff have set nothing (wish_settings). */
#define WISH_DEFAULT_MAX_OPEN_CLAIMS 3
/* The most staff may set. */
#define WISH_MAX_OPEN_CLAIMS_LIMIT 100

static const char *cid_of(req *r) { return arena_i64(r->a, r->community_id); }

/* ---- the release of stale claims ---- */

static const char sql_stale[] =
    "SELECT c.id, c.wish_id, CASE WHEN c.contacted_at IS NULL AND c.claimed_at < $2 THEN 'no_contact' ELSE 'not_fulfilled' END "
    "FROM wish_claims c JOIN wishes w ON w.community_id = c.community_id AND w.id = c.wish_id "
    "LEFT JOIN wish_campaigns g ON g.community_id = w.community_id AND g.id = w.campaign_id "
    "WHERE c.community_id = $1 AND c.status = 'active' AND ((c.contacted_at IS NULL AND c.claimed_at < $2) "
    "OR c.claimed_at < $3 - COALESCE(g.fulfil_days, 30) * 86400)";
static const char sql_release[] =
    "UPDATE wish_claims SET status = 'released', released_at = $3, release_reason = $4, released_by = $5 "
    "WHERE community_id = $1 AND id = $2 AND status = 'active' RETURNING id";
static const char sql_wish_status[] = "UPDATE wishes SET status = $3 WHERE community_id = $1 AND id = $2";

/* Releases claims with no contact within 7 days, or not fulfilled within the campaign's limit; the
 * wish goes back on the wall. Inside the open transaction. */
static int wishes_sweep(req *r)
{
    int64_t now = clock_now();
    store_rows *rows = NULL;
    if (q_exec(r, sql_stale, 3, (const char *[]){cid_of(r), arena_i64(r->a, now - CONTACT_DAYS * 86400), arena_i64(r->a, now)}, &rows) != 0)
        return -1;
    for (int i = 0; i < rows->nrows; i++) {
        if (q_exec(r, sql_release, 5, (const char *[]){cid_of(r), store_cell(rows, i, 0), arena_i64(r->a, now), store_cell(rows, i, 2), NULL}, NULL) ||
            q_exec(r, sql_wish_status, 3, (const char *[]){cid_of(r), store_cell(rows, i, 1), "published"}, NULL))
            return -1;
        json_t *after = json_pack("{s:s, s:s}", "claim", store_cell(rows, i, 0), "reason", store_cell(rows, i, 2));
        int bad = q_audit(r, "release", "wish_claim", store_cell_i64(rows, i, 0), NULL, after);
        json_decref(after);
        if (bad)
            return -1;
    }
    return 0;
}

/* The sweep for a read: looks for stale claims first and takes the write lock only if there are
 * some, so that the public wall does not serialise its readers. */
static int wishes_sweep_if_needed(req *r)
{
    int64_t now = clock_now();
    store_rows *rows = NULL;
    if (q_exec(r, sql_stale, 3, (const char *[]){cid_of(r), arena_i64(r->a, now - CONTACT_DAYS * 86400), arena_i64(r->a, now)}, &rows) != 0)
        return -1;
    if (rows->nrows == 0)
        return 0;
    if (db_begin(r) != 0 || wishes_sweep(r) != 0 || db_commit(r) != 0)
        return -1;
    return 0;
}

/* ---- the wall ---- */

#define WISH_PUBLIC                                                                                              \
    "SELECT w.id, w.title, w.story, w.category, w.urgency, w.estimated_fen, c.name, w.deadline, w.campaign_id, "  \
    "g.title, w.status, (SELECT k.donor_display FROM wish_claims k WHERE k.community_id = w.community_id AND "    \
    "k.wish_id = w.id AND k.status <> 'released' ORDER BY k.id DESC LIMIT 1), w.thank_you, w.published_at, "      \
    "CASE WHEN w.status = 'published' AND g.ends_on < $5 THEN 1 ELSE 0 END AS carried "                          \
    "FROM wishes w LEFT JOIN compounds c ON c.community_id = w.community_id AND c.id = w.compound_id "             \
    "LEFT JOIN wish_campaigns g ON g.community_id = w.community_id AND g.id = w.campaign_id "
#define WISH_FILTER                                                                                               \
    "WHERE w.community_id = $1 AND w.status IN ('published', 'claimed', 'fulfilled', 'closed') "                  \
    "AND (CAST($2 AS TEXT) IS NULL OR w.category = CAST($2 AS TEXT)) "                                           \
    "AND (CAST($3 AS TEXT) IS NULL OR w.status = CAST($3 AS TEXT)) "                                             \
    "AND (CAST($4 AS BIGINT) IS NULL OR w.campaign_id = CAST($4 AS BIGINT)) "
static const char sql_wall[] = WISH_PUBLIC WISH_FILTER
    "ORDER BY CASE w.status WHEN 'published' THEN 0 WHEN 'claimed' THEN 1 ELSE 2 END, carried DESC, "
    "CASE w.urgency WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END, w.id LIMIT $6 OFFSET $7";
static const char sql_wall_counts[] =
    "SELECT count(*), COALESCE(sum(CASE WHEN w.status = 'published' THEN 1 ELSE 0 END), 0), "
    "COALESCE(sum(CASE WHEN w.status = 'claimed' THEN 1 ELSE 0 END), 0), "
    "COALESCE(sum(CASE WHEN w.status IN ('fulfilled', 'closed') THEN 1 ELSE 0 END), 0), "
    "COALESCE(sum(CASE WHEN w.status IN ('fulfilled', 'closed') THEN w.estimated_fen ELSE 0 END), 0), "
    "COALESCE(sum(w.estimated_fen), 0) FROM wishes w " WISH_FILTER;
static const struct colmap wall_map[] = {
    {"id", 'i'}, {"title", 's'}, {"story", 's'}, {"category", 's'}, {"urgency", 's'}, {"estimated_fen", 'i'},
    {"compound_name", 'n'}, {"deadline", 'n'}, {"campaign_id", 'i'}, {"campaign_title", 'n'}, {"status", 's'},
    {"donor", 'n'}, {"thank_you", 'n'}, {"published_at", 'i'}, {"carried_over", 'b'}, {0},
};

/* The public wish wall: published wishes first (those left from an ended campaign before the rest,
 * then red, yellow, blue), then claimed and fulfilled ones; counts of each. */
static void wall_list(req *r)
{
    struct list_args la;
    if (list_args_parse(r, &la) != 0)
        return;
    const char *cat = req_query(r, "category"), *status = req_query(r, "status"), *camp = req_query(r, "campaign_id");
    if (cat && *cat && strcmp(cat, "goods") && strcmp(cat, "cash") && strcmp(cat, "service"))
        return (void)reply_field(r, "category", "invalid_choice");
    int64_t camp_id;
    if (camp && *camp && validate_int(camp, 1, INT64_MAX, &camp_id) != 0)
        return (void)reply_field(r, "campaign_id", "not_a_number");
    if (wishes_sweep_if_needed(r) != 0)
        return;
    char today[11];
    clock_day(clock_now(), today);
    const char *p[7] = {cid_of(r), cat && *cat ? cat : NULL, status && *status ? status : NULL, camp && *camp ? camp : NULL,
                        arena_strdup(r->a, today), arena_i64(r->a, la.limit), arena_i64(r->a, la.offset)};
    /* Every change to what the wall shows (a wish, a claim, a campaign, the sweep above) is audited,
     * so the community's version (its chain heads) names the wall's state; with the day (wishes
     * carried over from an ended campaign) and the query it names the page, which is kept by it
     * (core/vcache.h): the sort of every wish and the JSON are made again only after a change. */
    const char *key = NULL, *version = NULL;
    if (la.format == LIST_JSON) {
        key = arena_printf(r->a, "wall %s %s %s %s %s %s %s %d", p[0], p[1] ? p[1] : "-", p[2] ? p[2] : "-", p[3] ? p[3] : "-", p[4], p[5], p[6],
                           (int)r->lang);
        if (reply_kept(r, key, community_version, &version) != 0)
            return;
    }
    store_rows *rows = NULL, *counts = NULL;
    if (q_exec(r, sql_wall, 7, p, &rows) != 0 || q_exec(r, sql_wall_counts, 4, p, &counts) != 0)
        return;
    json_t *extra = json_pack("{s:{s:I, s:I, s:I, s:I, s:I}}", "counts", "published", (json_int_t)store_cell_i64(counts, 0, 1), "claimed",
                              (json_int_t)store_cell_i64(counts, 0, 2), "fulfilled", (json_int_t)store_cell_i64(counts, 0, 3),
                              "fulfilled_value_fen", (json_int_t)store_cell_i64(counts, 0, 4), "value_fen",
                              (json_int_t)store_cell_i64(counts, 0, 5));
    reply_list(r, &la, rows_json(rows, wall_map), store_cell_i64(counts, 0, 0), extra);
    if (key)
        reply_keep(r, key, community_version, version);
}

/* ---- staff's view ---- */

#define WISH_STAFF                                                                                               \
    "SELECT w.id, w.title, w.story, w.category, w.urgency, w.estimated_fen, w.compound_id, c.name, w.deadline, "   \
    "w.campaign_id, w.status, w.source, w.paper_serial, w.paper_photo, w.keyed_by, w.consent, w.verified_by, "     \
    "w.verified_at, w.verify_method, w.verify_note, w.decline_reason, w.thank_you, w.fulfilled_kind, w.created_at, " \
    "w.private_enc FROM wishes w LEFT JOIN compounds c ON c.community_id = w.community_id AND c.id = w.compound_id "
static const struct colmap staff_map[] = {
    {"id", 'i'}, {"title", 's'}, {"story", 's'}, {"category", 's'}, {"urgency", 's'}, {"estimated_fen", 'i'},
    {"compound_id", 'i'}, {"compound_name", 'n'}, {"deadline", 'n'}, {"campaign_id", 'i'}, {"status", 's'}, {"source", 's'},
    {"paper_serial", 'n'}, {"paper_photo", 'n'}, {"keyed_by", 'n'}, {"consent", 'b'}, {"verified_by", 'n'},
    {"verified_at", 'i'}, {"verify_method", 'n'}, {"verify_note", 'n'}, {"decline_reason", 'n'}, {"thank_you", 'n'},
    {"fulfilled_kind", 'n'}, {"created_at", 'i'}, {"-", '-'}, {0},
};
static const char sql_staff_list[] = WISH_STAFF
    "WHERE w.community_id = $1 AND (CAST($2 AS TEXT) IS NULL OR w.status = CAST($2 AS TEXT)) ORDER BY w.id DESC LIMIT $3 OFFSET $4";
static const char sql_staff_count[] =
    "SELECT count(*) FROM wishes w WHERE w.community_id = $1 AND (CAST($2 AS TEXT) IS NULL OR w.status = CAST($2 AS TEXT))";
static const char sql_wish_one[] = WISH_STAFF "WHERE w.community_id = $1 AND w.id = $2";
static const char sql_claims_of[] =
    "SELECT k.id, k.donor_display, k.donor_kind, k.anonymous, k.status, k.claimed_at, k.contacted_at, k.released_at, "
    "k.release_reason, k.fulfilled_at, k.entered_by, k.donor_name_enc, k.donor_account_id, k.released_by, "
    "CASE WHEN d.blocked_at IS NULL THEN 0 ELSE 1 END FROM wish_claims k LEFT JOIN wish_donors d ON "
    "d.community_id = k.community_id AND d.account_id = k.donor_account_id "
    "WHERE k.community_id = $1 AND k.wish_id = $2 ORDER BY k.id";
static const struct colmap claim_map[] = {
    {"id", 'i'}, {"donor", 's'}, {"donor_kind", 's'}, {"anonymous", 'b'}, {"status", 's'}, {"claimed_at", 'i'},
    {"contacted_at", 'i'}, {"released_at", 'i'}, {"release_reason", 'n'}, {"fulfilled_at", 'i'}, {"entered_by", 'n'}, {"-", '-'},
    {"donor_account_id", 'i'}, {"released_by", 'n'}, {"donor_blocked", 'b'}, {0},
};

static void staff_list(req *r)
{
    struct list_args la;
    if (list_args_parse(r, &la) != 0)
        return;
    const char *status = req_query(r, "status");
    const char *p[4] = {cid_of(r), status && *status ? status : NULL, arena_i64(r->a, la.limit), arena_i64(r->a, la.offset)};
    store_rows *rows = NULL;
    int64_t total = 0;
    int found;
    if (wishes_sweep_if_needed(r) != 0)
        return;
    if (q_exec(r, sql_staff_list, 4, p, &rows) != 0 || q_i64(r, sql_staff_count, 2, p, &total, &found) != 0)
        return;
    reply_list(r, &la, rows_json(rows, staff_map), total, NULL);
}

/* A wish for staff, with its claims, and with its sealed details when with_private (the caller
 * audits that). NULL after replying (not found, or a store error; an open transaction is rolled
 * back). */
static json_t *wish_json(req *r, int64_t id, int with_private)
{
    store_rows *rows = NULL, *claims = NULL;
    const char *p[2] = {cid_of(r), arena_i64(r->a, id)};
    if (q_exec(r, sql_wish_one, 2, p, &rows) != 0 || q_exec(r, sql_claims_of, 2, p, &claims) != 0)
        return NULL;
    if (rows->nrows == 0) {
        reply_fail(r, 404, "not_found", NULL);
        return NULL;
    }
    json_t *o = row_json(rows, 0, staff_map);
    json_object_set_new(o, "claims", rows_json(claims, claim_map));
    if (with_private) {
        json_error_t e;
        const char *plain = crypto_open(r->a, &r->app->keys, store_cell(rows, 0, 24));
        json_t *priv = plain ? json_parse_str(plain, &e) : NULL;
        json_object_set_new(o, "private", priv ? priv : json_null());
    }
    return o;
}

static void reply_wish(req *r, unsigned status, int64_t id, int with_private)
{
    json_t *o = wish_json(r, id, with_private);
    if (o)
        reply_json(r, status, o);
}

/* GET …/wishes/{id}: the wish without its sealed details. ?private=1 is refused (400 use_post):
 * showing them is audited, and a GET can be sent by another site's page with the staff's cookie. */
static void wish_get(req *r)
{
    const char *priv = req_query(r, "private");
    if (priv && strcmp(priv, "0") != 0) {
        reply_error(r, 400, "use_post", NULL);
        return;
    }
    reply_wish(r, 200, req_param_i64(r, 1), 0);
}

/* POST …/wishes/{id}/private: the wish with its sealed details, and the audit row saying they were
 * shown, in one transaction (a wish that does not exist shows nothing and audits nothing). */
static void wish_private(req *r)
{
    if (db_begin(r) != 0)
        return;
    json_t *o = wish_json(r, req_param_i64(r, 1), 1);
    if (!o)
        return;
    json_t *what = json_pack("{s:[s,s,s,s]}", "fields", "beneficiary_name", "address", "contact", "needs");
    /* Out of memory: neither an answer nor an audit row that leaves out what was shown. */
    int bad = !what || json_alloc_failed ? reply_fail(r, 500, "internal", NULL)
                                         : q_audit(r, "unmask", "wish", req_param_i64(r, 1), NULL, what);
    json_decref(what);
    if (bad || db_commit(r) != 0) {
        json_decref(o);
        return;
    }
    reply_json(r, 200, o);
}

static const char sql_mine[] =
    "SELECT w.id, w.title, w.category, w.status, w.decline_reason, w.thank_you, w.created_at, w.published_at, w.closed_at "
    "FROM wishes w WHERE w.community_id = $1 AND w.submitted_by = $2 AND w.source = 'online' ORDER BY w.id DESC";
static const struct colmap mine_map[] = {
    {"id", 'i'}, {"title", 's'}, {"category", 's'}, {"status", 's'}, {"decline_reason", 'n'}, {"thank_you", 'n'},
    {"created_at", 'i'}, {"published_at", 'i'}, {"closed_at", 'i'}, {0},
};

/* The wishes the caller submitted online, with where each stands (submitted, declined and why, …). */
static void mine_list(req *r)
{
    struct list_args la;
    store_rows *rows = NULL;
    if (list_args_parse(r, &la) != 0 || q_exec(r, sql_mine, 2, (const char *[]){cid_of(r), arena_i64(r->a, r->account_id)}, &rows) != 0)
        return;
    reply_list(r, &la, rows_json(rows, mine_map), rows->nrows, NULL);
}

/* ---- intake ---- */

static const char sql_compound_exists[] = "SELECT 1 FROM compounds WHERE community_id = $1 AND id = $2";
static const char sql_campaign_exists[] = "SELECT 1 FROM wish_campaigns WHERE community_id = $1 AND id = $2";
static const char sql_wish_insert[] =
    "INSERT INTO wishes (community_id, id, category, urgency, title, story, private_enc, compound_id, estimated_fen, "
    "deadline, campaign_id, status, source, paper_serial, keyed_by, consent, submitted_by, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'submitted', $12, $13, $14, 1, $15, $16)";

/* A resident in need submits a wish, or staff key one in from a paper form (its serial number
 * kept; the photo of the signed form is uploaded afterwards, POST …/form-photo). The beneficiary's
 * consent is required. No body sets paper_photo: the body fields do not include it, so sending it
 * is refused on the field (unknown_field) before this runs. */
static void wish_create(req *r)
{
    json_t *in = r->in;
    /* source "paper" needs wishes.on_behalf: the router checked it (the field's perm). */
    const char *source = json_string_value(json_object_get(in, "source"));
    int paper = source && strcmp(source, "paper") == 0;
    if (!json_is_true(json_object_get(in, "consent")))
        return (void)reply_field(r, "consent", "consent_required");
    const char *serial = json_string_value(json_object_get(in, "paper_serial"));
    if (paper && (!serial || !*serial))
        return (void)reply_field(r, "paper_serial", "required");
    const char *deadline = json_string_value(json_object_get(in, "deadline"));
    int y, m, d;
    if (deadline && *deadline && (strlen(deadline) != 10 || sscanf(deadline, "%d-%d-%d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31))
        return (void)reply_field(r, "deadline", "invalid_date");
    if (db_begin(r) != 0)
        return;
    int64_t compound = json_integer_value(json_object_get(in, "compound_id")), campaign = json_integer_value(json_object_get(in, "campaign_id"));
    int64_t one, id;
    int found = 1;
    if (compound && (q_i64(r, sql_compound_exists, 2, (const char *[]){cid_of(r), arena_i64(r->a, compound)}, &one, &found) != 0 || !found))
        return (void)(r->status ? 0 : reply_field(r, "compound_id", "unknown_compound"));
    if (campaign && (q_i64(r, sql_campaign_exists, 2, (const char *[]){cid_of(r), arena_i64(r->a, campaign)}, &one, &found) != 0 || !found))
        return (void)(r->status ? 0 : reply_field(r, "campaign_id", "unknown_campaign"));
    store_rc rc = store_next_id(r->db, r->a, &id);
    if (rc != STORE_OK)
        return db_fail(r, rc);
    json_t *priv = json_pack("{s:s, s:s?, s:s?, s:s?}", "beneficiary_name", json_string_value(json_object_get(in, "beneficiary_name")),
                             "address", json_string_value(json_object_get(in, "address")), "contact",
                             json_string_value(json_object_get(in, "contact")), "needs", json_string_value(json_object_get(in, "needs")));
    const char *ptext = json_text(r->a, priv, JSON_COMPACT);
    json_decref(priv);
    if (!ptext)
        return (void)reply_fail(r, 500, "internal", NULL);
    const char *p[16] = {cid_of(r), arena_i64(r->a, id), json_string_value(json_object_get(in, "category")),
                         json_string_value(json_object_get(in, "urgency")), json_string_value(json_object_get(in, "title")),
                         json_string_value(json_object_get(in, "story")), crypto_seal(r->a, &r->app->keys, ptext),
                         compound ? arena_i64(r->a, compound) : NULL, arena_i64(r->a, json_integer_value(json_object_get(in, "estimated_fen"))),
                         deadline && *deadline ? deadline : NULL, campaign ? arena_i64(r->a, campaign) : NULL, paper ? "paper" : "online",
                         serial, paper ? r->login : NULL, arena_i64(r->a, r->account_id), arena_i64(r->a, clock_now())};
    if (q_exec(r, sql_wish_insert, 16, p, NULL) != 0)
        return;
    json_t *after = json_pack("{s:s, s:s, s:s}", "title", p[4], "source", p[11], "category", p[2]);
    int bad = q_audit(r, "create", "wish", id, NULL, after);
    json_decref(after);
    if (bad || db_commit(r) != 0)
        return;
    if (perm_allows("wishes.on_behalf", r->roles)) /* staff see the whole wish at once */
        reply_wish(r, 201, id, 0);
    else
        reply_json(r, 201, json_pack("{s:I, s:s}", "id", (json_int_t)id, "status", "submitted"));
}

/* ---- review ---- */

static const char sql_own_wish[] =
    "SELECT 1 FROM wishes WHERE community_id = $1 AND id = $2 AND source = 'online' AND submitted_by = $3";

/* Nobody verifies, publishes, claims or fulfils a wish they submitted for themselves (issue #11: no
 * self-dealing): 0 when the wish is not the caller's own; else replies (403 own_wish, or the
 * database's error) and returns -1. A paper form staff keyed in is the beneficiary's, not theirs. */
static int wish_not_own(req *r, int64_t wid)
{
    int64_t one;
    int found = 0;
    if (q_i64(r, sql_own_wish, 3, (const char *[]){cid_of(r), arena_i64(r->a, wid), arena_i64(r->a, r->account_id)}, &one, &found) != 0)
        return -1;
    if (found) {
        reply_fail(r, 403, "own_wish", NULL);
        return -1;
    }
    return 0;
}

static const char sql_verify[] =
    "UPDATE wishes SET verified_by = $3, verified_at = $4, verify_method = $5, verify_note = $6 WHERE community_id = $1 AND id = $2";
static const char sql_state[] = "SELECT status, story, private_enc, verified_at, title FROM wishes WHERE community_id = $1 AND id = $2";

static void wish_verify(req *r)
{
    if (db_begin(r) != 0)
        return;
    store_rows *st = NULL;
    const char *p[6] = {cid_of(r), arena_i64(r->a, req_param_i64(r, 1)), r->login, arena_i64(r->a, clock_now()),
                        json_string_value(json_object_get(r->in, "method")), json_string_value(json_object_get(r->in, "note"))};
    if (q_exec(r, sql_state, 2, p, &st) != 0)
        return;
    if (st->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    if (wish_not_own(r, req_param_i64(r, 1)) != 0)
        return;
    if (q_exec(r, sql_verify, 6, p, NULL) != 0 || q_audit(r, "verify", "wish", req_param_i64(r, 1), NULL, r->in) != 0 || db_commit(r) != 0)
        return;
    reply_wish(r, 200, req_param_i64(r, 1), 0);
}

static const char sql_publish[] =
    "UPDATE wishes SET status = 'published', published_at = $3, story = $4, title = COALESCE($5, title) WHERE community_id = $1 AND id = $2";
static const char sql_decline[] = "UPDATE wishes SET status = 'declined', decline_reason = $3 WHERE community_id = $1 AND id = $2";

/* Publish (after verification, and only a story that does not identify the beneficiary) or decline
 * with a reason. Staff may correct the story and title in the same step. */
static void wish_decide(req *r)
{
    const char *decision = json_string_value(json_object_get(r->in, "decision"));
    const char *reason = json_string_value(json_object_get(r->in, "reason"));
    if (strcmp(decision, "decline") == 0 && (!reason || !*reason))
        return (void)reply_field(r, "reason", "required");
    /* A corrected story or title replaces one create required: it may not be empty either. */
    for (int k = 0; k < 2; k++) {
        const json_t *v = json_object_get(r->in, k ? "title" : "story");
        if (json_is_string(v) && json_string_length(v) == 0)
            return (void)reply_field(r, k ? "title" : "story", "required");
    }
    if (db_begin(r) != 0)
        return;
    store_rows *st = NULL;
    int64_t id = req_param_i64(r, 1);
    const char *p[5] = {cid_of(r), arena_i64(r->a, id)};
    if (q_exec(r, sql_state, 2, p, &st) != 0)
        return;
    if (st->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    if (wish_not_own(r, id) != 0)
        return;
    if (strcmp(store_cell(st, 0, 0), "submitted") != 0)
        return (void)reply_fail(r, 409, "already_decided", NULL);
    if (strcmp(decision, "decline") == 0) {
        p[2] = reason;
        if (q_exec(r, sql_decline, 3, p, NULL) != 0)
            return;
    } else {
        if (!store_cell(st, 0, 3))
            return (void)reply_fail(r, 409, "not_verified", NULL);
        const char *story = json_string_value(json_object_get(r->in, "story"));
        if (!story)
            story = store_cell(st, 0, 1);
        json_error_t e;
        const char *plain = crypto_open(r->a, &r->app->keys, store_cell(st, 0, 2));
        json_t *priv = plain ? json_parse_str(plain, &e) : NULL;
        unsigned found = deid_check(story, json_string_value(json_object_get(priv, "beneficiary_name")));
        const char *title = json_string_value(json_object_get(r->in, "title"));
        found |= deid_check(title ? title : store_cell(st, 0, 4), json_string_value(json_object_get(priv, "beneficiary_name")));
        json_decref(priv);
        if (found) {
            char what[200] = "";
            static const char *const zh[] = {"手机号", "身份证号", "门牌号", "受助人姓名"}, *const en[] = {"a phone number", "an ID number", "a door number", "the beneficiary's name"};
            for (int b = 0; b < 4; b++)
                if (found & (1u << b))
                    snprintf(what + strlen(what), sizeof what - strlen(what), "%s%s", what[0] ? (r->lang == LANG_EN ? ", " : "、") : "",
                             r->lang == LANG_EN ? en[b] : zh[b]);
            json_t *fields = json_pack("{s:s}", "story", arena_printf(r->a, r->lang == LANG_EN ? "The public story contains %s" : "公开故事中含有%s，请删去后再发布", what));
            return (void)reply_fail(r, 422, "story_identifies", fields);
        }
        p[2] = arena_i64(r->a, clock_now());
        p[3] = story;
        p[4] = title;
        if (q_exec(r, sql_publish, 5, p, NULL) != 0)
            return;
    }
    if (q_audit(r, decision, "wish", id, NULL, r->in) != 0 || db_commit(r) != 0)
        return;
    reply_wish(r, 200, id, 0);
}

/* ---- claims ---- */

static const char sql_claim_insert[] =
    "INSERT INTO wish_claims (community_id, id, wish_id, donor_account_id, donor_name_enc, donor_display, donor_kind, "
    "anonymous, status, claimed_at, entered_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $9, $10)";
static const char sql_display_name[] = "SELECT display_name FROM accounts WHERE id = $1";
/* The donor's row, made on the first claim; its row lock makes two claims of one donor at once
 * (PostgreSQL, read committed) count each other. */
static const char sql_donor_lock[] =
    "INSERT INTO wish_donors (community_id, account_id) VALUES ($1, $2) ON CONFLICT (community_id, account_id) "
    "DO UPDATE SET blocked_at = wish_donors.blocked_at RETURNING blocked_at";
static const char sql_let_go[] =
    "SELECT 1 FROM wish_claims k JOIN wishes w ON w.community_id = k.community_id AND w.id = k.wish_id "
    "LEFT JOIN wish_campaigns g ON g.community_id = w.community_id AND g.id = w.campaign_id "
    "WHERE k.community_id = $1 AND k.wish_id = $2 AND k.donor_account_id = $3 AND k.status = 'released' "
    "AND (g.id IS NULL OR g.ends_on >= $4) LIMIT 1";
static const char sql_open_claims[] =
    "SELECT count(*) FROM wish_claims WHERE community_id = $1 AND donor_account_id = $2 AND status = 'active'";
static const char sql_max_open[] = "SELECT max_open_claims FROM wish_settings WHERE community_id = $1";

/* The rules for a donor account claiming wish wid, inside the open transaction: not blocked (403
 * donor_blocked), not a wish they let go while its campaign runs — without a campaign, for good
 * (409 claim_lapsed) — and fewer open claims than the community allows (409 claim_limit_reached).
 * 0, or -1 after replying. */
static int claim_donor_check(req *r, int64_t wid)
{
    const char *cid = cid_of(r), *acc = arena_i64(r->a, r->account_id);
    store_rows *d = NULL, *gone = NULL;
    if (q_exec(r, sql_donor_lock, 2, (const char *[]){cid, acc}, &d) != 0)
        return -1;
    if (d->nrows && store_cell(d, 0, 0))
        return reply_fail(r, 403, "donor_blocked", NULL);
    char today[11];
    clock_day(clock_now(), today);
    if (q_exec(r, sql_let_go, 4, (const char *[]){cid, arena_i64(r->a, wid), acc, arena_strdup(r->a, today)}, &gone) != 0)
        return -1;
    if (gone->nrows)
        return reply_fail(r, 409, "claim_lapsed", NULL);
    int64_t open = 0, max = WISH_DEFAULT_MAX_OPEN_CLAIMS;
    int found;
    if (q_i64(r, sql_open_claims, 2, (const char *[]){cid, acc}, &open, &found) != 0 ||
        q_i64(r, sql_max_open, 1, (const char *[]){cid}, &max, &found) != 0)
        return -1;
    if (!found)
        max = WISH_DEFAULT_MAX_OPEN_CLAIMS;
    if (open >= max)
        return reply_fail(r, 409, "claim_limit_reached", NULL);
    return 0;
}

/* A donor claims a wish with a pledge: logged in for themselves (within claim_donor_check's rules),
 * or entered by staff at an on-site campaign day (a donor_name, no account). Of two claims at once,
 * the partial unique index lets exactly one in. */
static void claim_create(req *r)
{
    json_t *in = r->in;
    if (!json_is_true(json_object_get(in, "pledge")))
        return (void)reply_field(r, "pledge", "pledge_required");
    /* A donor_name (a claim for a donor on site) needs wishes.on_behalf: the router checked it. */
    const char *name = json_string_value(json_object_get(in, "donor_name"));
    /* Only a named donor is an on-site claim: an empty donor_name is the caller's own claim. */
    int on_site = name && *name;
    const char *kind = json_string_value(json_object_get(in, "donor_kind"));
    if (!kind)
        kind = "resident";
    int anonymous = json_is_true(json_object_get(in, "anonymous"));
    if (db_begin(r) != 0 || wishes_sweep(r) != 0)
        return;
    int64_t wid = req_param_i64(r, 1), id;
    store_rows *st = NULL;
    if (q_exec(r, sql_state, 2, (const char *[]){cid_of(r), arena_i64(r->a, wid)}, &st) != 0)
        return;
    if (st->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    if (wish_not_own(r, wid) != 0)
        return;
    if (strcmp(store_cell(st, 0, 0), "claimed") == 0)
        return (void)reply_fail(r, 409, "wish_claimed", NULL);
    if (strcmp(store_cell(st, 0, 0), "published") != 0)
        return (void)reply_fail(r, 409, "wish_not_open", NULL);
    if (!on_site && claim_donor_check(r, wid) != 0)
        return;
    if (!on_site) {
        store_rows *acc = NULL;
        if (q_exec(r, sql_display_name, 1, (const char *[]){arena_i64(r->a, r->account_id)}, &acc) != 0)
            return;
        name = acc->nrows ? store_cell(acc, 0, 0) : r->login;
    }
    char display[64];
    if (anonymous)
        snprintf(display, sizeof display, "%s", r->lang == LANG_EN ? "Anonymous" : "匿名");
    else if (strcmp(kind, "organisation") == 0)
        snprintf(display, sizeof display, "%s", name);
    else
        mask_name(name, display, sizeof display);
    store_rc rc = store_next_id(r->db, r->a, &id);
    if (rc != STORE_OK)
        return db_fail(r, rc);
    const char *entered = on_site ? r->login : NULL;
    const char *p[10] = {cid_of(r), arena_i64(r->a, id), arena_i64(r->a, wid), entered ? NULL : arena_i64(r->a, r->account_id),
                         crypto_seal(r->a, &r->app->keys, name), display, kind, anonymous ? "1" : "0", arena_i64(r->a, clock_now()), entered};
    rc = store_exec(r->db, r->a, sql_claim_insert, 10, p, NULL);
    if (rc == STORE_CONSTRAINT)
        return (void)reply_fail(r, 409, "wish_claimed", NULL);
    if (rc != STORE_OK)
        return db_fail(r, rc);
    if (q_exec(r, sql_wish_status, 3, (const char *[]){cid_of(r), p[2], "claimed"}, NULL) != 0)
        return;
    json_t *body = json_pack("{s:I, s:I, s:s, s:s, s:s, s:i}", "id", (json_int_t)id, "wish_id", (json_int_t)wid, "status", "active",
                             "donor", display, "donor_kind", kind, "contact_within_days", CONTACT_DAYS);
    if (q_audit(r, "claim", "wish", wid, NULL, body) != 0 || db_commit(r) != 0) {
        json_decref(body);
        return;
    }
    reply_json(r, 201, body);
}

static const char sql_claim_active[] =
    "SELECT id, donor_name_enc, donor_display, donor_kind FROM wish_claims WHERE community_id = $1 AND wish_id = $2 AND status = 'active'";
static const char sql_contact[] = "UPDATE wish_claims SET contacted_at = $3 WHERE community_id = $1 AND id = $2";

/* Staff record that the donor has been in touch with the beneficiary (through staff). */
static void claim_contact(req *r)
{
    if (db_begin(r) != 0 || wishes_sweep(r) != 0)
        return;
    store_rows *c = NULL;
    if (q_exec(r, sql_claim_active, 2, (const char *[]){cid_of(r), arena_i64(r->a, req_param_i64(r, 1))}, &c) != 0)
        return;
    if (c->nrows == 0)
        return (void)reply_fail(r, 409, "no_active_claim", NULL);
    if (q_exec(r, sql_contact, 3, (const char *[]){cid_of(r), store_cell(c, 0, 0), arena_i64(r->a, clock_now())}, NULL) != 0 ||
        q_audit(r, "contact", "wish_claim", store_cell_i64(c, 0, 0), NULL, NULL) != 0 || db_commit(r) != 0)
        return;
    reply_wish(r, 200, req_param_i64(r, 1), 0);
}

/* Text with something other than spaces in it. */
static int has_text(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 1;
    return 0;
}

/* Releases claim `claim` of wish `wish` with a reason, by `by` (a login), and puts the wish back on
 * the wall, audited, inside the open transaction. 0; 1 when the claim was no longer active (a
 * release or a fulfilment got there first); -1 after replying. */
static int claim_release_one(req *r, const char *claim, const char *wish, const char *reason, const char *by)
{
    store_rows *done = NULL;
    if (q_exec(r, sql_release, 5, (const char *[]){cid_of(r), claim, arena_i64(r->a, clock_now()), reason, by}, &done) != 0)
        return -1;
    if (done->nrows == 0)
        return 1;
    if (q_exec(r, sql_wish_status, 3, (const char *[]){cid_of(r), wish, "published"}, NULL) != 0)
        return -1;
    json_t *after = json_pack("{s:s, s:s, s:s}", "wish", wish, "reason", reason, "by", by);
    int bad = q_audit(r, "release", "wish_claim", strtoll(claim, NULL, 10), NULL, after);
    json_decref(after);
    return bad ? -1 : 0;
}

static const char sql_claim_holder[] =
    "SELECT id, donor_account_id FROM wish_claims WHERE community_id = $1 AND wish_id = $2 AND status = 'active'";

/* The claimer, or staff, release a wish's active claim with a reason ({"reason"}, required); the
 * wish is open again. A claimer who lets a wish go cannot claim it again in its campaign
 * (claim_donor_check). Staff get the wish back; the claimer {id, status}. */
static void claim_release(req *r)
{
    const char *reason = json_string_value(json_object_get(r->in, "reason"));
    if (!has_text(reason))
        return (void)reply_field(r, "reason", "required");
    if (db_begin(r) != 0 || wishes_sweep(r) != 0)
        return;
    int64_t wid = req_param_i64(r, 1);
    const char *w = arena_i64(r->a, wid);
    store_rows *st = NULL, *c = NULL;
    if (q_exec(r, sql_state, 2, (const char *[]){cid_of(r), w}, &st) != 0 || q_exec(r, sql_claim_holder, 2, (const char *[]){cid_of(r), w}, &c) != 0)
        return;
    if (st->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    if (c->nrows == 0)
        return (void)reply_fail(r, 409, "no_active_claim", NULL);
    int staff = perm_allows("wishes.manage", r->roles);
    if (!staff && (!store_cell(c, 0, 1) || store_cell_i64(c, 0, 1) != r->account_id))
        return (void)reply_fail(r, 403, "forbidden", NULL);
    int rc = claim_release_one(r, store_cell(c, 0, 0), w, reason, r->login);
    if (rc < 0)
        return;
    if (rc > 0)
        return (void)reply_fail(r, 409, "no_active_claim", NULL);
    if (db_commit(r) != 0)
        return;
    if (staff)
        reply_wish(r, 200, wid, 0);
    else
        reply_json(r, 200, json_pack("{s:I, s:s}", "id", (json_int_t)wid, "status", "published"));
}

/* ---- donors staff block, and the claim limit ---- */

static const char sql_account_exists[] = "SELECT 1 FROM accounts WHERE id = $1";
static const char sql_donor_row[] =
    "SELECT blocked_at, blocked_by, blocked_reason FROM wish_donors WHERE community_id = $1 AND account_id = $2";
static const char sql_donor_block[] =
    "UPDATE wish_donors SET blocked_at = $3, blocked_by = $4, blocked_reason = $5 WHERE community_id = $1 AND account_id = $2";
static const char sql_donor_claims[] =
    "SELECT id, wish_id FROM wish_claims WHERE community_id = $1 AND donor_account_id = $2 AND status = 'active' ORDER BY id";

static json_t *donor_json(int64_t account, const store_rows *d, int64_t released)
{
    int blocked = d->nrows && store_cell(d, 0, 0);
    json_t *o = json_pack("{s:I, s:b}", "account_id", (json_int_t)account, "blocked", blocked);
    json_object_set_new(o, "blocked_at", blocked ? json_integer(store_cell_i64(d, 0, 0)) : json_null());
    json_object_set_new(o, "blocked_by", blocked ? json_string(store_cell(d, 0, 1)) : json_null());
    json_object_set_new(o, "reason", blocked ? json_string(store_cell(d, 0, 2)) : json_null());
    if (released >= 0)
        json_object_set_new(o, "released", json_integer(released));
    return o;
}

/* Staff block (block = 1) or unblock a donor account from claiming, with a reason; blocking with
 * "release_claims": true also releases the donor's active claims (each audited). The account's
 * claims afterwards answer 403 donor_blocked. */
static void donor_set_blocked(req *r, int block)
{
    const char *reason = json_string_value(json_object_get(r->in, "reason"));
    if (!has_text(reason))
        return (void)reply_field(r, "reason", "required");
    if (db_begin(r) != 0)
        return;
    int64_t account = req_param_i64(r, 1), one;
    const char *acc = arena_i64(r->a, account);
    int found = 0;
    store_rows *d = NULL, *before = NULL;
    if (q_i64(r, sql_account_exists, 1, (const char *[]){acc}, &one, &found) != 0)
        return;
    if (!found)
        return (void)reply_fail(r, 404, "not_found", NULL);
    if (!block && account == r->account_id)
        return (void)reply_fail(r, 403, "own_block", NULL);
    if (q_exec(r, sql_donor_lock, 2, (const char *[]){cid_of(r), acc}, NULL) != 0 ||
        q_exec(r, sql_donor_row, 2, (const char *[]){cid_of(r), acc}, &before) != 0)
        return;
    int blocked = store_cell(before, 0, 0) != NULL;
    if (block && blocked)
        return (void)reply_fail(r, 409, "already_blocked", NULL);
    if (!block && !blocked)
        return (void)reply_fail(r, 409, "not_blocked", NULL);
    const char *p[5] = {cid_of(r), acc, block ? arena_i64(r->a, clock_now()) : NULL, block ? r->login : NULL, block ? reason : NULL};
    if (q_exec(r, sql_donor_block, 5, p, NULL) != 0)
        return;
    int64_t released = 0;
    if (block && json_is_true(json_object_get(r->in, "release_claims"))) {
        store_rows *claims = NULL;
        if (q_exec(r, sql_donor_claims, 2, (const char *[]){cid_of(r), acc}, &claims) != 0)
            return;
        for (int i = 0; i < claims->nrows; i++) {
            int rc = claim_release_one(r, store_cell(claims, i, 0), store_cell(claims, i, 1), reason, r->login);
            if (rc < 0)
                return;
            released += rc == 0;
        }
    }
    json_t *was = donor_json(account, before, -1);
    json_t *now = json_pack("{s:b, s:s, s:I}", "blocked", block, "reason", reason, "released", (json_int_t)released);
    int bad = q_audit(r, block ? "block" : "unblock", "wish_donor", account, was, now);
    json_decref(was);
    json_decref(now);
    if (bad || q_exec(r, sql_donor_row, 2, (const char *[]){cid_of(r), acc}, &d) != 0 || db_commit(r) != 0)
        return;
    reply_json(r, 200, donor_json(account, d, released));
}

static void donor_block(req *r) { donor_set_blocked(r, 1); }
static void donor_unblock(req *r) { donor_set_blocked(r, 0); }

static const char sql_blocked_donors[] =
    "SELECT d.account_id, a.login, a.display_name, d.blocked_at, d.blocked_by, d.blocked_reason, "
    "(SELECT count(*) FROM wish_claims k WHERE k.community_id = d.community_id AND k.donor_account_id = d.account_id "
    "AND k.status = 'active') FROM wish_donors d JOIN accounts a ON a.id = d.account_id "
    "WHERE d.community_id = $1 AND d.blocked_at IS NOT NULL ORDER BY d.blocked_at DESC, d.account_id";
static const struct colmap blocked_map[] = {
    {"account_id", 'i'}, {"login", 's'}, {"display_name", 'n'}, {"blocked_at", 'i'}, {"blocked_by", 'n'}, {"reason", 'n'},
    {"open_claims", 'i'}, {0},
};

/* The donors blocked from claiming, with who blocked them, when and why. */
static void donors_blocked_list(req *r)
{
    store_rows *rows = NULL;
    if (q_exec(r, sql_blocked_donors, 1, (const char *[]){cid_of(r)}, &rows) != 0)
        return;
    reply_json(r, 200, json_pack("{s:o, s:i}", "items", rows_json(rows, blocked_map), "total", rows->nrows));
}

static const char sql_settings_ensure[] =
    "INSERT INTO wish_settings (community_id) VALUES ($1) ON CONFLICT (community_id) DO NOTHING";
/* A no-op update: the row's lock, so that two changes at once take turns (on PostgreSQL too). */
static const char sql_settings_lock[] = "UPDATE wish_settings SET max_open_claims = max_open_claims WHERE community_id = $1";
static const char sql_settings_row[] =
    "SELECT s.max_open_claims, s.pending_max_open_claims, s.pending_by, a.login, s.pending_at FROM wish_settings s "
    "LEFT JOIN accounts a ON a.id = s.pending_by WHERE s.community_id = $1";
static const char sql_settings_put[] =
    "UPDATE wish_settings SET max_open_claims = $2, pending_max_open_claims = NULL, pending_by = NULL, pending_at = NULL WHERE community_id = $1";
static const char sql_settings_pend[] =
    "UPDATE wish_settings SET pending_max_open_claims = $2, pending_by = $3, pending_at = $4 WHERE community_id = $1";

/* The limit in force and the raise waiting for a second person (null if none). */
static void reply_wish_settings(req *r, unsigned status)
{
    store_rows *s = NULL;
    if (q_exec(r, sql_settings_row, 1, (const char *[]){cid_of(r)}, &s) != 0)
        return;
    int64_t max = s->nrows ? store_cell_i64(s, 0, 0) : WISH_DEFAULT_MAX_OPEN_CLAIMS;
    json_t *pending = json_null();
    if (s->nrows && store_cell(s, 0, 1))
        pending = json_pack("{s:I, s:I, s:s?, s:I}", "max_open_claims", (json_int_t)store_cell_i64(s, 0, 1), "requested_by",
                            (json_int_t)store_cell_i64(s, 0, 2), "requested_by_login", store_cell(s, 0, 3), "requested_at",
                            (json_int_t)store_cell_i64(s, 0, 4));
    reply_json(r, status, json_pack("{s:I, s:o}", "max_open_claims", (json_int_t)max, "pending", pending));
}

static void wish_settings_get(req *r) { reply_wish_settings(r, 200); }

/* Staff change the open claims one donor account may hold (1 … WISH_MAX_OPEN_CLAIMS_LIMIT), audited.
 * The limit binds staff's own claims too, so nobody raises it alone (issue #11): a lower or equal
 * limit applies at once (200, and drops a raise waiting); a higher one waits (202, `pending`) until
 * another holder of wishes.settings asks for the same value, which applies it (200); the one who
 * asked asking again is 403 own_settings_change; another value replaces the one waiting. */
static void wish_settings_put(req *r)
{
    int64_t max = json_integer_value(json_object_get(r->in, "max_open_claims"));
    if (max < 1 || max > WISH_MAX_OPEN_CLAIMS_LIMIT)
        return (void)reply_field(r, "max_open_claims", "must_be_positive");
    if (db_begin(r) != 0)
        return;
    const char *p[4] = {cid_of(r), arena_i64(r->a, max), arena_i64(r->a, r->account_id), arena_i64(r->a, clock_now())};
    store_rows *s = NULL;
    if (q_exec(r, sql_settings_ensure, 1, p, NULL) != 0 || q_exec(r, sql_settings_lock, 1, p, NULL) != 0 ||
        q_exec(r, sql_settings_row, 1, p, &s) != 0)
        return;
    int64_t old = store_cell_i64(s, 0, 0);
    int waiting = store_cell(s, 0, 1) && store_cell_i64(s, 0, 1) == max;
    if (waiting && store_cell_i64(s, 0, 2) == r->account_id)
        return (void)reply_fail(r, 403, "own_settings_change", NULL);
    int apply = max <= old || waiting;
    json_t *before = json_pack("{s:I}", "max_open_claims", (json_int_t)old);
    json_t *after = apply && waiting ? json_pack("{s:I, s:I}", "max_open_claims", (json_int_t)max, "requested_by", (json_int_t)store_cell_i64(s, 0, 2))
                                     : json_pack("{s:I}", "max_open_claims", (json_int_t)max);
    int bad = q_exec(r, apply ? sql_settings_put : sql_settings_pend, apply ? 2 : 4, p, NULL) ||
              q_audit(r, apply ? "update" : "request", "wish_settings", 0, before, after);
    json_decref(before);
    json_decref(after);
    if (bad || db_commit(r) != 0)
        return;
    reply_wish_settings(r, apply ? 200 : 202);
}

/* ---- fulfilment and confirmation ---- */

/* Only an active claim: on PostgreSQL two fulfilments at once both find the claim active before
 * either commits, and the second must find the first here and give up (its entries roll back). */
static const char sql_claim_done[] =
    "UPDATE wish_claims SET status = 'fulfilled', fulfilled_at = $3 WHERE community_id = $1 AND id = $2 AND status = 'active' RETURNING id";
static const char sql_fulfilled[] = "UPDATE wishes SET status = 'fulfilled', fulfilled_kind = $3 WHERE community_id = $1 AND id = $2";
static const char sql_wish_value[] = "SELECT estimated_fen, title FROM wishes WHERE community_id = $1 AND id = $2";

/* Goods delivered are recorded in kind at the estimated value (received and given out, apart from
 * cash); a cash claim is a donation earmarked for the wish, then paid out for it. */
static void wish_fulfil(req *r)
{
    const char *kind = json_string_value(json_object_get(r->in, "kind"));
    int64_t amount = json_integer_value(json_object_get(r->in, "amount_fen"));
    const char *method = json_string_value(json_object_get(r->in, "method"));
    if (strcmp(kind, "cash") == 0 && amount <= 0)
        return (void)reply_field(r, "amount_fen", "must_be_positive");
    int service = strcmp(kind, "service") == 0;
    if (db_begin(r) != 0 || wishes_sweep(r) != 0)
        return;
    int64_t wid = req_param_i64(r, 1);
    const char *w = arena_i64(r->a, wid);
    store_rows *c = NULL, *v = NULL;
    if (q_exec(r, sql_claim_active, 2, (const char *[]){cid_of(r), w}, &c) != 0 || q_exec(r, sql_wish_value, 2, (const char *[]){cid_of(r), w}, &v) != 0)
        return;
    if (v->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    if (wish_not_own(r, wid) != 0)
        return;
    if (c->nrows == 0)
        return (void)reply_fail(r, 409, "no_active_claim", NULL);
    const char *earmark = arena_printf(r->a, "wish:%lld", (long long)wid);
    const char *title = store_cell(v, 0, 1), *donor = store_cell(c, 0, 2);
    struct entry_in in_e = {.donor = donor, .donor_private = store_cell(c, 0, 1), .created_by = r->login, .n = 2}, out_e = {.donor = "", .created_by = r->login, .n = 2};
    int64_t seq;
    if (!service && strcmp(kind, "goods") == 0 && store_cell_i64(v, 0, 0) <= 0)
        return (void)reply_field(r, "kind", "goods_without_value");
    if (strcmp(kind, "goods") == 0) {
        amount = store_cell_i64(v, 0, 0);
        in_e.kind = "in_kind";
        in_e.memo = arena_printf(r->a, "微心愿实物捐赠：%s", title);
        in_e.method = "in_kind";
        in_e.p[0] = (struct posting){"1201", amount, ""};
        in_e.p[1] = (struct posting){"4105", -amount, ""};
        out_e.kind = "disbursement";
        out_e.memo = arena_printf(r->a, "微心愿实物发放：%s", title);
        out_e.method = "in_kind";
        out_e.p[0] = (struct posting){"5104", amount, ""};
        out_e.p[1] = (struct posting){"1201", -amount, ""};
    } else {
        const char *acct = method && strcmp(method, "cash") == 0 ? "1001" : "1002";
        in_e.kind = "donation";
        in_e.memo = arena_printf(r->a, "微心愿认领现金：%s", title);
        in_e.method = method ? method : "bank";
        in_e.p[0] = (struct posting){acct, amount, earmark};
        in_e.p[1] = (struct posting){"4101", -amount, earmark};
        out_e.kind = "disbursement";
        out_e.memo = arena_printf(r->a, "微心愿支出：%s", title);
        out_e.method = in_e.method;
        out_e.p[0] = (struct posting){"5101", amount, earmark};
        out_e.p[1] = (struct posting){acct, -amount, earmark};
    }
    /* A service (陪同就医 …) moves no money and no goods: nothing to post. */
    store_rc rc = service ? STORE_OK : ledger_post(r->db, r->a, r->community_id, &in_e, &seq);
    if (rc == STORE_OK && !service)
        rc = ledger_post(r->db, r->a, r->community_id, &out_e, &seq);
    if (rc != STORE_OK)
        return db_fail(r, rc);
    const char *now = arena_i64(r->a, clock_now());
    store_rows *done = NULL;
    if (q_exec(r, sql_claim_done, 3, (const char *[]){cid_of(r), store_cell(c, 0, 0), now}, &done) != 0)
        return;
    if (done->nrows == 0)
        return (void)reply_fail(r, 409, "no_active_claim", NULL);
    if (q_exec(r, sql_fulfilled, 3, (const char *[]){cid_of(r), w, kind}, NULL) != 0)
        return;
    json_t *after = json_pack("{s:s, s:I}", "kind", kind, "amount_fen", (json_int_t)(service ? 0 : amount));
    int bad = q_audit(r, "fulfil", "wish", wid, NULL, after);
    json_decref(after);
    json_t *item = bad ? NULL : wish_json(r, wid, 0);
    if (!item || db_commit(r) != 0) {
        json_decref(item);
        return;
    }
    reply_json(r, 200, item);
}

static const char sql_close[] = "UPDATE wishes SET status = 'closed', closed_at = $3, thank_you = $4 WHERE community_id = $1 AND id = $2";
static const char sql_owner[] = "SELECT status, submitted_by, source FROM wishes WHERE community_id = $1 AND id = $2";
static const char sql_gave[] =
    "SELECT 1 FROM wish_claims WHERE community_id = $1 AND wish_id = $2 AND status = 'fulfilled' AND donor_account_id = $3";

/* The beneficiary (the account that submitted it) or staff on their behalf confirm; it closes the
 * wish, with an optional public thank-you. */
static void wish_confirm(req *r)
{
    if (db_begin(r) != 0)
        return;
    int64_t wid = req_param_i64(r, 1);
    store_rows *st = NULL;
    if (q_exec(r, sql_owner, 2, (const char *[]){cid_of(r), arena_i64(r->a, wid)}, &st) != 0)
        return;
    if (st->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    int staff = perm_allows("wishes.on_behalf", r->roles);
    int owner = strcmp(store_cell(st, 0, 2), "online") == 0 && store_cell_i64(st, 0, 1) == r->account_id;
    if (!staff && !owner)
        return (void)reply_fail(r, 403, "forbidden", NULL);
    /* Staff confirm on the beneficiary's behalf, but not a fulfilment they gave themselves. */
    int64_t one;
    int gave = 0;
    if (!owner && q_i64(r, sql_gave, 3, (const char *[]){cid_of(r), arena_i64(r->a, wid), arena_i64(r->a, r->account_id)}, &one, &gave) != 0)
        return;
    if (gave)
        return (void)reply_fail(r, 403, "own_claim", NULL);
    if (strcmp(store_cell(st, 0, 0), "fulfilled") != 0)
        return (void)reply_fail(r, 409, "wish_not_fulfilled", NULL);
    const char *thanks = json_string_value(json_object_get(r->in, "thank_you"));
    if (thanks && deid_check(thanks, NULL))
        return (void)reply_field(r, "thank_you", "story_identifies");
    if (q_exec(r, sql_close, 4, (const char *[]){cid_of(r), arena_i64(r->a, wid), arena_i64(r->a, clock_now()), thanks}, NULL) != 0 ||
        q_audit(r, "confirm", "wish", wid, NULL, r->in) != 0 || db_commit(r) != 0)
        return;
    if (staff)
        reply_wish(r, 200, wid, 0);
    else
        reply_json(r, 200, json_pack("{s:I, s:s}", "id", (json_int_t)wid, "status", "closed"));
}

/* ---- the photo of the signed paper form ---- */

static const char sql_paper_of[] = "SELECT source FROM wishes WHERE community_id = $1 AND id = $2";
static const char sql_photo_set[] = "UPDATE wishes SET paper_photo = $3 WHERE community_id = $1 AND id = $2";
static const char sql_photo_of[] = "SELECT paper_photo FROM wishes WHERE community_id = $1 AND id = $2";

/* Staff attach the photo of the signed paper form (JPEG or PNG, at most 5 MiB); it is kept in the
 * community's attachment folder by its SHA-256 (core/files.h), and the wish records the reference
 * file_store made: the only way paper_photo is ever set. */
static void photo_upload(req *r)
{
    const char *type = file_sniff(r->body ? r->body : "", r->body_len);
    if (!type || strncmp(type, "image/", 6) != 0)
        return (void)reply_fail(r, 415, "photo_type", NULL);
    if (db_begin(r) != 0)
        return;
    store_rows *w = NULL;
    const char *p[3] = {cid_of(r), arena_i64(r->a, req_param_i64(r, 1))};
    if (q_exec(r, sql_paper_of, 2, p, &w) != 0)
        return;
    if (w->nrows == 0)
        return (void)reply_fail(r, 404, "not_found", NULL);
    if (strcmp(store_cell(w, 0, 0), "paper") != 0)
        return (void)reply_fail(r, 409, "not_paper", NULL);
    char ref[FILE_REF_LEN + 1];
    if (file_store(r->app->data_dir, r->community_id, r->body, r->body_len, ref) != FILE_OK) {
        fprintf(stderr, "linli: cannot store a form photo under %s: %s\n", r->app->data_dir, strerror(errno));
        return (void)reply_fail(r, 500, "internal", NULL);
    }
    assert(file_ref_valid(ref));
    p[2] = arena_strdup(r->a, ref);
    json_t *after = json_pack("{s:s, s:s}", "paper_photo", p[2], "type", type);
    int bad = q_exec(r, sql_photo_set, 3, p, NULL) || q_audit(r, "photo", "wish", req_param_i64(r, 1), NULL, after);
    json_decref(after);
    if (bad || db_commit(r) != 0)
        return;
    reply_wish(r, 200, req_param_i64(r, 1), 0);
}

/* The photo: only the file that the upload above stored for this wish, read from this community's
 * folder. A stored reference that is not one (a row from before the rule, or written by hand) is
 * refused without opening anything. */
static void photo_get(req *r)
{
    store_rows *w = NULL;
    if (q_exec(r, sql_photo_of, 2, (const char *[]){cid_of(r), arena_i64(r->a, req_param_i64(r, 1))}, &w) != 0)
        return;
    const char *ref = w->nrows ? store_cell(w, 0, 0) : NULL;
    if (!ref)
        return (void)reply_fail(r, 404, "not_found", NULL);
    char *data = NULL;
    size_t n = 0;
    file_rc rc = file_load(r->app->data_dir, r->community_id, ref, &data, &n);
    if (rc != FILE_OK)
        return reply_file_error(r, rc, arena_printf(r->a, "the form photo of wish %lld", (long long)req_param_i64(r, 1)));
    reply_bytes(r, 200, file_sniff(data, n) ? file_sniff(data, n) : "application/octet-stream", data, n);
}

/* ---- campaigns ---- */

static const char sql_campaigns[] =
    "SELECT id, title, starts_on, ends_on, fulfil_days FROM wish_campaigns WHERE community_id = $1 ORDER BY starts_on DESC";
static const char sql_campaign_insert[] =
    "INSERT INTO wish_campaigns (community_id, id, title, starts_on, ends_on, fulfil_days) VALUES ($1, $2, $3, $4, $5, $6)";
static const struct colmap campaign_map[] = {{"id", 'i'}, {"title", 's'}, {"starts_on", 's'}, {"ends_on", 's'}, {"fulfil_days", 'i'}, {0}};

static void campaigns_list(req *r)
{
    struct list_args la;
    store_rows *rows = NULL;
    if (list_args_parse(r, &la) != 0 || q_exec(r, sql_campaigns, 1, (const char *[]){cid_of(r)}, &rows) != 0)
        return;
    reply_list(r, &la, rows_json(rows, campaign_map), rows->nrows, NULL);
}

static void campaigns_create(req *r)
{
    const char *s = json_string_value(json_object_get(r->in, "starts_on")), *e = json_string_value(json_object_get(r->in, "ends_on"));
    if (strlen(s) != 10)
        return (void)reply_field(r, "starts_on", "invalid_date");
    if (strlen(e) != 10 || strcmp(e, s) < 0)
        return (void)reply_field(r, "ends_on", "invalid_date");
    if (db_begin(r) != 0)
        return;
    int64_t id;
    store_rc rc = store_next_id(r->db, r->a, &id);
    if (rc != STORE_OK)
        return db_fail(r, rc);
    json_t *fd = json_object_get(r->in, "fulfil_days");
    const char *p[6] = {cid_of(r), arena_i64(r->a, id), json_string_value(json_object_get(r->in, "title")), s, e,
                        arena_i64(r->a, fd ? json_integer_value(fd) : 30)};
    json_t *item = json_pack("{s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)id, "title", p[2], "starts_on", s, "ends_on", e, "fulfil_days",
                             (json_int_t)(fd ? json_integer_value(fd) : 30));
    if (q_exec(r, sql_campaign_insert, 6, p, NULL) != 0 || q_audit(r, "create", "wish_campaign", id, NULL, item) != 0 || db_commit(r) != 0) {
        json_decref(item);
        return;
    }
    reply_json(r, 201, item);
}

/* ---- the route table ---- */

static const char *const categories[] = {"goods", "cash", "service", NULL};
static const char *const urgencies[] = {"blue", "yellow", "red", NULL};
static const char *const sources[] = {"online", "paper", NULL};
static const char *const methods[] = {"phone", "visit", NULL};
static const char *const decisions[] = {"publish", "decline", NULL};
static const char *const donor_kinds[] = {"resident", "party_member", "organisation", NULL};
static const char *const fulfil_kinds[] = {"goods", "cash", "service", NULL};
static const char *const pay_methods[] = {"cash", "wechat", "bank", NULL};

static const field_spec wish_body[] = {
    {"category", F_ENUM, 1, 0, categories, "goods, cash or service"},
    {"urgency", F_ENUM, 1, 0, urgencies, "blue (goods), yellow (services), red (urgent)"},
    {"title", F_STR, 1, 40, NULL, "what is wished, e.g. 一台助听器"},
    {"story", F_STR, 1, 1000, NULL, "the public story; must not identify the beneficiary"},
    {"beneficiary_name", F_STR, 1, 30, NULL, "private: who (sealed)"},
    {"address", F_STR, 0, 100, NULL, "private: where (sealed)"},
    {"contact", F_STR, 0, 60, NULL, "private: how to reach them (sealed)"},
    {"needs", F_STR, 0, 500, NULL, "private: what exactly is needed (sealed)"},
    {"compound_id", F_ID, 0, 0, NULL, "the compound (the most the public sees)"},
    {"estimated_fen", F_MONEY, 1, 100000000, NULL, "estimated value in fen"},
    {"deadline", F_STR, 0, 10, NULL, "YYYY-MM-DD"},
    {"campaign_id", F_ID, 0, 0, NULL, "the campaign, if any"},
    {"consent", F_BOOL, 1, 0, NULL, "the beneficiary consented (required)"},
    {"source", F_ENUM, 0, 0, sources, "online (default) or paper (staff, from the paper form)", .perm = "wishes.on_behalf", .perm_value = "paper"},
    {"paper_serial", F_STR, 0, 40, NULL, "the paper form's serial number"},
    {0},
};
static const field_spec verify_body[] = {
    {"method", F_ENUM, 1, 0, methods, "phone or visit"},
    {"note", F_STR, 0, 500, NULL, "what was found"},
    {0},
};
static const field_spec decide_body[] = {
    {"decision", F_ENUM, 1, 0, decisions, "publish or decline"},
    {"reason", F_STR, 0, 200, NULL, "why (to decline)"},
    {"story", F_STR, 0, 1000, NULL, "a corrected public story"},
    {"title", F_STR, 0, 40, NULL, "a corrected title"},
    {0},
};
static const field_spec claim_body[] = {
    {"pledge", F_BOOL, 1, 0, NULL, "the donor signs the pledge (must be true)"},
    {"anonymous", F_BOOL, 0, 0, NULL, "stay anonymous on public pages"},
    {"donor_kind", F_ENUM, 0, 0, donor_kinds, "resident, party_member or organisation"},
    {"donor_name", F_STR, 0, 60, NULL, "staff at an on-site campaign day: the donor's name", .perm = "wishes.on_behalf"},
    {0},
};
static const field_spec fulfil_body[] = {
    {"kind", F_ENUM, 1, 0, fulfil_kinds, "goods (in kind, at the estimated value), cash, or service (nothing posted)"},
    {"amount_fen", F_MONEY, 0, 100000000, NULL, "cash: the amount"},
    {"method", F_ENUM, 0, 0, pay_methods, "cash: how it came"},
    {0},
};
static const field_spec release_body[] = {
    {"reason", F_STR, 1, 200, NULL, "why the claim is released (required)"},
    {0},
};
static const field_spec block_body[] = {
    {"reason", F_STR, 1, 200, NULL, "why (required)"},
    {"release_claims", F_BOOL, 0, 0, NULL, "block: also release the donor's active claims"},
    {0},
};
static const field_spec unblock_body[] = {
    {"reason", F_STR, 1, 200, NULL, "why the donor may claim again (required)"},
    {0},
};
static const field_spec wish_settings_body[] = {
    {"max_open_claims", F_INT, 1, WISH_MAX_OPEN_CLAIMS_LIMIT, NULL, "active claims one donor account may hold (default 3)"},
    {0},
};
static const char *const finer_confirm[] = {"wishes.on_behalf", "own: the wish's owner (submitted online)", NULL};
static const field_spec confirm_body[] = {{"thank_you", F_STR, 0, 300, NULL, "an optional public thank-you"}, {0}};
static const field_spec campaign_body[] = {
    {"title", F_STR, 1, 80, NULL, "e.g. 2016年11—12月 “微心愿 微公益”感恩系列活动"},
    {"starts_on", F_STR, 1, 10, NULL, "YYYY-MM-DD"},
    {"ends_on", F_STR, 1, 10, NULL, "YYYY-MM-DD"},
    {"fulfil_days", F_INT, 0, 365, NULL, "days a claim has to be fulfilled (default 30)"},
    {0},
};
static const column_spec wall_columns[] = {
    {"id", "编号", "ID"}, {"title", "心愿", "Wish"}, {"category", "类别", "Category"}, {"urgency", "紧急程度", "Urgency"},
    {"estimated_fen", "估值(分)", "Value (fen)"}, {"compound_name", "小区", "Compound"}, {"status", "状态", "Status"}, {"donor", "认领人", "Donor"}, {0},
};
static const column_spec staff_columns[] = {
    {"id", "编号", "ID"}, {"title", "心愿", "Wish"}, {"status", "状态", "Status"}, {"source", "来源", "Source"},
    {"paper_serial", "纸质表编号", "Paper serial"}, {"estimated_fen", "估值(分)", "Value (fen)"}, {"verified_by", "核实人", "Verified by"}, {0},
};
static const column_spec campaign_columns[] = {{"id", "编号", "ID"}, {"title", "活动", "Campaign"}, {"starts_on", "开始", "Starts"}, {"ends_on", "结束", "Ends"}, {0}};
static const char *const wall_query[] = {"category", "status", "campaign_id", NULL};
static const char *const staff_query[] = {"status", NULL};

#define C "/api/v1/communities/{community_id}"
static const route wish_routes[] = {
    {"GET", C "/wishes", wall_list, NULL, R_PUBLIC | R_LIST, NULL, wall_columns, "wishes", "The public wish wall (no beneficiary details)", 0, wall_query},
    {"POST", C "/wishes", wish_create, "wishes.submit", R_IDEMPOTENT, wish_body, NULL, "wishes", "Submit a wish (or key in a paper form, staff)", 0, NULL},
    {"GET", C "/wishes/mine", mine_list, "wishes.submit", R_LIST, NULL, wall_columns, "wishes", "The caller's own wishes and where each stands", 0, NULL},
    {"GET", C "/wishes/manage", staff_list, "wishes.manage", R_LIST, NULL, staff_columns, "wishes", "All wishes for staff (?status=submitted)", 0, staff_query},
    {"GET", C "/wishes/{wish_id}", wish_get, "wishes.manage", 0, NULL, NULL, "wishes", "A wish with its claims (without the sealed details)", 0, NULL},
    {"POST", C "/wishes/{wish_id}/private", wish_private, "wishes.manage", R_VIEW, NULL, NULL, "wishes", "A wish with its claims and its sealed details (audited)", 0, NULL},
    {"POST", C "/wishes/{wish_id}/form-photo", photo_upload, "wishes.manage", R_RAW_BODY | R_IDEMPOTENT, NULL, NULL, "wishes", "Attach the photo of the signed paper form (JPEG or PNG, body = the image)", 5u << 20, NULL},
    {"GET", C "/wishes/{wish_id}/form-photo", photo_get, "wishes.manage", 0, NULL, NULL, "wishes", "The photo of the signed paper form", 0, NULL},
    {"POST", C "/wishes/{wish_id}/verify", wish_verify, "wishes.manage", R_IDEMPOTENT, verify_body, NULL, "wishes", "Record the verification (phone or visit)", 0, NULL},
    {"POST", C "/wishes/{wish_id}/decision", wish_decide, "wishes.manage", R_IDEMPOTENT, decide_body, NULL, "wishes", "Publish (de-identified) or decline", 0, NULL},
    {"POST", C "/wishes/{wish_id}/claims", claim_create, "wishes.claim", R_IDEMPOTENT, claim_body, NULL, "wishes", "Claim a wish with a pledge (409 if claimed, at the donor's limit, or let go before; 403 if the donor is blocked); Idempotency-Key", 0, NULL},
    {"POST", C "/wishes/{wish_id}/claims/release", claim_release, "wishes.claim", R_IDEMPOTENT, release_body, NULL, "wishes", "Release the active claim with a reason (the claimer, or staff); the wish is open again", 0, NULL},
    {"POST", C "/wishes/{wish_id}/contact", claim_contact, "wishes.manage", R_IDEMPOTENT, NULL, NULL, "wishes", "The donor has contacted the beneficiary", 0, NULL},
    {"POST", C "/wishes/{wish_id}/fulfil", wish_fulfil, "wishes.fulfil", R_IDEMPOTENT, fulfil_body, NULL, "wishes", "Record the fulfilment (in kind or cash, posted to the fund)", 0, NULL},
    {"POST", C "/wishes/{wish_id}/confirm", wish_confirm, "wishes.submit", R_IDEMPOTENT, confirm_body, NULL, "wishes", "The beneficiary (or staff) confirms; closes the wish", 0, NULL, .finer = finer_confirm},
    {"GET", C "/wish-campaigns", campaigns_list, NULL, R_PUBLIC | R_LIST, NULL, campaign_columns, "wishes", "Campaigns", 0, NULL},
    {"POST", C "/wish-campaigns", campaigns_create, "wishes.manage", R_IDEMPOTENT, campaign_body, NULL, "wishes", "Add a campaign", 0, NULL},
    {"GET", C "/wish-donors", donors_blocked_list, "wishes.manage", 0, NULL, NULL, "wishes", "Donors blocked from claiming, with the reason", 0, NULL},
    {"POST", C "/wish-donors/{account_id}/block", donor_block, "wishes.manage", R_IDEMPOTENT, block_body, NULL, "wishes", "Block a donor account from claiming, with a reason", 0, NULL},
    {"POST", C "/wish-donors/{account_id}/unblock", donor_unblock, "wishes.manage", R_IDEMPOTENT, unblock_body, NULL, "wishes", "Let a blocked donor claim again, with a reason", 0, NULL},
    {"GET", C "/wish-settings", wish_settings_get, "wishes.manage", 0, NULL, NULL, "wishes", "The claim limit per donor", 0, NULL},
    {"PUT", C "/wish-settings", wish_settings_put, "wishes.settings", 0, wish_settings_body, NULL, "wishes", "Change the claim limit per donor (staff; a raise waits for another staff member: 202)", 0, NULL},
};
#undef C

const module wishes_module = {"wishes", wish_routes, sizeof wish_routes / sizeof wish_routes[0], NULL};
