/* The de-identification check (see deid.h). It scans digit runs by hand: an 11-digit run starting
 * 13–19 is a phone number, 15 or more digits (or 17 and an X) an ID number, a run followed by a
 * unit word (栋 幢 座 号 室 房 单元 楼 层) or joined to another by '-' a door number. */
#include "modules/wishes/deid.h"
#include <string.h>

static const char *const unit_words[] = {"栋", "幢", "座", "号", "室", "房", "单元", "楼", "层", "#", NULL};

static int is_digit(char c) { return c >= '0' && c <= '9'; }

unsigned deid_check(const char *story, const char *name)
{
    unsigned found = 0;
    if (!story)
        return 0;
    const char *p = story;
    while (*p) {
        if (!is_digit(*p)) {
            p++;
            continue;
        }
        const char *start = p;
        while (is_digit(*p))
            p++;
        size_t n = (size_t)(p - start);
        if (n == 11 && start[0] == '1' && start[1] >= '3' && start[1] <= '9')
            found |= DEID_PHONE;
        if (n >= 15 || (n == 17 && (*p == 'X' || *p == 'x')))
            found |= DEID_IDNUM;
        if (*p == '-' && is_digit(p[1]) && n <= 4)
            found |= DEID_DOOR;
        for (int i = 0; unit_words[i] && n <= 5; i++)
            if (strncmp(p, unit_words[i], strlen(unit_words[i])) == 0)
                found |= DEID_DOOR;
    }
    if (name && *name) {
        if (strstr(story, name))
            found |= DEID_NAME;
        /* The given name alone (张小明 → 小明) identifies as well, when it is two characters or more. */
        const char *given = name;
        if ((unsigned char)*given >= 0x80) {
            given++;
            while (*given && ((unsigned char)*given & 0xC0) == 0x80)
                given++;
        }
        if (strlen(given) >= 6 && strstr(story, given))
            found |= DEID_NAME;
    }
    return found;
}
