/* Text for the server's logs (see log.h). */
#include "core/log.h"
#include "core/validate.h"
#include <stdio.h>
#include <string.h>

char *log_escape(char *out, size_t cap, const char *s)
{
    if (!s)
        s = "-";
    int raw_high = utf8_valid(s); /* Chinese stays readable; stray bytes are shown, not printed */
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int esc = *p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\' || (*p >= 0x80 && !raw_high);
        size_t need = esc ? 4 : 1;
        if (o + need + 4 > cap) { /* room for "..." and the NUL */
            if (raw_high && (*p & 0xC0) == 0x80) { /* never half a character: back to its first byte */
                while (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0x80)
                    o--;
                o--;
            }
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        if (esc) {
            snprintf(out + o, 5, "\\x%02x", *p);
            o += 4;
        } else
            out[o++] = (char)*p;
    }
    out[o] = 0;
    return out;
}
