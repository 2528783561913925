/* Adding people, shared by the API, the CSV import and the demo community. */
#ifndef LINLI_PEOPLE_H
#define LINLI_PEOPLE_H
#include "core/crypto.h"
#include "store/store.h"

struct person_in {
    const char *name, *phone, *id_number, *gender, *room, *building_name;
    int64_t compound_id;  /* 0: none; must be a compound of the community */
    unsigned tags;        /* bits of people_tag_bit */
    int needy;            /* -1 unknown, 0 no, 1 yes */
    int birth_year;       /* 0 unknown; taken from the ID number when there is one */
};

/* Inserts one person (phone and ID number already validated), creating the building by name if
 * the compound has none of that name. Inside the caller's transaction. STORE_CONSTRAINT when the
 * ID number is already registered in the community. */
store_rc person_insert(store *s, arena *a, const struct crypto_keys *k, int64_t community_id,
                       const struct person_in *in, int64_t *id);
/* The bit of a tag name (elder, child, party_member, building_leader) or its Chinese name; 0 if none. */
unsigned people_tag_bit(const char *name);

/* ---- the CSV import, without a request or a database (the handler, people_import, adds those) ---- */

/* The columns the import knows; the header names them in Chinese or English (people.c). */
enum people_col {
    PEOPLE_COL_NAME, PEOPLE_COL_PHONE, PEOPLE_COL_ID, PEOPLE_COL_COMPOUND, PEOPLE_COL_BUILDING,
    PEOPLE_COL_ROOM, PEOPLE_COL_TAGS, PEOPLE_COL_GENDER, PEOPLE_COL_N
};

/* One data row of the file. people_csv_read fills line and cell; people_csv_check fills the rest. */
struct people_csv_row {
    int64_t line;                     /* as a spreadsheet numbers it: the header is line 1 */
    const char *cell[PEOPLE_COL_N];   /* trimmed of spaces and tabs; "" when the column is absent */
    struct person_in in;              /* the person, pointing into cell */
    int nbad;                         /* the bad fields, in the order they were found, each once */
    const char *bad_field[PEOPLE_COL_N], *bad_code[PEOPLE_COL_N]; /* field name, i18n message code */
};

enum people_csv_status {
    PEOPLE_CSV_OK,
    PEOPLE_CSV_MALFORMED, /* not CSV (an unclosed quote, say): 400 csv_parse */
    PEOPLE_CSV_NOT_UTF8,  /* not UTF-8 (a file saved as GBK, say): 400 csv_not_utf8 */
    PEOPLE_CSV_EMPTY,     /* no header row: 422 import_empty */
    PEOPLE_CSV_NO_NAME,   /* the header names no name column: 422 import_no_name_column */
    PEOPLE_CSV_NOMEM,     /* out of memory */
};

/* Reads a residents' CSV of len bytes (UTF-8, an optional byte-order mark as Excel writes it, a
 * header row, then one person a record) into *rows, *nrows of them, all in a. A record whose known
 * columns are all empty (Excel leaves such lines) is not a row, but it still counts in the line
 * numbers. On any status but PEOPLE_CSV_OK, *rows is NULL and *nrows 0. */
enum people_csv_status people_csv_read(arena *a, const char *data, size_t len, struct people_csv_row **rows,
                                       size_t *nrows);

/* A compound of the community, matched by its exact name in the compound column. */
struct people_compound {
    int64_t id;
    const char *name;
};

/* Checks one row read by people_csv_read without touching the database: the name (required, at
 * most 30 characters), phone and ID number (as the API checks them), the compound (one of the n
 * compounds), room and building lengths, gender (男/女/M/F) and tags (people_tag_bit, or 困难群众/
 * needy). Fills row->in, and row->bad_* with every problem found; row->nbad 0 means the person may
 * be inserted with person_insert. 0, or -1 when out of memory. */
int people_csv_check(arena *a, struct people_csv_row *row, const struct people_compound *compounds, int n);
#endif
