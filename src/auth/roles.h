/* Roles and permissions: the one table that says which role may do what. Every route names a
 * permission; the router asks perm_allows and nothing else. The OpenAPI document and
 * docs/authorization.md are made from the same table. */
#ifndef LINLI_ROLES_H
#define LINLI_ROLES_H

enum role {
    ROLE_STAFF = 1u << 0,
    ROLE_SOCIAL_WORKER = 1u << 1,
    ROLE_VOLUNTEER = 1u << 2,
    ROLE_RESIDENT = 1u << 3,
    ROLE_ORG_REP = 1u << 4,
    ROLE_REVIEWER = 1u << 5,
    ROLE_REPORTER = 1u << 6,
    ROLE_EDITOR = 1u << 7,
    ROLE_DISTRICT_ADMIN = 1u << 8, /* reads every community of a district */
    ROLE_ADMIN = 1u << 9,          /* the installation's administrator */
};
#define ROLE_COUNT 10
#define ROLES_GLOBAL (ROLE_DISTRICT_ADMIN | ROLE_ADMIN)

struct permission {
    const char *name;
    unsigned roles;
    const char *doc;
};
extern const struct permission permissions[];
extern const int permission_count;

/* The bit of a role name ("staff", …), or 0 when there is no such role. */
unsigned role_from_name(const char *name);
/* The name of one role bit. */
const char *role_name(unsigned bit);
/* 1 when any of roles holds perm. An unknown permission allows nobody. */
int perm_allows(const char *perm, unsigned roles);
/* The roles a permission names, or 0 if unknown. */
unsigned perm_roles(const char *perm);
#endif
