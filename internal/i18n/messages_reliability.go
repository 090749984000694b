package i18n

// Messages of the reliability work (issue 17): request ids on server
// errors, a full or read-only disk.
var _ = Register(map[string]M{
	"err.request_id":       {"请求编号：", "Request id:", "請求編號："},
	"err.storage_full":     {"服务器存储空间已满，暂时无法保存。已有数据不受影响，可以继续查询；请联系管理员释放空间后重试。", "The server's storage is full, so nothing can be saved for now. Existing data is safe and can still be viewed; ask the administrator to free space, then try again.", "伺服器儲存空間已滿，暫時無法儲存。已有資料不受影響，可以繼續查詢；請聯絡管理員釋放空間後重試。"},
	"err.storage_readonly": {"服务器存储暂时为只读，无法保存。已有数据可以继续查询；请联系管理员处理后重试。", "The server's storage is read-only for now, so nothing can be saved. Existing data can still be viewed; ask the administrator, then try again.", "伺服器儲存暫時為唯讀，無法儲存。已有資料可以繼續查詢；請聯絡管理員處理後重試。"},
})
