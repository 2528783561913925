/* Sessions: a random 256-bit token in an HttpOnly cookie, stored only as its BLAKE2b hash, with
 * a CSRF token that every state-changing request made with the cookie must echo in X-CSRF-Token. */
#ifndef LINLI_SESSION_H
#define LINLI_SESSION_H
#include "server/http.h"

#define SESSION_COOKIE "linli_session"

/* A new session for account; *token (for the cookie) and *csrf land in the arena. */
store_rc session_create(store *s, arena *a, int64_t account_id, int hours, const char **token, const char **csrf);
/* Reads the cookie and, when it names a live session, fills r->account_id, login, csrf, global
 * roles. Returns 0 (with or without a session) or -1 after replying a store error. */
int session_authenticate(req *r);
store_rc session_delete(store *s, arena *a, const char *token_hash);
#endif
