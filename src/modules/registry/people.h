/* Adding people, shared by the API, the CSV import and the demo community. */
#ifndef LINLI_PEOPLE_H
#define LINLI_PEOPLE_H
#include "core/crypto.h"
#include "store/store.h"

struct person_in {
    const char *name, *phone, *id_number, *gender, *room, *building_name;
    int64_t compound_id;  /* 0: none; must be a compound of the community */
    unsigned tags;        /* bits of people_tag_bit */
    int needy;            /* -1 unknown, 0 no, 1 yes */
    int birth_year;       /* 0 unknown; taken from the ID number when there is one */
};

/* Inserts one person (phone and ID number already validated), creating the building by name if
 * the compound has none of that name. Inside the caller's transaction. STORE_CONSTRAINT when the
 * ID number is already registered in the community. */
store_rc person_insert(store *s, arena *a, const struct crypto_keys *k, int64_t community_id,
                       const struct person_in *in, int64_t *id);
/* The bit of a tag name (elder, child, party_member, building_leader) or its Chinese name; 0 if none. */
unsigned people_tag_bit(const char *name);
#endif
