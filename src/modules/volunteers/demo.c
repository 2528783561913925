/* The demo volunteer team of the article: 文华“义”家人, 109 registered volunteers (youth among them,
 * with their guardians' consent), the community team and 丰华花苑's compound team, the training in
 * 志愿服务理念, two years of activities (公益集市, 邻里趣味运动会, 平安居家教育宣传, the weekly
 * 敬老院恒常服务) with approved hours, and upcoming shifts to sign up for. Deterministic. */
#include "core/clock.h"
#include "modules/registry/demo_people.h"
#include "modules/volunteers/volunteers.h"
#include <stdio.h>
#include <string.h>

#define VOLUNTEERS 109
#define SEED 109u

static const char *const skills[] = {"摄影", "急救", "书法", "活动组织", "手工", "宣传写作", "陪伴长者", "文艺表演", "维修", "翻译"};

/* A tiny deterministic generator for choices in the demo. */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

struct demo_ctx {
    store *s;
    arena *a;
    const char *cid;
    int64_t now;
    store_rc rc;
};

static const char *next_id(struct demo_ctx *d, int64_t *v)
{
    int64_t id = 0;
    if (d->rc == STORE_OK)
        d->rc = store_next_id(d->s, d->a, &id);
    if (v)
        *v = id;
    return arena_i64(d->a, id);
}

static void run(struct demo_ctx *d, const char *sql, int n, const char *const *p)
{
    if (d->rc == STORE_OK)
        d->rc = store_exec(d->s, d->a, sql, n, p, NULL);
}

static const char sql_settings[] =
    "INSERT INTO vol_settings (community_id, next_number, issuer_name, issuer_person, issuer_contact) VALUES ($1, $2, $3, $4, $5)";
static const char sql_team[] = "INSERT INTO vol_teams (community_id, id, name, compound_id) VALUES ($1, $2, $3, $4)";
static const char sql_member[] = "INSERT INTO vol_team_members (community_id, team_id, volunteer_id) VALUES ($1, $2, $3)";
static const char sql_vol[] =
    "INSERT INTO volunteers (community_id, id, number, name, birth_year, is_minor, guardian_name, guardian_consent_at, "
    "skills, availability, status, applied_at, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'approved', $11, $11)";
static const char sql_training[] = "INSERT INTO trainings (community_id, id, title, held_at, place) VALUES ($1, $2, $3, $4, $5)";
static const char sql_trained[] = "INSERT INTO training_attendance (community_id, training_id, volunteer_id) VALUES ($1, $2, $3)";
static const char sql_activity[] =
    "INSERT INTO activities (community_id, id, title, kind, place, organiser, description, grace_minutes, weekly, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, 30, $8, $9)";
static const char sql_shift[] =
    "INSERT INTO shifts (community_id, id, activity_id, starts_at, ends_at, capacity, adults_only, training_id, "
    "cancel_deadline, confirmed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
static const char sql_signup[] =
    "INSERT INTO signups (community_id, shift_id, volunteer_id, status, signed_at, seq) VALUES ($1, $2, $3, 'confirmed', $4, $5)";
static const char sql_attend[] =
    "INSERT INTO attendance (community_id, shift_id, volunteer_id, checkin_at, checkout_at) VALUES ($1, $2, $3, $4, $5)";
static const char sql_hours[] =
    "INSERT INTO hour_records (community_id, id, volunteer_id, activity_id, shift_id, served_on, minutes, description, "
    "organiser, source, status, recorded_by, created_at, decided_by, decided_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'shift', 'approved', 'demo', $10, 'demo', $10)";
static const char sql_seats[] = "UPDATE shifts SET confirmed = $3 WHERE community_id = $1 AND id = $2";
static const char sql_compound[] = "SELECT id FROM compounds WHERE community_id = $1 AND name = '丰华花苑'";

struct act {
    const char *title, *kind, *place, *description;
    int weekly, every_days, hours, capacity, adults_only;
};
static const struct act acts[] = {
    {"敬老院恒常服务", "elder_care", "龙江镇敬老院", "每周六上午陪伴长者、读报、理发、打扫", 1, 7, 3, 8, 0},
    {"公益集市", "bazaar", "盈信广场", "义卖手工作品（手捧花、香皂花盒、花篮），所得进入社区“微心愿”公益基金", 0, 60, 4, 20, 0},
    {"邻里趣味运动会", "sports", "文华社区党群服务中心", "亲子与邻里趣味比赛的场地与计分服务", 0, 120, 5, 25, 0},
    {"平安居家教育宣传", "safety", "各小区", "入户派发平安居家宣传资料，讲解防火防盗防诈骗", 0, 45, 3, 12, 1},
    {"志愿服务队年度嘉奖活动", "event", "文华社区党群服务中心", "年度嘉奖会场布置与接待", 0, 365, 4, 10, 0},
};

int volunteers_demo_create(store *s, const struct crypto_keys *k, int64_t community_id, char *err, size_t errlen)
{
    (void)k;
    struct demo_ctx d = {s, arena_new(), NULL, clock_now(), STORE_OK};
    arena *a = d.a;
    d.cid = arena_i64(a, community_id);
    const char *now = arena_i64(a, d.now);
    uint64_t r = 0x9E3779B97F4A7C15ull;
    d.rc = store_begin(s);
    run(&d, sql_settings, 5, (const char *[]){d.cid, arena_i64(a, VOLUNTEERS + 1), "文华社区居民委员会", "黄志强", "0757-23861234"});
    int64_t compound = 0;
    int found = 0;
    if (d.rc == STORE_OK)
        d.rc = store_query_i64(s, a, sql_compound, 1, (const char *[]){d.cid}, &compound, &found);
    const char *team_all = next_id(&d, NULL);
    run(&d, sql_team, 4, (const char *[]){d.cid, team_all, "文华“义”家人志愿服务队", NULL});
    const char *team_fh = next_id(&d, NULL);
    run(&d, sql_team, 4, (const char *[]){d.cid, team_fh, "丰华花苑志愿服务队", found ? arena_i64(a, compound) : NULL});
    const char *training = next_id(&d, NULL);
    run(&d, sql_training, 5, (const char *[]){d.cid, training, "志愿服务理念培训", arena_i64(a, d.now - 700 * 86400), "文华社区党群服务中心"});
    const char *training2 = next_id(&d, NULL);
    run(&d, sql_training, 5, (const char *[]){d.cid, training2, "急救知识培训", arena_i64(a, d.now - 200 * 86400), "龙江医院"});

    const char *vids[VOLUNTEERS];
    char day[11];
    clock_day(d.now, day);
    int year = (day[0] - '0') * 1000 + (day[1] - '0') * 100 + (day[2] - '0') * 10 + (day[3] - '0');
    for (int i = 0; i < VOLUNTEERS; i++) {
        struct demo_person p;
        demo_person_make(SEED, (uint32_t)i, 21, 12, &p);
        /* Every ninth volunteer is a youth volunteer (青少年), 13 to 17, with a guardian's consent. */
        int minor = i % 9 == 4;
        int birth_year = minor ? year - 13 - (int)(rnd(&r) % 5) : (p.birth_year > year - 18 ? year - 25 - i % 30 : p.birth_year);
        vids[i] = next_id(&d, NULL);
        const char *sk = arena_printf(a, "%s、%s", skills[rnd(&r) % 10], skills[rnd(&r) % 10]);
        run(&d, sql_vol, 11,
            (const char *[]){d.cid, vids[i], arena_printf(a, "V%05d", i + 1), p.name, arena_i64(a, birth_year), minor ? "1" : "0",
                             minor ? arena_printf(a, "%.3s家长", p.name) : NULL, minor ? arena_i64(a, d.now - 400 * 86400) : NULL, sk,
                             i % 3 ? "周末" : "工作日晚上、周末", arena_i64(a, d.now - (int64_t)(720 - i) * 86400)});
        run(&d, sql_member, 3, (const char *[]){d.cid, team_all, vids[i]});
        if (p.compound == 2 || i % 11 == 0)
            run(&d, sql_member, 3, (const char *[]){d.cid, team_fh, vids[i]});
        if (i % 4 != 3)
            run(&d, sql_trained, 3, (const char *[]){d.cid, training, vids[i]});
        if (i % 5 == 0)
            run(&d, sql_trained, 3, (const char *[]){d.cid, training2, vids[i]});
    }
    /* Two years of past shifts with attendance and approved hours; eight weeks of upcoming ones. */
    for (size_t ai = 0; d.rc == STORE_OK && ai < sizeof acts / sizeof acts[0]; ai++) {
        const struct act *ac = &acts[ai];
        const char *aid = next_id(&d, NULL);
        run(&d, sql_activity, 9, (const char *[]){d.cid, aid, ac->title, ac->kind, ac->place, "文华社区党委、社区居委会", ac->description,
                                                  ac->weekly ? "1" : "0", arena_i64(a, d.now - 730 * 86400)});
        /* Shifts start at 09:00 China time (01:00 UTC) on days counted back from today. */
        int64_t today0 = (d.now + 8 * 3600) / 86400 * 86400 - 8 * 3600;
        /* The weekly service is on Saturday mornings (每周六上午): align its days to Saturdays.
         * Day 0 of the epoch was a Thursday, so Saturday is day number ≡ 2 (mod 7). */
        if (ac->weekly) {
            int64_t day = (today0 + 8 * 3600) / 86400;
            today0 += ((2 - day % 7 + 7) % 7) * 86400;
        }
        for (int64_t back = 728; back > -56 && d.rc == STORE_OK; back -= ac->every_days) {
            int64_t start = today0 - back * 86400 + 9 * 3600, end = start + ac->hours * 3600;
            int past = end < d.now;
            int seats = past ? ac->capacity / 2 + (int)(rnd(&r) % (uint64_t)(ac->capacity / 2 + 1)) : 0;
            int taken = 0;
            const char *sid = next_id(&d, NULL);
            run(&d, sql_shift, 10, (const char *[]){d.cid, sid, aid, arena_i64(a, start), arena_i64(a, end), arena_i64(a, ac->capacity),
                                                   ac->adults_only ? "1" : "0", ai == 0 ? training : NULL,
                                                   arena_i64(a, start - 2 * 3600), arena_i64(a, seats)});
            char served[11];
            clock_day(start, served);
            int first = (int)(rnd(&r) % VOLUNTEERS);
            for (int k2 = 0; k2 < seats && d.rc == STORE_OK; k2++) {
                /* The first three seats mostly go to a core group of twelve, as in any real team. */
                int v = k2 < 3 ? (first + k2 * 5) % 12 : 12 + (first + k2 * 7) % (VOLUNTEERS - 12);
                if (ac->adults_only && v % 9 == 4)
                    continue; /* youth volunteers are not on adults-only shifts */
                int64_t seq;
                next_id(&d, &seq);
                run(&d, sql_signup, 5, (const char *[]){d.cid, sid, vids[v], arena_i64(a, start - 5 * 86400), arena_i64(a, seq)});
                taken++;
                int64_t minutes = ac->hours * 60 - (int64_t)(rnd(&r) % 4) * 15;
                run(&d, sql_attend, 5, (const char *[]){d.cid, sid, vids[v], arena_i64(a, start), arena_i64(a, start + minutes * 60)});
                run(&d, sql_hours, 10, (const char *[]){d.cid, next_id(&d, NULL), vids[v], aid, sid, arena_strdup(a, served),
                                                        arena_i64(a, minutes), ac->title, "文华社区党委、社区居委会", now});
            }
            if (taken != seats)
                run(&d, sql_seats, 3, (const char *[]){d.cid, sid, arena_i64(a, taken)});
        }
    }
    if (d.rc == STORE_OK)
        d.rc = store_commit(s);
    if (d.rc != STORE_OK) {
        snprintf(err, errlen, "demo volunteers: %s", store_errmsg(s));
        store_rollback(s);
    }
    arena_free(a);
    return d.rc == STORE_OK ? 0 : -1;
}
