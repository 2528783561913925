/* Builds the OpenAPI document (see openapi.h) by walking every module's routes. */
#include "server/openapi.h"
#include "auth/roles.h"
#include "core/validate.h"
#include "server/router.h"
#include <ctype.h>
#include <string.h>

static json_t *field_schema(const field_spec *f)
{
    json_t *s = json_object();
    switch (f->type) {
    case F_STR:
    case F_PHONE:
    case F_IDNUM:
        json_object_set_new(s, "type", json_string("string"));
        if (f->max)
            json_object_set_new(s, "maxLength", json_integer(f->max));
        if (f->type == F_PHONE)
            json_object_set_new(s, "pattern", json_string("^(\\+?86)?1[3-9][0-9]{9}$"));
        if (f->type == F_IDNUM)
            json_object_set_new(s, "pattern", json_string("^[0-9]{17}[0-9Xx]$"));
        break;
    case F_INT:
        json_object_set_new(s, "type", json_string("integer"));
        json_object_set_new(s, "minimum", json_integer(0));
        if (f->max)
            json_object_set_new(s, "maximum", json_integer(f->max));
        break;
    case F_MONEY:
        json_object_set_new(s, "type", json_string("integer"));
        json_object_set_new(s, "minimum", json_integer(0));
        json_object_set_new(s, "maximum", json_integer(f->max ? f->max : MONEY_MAX_FEN));
        break;
    case F_ID:
        json_object_set_new(s, "type", json_string("integer"));
        json_object_set_new(s, "minimum", json_integer(1));
        break;
    case F_BOOL:
        json_object_set_new(s, "type", json_string("boolean"));
        break;
    case F_OBJECT:
        json_object_set_new(s, "type", json_string("object"));
        break;
    case F_ARRAY:
        json_object_set_new(s, "type", json_string("array"));
        json_object_set_new(s, "items", json_pack("{s:s}", "type", "object"));
        break;
    case F_IDS:
        json_object_set_new(s, "type", json_string("array"));
        json_object_set_new(s, "items", json_pack("{s:s, s:i}", "type", "integer", "minimum", 1));
        break;
    case F_ENUM:
    case F_TAGS: {
        json_t *e = json_array();
        for (const char *const *c = f->choices; c && *c; c++)
            json_array_append_new(e, json_string(*c));
        if (f->type == F_ENUM) {
            json_object_set_new(s, "type", json_string("string"));
            json_object_set_new(s, "enum", e);
        } else {
            json_object_set_new(s, "type", json_string("array"));
            json_object_set_new(s, "items", json_pack("{s:s, s:o}", "type", "string", "enum", e));
        }
        break;
    }
    }
    if (f->doc)
        json_object_set_new(s, "description", json_string(f->doc));
    return s;
}

static json_t *param(const char *name, const char *in, const char *type, int required, const char *doc)
{
    return json_pack("{s:s, s:s, s:b, s:s, s:{s:s}}", "name", name, "in", in, "required", required, "description", doc,
                     "schema", "type", type);
}

static char *operation_id(const route *rt, char *buf, size_t n)
{
    size_t j = 0;
    for (const char *m = rt->method; *m && j + 1 < n; m++)
        buf[j++] = (char)tolower((unsigned char)*m);
    for (const char *p = rt->path; *p && j + 1 < n; p++) {
        char c = *p;
        if (c == '{' || c == '}')
            continue;
        buf[j++] = isalnum((unsigned char)c) ? c : '_';
    }
    buf[j] = 0;
    return buf;
}

static json_t *operation(const route *rt)
{
    char opid[256];
    json_t *op = json_pack("{s:s, s:s, s:[s]}", "operationId", operation_id(rt, opid, sizeof opid), "summary",
                           rt->summary, "tags", rt->tag);
    json_t *params = json_array();
    for (const char *p = strchr(rt->path, '{'); p; p = strchr(p + 1, '{')) {
        const char *e = strchr(p, '}');
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(e - p - 1), p + 1);
        json_array_append_new(params, param(name, "path", "integer", 1, "identifier"));
    }
    if (rt->flags & R_LIST) {
        json_array_append_new(params, param("limit", "query", "integer", 0, "page size (default 50, at most 500)"));
        json_array_append_new(params, param("offset", "query", "integer", 0, "rows to skip"));
        json_t *fmt = param("format", "query", "string", 0, "json (default), or csv or xlsx for a download of the whole list");
        json_object_set_new(json_object_get(fmt, "schema"), "enum", json_pack("[s,s,s]", "json", "csv", "xlsx"));
        json_array_append_new(params, fmt);
    }
    for (const char *const *q = rt->query; q && *q; q++)
        json_array_append_new(params, param(*q, "query", "string", 0, strcmp(*q, "q") == 0 ? "search text" : *q));
    if (rt->flags & R_IDEMPOTENT)
        json_array_append_new(params, param("Idempotency-Key", "header", "string", 0,
                                            "1-100 printable ASCII characters (a UUID): the same key and request again replay "
                                            "the first 2xx answer (Idempotent-Replay: true); the same key with another request "
                                            "is 422 idempotency_mismatch"));
    if (json_array_size(params))
        json_object_set_new(op, "parameters", params);
    else
        json_decref(params);
    if (rt->body) {
        json_t *props = json_object(), *req = json_array();
        for (const field_spec *f = rt->body; f->name; f++) {
            json_t *fs = field_schema(f);
            if (f->perm) { /* only holders of the permission may use the field (or this value of it) */
                json_object_set_new(fs, "x-permission", json_string(f->perm));
                if (f->perm_value)
                    json_object_set_new(fs, "x-permission-value", json_string(f->perm_value));
            }
            json_object_set_new(props, f->name, fs);
            if (f->required)
                json_array_append_new(req, json_string(f->name));
        }
        json_t *schema = json_pack("{s:s, s:o, s:b}", "type", "object", "properties", props, "additionalProperties", 0);
        if (json_array_size(req))
            json_object_set_new(schema, "required", req);
        else
            json_decref(req);
        json_object_set_new(op, "requestBody", json_pack("{s:b, s:{s:{s:o}}}", "required", 1, "content",
                                                         "application/json", "schema", schema));
    } else if (rt->flags & R_RAW_BODY) {
        json_object_set_new(op, "requestBody", json_pack("{s:b, s:{s:{s:{s:s, s:s}}}}", "required", 1, "content",
                                                         "application/octet-stream", "schema", "type", "string", "contentMediaType",
                                                         "application/octet-stream"));
    } else if (rt->flags & R_CSV_BODY) {
        json_object_set_new(op, "requestBody", json_pack("{s:b, s:{s:{s:{s:s}}}}", "required", 1, "content",
                                                         "text/csv", "schema", "type", "string"));
    }
    const char *ok = strcmp(rt->method, "POST") == 0 && !(rt->flags & (R_CSV_BODY | R_VIEW)) && strcmp(rt->path, "/api/v1/session") != 0
                         ? "201"
                         : strcmp(rt->method, "DELETE") == 0 ? "204" : "200";
    json_t *responses = json_object();
    json_t *okr = json_pack("{s:s}", "description", "Success");
    if (strcmp(ok, "204") != 0) {
        json_t *content = rt->flags & R_STREAM
                              ? json_pack("{s:{s:{s:s, s:s}}}", "text/event-stream", "schema", "type", "string", "description",
                                          "Server-Sent Events: lines of 'event:' and 'data:' (JSON), ended by a blank line")
                              : json_pack("{s:{s:{s:s}}}", "application/json", "schema", "type", "object");
        if ((rt->flags & R_LIST) || ((rt->flags & R_VIEW) && rt->columns)) {
            json_object_set_new(content, "text/csv", json_pack("{s:{s:s}}", "schema", "type", "string"));
            json_object_set_new(content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                json_pack("{s:{s:s, s:s}}", "schema", "type", "string", "contentMediaType",
                                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
        }
        json_object_set_new(okr, "content", content);
    }
    json_object_set_new(responses, ok, okr);
    json_object_set_new(responses, "4XX", json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", "The error envelope",
                                                    "content", "application/json", "schema", "$ref",
                                                    "#/components/schemas/Error"));
    json_object_set_new(op, "responses", responses);
    if (rt->flags & R_PUBLIC) {
        json_object_set_new(op, "security", json_array());
    } else {
        json_object_set_new(op, "security", json_pack("[{s:[]}]", "session"));
        json_object_set_new(op, "x-permission", json_string(rt->perm));
        json_t *roles = json_array();
        unsigned bits = perm_roles(rt->perm);
        for (int i = 0; i < ROLE_COUNT; i++)
            if (bits & (1u << i))
                json_array_append_new(roles, json_string(role_name(1u << i)));
        json_object_set_new(op, "x-roles", roles);
    }
    if (rt->finer) {
        json_t *finer = json_array();
        for (const char *const *f = rt->finer; *f; f++)
            json_array_append_new(finer, json_string(*f));
        json_object_set_new(op, "x-finer", finer);
    }
    return op;
}

json_t *openapi_document(void)
{
    json_t *paths = json_object(), *tags = json_array(), *seen = json_object();
    for (int m = 0; m < module_count; m++)
        for (int i = 0; i < modules[m]->nroutes; i++) {
            const route *rt = &modules[m]->routes[i];
            json_t *item = json_object_get(paths, rt->path);
            if (!item) {
                item = json_object();
                json_object_set_new(paths, rt->path, item);
            }
            char method[16];
            size_t k = 0;
            for (; rt->method[k] && k < sizeof method - 1; k++)
                method[k] = (char)tolower((unsigned char)rt->method[k]);
            method[k] = 0;
            json_object_set_new(item, method, operation(rt));
            if (!json_object_get(seen, rt->tag)) {
                json_object_set_new(seen, rt->tag, json_true());
                json_array_append_new(tags, json_pack("{s:s, s:s}", "name", rt->tag, "description", modules[m]->name));
            }
        }
    json_decref(seen);
    json_t *error = json_pack(
        "{s:s, s:[s], s:{s:{s:s, s:[s,s], s:{s:{s:s}, s:{s:s}, s:{s:s, s:{s:s}}}}}}", "type", "object", "required",
        "error", "properties", "error", "type", "object", "required", "code", "message", "properties", "code", "type",
        "string", "message", "type", "string", "fields", "type", "object", "additionalProperties", "type", "string");
    return json_pack("{s:s, s:{s:s, s:s, s:s, s:{s:s, s:s}}, s:[{s:s}], s:o, s:o, s:{s:{s:o}, s:{s:{s:s, s:s, s:s}}}}",
                     "openapi", "3.1.0", "info", "title", "linli (邻里) API", "version", LINLI_VERSION, "description",
                     "The community-building platform. Errors answer {\"error\":{\"code\",\"message\",\"fields\"}}; "
                     "x-permission and x-roles say who may call an operation.",
                     "license", "name", "AGPL-3.0-or-later", "identifier", "AGPL-3.0-or-later", "servers", "url", "/",
                     "tags", tags, "paths", paths, "components", "schemas", "Error", error, "securitySchemes", "session",
                     "type", "apiKey", "in", "cookie", "name", "linli_session");
}
