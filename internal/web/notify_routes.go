package web

// notifyRoutes are the notification area's routes (issue 12): the cloud
// SMS push callbacks, and the managers' pages for templates, the outbox,
// campaigns, the contributor registry and opt-outs.
func (s *Server) notifyRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/api/v1/sms/{provider}/receipts", Hall: HallNone, Roles: everyone, Handler: s.apiSMSReceipts, Summary: "Delivery reports pushed by a cloud SMS provider (signed with the shared secret: X-Sms-Timestamp, X-Sms-Nonce, X-Sms-Signature; replays refused)", Tag: "notify", Request: []notifyReportExample{{}}, Response: pushAnswer{}},
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
