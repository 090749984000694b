package i18n

// Messages of security: tenancy, throttles, limits, clean input.
var _ = Register(map[string]M{
	"auth.hall_required":   {"该角色的账户须属于一个大厅，请选择大厅。", "An account with this role belongs to one hall; choose the hall.", "該角色的帳戶須屬於一個大廳，請選擇大廳。"},
	"hall.user_other_hall": {"该账户属于另一个大厅，不能关联到本大厅的工作人员。", "This account belongs to another hall and cannot be linked to staff of this hall.", "該帳戶屬於另一個大廳，不能關聯到本大廳的工作人員。"},
	"security.all_halls":   {"全部大厅（管理员、审计）", "All halls (admin, auditor)", "全部大廳（管理員、審計）"},
	"err.other_hall":       {"您无权操作该大厅。", "You may not act in this hall.", "您無權操作該大廳。"},
	"err.hall_not_found":   {"大厅不存在。", "No such hall.", "大廳不存在。"},
})
