/* The libsodium wrappers of crypto.h. */
#include "core/crypto.h"
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int crypto_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

/* fsyncs the folder that holds path, so that a name made or renamed in it outlives a crash. */
static int sync_folder_of(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Writes key as a new key file (hex, mode 0600, synced with its folder); fails if path exists. */
static int key_write(const char *path, const unsigned char key[32], char *err, size_t errlen)
{
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, key, 32);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create key file %s: %s", path, strerror(errno));
        sodium_memzero(hex, sizeof hex);
        return -1;
    }
    hex[64] = '\n';
    int ok = write(fd, hex, 65) == 65 && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    sodium_memzero(hex, sizeof hex);
    if (!ok || sync_folder_of(path) != 0) {
        snprintf(err, errlen, "cannot write key file %s", path);
        return -1;
    }
    return 0;
}

int crypto_key_create(const char *path, char *err, size_t errlen)
{
    unsigned char key[32];
    randombytes_buf(key, sizeof key);
    int rc = key_write(path, key, err, errlen);
    sodium_memzero(key, sizeof key);
    return rc;
}

/* The master key in a key file; 0 or -1 (err set). */
static int key_read(const char *path, unsigned char master[32], char *err, size_t errlen)
{
    char hex[80] = {0};
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot read key file %s: %s (run `linli init` first)", path, strerror(errno));
        return -1;
    }
    size_t n = fread(hex, 1, sizeof hex - 1, f);
    fclose(f);
    size_t bin_len = 0;
    int bad = n < 64 || sodium_hex2bin(master, 32, hex, n, " \n\r\t", &bin_len, NULL) != 0 || bin_len != 32;
    sodium_memzero(hex, sizeof hex);
    if (bad) {
        snprintf(err, errlen, "key file %s does not hold a 32-byte hex key", path);
        return -1;
    }
    return 0;
}

int crypto_key_copy(const char *from, const char *to, char *err, size_t errlen)
{
    unsigned char key[32];
    if (key_read(from, key, err, errlen) != 0)
        return -1;
    int rc = key_write(to, key, err, errlen);
    sodium_memzero(key, sizeof key);
    return rc;
}

int crypto_key_install(const char *from, const char *to, char *err, size_t errlen)
{
    if (rename(from, to) != 0 || sync_folder_of(to) != 0) {
        snprintf(err, errlen, "cannot move %s to %s: %s", from, to, strerror(errno));
        return -1;
    }
    return 0;
}

void crypto_key_id(const struct crypto_keys *k, char out[17])
{
    static const char what[] = "linli key id";
    unsigned char h[8];
    crypto_generichash(h, sizeof h, (const unsigned char *)what, sizeof what - 1, k->mac, sizeof k->mac);
    sodium_bin2hex(out, 17, h, sizeof h);
}

int crypto_key_load(const char *path, struct crypto_keys *k, char *err, size_t errlen)
{
    unsigned char master[32];
    if (key_read(path, master, err, errlen) != 0)
        return -1;
    crypto_kdf_derive_from_key(k->enc, sizeof k->enc, 1, "linlienc", master);
    crypto_kdf_derive_from_key(k->idx, sizeof k->idx, 2, "linliidx", master);
    crypto_kdf_derive_from_key(k->mac, sizeof k->mac, 3, "linlimac", master);
    sodium_memzero(master, sizeof master);
    return 0;
}

int crypto_password_hash(const char *password, char out[128])
{
    return crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                             crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

int crypto_password_verify(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

static char *b64(arena *a, const unsigned char *bin, size_t len, int variant)
{
    size_t n = sodium_base64_encoded_len(len, variant);
    char *out = arena_alloc(a, n);
    return out ? sodium_bin2base64(out, n, bin, len, variant) : NULL;
}

char *crypto_token(arena *a, size_t nbytes)
{
    unsigned char buf[64];
    if (nbytes > sizeof buf)
        nbytes = sizeof buf;
    randombytes_buf(buf, nbytes);
    return b64(a, buf, nbytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static char *hash_hex(arena *a, const unsigned char *key, size_t keylen, const char *s)
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)s, strlen(s), key, keylen);
    char *out = arena_alloc(a, 65);
    return out ? sodium_bin2hex(out, 65, h, sizeof h) : NULL;
}

char *crypto_hash_hex(arena *a, const char *s) { return hash_hex(a, NULL, 0, s); }

char *crypto_lookup_hash(arena *a, const struct crypto_keys *k, const char *s)
{
    return s ? hash_hex(a, k->idx, sizeof k->idx, s) : NULL;
}

char *crypto_mac_hex(arena *a, const struct crypto_keys *k, const char *s)
{
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)s, strlen(s), k->mac, sizeof k->mac);
    char *out = arena_alloc(a, 33);
    return out ? sodium_bin2hex(out, 33, h, sizeof h) : NULL;
}

char *crypto_seal(arena *a, const struct crypto_keys *k, const char *plain)
{
    if (!plain)
        return NULL;
    size_t n = strlen(plain);
    size_t len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
    unsigned char *buf = arena_alloc(a, len);
    if (!buf)
        return NULL;
    randombytes_buf(buf, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(buf + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain, n, buf, k->enc);
    return b64(a, buf, len, sodium_base64_VARIANT_ORIGINAL);
}

char *crypto_open(arena *a, const struct crypto_keys *k, const char *sealed)
{
    if (!sealed)
        return NULL;
    size_t slen = strlen(sealed);
    unsigned char *bin = arena_alloc(a, slen + 1);
    size_t len = 0;
    if (!bin || sodium_base642bin(bin, slen + 1, sealed, slen, NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
        return NULL;
    if (len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return NULL;
    size_t n = len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    char *out = arena_alloc(a, n + 1);
    if (!out || crypto_secretbox_open_easy((unsigned char *)out, bin + crypto_secretbox_NONCEBYTES,
                                           len - crypto_secretbox_NONCEBYTES, bin, k->enc) != 0)
        return NULL;
    out[n] = 0;
    return out;
}

int crypto_str_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return 0;
    return sodium_memcmp(a, b, la) == 0;
}
