/* Unit tests for the stored files (core/files.h), in a fresh data folder: only "sha256:" and 64
 * lowercase hex characters is a reference; a stored file comes back byte for byte and only from its
 * own community's folder; no reference reaches a file outside it; links (to a file or in place of a
 * folder), FIFOs and other bytes under a file's name are refused, never followed or served; an
 * upload replaces a link planted under its name instead of writing through it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/files.h"

static char data_dir[64];
static const char png[] = "\x89PNG\r\n\x1a\n the signed paper form";

static void path_of(char *out, size_t len, const char *rel)
{
    snprintf(out, len, "%s/%s", data_dir, rel);
}

static void write_text(const char *rel, const char *text)
{
    char p[256];
    path_of(p, sizeof p, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    snprintf(data_dir, sizeof data_dir, "/tmp/linli-files-test-XXXXXX");
    if (!mkdtemp(data_dir))
        return -1;
    write_text("secret.key", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", data_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_ref_valid(void **state)
{
    (void)state;
    char ok[FILE_REF_LEN + 1];
    snprintf(ok, sizeof ok, "sha256:%064d", 0);
    assert_true(file_ref_valid(ok));
    assert_true(file_ref_valid("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    const char *bad[] = {
        NULL, "", "sha256:", "sha256:../../secret.key", "sha256:../../linli.db", "/proc/self/environ",
        "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",   /* upper case */
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",    /* 63 */
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",  /* 65 */
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85/",
        "sha256:./b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        " sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(file_ref_valid(bad[i]));
}

static void test_round_trip(void **state)
{
    (void)state;
    char ref[FILE_REF_LEN + 1], ref2[FILE_REF_LEN + 1];
    assert_int_equal(file_store(data_dir, 1001, png, sizeof png - 1, ref), FILE_OK);
    assert_true(file_ref_valid(ref));
    assert_int_equal(file_store(data_dir, 1001, png, sizeof png - 1, ref2), FILE_OK);
    assert_string_equal(ref, ref2);
    char p[256];
    snprintf(p, sizeof p, "%s/attachments/1001/%s", data_dir, ref + 7);
    struct stat st;
    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0600);
    char *data = NULL;
    size_t n = 0;
    assert_int_equal(file_load(data_dir, 1001, ref, &data, &n), FILE_OK);
    assert_int_equal(n, sizeof png - 1);
    assert_memory_equal(data, png, n);
    free(data);
    /* only from its own community's folder */
    assert_int_equal(file_load(data_dir, 1002, ref, &data, &n), FILE_MISSING);
    assert_null(data);
    assert_int_equal(file_load(data_dir, 0, ref, &data, &n), FILE_ERROR);
    assert_int_equal(file_store(data_dir, -1, png, 3, ref2), FILE_ERROR);
}

static void test_no_path_outside(void **state)
{
    (void)state;
    char ref[FILE_REF_LEN + 1];
    assert_int_equal(file_store(data_dir, 1001, png, sizeof png - 1, ref), FILE_OK);
    char other[160];
    snprintf(other, sizeof other, "sha256:../1001/%s", ref + 7);
    const char *refs[] = {"sha256:../../secret.key", "sha256:../../../../../../../../proc/self/environ", other, "sha256:/etc/passwd"};
    for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
        char *data = (char *)1;
        size_t n = 1;
        assert_int_equal(file_load(data_dir, 1002, refs[i], &data, &n), FILE_BAD_REF);
        assert_null(data);
        assert_int_equal(n, 0);
    }
}

static void test_links_and_other_bytes(void **state)
{
    (void)state;
    char ref[FILE_REF_LEN + 1], file[256], kept[270], key[256];
    assert_int_equal(file_store(data_dir, 1003, png, sizeof png - 1, ref), FILE_OK);
    snprintf(file, sizeof file, "%s/attachments/1003/%s", data_dir, ref + 7);
    snprintf(kept, sizeof kept, "%s.kept", file);
    path_of(key, sizeof key, "secret.key");
    assert_int_equal(rename(file, kept), 0);
    char *data = NULL;
    size_t n = 0;
    assert_int_equal(symlink(key, file), 0);
    assert_int_equal(file_load(data_dir, 1003, ref, &data, &n), FILE_DAMAGED);
    assert_null(data);
    unlink(file);
    assert_int_equal(link(key, file), 0);
    assert_int_equal(file_load(data_dir, 1003, ref, &data, &n), FILE_DAMAGED);
    unlink(file);
    assert_int_equal(mkfifo(file, 0600), 0); /* must not hang */
    assert_int_equal(file_load(data_dir, 1003, ref, &data, &n), FILE_DAMAGED);
    unlink(file);
    assert_int_equal(mkdir(file, 0700), 0);
    assert_int_equal(file_load(data_dir, 1003, ref, &data, &n), FILE_DAMAGED);
    rmdir(file);
    assert_int_equal(rename(kept, file), 0);
    assert_int_equal(file_load(data_dir, 1003, ref, &data, &n), FILE_OK);
    free(data);

    /* a community folder that is a link to another folder */
    char dir[256], moved[256];
    snprintf(dir, sizeof dir, "%s/attachments/1003", data_dir);
    snprintf(moved, sizeof moved, "%s/moved", data_dir);
    assert_int_equal(rename(dir, moved), 0);
    assert_int_equal(symlink(moved, dir), 0);
    assert_int_equal(file_load(data_dir, 1003, ref, &data, &n), FILE_DAMAGED);
    char ref2[FILE_REF_LEN + 1];
    assert_int_equal(file_store(data_dir, 1003, png, 4, ref2), FILE_ERROR);
    unlink(dir);
    assert_int_equal(rename(moved, dir), 0);

    /* an upload replaces a link planted under its name, and writes nothing through it */
    static const char next[] = "\x89PNG\r\n\x1a\n another form";
    char outside[256], target[256];
    path_of(outside, sizeof outside, "outside");
    write_text("outside", "untouched");
    assert_int_equal(file_store(data_dir, 1003, next, sizeof next - 1, ref2), FILE_OK); /* to learn the name */
    snprintf(target, sizeof target, "%s/attachments/1003/%s", data_dir, ref2 + 7);
    unlink(target);
    assert_int_equal(symlink(outside, target), 0);
    assert_int_equal(file_store(data_dir, 1003, next, sizeof next - 1, ref2), FILE_OK);
    struct stat st;
    assert_int_equal(lstat(target, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    FILE *f = fopen(outside, "r");
    char buf[32] = {0};
    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "untouched");
    assert_int_equal(file_load(data_dir, 1003, ref2, &data, &n), FILE_OK);
    assert_memory_equal(data, next, n);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ref_valid),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_no_path_outside),
        cmocka_unit_test(test_links_and_other_bytes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
