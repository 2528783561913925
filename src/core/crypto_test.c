/* Tests of crypto.c: sealing personal data, passwords, look-up hashes, tokens, the key file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "core/crypto.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct crypto_keys keys;

static void test_seal_roundtrip(void **state)
{
    (void)state;
    arena *a = arena_new();
    char *s1 = crypto_seal(a, &keys, "13800138000");
    char *s2 = crypto_seal(a, &keys, "13800138000");
    assert_non_null(s1);
    assert_string_not_equal(s1, s2); /* a fresh nonce each time */
    assert_null(strstr(s1, "13800138000"));
    assert_string_equal(crypto_open(a, &keys, s1), "13800138000");
    s1[5] = s1[5] == 'A' ? 'B' : 'A'; /* altered ciphertext does not open */
    assert_null(crypto_open(a, &keys, s1));
    assert_null(crypto_open(a, &keys, "not base64!"));
    arena_free(a);
}

static void test_password(void **state)
{
    (void)state;
    char hash[128];
    assert_int_equal(crypto_password_hash("correct horse", hash), 0);
    assert_non_null(strstr(hash, "$argon2id$"));
    assert_true(crypto_password_verify(hash, "correct horse"));
    assert_false(crypto_password_verify(hash, "correct horsE"));
}

static void test_lookup_and_tokens(void **state)
{
    (void)state;
    arena *a = arena_new();
    assert_string_equal(crypto_lookup_hash(a, &keys, "x"), crypto_lookup_hash(a, &keys, "x"));
    assert_string_not_equal(crypto_lookup_hash(a, &keys, "x"), crypto_lookup_hash(a, &keys, "y"));
    assert_string_not_equal(crypto_lookup_hash(a, &keys, "x"), crypto_hash_hex(a, "x")); /* keyed */
    char *t1 = crypto_token(a, 32), *t2 = crypto_token(a, 32);
    assert_int_equal(strlen(t1), 43); /* 256 bits, base64url without padding */
    assert_string_not_equal(t1, t2);
    assert_true(crypto_str_equal("abc", "abc"));
    assert_false(crypto_str_equal("abc", "abd"));
    assert_false(crypto_str_equal("abc", "abcd"));
    arena_free(a);
}

static void test_key_file(void **state)
{
    (void)state;
    char path[] = "/tmp/linli-key-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    char err[256];
    assert_int_equal(crypto_key_create(path, err, sizeof err), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(crypto_key_create(path, err, sizeof err), -1); /* never overwrites */
    struct crypto_keys k2;
    assert_int_equal(crypto_key_load(path, &k2, err, sizeof err), 0);
    assert_memory_not_equal(k2.enc, k2.idx, 32);
    unlink(path);
    assert_int_equal(crypto_key_load(path, &k2, err, sizeof err), -1);
    assert_non_null(strstr(err, "linli init"));
}

int main(void)
{
    crypto_init();
    char path[] = "/tmp/linli-key-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    char err[256];
    if (crypto_key_create(path, err, sizeof err) || crypto_key_load(path, &keys, err, sizeof err))
        return 1;
    unlink(path);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seal_roundtrip),
        cmocka_unit_test(test_password),
        cmocka_unit_test(test_lookup_and_tokens),
        cmocka_unit_test(test_key_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
