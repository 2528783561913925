/* The clock (see clock.h). */
#include "core/clock.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* The system clock plus the seconds written in the file the variable env names (if it is set). */
static int64_t clock_moved(const char *env)
{
    int64_t now = (int64_t)time(NULL);
    const char *path = getenv(env);
    if (path && *path) {
        FILE *f = fopen(path, "r");
        long long offset = 0;
        if (f) {
            if (fscanf(f, "%lld", &offset) != 1)
                offset = 0;
            fclose(f);
        }
        now += offset;
    }
    return now;
}

int64_t clock_now(void)
{
    return clock_moved("LINLI_TEST_CLOCK_FILE");
}

int64_t clock_session_now(void)
{
    return clock_moved("LINLI_TEST_SESSION_CLOCK_FILE");
}

void clock_day(int64_t t, char out[11])
{
    time_t local = (time_t)(t + 8 * 3600); /* China Standard Time, no daylight saving */
    struct tm tm;
    gmtime_r(&local, &tm);
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)(tm.tm_year + 1900) % 10000u, (unsigned)(tm.tm_mon + 1) % 100u,
             (unsigned)tm.tm_mday % 100u);
}
