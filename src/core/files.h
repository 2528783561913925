/* Files people upload (a proposal's PDF, the photo of a signed paper form): recognised by their
 * first bytes, stored once under DATA_DIR/attachments/COMMUNITY/SHA256 (written to a temporary file,
 * synced, renamed), and read back whole. */
#ifndef LINLI_FILES_H
#define LINLI_FILES_H
#include <stddef.h>
#include <stdint.h>

#define FILE_LIMIT (5u << 20)

/* "application/pdf", "image/jpeg" or "image/png" for those; NULL for anything else. */
const char *file_sniff(const char *data, size_t n);
/* Stores data (if not stored already) and writes its SHA-256 (hex) into hex. 0 or -1. */
int file_store(const char *data_dir, int64_t community_id, const char *data, size_t n, char hex[65]);
/* The stored file with that SHA-256, malloc'd, and its size; NULL if there is none. */
char *file_load(const char *data_dir, int64_t community_id, const char *hex, size_t *n);
#endif
