/* Module 6, micro-venture grants (微创投): grants.c holds the routes, the handlers and the demo. */
#ifndef LINLI_GRANTS_H
#define LINLI_GRANTS_H
#include "store/store.h"

/* The finished round of the article (the owners' committees of 丰华花苑, 文华花园 and 雍翠华府 won)
 * and this year's round, open for voting. */
/* paper.c: paper ballots checked by a second staff member, and objections. */
#include "server/http.h"
void paper_enter(req *r);
/* grants.c: 0 when proposal_ids is a valid ballot of round (a row of the round query: the rule
 * at column 8, approval k at 9, the knapsack budget at 16); else replies 422 and returns -1. */
int ballot_check(req *r, const store_rows *round, json_t *proposal_ids);
void paper_check(req *r);
void objection_file(req *r);
void objections_list(req *r);
void objection_answer(req *r);
/* grants.c: 1 when the caller acts for organisation org (staff and admins for every one; an org rep
 * for those linked to them in org_reps), 0 when not, -1 after replying a store error. */
int grant_acts_for(req *r, int64_t org);
/* grants.c: loads the round of the path (parameter 1, a row of the round query) into *rows, first
 * moving its phase on by its dates (submission → eligibility, scoring → voting); 0, or replies 404
 * (or a store error) and returns -1. */
int grant_round_load(req *r, store_rows **rows);
/* grants.c: for a change by the proposal's organisation (an edit, an attachment): loads the round
 * of the path (path parameter 1) into *round and its proposal (parameter 2, a row of the proposal
 * query: organisation at column 7, submitter at 12) into *proposal. 0 when the round takes
 * submissions (its phase and its date), the proposal is of that round and the caller acts for its
 * organisation; else replies 409 outside_phase, 404 or 403 not_representative and returns -1. */
int grant_proposal_editable(req *r, store_rows **round, store_rows **proposal);
/* grants.c: replies 409 stored_data_invalid for a stored record that is not what the server writes
 * (what names it on stderr, with id), or 500 when a JSON allocation of the request failed (the
 * parse that found it wanting may be what failed). Always -1. */
int grant_stored_invalid(req *r, const char *what, int64_t id);
/* grants.c: links an account to an organisation it represents (nothing if it is already), inside
 * the caller's transaction; for `linli user add --org`. */
store_rc grants_rep_link(store *s, arena *a, int64_t community_id, int64_t organisation_id, int64_t account_id, int64_t at);
/* reports.c: attachments of proposals, progress reports of funded projects. */
void attachment_upload(req *r);
void attachment_get(req *r);
void report_file(req *r);
void reports_list(req *r);
void report_review(req *r);

int grants_demo_create(store *s, int64_t community_id, int64_t admin_id, char *err, size_t errlen);
/* A household voting code as typed (spaces and hyphens anywhere, lower case) in the form it was
 * printed and hashed: spaces and '-' dropped, a-z upper-cased, every other byte kept. Writes at
 * most outlen - 1 bytes and a NUL to out (outlen > 0); returns how many it wrote. */
size_t grant_code_normalize(const char *in, char *out, size_t outlen);
#endif
