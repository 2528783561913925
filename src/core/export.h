/* Exports of lists for the people who keep Excel sheets: CSV (UTF-8 with a BOM, so that Excel
 * opens Chinese text right) and XLSX (libxlsxwriter). Rows are JSON objects; columns name a key
 * and its header. */
#ifndef LINLI_EXPORT_H
#define LINLI_EXPORT_H
#include "server/http.h"
#include <stddef.h>

/* A malloc'd CSV of items under columns, headers in lang; NULL when out of memory. */
char *export_csv(const json_t *items, const column_spec *cols, lang_t lang, size_t *len);
/* A malloc'd XLSX workbook (one sheet named sheet); NULL on failure. */
char *export_xlsx(const json_t *items, const column_spec *cols, lang_t lang, const char *sheet, size_t *len);
#endif
