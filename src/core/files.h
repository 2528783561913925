/* Files people upload (a proposal's PDF, the photo of a signed paper form): recognised by their
 * first bytes, stored once under DATA_DIR/attachments/COMMUNITY/HEX, where HEX is the SHA-256 of
 * the bytes in 64 lowercase hex characters (written to a temporary file, synced, renamed), and
 * read back whole.
 *
 * The store names a file only by its reference, "sha256:" and HEX, which only file_store makes. A
 * reference is checked again before every read, and a file is only ever opened relative to its
 * community's folder: the folders are opened with O_DIRECTORY|O_NOFOLLOW, the file with
 * openat(..., O_NOFOLLOW) under a name that is 64 hex characters, so no reference can name a path
 * outside the folder, no symbolic link is followed, and no path is ever built from stored text. A
 * file whose bytes no longer hash to its name (replaced, hard-linked, damaged) is not served. */
#ifndef LINLI_FILES_H
#define LINLI_FILES_H
#include <stddef.h>
#include <stdint.h>

#define FILE_LIMIT (5u << 20)
#define FILE_REF_PREFIX "sha256:"
#define FILE_REF_LEN 71 /* "sha256:" and 64 hex characters */

typedef enum {
    FILE_OK = 0,
    FILE_BAD_REF, /* the reference is not "sha256:" and 64 lowercase hex characters */
    FILE_MISSING, /* no file under that name in the community's folder */
    FILE_DAMAGED, /* something is there, but not the file that was stored: a link, another kind of
                   * file, bytes that do not hash to the name; or a folder on the way is a link */
    FILE_ERROR,   /* the system failed (errno says how) */
} file_rc;

/* "application/pdf", "image/jpeg" or "image/png" for those; NULL for anything else. */
const char *file_sniff(const char *data, size_t n);
/* 1 if ref is exactly "sha256:" followed by 64 lowercase hex characters, else 0 (NULL: 0). */
int file_ref_valid(const char *ref);
/* Stores data (if its file is not there and whole already) in the community's folder and writes
 * its reference into ref. FILE_OK or FILE_ERROR. */
file_rc file_store(const char *data_dir, int64_t community_id, const char *data, size_t n, char ref[FILE_REF_LEN + 1]);
/* The file that ref names in the community's folder: *data (malloc'd, the caller frees it) and *n
 * on FILE_OK; *data is NULL otherwise. */
file_rc file_load(const char *data_dir, int64_t community_id, const char *ref, char **data, size_t *n);
#endif
