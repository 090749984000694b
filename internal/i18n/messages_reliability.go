package i18n

// Messages of the reliability work (issue 17): request ids on server
// errors, a full or read-only disk.
var _ = Register(map[string]M{
	"err.request_id":       {"请求编号：", "Request id:", "請求編號："},
	"err.storage_full":     {"服务器存储空间已满，这次没有保存。已有数据不受影响，可以继续查询；请联系管理员释放空间后重试。", "The server's storage is full, so this was not saved. Existing data is safe and can still be viewed; ask the administrator to free space, then try again.", "伺服器儲存空間已滿，這次沒有儲存。已有資料不受影響，可以繼續查詢；請聯絡管理員釋放空間後重試。"},
	"err.storage_readonly": {"服务器存储暂时无法写入（只读或故障），这次没有保存。已有数据可以继续查询；请联系管理员处理后重试。", "The server's storage cannot be written for now (read-only or failing), so this was not saved. Existing data can still be viewed; ask the administrator, then try again.", "伺服器儲存暫時無法寫入（唯讀或故障），這次沒有儲存。已有資料可以繼續查詢；請聯絡管理員處理後重試。"},
})
