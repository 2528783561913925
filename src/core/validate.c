/* Body validation (see validate.h). */
#include "core/validate.h"
#include "core/idnum.h"
#include "core/phone.h"
#include "server/reply.h"
#include <string.h>

size_t utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

int utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        int n;
        unsigned cp;
        if (c < 0x80) {
            p++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else
            return 0;
        for (int i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        /* no overlong forms, no surrogates, nothing past U+10FFFF */
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return 0;
        p += n + 1;
    }
    return 1;
}

int validate_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (!s)
        return -1;
    int neg = *s == '-';
    s += neg;
    /* Accumulated as a magnitude, which may reach 2^63 for INT64_MIN. */
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        unsigned d = (unsigned)(*s - '0');
        if (v > (limit - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    int64_t x = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    if (x < min || x > max)
        return -1;
    *out = x;
    return 0;
}

const char *validate_phone_code(const char *s)
{
    switch (phone_validate(s)) {
    case PHONE_OK: return NULL;
    case PHONE_ERR_EMPTY: return "required";
    case PHONE_ERR_CHARS: return "phone_chars";
    case PHONE_ERR_LENGTH: return "phone_length";
    default: return "phone_prefix";
    }
}

const char *validate_idnum_code(const char *s)
{
    switch (idnum_validate(s)) {
    case IDNUM_OK: return NULL;
    case IDNUM_ERR_EMPTY: return "required";
    case IDNUM_ERR_LENGTH: return "id_length";
    case IDNUM_ERR_CHARS: return "id_chars";
    case IDNUM_ERR_REGION: return "id_region";
    case IDNUM_ERR_DATE: return "id_date";
    default: return "id_check";
    }
}

static int in_choices(const char *const *choices, const char *s)
{
    for (; choices && *choices; choices++)
        if (strcmp(*choices, s) == 0)
            return 1;
    return 0;
}

static const char *check_one(const field_spec *f, const json_t *v)
{
    switch (f->type) {
    case F_STR:
        if (!json_is_string(v))
            return "invalid_type";
        if (f->required && json_string_length(v) == 0)
            return "required";
        if (f->max && utf8_length(json_string_value(v)) > (size_t)f->max)
            return "too_long";
        return NULL;
    case F_INT:
        if (!json_is_integer(v))
            return "invalid_type";
        if (json_integer_value(v) < 0)
            return "must_be_positive";
        if (f->max && json_integer_value(v) > f->max)
            return "too_large";
        return NULL;
    case F_MONEY:
        if (!json_is_integer(v))
            return "invalid_type";
        if (json_integer_value(v) < 0)
            return "money_negative";
        if (json_integer_value(v) > (f->max ? (json_int_t)f->max : (json_int_t)MONEY_MAX_FEN))
            return "money_too_large";
        return NULL;
    case F_ID:
        if (!json_is_integer(v))
            return "invalid_type";
        return json_integer_value(v) > 0 ? NULL : "must_be_positive";
    case F_BOOL:
        return json_is_boolean(v) ? NULL : "invalid_type";
    case F_ENUM:
        if (!json_is_string(v))
            return "invalid_type";
        return in_choices(f->choices, json_string_value(v)) ? NULL : "invalid_choice";
    case F_PHONE:
        if (!json_is_string(v))
            return "invalid_type";
        return validate_phone_code(json_string_value(v));
    case F_IDNUM:
        if (!json_is_string(v))
            return "invalid_type";
        return validate_idnum_code(json_string_value(v));
    case F_OBJECT:
        return json_is_object(v) ? NULL : "invalid_type";
    case F_ARRAY:
        return json_is_array(v) && json_array_size(v) <= 100 ? NULL : "invalid_type";
    case F_IDS: {
        if (!json_is_array(v) || json_array_size(v) > 1000)
            return "invalid_type";
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) if (!json_is_integer(e) || json_integer_value(e) <= 0) return "invalid_type";
        return NULL;
    }
    case F_TAGS: {
        if (!json_is_array(v))
            return "invalid_type";
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) {
            if (!json_is_string(e))
                return "invalid_type";
            if (!in_choices(f->choices, json_string_value(e)))
                return "invalid_choice";
        }
        return NULL;
    }
    }
    return "invalid_type";
}

void validate_drop_absent(const field_spec *spec, json_t *body)
{
    for (const field_spec *f = spec; f->name; f++) {
        json_t *v = json_object_get(body, f->name);
        if (v && (json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0 && f->type != F_STR)))
            json_object_del(body, f->name);
    }
}

int validate_body(req *r, const field_spec *spec, const json_t *body, int partial, json_t **fields)
{
    *fields = NULL;
    int bad = 0;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)body, key, v) {
        const field_spec *f = spec;
        while (f->name && strcmp(f->name, key) != 0)
            f++;
        if (!f->name) {
            field_error(r, fields, key, "unknown_field");
            bad = 1;
        }
    }
    for (const field_spec *f = spec; f->name; f++) {
        v = json_object_get(body, f->name);
        const char *code = NULL;
        int empty_text = json_is_string(v) && json_string_length(v) == 0 && f->type != F_STR;
        if (!v || json_is_null(v) || empty_text)
            code = f->required && !partial ? "required" : NULL;
        else
            code = check_one(f, v);
        if (code) {
            field_error(r, fields, f->name, code);
            bad = 1;
        }
    }
    return bad ? -1 : 0; /* not *fields: it is NULL when even the error could not be allocated */
}
