/* Uploaded files (see files.h). Every open is relative to a folder descriptor and refuses links;
 * the only names opened are "attachments", the community's number, and 64 hex characters (or the
 * temporary name made from them), none of which comes from stored or client text unchecked. */
#include "core/files.h"
#include "core/fault.h"
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *file_sniff(const char *data, size_t n)
{
    const unsigned char *b = (const unsigned char *)data;
    if (n >= 5 && memcmp(b, "%PDF-", 5) == 0)
        return "application/pdf";
    if (n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
        return "image/jpeg";
    if (n >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "image/png";
    return NULL;
}

int file_ref_valid(const char *ref)
{
    if (!ref || strncmp(ref, FILE_REF_PREFIX, sizeof FILE_REF_PREFIX - 1) != 0)
        return 0;
    const char *h = ref + sizeof FILE_REF_PREFIX - 1;
    for (int i = 0; i < 64; i++) /* stops at the end of a shorter text too */
        if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
            return 0;
    return h[64] == 0;
}

/* Closes fd without changing errno. */
static void close_keep_errno(int fd)
{
    int saved = errno;
    close(fd);
    errno = saved;
}

/* The folder name under parent as a descriptor, made first when create; never through a link. */
static int folder_open(int parent, const char *name, int create)
{
    if (create) {
        if (mkdirat(parent, name, 0700) == 0) {
            if (fsync(parent) != 0) /* the new folder outlives a crash before a file in it is referenced */
                return -1;
        } else if (errno != EEXIST) {
            return -1;
        }
    }
    return openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* DATA_DIR/attachments/COMMUNITY as a descriptor, or -1 with errno set. The data folder itself may
 * be a link (where to keep it is the operator's choice); the folders below it may not. */
static int community_folder(const char *data_dir, int64_t community_id, int create)
{
    if (community_id <= 0) {
        errno = EINVAL;
        return -1;
    }
    int base = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (base < 0)
        return -1;
    int att = folder_open(base, "attachments", create);
    close_keep_errno(base);
    if (att < 0)
        return -1;
    char name[24];
    snprintf(name, sizeof name, "%lld", (long long)community_id);
    int dir = folder_open(att, name, create);
    close_keep_errno(att);
    return dir;
}

/* What a failed open means for a read. */
static file_rc open_failure(void)
{
    if (errno == ENOENT)
        return FILE_MISSING;
    if (errno == ELOOP || errno == ENOTDIR)
        return FILE_DAMAGED;
    return FILE_ERROR;
}

static void hex_of(const char *data, size_t n, char hex[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)data, n);
    sodium_bin2hex(hex, 65, h, sizeof h);
}

/* Reads the file hex in dir whole, if it is a regular file of at most FILE_LIMIT bytes whose
 * SHA-256 is hex. O_NONBLOCK: a FIFO put there must not hang the request. */
static file_rc read_checked(int dir, const char *hex, char **data, size_t *n)
{
    int fd = openat(dir, hex, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return open_failure();
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close_keep_errno(fd);
        return FILE_ERROR;
    }
    if (!S_ISREG(st.st_mode) || st.st_size < 0 || (uint64_t)st.st_size > FILE_LIMIT) {
        close(fd);
        return FILE_DAMAGED;
    }
    size_t size = (size_t)st.st_size, got = 0;
    char *buf = linli_malloc(size ? size : 1);
    if (!buf) {
        close(fd);
        errno = ENOMEM;
        return FILE_ERROR;
    }
    ssize_t k = 1;
    while (got < size && k > 0) {
        k = read(fd, buf + got, size - got);
        if (k < 0 && errno == EINTR)
            k = 1;
        else if (k > 0)
            got += (size_t)k;
    }
    close_keep_errno(fd);
    if (k < 0) {
        free(buf);
        return FILE_ERROR;
    }
    char have[65];
    hex_of(buf, got, have);
    if (got != size || strcmp(have, hex) != 0) {
        free(buf);
        return FILE_DAMAGED;
    }
    *data = buf;
    *n = size;
    return FILE_OK;
}

file_rc file_store(const char *data_dir, int64_t community_id, const char *data, size_t n, char ref[FILE_REF_LEN + 1])
{
    memcpy(ref, FILE_REF_PREFIX, sizeof FILE_REF_PREFIX - 1);
    char *hex = ref + sizeof FILE_REF_PREFIX - 1;
    hex_of(data, n, hex);
    int dir = community_folder(data_dir, community_id, 1);
    if (dir < 0)
        return FILE_ERROR;
    char *have = NULL;
    size_t have_n = 0;
    if (read_checked(dir, hex, &have, &have_n) == FILE_OK) { /* the same bytes, whole, are there already */
        free(have);
        close(dir);
        return FILE_OK;
    }
    /* Anything else under the name (nothing, a link, other bytes) is replaced by the rename: the
     * rename swaps the name itself and never writes through what it named. */
    char tmp[96];
    snprintf(tmp, sizeof tmp, ".%s.%08x.tmp", hex, (unsigned)randombytes_random());
    int fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        close_keep_errno(dir);
        return FILE_ERROR;
    }
    size_t put = 0;
    while (put < n) {
        ssize_t k = write(fd, data + put, n - put);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        put += (size_t)k;
    }
    int ok = put == n && fsync(fd) == 0;
    if (close(fd) != 0)
        ok = 0;
    if (!ok || renameat(dir, tmp, dir, hex) != 0) {
        int saved = errno;
        unlinkat(dir, tmp, 0); /* best effort: a leftover temporary file is only wasted space */
        close(dir);
        errno = saved;
        return FILE_ERROR;
    }
    ok = fsync(dir) == 0; /* the new name outlives a crash once the reference is committed */
    close_keep_errno(dir);
    return ok ? FILE_OK : FILE_ERROR;
}

file_rc file_load(const char *data_dir, int64_t community_id, const char *ref, char **data, size_t *n)
{
    *data = NULL;
    *n = 0;
    if (!file_ref_valid(ref))
        return FILE_BAD_REF;
    int dir = community_folder(data_dir, community_id, 0);
    if (dir < 0)
        return open_failure();
    file_rc rc = read_checked(dir, ref + sizeof FILE_REF_PREFIX - 1, data, n);
    close_keep_errno(dir);
    return rc;
}
