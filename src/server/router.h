/* The router: finds the route for a method and path (path parameters in braces), then runs the
 * fixed steps of every request — authenticate, check CSRF, authorize, scope to the community,
 * validate the body — and calls the handler. */
#ifndef LINLI_ROUTER_H
#define LINLI_ROUTER_H
#include "server/http.h"

/* Every module, the system routes first. modules.c holds the list. */
extern const module *const modules[];
extern const int module_count;

/* The route for method and path, with the path parameters in pv; NULL if none. *path_known is set
 * when some route has the path but not the method (405). */
const route *router_match(const char *method, const char *path, const char **pv, int *npv, int *path_known);
/* Runs the request's route (r->route already matched) through every step and its handler. */
void router_handle(req *r);
#endif
