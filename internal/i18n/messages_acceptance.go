package i18n

// Messages of case acceptance done right: the one-time notice without
// accepting, 容缺受理, the acceptance receipt (issue 11).
var _ = Register(map[string]M{
	"cases.action_notice":          {"出具一次性告知书（材料不齐，未受理）", "one-time notice issued (materials incomplete, not accepted)", "出具一次性告知書（材料不齊，未受理）"},
	"cases.action_accept_missing":  {"容缺受理", "accepted with materials to follow", "容缺受理"},
	"cases.no_deferred_acceptance": {"该事项的办事指南不允许容缺受理，请出具一次性告知书。", "This item's guide does not allow acceptance with missing materials; issue the one-time notice.", "該事項的辦事指南不允許容缺受理，請出具一次性告知書。"},
	"cases.supply_by":              {"容缺受理须填写申请人承诺补齐材料的日期（今天起 %d 天内）。", "Acceptance with missing materials needs the date by which they will be supplied (within %d days).", "容缺受理須填寫申請人承諾補齊材料的日期（今天起 %d 天內）。"},
	"cases.bad_decision":           {"请选择：出具一次性告知书，或容缺受理。", "Choose: issue the one-time notice, or accept with missing materials.", "請選擇：出具一次性告知書，或容缺受理。"},

	"cases.decision_title":       {"缺少必要材料时", "When required materials are missing", "缺少必要材料時"},
	"cases.decision_notice":      {"出具一次性告知书，暂不受理（默认）", "Issue the one-time notice, do not accept yet (default)", "出具一次性告知書，暫不受理（預設）"},
	"cases.decision_accept":      {"容缺受理：申请人承诺限期补齐", "Accept now: the applicant promises to supply them by a date", "容缺受理：申請人承諾限期補齊"},
	"cases.decision_not_allowed": {"本事项指南不允许容缺受理。", "This item's guide does not allow acceptance with missing materials.", "本事項指南不允許容缺受理。"},
	"cases.supply_by_label":      {"承诺补齐日期", "Materials promised by", "承諾補齊日期"},
	"cases.deferred_badge":       {"容缺受理，承诺 %s 前补齐", "accepted with materials to follow by %s", "容缺受理，承諾 %s 前補齊"},
	"cases.notice_issued":        {"材料不齐，未受理：已出具一次性告知书，请打印交给申请人。", "Materials incomplete, not accepted: the one-time notice is ready to print for the applicant.", "材料不齊，未受理：已出具一次性告知書，請列印交給申請人。"},
	"cases.accepted_flash":       {"已受理，请打印受理回执交给申请人。", "Accepted: print the acceptance receipt for the applicant.", "已受理，請列印受理回執交給申請人。"},

	"cases.receipt":              {"受理回执", "Acceptance receipt", "受理回執"},
	"cases.receipt_print":        {"打印受理回执", "Print the acceptance receipt", "列印受理回執"},
	"cases.receipt_intro":        {"您的申请已受理，请妥善保管本回执。", "Your application has been accepted; please keep this receipt.", "您的申請已受理，請妥善保管本回執。"},
	"cases.receipt_accepted":     {"已收取的材料", "Materials received", "已收取的材料"},
	"cases.receipt_deferred":     {"容缺后补的材料（请于 %s 前补齐）", "Materials to follow (by %s)", "容缺後補的材料（請於 %s 前補齊）"},
	"cases.receipt_due":          {"承诺办结日期", "Pledged completion date", "承諾辦結日期"},
	"cases.receipt_due_spot":     {"当场办结", "on the spot", "當場辦結"},
	"cases.receipt_progress":     {"查询办理进度", "Check the progress", "查詢辦理進度"},
	"cases.receipt_progress_how": {"扫描二维码或访问 %s ，输入办件编号和您的手机号或身份证号后四位即可查询。", "Scan the QR code or open %s and enter the case number with the last four digits of your phone or ID number.", "掃描二維碼或造訪 %s ，輸入辦件編號和您的手機號或身分證號後四位即可查詢。"},
	"cases.receipt_qr":           {"办理进度查询二维码", "QR code of the progress look-up", "辦理進度查詢二維碼"},
	"cases.sign_applicant":       {"申请人（签字）", "Applicant (signature)", "申請人（簽字）"},
	"cases.sign_staff":           {"受理人（签字）", "Accepted by (signature)", "受理人（簽字）"},
	"cases.sign_date":            {"日期", "Date", "日期"},
	"cases.sign_received_notice": {"本人已收到本告知书，知悉需补正的全部材料。", "I have received this notice and know every material I must supply.", "本人已收到本告知書，知悉需補正的全部材料。"},
	"cases.receipt_not_accepted": {"该办件尚未受理，没有受理回执；请打印一次性告知书。", "This case is not accepted, so it has no acceptance receipt; print the one-time notice.", "該辦件尚未受理，沒有受理回執；請列印一次性告知書。"},
	"cases.receipt_staff":        {"受理人", "Accepted by", "受理人"},
	"cases.receipt_accepted_on":  {"受理日期", "Accepted on", "受理日期"},
})
