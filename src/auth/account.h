/* Accounts and their roles. The caller owns the transaction; these only run statements. */
#ifndef LINLI_ACCOUNT_H
#define LINLI_ACCOUNT_H
#include "store/store.h"
#include <jansson.h>

/* A new account with an argon2id hash of password. STORE_CONSTRAINT if the login is taken. */
store_rc account_create(store *s, arena *a, const char *login, const char *display_name,
                        const char *password, int64_t *id);
/* *found = 0 if no such login; otherwise its id and password hash (in the arena). */
store_rc account_find(store *s, arena *a, const char *login, int64_t *id, const char **pw_hash, int *found);
/* The check of a login: *ok = 1 and *id when login names an enabled account whose password this is.
 * It verifies one argon2id hash whether or not the account exists (a dummy hash when it does not),
 * so the time it takes does not tell which accounts exist. */
store_rc account_check_password(store *s, arena *a, const char *login, const char *password, int64_t *id, int *ok);
/* Makes the dummy hash of account_check_password now (serve calls it before the first request, so
 * that the first login for a made-up name is not the slow one). 0 or -1 (out of memory). */
int account_prepare(void);
/* Sets the password and ends every session of the account except keep_session (the hash of the
 * session that made the change, or NULL: all of them); *ended (may be NULL) is how many ended. The
 * one way a password changes: `linli user passwd` and any later password-change endpoint. */
store_rc account_set_password(store *s, arena *a, int64_t id, const char *password, const char *keep_session,
                              int64_t *ended);
/* Grants role: a community role when community_id > 0; admin or district_admin (with its
 * district) when it is 0. Granting twice is not an error. */
store_rc account_grant(store *s, arena *a, int64_t account_id, int64_t community_id, unsigned role, int64_t district_id);
store_rc account_revoke(store *s, arena *a, int64_t account_id, int64_t community_id, unsigned role);
/* {"roles":[{"community_id","role"}], "global_roles":["admin", …]} as new references. */
store_rc account_roles(store *s, arena *a, int64_t id, json_t **roles, json_t **global_roles);
#endif
