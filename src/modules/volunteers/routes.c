/* The volunteers module's route table. Staff and social workers manage; volunteers act for
 * themselves (the "volunteers.self" routes find the caller's own volunteer record); the certificate
 * check, the leaderboard and the calendar feed are public. */
#include "modules/volunteers/volunteers.h"
#include "server/reply.h"

static const char *const decisions[] = {"approve", "decline", NULL};
static const char *const kinds[] = {"bazaar", "sports", "safety", "elder_care", "environment", "culture", "event", NULL};
static const char *const attendance_actions[] = {"checkin", "checkout", NULL};

static const field_spec apply_body[] = {
    {"name", F_STR, 1, 30, NULL, "name"},
    {"phone", F_PHONE, 0, 0, NULL, "mobile number; stored encrypted"},
    {"id_number", F_IDNUM, 0, 0, NULL, "ID number (for the hours certificate, shown masked); stored encrypted"},
    {"birth_year", F_INT, 1, 2100, NULL, "year of birth; under 18 is a minor"},
    {"guardian_name", F_STR, 0, 30, NULL, "guardian of a minor (required for minors)"},
    {"guardian_consent", F_BOOL, 0, 0, NULL, "the guardian's consent was seen (staff)"},
    {"skills", F_STR, 0, 200, NULL, "skills, e.g. 摄影、急救"},
    {"availability", F_STR, 0, 200, NULL, "when they can serve"},
    {"team_ids", F_IDS, 0, 0, NULL, "teams to join"},
    {"for_someone", F_BOOL, 0, 0, NULL, "staff register someone else (who came to the office)", .perm = "volunteers.register_others"},
    {0},
};
static const field_spec decide_body[] = {
    {"decision", F_ENUM, 1, 0, decisions, "approve or decline"},
    {"reason", F_STR, 0, 200, NULL, "why (required to decline)"},
    {0},
};
static const field_spec consent_body[] = {
    {"guardian_name", F_STR, 1, 30, NULL, "the guardian who consented"},
    {0},
};
static const field_spec team_body[] = {
    {"name", F_STR, 1, 60, NULL, "team name, e.g. 丰华花苑志愿服务队"},
    {"compound_id", F_ID, 0, 0, NULL, "the compound of a compound team"},
    {0},
};
static const field_spec training_body[] = {
    {"title", F_STR, 1, 80, NULL, "e.g. 志愿服务理念培训"},
    {"held_at", F_INT, 1, 0, NULL, "when (UTC seconds)"},
    {"place", F_STR, 0, 80, NULL, "where"},
    {0},
};
static const field_spec attend_body[] = {
    {"volunteer_ids", F_IDS, 1, 0, NULL, "volunteers who attended"},
    {0},
};
static const field_spec settings_body[] = {
    {"star_thresholds", F_IDS, 1, 0, NULL, "five increasing hour thresholds for one to five stars"},
    {"issuer_name", F_STR, 0, 80, NULL, "the organisation that issues certificates"},
    {"issuer_person", F_STR, 0, 30, NULL, "its responsible person"},
    {"issuer_contact", F_STR, 0, 40, NULL, "its contact (phone)"},
    {0},
};
static const field_spec activity_body[] = {
    {"title", F_STR, 1, 80, NULL, "e.g. 敬老院恒常服务"},
    {"kind", F_ENUM, 0, 0, kinds, "kind of activity"},
    {"place", F_STR, 0, 80, NULL, "where"},
    {"organiser", F_STR, 0, 80, NULL, "the organising unit, as recorded on hours"},
    {"description", F_STR, 0, 2000, NULL, "what volunteers do"},
    {"grace_minutes", F_INT, 0, 240, NULL, "minutes beyond the shift that still count (default 30)"},
    {"weekly", F_BOOL, 0, 0, NULL, "a recurring weekly activity"},
    {0},
};
static const field_spec shift_body[] = {
    {"starts_at", F_INT, 1, 0, NULL, "start (UTC seconds)"},
    {"ends_at", F_INT, 1, 0, NULL, "end (UTC seconds)"},
    {"capacity", F_INT, 1, 10000, NULL, "seats"},
    {"adults_only", F_BOOL, 0, 0, NULL, "minors may not sign up"},
    {"training_id", F_ID, 0, 0, NULL, "a training volunteers must have attended"},
    {"cancel_deadline", F_INT, 0, 0, NULL, "cancellations until (default: 2 hours before the start)"},
    {"repeat_weeks", F_INT, 0, 52, NULL, "create the shift on this many consecutive weeks"},
    {0},
};
static const field_spec scan_body[] = {
    {"token", F_STR, 1, 200, NULL, "the token from the shift's QR code"},
    {0},
};
static const field_spec attendance_body[] = {
    {"volunteer_id", F_ID, 1, 0, NULL, "who"},
    {"action", F_ENUM, 1, 0, attendance_actions, "checkin or checkout"},
    {0},
};
static const field_spec report_body[] = {
    {"served_on", F_STR, 1, 10, NULL, "the day, YYYY-MM-DD"},
    {"minutes", F_INT, 1, 1440, NULL, "duration in minutes"},
    {"description", F_STR, 1, 200, NULL, "what was done"},
    {"activity_id", F_ID, 0, 0, NULL, "the activity, if any"},
    {0},
};
static const field_spec entry_body[] = {
    {"volunteer_id", F_ID, 1, 0, NULL, "whose hours"},
    {"served_on", F_STR, 1, 10, NULL, "the day, YYYY-MM-DD"},
    {"minutes", F_INT, 1, 1440, NULL, "duration in minutes"},
    {"description", F_STR, 1, 200, NULL, "what was done"},
    {"activity_id", F_ID, 0, 0, NULL, "the activity, if any"},
    {"reason", F_STR, 1, 200, NULL, "why staff enter it (offline work)"},
    {0},
};
static const field_spec hours_decide_body[] = {
    {"ids", F_IDS, 1, 0, NULL, "hour records to decide"},
    {"decision", F_ENUM, 1, 0, decisions, "approve or decline"},
    {"reason", F_STR, 0, 200, NULL, "why (required to decline)"},
    {0},
};
static const field_spec correct_body[] = {
    {"minutes", F_INT, 1, 1440, NULL, "the right duration"},
    {"served_on", F_STR, 0, 10, NULL, "the right day, if it changes"},
    {"reason", F_STR, 1, 200, NULL, "why"},
    {0},
};
static const field_spec cert_body[] = {
    {"from", F_STR, 1, 10, NULL, "first day, YYYY-MM-DD"},
    {"to", F_STR, 1, 10, NULL, "last day, YYYY-MM-DD"},
    {0},
};
static const field_spec revoke_body[] = {
    {"reason", F_STR, 1, 200, NULL, "why"},
    {0},
};

static const column_spec vol_columns[] = {
    {"number", "志愿者编号", "Number"}, {"name", "姓名", "Name"}, {"status", "状态", "Status"},
    {"is_minor", "未成年", "Minor"}, {"skills", "技能", "Skills"}, {"hours", "服务时长(小时)", "Hours"},
    {"star", "星级", "Stars"}, {0},
};
static const column_spec roster_columns[] = {
    {"number", "志愿者编号", "Number"}, {"name", "姓名", "Name"}, {"status", "报名状态", "Status"},
    {"checkin_at", "签到时间", "Checked in"}, {"checkout_at", "签退时间", "Checked out"}, {0},
};
static const column_spec hour_columns[] = {
    {"volunteer_number", "志愿者编号", "Number"}, {"volunteer_name", "姓名", "Name"}, {"served_on", "服务日期", "Date"},
    {"activity_title", "活动", "Activity"}, {"minutes", "时长(分钟)", "Minutes"}, {"organiser", "组织单位", "Organiser"},
    {"source", "来源", "Source"}, {"status", "状态", "Status"}, {"recorded_by", "记录人", "Recorded by"}, {0},
};
static const column_spec award_columns[] = {
    {"rank", "名次", "Rank"}, {"volunteer_number", "志愿者编号", "Number"}, {"volunteer_name", "姓名", "Name"},
    {"hours", "服务时长(小时)", "Hours"}, {"activities", "参与活动数", "Activities"}, {0},
};
static const column_spec monthly_columns[] = {
    {"volunteer_number", "志愿者编号", "Number"}, {"volunteer_name", "姓名", "Name"}, {"month", "月份", "Month"},
    {"hours", "服务时长(小时)", "Hours"}, {"records", "记录数", "Records"}, {0},
};
static const column_spec plain_columns[] = {{"id", "编号", "ID"}, {"name", "名称", "Name"}, {0}};
static const column_spec act_columns[] = {{"id", "编号", "ID"}, {"title", "活动", "Activity"}, {"place", "地点", "Place"}, {"organiser", "组织单位", "Organiser"}, {0}};
static const column_spec shift_columns[] = {{"id", "编号", "ID"}, {"activity_title", "活动", "Activity"}, {"starts_at", "开始", "Starts"}, {"ends_at", "结束", "Ends"}, {"capacity", "名额", "Seats"}, {"confirmed", "已报名", "Confirmed"}, {0}};
static const column_spec training_columns[] = {{"id", "编号", "ID"}, {"title", "培训", "Training"}, {"held_at", "时间", "When"}, {"attended", "参加人数", "Attended"}, {0}};

static const char *const vol_query[] = {"q", "status", NULL};
static const char *const calendar_query[] = {"token", NULL}; /* the feed's key (vol_calendar) */
static const char *const hour_query[] = {"status", "volunteer_id", NULL};
static const char *const year_query[] = {"year", NULL};
static const char *const window_query[] = {"from", "to", NULL};
static const char *const search_query[] = {"q", NULL}; /* activities by title */
/* k: the certificate's key, from its QR code (without it the check says only whether it is valid). */
static const char *const cert_key_query[] = {"k", NULL};

#define C "/api/v1/communities/{community_id}"
static const route volunteer_routes[] = {
    {"GET", C "/volunteers", vol_list, "volunteers.read", R_LIST, NULL, vol_columns, "volunteers", "Volunteers (?status=approved)", 0, vol_query},
    {"POST", C "/volunteers", vol_apply, "volunteers.apply", R_IDEMPOTENT, apply_body, NULL, "volunteers", "Apply to volunteer (or register someone, staff)", 0, NULL},
    {"GET", C "/volunteers/me", vol_me, "volunteers.apply", 0, NULL, NULL, "volunteers", "The caller's own volunteer record", 0, NULL},
    {"GET", C "/volunteers/me/certificates", cert_mine, "volunteers.self", 0, NULL, NULL, "volunteers", "The caller's own hours certificates", 0, NULL},
    {"GET", C "/volunteers/me/calendar", vol_calendar_link, "volunteers.self", 0, NULL, NULL, "volunteers", "The caller's private calendar feed URL", 0, NULL},
    {"GET", C "/volunteers/awards", hours_awards, "volunteers.read", R_LIST, NULL, award_columns, "volunteers", "Annual awards (年度嘉奖) ranking by approved hours", 0, year_query},
    {"GET", C "/volunteers/leaderboard", hours_leaderboard, NULL, R_PUBLIC, NULL, NULL, "volunteers", "Public leaderboard (minors' names masked)", 0, year_query},
    {"GET", C "/volunteers/{volunteer_id}", vol_get, "volunteers.read", 0, NULL, NULL, "volunteers", "One volunteer with hours and star level", 0, NULL},
    {"POST", C "/volunteers/{volunteer_id}/decision", vol_decide, "volunteers.manage", R_IDEMPOTENT, decide_body, NULL, "volunteers", "Approve or decline an application", 0, NULL},
    {"POST", C "/volunteers/{volunteer_id}/guardian-consent", vol_consent, "volunteers.manage", R_IDEMPOTENT, consent_body, NULL, "volunteers", "Record a minor's guardian consent", 0, NULL},
    {"POST", C "/volunteers/{volunteer_id}/certificates", cert_issue, "volunteers.manage", R_IDEMPOTENT, cert_body, NULL, "volunteers", "Issue an hours certificate (志愿服务记录证明)", 0, NULL},
    {"GET", C "/volunteers/{volunteer_id}/calendar.ics", vol_calendar, NULL, R_PUBLIC, NULL, NULL, "volunteers", "A volunteer's shifts as iCalendar (token in the URL)", 0, calendar_query},
    {"GET", C "/volunteer-teams", vol_teams_list, "volunteers.read", R_LIST, NULL, plain_columns, "volunteers", "Volunteer teams", 0, NULL},
    {"POST", C "/volunteer-teams", vol_teams_create, "volunteers.manage", R_IDEMPOTENT, team_body, NULL, "volunteers", "Add a team", 0, NULL},
    {"GET", C "/volunteer-settings", vol_settings_get, "volunteers.read", 0, NULL, NULL, "volunteers", "Star thresholds and certificate issuer", 0, NULL},
    {"PUT", C "/volunteer-settings", vol_settings_put, "volunteers.settings", 0, settings_body, NULL, "volunteers", "Change star thresholds and issuer (lower thresholds wait for another staff member: 202)", 0, NULL},
    {"GET", C "/trainings", vol_trainings_list, "activities.read", R_LIST, NULL, training_columns, "volunteers", "Trainings", 0, NULL},
    {"POST", C "/trainings", vol_trainings_create, "volunteers.manage", R_IDEMPOTENT, training_body, NULL, "volunteers", "Add a training", 0, NULL},
    {"POST", C "/trainings/{training_id}/attendance", vol_trainings_attend, "volunteers.manage", R_IDEMPOTENT, attend_body, NULL, "volunteers", "Record who attended a training", 0, NULL},
    {"GET", C "/activities", act_list, "activities.read", R_LIST, NULL, act_columns, "volunteers", "Activities", 0, search_query},
    {"POST", C "/activities", act_create, "volunteers.manage", R_IDEMPOTENT, activity_body, NULL, "volunteers", "Add an activity", 0, NULL},
    {"GET", C "/activities/{activity_id}", act_get, "activities.read", 0, NULL, NULL, "volunteers", "An activity and its shifts", 0, NULL},
    {"POST", C "/activities/{activity_id}/shifts", shift_create, "volunteers.manage", R_IDEMPOTENT, shift_body, NULL, "volunteers", "Add a shift (or weekly shifts)", 0, NULL},
    {"GET", C "/shifts", shift_list, "activities.read", R_LIST, NULL, shift_columns, "volunteers", "Shifts in a time window (default: upcoming)", 0, window_query},
    {"GET", C "/shifts/mine", shift_mine, "volunteers.self", 0, NULL, NULL, "volunteers", "The caller's shifts", 0, NULL},
    {"POST", C "/shifts/{shift_id}/signup", shift_signup, "volunteers.self", R_IDEMPOTENT, NULL, NULL, "volunteers", "Sign up (a seat, else the waitlist)", 0, NULL},
    {"POST", C "/shifts/{shift_id}/cancel", shift_cancel, "volunteers.self", R_IDEMPOTENT, NULL, NULL, "volunteers", "Cancel before the deadline", 0, NULL},
    {"GET", C "/shifts/{shift_id}/roster", shift_roster, "volunteers.manage", R_LIST, NULL, roster_columns, "volunteers", "Roster with attendance", 0, NULL},
    {"GET", C "/shifts/{shift_id}/qr", shift_qr, "volunteers.manage", 0, NULL, NULL, "volunteers", "A check-in QR code (SVG) with a signed token", 0, NULL},
    {"POST", C "/shifts/{shift_id}/scan", shift_scan, "volunteers.self", R_IDEMPOTENT, scan_body, NULL, "volunteers", "Scan the QR code: check in, then out", 0, NULL},
    {"POST", C "/shifts/{shift_id}/attendance", shift_attendance, "volunteers.manage", R_IDEMPOTENT, attendance_body, NULL, "volunteers", "Check someone in or out from the roster", 0, NULL},
    {"GET", C "/hours", hours_list, "volunteers.read", R_LIST, NULL, hour_columns, "volunteers", "Hour records (?status=pending)", 0, hour_query},
    {"GET", C "/hours/monthly", hours_monthly, "volunteers.read", R_LIST, NULL, monthly_columns, "volunteers", "Approved hours by volunteer and month", 0, year_query},
    {"GET", C "/hours/mine", hours_list, "volunteers.self", R_LIST, NULL, hour_columns, "volunteers", "The caller's hour records", 0, hour_query},
    {"POST", C "/hours", hours_report, "volunteers.self", R_IDEMPOTENT, report_body, NULL, "volunteers", "Report hours for work away from a shift", 0, NULL},
    {"POST", C "/hours/entries", hours_report, "volunteers.manage", R_IDEMPOTENT, entry_body, NULL, "volunteers", "Staff enter hours for offline work", 0, NULL},
    {"POST", C "/hours/decision", hours_decide, "volunteers.manage", R_IDEMPOTENT, hours_decide_body, NULL, "volunteers", "Approve or decline hour records (bulk)", 0, NULL},
    {"POST", C "/hours/{hour_id}/correct", hours_correct, "volunteers.manage", R_IDEMPOTENT, correct_body, NULL, "volunteers", "Correct a record (adds one, keeps the old)", 0, NULL},
    {"GET", C "/certificates/{certificate_id}", cert_get, "volunteers.read", 0, NULL, NULL, "volunteers", "A certificate for printing", 0, NULL},
    {"POST", C "/certificates/{certificate_id}/revoke", cert_revoke, "volunteers.manage", R_IDEMPOTENT, revoke_body, NULL, "volunteers", "Revoke a certificate", 0, NULL},
    {"GET", "/api/v1/certificates/{serial}", cert_verify, NULL, R_PUBLIC, NULL, NULL, "volunteers", "Check a certificate (public; the details only with ?k=, its key; throttled)", 0, cert_key_query},
    {"GET", "/api/v1/certificates/{serial}/qr.svg", cert_qr, NULL, R_PUBLIC, NULL, NULL, "volunteers", "The QR code to print on a certificate (SVG; ?k= the certificate's key)", 0, cert_key_query},
};
#undef C

static const char sql_stats[] =
    "SELECT count(*) FROM volunteers WHERE community_id = $1 AND status = 'approved'";

static int volunteer_stats(req *r, json_t *stats)
{
    int64_t n = 0;
    int found;
    const char *p[1] = {arena_i64(r->a, r->community_id)};
    if (q_i64(r, sql_stats, 1, p, &n, &found) != 0)
        return -1;
    json_object_set_new(stats, "volunteers", json_integer(n));
    return 0;
}

const module volunteers_module = {"volunteers", volunteer_routes, sizeof volunteer_routes / sizeof volunteer_routes[0], volunteer_stats};
