/* Module 1, the registry (基础信息): compounds and buildings, venues, organisations, people and
 * staff of a community. routes.c holds the route table and the place-and-organisation handlers,
 * people.c the people (personal data, masking, import), demo.c the demo community. */
#ifndef LINLI_REGISTRY_H
#define LINLI_REGISTRY_H
#include "server/http.h"


/* Adds a building to a compound and counts it there. Inside the caller's transaction. */
store_rc registry_building_add(store *s, arena *a, int64_t community_id, int64_t compound_id, const char *name,
                               int floors, int64_t *id);

void people_list(req *r);
void people_create(req *r);
void people_get(req *r);
void people_unmask(req *r);
void people_unmask_one(req *r);
void people_update(req *r);
void people_import(req *r);

/* The field specs people routes use (people.c). */
extern const field_spec people_body[];
extern const column_spec people_columns[];
extern const char *const people_query[];
extern const field_spec people_unmask_body[];

/* Creates the demo community of the article (Shunde → Longjiang → Wenhua) with nresidents
 * synthetic residents, and returns its id. Prints progress to stdout. 0 or -1 (err set). */
int registry_demo_create(store *s, const struct crypto_keys *k, int nresidents, int64_t admin_id,
                         int64_t *community_id, char *err, size_t errlen);
#endif
