/* A new installation's first data: the account admin, and the demo community with every module's
 * demo data. `linli init` runs these; so does the API fuzzer (fuzz/fuzz_api.c), on a throw-away
 * database. */
#ifndef LINLI_INSTALL_H
#define LINLI_INSTALL_H
#include "core/crypto.h"
#include "store/store.h"

/* Creates the account admin with password and the global admin role, audited as "linli init", in
 * one transaction. 0 with *admin_id set, or -1 with err set (nothing written). */
int install_admin(store *s, const char *password, int64_t *admin_id, char *err, size_t errlen);
/* Creates the demo community 文华社区 with nresidents synthetic residents and the demo data of each
 * module, every part in its own transactions. 0 with *community_id set, or -1 with err set. Prints
 * progress to stdout. */
int install_demo(store *s, const struct crypto_keys *keys, int nresidents, int64_t admin_id, int64_t *community_id,
                 char *err, size_t errlen);
#endif
