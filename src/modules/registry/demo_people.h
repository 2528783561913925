/* Deterministic synthetic residents for demonstrations, screenshots and load tests: the same
 * (seed, index) always gives the same fake person on any machine — a plausible Chinese name,
 * gender, birth date, mobile number, an ID number that passes idnum_validate (region mostly
 * 440606 Shunde, some elsewhere in Guangdong, some migrants from other provinces), a home
 * (compound, building, room) and tags. The ages are those of a new urban community: mostly
 * 25-55, about 18% children and 12% elders. No real person's data is used. Pure: no I/O, no
 * allocation, no global state. */
#ifndef LINLI_DEMO_PEOPLE_H
#define LINLI_DEMO_PEOPLE_H
#include <stdint.h>

/* Tag bits of demo_person.tags. Ages are counted at 2026-01-01. */
#define DEMO_TAG_ELDER 0x1u /* aged 60 or more */
#define DEMO_TAG_CHILD 0x2u /* aged under 14 */
#define DEMO_TAG_PARTY 0x4u /* Communist Party member: about 7% of those aged 18 or more */
#define DEMO_TAG_NEEDY 0x8u /* in need of assistance (低保/困难户): about 2% of everyone */

struct demo_person {
    char name[32];       /* UTF-8: a common surname + 1 or 2 given characters */
    char gender;         /* 'M' or 'F' */
    int birth_year, birth_month, birth_day;
    char phone[12];      /* 11 digits, passes phone_validate */
    char id_number[19];  /* 18 characters, passes idnum_validate; birth date and gender match */
    int compound;        /* 0 .. ncompounds-1 */
    int building;        /* 1 .. buildings_per_compound */
    char room[16];       /* "<unit>-<floor><2-digit door>": unit 1-3, floor 1-33, door 01-04 */
    unsigned tags;       /* DEMO_TAG_* bits */
};

/* Fills *out with person number index of the population named by seed. ncompounds and
 * buildings_per_compound should be >= 1 (smaller values are taken as 1). The result depends
 * only on the arguments. For one seed, indexes below 40,000 give pairwise distinct ID numbers;
 * beyond that they are distinct with high probability. */
void demo_person_make(uint64_t seed, uint32_t index, int ncompounds, int buildings_per_compound,
                      struct demo_person *out);

#endif
