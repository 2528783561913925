/* The built web pages (web/dist), loaded into memory at start with a gzip copy and an ETag for
 * each file, served with cache headers; paths that are not files fall back to index.html so the
 * app's own routes work on reload. */
#ifndef LINLI_STATIC_H
#define LINLI_STATIC_H
#include "server/http.h"

struct static_files;
/* Loads every file under dir. NULL with err set if dir has no index.html. */
struct static_files *static_load(const char *dir, char *err, size_t errlen);
void static_free(struct static_files *sf);
/* Answers GET/HEAD path from the files (or index.html); returns 0 when it replied. */
int static_serve(req *r, const struct static_files *sf, const char *path);
/* Number of files loaded. */
int static_count(const struct static_files *sf);
#endif
