/* Every column that a module keeps sealed or keyed with the secret key (core/rekey.h): what `linli
 * rekey` moves to a new key, what `linli rekey --check` opens, what `linli serve` probes at start.
 * A module that seals or keys a new column adds it here, with its two statements;
 * src/store/store_test.c fails while a column named *_enc, *_idx or *_private is missing. */
#include "core/rekey.h"

/* The rows of table after the key ($1, $2), key columns k1, k2, in key order, a page at a time. */
#define AFTER(k1, k2) " AND (" k1 ", " k2 ") > (CAST($1 AS BIGINT), CAST($2 AS BIGINT)) ORDER BY " k1 ", " k2 " LIMIT 500"

/* registry: phone and ID numbers with their look-up hashes (exact search, one person per ID number) */
static const char people_phone_page[] = "SELECT community_id, id, phone_enc FROM people WHERE phone_enc IS NOT NULL" AFTER("community_id", "id");
static const char people_phone_update[] = "UPDATE people SET phone_enc = $3, phone_idx = $4 WHERE community_id = $1 AND id = $2";
static const char people_id_page[] = "SELECT community_id, id, id_enc FROM people WHERE id_enc IS NOT NULL" AFTER("community_id", "id");
static const char people_id_update[] = "UPDATE people SET id_enc = $3, id_idx = $4 WHERE community_id = $1 AND id = $2";
static const char people_needy_page[] = "SELECT community_id, id, needy_enc FROM people WHERE needy_enc IS NOT NULL" AFTER("community_id", "id");
static const char people_needy_update[] = "UPDATE people SET needy_enc = $3 WHERE community_id = $1 AND id = $2";
/* volunteers */
static const char vol_phone_page[] = "SELECT community_id, id, phone_enc FROM volunteers WHERE phone_enc IS NOT NULL" AFTER("community_id", "id");
static const char vol_phone_update[] = "UPDATE volunteers SET phone_enc = $3 WHERE community_id = $1 AND id = $2";
static const char vol_id_page[] = "SELECT community_id, id, id_enc FROM volunteers WHERE id_enc IS NOT NULL" AFTER("community_id", "id");
static const char vol_id_update[] = "UPDATE volunteers SET id_enc = $3 WHERE community_id = $1 AND id = $2";
static const char cert_page[] = "SELECT community_id, id, seal, content FROM vol_certificates WHERE 1 = 1" AFTER("community_id", "id");
static const char cert_update[] = "UPDATE vol_certificates SET seal = $3 WHERE community_id = $1 AND id = $2";
/* wishes: the beneficiary's details, a donor's name entered by staff */
static const char wish_page[] = "SELECT community_id, id, private_enc FROM wishes WHERE private_enc IS NOT NULL" AFTER("community_id", "id");
static const char wish_update[] = "UPDATE wishes SET private_enc = $3 WHERE community_id = $1 AND id = $2";
static const char claim_page[] =
    "SELECT community_id, id, donor_name_enc FROM wish_claims WHERE donor_name_enc IS NOT NULL" AFTER("community_id", "id");
static const char claim_update[] = "UPDATE wish_claims SET donor_name_enc = $3 WHERE community_id = $1 AND id = $2";
/* fund: the donor's full name (append-only table: the update passes only while rekey's marker row
 * exists, fund/0301_fund_rekey) */
static const char entry_page[] =
    "SELECT community_id, seq, donor_private FROM fund_entries WHERE donor_private IS NOT NULL" AFTER("community_id", "seq");
static const char entry_update[] = "UPDATE fund_entries SET donor_private = $3 WHERE community_id = $1 AND seq = $2";
/* grants: household voting codes are kept only as their keyed hash; a code not yet used cannot
 * work under a new key, so rekey voids those (with --void-unused-codes). A used one only answers
 * "unknown code" instead of "used" to a second try. */
static const char codes_count[] = "SELECT count(*) FROM grant_codes WHERE redeemed_by IS NULL";
static const char codes_void[] = "DELETE FROM grant_codes WHERE redeemed_by IS NULL";

const struct sealed_column sealed_columns[] = {
    {"people.phone_enc", SEALED_BOX, 1, people_phone_page, people_phone_update},
    {"people.id_enc", SEALED_BOX, 1, people_id_page, people_id_update},
    {"people.needy_enc", SEALED_BOX, 0, people_needy_page, people_needy_update},
    {"volunteers.phone_enc", SEALED_BOX, 0, vol_phone_page, vol_phone_update},
    {"volunteers.id_enc", SEALED_BOX, 0, vol_id_page, vol_id_update},
    {"vol_certificates.seal", SEALED_MAC, 0, cert_page, cert_update},
    {"wishes.private_enc", SEALED_BOX, 0, wish_page, wish_update},
    {"wish_claims.donor_name_enc", SEALED_BOX, 0, claim_page, claim_update},
    {"fund_entries.donor_private", SEALED_BOX, 0, entry_page, entry_update},
    {"grant_codes.code_hash", SEALED_ONE_WAY, 0, codes_count, codes_void},
};
const int sealed_column_count = sizeof sealed_columns / sizeof sealed_columns[0];
