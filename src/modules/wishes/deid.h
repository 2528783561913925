/* The check that a wish's public story does not identify its beneficiary: phone numbers, ID numbers,
 * door numbers (3栋1502, 2-1503, 502室 …) and the beneficiary's name. Pure; no I/O. */
#ifndef LINLI_DEID_H
#define LINLI_DEID_H

enum deid_finding {
    DEID_PHONE = 1u << 0,
    DEID_IDNUM = 1u << 1,
    DEID_DOOR = 1u << 2,
    DEID_NAME = 1u << 3,
};
/* The findings in story (a bit set; 0 when it may be published). name may be NULL or "". */
unsigned deid_check(const char *story, const char *name);
#endif
