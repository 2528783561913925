/* The message catalogue of i18n.h. A code is a short English key; each has a zh-CN and an English
 * text. Field checks (required, too_long, …) are codes too, so field errors read naturally. */
#include "core/i18n.h"
#include <string.h>
#include <strings.h>

static const struct {
    const char *code, *zh, *en;
} catalogue[] = {
    /* errors */
    {"bad_request", "请求格式不正确", "The request is malformed"},
    {"invalid_query", "地址中的查询参数不是有效的 UTF-8 文本", "The query string is not valid UTF-8 text"},
    {"invalid_json", "请求内容不是有效的 JSON 对象", "The body is not a valid JSON object"},
    {"unauthorized", "请先登录", "Please log in first"},
    {"bad_credentials", "账号或密码不正确", "Wrong login or password"},
    {"forbidden", "您没有权限执行此操作", "You are not allowed to do this"},
    {"csrf_failed", "安全校验失败（缺少或错误的 X-CSRF-Token），请刷新页面后重试",
     "Security check failed (missing or wrong X-CSRF-Token); reload the page and try again"},
    {"not_found", "找不到请求的内容", "Not found"},
    {"method_not_allowed", "该地址不支持此请求方法", "This method is not allowed here"},
    {"conflict", "与已有数据冲突（可能重复）", "This conflicts with existing data (a duplicate?)"},
    {"payload_too_large", "提交的内容太大", "The request body is too large"},
    {"unsupported_media_type", "不支持的内容类型", "Unsupported content type"},
    {"validation_failed", "请检查填写的内容", "Please check the fields"},
    {"rate_limited", "尝试次数过多，请稍后再试", "Too many attempts; try again later"},
    {"unavailable", "服务暂时不可用，请稍后再试", "The service is temporarily unavailable"},
    {"insufficient_storage", "服务器存储空间已满，这次的更改没有保存；请联系管理员", "The server's disk is full; this change was not saved. Tell the administrator"},
    {"internal", "服务器内部错误，请稍后再试", "Internal server error; try again later"},
    {"unmask_forbidden", "您的角色无权查看完整个人信息", "Your role may not see unmasked personal data"},
    {"import_empty", "导入文件为空或缺少表头", "The file is empty or has no header row"},
    {"import_no_name_column", "表头中没有“姓名”列", "The header has no name column"},
    {"csv_parse", "CSV 格式错误", "The CSV is malformed"},
    {"csv_not_utf8", "文件不是 UTF-8 编码：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”", "The file is not UTF-8: save it from Excel as “CSV UTF-8 (comma delimited)”"},
    /* field checks */
    {"required", "必填", "Required"},
    {"invalid_type", "类型不正确", "Wrong type"},
    {"too_long", "内容过长", "Too long"},
    {"too_large", "数值过大", "Too large"},
    {"money_negative", "金额不能为负", "An amount cannot be negative"},
    {"money_too_large", "金额过大（最多 100 亿元）", "The amount is too large (at most ¥10 billion)"},
    {"must_be_positive", "必须为正整数", "Must be a positive whole number"},
    {"invalid_choice", "不是可选的值", "Not one of the allowed values"},
    {"unknown_field", "不认识的字段", "Unknown field"},
    {"not_a_number", "必须是数字", "Must be a number"},
    {"phone_chars", "手机号只能包含数字", "A phone number has digits only"},
    {"phone_length", "手机号应为 11 位", "A mobile number has 11 digits"},
    {"phone_prefix", "不是有效的大陆手机号（应以 13–19 开头）", "Not a mainland mobile number (starts 13–19)"},
    {"id_length", "身份证号应为 18 位", "An ID number has 18 characters"},
    {"id_chars", "身份证号前 17 位须为数字，最后一位为数字或 X", "The first 17 characters are digits, the last a digit or X"},
    {"id_region", "身份证号的地区码无效", "The region code of the ID number is not valid"},
    {"id_date", "身份证号中的出生日期无效", "The birth date in the ID number is not valid"},
    {"id_check", "身份证号校验位不正确", "The check digit of the ID number is wrong"},
    {"unknown_compound", "找不到该小区", "No such compound"},
    {"unknown_building", "找不到该楼栋", "No such building"},
    {"unknown_town", "找不到该镇街", "No such town"},
    {"duplicate_id_number", "该身份证号已登记", "This ID number is already registered"},
    {"duplicate_name", "名称已存在", "This name already exists"},
    {"invalid_format", "格式应为 csv 或 xlsx", "The format is csv or xlsx"},
    /* wishes */
    {"consent_required", "须有受助人的同意", "The beneficiary's consent is required"},
    {"unknown_campaign", "找不到该活动", "No such campaign"},
    {"not_verified", "须先核实（电话或入户）再发布", "Verify the wish (phone or visit) before publishing"},
    {"story_identifies", "公开内容可能暴露受助人身份", "The public text may identify the beneficiary"},
    {"pledge_required", "认领须签署承诺", "Claiming needs the signed pledge"},
    {"wish_claimed", "该心愿已被认领", "This wish has been claimed already"},
    {"wish_not_open", "该心愿目前不可认领", "This wish is not open for claims"},
    {"no_active_claim", "该心愿没有有效的认领", "This wish has no active claim"},
    {"goods_without_value", "实物心愿须有估值；服务类心愿请选择“服务”", "Goods need an estimated value; for a service choose service"},
    {"photo_type", "照片须为 JPEG 或 PNG 图片", "The photo is a JPEG or PNG image"},
    {"not_paper", "只有纸质表录入的心愿才有表格照片", "Only wishes keyed in from a paper form have a form photo"},
    {"wish_not_fulfilled", "该心愿尚未完成", "This wish is not fulfilled yet"},
    /* grants */
    {"weights_sum", "专家与公众权重之和须为 100", "The expert and public weights add up to 100"},
    {"dates_order", "须按 提交截止 < 投票开始 < 投票结束 的顺序", "Submission end < voting opens < voting closes"},
    {"invalid_rubric", "评分细则须有指标，权重之和为 100，满分大于 0", "Criteria with weights summing to 100 and maxima above 0"},
    {"phase_backwards", "阶段只能向后推进", "A round only moves forward"},
    {"not_public_yet", "尚未公开", "Not public yet"},
    {"outside_phase", "当前阶段不能进行此操作", "Not in this phase of the round"},
    {"over_max_award", "超过单个项目的资助上限", "Over the most one proposal may get"},
    {"budget_lines_sum", "预算明细之和须等于申请金额", "The budget lines add up to the amount requested"},
    {"invalid_budget_lines", "预算明细每项须有名称和正数金额", "Each budget line has an item and a positive amount"},
    {"unknown_organisation", "找不到该组织", "No such organisation"},
    {"unknown_account", "找不到该账号", "No such account"},
    {"unknown_person", "找不到该居民", "No such person"},
    {"unknown_proposal", "不是本轮可投票的项目", "Not a proposal of this round's ballot"},
    {"not_a_reviewer", "您不是本轮的评审专家", "You are not a reviewer of this round"},
    {"not_eligible", "该项目未通过资格审查", "This proposal is not eligible"},
    {"conflict_declared", "您已申报利益冲突，不能为该项目评分", "You declared a conflict; you do not score this proposal"},
    {"score_range", "分数须在 0 到满分之间", "Between 0 and the criterion's maximum"},
    {"code_unknown", "投票码无效", "Unknown voting code"},
    {"code_used", "该投票码已被使用", "This code has been used"},
    {"already_verified", "该账号已通过本轮投票资格认证", "This account is verified for the round already"},
    {"voting_closed", "不在投票时间内", "Voting is not open"},
    {"ballot_size", "选择的项目数量不符合本轮投票规则", "The number of choices does not fit the round's rule"},
    {"not_verified_voter", "投票前须先认证居民身份（投票码或到社区核实）", "Verify first (a voting code, or in person at the office)"},
    {"already_voted", "您已经投过票，投票不可更改", "You have voted already; a vote is final"},
    {"voting_not_closed", "投票结束后才能公布结果", "Results are published after voting closes"},
    {"already_published", "结果已公布", "The results are published already"},
    {"not_funded", "该项目未获资助", "This proposal is not funded"},
    {"over_ballot_budget", "所选项目的申请金额之和超过了每人的投票预算", "The chosen proposals cost more than the ballot budget"},
    {"duplicate_serial", "该编号已录入", "This serial number has been keyed in already"},
    {"already_checked", "该选票已核对", "This ballot has been checked already"},
    {"own_keying", "不能核对自己录入的选票", "Nobody checks their own keying"},
    {"attachment_type", "附件须为 PDF、JPEG 或 PNG", "An attachment is a PDF, JPEG or PNG"},
    {"unknown_budget_line", "支出须对应项目的预算明细", "Spending goes against the proposal's budget lines"},
    {"report_closed", "该报告已审阅", "This report has been reviewed already"},
    {"final_report_missing", "尾款须在结项报告审核通过后支付", "The final payment follows the accepted final report"},
    {"tranche_paid", "该期款项已支付", "This tranche is paid"},
    /* fund */
    {"unbalanced_entry", "分录借贷不平衡，已拒绝", "The postings do not balance; refused"},
    {"insufficient_funds", "基金余额不足（限定用途的资金只能用于其用途）", "Not enough money (restricted money only for its purpose)"},
    {"request_closed", "该支出申请已处理", "This payment request is closed"},
    {"own_request", "不能审批自己提交的支出", "Nobody approves their own payment"},
    {"already_approved", "您已审批过该支出", "You have approved this already"},
    {"reversal_of_reversal", "冲正分录不能再冲正", "A reversal cannot be reversed"},
    {"already_reversed", "该分录已被冲正", "This entry has been reversed already"},
    {"idempotency_key_reused", "该 Idempotency-Key 已用于另一个请求", "This Idempotency-Key was used for another request"},
    {"idempotency_key_chars", "Idempotency-Key 只能包含可打印的 ASCII 字符（空格到 ~）", "An Idempotency-Key has printable ASCII characters only (space to ~)"},
    {"invalid_earmark", "用途应为 general、wish 或 project（带编号）", "The earmark is general, wish or project (with an id)"},
    /* volunteers */
    {"not_a_volunteer", "您还不是本社区已审核通过的志愿者", "You are not an approved volunteer of this community"},
    {"already_applied", "您已经提交过志愿者申请", "You have already applied"},
    {"already_decided", "该申请已经审核过", "This application has already been decided"},
    {"invalid_birth_year", "出生年份不正确", "Not a valid year of birth"},
    {"guardian_required", "未满 18 岁的志愿者须填写监护人", "A volunteer under 18 needs a guardian"},
    {"unknown_team", "找不到该志愿服务队", "No such team"},
    {"unknown_volunteer", "找不到该志愿者", "No such volunteer"},
    {"unknown_training", "找不到该培训", "No such training"},
    {"unknown_activity", "找不到该活动", "No such activity"},
    {"five_thresholds", "须为 5 个递增的小时数", "Five increasing numbers of hours"},
    {"ends_before_start", "结束时间须晚于开始时间", "The end must come after the start"},
    {"shift_too_long", "一个班次不能超过 24 小时", "A shift cannot be longer than 24 hours"},
    {"deadline_after_start", "取消截止时间不能晚于开始时间", "The cancellation deadline cannot be after the start"},
    {"shift_started", "该班次已经开始，不能再报名", "This shift has started; sign-up is closed"},
    {"adults_only", "该班次仅限成年志愿者", "This shift is for adults only"},
    {"guardian_consent_missing", "未成年志愿者须先登记监护人同意书", "A minor needs the guardian's consent on record first"},
    {"training_required", "报名此班次须先参加指定培训", "This shift requires a training first"},
    {"already_signed_up", "您已报名该班次", "You have already signed up for this shift"},
    {"not_signed_up", "您没有报名该班次", "You have not signed up for this shift"},
    {"already_cancelled", "您已取消该班次的报名", "You have already cancelled your sign-up for this shift"},
    {"cancel_deadline_passed", "已过取消截止时间，请联系协调人", "The cancellation deadline has passed; contact the coordinator"},
    {"not_checked_in", "尚未签到", "Not checked in"},
    {"qr_invalid", "二维码无效", "This QR code is not valid"},
    {"qr_expired", "二维码已过期，请让协调人刷新", "This QR code has expired; ask the coordinator to refresh it"},
    {"invalid_date", "日期格式应为 YYYY-MM-DD", "A date is YYYY-MM-DD"},
    {"date_in_future", "日期不能晚于今天", "The date cannot be in the future"},
    {"minutes_range", "时长应在 1 到 1440 分钟之间", "Between 1 and 1,440 minutes"},
    {"already_corrected", "该记录已被更正，请更正最新的记录", "This record was corrected already; correct the newest one"},
    {"invalid_year", "年份不正确", "Not a valid year"},
    {"already_revoked", "该证明已被撤销", "This certificate is already revoked"},
};

const char *i18n_text(lang_t lang, const char *code)
{
    for (size_t i = 0; i < sizeof catalogue / sizeof catalogue[0]; i++)
        if (strcmp(catalogue[i].code, code) == 0)
            return lang == LANG_EN ? catalogue[i].en : catalogue[i].zh;
    return code;
}

lang_t i18n_lang(const char *al)
{
    if (!al)
        return LANG_ZH;
    while (*al == ' ')
        al++;
    return strncasecmp(al, "en", 2) == 0 ? LANG_EN : LANG_ZH;
}
