/* The permission table (see roles.h). A module adds its permissions here, next to the rest, so that
 * the whole authorization matrix can be read in one place. */
#include "auth/roles.h"
#include <string.h>

static const char *const role_names[ROLE_COUNT] = {
    "staff", "social_worker", "volunteer", "resident", "org_rep",
    "reviewer", "reporter", "editor", "district_admin", "admin",
};

#define ANY_MEMBER (ROLE_STAFF | ROLE_SOCIAL_WORKER | ROLE_VOLUNTEER | ROLE_RESIDENT | ROLE_ORG_REP | \
                    ROLE_REVIEWER | ROLE_REPORTER | ROLE_EDITOR)

const struct permission permissions[] = {
    {"session", ANY_MEMBER | ROLES_GLOBAL, "any logged-in account"},
    {"community.read", ANY_MEMBER | ROLES_GLOBAL, "see a community's name and key numbers"},
    {"communities.create", ROLE_ADMIN | ROLE_DISTRICT_ADMIN, "create a community in a town"},
    {"towns.manage", ROLE_ADMIN, "create districts and towns"},
    {"registry.read", ROLE_STAFF | ROLE_SOCIAL_WORKER | ROLES_GLOBAL, "read compounds, buildings, venues, organisations, staff"},
    {"registry.write", ROLE_STAFF | ROLE_ADMIN, "change compounds, buildings, venues, organisations, staff"},
    {"people.read", ROLE_STAFF | ROLE_SOCIAL_WORKER | ROLES_GLOBAL, "read people, masked"},
    {"people.write", ROLE_STAFF | ROLE_ADMIN, "add, change and import people"},
    {"people.unmask", ROLE_STAFF | ROLE_ADMIN, "see phone and ID numbers in full (audited)"},
    {"audit.read", ROLE_ADMIN, "read and verify the audit log"},
    {"volunteers.read", ROLE_STAFF | ROLE_SOCIAL_WORKER | ROLES_GLOBAL, "read volunteers, hours, rankings, certificates"},
    {"volunteers.manage", ROLE_STAFF | ROLE_SOCIAL_WORKER | ROLE_ADMIN,
     "approve volunteers; run trainings, activities, shifts, rosters and check-in; approve and correct hours; issue certificates"},
    {"volunteers.settings", ROLE_STAFF | ROLE_ADMIN, "change star thresholds and the certificate issuer"},
    {"volunteers.apply", ANY_MEMBER | ROLE_ADMIN, "apply to be a volunteer, see one's own application"},
    {"volunteers.self", ROLE_VOLUNTEER, "sign up, cancel, scan in and out, report hours, own calendar"},
    {"activities.read", ANY_MEMBER | ROLES_GLOBAL, "see activities, shifts and trainings"},
    {"wishes.submit", ANY_MEMBER | ROLE_ADMIN, "submit a wish for oneself, confirm one's own wish"},
    {"wishes.claim", ANY_MEMBER | ROLE_ADMIN, "claim a wish as a donor (staff: for a donor on site)"},
    {"wishes.manage", ROLE_STAFF | ROLE_SOCIAL_WORKER | ROLE_ADMIN,
     "key in paper forms, verify, publish or decline, see the sealed details (audited); release claims, block donors"},
    {"wishes.settings", ROLE_STAFF | ROLE_ADMIN, "change how many open claims one donor may hold"},
    {"wishes.fulfil", ROLE_STAFF | ROLE_ADMIN, "record fulfilment (posts to the fund)"},
    {"grants.manage", ROLE_STAFF | ROLE_ADMIN, "run grant rounds: phases, eligibility, reviewers, voting codes, voters, results"},
    {"grants.propose", ROLE_ORG_REP | ROLE_STAFF | ROLE_ADMIN, "submit a proposal for an organisation"},
    {"grants.review", ROLE_REVIEWER, "declare conflicts and score proposals"},
    {"grants.reviews", ROLE_REVIEWER | ROLE_STAFF | ROLE_SOCIAL_WORKER | ROLES_GLOBAL, "see reviews (others' scores only after scoring closes)"},
    {"grants.attachments", ROLE_REVIEWER | ROLE_ORG_REP | ROLE_STAFF | ROLE_SOCIAL_WORKER | ROLES_GLOBAL,
     "read proposals' attachments (reviewers: of the rounds they review; org reps: of their organisations' proposals)"},
    {"grants.vote", ANY_MEMBER | ROLE_ADMIN, "redeem a voting code and vote"},
    /* Finer rules: asked by handlers (perm_allows), declared on their routes (route.finer) or fields
     * (field_spec.perm), never a role mask in a handler. */
    {"wishes.on_behalf", ROLE_STAFF | ROLE_SOCIAL_WORKER | ROLE_ADMIN,
     "act for a resident or donor: key in a paper wish, claim for a named donor on site, thank for a wish's owner"},
    {"volunteers.register_others", ROLE_STAFF | ROLE_SOCIAL_WORKER | ROLE_ADMIN, "register someone else as a volunteer"},
    {"grants.any_org", ROLE_STAFF | ROLE_ADMIN,
     "propose, edit, attach and report for any organisation (org reps: only for those they represent)"},
    {"grants.all_proposals", ROLE_STAFF | ROLE_SOCIAL_WORKER | ROLE_REVIEWER | ROLES_GLOBAL,
     "see every proposal of a round before voting opens (org reps: their organisations' own)"},
    {"grants.oversee", ROLE_STAFF | ROLE_SOCIAL_WORKER | ROLE_ADMIN,
     "see every reviewer's scores before scoring closes, and preview unpublished results"},
    {"grants.all_attachments", ROLE_STAFF | ROLE_SOCIAL_WORKER | ROLES_GLOBAL,
     "read any proposal's attachments (reviewers: of their rounds; org reps: of their organisations)"},
    {"fund.read", ROLE_STAFF | ROLE_SOCIAL_WORKER | ROLES_GLOBAL, "read the fund's private side: donors' names, requests, reports"},
    {"fund.write", ROLE_STAFF | ROLE_ADMIN, "record donations, pay out, reverse entries"},
    {"fund.approve", ROLE_STAFF | ROLE_ADMIN, "approve payments above the threshold (never one's own)"},
    {"fund.settings", ROLE_STAFF | ROLE_ADMIN, "change the fund's threshold, approvals and rules"},
};
const int permission_count = sizeof permissions / sizeof permissions[0];

unsigned role_from_name(const char *name)
{
    for (int i = 0; i < ROLE_COUNT; i++)
        if (strcmp(role_names[i], name) == 0)
            return 1u << i;
    return 0;
}

const char *role_name(unsigned bit)
{
    for (int i = 0; i < ROLE_COUNT; i++)
        if (bit == 1u << i)
            return role_names[i];
    return "?";
}

unsigned perm_roles(const char *perm)
{
    for (int i = 0; i < permission_count; i++)
        if (strcmp(permissions[i].name, perm) == 0)
            return permissions[i].roles;
    return 0;
}

int perm_allows(const char *perm, unsigned roles)
{
    return perm && (perm_roles(perm) & roles) != 0;
}
