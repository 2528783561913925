/* Static files (see static.h). Bodies live as long as the application and are handed to
 * libmicrohttpd without copying. Hashed assets (under /assets/) are cached for a year; index.html
 * is revalidated every time. */
#include "server/static.h"
#include "server/reply.h"
#include <dirent.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

struct sfile {
    char *path; /* "/assets/index-abc.js" */
    char *data, *gz;
    size_t len, gzlen;
    char etag[40];
    const char *ctype;
};

struct static_files {
    struct sfile *files;
    int n, cap;
    int index;
};

static const char *content_type(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
        {".json", "application/json"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
        {".jpg", "image/jpeg"}, {".ico", "image/x-icon"}, {".woff2", "font/woff2"},
        {".woff", "font/woff"}, {".ttf", "font/ttf"}, {".txt", "text/plain; charset=utf-8"},
        {".webmanifest", "application/manifest+json"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

static int compressible(const char *ctype)
{
    return strncmp(ctype, "text/", 5) == 0 || strstr(ctype, "json") || strstr(ctype, "svg");
}

static char *gzip_bytes(const char *in, size_t len, size_t *outlen)
{
    z_stream z = {0};
    if (deflateInit2(&z, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&z, len) + 32;
    char *out = malloc(cap);
    if (out) {
        z.next_in = (Bytef *)in;
        z.avail_in = (uInt)len;
        z.next_out = (Bytef *)out;
        z.avail_out = (uInt)cap;
        if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
            free(out);
            out = NULL;
        } else
            *outlen = z.total_out;
    }
    deflateEnd(&z);
    return out;
}

static int add_file(struct static_files *sf, const char *full, const char *rel)
{
    FILE *f = fopen(full, "rb");
    if (!f)
        return -1;
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        fclose(f);
        return -1;
    }
    char *data = malloc((size_t)st.st_size + 1);
    if (!data || fread(data, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        free(data);
        fclose(f);
        return -1;
    }
    fclose(f);
    if (sf->n == sf->cap) {
        sf->cap = sf->cap ? sf->cap * 2 : 64;
        struct sfile *nf = realloc(sf->files, (size_t)sf->cap * sizeof *nf);
        if (!nf) {
            free(data);
            return -1;
        }
        sf->files = nf;
    }
    struct sfile *e = &sf->files[sf->n];
    memset(e, 0, sizeof *e);
    e->path = strdup(rel);
    e->data = data;
    e->len = (size_t)st.st_size;
    e->ctype = content_type(rel);
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (unsigned char *)data, e->len, NULL, 0);
    e->etag[0] = '"';
    sodium_bin2hex(e->etag + 1, 33, h, sizeof h);
    strcat(e->etag, "\"");
    if (compressible(e->ctype) && e->len > 256) {
        e->gz = gzip_bytes(data, e->len, &e->gzlen);
        if (e->gz && e->gzlen >= e->len) {
            free(e->gz);
            e->gz = NULL;
        }
    }
    if (strcmp(rel, "/index.html") == 0)
        sf->index = sf->n;
    sf->n++;
    return 0;
}

static int walk(struct static_files *sf, const char *dir, const char *rel)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char full[4096], r2[4096];
        snprintf(full, sizeof full, "%s/%s", dir, de->d_name);
        snprintf(r2, sizeof r2, "%s/%s", rel, de->d_name);
        struct stat st;
        if (stat(full, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            rc = walk(sf, full, r2);
        else if (S_ISREG(st.st_mode) && !strstr(de->d_name, ".gz"))
            rc = add_file(sf, full, r2);
    }
    closedir(d);
    return rc;
}

struct static_files *static_load(const char *dir, char *err, size_t errlen)
{
    struct static_files *sf = calloc(1, sizeof *sf);
    if (!sf)
        return NULL;
    sf->index = -1;
    if (walk(sf, dir, "") != 0 || sf->index < 0) {
        snprintf(err, errlen, "no built pages in %s (run `make web`)", dir);
        static_free(sf);
        return NULL;
    }
    return sf;
}

void static_free(struct static_files *sf)
{
    if (!sf)
        return;
    for (int i = 0; i < sf->n; i++) {
        free(sf->files[i].path);
        free(sf->files[i].data);
        free(sf->files[i].gz);
    }
    free(sf->files);
    free(sf);
}

int static_count(const struct static_files *sf) { return sf ? sf->n : 0; }

extern void http_reply_static(req *r, const char *data, size_t len); /* http.c */

int static_serve(req *r, const struct static_files *sf, const char *path)
{
    if (!sf)
        return -1;
    const struct sfile *e = NULL;
    for (int i = 0; i < sf->n && !e; i++)
        if (strcmp(sf->files[i].path, path) == 0)
            e = &sf->files[i];
    if (!e) {
        /* A missing asset is a 404; any other path is a page of the app. */
        if (strncmp(path, "/assets/", 8) == 0)
            return -1;
        e = &sf->files[sf->index];
    }
    int immutable = strncmp(e->path, "/assets/", 8) == 0;
    reply_header(r, "Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
    reply_header(r, "ETag", e->etag);
    r->ctype = e->ctype;
    const char *inm = req_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
    if (inm && strstr(inm, e->etag)) {
        r->status = 304;
        return 0;
    }
    const char *ae = req_header(r, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    r->status = 200;
    if (e->gz) {
        reply_header(r, "Vary", "Accept-Encoding");
        if (ae && strstr(ae, "gzip")) {
            reply_header(r, "Content-Encoding", "gzip");
            http_reply_static(r, e->gz, e->gzlen);
            return 0;
        }
    }
    http_reply_static(r, e->data, e->len);
    return 0;
}
