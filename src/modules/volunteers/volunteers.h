/* Module 2, volunteers (志愿服务). register.c: the register, approval, teams, trainings, settings;
 * shifts.c: activities, shifts, sign-up with waitlist, QR check-in and check-out; hours.c: hour
 * records, approval, corrections, star levels, the annual awards and the public leaderboard;
 * certs.c: hours certificates and their public check, the iCalendar feed; demo.c: the demo team. */
#ifndef LINLI_VOLUNTEERS_H
#define LINLI_VOLUNTEERS_H
#include "server/http.h"

/* register.c */
void vol_list(req *r);
void vol_apply(req *r);
void vol_get(req *r);
void vol_me(req *r);
void vol_decide(req *r);
void vol_consent(req *r);
void vol_teams_list(req *r);
void vol_teams_create(req *r);
void vol_trainings_list(req *r);
void vol_trainings_create(req *r);
void vol_trainings_attend(req *r);
void vol_settings_get(req *r);
void vol_settings_put(req *r);
/* The caller's approved volunteer id in the community; 0 (after replying 403) if none. */
int64_t vol_caller(req *r);
/* 0 when the volunteer record is not the caller's own (not linked to the caller's account); -1
 * after replying 403 self_approval (or a store error). Nobody approves, enters, corrects or
 * certifies their own service: the rule of every step that makes hours count. */
int vol_not_own(req *r, int64_t volunteer);
/* The star level (0–5) of minutes of service under the community's thresholds (hours, "100,300,…"). */
int vol_star(int64_t minutes, const char *thresholds);

/* shifts.c */
void act_list(req *r);
void act_create(req *r);
void act_get(req *r);
void shift_create(req *r);
void shift_list(req *r);
void shift_signup(req *r);
void shift_cancel(req *r);
void shift_roster(req *r);
void shift_qr(req *r);
void shift_scan(req *r);
void shift_attendance(req *r);
void shift_mine(req *r);
/* Checks out everyone still checked in 24 hours after check-in, flagged for review. */
int shift_sweep(req *r);
/* The same for a read: takes the write lock only when someone is due to be checked out. */
int shift_sweep_if_needed(req *r);
/* The token of a shift's check-in QR code, "community.shift.expires.mac": the three numbers as
 * %lld writes them, and the MAC (crypto_mac_hex, 32 lowercase hex digits) of "community.shift.expires"
 * under k. In a; NULL when out of memory. */
char *qr_token_mint(arena *a, const struct crypto_keys *k, int64_t community, int64_t shift, int64_t expires);
/* The numbers of a token of that shape, its MAC unchecked: 0, or -1 when token is anything else
 * (a '+', a leading zero, a space, a short or uppercase MAC, text after it). */
int qr_token_parse(const char *token, int64_t *community, int64_t *shift, int64_t *expires);
/* 0, with the numbers, when token is exactly what qr_token_mint makes for them under k; else -1.
 * Whether the numbers fit the shift and the clock is the caller's check. */
int qr_token_check(arena *a, const struct crypto_keys *k, const char *token, int64_t *community, int64_t *shift,
                   int64_t *expires);

/* hours.c */
void hours_list(req *r);
void hours_report(req *r);
void hours_decide(req *r);
void hours_correct(req *r);
void hours_awards(req *r);
void hours_leaderboard(req *r);
void hours_monthly(req *r);
/* The most approved minutes one volunteer may have on one (China) day: 16 hours. Entries,
 * approvals and corrections that would pass it are refused. */
#define VOL_DAY_MAX_MINUTES 960
/* Adds an hour record inside the open transaction; 0 or -1 after replying. */
int hours_add(req *r, int64_t volunteer, int64_t activity, int64_t shift, const char *day, int64_t minutes,
              const char *description, const char *source, const char *status, int flagged, const char *reason,
              int64_t corrects, int64_t *id);

/* certs.c */
void cert_issue(req *r);
void cert_get(req *r);
void cert_revoke(req *r);
void cert_verify(req *r);
void cert_qr(req *r);
void cert_mine(req *r);
void vol_calendar(req *r);
void vol_calendar_link(req *r);

/* demo.c: the 109 volunteers of the article, their teams, two years of service and upcoming shifts. */
int volunteers_demo_create(store *s, const struct crypto_keys *k, int64_t community_id, char *err, size_t errlen);

/* SQL shared by the files: approved minutes of one volunteer ($1 community, $2 volunteer), skipping
 * records that a correction replaced. */
#define VOL_APPROVED_MINUTES(h)                                                                          \
    "COALESCE((SELECT sum(" h ".minutes) FROM hour_records " h " WHERE " h ".community_id = v.community_id " \
    "AND " h ".volunteer_id = v.id AND " h ".status = 'approved' AND NOT EXISTS (SELECT 1 FROM hour_records c " \
    "WHERE c.community_id = " h ".community_id AND c.corrects_id = " h ".id)), 0)"
#endif
