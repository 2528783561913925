/* The demo fund: the 2016 “微心愿 微公益” campaign and what followed — donations by party members,
 * residents and a property company, bazaar and auction shares, hearing aids and blood-pressure
 * monitors given in kind, payouts for wishes and activities — leaving a little over 4,000 yuan
 * (4,126.50), as the article says. Dates are China Standard Time. */
#include "modules/fund/fund.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

struct demo_entry {
    const char *date; /* YYYY-MM-DD */
    const char *kind, *memo, *donor, *method, *receipt;
    const char *debit, *credit;
    int64_t fen;
};

static const struct demo_entry entries[] = {
    {"2016-11-05", "donation", "“微心愿 微公益”感恩系列活动 党员捐款", "李**", "cash", "WH2016-001", "1001", "4101", 50000},
    {"2016-11-08", "donation", "“微心愿 微公益”感恩系列活动 企业捐款", "保利上城物业服务中心", "bank", "WH2016-002", "1002", "4101", 30000},
    {"2016-11-12", "bazaar", "公益集市义卖（手捧花、香皂花盒、花篮）基金分成", "", "cash", NULL, "1001", "4102", 86000},
    {"2016-11-20", "in_kind", "实物捐赠：助听器", "陈**", "in_kind", "WH2016-003", "1201", "4105", 120000},
    {"2016-11-20", "in_kind", "实物捐赠：血压计 2 台", "匿名", "in_kind", "WH2016-004", "1201", "4105", 39600},
    {"2016-11-26", "donation", "党群活动日现场认领微心愿 现金捐款", "匿名", "wechat", "WH2016-005", "1002", "4101", 20000},
    {"2016-11-27", "disbursement", "微心愿实物发放：助听器、血压计", "", "in_kind", NULL, "5104", "1201", 159600},
    {"2016-12-10", "disbursement", "微心愿：为困难家庭购买生活物资", "", "cash", NULL, "5101", "1001", 38000},
    {"2017-05-20", "auction", "公益拍卖（手工花篮）基金分成", "", "bank", NULL, "1002", "4103", 45600},
    {"2017-09-16", "bazaar", "公益集市义卖基金分成", "", "cash", NULL, "1001", "4102", 62000},
    {"2017-10-01", "disbursement", "邻里趣味运动会奖品", "", "cash", NULL, "5103", "1001", 26000},
    {"2017-12-20", "grant", "镇街社区营造创新项目补助", "龙江镇", "bank", NULL, "1002", "4104", 100000},
    {"2018-01-13", "donation", "党员“微心愿”认捐", "黄**", "wechat", "WH2018-001", "1002", "4101", 35000},
    {"2018-03-05", "donation", "居民捐款", "梁**", "cash", "WH2018-002", "1001", "4101", 48050},
};

int fund_demo_create(store *s, int64_t community_id, char *err, size_t errlen)
{
    arena *a = arena_new();
    store_rc rc = store_begin(s);
    for (size_t i = 0; rc == STORE_OK && i < sizeof entries / sizeof entries[0]; i++) {
        const struct demo_entry *d = &entries[i];
        struct tm tm = {0};
        sscanf(d->date, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        tm.tm_hour = 2; /* 10:00 in Longjiang */
        struct entry_in e = {.kind = d->kind, .memo = d->memo, .donor = d->donor, .receipt_no = d->receipt, .method = d->method,
                             .created_by = "demo", .at = (int64_t)timegm(&tm), .n = 2};
        e.p[0] = (struct posting){d->debit, d->fen, ""};
        e.p[1] = (struct posting){d->credit, -d->fen, ""};
        int64_t seq;
        rc = ledger_post(s, a, community_id, &e, &seq);
    }
    static const char rules[] =
        "# 文华社区“微心愿”公益基金管理制度\n\n"
        "1. 基金来源：居民、党员、企业和社会组织的捐赠，公益集市义卖和公益拍卖的基金分成，镇街和区级项目补助。\n"
        "2. 基金用途：资助社区困难群众的“微心愿”、社区营造项目和公益活动。指定用途的捐赠专款专用。\n"
        "3. 每一笔收支均记入公开账本，任何人都可以在线核验；账目只增不改，更正以冲正分录进行。\n"
        "4. 单笔支出超过 500 元，须由另一名社区工作人员审批后方可支付，任何人不得审批自己提交的支出。\n"
        "5. 捐赠人可选择匿名；公开页面对个人捐赠人姓名做脱敏处理。\n";
    static const char sql_rules[] =
        "INSERT INTO fund_rules (community_id, version, markdown, published_at, published_by) VALUES ($1, 1, $2, $3, 'demo')";
    if (rc == STORE_OK)
        rc = store_exec(s, a, sql_rules, 3, (const char *[]){arena_i64(a, community_id), rules, arena_i64(a, 1478131200)}, NULL);
    if (rc == STORE_OK)
        rc = store_commit(s);
    if (rc != STORE_OK) {
        snprintf(err, errlen, "demo fund: %s", store_errmsg(s));
        store_rollback(s);
    }
    arena_free(a);
    return rc == STORE_OK ? 0 : -1;
}
