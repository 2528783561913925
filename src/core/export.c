/* CSV and XLSX exports (see export.h). libxlsxwriter writes only to files, so the workbook goes
 * to a private temporary file that is read back and removed. */
#include "core/export.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

static const char *cell_text(const json_t *v, char *buf, size_t n)
{
    if (!v || json_is_null(v))
        return "";
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    if (json_is_real(v)) {
        snprintf(buf, n, "%g", json_real_value(v));
        return buf;
    }
    if (json_is_boolean(v))
        return json_is_true(v) ? "1" : "0";
    if (json_is_array(v)) {
        size_t used = 0, i;
        json_t *e;
        buf[0] = 0;
        json_array_foreach(v, i, e) {
            if (json_is_string(e))
                used += (size_t)snprintf(buf + used, used < n ? n - used : 0, "%s%s", i ? ";" : "", json_string_value(e));
        }
        return buf;
    }
    return "";
}

static void csv_put(FILE *f, const char *s)
{
    /* A leading = + - @ would make a spreadsheet run a formula, and so would a leading TAB or CR
     * (Excel drops it and reads what follows): prefix the cell with a quote. A ; or a TAB is a
     * separator where the locale or the import says so: such a cell is quoted, like one with a
     * comma, so that it stays one cell and what follows a separator never starts one. */
    int risky = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r';
    if (!risky && !strpbrk(s, ",;\t\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    if (risky)
        fputc('\'', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

char *export_csv(const json_t *items, const column_spec *cols, lang_t lang, size_t *len)
{
    char *out = NULL;
    FILE *f = open_memstream(&out, len);
    if (!f)
        return NULL;
    fputs("\xEF\xBB\xBF", f);
    for (int c = 0; cols[c].key; c++) {
        if (c)
            fputc(',', f);
        csv_put(f, lang == LANG_EN ? cols[c].en : cols[c].zh);
    }
    fputs("\r\n", f);
    size_t i;
    json_t *row;
    char buf[512];
    json_array_foreach(items, i, row) {
        for (int c = 0; cols[c].key; c++) {
            if (c)
                fputc(',', f);
            csv_put(f, cell_text(json_object_get(row, cols[c].key), buf, sizeof buf));
        }
        fputs("\r\n", f);
    }
    if (fclose(f) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

char *export_xlsx(const json_t *items, const column_spec *cols, lang_t lang, const char *sheet, size_t *len)
{
    char path[] = "/tmp/linli-export-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    close(fd);
    char *out = NULL;
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, sheet) : NULL;
    if (ws) {
        lxw_format *bold = workbook_add_format(wb);
        format_set_bold(bold);
        for (int c = 0; cols[c].key; c++) {
            worksheet_write_string(ws, 0, (lxw_col_t)c, lang == LANG_EN ? cols[c].en : cols[c].zh, bold);
            worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, 16, NULL);
        }
        size_t i;
        json_t *row;
        char buf[512];
        json_array_foreach(items, i, row) {
            for (int c = 0; cols[c].key; c++) {
                json_t *v = json_object_get(row, cols[c].key);
                if (json_is_integer(v))
                    worksheet_write_number(ws, (lxw_row_t)(i + 1), (lxw_col_t)c, (double)json_integer_value(v), NULL);
                else
                    worksheet_write_string(ws, (lxw_row_t)(i + 1), (lxw_col_t)c, cell_text(v, buf, sizeof buf), NULL);
            }
        }
    }
    if (wb && workbook_close(wb) == LXW_NO_ERROR && ws) {
        FILE *f = fopen(path, "rb");
        if (f && fseek(f, 0, SEEK_END) == 0) {
            long n = ftell(f);
            rewind(f);
            out = n > 0 ? malloc((size_t)n) : NULL;
            if (out && fread(out, 1, (size_t)n, f) != (size_t)n) {
                free(out);
                out = NULL;
            }
            *len = (size_t)n;
        }
        if (f)
            fclose(f);
    }
    unlink(path);
    return out;
}
