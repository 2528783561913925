/* Unit tests for demo_people.c: determinism, 40,000 persons that all pass the ID-number and
 * phone validators with matching birth date and gender, pairwise distinct ID numbers, ranges of
 * every field, and tag and age rates within sane bounds. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "core/idnum.h"
#include "core/phone.h"
#include "modules/registry/demo_people.h"

#define N 40000
#define SEED 0x6C696E6C69ull /* "linli" */

static int age_at_2026(const struct demo_person *p)
{
    return 2026 - p->birth_year - ((p->birth_month > 1 || p->birth_day > 1) ? 1 : 0);
}

static void test_deterministic(void **state)
{
    (void)state;
    for (uint32_t i = 0; i < 200; i++) {
        struct demo_person a, b;
        memset(&a, 0xAA, sizeof a);
        memset(&b, 0x55, sizeof b); /* padding or stray bytes would show up as differences */
        demo_person_make(SEED, i, 5, 12, &a);
        demo_person_make(SEED, i, 5, 12, &b);
        assert_memory_equal(&a, &b, sizeof a);
    }
    /* A pinned value: the generator must not drift between machines or releases unnoticed. */
    struct demo_person p, q;
    demo_person_make(1, 0, 3, 10, &p);
    assert_string_equal(p.name, "卢岚佳");
    assert_int_equal(p.gender, 'F');
    assert_int_equal(p.birth_year * 10000 + p.birth_month * 100 + p.birth_day, 20180913);
    assert_string_equal(p.phone, "18346636950");
    assert_string_equal(p.id_number, "440606201809135449");
    assert_int_equal(p.compound, 1);
    assert_int_equal(p.building, 5);
    assert_string_equal(p.room, "2-1104");
    assert_int_equal(p.tags, DEMO_TAG_CHILD);
    /* A different seed gives a different population. */
    int differ = 0;
    for (uint32_t i = 0; i < 50; i++) {
        demo_person_make(SEED, i, 5, 12, &p);
        demo_person_make(SEED + 1, i, 5, 12, &q);
        differ += strcmp(p.id_number, q.id_number) != 0;
    }
    assert_true(differ >= 45);
}

static int cmp_id(const void *a, const void *b)
{
    return memcmp(a, b, 19);
}

static int is_prefix_ok(const char *ph)
{
    int p = (ph[0] - '0') * 100 + (ph[1] - '0') * 10 + (ph[2] - '0');
    return (p >= 130 && p <= 139) || (p >= 150 && p <= 153) || (p >= 155 && p <= 159) ||
           (p >= 180 && p <= 189) || p == 177 || p == 199;
}

/* Number of UTF-8 characters, all three-byte CJK. -1 if any is not. */
static int cjk_chars(const char *s)
{
    int n = 0;
    for (const unsigned char *u = (const unsigned char *)s; *u; u += 3, n++)
        if (u[0] < 0xE4 || u[0] > 0xE9 || (u[1] & 0xC0) != 0x80 || (u[2] & 0xC0) != 0x80)
            return -1;
    return n;
}

static void test_population(void **state)
{
    (void)state;
    char(*ids)[19] = malloc((size_t)N * sizeof *ids);
    assert_non_null(ids);
    int elders = 0, children = 0, adults = 0, party = 0, needy = 0, core_age = 0, males = 0;
    int shunde = 0, guangdong = 0, two_given = 0;
    int compounds_seen[7] = {0};
    for (uint32_t i = 0; i < N; i++) {
        struct demo_person p;
        demo_person_make(SEED, i, 7, 20, &p);
        assert_int_equal(idnum_validate(p.id_number), IDNUM_OK);
        assert_int_equal(phone_validate(p.phone), PHONE_OK);
        assert_int_equal(strlen(p.phone), 11);
        assert_true(is_prefix_ok(p.phone));
        char norm[12];
        assert_int_equal(phone_normalize(p.phone, norm), 0);
        assert_string_equal(norm, p.phone);

        /* The ID number carries the birth date and the gender. */
        char date[9];
        memcpy(date, p.id_number + 6, 8);
        date[8] = '\0';
        assert_int_equal(atoi(date), p.birth_year * 10000 + p.birth_month * 100 + p.birth_day);
        assert_true(p.gender == 'M' || p.gender == 'F');
        assert_int_equal((p.id_number[16] - '0') % 2, p.gender == 'M');
        males += p.gender == 'M';
        shunde += memcmp(p.id_number, "440606", 6) == 0;
        guangdong += memcmp(p.id_number, "44", 2) == 0;

        int chars = cjk_chars(p.name);
        assert_true(chars == 2 || chars == 3);
        two_given += chars == 3;

        assert_in_range(p.compound, 0, 6);
        compounds_seen[p.compound]++;
        assert_in_range(p.building, 1, 20);
        int unit, floor, door;
        size_t rl = strlen(p.room);
        assert_in_range(rl, 5, 6);
        assert_int_equal(p.room[1], '-');
        unit = p.room[0] - '0';
        floor = atoi(p.room + 2) / 100;
        door = atoi(p.room + 2) % 100;
        assert_in_range(unit, 1, 3);
        assert_in_range(floor, 1, 33);
        assert_in_range(door, 1, 4);
        assert_int_equal(strspn(p.room + 2, "0123456789"), rl - 2);

        int age = age_at_2026(&p);
        assert_in_range(age, 0, 100);
        assert_int_equal(!!(p.tags & DEMO_TAG_ELDER), age >= 60);
        assert_int_equal(!!(p.tags & DEMO_TAG_CHILD), age < 14);
        assert_int_equal(p.tags & ~(DEMO_TAG_ELDER | DEMO_TAG_CHILD | DEMO_TAG_PARTY |
                                    DEMO_TAG_NEEDY), 0);
        if (p.tags & DEMO_TAG_PARTY)
            assert_true(age >= 18);
        elders += age >= 60;
        children += age < 14;
        adults += age >= 18;
        core_age += age >= 25 && age <= 55;
        party += !!(p.tags & DEMO_TAG_PARTY);
        needy += !!(p.tags & DEMO_TAG_NEEDY);
        memcpy(ids[i], p.id_number, 19);
    }
    /* All distinct. */
    qsort(ids, N, sizeof *ids, cmp_id);
    for (int i = 1; i < N; i++)
        assert_int_not_equal(memcmp(ids[i - 1], ids[i], 19), 0);
    free(ids);

    /* Rates (per mille) with generous bounds around the targets. */
    assert_in_range(children * 1000 / N, 150, 210); /* ~18% */
    assert_in_range(elders * 1000 / N, 95, 150);    /* ~12% */
    assert_in_range(core_age * 1000 / N, 500, 700); /* mostly 25-55 */
    assert_in_range(party * 1000 / adults, 55, 85); /* ~7% of adults */
    assert_in_range(needy * 1000 / N, 12, 30);      /* ~2% */
    assert_in_range(males * 1000 / N, 470, 530);
    assert_in_range(shunde * 1000 / N, 650, 750);
    assert_in_range((guangdong - shunde) * 1000 / N, 90, 150);
    assert_in_range(two_given * 1000 / N, 650, 750);
    for (int c = 0; c < 7; c++)
        assert_true(compounds_seen[c] > N / 7 / 2);
}

static void test_other_seed_and_large_index(void **state)
{
    (void)state;
    /* Another seed: still all valid and distinct (the seed shifts the index slots). */
    enum { M = 5000 };
    char(*ids)[19] = malloc((size_t)M * sizeof *ids);
    assert_non_null(ids);
    for (uint32_t i = 0; i < M; i++) {
        struct demo_person p;
        demo_person_make(0xFFFFFFFFFFFFFFFFull, i, 1, 1, &p);
        assert_int_equal(idnum_validate(p.id_number), IDNUM_OK);
        assert_int_equal(p.compound, 0);
        assert_int_equal(p.building, 1);
        memcpy(ids[i], p.id_number, 19);
    }
    qsort(ids, M, sizeof *ids, cmp_id);
    for (int i = 1; i < M; i++)
        assert_int_not_equal(memcmp(ids[i - 1], ids[i], 19), 0);
    free(ids);
    /* Indexes far beyond 40,000 and degenerate sizes still give valid persons. */
    static const uint32_t far[] = {40000, 123456, 0x7FFFFFFF, 0xFFFFFFFF};
    for (size_t k = 0; k < sizeof far / sizeof far[0]; k++) {
        struct demo_person p;
        demo_person_make(SEED, far[k], 0, -3, &p);
        assert_int_equal(idnum_validate(p.id_number), IDNUM_OK);
        assert_int_equal(phone_validate(p.phone), PHONE_OK);
        assert_int_equal(p.compound, 0);
        assert_int_equal(p.building, 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_population),
        cmocka_unit_test(test_other_seed_and_large_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
