package i18n

// Messages of the home page after sign-in and of the error pages (issue 11).
var _ = Register(map[string]M{
	"home.hello":                    {"%s，您好", "Hello, %s", "%s，您好"},
	"home.my_pages":                 {"我的工作页面", "Your pages", "我的工作頁面"},
	"home.staff_signin":             {"工作人员登录", "Staff sign-in", "工作人員登入"},
	"home.coming_title":             {"您的工作台即将上线", "Your workspace is on its way", "您的工作台即將上線"},
	"home.coming.duty_leader":       {"领导值班台（排班、到岗检查、投诉建议受理）将随“领导干部大厅值班”功能上线。", "The duty console (rota, at-post checks, complaints) comes with the leaders-on-duty part.", "領導值班台（排班、到崗檢查、投訴建議受理）將隨「領導幹部大廳值班」功能上線。"},
	"home.coming.callback_operator": {"回访台（抽取回访对象、记录评价）将随“抽查回访”功能上线。", "The callback console (drawing citizens, recording their ratings) comes with the random-callback part.", "回訪台（抽取回訪對象、記錄評價）將隨「抽查回訪」功能上線。"},
	"home.coming_meanwhile":         {"在此之前，您可以查看面向群众的页面，如办事指南和办件进度。", "Meanwhile the public pages, such as the guides and the progress look-up, are open to you.", "在此之前，您可以查看面向群眾的頁面，如辦事指南和辦件進度。"},

	"err.title.400":     {"输入有误", "Please check your input", "輸入有誤"},
	"err.title.401":     {"请先登录", "Please sign in", "請先登入"},
	"err.title.403":     {"无权访问", "Not allowed", "無權存取"},
	"err.title.404":     {"页面不存在", "Page not found", "頁面不存在"},
	"err.title.409":     {"操作未能完成", "That could not be done", "操作未能完成"},
	"err.title.429":     {"操作太频繁", "Too many attempts", "操作太頻繁"},
	"err.title.500":     {"系统内部错误", "Internal error", "系統內部錯誤"},
	"err.title.503":     {"服务暂不可用", "Service unavailable", "服務暫不可用"},
	"err.where.403":     {"您当前的账号没有这个页面的权限。可回到首页查看您能使用的页面，或换一个账号登录。", "Your account may not open this page. Go to the home page for the pages you can use, or sign in with another account.", "您目前的帳號沒有這個頁面的權限。可回到首頁查看您能使用的頁面，或換一個帳號登入。"},
	"err.where.404":     {"地址可能输错了，或该内容已删除。可从首页或办事指南重新查找。", "The address may be mistyped or the content removed. Start again from the home page or the guides.", "地址可能輸錯了，或該內容已刪除。可從首頁或辦事指南重新查找。"},
	"err.where.default": {"可返回上一页修改后重试，或回到首页。", "Go back and try again, or return to the home page.", "可返回上一頁修改後重試，或回到首頁。"},
	"err.go_guides":     {"办事指南", "Service guides", "辦事指南"},
	"err.go_login":      {"换一个账号登录", "Sign in with another account", "換一個帳號登入"},
})
