package web

import (
	"mingbai/internal/auth"
	"mingbai/internal/oversight"
	"mingbai/internal/store"
)

// Role sets of the oversight area (issue 16).
var (
	// dashRoles read the live dashboard: the hall's manager and duty
	// leader, administrators and auditors.
	dashRoles = roles(auth.Admin, auth.HallManager, auth.DutyLeader, auth.Auditor)
	// alertReaders see the integrity alerts; alertClosers close them with
	// a note (alerts go to auditors).
	alertReaders = roles(auth.Admin, auth.HallManager, auth.Auditor)
	alertClosers = roles(auth.Admin, auth.Auditor)
)

// oversightRoutes are the routes of the live dashboard, the integrity
// alerts, the oversight settings and the public transparency page.
func (s *Server) oversightRoutes() []Route {
	return []Route{
		// ---- Live hall dashboard --------------------------------------
		{Method: "GET", Path: "/dashboard", Hall: HallNone, Roles: dashRoles, Handler: s.pageDistrict, Menu: menu("ov.dashboard")},
		{Method: "GET", Path: "/halls/{hall}/dashboard", Hall: HallPath, Roles: dashRoles, Handler: s.pageDashboard},
		{Method: "GET", Path: "/halls/{hall}/dashboard/wall", Hall: HallPath, Roles: dashRoles, Handler: s.pageDashboardWall},
		{Method: "GET", Path: "/api/v1/halls/{hall}/dashboard", Hall: HallPath, Roles: dashRoles, Handler: s.apiDashboard, Summary: "The live dashboard of a hall: waiting per zone and item, windows and their state, today's figures, wait by hour against the same weekday, cases near or past their deadline, open integrity alerts, thresholds crossed", Tag: "oversight", Response: store.Dashboard{Zones: []store.DashZone{{Items: []store.DashItem{{}}}}, Windows: []store.DashWindow{{}}, Hours: []oversight.HourWait{{}}, Cases: []store.DashCase{{}}, Alerts: []store.IntegrityAlert{{Params: map[string]string{}, Evidence: []string{}}}}},
		{Method: "GET", Path: "/api/v1/dashboard", Hall: HallNone, Roles: dashRoles, Handler: s.apiDistrict, Summary: "The dashboards of every hall the caller may act in (a district on one page)", Tag: "oversight", Response: []store.Dashboard{{}}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/dashboard/stream", Hall: HallPath, Roles: dashRoles, Handler: s.apiDashboardStream, Summary: "Server-sent events for the dashboard: snapshot (the dashboard), then changed whenever the hall's queue, windows, cases or alerts change", Tag: "oversight"},
		{Method: "GET", Path: "/api/v1/dashboard/stream", Hall: HallNone, Roles: dashRoles, Handler: s.apiDistrictStream, Summary: "Server-sent events for the district dashboard: changed with the hall whenever one of the caller's halls changes", Tag: "oversight"},

		// ---- Thresholds and integrity rules ---------------------------
		{Method: "GET", Path: "/api/v1/halls/{hall}/oversight-settings", Hall: HallPath, Roles: dashRoles, Handler: s.apiOversightSettings, Summary: "A hall's dashboard thresholds and integrity-rule thresholds", Tag: "oversight", Response: oversight.Defaults()},
		{Method: "PUT", Path: "/api/v1/halls/{hall}/oversight-settings", Hall: HallPath, Roles: managers, Handler: s.apiOversightSettings, Summary: "Change a hall's thresholds (negative or too large numbers are refused)", Tag: "oversight", Request: oversight.Defaults(), Response: oversight.Defaults()},
		{Method: "GET", Path: "/halls/{hall}/oversight-settings", Hall: HallPath, Roles: dashRoles, Handler: s.pageOversightSettings},
		{Method: "POST", Path: "/halls/{hall}/oversight-settings", Hall: HallPath, Roles: managers, Handler: s.formOversightSettings},

		// ---- Integrity alerts (廉政风险点) ------------------------------
		{Method: "GET", Path: "/integrity", Hall: HallQuery, Roles: alertReaders, Handler: s.pageIntegrityOwn, Menu: menu("ov.integrity")},
		{Method: "GET", Path: "/halls/{hall}/integrity", Hall: HallPath, Roles: alertReaders, Handler: s.pageIntegrity},
		{Method: "GET", Path: "/halls/{hall}/integrity/{id}", Hall: HallPath, Roles: alertReaders, Handler: s.pageIntegrityAlert},
		{Method: "POST", Path: "/halls/{hall}/integrity/{id}/close", Hall: HallPath, Roles: alertClosers, Handler: s.formCloseAlert},
		{Method: "POST", Path: "/halls/{hall}/integrity/scan", Hall: HallPath, Roles: alertReaders, Handler: s.formScanIntegrity},
		{Method: "GET", Path: "/api/v1/halls/{hall}/integrity-alerts/{id}", Hall: HallPath, Roles: alertReaders, Handler: s.apiAlertDetail, Summary: "One integrity alert with its evidence (audit records, tickets, cases, devices) and its history of closes and reopens", Tag: "oversight", Response: store.AlertDetail{Alert: store.IntegrityAlert{Params: map[string]string{}, Evidence: []string{}}, Evidence: []store.Evidence{{}}, History: []store.AlertNote{{}}}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/integrity-alerts/{id}/close", Hall: HallPath, Roles: alertClosers, Handler: s.apiCloseAlert, Summary: "Close an integrity alert with a note: the reason and the decision are both required (audited; it reopens if it recurs)", Tag: "oversight", Request: closeRequest{}, Response: store.AlertDetail{Alert: store.IntegrityAlert{Params: map[string]string{}, Evidence: []string{}}, Evidence: []store.Evidence{{}}, History: []store.AlertNote{{}}}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/integrity-scan", Hall: HallPath, Roles: alertReaders, Handler: s.apiScanIntegrity, Summary: "Run the integrity rules over the hall's ledger, tickets, devices and audit log now (the server also runs them every five minutes)", Tag: "oversight", Response: store.ScanResult{}},

		// ---- Public transparency page (no sign-in) ---------------------
		{Method: "GET", Path: "/halls/{hall}/transparency", Hall: HallPath, Roles: everyone, Handler: s.pageTransparency, Menu: &MenuEntry{Label: "ov.transparency", Href: "/halls/1/transparency"}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/transparency", Hall: HallPath, Roles: everyone, Handler: s.apiTransparency, Summary: "The public figures of a hall: waiting per zone today, last month's mean wait and share called within 10 minutes, on-time completion, satisfaction (no personal data, no per-staff figures)", Tag: "oversight", Response: transparencyJSON{Figures: store.PublicFigures{Zones: []store.ZoneWaiting{{}}}, Satisfaction: store.PublicSatisfaction{Zones: []store.RateRow{{}}}}},
	}
}
