package i18n

// Messages of the service guides (catalogue): validation problems, store
// errors and the guide pages.
//
// The catalog.* problem keys are those of package catalog (catalog.Problem
// Key); their texts use {name} placeholders filled from Problem.Args by the
// web layer, not fmt verbs.
var _ = Register(map[string]M{
	// Problems found by catalog.Validate and catalog.ParseFile.
	"catalog.required":                    {"必填", "is required", "必填"},
	"catalog.too_long":                    {"超过{max}个字符", "is longer than {max} characters", "超過{max}個字元"},
	"catalog.too_many":                    {"不能超过{max}项", "has more than {max} entries", "不能超過{max}項"},
	"catalog.too_few":                     {"至少需要{min}项", "needs at least {min} entries", "至少需要{min}項"},
	"catalog.bad_text":                    {"不能以空白开头或结尾，也不能含控制字符", "must not start or end with spaces or contain control characters", "不能以空白開頭或結尾，也不能含控制字元"},
	"catalog.bad_code":                    {"事项编码“{value}”格式错误，应为 RS-大写字母-三位数字，如 RS-B-012", "code {value} does not have the form RS-<zone letter>-<NNN>, e.g. RS-B-012", "事項編碼「{value}」格式錯誤，應為 RS-大寫字母-三位數字，如 RS-B-012"},
	"catalog.duplicate_code":              {"事项编码“{value}”重复，第{first}项已使用", "duplicate code {value}, already used by items[{first}]", "事項編碼「{value}」重複，第{first}項已使用"},
	"catalog.duplicate_value":             {"“{value}”重复", "duplicate entry {value}", "「{value}」重複"},
	"catalog.unknown_zone":                {"未知功能区“{value}”（可选：{allowed}）", "unknown zone {value} (known: {allowed})", "未知功能區「{value}」（可選：{allowed}）"},
	"catalog.bad_enum":                    {"取值“{value}”无效（可选：{allowed}）", "invalid value {value} (allowed: {allowed})", "取值「{value}」無效（可選：{allowed}）"},
	"catalog.bad_unit":                    {"时限单位“{value}”无效（可选：working_days 工作日, calendar_days 自然日）", "invalid time unit {value} (allowed: working_days, calendar_days)", "時限單位「{value}」無效（可選：working_days 工作日, calendar_days 自然日）"},
	"catalog.negative":                    {"不能为负数", "must not be negative", "不能為負數"},
	"catalog.out_of_range":                {"应在{min}到{max}之间", "must be between {min} and {max}", "應在{min}到{max}之間"},
	"catalog.bad_date":                    {"“{value}”不是有效日期（YYYY-MM-DD，2000—2099年）", "{value} is not a valid date YYYY-MM-DD between 2000 and 2099", "「{value}」不是有效日期（YYYY-MM-DD，2000—2099年）"},
	"catalog.bad_phone":                   {"“{value}”不是有效电话号码（如 12333、0531-87212300）", "{value} is not a phone number such as 12333 or 0531-87212300", "「{value}」不是有效電話號碼（如 12333、0531-87212300）"},
	"catalog.pledged_exceeds_statutory":   {"承诺时限{pledged}超过法定时限{statutory}", "pledged limit {pledged_en} exceeds the statutory limit {statutory_en}", "承諾時限{pledged}超過法定時限{statutory}"},
	"catalog.instant_not_zero":            {"即办件的承诺时限应为0（当场办结）", "an instant item must have a pledged limit of 0 (on the spot)", "即辦件的承諾時限應為0（當場辦結）"},
	"catalog.pledged_zero":                {"承诺件的承诺时限应大于0", "a pledged item needs a pledged limit above 0", "承諾件的承諾時限應大於0"},
	"catalog.extension_without_statutory": {"有延长期限时须填写法定时限", "an extension needs a statutory limit", "有延長期限時須填寫法定時限"},
	"catalog.fee_when_free":               {"不收费事项不能填写收费金额或收费情形", "a free item must not state an amount or a charging case", "不收費事項不能填寫收費金額或收費情形"},
	"catalog.fee_amount_missing":          {"收费事项须填写大于0的收费金额", "a charged item needs an amount above 0", "收費事項須填寫大於0的收費金額"},
	"catalog.fee_basis_missing":           {"收费事项须填写收费依据", "a charged item needs the basis of its fee", "收費事項須填寫收費依據"},
	"catalog.online_how_missing":          {"支持网上办理时须写明办理渠道", "online handling needs the channel named", "支援網上辦理時須寫明辦理管道"},
	"catalog.online_how_when_offline":     {"不支持网上办理时不应填写办理渠道", "an online channel is named but online handling is off", "不支援網上辦理時不應填寫辦理管道"},
	"catalog.no_visits_offline":           {"到现场次数为0的事项必须支持网上办理", "zero visits on site requires online handling", "到現場次數為0的事項必須支援網上辦理"},
	"catalog.alias_is_name":               {"别名与事项名称相同", "alias repeats the item name", "別名與事項名稱相同"},
	"catalog.bad_json":                    {"JSON格式错误：{detail}", "malformed JSON: {detail}", "JSON格式錯誤：{detail}"},
	"catalog.bad_format":                  {"文件格式应为“{want}”，实际为“{value}”", "format must be {want}, got {value}", "檔案格式應為「{want}」，實際為「{value}」"},
	"catalog.unknown_field":               {"未知字段“{value}”", "unknown field {value}", "未知欄位「{value}」"},
	"catalog.duplicate_key":               {"字段“{value}”重复出现", "field {value} appears more than once", "欄位「{value}」重複出現"},
	"catalog.bad_type":                    {"类型错误，应为{want_zh}", "wrong type, want {want}", "類型錯誤，應為{want_zh}"},
	"catalog.trailing_data":               {"JSON文档结束后还有多余内容", "unexpected data after the JSON document", "JSON文件結束後還有多餘內容"},
	"catalog.too_many_items":              {"事项数超过{max}", "more than {max} items", "事項數超過{max}"},
	"catalog.invalid_value":               {"取值无效：{detail}", "invalid value: {detail}", "取值無效：{detail}"},

	// Store and API errors (fmt verbs).
	"catalog.rejected":        {"办事指南有 %d 处问题，未做任何更改。", "The guide has %d problem(s); nothing was changed.", "辦事指南有 %d 處問題，未做任何更改。"},
	"catalog.reason_required": {"请填写修订原因。", "Give the reason for the change.", "請填寫修訂原因。"},
	"catalog.not_draft":       {"第 %d 版不是草稿（当前状态：%s），不能发布。", "Version %d is not a draft (it is %s) and cannot be published.", "第 %d 版不是草稿（目前狀態：%s），不能發布。"},
	"catalog.own_draft":       {"不能发布自己撰写的草稿，须由另一位大厅主任或管理员审核发布。", "You cannot publish your own draft; another hall manager or admin must review and publish it.", "不能發布自己撰寫的草稿，須由另一位大廳主任或管理員審核發布。"},
	"catalog.stale_draft":     {"第 %d 版早于已发布的第 %d 版，不能发布。", "Version %d is older than the published version %d.", "第 %d 版早於已發布的第 %d 版，不能發布。"},
	"catalog.code_mismatch":   {"指南中的事项编码“%s”与地址中的“%s”不一致。", "The guide's code %s does not match %s in the address.", "指南中的事項編碼「%s」與網址中的「%s」不一致。"},
	"catalog.bad_version":     {"版本号“%s”无效。", "Invalid version number %q.", "版本號「%s」無效。"},
	"catalog.bad_zone":        {"未知功能区“%s”。", "Unknown zone %q.", "未知功能區「%s」。"},
	"obj.item":                {"办事事项", "service item", "辦事事項"},
	"obj.guide_version":       {"指南版本", "guide version", "指南版本"},
})
