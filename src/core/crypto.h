/* libsodium wrappers for what linli keeps secret or checkable: passwords (argon2id), random
 * tokens, encryption of personal data at rest (secretbox), keyed look-up hashes, and the hashes of
 * the audit chain. The master key lives in LINLI_SECRET_KEY_FILE (hex, mode 0600); the keys used
 * here are derived from it, one per purpose. */
#ifndef LINLI_CRYPTO_H
#define LINLI_CRYPTO_H
#include "core/arena.h"
#include <stddef.h>
#include <stdint.h>

struct crypto_keys {
    unsigned char enc[32]; /* secretbox key for personal data */
    unsigned char idx[32]; /* BLAKE2b key for look-up hashes of personal data */
    unsigned char mac[32]; /* BLAKE2b key for signed tokens (QR check-in, calendar links, certificates) */
};

/* Initialises libsodium; 0 or -1. */
int crypto_init(void);
/* Creates a new random master key file (mode 0600, synced with its folder) at path; fails if it
 * exists. 0 or -1 (err set). */
int crypto_key_create(const char *path, char *err, size_t errlen);
/* Reads the master key file and derives the purpose keys. 0 or -1 (err set). */
int crypto_key_load(const char *path, struct crypto_keys *k, char *err, size_t errlen);
/* Writes the key held in the key file from as a new key file to (mode 0600, synced); fails if to
 * exists or from holds no key. 0 or -1 (err set). */
int crypto_key_copy(const char *from, const char *to, char *err, size_t errlen);
/* Renames the key file from to to (replacing it at once) and syncs the folder. 0 or -1 (err set). */
int crypto_key_install(const char *from, const char *to, char *err, size_t errlen);
/* A public name of the keys, 16 hex characters: tells two keys apart and reveals nothing of them. */
void crypto_key_id(const struct crypto_keys *k, char out[17]);

/* argon2id hash string of password into out (crypto_pwhash_STRBYTES); 0 or -1. */
int crypto_password_hash(const char *password, char out[128]);
/* 1 if password matches the stored hash, else 0. */
int crypto_password_verify(const char *hash, const char *password);

/* nbytes random bytes as URL-safe base64 (no padding), in the arena. */
char *crypto_token(arena *a, size_t nbytes);
/* Hex BLAKE2b-256 of s (unkeyed), in the arena: how session tokens are stored. */
char *crypto_hash_hex(arena *a, const char *s);
/* Hex BLAKE2b-256 keyed with the look-up key, of s: the *_idx columns. */
char *crypto_lookup_hash(arena *a, const struct crypto_keys *k, const char *s);
/* Hex BLAKE2b-128 of s keyed with the token key: the signature of a token. */
char *crypto_mac_hex(arena *a, const struct crypto_keys *k, const char *s);
/* secretbox(nonce || ciphertext) of plain as base64; NULL in, NULL out. */
char *crypto_seal(arena *a, const struct crypto_keys *k, const char *plain);
/* The plaintext of a crypto_seal value, or NULL if it does not open (wrong key or altered). */
char *crypto_open(arena *a, const struct crypto_keys *k, const char *sealed);
/* Constant-time equality of two NUL-terminated strings. */
int crypto_str_equal(const char *a, const char *b);
#endif
