package web

// notifyRoutes are the notification area's routes (issue 12): the cloud
// SMS push callbacks, and the managers' pages for templates, the outbox,
// campaigns, the contributor registry and opt-outs.
func (s *Server) notifyRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/api/v1/sms/{provider}/receipts", Hall: HallNone, Roles: everyone, Handler: s.apiSMSReceipts, Summary: "Delivery reports pushed by a cloud SMS provider (signed with the shared secret: X-Sms-Timestamp, X-Sms-Nonce, X-Sms-Signature; replays refused)", Tag: "notify", Request: []notifyReportExample{{}}, Response: pushAnswer{}},
		{Method: "GET", Path: "/notify/outbox", Hall: HallQuery, Roles: overseers, Handler: s.pageNotifyOutbox, Menu: menu("notify.outbox_title")},
		{Method: "POST", Path: "/notify/outbox/{id}/{action}", Hall: HallQuery, Roles: managers, Handler: s.formNotifyOutbox},
		{Method: "GET", Path: "/notify/templates", Hall: HallQuery, Roles: managers, Handler: s.pageNotifyTemplates, Menu: menu("notify.templates_title")},
		{Method: "POST", Path: "/notify/templates", Hall: HallQuery, Roles: managers, Handler: s.formNotifyTemplateSave},
		{Method: "POST", Path: "/notify/templates/{id}", Hall: HallQuery, Roles: managers, Handler: s.formNotifyTemplateDecide},
		{Method: "GET", Path: "/notify/campaigns", Hall: HallQuery, Roles: managers, Handler: s.pageNotifyCampaigns, Menu: menu("notify.campaigns_title")},
		{Method: "POST", Path: "/notify/campaigns", Hall: HallQuery, Roles: managers, Handler: s.formNotifyCampaign},
		{Method: "POST", Path: "/notify/campaigns/{id}/stop", Hall: HallQuery, Roles: managers, Handler: s.formNotifyCampaignStop},
		{Method: "GET", Path: "/notify/registry", Hall: HallQuery, Roles: managers, Handler: s.pageNotifyRegistry, Menu: menu("notify.registry_title")},
		{Method: "POST", Path: "/api/v1/notify/imports", Hall: HallQuery, Roles: managers, Handler: s.apiNotifyImport, Summary: "Upload the contributor registry (multipart field file: CSV or XLSX); every bad row is listed (422) and nothing imported, else the import runs in the background (202)", Tag: "notify", Response: importJob{Errors: []importRowError{{}}}, Unprocessable: importJob{Errors: []importRowError{{}}}},
		{Method: "GET", Path: "/api/v1/notify/imports/{job}", Hall: HallQuery, Roles: managers, Handler: s.apiNotifyImportJob, Summary: "Progress and result of a registry import", Tag: "notify", Response: importJob{Errors: []importRowError{}}},
		{Method: "GET", Path: "/notify/optouts", Hall: HallQuery, Roles: managers, Handler: s.pageNotifyOptOuts, Menu: menu("notify.optouts_title")},
		{Method: "POST", Path: "/notify/optouts", Hall: HallQuery, Roles: managers, Handler: s.formNotifyOptOut},
		{Method: "GET", Path: "/optout", Hall: HallNone, Roles: everyone, Handler: s.pagePublicOptOut, Menu: menu("notify.public_optout_title")},
		{Method: "POST", Path: "/optout", Hall: HallNone, Roles: everyone, Handler: s.formPublicOptOut},
		{Method: "POST", Path: "/api/v1/sms/{provider}/replies", Hall: HallNone, Roles: everyone, Handler: s.apiSMSReplies, Summary: "Citizens' replies pushed by a cloud SMS provider (signed as receipts are); an opt-out keyword stops reminders", Tag: "notify", Request: []notifyReplyExample{{}}, Response: pushAnswer{}},
	}
}

// Examples of the pushed bodies (the vendor's shape) for the API description.
type notifyReportExample struct {
	PhoneNumber string `json:"phone_number"`
	Success     bool   `json:"success"`
	ErrCode     string `json:"err_code"`
	BizID       string `json:"biz_id"`
	OutID       string `json:"out_id"`
	ReportTime  string `json:"report_time"`
}

type notifyReplyExample struct {
	PhoneNumber string `json:"phone_number"`
	Content     string `json:"content"`
	SendTime    string `json:"send_time"`
}
