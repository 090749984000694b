package web

import (
	"mingbai/internal/attendance"
	"mingbai/internal/auth"
	"mingbai/internal/store"
)

// postReportExample documents the report with every list present.
var postReportExample = store.PostReport{Days: []attendance.Day{{}}, ByStaff: []store.PostStaffRow{{}}, ByWindow: []store.PostWindowRow{{}},
	Pledge:  attendance.Pledge{ByWindow: []attendance.PledgeRow{{}}, ByStaff: []attendance.PledgeRow{{}}, ByItem: []attendance.PledgeRow{{}}},
	Instant: []string{}}

// postsRoutes are the routes of staff at their posts, the ten-minute
// method, complaints and suggestions, and alerts to the duty leader
// (issue 14; the roster and the duty console are duty-a's dutyRoutes).
func (s *Server) postsRoutes() []Route {
	windowRoles := roles(auth.WindowStaff, auth.HallManager, auth.Admin)
	return []Route{
		// Alerts to the duty leader.
		{Method: "GET", Path: "/api/v1/halls/{hall}/duty/alerts", Hall: HallPath, Roles: postsReaders, Handler: s.apiDutyAlerts, Summary: "Alerts to the duty leader, open first (all=1 includes closed ones): unattended windows, long queues and waits, bad ratings, complaint deadlines, help calls, extra-window suggestions", Tag: "duty", Response: []dutyAlertJSON{{DutyAlert: store.DutyAlert{Params: []string{}}}}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/duty/alerts/{id}/ack", Hall: HallPath, Roles: postsActors, Handler: s.apiAckDutyAlert, Summary: "Acknowledge an alert; answer on_my_way to a help call (the clerk sees it)", Tag: "duty", Request: ackRequest{}, Response: dutyAlertJSON{DutyAlert: store.DutyAlert{Params: []string{}}}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/duty/alerts/{id}/close", Hall: HallPath, Roles: postsActors, Handler: s.apiCloseDutyAlert, Summary: "Close an alert with a note on how it was handled (audited)", Tag: "duty", Request: closeAlertRequest{}, Response: dutyAlertJSON{DutyAlert: store.DutyAlert{Params: []string{}}}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/duty/alerts/stream", Hall: HallPath, Roles: postsReaders, Handler: s.apiDutyAlertStream, Summary: "Server-sent events for the duty leader: snapshot (open alerts), then duty.alert on every raised or changed alert", Tag: "duty"},
		{Method: "GET", Path: "/api/v1/halls/{hall}/duty/settings", Hall: HallPath, Roles: postsReaders, Handler: s.apiDutySettings, Summary: "Post and alert rules of a hall (away minutes, queue and wait bounds, reminder days, SMS recipient masked)", Tag: "duty", Response: store.DutySettings{}},
		{Method: "PUT", Path: "/api/v1/halls/{hall}/duty/settings", Hall: HallPath, Roles: managers, Handler: s.apiDutySettings, Summary: "Change the post and alert rules of a hall", Tag: "duty", Request: store.DutySettings{}, Response: store.DutySettings{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/duty/leader-phones", Hall: HallPath, Roles: managers, Handler: s.apiLeaderPhones, Summary: "The hall's duty leaders with their mobile numbers for duty alerts (masked)", Tag: "duty", Response: []store.DutyLeaderPhone{{}}},
		{Method: "PUT", Path: "/api/v1/halls/{hall}/duty/leaders/{user}/phone", Hall: HallPath, Roles: managers, Handler: s.apiLeaderPhone, Summary: "Set (or with an empty phone remove) a duty leader's mobile number for duty alerts by SMS; stored sealed, audited", Tag: "duty", Request: leaderPhoneRequest{}, Response: store.DutyLeaderPhone{}},
		{Method: "POST", Path: "/api/v1/windows/{window}/help", Hall: HallWindow, Roles: windowRoles, Handler: s.apiHelpCall, Summary: "Call the duty leader from the window (distressed or aggressive visitor); only the clerk signed in there", Tag: "duty", Request: helpRequest{}, Response: dutyAlertJSON{DutyAlert: store.DutyAlert{Params: []string{}}}},
		{Method: "GET", Path: "/api/v1/windows/{window}/help/stream", Hall: HallWindow, Roles: windowRoles, Handler: s.apiHelpStream, Summary: "Server-sent events for the window console: snapshot (the window's latest help call), then help whenever the duty leader answers or closes it", Tag: "duty"},
		{Method: "GET", Path: "/api/v1/windows/{window}/help", Hall: HallWindow, Roles: windowRoles, Handler: s.apiHelpCall, Summary: "The window's latest help call and the leader's answer", Tag: "duty", Response: dutyAlertJSON{DutyAlert: store.DutyAlert{Params: []string{}}}},
		{Method: "GET", Path: "/halls/{hall}/duty/alerts", Hall: HallPath, Roles: postsReaders, Handler: s.pageDutyAlerts, Menu: &MenuEntry{Label: "dutyalert.title", Href: "/halls/1/duty/alerts"}},
		{Method: "POST", Path: "/halls/{hall}/duty/alerts/{id}/ack", Hall: HallPath, Roles: postsActors, Handler: s.formDutyAlert},
		{Method: "POST", Path: "/halls/{hall}/duty/alerts/{id}/close", Hall: HallPath, Roles: postsActors, Handler: s.formDutyAlert},

		// Staff at their posts and the ten-minute method.
		{Method: "GET", Path: "/api/v1/halls/{hall}/posts", Hall: HallPath, Roles: postsReaders, Handler: s.apiPostReport, Summary: "Staff at their posts over a period (from, to): scheduled vs actual sign-in, late, early leave, on-post rate, early/late by ten minutes, the ten-minute pledge of instant items", Tag: "duty", Response: postReportExample},
		{Method: "GET", Path: "/api/v1/halls/{hall}/posts/absences", Hall: HallPath, Roles: postsReaders, Handler: s.apiAbsences, Summary: "Registered short absences with their covers (from, to)", Tag: "duty", Response: []store.Absence{{}}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/posts/absences", Hall: HallPath, Roles: postsActors, Handler: s.apiAbsences, Summary: "Register a short absence: reason, minutes and a named cover who may sign in at the window (B岗顶岗)", Tag: "duty", Request: store.AbsenceInput{}, Response: store.Absence{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/briefings", Hall: HallPath, Roles: postsReaders, Handler: s.apiBriefings, Summary: "Ten-minute policy briefings (from, to)", Tag: "duty", Response: []store.Briefing{{Attendees: []string{}}}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/briefings", Hall: HallPath, Roles: postsActors, Handler: s.apiBriefings, Summary: "Log a ten-minute policy briefing: topic, presenter, attendees", Tag: "duty", Request: store.BriefingInput{}, Response: store.Briefing{Attendees: []string{}}},
		{Method: "GET", Path: "/halls/{hall}/posts", Hall: HallPath, Roles: postsReaders, Handler: s.pagePosts, Menu: &MenuEntry{Label: "posts.title", Href: "/halls/1/posts"}},
		{Method: "GET", Path: "/halls/{hall}/posts.xlsx", Hall: HallPath, Roles: postsReaders, Handler: s.exportPostsXLSX},
		{Method: "POST", Path: "/halls/{hall}/posts/absences", Hall: HallPath, Roles: postsActors, Handler: s.formAbsence},
		{Method: "POST", Path: "/halls/{hall}/posts/briefings", Hall: HallPath, Roles: postsActors, Handler: s.formBriefing},
		{Method: "POST", Path: "/halls/{hall}/posts/settings", Hall: HallPath, Roles: managers, Handler: s.formDutySettings},
		{Method: "POST", Path: "/halls/{hall}/posts/leader-phone", Hall: HallPath, Roles: managers, Handler: s.formLeaderPhone},

		// Complaints and suggestions.
		{Method: "GET", Path: "/api/v1/halls/{hall}/complaints", Hall: HallPath, Roles: complaintRoles, Handler: s.apiListComplaints, Summary: "Complaints and suggestions the caller may read (state, open=1, overdue=1); never one about the caller", Tag: "duty", Response: []store.Complaint{{Steps: []store.ComplaintStep{}}}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/complaints", Hall: HallPath, Roles: complaintRoles, Handler: s.apiCreateComplaint, Summary: "Receive a complaint (channel and type required; the receiver owns it until a recorded hand-over); resolved on the spot or opened with its deadline", Tag: "duty", Request: complaintRequest{}, Response: store.Complaint{Steps: []store.ComplaintStep{}}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/complaints/{id}", Hall: HallPath, Roles: complaintRoles, Handler: s.apiGetComplaint, Summary: "A complaint with its steps; reveal=1 shows the complainant's name and phone to the owner or a leader (audited)", Tag: "duty", Response: store.Complaint{Steps: []store.ComplaintStep{}}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/complaints/{id}/steps", Hall: HallPath, Roles: complaintRoles, Handler: s.apiStepComplaint, Summary: "Next step: handover, accept, decline, extend (petition, once, ≤30 days), resolve, reply (SMS), callback", Tag: "duty", Request: complaintStepRequest{}, Response: store.Complaint{Steps: []store.ComplaintStep{}}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/complaint-deadlines", Hall: HallPath, Roles: postsReaders, Handler: s.apiComplaintLimits, Summary: "Deadlines by complaint type", Tag: "duty", Response: []limitJSON{{}}},
		{Method: "PUT", Path: "/api/v1/halls/{hall}/complaint-deadlines", Hall: HallPath, Roles: managers, Handler: s.apiComplaintLimits, Summary: "Change deadlines by type (days, unit working_days or calendar_days)", Tag: "duty", Request: []limitJSON{{}}, Response: []limitJSON{{}}},
		{Method: "POST", Path: "/api/v1/complaints", Hall: HallBody, Roles: everyone, Handler: s.apiPublicComplaint, Summary: "Public complaint or suggestion: from a kiosk, or the web with a page token; returns the number and deadline", Tag: "duty", Request: publicComplaintRequest{}, Response: publicComplaintJSON{}},
		{Method: "GET", Path: "/halls/{hall}/complaints", Hall: HallPath, Roles: complaintRoles, Handler: s.pageComplaints, Menu: &MenuEntry{Label: "complaints.title", Href: "/halls/1/complaints"}},
		{Method: "POST", Path: "/halls/{hall}/complaint-deadlines", Hall: HallPath, Roles: managers, Handler: s.formComplaintLimits},
		{Method: "POST", Path: "/halls/{hall}/complaints", Hall: HallPath, Roles: complaintRoles, Handler: s.formCreateComplaint},
		{Method: "GET", Path: "/halls/{hall}/complaints/{id}", Hall: HallPath, Roles: complaintRoles, Handler: s.pageComplaint},
		{Method: "POST", Path: "/halls/{hall}/complaints/{id}/steps", Hall: HallPath, Roles: complaintRoles, Handler: s.formStepComplaint},
		{Method: "GET", Path: "/complain", Hall: HallBody, Roles: everyone, Handler: s.pageComplain, Menu: menu("complaints.public_title")},
		{Method: "POST", Path: "/complain", Hall: HallBody, Roles: everyone, Handler: s.formComplain},
	}
}
