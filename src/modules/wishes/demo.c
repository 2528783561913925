/* The demo wishes: the 2016年11—12月 “微心愿 微公益”感恩系列活动 with its fulfilled wishes (a hearing
 * aid, blood-pressure monitors, daily necessities bought with cash — the fund's demo entries are
 * their money), and this year's campaign with open wishes on the wall. */
#include "core/clock.h"
#include "modules/wishes/wishes.h"
#include <stdio.h>
#include <string.h>

static const char sql_campaign[] =
    "INSERT INTO wish_campaigns (community_id, id, title, starts_on, ends_on, fulfil_days) VALUES ($1, $2, $3, $4, $5, 30)";
static const char sql_wish[] =
    "INSERT INTO wishes (community_id, id, category, urgency, title, story, private_enc, compound_id, estimated_fen, "
    "campaign_id, status, source, paper_serial, keyed_by, consent, verified_by, verified_at, verify_method, thank_you, "
    "fulfilled_kind, created_at, published_at, closed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
    "(SELECT id FROM compounds WHERE community_id = $1 AND name = $8), $9, $10, $11, $12, $13, $14, 1, 'demo', $15, $16, "
    "$17, $18, $15, $15, $19)";
static const char sql_claim[] =
    "INSERT INTO wish_claims (community_id, id, wish_id, donor_display, donor_kind, anonymous, status, claimed_at, "
    "contacted_at, fulfilled_at, entered_by) VALUES ($1, $2, $3, $4, $5, $6, 'fulfilled', $7, $7, $7, 'demo')";

struct demo_wish {
    int campaign; /* 0: 2016, 1: this year */
    const char *category, *urgency, *title, *story, *who, *compound, *status, *source, *thanks, *donor, *donor_kind;
    int64_t fen;
};

static const struct demo_wish wishes[] = {
    {0, "goods", "blue", "一台助听器", "独居长者，听力下降多年，和邻居聊天都很吃力，希望有一台助听器。", "陈桂英", "康桥水岸", "closed", "paper",
     "谢谢社区和好心人，现在能听清孙子说话了！", "陈**", "party_member", 120000},
    {0, "goods", "blue", "血压计", "患高血压的长者，希望在家能随时量血压。", "何丽珍", "文华花园", "closed", "online", "血压计很好用，谢谢！", "匿名",
     "resident", 19800},
    {0, "goods", "blue", "血压计", "长期服药的长者，子女在外地工作，想要一台电子血压计。", "梁伯", "丰华花苑", "closed", "paper", NULL, "匿名",
     "resident", 19800},
    {0, "cash", "red", "生活物资", "困难家庭，家中有病人，希望得到米、油等生活物资。", "刘女士", "雍翠华府", "closed", "paper",
     "感谢党员们的关心。", "保利上城物业服务中心", "organisation", 38000},
    {1, "goods", "blue", "一个新书包", "上小学三年级的孩子，书包已经破了，希望有一个新书包。", "小杰", "龙江一品", "published", "online", NULL, NULL, NULL, 12000},
    {1, "service", "yellow", "陪长者去医院复诊", "行动不便的独居长者，每月需要去医院复诊，希望有志愿者陪同。", "罗婆婆", "世埠花园", "published",
     "paper", NULL, NULL, NULL, 0},
    {1, "goods", "red", "一台轮椅", "腿脚受伤的长者出院回家，暂时需要一台轮椅。", "黄伯", "保利上城", "published", "paper", NULL, NULL, NULL, 45000},
    {1, "goods", "blue", "台灯", "家里光线不好，孩子晚上写作业看不清，想要一盏护眼台灯。", "小雯", "锦绣华庭", "published", "online", NULL, NULL, NULL, 15000},
    {1, "cash", "yellow", "冬季棉被", "困难长者家庭，冬天被子太薄，希望添两床棉被。", "吴伯", "南华名都", "published", "paper", NULL, NULL, NULL, 30000},
};

int wishes_demo_create(store *s, const struct crypto_keys *k, int64_t community_id, char *err, size_t errlen)
{
    arena *a = arena_new();
    const char *cid = arena_i64(a, community_id);
    int64_t now = clock_now(), ids[2];
    char today[11];
    clock_day(now, today);
    store_rc rc = store_begin(s);
    if (rc == STORE_OK)
        rc = store_next_id(s, a, &ids[0]);
    if (rc == STORE_OK)
        rc = store_exec(s, a, sql_campaign, 5,
                        (const char *[]){cid, arena_i64(a, ids[0]), "2016年11—12月 “微心愿 微公益”感恩系列活动", "2016-11-01", "2016-12-31"}, NULL);
    if (rc == STORE_OK)
        rc = store_next_id(s, a, &ids[1]);
    if (rc == STORE_OK)
        rc = store_exec(s, a, sql_campaign, 5,
                        (const char *[]){cid, arena_i64(a, ids[1]), arena_printf(a, "%.4s年 “微心愿 微公益”", today),
                                         arena_printf(a, "%.4s-01-01", today), arena_printf(a, "%.4s-12-31", today)}, NULL);
    for (size_t i = 0; rc == STORE_OK && i < sizeof wishes / sizeof wishes[0]; i++) {
        const struct demo_wish *w = &wishes[i];
        int64_t id;
        rc = store_next_id(s, a, &id);
        int closed = strcmp(w->status, "closed") == 0;
        const char *at = arena_i64(a, closed ? 1478311200 + (int64_t)i * 86400 : now - (int64_t)(10 - i) * 86400);
        char *priv = arena_printf(a, "{\"beneficiary_name\":\"%s\",\"address\":\"%s\",\"contact\":\"由社区工作人员联系\",\"needs\":\"%s\"}",
                                  w->who, w->compound, w->title);
        const char *p[19] = {cid, arena_i64(a, id), w->category, w->urgency, w->title, w->story, crypto_seal(a, k, priv), w->compound,
                             arena_i64(a, w->fen), arena_i64(a, ids[w->campaign]), w->status, w->source,
                             strcmp(w->source, "paper") == 0 ? arena_printf(a, "WX%04zu", 2016 + i) : NULL,
                             strcmp(w->source, "paper") == 0 ? "demo" : NULL, at, i % 2 ? "visit" : "phone", w->thanks,
                             closed ? (strcmp(w->category, "cash") == 0 ? "cash" : "goods") : NULL, closed ? at : NULL};
        if (rc == STORE_OK)
            rc = store_exec(s, a, sql_wish, 19, p, NULL);
        if (rc == STORE_OK && closed) {
            int64_t claim;
            rc = store_next_id(s, a, &claim);
            if (rc == STORE_OK)
                rc = store_exec(s, a, sql_claim, 7,
                                (const char *[]){cid, arena_i64(a, claim), p[1], w->donor, w->donor_kind, strcmp(w->donor, "匿名") == 0 ? "1" : "0", at},
                                NULL);
        }
    }
    if (rc == STORE_OK)
        rc = store_commit(s);
    if (rc != STORE_OK) {
        snprintf(err, errlen, "demo wishes: %s", store_errmsg(s));
        store_rollback(s);
    }
    arena_free(a);
    return rc == STORE_OK ? 0 : -1;
}
