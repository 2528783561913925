/* Uploaded files (see files.h). */
#include "core/files.h"
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

static void file_path(char *out, size_t len, const char *data_dir, int64_t community_id, const char *hex)
{
    snprintf(out, len, "%s/attachments/%lld/%s", data_dir, (long long)community_id, hex ? hex : "");
}

int file_store(const char *data_dir, int64_t community_id, const char *data, size_t n, char hex[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)data, n);
    sodium_bin2hex(hex, 65, h, sizeof h);
    char dir[4200], path[4300], tmp[4400];
    snprintf(dir, sizeof dir, "%s/attachments", data_dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return -1;
    file_path(dir, sizeof dir, data_dir, community_id, NULL);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return -1;
    file_path(path, sizeof path, data_dir, community_id, hex);
    struct stat st;
    if (stat(path, &st) == 0)
        return 0; /* the same bytes are stored already */
    snprintf(tmp, sizeof tmp, "%s.tmp%d", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return -1;
    int ok = write(fd, data, n) == (ssize_t)n && fsync(fd) == 0;
    close(fd);
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

char *file_load(const char *data_dir, int64_t community_id, const char *hex, size_t *n)
{
    char path[4300];
    file_path(path, sizeof path, data_dir, community_id, hex);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *data = malloc(FILE_LIMIT);
    *n = data ? fread(data, 1, FILE_LIMIT, f) : 0;
    fclose(f);
    return data;
}
