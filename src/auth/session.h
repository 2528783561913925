/* Sessions: a random 256-bit token in an HttpOnly cookie, stored only as its BLAKE2b hash, with
 * a CSRF token that every state-changing request made with the cookie must echo in X-CSRF-Token.
 *
 * A session ends at the first of: its absolute limit (app->session_hours after the login), its idle
 * limit (app->session_idle_minutes without a request; the last request's time is written at most
 * once a minute), logging out, logging in again with the same cookie (the new session replaces
 * it), and a change of the account's password (account_set_password). */
#ifndef LINLI_SESSION_H
#define LINLI_SESSION_H
#include "server/http.h"

#define SESSION_COOKIE "linli_session"

/* A new session for account under app's limits; the session replaces (a token hash, or NULL)
 * ends. *token (for the cookie) and *csrf land in the arena. The caller owns the transaction. */
store_rc session_create(store *s, arena *a, const struct app *app, int64_t account_id, const char *replaces,
                        const char **token, const char **csrf);
/* The hash of the session cookie the request carries (valid or not), or NULL. */
const char *session_cookie_hash(req *r);
/* Reads the cookie and, when it names a live session, fills r->account_id, login, csrf, global
 * roles, and notes the request as the session's last use. Returns 0 (with or without a session) or
 * -1 after replying a store error. */
int session_authenticate(req *r);
store_rc session_delete(store *s, arena *a, const char *token_hash);
/* Ends every session of account except keep (a token hash, or NULL: all); *ended (may be NULL) is
 * how many. */
store_rc session_end_others(store *s, arena *a, int64_t account_id, const char *keep, int64_t *ended);
/* The absolute limit of a session in hours (--session-hours; 12 when the app does not say). */
int session_hours(const struct app *app);
#endif
