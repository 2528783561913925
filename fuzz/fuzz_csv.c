/* libFuzzer target: the residents' CSV import (POST …/people/import) without a request or a
 * database — people_csv_read and people_csv_check on any bytes. Neither may crash or leak, and a
 * row they pass must be one person_insert can store as it is: a name of 1–30 characters, a phone
 * and ID number that pass the API's own checks, a known compound, a gender and tags it knows, and
 * text that is UTF-8 (it goes into the database and comes out as JSON). A row they refuse names each
 * bad field once, with a message the catalogue has. */
#include "core/i18n.h"
#include "core/idnum.h"
#include "core/phone.h"
#include "core/validate.h"
#include "modules/registry/people.h"
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const struct people_compound compounds[] = {{11, "丰华花苑"}, {12, "文华花园"}, {13, "雍翠华府"}, {14, NULL}};
static const char *const fields[] = {"name", "phone", "id_number", "compound", "room", "building_name", "gender", "tags", NULL};

static int utf8_ok(const char *s)
{
    json_t *j = json_string(s); /* jansson refuses what is not UTF-8 */
    json_decref(j);
    return j != NULL;
}

static int is_field(const char *f)
{
    for (int i = 0; fields[i]; i++)
        if (strcmp(fields[i], f) == 0)
            return 1;
    return 0;
}

static void check_row(arena *a, struct people_csv_row *row)
{
    for (int c = 0; c < PEOPLE_COL_N; c++) {
        const char *v = row->cell[c];
        size_t n = v ? strlen(v) : 0;
        if (!v || !utf8_ok(v))
            abort();
        if (n && (v[0] == ' ' || v[0] == '\t' || v[n - 1] == ' ' || v[n - 1] == '\t'))
            abort(); /* cells are trimmed */
    }
    if (people_csv_check(a, row, compounds, 4) != 0)
        return; /* out of memory: nothing to judge */
    if (row->nbad < 0 || row->nbad > PEOPLE_COL_N)
        abort();
    for (int b = 0; b < row->nbad; b++) {
        if (!is_field(row->bad_field[b]) || strcmp(i18n_text(LANG_ZH, row->bad_code[b]), row->bad_code[b]) == 0)
            abort();
        for (int c = 0; c < b; c++)
            if (strcmp(row->bad_field[b], row->bad_field[c]) == 0)
                abort(); /* each field once */
    }
    if (row->nbad)
        return;
    const struct person_in *in = &row->in;
    if (!*in->name || utf8_length(in->name) > 30 || utf8_length(in->room) > 20 || utf8_length(in->building_name) > 30)
        abort();
    if (*in->phone && phone_validate(in->phone) != PHONE_OK)
        abort();
    if (*in->id_number && idnum_validate(in->id_number) != IDNUM_OK)
        abort();
    if (in->gender && strcmp(in->gender, "M") != 0 && strcmp(in->gender, "F") != 0)
        abort();
    if (in->tags >= 16 || (in->needy != -1 && in->needy != 1))
        abort();
    int64_t want = 0;
    for (int i = 0; compounds[i].name; i++)
        if (strcmp(compounds[i].name, row->cell[PEOPLE_COL_COMPOUND]) == 0)
            want = compounds[i].id;
    if (in->compound_id != want || (!want && *row->cell[PEOPLE_COL_COMPOUND]))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new();
    if (!a)
        return 0;
    struct people_csv_row *rows = (void *)1;
    size_t n = 99;
    enum people_csv_status st = people_csv_read(a, (const char *)data, size, &rows, &n);
    if (st != PEOPLE_CSV_OK) {
        if (rows || n)
            abort(); /* a refused file yields no rows */
    } else {
        int64_t last = 1; /* the header is line 1 */
        for (size_t i = 0; i < n; i++) {
            int blank = 1;
            for (int c = 0; c < PEOPLE_COL_N; c++)
                if (rows[i].cell[c] && *rows[i].cell[c])
                    blank = 0;
            if (blank || rows[i].line <= last || (size_t)rows[i].line > size + 2)
                abort(); /* blank lines are skipped; lines count up */
            last = rows[i].line;
            check_row(a, &rows[i]);
        }
    }
    arena_free(a);
    return 0;
}
