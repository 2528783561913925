/* The clock rules and deadlines are measured against. It is the system clock; a test may move it
 * forward by writing a number of seconds into the file named by LINLI_TEST_CLOCK_FILE (read on
 * every call, only when that variable is set), so that "24 hours later" can be tested in seconds. */
#ifndef LINLI_CLOCK_H
#define LINLI_CLOCK_H
#include <stdint.h>

/* UTC seconds now. */
int64_t clock_now(void);
/* UTC seconds now for timing sessions (their idle and absolute limits): the system clock, which a
 * test moves by LINLI_TEST_SESSION_CLOCK_FILE, apart from the clock above, so that a test which lets
 * a claim's 8 days pass does not also log its staff out. */
int64_t clock_session_now(void);
/* "YYYY-MM-DD" (UTC+8, the community's day) of t, into out[11]. */
void clock_day(int64_t t, char out[11]);
#endif
