package i18n

// Messages of security: tenancy, throttles, limits, clean input.
var _ = Register(map[string]M{
	"auth.hall_required":       {"该角色的账户须属于一个大厅，请选择大厅。", "An account with this role belongs to one hall; choose the hall.", "該角色的帳戶須屬於一個大廳，請選擇大廳。"},
	"hall.unknown_account":     {"没有用户名为“%s”的账户。", "There is no account named %s.", "沒有用戶名為「%s」的帳戶。"},
	"hall.user_other_hall":     {"该账户属于另一个大厅，不能关联到本大厅的工作人员。", "This account belongs to another hall and cannot be linked to staff of this hall.", "該帳戶屬於另一個大廳，不能關聯到本大廳的工作人員。"},
	"security.all_halls":       {"全部大厅（管理员、审计）", "All halls (admin, auditor)", "全部大廳（管理員、審計）"},
	"queue.not_your_window":    {"%s 号窗口未分配给您，请由大厅主任指定顶岗后再签到。", "Window %s is not assigned to you; a hall manager must name you cover first.", "%s 號窗口未分配給您，請由大廳主任指定頂崗後再簽到。"},
	"err.foreign_id":           {"所选的%s不属于本大厅。", "The chosen %s does not belong to this hall.", "所選的%s不屬於本大廳。"},
	"cases.progress_throttled": {"查询错误次数过多，请稍后再试。如需帮助请拨打 12333 或到大厅咨询。", "Too many failed look-ups from your connection; please try again a little later, or call 12333 or ask at the hall.", "查詢錯誤次數過多，請稍後再試。如需幫助請撥打 12333 或到大廳諮詢。"},
	"sms.no_proof":             {"页面已过期，请刷新页面后再获取验证码。", "The page has expired; reload it and ask for the code again.", "頁面已過期，請重新整理頁面後再取得驗證碼。"},
	"sms.limit_phone":          {"该手机号获取验证码过于频繁，请稍后再试。", "Codes were sent to this number too often; please try again later.", "該手機號取得驗證碼過於頻繁，請稍後再試。"},
	"sms.limit_address":        {"您获取验证码过于频繁，请稍后再试。", "Too many codes were asked for from your connection; please try again later.", "您取得驗證碼過於頻繁，請稍後再試。"},
	"sms.limit_hall":           {"本大厅短信验证码发送量已达上限，请稍后再试或到大厅取号。", "This hall has sent its maximum of SMS codes for now; try again later or take a ticket at the hall.", "本大廳簡訊驗證碼發送量已達上限，請稍後再試或到大廳取號。"},
	"sms.limit_global":         {"短信验证码发送繁忙，请稍后再试或到大厅取号。", "SMS codes are busy right now; try again in a minute or take a ticket at the hall.", "簡訊驗證碼發送繁忙，請稍後再試或到大廳取號。"},
	"err.duplicate":            {"该记录已存在或已被他人修改，请刷新后重试。", "This entry already exists or was changed meanwhile; reload and try again.", "該記錄已存在或已被他人修改，請重新整理後重試。"},
	"err.bad_reference":        {"所选的对象不存在或不属于这里。", "A chosen entry does not exist or does not belong here.", "所選的對象不存在或不屬於這裡。"},
	"err.control_chars":        {"“%s”含有不允许的控制字符或文字方向字符。", "%s contains control or text-direction characters, which are not allowed.", "「%s」含有不允許的控制字元或文字方向字元。"},
	"err.text_too_long":        {"“%s”过长（最多 %d 个字）。", "%s is too long (at most %d characters).", "「%s」過長（最多 %d 個字）。"},
	"err.other_hall":           {"您无权操作该大厅。", "You may not act in this hall.", "您無權操作該大廳。"},
	"err.out_of_range":         {"“%s”应在 %s 到 %s 之间。", "%s must be between %s and %s.", "「%s」應在 %s 到 %s 之間。"},
	"err.immutable":            {"“%s”创建后不能修改。", "%s cannot be changed once created.", "「%s」建立後不能修改。"},
	"err.unknown_item":         {"事项编码“%s”不存在。", "There is no service item with code %s.", "事項編碼「%s」不存在。"},
	"err.no_body":              {"该操作不接受请求内容，请勿发送字段。", "This operation takes no request body; send no fields.", "該操作不接受請求內容，請勿傳送欄位。"},
	"err.hall_not_found":       {"大厅不存在。", "No such hall.", "大廳不存在。"},
})
