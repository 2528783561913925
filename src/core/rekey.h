/* Re-keying. Every value linli keeps sealed or keyed with the secret key (core/crypto.h) is listed,
 * column by column, in src/modules/sealed.c. `linli rekey` moves all of them to a new key in the
 * caller's one transaction (rekey_run); `linli rekey --check` opens every one; `linli serve`
 * refuses to start with a key that opens none of them (rekey_probe). */
#ifndef LINLI_REKEY_H
#define LINLI_REKEY_H
#include "core/crypto.h"
#include "store/store.h"
#include <jansson.h>

enum sealed_kind {
    SEALED_BOX,     /* crypto_seal text; with look_up, a crypto_lookup_hash of its plaintext beside it */
    SEALED_MAC,     /* a crypto_mac_hex signature of the text of another column */
    SEALED_ONE_WAY, /* a keyed hash whose plaintext is not kept: it cannot be made again */
};

/* One sealed column, with its two statements.
 * BOX and MAC: page reads, in key order, the rows after the key ($1, $2; "-1", "-1" to start),
 * at most REKEY_PAGE of them: the two key columns, the value, and (MAC) the text it signs. update
 * writes the new value ($3) of the row ($1, $2), and (look_up) its new look-up hash ($4).
 * ONE_WAY: page counts the rows that still matter (no parameters); update deletes them. */
struct sealed_column {
    const char *name; /* "table.column", in messages and in the audit row */
    enum sealed_kind kind;
    int look_up;
    const char *page, *update;
};
extern const struct sealed_column sealed_columns[];
extern const int sealed_column_count;

#define REKEY_PAGE 500

/* Re-seals every sealed column from the keys old to the keys next, in the caller's open
 * transaction: BOX values opened with old and sealed with next (their look-up hash made with
 * next), MAC signatures that match under old signed again with next (one that does not match,
 * a certificate edited in the database, is left as it is: it must not become valid), ONE_WAY rows
 * deleted when void_one_way is set. With next NULL it changes nothing and only checks that every
 * BOX value opens with old. counts gets "table.column": values re-sealed (or checked), and the
 * objects "altered" and "voided" for what was left or deleted. Returns 0; -1 (err names the first
 * value that does not open, or the store error); -2 when ONE_WAY rows exist and void_one_way is
 * not set (err says how many). On -1 or -2 the caller rolls back. */
int rekey_run(store *s, const struct crypto_keys *old, const struct crypto_keys *next, int void_one_way, json_t *counts,
              char *err, size_t errlen);

typedef enum {
    REKEY_PROBE_EMPTY,     /* nothing sealed yet: any key will do */
    REKEY_PROBE_OPENS,     /* sealed values open with the key */
    REKEY_PROBE_OTHER_KEY, /* there are sealed values and none of those tried opens with the key */
    REKEY_PROBE_ERROR,     /* the store failed (err says how) */
} rekey_probe_rc;
/* Whether k is the key the data in s was sealed with, from the first page of every BOX column. */
rekey_probe_rc rekey_probe(store *s, const struct crypto_keys *k, char *err, size_t errlen);
#endif
