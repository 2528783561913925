/* Module 3, micro-wishes (微心愿): wishes.c holds the routes and handlers, deid.c the check that a
 * public story does not identify its beneficiary, demo.c the demo campaign. */
#ifndef LINLI_WISHES_H
#define LINLI_WISHES_H
#include "server/http.h"

/* The demo wishes of the article (the 2016 campaign) and open wishes of this year. */
int wishes_demo_create(store *s, const struct crypto_keys *k, int64_t community_id, char *err, size_t errlen);
#endif
