/* libFuzzer target: the router's path matching and every route's body validation. The input is a
 * method line, a path line and a JSON body; matching must never crash, and every route's field list
 * must judge any JSON object without crashing or leaking. */
#include "fuzz.h"
#include "core/validate.h"
#include "server/router.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_text(data, size);
    if (!s)
        return 0;
    char *path = strchr(s, '\n');
    if (path)
        *path++ = 0;
    else
        path = s;
    char *body = strchr(path, '\n');
    if (body)
        *body++ = 0;
    int known = 0;
    const route *rt = router_match(s, path, NULL, NULL, &known);
    (void)rt;
    json_error_t err;
    json_t *in = body ? json_loads(body, JSON_REJECT_DUPLICATES, &err) : NULL;
    if (json_is_object(in)) {
        arena *a = arena_new();
        req r;
        memset(&r, 0, sizeof r);
        r.a = a;
        for (int m = 0; m < module_count; m++)
            for (int i = 0; i < modules[m]->nroutes; i++) {
                const route *x = &modules[m]->routes[i];
                json_t *fields = NULL;
                if (x->body && validate_body(&r, x->body, in, i & 1, &fields) != 0 && !fields)
                    abort(); /* a refusal always says why */
                json_decref(fields);
            }
        arena_free(a);
    }
    json_decref(in);
    free(s);
    return 0;
}
