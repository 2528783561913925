/* Deterministic synthetic residents (see demo_people.h). A splitmix64 stream seeded from
 * (seed, index) draws every attribute; the index itself (mapped one-to-one onto a slot in
 * [0, 40,000) by a seed-derived shift and a multiplication) is spread over the birth date's day
 * of year (slot % 80) and the ID number's sequence digits (slot / 80), so that indexes below
 * 40,000 cannot share an ID number. */
#include "modules/registry/demo_people.h"
#include "core/idnum.h"
#include <string.h>

#define DEMO_SLOTS 40000u /* indexes guaranteed distinct ID numbers */

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A draw in [0, n), n > 0. */
static uint32_t draw(uint64_t *state, uint32_t n)
{
    return (uint32_t)(splitmix64(state) % n);
}

static const char *const surnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
    "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
    "彭", "曾", "肖", "田", "董", "袁", "潘", "蔡", "蒋", "余", "杜", "叶", "程", "苏", "魏",
    "吕", "丁", "沈", "姚", "卢", "钟", "谭", "陆", "汪", "范", "廖", "邱", "江", "冼", "区",
    "麦", "伍", "欧", "关", "招", "霍", "简", "甘", "岑", "莫",
};
#define NSURNAMES (sizeof surnames / sizeof surnames[0])

static const char *const given_m[] = {
    "伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "飞",
    "鑫", "波", "斌", "宇", "浩", "凯", "健", "俊", "帆", "旭", "宁", "龙", "林", "阳", "建",
    "国", "志", "文", "博", "晨", "子", "轩", "睿", "泽", "宏", "嘉", "荣", "锦", "家", "永",
    "德", "振", "海", "峰", "毅", "铭", "昊", "然", "天", "佑", "霖", "逸", "晖", "坤", "洪",
};
#define NGIVEN_M (sizeof given_m / sizeof given_m[0])

static const char *const given_f[] = {
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "玲", "婷", "雪", "慧", "莹", "琳", "颖",
    "倩", "洁", "燕", "红", "梅", "萍", "佳", "欣", "怡", "悦", "雨", "思", "梦", "蕾", "瑶",
    "晶", "璐", "琪", "婉", "妍", "岚", "月", "秀", "凤", "兰", "美", "淑", "惠", "嘉", "晓",
    "诗", "可", "馨", "若", "彤", "子", "心", "雅", "文", "丹", "虹", "洋", "春", "琼", "珊",
};
#define NGIVEN_F (sizeof given_f / sizeof given_f[0])

static const char *const prefixes[] = {
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "180", "181", "182", "183", "184",
    "185", "186", "187", "188", "189", "177", "199",
};
#define NPREFIXES (sizeof prefixes / sizeof prefixes[0])

/* Guangdong outside Shunde: Guangzhou, Shenzhen, Foshan. */
static const char *const regions_gd[] = {
    "440103", "440104", "440105", "440106", "440111", "440303", "440304", "440305", "440604",
};
#define NREGIONS_GD (sizeof regions_gd / sizeof regions_gd[0])

/* Other provinces: Shaoyang, Ganzhou, Chengdu, Yulin (Guangxi), Nanyang, Huanggang. */
static const char *const regions_other[] = {
    "430502", "430521", "360702", "360721", "510104", "510107", "450902", "411302", "421102",
};
#define NREGIONS_OTHER (sizeof regions_other / sizeof regions_other[0])

static void append(char *dst, size_t cap, const char *s)
{
    size_t used = strlen(dst), l = strlen(s);
    if (used + l < cap)
        memcpy(dst + used, s, l + 1);
}

static void put_digits(char *dst, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        dst[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Month and day of day-of-year doy (0-based, < 365) in year y. */
static void from_doy(int y, int doy, int *month, int *day)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int m = 0;
    for (;;) {
        int len = mdays[m] + (m == 1 && is_leap(y));
        if (doy < len)
            break;
        doy -= len;
        m++;
    }
    *month = m + 1;
    *day = doy + 1;
}

/* Age in whole years on 2026-01-01. */
static int age_at_2026(int y, int m, int d)
{
    return 2026 - y - ((m > 1 || d > 1) ? 1 : 0);
}

static int pick_age(uint64_t *st)
{
    uint32_t r = draw(st, 1000);
    if (r < 180) /* children */
        return (int)draw(st, 14);
    if (r < 300) { /* elders, thinning with age */
        uint32_t e = draw(st, 100);
        if (e < 70)
            return 60 + (int)draw(st, 15);
        if (e < 95)
            return 75 + (int)draw(st, 10);
        return 85 + (int)draw(st, 10);
    }
    if (r < 360)
        return 14 + (int)draw(st, 11);
    if (r < 400)
        return 56 + (int)draw(st, 4);
    return 25 + (int)draw(st, 31);
}

void demo_person_make(uint64_t seed, uint32_t index, int ncompounds, int buildings_per_compound,
                      struct demo_person *out)
{
    uint64_t st = seed ^ ((uint64_t)index * 0xD1B54A32D192ED03ull);
    uint64_t seed_st = seed;
    /* slot: a bijection of index on [0, DEMO_SLOTS) (shift by a seed-derived offset, then
     * multiply by 7919, prime to 40,000, to scatter neighbouring indexes). */
    uint64_t shifted = ((uint64_t)index + splitmix64(&seed_st) % DEMO_SLOTS) % DEMO_SLOTS;
    uint32_t slot = (uint32_t)(shifted * 7919u % DEMO_SLOTS);
    if (ncompounds < 1)
        ncompounds = 1;
    if (buildings_per_compound < 1)
        buildings_per_compound = 1;
    memset(out, 0, sizeof *out);

    int male = draw(&st, 2) == 0;
    out->gender = male ? 'M' : 'F';

    /* Name. */
    append(out->name, sizeof out->name, surnames[draw(&st, NSURNAMES)]);
    int ngiven = draw(&st, 10) < 7 ? 2 : 1;
    for (int i = 0; i < ngiven; i++)
        append(out->name, sizeof out->name,
               male ? given_m[draw(&st, NGIVEN_M)] : given_f[draw(&st, NGIVEN_F)]);

    /* Birth date: slot % 80 fixes the day of year modulo 80. */
    int age = pick_age(&st);
    int year = 2025 - age;
    int q = (int)(slot % 80u);
    int doy = 80 * (int)draw(&st, q < 45 ? 5 : 4) + q;
    out->birth_year = year;
    from_doy(year, doy, &out->birth_month, &out->birth_day);

    /* Phone. */
    memcpy(out->phone, prefixes[draw(&st, NPREFIXES)], 3);
    put_digits(out->phone + 3, draw(&st, 100000000u), 8);
    out->phone[11] = '\0';

    /* ID number: region, date, sequence (slot / 80, 0..499, spread so the last digit is odd for
     * men), check. Slots differing in slot % 80 differ in birth date; the others differ here. */
    uint32_t rr = draw(&st, 100);
    const char *region = rr < 70 ? "440606"
                         : rr < 82 ? regions_gd[draw(&st, NREGIONS_GD)]
                                   : regions_other[draw(&st, NREGIONS_OTHER)];
    char *id = out->id_number;
    memcpy(id, region, 6);
    put_digits(id + 6, (unsigned)year, 4);
    put_digits(id + 10, (unsigned)out->birth_month, 2);
    put_digits(id + 12, (unsigned)out->birth_day, 2);
    uint32_t seqv = slot / 80u;
    put_digits(id + 14, seqv % 100u, 2);
    id[16] = (char)('0' + 2 * (seqv / 100u) + (male ? 1 : 0));
    id[17] = idnum_check_digit(id);
    id[18] = '\0';

    /* Home. */
    out->compound = (int)draw(&st, (uint32_t)ncompounds);
    out->building = 1 + (int)draw(&st, (uint32_t)buildings_per_compound);
    int unit = 1 + (int)draw(&st, 3), floor = 1 + (int)draw(&st, 33), door = 1 + (int)draw(&st, 4);
    char *r = out->room;
    *r++ = (char)('0' + unit);
    *r++ = '-';
    if (floor >= 10)
        *r++ = (char)('0' + floor / 10);
    *r++ = (char)('0' + floor % 10);
    put_digits(r, (unsigned)door, 2);
    r[2] = '\0';

    /* Tags: both draws always made, so the stream does not depend on age. */
    int real_age = age_at_2026(year, out->birth_month, out->birth_day);
    uint32_t party = draw(&st, 1000), needy = draw(&st, 1000);
    if (real_age >= 60)
        out->tags |= DEMO_TAG_ELDER;
    if (real_age < 14)
        out->tags |= DEMO_TAG_CHILD;
    if (real_age >= 18 && party < 70)
        out->tags |= DEMO_TAG_PARTY;
    if (needy < 20)
        out->tags |= DEMO_TAG_NEEDY;
}
