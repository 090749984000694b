package i18n

// Messages of the queue area's public devices: the touch kiosk, the 80 mm
// ticket, the hall, zone and window displays and the phone tracking page.
var _ = Register(map[string]M{
	// Kiosk.
	"queue.k_search":        {"搜索事项", "Search", "搜尋事項"},
	"queue.k_search_hint":   {"输入事项名称，或拼音首字母（如 SBK 社保卡）", "Type a service name or pinyin initials (e.g. SBK)", "輸入事項名稱，或拼音首字母（如 SBK 社保卡）"},
	"queue.k_no_results":    {"没有找到相关事项，请换个词或按区域选择。", "No service found; try another word or choose a zone.", "沒有找到相關事項，請換個詞或按區域選擇。"},
	"queue.k_checkin":       {"预约签到", "Appointment check-in", "預約簽到"},
	"queue.k_checkin_hint":  {"请输入预约短信里的签到码", "Enter the check-in code from your booking SMS", "請輸入預約簡訊裡的簽到碼"},
	"queue.k_checkin_go":    {"签到取号", "Check in", "簽到取號"},
	"queue.k_take":          {"取号", "Take a ticket", "取號"},
	"queue.k_prev":          {"上一页", "Previous", "上一頁"},
	"queue.k_next":          {"下一页", "Next", "下一頁"},
	"queue.k_page":          {"第 %d / %d 页", "Page %d of %d", "第 %d / %d 頁"},
	"queue.k_clear":         {"清空", "Clear", "清空"},
	"queue.k_closed_title":  {"大厅现在不取号", "The hall is not issuing tickets now", "大廳現在不取號"},
	"queue.k_closed_hours":  {"取号时间：%s 至 %s", "Tickets are issued from %s to %s", "取號時間：%s 至 %s"},
	"queue.k_closed_online": {"可用手机扫码预约，或查看办事指南。", "You can book an appointment on your phone or read the guides.", "可用手機掃碼預約，或查看辦事指南。"},
	"queue.k_printing":      {"号票正在打印。没有出票？请点“重新打印”，或记下屏幕上的号码、用手机扫码。", "Your ticket is printing. No ticket? Press Print again, or note the number on the screen and scan the code.", "號票正在列印。沒有出票？請點「重新列印」，或記下螢幕上的號碼、用手機掃碼。"},
	"queue.k_no_printer":    {"请记下您的号码，或用手机扫码跟踪排队。", "Note your number, or scan the code to follow your turn on your phone.", "請記下您的號碼，或用手機掃碼追蹤排隊。"},
	"queue.k_reprint":       {"重新打印", "Print again", "重新列印"},
	"queue.k_issued_at":     {"取号时间 %s", "Taken at %s", "取號時間 %s"},
	// Displays.
	"queue.s_enable_voice":       {"点击启用语音叫号", "Click to turn on voice calling", "點擊啟用語音叫號"},
	"queue.s_enable_voice_hint":  {"浏览器需要点击一次才允许播放声音。", "The browser plays sound only after one click.", "瀏覽器需要點擊一次才允許播放聲音。"},
	"queue.s_recall":             {"重呼", "Recall", "重呼"},
	"queue.s_no_calls":           {"暂无叫号", "No calls yet", "暫無叫號"},
	"queue.s_window_closed":      {"本窗口暂停服务", "This window is closed", "本窗口暫停服務"},
	"queue.s_window_closed_hint": {"请到其他窗口办理，或留意大厅叫号屏。", "Please use another window and watch the hall display.", "請到其他窗口辦理，或留意大廳叫號屏。"},
	"queue.s_people":             {"%d 人", "%d", "%d 人"},
	"queue.s_window":             {"%s 号窗口", "Window %s", "%s 號窗口"},
	// Phone tracking page.
	"queue.tr_your_turn":      {"轮到您了！", "It's your turn!", "輪到您了！"},
	"queue.tr_go_now":         {"请马上到 %s 号窗口", "Go to window %s now", "請馬上到 %s 號窗口"},
	"queue.tr_item":           {"办理事项", "Service", "辦理事項"},
	"queue.tr_hall":           {"办事大厅", "Hall", "辦事大廳"},
	"queue.tr_address":        {"地址", "Address", "地址"},
	"queue.tr_issued":         {"取号时间", "Taken at", "取號時間"},
	"queue.tr_cancel_confirm": {"确定不办了吗？取消后这个号作废，需要时请重新取号。", "Cancel your ticket? The number lapses; take a new one if you come back.", "確定不辦了嗎？取消後這個號作廢，需要時請重新取號。"},
	"queue.tr_cancel_yes":     {"确定取消", "Yes, cancel", "確定取消"},
	"queue.tr_cancel_no":      {"继续排队", "Keep my place", "繼續排隊"},
	"queue.tr_live":           {"本页自动更新", "This page updates by itself", "本頁自動更新"},
	// Guide page.
	"queue.g_take_remote": {"手机取号", "Take a ticket", "手機取號"},
	"queue.g_book":        {"预约办理", "Book an appointment", "預約辦理"},
})
