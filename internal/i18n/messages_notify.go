package i18n

// Messages of the notification area (issue 12): outbox refusals and the
// contributor-registry import's row errors.
var _ = Register(map[string]M{
	"notify.opted_out":   {"该号码已退订提醒短信。", "This number has opted out of reminders.", "該號碼已退訂提醒簡訊。"},
	"notify.daily_limit": {"该号码今日的非紧急短信已达上限。", "This number has had today's maximum of non-urgent messages.", "該號碼今日的非緊急簡訊已達上限。"},

	"notify.push_signature":    {"回调签名无效或已过期。", "The callback signature is invalid or outside the allowed time.", "回呼簽章無效或已過期。"},
	"notify.push_replay":       {"该回调已处理过（重放被拒绝）。", "This callback was already processed (replay refused).", "該回呼已處理過（重放被拒絕）。"},
	"notify.template.bad_code": {"模板编号只能包含字母、数字、下划线、连字符和点，最长 40 个字符。", "The template code may hold letters, digits, _ - and . only, at most 40 characters.", "範本編號只能包含字母、數字、底線、連字號和點，最長 40 個字元。"},
	"notify.template.state":    {"该模板当前状态不允许此操作。", "The template's state does not allow this.", "該範本目前狀態不允許此操作。"},
	"notify.template.own":      {"不能审核自己提交的模板，请由另一位管理员审核。", "You cannot approve your own template: another manager must.", "不能審核自己提交的範本，請由另一位管理員審核。"},

	"notify.import.bad_csv":        {"文件无法按 CSV 读取。", "The file cannot be read as CSV.", "檔案無法按 CSV 讀取。"},
	"notify.import.empty":          {"文件中没有数据行。", "The file has no data rows.", "檔案中沒有資料列。"},
	"notify.import.unknown_column": {"未知的列：%s", "Unknown column: %s", "未知的欄：%s"},
	"notify.import.missing_column": {"缺少必需的列。", "A required column is missing.", "缺少必需的欄。"},
	"notify.import.bad_name":       {"姓名为空或超过 30 个字。", "The name is empty or longer than 30 characters.", "姓名為空或超過 30 個字。"},
	"notify.import.bad_id":         {"身份证号码无效：%s", "Invalid resident ID number: %s", "身分證號碼無效：%s"},
	"notify.import.duplicate_id":   {"身份证号码与第 %s 行重复。", "The ID number repeats row %s.", "身分證號碼與第 %s 列重複。"},
	"notify.import.bad_phone":      {"手机号码无效：%s", "Invalid mobile number: %s", "手機號碼無效：%s"},
	"notify.import.bad_insurance":  {"参保险种无效：%s", "Invalid insurance type: %s", "參保險種無效：%s"},
	"notify.import.bad_frequency":  {"缴费频次无效（按月、按季或按年）：%s", "Invalid payment frequency (monthly, quarterly or yearly): %s", "繳費頻次無效（按月、按季或按年）：%s"},
	"notify.import.bad_month":      {"已缴至年月无效（如 2026-06）：%s", "Invalid paid-through month (e.g. 2026-06): %s", "已繳至年月無效（如 2026-06）：%s"},
	"notify.import.bad_payment":    {"缴费方式无效（银行代扣或自行缴纳）：%s", "Invalid payment method (bank debit or self-pay): %s", "繳費方式無效（銀行代扣或自行繳納）：%s"},
	"notify.import.bad_flag":       {"应填“是”或“否”：%s", "Should be yes or no: %s", "應填「是」或「否」：%s"},
})
