/* The demo community, as the article describes Wenhua (文华社区, 龙江镇, 顺德区): 21 residential
 * compounds (the five it names and sixteen more), 5 commercial plazas (two named, three more), the
 * specialised market, the 党群共融之家 at 保利上城, the organisations it names, staff of whom more
 * than 55% hold a social-worker certificate, and deterministic synthetic residents. */
#include "auth/account.h"
#include "auth/roles.h"
#include "core/audit.h"
#include "modules/registry/demo_people.h"
#include "modules/registry/people.h"
#include "modules/registry/registry.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEMO_SEED 20180427u /* the article's date */
#define BUILDINGS_PER_COMPOUND 12

static const char *const compounds[21] = {
    "文华花园", "康桥水岸", "丰华花苑", "雍翠华府", "保利上城", /* named in the article */
    "龙江一品", "锦绣华庭", "富逸豪庭", "世埠花园", "金御华府", "海逸豪庭", "君悦华庭",
    "龙湖湾", "翠岭名苑", "文华雅苑", "汇龙湾", "御景豪庭", "怡景花园", "南华名都", "新城悦府", "龙腾苑",
};
static const struct {
    const char *name, *kind, *compound, *address;
} venues[] = {
    {"盈信广场", "plaza", NULL, "龙江镇文华路"},
    {"碧桂园商业广场", "plaza", NULL, "龙江镇文华路"},
    {"文华商业中心", "plaza", NULL, "龙江镇东华路"},
    {"丰华商业广场", "plaza", NULL, "龙江镇丰华路"},
    {"康桥商业街", "plaza", NULL, "龙江镇康桥路"},
    {"亚洲国际材料交易中心", "market", NULL, "龙江镇325国道旁"},
    {"党群共融之家", "party_home", "保利上城", "保利上城小区会所"},
    {"康乐活动室", "activity_room", "文华花园", "文华花园小区"},
    {"文华社区党群服务中心", "office", NULL, "龙江镇文华社区居委会"},
};
static const struct {
    const char *name, *kind, *compound, *contact;
} orgs[] = {
    {"丰华花苑业主委员会", "owners_committee", "丰华花苑", "何主任"},
    {"文华花园业主委员会", "owners_committee", "文华花园", "陈主任"},
    {"雍翠华府业主委员会", "owners_committee", "雍翠华府", "梁主任"},
    {"保利上城党群共融之家", "party_group", "保利上城", "党员代表"},
    {"保利上城物业服务中心", "property_company", "保利上城", "物管管家"},
    {"顺德区启创青少年社工服务中心", "social_work_agency", NULL, "驻点社工"},
    {"顺视优艺青少儿艺术中心", "youth_centre", NULL, "艺术总监"},
    {"顺视小记者培训基地", "association", NULL, "培训老师"},
    {"龙江镇文华小学", "school", NULL, "德育主任"},
    {"龙江明理律师事务所", "law_office", NULL, "值班律师"},
    {"龙江医院", "hospital", NULL, "公共卫生科"},
    {"文华“义”家人志愿服务队", "volunteer_team", NULL, "队长"},
    {"丰华花苑志愿服务队", "volunteer_team", "丰华花苑", "队长"},
};
/* 12 staff, 7 certified: 58.3%, "逾55%". */
static const struct {
    const char *name, *position, *level;
} staff[] = {
    {"龙加燊", "社区党委副书记、居委会副主任", "social_worker"},
    {"黄志强", "社区党委书记、居委会主任", "social_worker"},
    {"陈美玲", "社区党委委员", "assistant"},
    {"李文辉", "居委会委员", "assistant"},
    {"何婉仪", "社区营造工作小组组长", "social_worker"},
    {"梁家豪", "社区工作人员", "assistant"},
    {"苏晓彤", "社区工作人员", "assistant"},
    {"吴国伟", "社区工作人员", NULL},
    {"郑丽娟", "社区工作人员", NULL},
    {"冯浩然", "社区工作人员", NULL},
    {"罗雪梅", "社区工作人员", NULL},
    {"潘建华", "社区工作人员", NULL},
};

static const char sql_district[] = "INSERT INTO districts (id, name) VALUES ($1, $2)";
static const char sql_town[] = "INSERT INTO towns (id, district_id, name) VALUES ($1, $2, $3)";
static const char sql_community[] =
    "INSERT INTO communities (community_id, town_id, name, population, created_at) VALUES ($1, $2, $3, $4, $5)";
static const char sql_compound[] =
    "INSERT INTO compounds (community_id, id, name, kind, address, created_at) VALUES ($1, $2, $3, 'residential', $4, $5)";
static const char sql_venue[] =
    "INSERT INTO venues (community_id, id, name, kind, compound_id, address) VALUES ($1, $2, $3, $4, $5, $6)";
static const char sql_org[] =
    "INSERT INTO organisations (community_id, id, name, kind, compound_id, contact_name) VALUES ($1, $2, $3, $4, $5, $6)";
static const char sql_staff[] =
    "INSERT INTO staff (community_id, id, name, position, certificate_level, certificate_no, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)";

static store_rc next(store *s, arena *a, const char **id)
{
    int64_t v;
    store_rc rc = store_next_id(s, a, &v);
    *id = arena_i64(a, v);
    return rc;
}

int registry_demo_create(store *s, const struct crypto_keys *k, int nresidents, int64_t admin_id,
                         int64_t *community_id, char *err, size_t errlen)
{
    arena *a = arena_new();
    const char *now = arena_i64(a, (int64_t)time(NULL));
    const char *district = NULL, *town = NULL, *cid = "0";
    const char *compound_ids[21] = {0};
    store_rc rc = store_begin(s);
    if (rc == STORE_OK)
        rc = next(s, a, &district);
    if (rc == STORE_OK)
        rc = store_exec(s, a, sql_district, 2, (const char *[]){district, "顺德区"}, NULL);
    if (rc == STORE_OK)
        rc = next(s, a, &town);
    if (rc == STORE_OK)
        rc = store_exec(s, a, sql_town, 3, (const char *[]){town, district, "龙江镇"}, NULL);
    if (rc == STORE_OK)
        rc = next(s, a, &cid);
    if (rc == STORE_OK)
        rc = store_exec(s, a, sql_community, 5, (const char *[]){cid, town, "文华社区", "40000", now}, NULL);
    for (int i = 0; rc == STORE_OK && i < 21; i++) {
        rc = next(s, a, &compound_ids[i]);
        const char *addr = arena_printf(a, "佛山市顺德区龙江镇%s", compounds[i]);
        if (rc == STORE_OK)
            rc = store_exec(s, a, sql_compound, 5, (const char *[]){cid, compound_ids[i], compounds[i], addr, now}, NULL);
        for (int b = 1; rc == STORE_OK && b <= BUILDINGS_PER_COMPOUND; b++) {
            int64_t bid;
            rc = registry_building_add(s, a, strtoll(cid, NULL, 10), strtoll(compound_ids[i], NULL, 10),
                                       arena_printf(a, "%d栋", b), 18 + (i * 7 + b * 3) % 16, &bid);
        }
    }
    for (size_t i = 0; rc == STORE_OK && i < sizeof venues / sizeof venues[0]; i++) {
        const char *id, *comp = NULL;
        for (int c = 0; venues[i].compound && c < 21; c++)
            if (strcmp(compounds[c], venues[i].compound) == 0)
                comp = compound_ids[c];
        rc = next(s, a, &id);
        if (rc == STORE_OK)
            rc = store_exec(s, a, sql_venue, 6,
                            (const char *[]){cid, id, venues[i].name, venues[i].kind, comp, venues[i].address}, NULL);
    }
    for (size_t i = 0; rc == STORE_OK && i < sizeof orgs / sizeof orgs[0]; i++) {
        const char *id, *comp = NULL;
        for (int c = 0; orgs[i].compound && c < 21; c++)
            if (strcmp(compounds[c], orgs[i].compound) == 0)
                comp = compound_ids[c];
        rc = next(s, a, &id);
        if (rc == STORE_OK)
            rc = store_exec(s, a, sql_org, 6, (const char *[]){cid, id, orgs[i].name, orgs[i].kind, comp, orgs[i].contact},
                            NULL);
    }
    for (size_t i = 0; rc == STORE_OK && i < sizeof staff / sizeof staff[0]; i++) {
        const char *id;
        rc = next(s, a, &id);
        const char *no = staff[i].level ? arena_printf(a, "S%06zu", 440600 + i * 37) : NULL;
        if (rc == STORE_OK)
            rc = store_exec(s, a, sql_staff, 7, (const char *[]){cid, id, staff[i].name, staff[i].position, staff[i].level, no, now},
                            NULL);
    }
    *community_id = strtoll(cid, NULL, 10);
    if (rc == STORE_OK && admin_id)
        rc = account_grant(s, a, admin_id, *community_id, ROLE_STAFF, 0);
    json_t *what = json_pack("{s:s, s:i, s:i}", "name", "文华社区", "compounds", 21, "residents", nresidents);
    if (rc == STORE_OK)
        rc = audit_append(s, a, *community_id, admin_id, "linli init", "create", "community", cid, NULL, what);
    json_decref(what);
    /* Residents, in batches of one arena each so memory stays flat for 40,000. */
    for (int i = 0; rc == STORE_OK && i < nresidents; i++) {
        arena *pa = arena_new();
        struct demo_person dp;
        demo_person_make(DEMO_SEED, (uint32_t)i, 21, BUILDINGS_PER_COMPOUND, &dp);
        struct person_in in = {0};
        in.name = dp.name;
        in.phone = dp.tags & DEMO_TAG_CHILD ? NULL : dp.phone;
        in.id_number = dp.id_number;
        in.compound_id = compound_ids[dp.compound] ? strtoll(compound_ids[dp.compound], NULL, 10) : 0;
        in.building_name = arena_printf(pa, "%d栋", dp.building);
        in.room = dp.room;
        in.needy = dp.tags & DEMO_TAG_NEEDY ? 1 : 0;
        in.tags = (dp.tags & DEMO_TAG_ELDER ? people_tag_bit("elder") : 0) |
                  (dp.tags & DEMO_TAG_CHILD ? people_tag_bit("child") : 0) |
                  (dp.tags & DEMO_TAG_PARTY ? people_tag_bit("party_member") : 0) |
                  (i % 97 == 0 && !(dp.tags & DEMO_TAG_CHILD) ? people_tag_bit("building_leader") : 0);
        int64_t pid;
        rc = person_insert(s, pa, k, *community_id, &in, &pid);
        arena_free(pa);
        if (rc == STORE_CONSTRAINT) /* two synthetic people drew the same ID number: skip one */
            rc = STORE_OK;
        if ((i + 1) % 5000 == 0) {
            printf("  %d / %d residents\n", i + 1, nresidents);
            fflush(stdout);
        }
    }
    if (rc == STORE_OK)
        rc = store_commit(s);
    if (rc != STORE_OK) {
        snprintf(err, errlen, "demo community: %s", store_errmsg(s));
        store_rollback(s);
    }
    arena_free(a);
    return rc == STORE_OK ? 0 : -1;
}
