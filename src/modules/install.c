/* The first data of an installation (see install.h). The demo is made module by module, in the
 * order their data refer to each other: the registry (the community, its places, organisations and
 * people) first, then volunteers, the fund, wishes (which post to the fund) and grants. */
#include "modules/install.h"
#include "auth/account.h"
#include "auth/roles.h"
#include "core/audit.h"
#include "modules/fund/fund.h"
#include "modules/grants/grants.h"
#include "modules/registry/registry.h"
#include "modules/volunteers/volunteers.h"
#include "modules/wishes/wishes.h"
#include <stdio.h>

int install_admin(store *s, const char *password, int64_t *admin_id, char *err, size_t errlen)
{
    arena *a = arena_new();
    if (!a) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    json_t *after = json_pack("{s:s}", "login", "admin");
    store_rc rc = store_begin(s);
    if (rc == STORE_OK)
        rc = account_create(s, a, "admin", "管理员", password, admin_id);
    if (rc == STORE_OK)
        rc = account_grant(s, a, *admin_id, 0, ROLE_ADMIN, 0);
    if (rc == STORE_OK)
        rc = audit_append(s, a, 0, 0, "linli init", "create", "account", "admin", NULL, after);
    if (rc == STORE_OK)
        rc = store_commit(s);
    if (rc != STORE_OK) {
        snprintf(err, errlen, "cannot create the admin account: %s", store_errmsg(s));
        store_rollback(s);
    }
    json_decref(after);
    arena_free(a);
    return rc == STORE_OK ? 0 : -1;
}

int install_demo(store *s, const struct crypto_keys *keys, int nresidents, int64_t admin_id, int64_t *community_id,
                 char *err, size_t errlen)
{
    if (registry_demo_create(s, keys, nresidents, admin_id, community_id, err, errlen) != 0)
        return -1;
    int64_t cid = *community_id;
    if (volunteers_demo_create(s, keys, cid, err, errlen) != 0 || fund_demo_create(s, cid, err, errlen) != 0 ||
        wishes_demo_create(s, keys, cid, err, errlen) != 0 || grants_demo_create(s, cid, admin_id, err, errlen) != 0)
        return -1;
    return 0;
}
