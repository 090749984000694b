package web

import (
	"net/http"

	"mingbai/internal/auth"
	"mingbai/internal/catalog"
	"mingbai/internal/store"
)

// Route is one entry of the route table. Every route names the roles that
// may call it and where its hall comes from; the access test walks this
// table with every role, in the caller's own hall and in another.
type Route struct {
	Method string
	Path   string
	Roles  []auth.Role
	// Hall says where the route's hall comes from; it has no default
	// (see HallFrom). The wrapper checks the caller may act in that hall.
	Hall    HallFrom
	Handler func(http.ResponseWriter, *http.Request) error
	// Summary and Tag document API routes in the OpenAPI description.
	Summary string
	Tag     string
	// Request and Response are example values whose shape documents the
	// JSON bodies (nil when there is none).
	Request  any
	Response any
}

// Role sets used by the table.
var (
	everyone = auth.AllRoles
	// staffRoles are all signed-in accounts.
	staffRoles = auth.AccountRoles
	admins     = roles(auth.Admin)
	managers   = roles(auth.Admin, auth.HallManager)
	// overseers may read what managers manage: auditors read everything.
	overseers = roles(auth.Admin, auth.HallManager, auth.Auditor)
	auditors  = roles(auth.Admin, auth.Auditor)
)

func roles(rs ...auth.Role) []auth.Role { return rs }

// routeTable is the one place where every route of mingbai is declared.
// Sections follow the areas of the hall.
func (s *Server) routeTable() []Route {
	rt := []Route{
		// ---- Foundation: health, metrics, API description -------------
		{Method: "GET", Path: "/healthz", Hall: HallNone, Roles: everyone, Handler: s.handleHealthz, Summary: "Process is up", Tag: "system"},
		{Method: "GET", Path: "/readyz", Hall: HallNone, Roles: everyone, Handler: s.handleReadyz, Summary: "Database is reachable", Tag: "system"},
		{Method: "GET", Path: "/metrics", Hall: HallNone, Roles: everyone, Handler: s.handleMetrics, Summary: "Prometheus metrics", Tag: "system"},
		{Method: "GET", Path: "/api/v1/openapi.json", Hall: HallNone, Roles: everyone, Handler: s.handleOpenAPI, Summary: "This OpenAPI 3.1 description", Tag: "system"},
		{Method: "GET", Path: "/api/docs", Hall: HallNone, Roles: everyone, Handler: s.handleAPIDocs},

		// ---- Foundation: pages and sign-in ----------------------------
		{Method: "GET", Path: "/{$}", Hall: HallNone, Roles: everyone, Handler: s.handleHome},
		{Method: "GET", Path: "/login", Hall: HallNone, Roles: everyone, Handler: s.handleLoginPage},
		{Method: "POST", Path: "/login", Hall: HallNone, Roles: everyone, Handler: s.handleLogin},
		{Method: "POST", Path: "/logout", Hall: HallNone, Roles: staffRoles, Handler: s.handleLogout},
		{Method: "POST", Path: "/api/v1/session", Hall: HallNone, Roles: everyone, Handler: s.apiLogin, Summary: "Sign in and receive a session cookie", Tag: "accounts", Request: loginRequest{}, Response: meResponse{}},
		{Method: "GET", Path: "/api/v1/me", Hall: HallNone, Roles: append(staffRoles, auth.Device), Handler: s.apiMe, Summary: "The authenticated caller", Tag: "accounts", Response: meResponse{}},

		// ---- Foundation: accounts and tokens --------------------------
		{Method: "GET", Path: "/api/v1/users", Hall: HallNone, Roles: admins, Handler: s.apiListUsers, Summary: "List user accounts", Tag: "accounts", Response: []userJSON{{}}},
		{Method: "POST", Path: "/api/v1/users", Hall: HallNone, Roles: admins, Handler: s.apiCreateUser, Summary: "Create a user account", Tag: "accounts", Request: createUserRequest{}, Response: userJSON{}},
		{Method: "PUT", Path: "/api/v1/users/{name}/role", Hall: HallNone, Roles: admins, Handler: s.apiSetUserRole, Summary: "Change an account's role (its sessions end)", Tag: "accounts", Request: roleRequest{}},
		{Method: "POST", Path: "/api/v1/users/{name}/disable", Hall: HallNone, Roles: admins, Handler: s.apiDisableUser, Summary: "Disable an account (ends its sessions, revokes its tokens)", Tag: "accounts"},
		{Method: "GET", Path: "/api/v1/tokens", Hall: HallNone, Roles: admins, Handler: s.apiListTokens, Summary: "List API tokens", Tag: "accounts", Response: []tokenJSON{{}}},
		{Method: "POST", Path: "/api/v1/tokens", Hall: HallNone, Roles: admins, Handler: s.apiCreateToken, Summary: "Create an API token for a user (secret shown once)", Tag: "accounts", Request: createTokenRequest{}, Response: createdToken{}},
		{Method: "POST", Path: "/api/v1/tokens/{id}/revoke", Hall: HallNone, Roles: admins, Handler: s.apiRevokeToken, Summary: "Revoke an API token", Tag: "accounts"},

		// ---- Foundation: halls, zones, windows, staff, devices --------
		{Method: "GET", Path: "/api/v1/halls", Hall: HallNone, Roles: everyone, Handler: s.apiListHalls, Summary: "List halls", Tag: "hall", Response: []hallJSON{{}}},
		{Method: "POST", Path: "/api/v1/halls", Hall: HallNone, Roles: admins, Handler: s.apiCreateHall, Summary: "Create a hall", Tag: "hall", Request: hallJSON{}, Response: hallJSON{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}", Hall: HallPath, Roles: everyone, Handler: s.apiGetHall, Summary: "A hall with its opening hours", Tag: "hall", Response: hallJSON{}},
		{Method: "PUT", Path: "/api/v1/halls/{hall}", Hall: HallPath, Roles: managers, Handler: s.apiUpdateHall, Summary: "Change a hall's name, address and opening hours", Tag: "hall", Request: hallJSON{}, Response: hallJSON{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/zones", Hall: HallPath, Roles: everyone, Handler: s.apiListZones, Summary: "Zones of a hall", Tag: "hall", Response: []zoneJSON{{}}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/zones", Hall: HallPath, Roles: managers, Handler: s.apiCreateZone, Summary: "Add a zone", Tag: "hall", Request: zoneJSON{}, Response: zoneJSON{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/windows", Hall: HallPath, Roles: everyone, Handler: s.apiListWindows, Summary: "Windows of a hall with the item codes each serves", Tag: "hall", Response: []windowJSON{{}}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/windows", Hall: HallPath, Roles: managers, Handler: s.apiSaveWindow, Summary: "Add a window", Tag: "hall", Request: windowJSON{}, Response: windowJSON{}},
		{Method: "PUT", Path: "/api/v1/halls/{hall}/windows/{window}", Hall: HallPath, Roles: managers, Handler: s.apiSaveWindow, Summary: "Change a window (zone, number, staff, items)", Tag: "hall", Request: windowJSON{}, Response: windowJSON{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/staff", Hall: HallPath, Roles: everyone, Handler: s.apiListStaff, Summary: "Staff of a hall: name, post, pledge, photo (shown publicly by design)", Tag: "hall", Response: []staffJSON{{}}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/staff", Hall: HallPath, Roles: managers, Handler: s.apiSaveStaff, Summary: "Add a staff member", Tag: "hall", Request: staffJSON{}, Response: staffJSON{}},
		{Method: "PUT", Path: "/api/v1/halls/{hall}/staff/{staff}", Hall: HallPath, Roles: managers, Handler: s.apiSaveStaff, Summary: "Change a staff member", Tag: "hall", Request: staffJSON{}, Response: staffJSON{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/devices", Hall: HallPath, Roles: overseers, Handler: s.apiListDevices, Summary: "Devices of a hall", Tag: "hall", Response: []deviceJSON{{}}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/devices", Hall: HallPath, Roles: managers, Handler: s.apiCreateDevice, Summary: "Register a device; returns its token once", Tag: "hall", Request: deviceJSON{}, Response: createdDevice{}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/devices/{device}/revoke", Hall: HallPath, Roles: managers, Handler: s.apiRevokeDevice, Summary: "Revoke a device token", Tag: "hall"},

		// ---- Foundation: audit and outbox -----------------------------
		{Method: "GET", Path: "/api/v1/audit", Hall: HallNone, Roles: auditors, Handler: s.apiListAudit, Summary: "Audit records, newest first (filters: action prefix, actor, before)", Tag: "audit", Response: []auditJSON{{}}},
		{Method: "GET", Path: "/api/v1/audit/verify", Hall: HallNone, Roles: auditors, Handler: s.apiVerifyAudit, Summary: "Verify the audit hash chain", Tag: "audit", Response: verifyJSON{}},
		{Method: "GET", Path: "/api/v1/outbox", Hall: HallQuery, Roles: overseers, Handler: s.apiListOutbox, Summary: "Outgoing messages and their delivery state", Tag: "notify", Response: []outboxJSON{{}}},

		// ---- Foundation: administration pages -------------------------
		{Method: "GET", Path: "/admin", Hall: HallNone, Roles: overseers, Handler: s.pageAdmin},
		{Method: "GET", Path: "/admin/halls/{hall}", Hall: HallPath, Roles: overseers, Handler: s.pageHall},
		{Method: "POST", Path: "/admin/halls/{hall}", Hall: HallPath, Roles: managers, Handler: s.formHall},
		{Method: "POST", Path: "/admin/halls/{hall}/zones", Hall: HallPath, Roles: managers, Handler: s.formZone},
		{Method: "POST", Path: "/admin/halls/{hall}/windows", Hall: HallPath, Roles: managers, Handler: s.formWindow},
		{Method: "POST", Path: "/admin/halls/{hall}/staff", Hall: HallPath, Roles: managers, Handler: s.formStaff},
		{Method: "POST", Path: "/admin/halls/{hall}/devices", Hall: HallPath, Roles: managers, Handler: s.formDevice},
		{Method: "POST", Path: "/admin/halls/{hall}/devices/{device}/revoke", Hall: HallPath, Roles: managers, Handler: s.formRevokeDevice},
		{Method: "GET", Path: "/admin/users", Hall: HallNone, Roles: admins, Handler: s.pageUsers},
		{Method: "POST", Path: "/admin/users", Hall: HallNone, Roles: admins, Handler: s.formUser},
		{Method: "POST", Path: "/admin/users/{name}/role", Hall: HallNone, Roles: admins, Handler: s.formUserRole},
		{Method: "GET", Path: "/admin/audit", Hall: HallNone, Roles: auditors, Handler: s.pageAudit},
		{Method: "GET", Path: "/admin/outbox", Hall: HallQuery, Roles: overseers, Handler: s.pageOutbox},
		{Method: "GET", Path: "/avatars/{file}", Hall: HallNone, Roles: everyone, Handler: s.handleAvatar},
	}
	// ---- Service guides (catalog) -------------------------------------
	rt = append(rt, []Route{
		{Method: "GET", Path: "/api/v1/items", Hall: HallNone, Roles: everyone, Handler: s.apiListItems, Summary: "Published service items (filters: zone; q searches names, aliases, pinyin initials, materials and FAQ, best first)", Tag: "catalog", Response: []itemJSON{{}}},
		{Method: "GET", Path: "/api/v1/items/{code}", Hall: HallNone, Roles: everyone, Handler: s.apiGetItem, Summary: "The published guide of an item with its version", Tag: "catalog", Response: catalog.Guide{}},
		{Method: "GET", Path: "/api/v1/items/{code}/versions", Hall: HallNone, Roles: guideStaff, Handler: s.apiListVersions, Summary: "All versions of an item's guide, newest first, drafts included", Tag: "catalog", Response: []versionJSON{{}}},
		{Method: "GET", Path: "/api/v1/items/{code}/versions/{n}", Hall: HallNone, Roles: guideStaff, Handler: s.apiGetVersion, Summary: "One version of an item's guide, in any state", Tag: "catalog", Response: catalog.Guide{}},
		{Method: "GET", Path: "/api/v1/items/{code}/diff", Hall: HallNone, Roles: guideStaff, Handler: s.apiDiffVersions, Summary: "Field-by-field changes between two versions (?from=N&to=M)", Tag: "catalog", Response: diffJSON{}},
		{Method: "POST", Path: "/api/v1/items/{code}/drafts", Hall: HallNone, Roles: guideEditors, Handler: s.apiSaveDraft, Summary: "Save a new draft version of a guide (item JSON and reason); validated field by field", Tag: "catalog", Request: draftRequest{}, Response: versionJSON{}},
		{Method: "POST", Path: "/api/v1/items/{code}/versions/{n}/publish", Hall: HallNone, Roles: managers, Handler: s.apiPublishVersion, Summary: "Publish a draft (not by its author); supersedes the published version", Tag: "catalog", Response: versionJSON{}},
		{Method: "POST", Path: "/api/v1/catalog/import", Hall: HallNone, Roles: admins, Handler: s.apiImportCatalog, Summary: "Import a catalogue file: all or nothing, every problem listed by item and field", Tag: "catalog", Request: catalogFileDoc{}, Response: store.ImportResult{}},
		{Method: "GET", Path: "/api/v1/catalog/export", Hall: HallNone, Roles: overseers, Handler: s.apiExportCatalog, Summary: "Export the published catalogue in the catalogue file format", Tag: "catalog", Response: catalogFileDoc{}},

		{Method: "GET", Path: "/guides", Hall: HallNone, Roles: everyone, Handler: s.pageGuides},
		{Method: "GET", Path: "/guides/print", Hall: HallNone, Roles: everyone, Handler: s.pageGuidesPrint},
		{Method: "GET", Path: "/guides/{code}", Hall: HallNone, Roles: everyone, Handler: s.pageGuide},
		{Method: "GET", Path: "/guides/{code}/print", Hall: HallNone, Roles: everyone, Handler: s.pageGuidePrint},
		{Method: "GET", Path: "/kiosk/guides", Hall: HallNone, Roles: everyone, Handler: s.pageKioskGuides},
		{Method: "GET", Path: "/editor/guides", Hall: HallNone, Roles: guideStaff, Handler: s.pageEditorList},
		{Method: "GET", Path: "/editor/guides/{code}", Hall: HallNone, Roles: guideStaff, Handler: s.pageEditorItem},
		{Method: "POST", Path: "/editor/guides/{code}/drafts", Hall: HallNone, Roles: guideEditors, Handler: s.formSaveDraft},
		{Method: "GET", Path: "/editor/guides/{code}/versions/{n}", Hall: HallNone, Roles: guideStaff, Handler: s.pageEditorVersion},
		{Method: "POST", Path: "/editor/guides/{code}/versions/{n}/publish", Hall: HallNone, Roles: managers, Handler: s.formPublish},
	}...)

	// ---- Queue and calling ---------------------------------------------
	windowRoles := roles(auth.WindowStaff, auth.HallManager, auth.Admin)
	acts := []struct{ path, action, summary string }{
		{"start", store.ActStart, "Start serving a called ticket"},
		{"finish", store.ActFinish, "Finish a ticket"},
		{"no-show", store.ActNoShow, "Mark a called ticket as not shown up (after the configured recalls)"},
		{"recall", store.ActRecall, "Recall a ticket (repeats the announcement)"},
		{"transfer", store.ActTransfer, "Transfer a ticket to another item or window, keeping its place"},
		{"hold", store.ActHold, "Put a ticket on hold (e.g. the citizen fetches a document)"},
		{"return", store.ActReturn, "Return a held ticket to the queue at its place"},
		{"cancel", store.ActCancel, "Cancel a ticket"},
	}
	rt = append(rt, []Route{
		{Method: "POST", Path: "/api/v1/tickets", Hall: HallBody, Roles: everyone, Handler: s.apiIssueTicket, Summary: "Take a ticket (kiosk device, staff, or anonymous web, rate-limited); a retry with the same idempotency_key returns the first ticket", Tag: "queue", Request: issueRequest{}, Response: issuedJSON{}},
		{Method: "POST", Path: "/api/v1/sms-codes", Hall: HallBody, Roles: everyone, Handler: s.apiSMSCode, Summary: "Send an SMS code to confirm the phone of a remote ticket", Tag: "queue", Request: smsCodeRequest{}},
		{Method: "GET", Path: "/api/v1/track/{token}", Hall: HallNone, Roles: everyone, Handler: s.apiTrack, Summary: "Public tracking view of a ticket by its tracking token: position, estimate, numbers being called", Tag: "queue", Response: trackJSON{}},
		{Method: "POST", Path: "/api/v1/track/{token}/cancel", Hall: HallNone, Roles: everyone, Handler: s.apiTrackCancel, Summary: "Give up a waiting ticket from its tracking page", Tag: "queue"},
		{Method: "GET", Path: "/api/v1/tickets/{id}", Hall: HallTicket, Roles: staffRoles, Handler: s.apiGetTicket, Summary: "A ticket with its timestamped transitions (staff)", Tag: "queue", Response: store.Ticket{}},
		{Method: "POST", Path: "/api/v1/windows/{window}/call", Hall: HallWindow, Roles: windowRoles, Handler: s.apiCall, Summary: "Call the next ticket by the hall's policy, or a given ticket out of turn with a reason; 404 when nothing waits", Tag: "queue", Request: callRequest{}, Response: store.Ticket{}},
		{Method: "POST", Path: "/api/v1/windows/{window}/session", Hall: HallWindow, Roles: windowRoles, Handler: s.apiWindowSession, Summary: "Sign in at a window (open), pause with a reason (break, back_office, meeting) or sign out (closed)", Tag: "queue", Request: sessionRequest{}, Response: store.WindowSession{}},
		{Method: "GET", Path: "/api/v1/windows/{window}/console", Hall: HallWindow, Roles: windowRoles, Handler: s.apiConsole, Summary: "Window console state: session, current ticket, waiting counts, today's figures", Tag: "queue", Response: store.Console{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/queue", Hall: HallPath, Roles: everyone, Handler: s.apiHallBoard, Summary: "Public queue state of a hall: latest calls, waiting per zone, windows", Tag: "queue", Response: store.HallBoard{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/stream", Hall: HallPath, Roles: everyone, Handler: s.apiHallStream, Summary: "Public server-sent events for screens (snapshot, ticket.issued, ticket.called, ticket.recalled, ticket.updated, window.state); resumes with Last-Event-ID", Tag: "queue"},
		{Method: "GET", Path: "/api/v1/halls/{hall}/integrity-alerts", Hall: HallPath, Roles: overseers, Handler: s.apiIntegrityAlerts, Summary: "Integrity alerts (out-of-turn calls)", Tag: "queue", Response: []store.IntegrityAlert{{}}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/queue-settings", Hall: HallPath, Roles: overseers, Handler: s.apiQueueSettings, Summary: "Queue rules of a hall", Tag: "queue", Response: store.QueueSettings{}},
		{Method: "PUT", Path: "/api/v1/halls/{hall}/queue-settings", Hall: HallPath, Roles: managers, Handler: s.apiQueueSettings, Summary: "Change the queue rules of a hall (policy, green-channel bound, recalls, near-turn SMS, caps, no-show rules)", Tag: "queue", Request: store.QueueSettings{}, Response: store.QueueSettings{}},
		{Method: "PUT", Path: "/api/v1/halls/{hall}/item-caps/{item}", Hall: HallPath, Roles: managers, Handler: s.apiItemCap, Summary: "Set the daily ticket cap of an item (0 removes it)", Tag: "queue", Request: itemCapRequest{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/eta-accuracy", Hall: HallPath, Roles: overseers, Handler: s.apiETAAccuracy, Summary: "Error of the wait estimates given at issue against the actual waits (last 30 days)", Tag: "queue", Response: store.ETAAccuracy{}},
	}...)
	for _, a := range acts {
		rt = append(rt, Route{Method: "POST", Path: "/api/v1/tickets/{id}/" + a.path, Hall: HallTicket, Roles: windowRoles, Handler: s.apiAct(a.action), Summary: a.summary, Tag: "queue", Request: actRequest{}, Response: store.Ticket{}})
	}
	rt = append(rt, []Route{
		{Method: "GET", Path: "/api/v1/halls/{hall}/appointment-slots", Hall: HallPath, Roles: everyone, Handler: s.apiAppointmentSlots, Summary: "Bookable slots of an item on a day (?item=&day=YYYY-MM-DD) with free places", Tag: "queue", Response: []store.Slot{{}}},
		{Method: "POST", Path: "/api/v1/appointments", Hall: HallBody, Roles: everyone, Handler: s.apiBook, Summary: "Book an appointment slot (phone confirmed by an SMS code from /api/v1/sms-codes)", Tag: "queue", Request: bookRequest{}, Response: store.Appointment{}},
		{Method: "POST", Path: "/api/v1/appointments/{code}/check-in", Hall: HallBody, Roles: everyone, Handler: s.apiCheckIn, Summary: "Check in an appointment (30 min before to 15 min after the slot): a green-channel ticket", Tag: "queue", Request: checkInRequest{}, Response: issuedJSON{}},
	}...)
	rt = append(rt, []Route{
		{Method: "GET", Path: "/kiosk", Hall: HallOwn, Roles: everyone, Handler: s.pageKiosk},
		{Method: "GET", Path: "/console", Hall: HallOwn, Roles: windowRoles, Handler: s.pageConsole},
		{Method: "GET", Path: "/screens/hall/{hall}", Hall: HallPath, Roles: everyone, Handler: s.pageScreenHall},
		{Method: "GET", Path: "/screens/zone/{hall}/{zone}", Hall: HallPath, Roles: everyone, Handler: s.pageScreenZone},
		{Method: "GET", Path: "/screens/window/{window}", Hall: HallWindow, Roles: everyone, Handler: s.pageScreenWindow},
		{Method: "GET", Path: "/t/{token}", Hall: HallNone, Roles: everyone, Handler: s.pageTrack},
		{Method: "GET", Path: "/t/{token}/qr.png", Hall: HallNone, Roles: everyone, Handler: s.handleTrackQR},
		{Method: "GET", Path: "/remote", Hall: HallBody, Roles: everyone, Handler: s.pageRemote},
		{Method: "POST", Path: "/remote/code", Hall: HallBody, Roles: everyone, Handler: s.formRemoteCode},
		{Method: "POST", Path: "/remote", Hall: HallBody, Roles: everyone, Handler: s.formRemote},
		{Method: "GET", Path: "/appointments", Hall: HallBody, Roles: everyone, Handler: s.pageAppointments},
		{Method: "POST", Path: "/appointments/code", Hall: HallBody, Roles: everyone, Handler: s.formApptCode},
		{Method: "POST", Path: "/appointments", Hall: HallBody, Roles: everyone, Handler: s.formBook},
		{Method: "POST", Path: "/appointments/check-in", Hall: HallBody, Roles: everyone, Handler: s.formCheckIn},
	}...)

	// ---- Case ledger ----------------------------------------------------
	rt = append(rt, []Route{
		{Method: "POST", Path: "/api/v1/cases", Hall: HallOwn, Roles: roles(auth.WindowStaff), Handler: s.apiCreateCase, Summary: "Accept a case at the window (from a ticket or directly) against the guide in force", Tag: "cases", Request: store.CaseInput{}, Response: store.CaseView{}},
		{Method: "GET", Path: "/api/v1/cases", Hall: HallQuery, Roles: caseReaders, Handler: s.apiListCases, Summary: "The business ledger (filters: zone, from, to, item, staff, state, overdue, open; window staff see their own cases)", Tag: "cases", Response: []store.CaseView{{}}},
		{Method: "POST", Path: "/api/v1/cases/search", Hall: HallQuery, Roles: caseWorkers, Handler: s.apiSearchCases, Summary: "Find cases by exact resident ID number (blind index; audited)", Tag: "cases", Request: searchRequest{}, Response: []store.CaseView{{}}},
		{Method: "GET", Path: "/api/v1/cases/{id}", Hall: HallCase, Roles: caseReaders, Handler: s.apiGetCase, Summary: "A case with personal data masked; ?reveal=1 adds the full data for the responsible staff or managers (audited)", Tag: "cases", Response: caseResponse{}},
		{Method: "POST", Path: "/api/v1/cases/{id}/state", Hall: HallCase, Roles: caseWorkers, Handler: s.apiChangeCase, Summary: "Move a case: in_review, correction (one-time notice), in_review again when materials arrive, completed, rejected (reason and legal basis), withdrawn", Tag: "cases", Request: store.CaseChange{}, Response: store.CaseView{}},
		{Method: "POST", Path: "/api/v1/cases/{id}/materials", Hall: HallCase, Roles: caseWorkers, Handler: s.apiCaseMaterials, Summary: "Record materials received, missing or deferred; extras need a reason and raise an integrity alert", Tag: "cases", Request: store.MaterialsUpdate{}, Response: store.CaseView{}},
		{Method: "POST", Path: "/api/v1/progress", Hall: HallNone, Roles: everyone, Handler: s.apiProgress, Summary: "Public progress look-up by case number and the last four digits of the phone or ID number (rate-limited)", Tag: "cases", Request: progressRequest{}, Response: store.Progress{}},
		{Method: "GET", Path: "/api/v1/integrity-alerts", Hall: HallQuery, Roles: overseers, Handler: s.apiListAlerts, Summary: "Integrity alerts (e.g. materials asked beyond the guide); ?all=1 includes resolved ones", Tag: "cases", Response: []store.IntegrityAlert{{}}},
		{Method: "POST", Path: "/api/v1/integrity-alerts/{id}/resolve", Hall: HallQuery, Roles: managers, Handler: s.apiResolveAlert, Summary: "Mark an integrity alert as dealt with", Tag: "cases", Request: resolveRequest{}},
		{Method: "GET", Path: "/api/v1/calendar", Hall: HallNone, Roles: staffRoles, Handler: s.apiCalendar, Summary: "Working-day calendar: overrides and known years", Tag: "cases", Response: calendarJSON{}},
		{Method: "POST", Path: "/api/v1/calendar/overrides", Hall: HallNone, Roles: calendarEditors, Handler: s.apiSetOverride, Summary: "Add or replace a calendar override (local closure, extra working day, a new year's schedule)", Tag: "cases", Request: overrideRequest{}},
		{Method: "POST", Path: "/api/v1/calendar/known-years", Hall: HallNone, Roles: calendarEditors, Handler: s.apiKnownYear, Summary: "Declare a year's schedule complete in the overrides", Tag: "cases", Request: knownYearRequest{}},

		{Method: "GET", Path: "/cases", Hall: HallQuery, Roles: caseReaders, Handler: s.pageCases},
		{Method: "GET", Path: "/cases/new", Hall: HallOwn, Roles: roles(auth.WindowStaff), Handler: s.pageNewCase},
		{Method: "POST", Path: "/cases/new", Hall: HallOwn, Roles: roles(auth.WindowStaff), Handler: s.formNewCase},
		{Method: "GET", Path: "/cases/ledger", Hall: HallQuery, Roles: caseReaders, Handler: s.pageLedger},
		{Method: "GET", Path: "/cases/ledger.xlsx", Hall: HallQuery, Roles: caseReaders, Handler: s.exportLedgerXLSX},
		{Method: "GET", Path: "/cases/ledger.csv", Hall: HallQuery, Roles: caseReaders, Handler: s.exportLedgerCSV},
		{Method: "GET", Path: "/cases/alerts", Hall: HallQuery, Roles: overseers, Handler: s.pageAlerts},
		{Method: "GET", Path: "/cases/{id}", Hall: HallCase, Roles: caseReaders, Handler: s.pageCase},
		{Method: "POST", Path: "/cases/{id}/state", Hall: HallCase, Roles: caseWorkers, Handler: s.formCaseState},
		{Method: "POST", Path: "/cases/{id}/materials", Hall: HallCase, Roles: caseWorkers, Handler: s.formCaseMaterials},
		{Method: "GET", Path: "/cases/{id}/notice", Hall: HallCase, Roles: caseReaders, Handler: s.pageNotice},
		{Method: "GET", Path: "/progress", Hall: HallNone, Roles: everyone, Handler: s.pageProgress},
		{Method: "POST", Path: "/progress", Hall: HallNone, Roles: everyone, Handler: s.formProgress},
		{Method: "GET", Path: "/admin/calendar", Hall: HallNone, Roles: calendarEditors, Handler: s.pageCalendar},
		{Method: "POST", Path: "/admin/calendar", Hall: HallNone, Roles: calendarEditors, Handler: s.formCalendar},
	}...)

	// ---- Notifications (notify) ----
	// (routes of this area go here)

	// ---- Feedback: ratings, callbacks, rectification (feedback) ----
	// (routes of this area go here)

	// ---- Leaders on duty, posts, complaints (duty) ----
	// (routes of this area go here)

	// ---- Graduate consultation (consult) ----
	// (routes of this area go here)

	// ---- Oversight: dashboard, reports, transparency (oversight) ----
	// (routes of this area go here)

	// ---- Simulation and staffing ----------------------------------------
	rt = append(rt, []Route{
		{Method: "GET", Path: "/admin/staffing", Hall: HallNone, Roles: overseers, Handler: s.pageStaffing},
		{Method: "POST", Path: "/api/v1/staffing", Hall: HallNone, Roles: managers, Handler: s.apiStartStaffing, Summary: "Start the staffing advisor on an embedded scenario (a background job)", Tag: "simulation", Request: staffingRequest{}, Response: staffingView{}},
		{Method: "GET", Path: "/api/v1/staffing/{job}", Hall: HallNone, Roles: overseers, Handler: s.apiStaffingJob, Summary: "Progress and result of a staffing advisor job", Tag: "simulation", Response: staffingView{}},
	}...)

	return rt
}
