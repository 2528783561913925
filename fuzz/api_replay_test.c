/* Replays inputs of the API fuzzer (fuzz/fuzz_api.c) in the unit tests, with the ordinary compiler
 * and no libFuzzer: every file in the folders given as arguments — the regression inputs in
 * fuzz/regress (each once showed a crash: it must now run through) and the seed corpus in
 * fuzz/corpus/api (a smoke run of the in-process server and the fuzzer's decoding) — is one test.
 * A crash or a sanitizer report (UBSan's too: it halts here) ends the process, and the run fails. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A UBSan report fails the run however the test is started (UBSAN_OPTIONS still wins). */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

static void replay(void **state)
{
    const char *path = *state;
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_int_equal(LLVMFuzzerTestOneInput(buf, n), 0);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct CMUnitTest *)a)->name, ((const struct CMUnitTest *)b)->name);
}

int main(int argc, char **argv)
{
    struct CMUnitTest *tests = NULL;
    size_t n = 0;
    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        if (!d) {
            fprintf(stderr, "api_replay_test: cannot read %s\n", argv[i]);
            return 1;
        }
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            tests = realloc(tests, (n + 1) * sizeof *tests);
            char *path = malloc(strlen(argv[i]) + strlen(e->d_name) + 2);
            if (!tests || !path)
                return 1;
            sprintf(path, "%s/%s", argv[i], e->d_name);
            const char *base = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
            char *name = malloc(strlen(base) + strlen(e->d_name) + 2); /* "regress/api-h2.bin" */
            if (!name)
                return 1;
            sprintf(name, "%s/%s", base, e->d_name);
            tests[n++] = (struct CMUnitTest){.name = name, .test_func = replay, .initial_state = path};
        }
        closedir(d);
    }
    if (!n) {
        fprintf(stderr, "api_replay_test: no inputs\n");
        return 1;
    }
    qsort(tests, n, sizeof *tests, by_name);
    LLVMFuzzerInitialize(&argc, &argv);
    return _cmocka_run_group_tests("fuzz_api_replay", tests, n, NULL, NULL);
}
