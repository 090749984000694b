package web

import (
	"net/http"

	"mingbai/internal/auth"
	"mingbai/internal/catalog"
	"mingbai/internal/feedback"
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
	// Unprocessable, when set, is the shape of a 422 answer that is not
	// an ErrorBody (an import job listing every bad row).
	Unprocessable any
	// Menu, when set, puts the route on the home page: for everyone when
	// the route is open to everyone, otherwise for the roles of the route.
	Menu *MenuEntry
}

// MenuEntry is a route's entry on the home page: Label is its message
// key; Href, when set, replaces a path with parameters.
type MenuEntry struct {
	Label, Href string
}

// menu is a home-page entry linking to the route's own path.
func menu(label string) *MenuEntry { return &MenuEntry{Label: label} }

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
		{Method: "GET", Path: "/healthz", Hall: HallNone, Roles: everyone, Handler: s.handleHealthz, Summary: "Process is up", Tag: "system", Response: healthJSON{}},
		{Method: "GET", Path: "/readyz", Hall: HallNone, Roles: everyone, Handler: s.handleReadyz, Summary: "Database is reachable", Tag: "system", Response: readyJSON{}},
		{Method: "GET", Path: "/metrics", Hall: HallNone, Roles: everyone, Handler: s.handleMetrics, Summary: "Prometheus metrics", Tag: "system"},
		{Method: "GET", Path: "/api/v1/openapi.json", Hall: HallNone, Roles: everyone, Handler: s.handleOpenAPI, Summary: "This OpenAPI 3.1 description", Tag: "system", Response: map[string]any{}},
		{Method: "POST", Path: "/csp-report", Roles: everyone, Hall: HallNone, Handler: s.handleCSPReport},
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
		{Method: "PUT", Path: "/api/v1/users/{name}/role", Hall: HallNone, Roles: admins, Handler: s.apiSetUserRole, Summary: "Change an account's role (its sessions end)", Tag: "accounts", Request: roleRequest{}, Response: roleJSON{}},
		{Method: "POST", Path: "/api/v1/users/{name}/disable", Hall: HallNone, Roles: admins, Handler: s.apiDisableUser, Summary: "Disable an account (ends its sessions, revokes its tokens)", Tag: "accounts", Response: disabledJSON{}},
		{Method: "GET", Path: "/api/v1/tokens", Hall: HallNone, Roles: admins, Handler: s.apiListTokens, Summary: "List API tokens", Tag: "accounts", Response: []tokenJSON{{}}},
		{Method: "POST", Path: "/api/v1/tokens", Hall: HallNone, Roles: admins, Handler: s.apiCreateToken, Summary: "Create an API token for a user (secret shown once)", Tag: "accounts", Request: createTokenRequest{}, Response: createdToken{}},
		{Method: "POST", Path: "/api/v1/tokens/{id}/revoke", Hall: HallNone, Roles: admins, Handler: s.apiRevokeToken, Summary: "Revoke an API token", Tag: "accounts", Response: revokedJSON{}},

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
		{Method: "PUT", Path: "/api/v1/halls/{hall}/windows/{window}/cover", Roles: managers, Hall: HallPath, Handler: s.apiWindowCover, Summary: "Name the cover who may sign in at a window besides its assigned staff (staff 0 removes the cover)", Tag: "hall", Request: coverRequest{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/staff", Hall: HallPath, Roles: everyone, Handler: s.apiListStaff, Summary: "Staff of a hall: name, post, pledge, photo (shown publicly by design)", Tag: "hall", Response: []staffJSON{{}}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/staff", Hall: HallPath, Roles: managers, Handler: s.apiSaveStaff, Summary: "Add a staff member", Tag: "hall", Request: staffJSON{}, Response: staffJSON{}},
		{Method: "PUT", Path: "/api/v1/halls/{hall}/staff/{staff}", Hall: HallPath, Roles: managers, Handler: s.apiSaveStaff, Summary: "Change a staff member", Tag: "hall", Request: staffJSON{}, Response: staffJSON{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/devices", Hall: HallPath, Roles: overseers, Handler: s.apiListDevices, Summary: "Devices of a hall", Tag: "hall", Response: []deviceJSON{{}}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/devices", Hall: HallPath, Roles: managers, Handler: s.apiCreateDevice, Summary: "Register a device; returns its token once", Tag: "hall", Request: deviceJSON{}, Response: createdDevice{}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/devices/{device}/revoke", Hall: HallPath, Roles: managers, Handler: s.apiRevokeDevice, Summary: "Revoke a device token", Tag: "hall", Response: revokedJSON{}},

		// ---- Foundation: audit and outbox -----------------------------
		{Method: "GET", Path: "/api/v1/audit", Hall: HallNone, Roles: auditors, Handler: s.apiListAudit, Summary: "Audit records, newest first (filters: action prefix, actor, before)", Tag: "audit", Response: []auditJSON{{}}},
		{Method: "GET", Path: "/api/v1/audit/verify", Hall: HallNone, Roles: auditors, Handler: s.apiVerifyAudit, Summary: "Verify the audit hash chain", Tag: "audit", Response: verifyJSON{}},
		{Method: "GET", Path: "/api/v1/outbox", Hall: HallQuery, Roles: overseers, Handler: s.apiListOutbox, Summary: "Outgoing messages and their delivery state", Tag: "notify", Response: []outboxJSON{{}}},

		// ---- Foundation: administration pages -------------------------
		{Method: "GET", Path: "/admin", Hall: HallNone, Roles: overseers, Handler: s.pageAdmin, Menu: menu("nav.admin")},
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
		{Method: "GET", Path: "/admin/audit", Hall: HallNone, Roles: auditors, Handler: s.pageAudit, Menu: menu("admin.audit")},
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
		{Method: "POST", Path: "/api/v1/items/{code}/versions/{n}/return", Hall: HallNone, Roles: managers, Handler: s.apiReturnVersion, Summary: "Return a draft to its author with a comment instead of publishing it (not by its author); kept in the version history", Tag: "catalog", Request: returnRequest{}, Response: versionJSON{}},
		{Method: "POST", Path: "/api/v1/catalog/import", Hall: HallNone, Roles: admins, Handler: s.apiImportCatalog, Summary: "Import a catalogue file: all or nothing, every problem listed by item and field", Tag: "catalog", Request: catalogFileDoc{}, Response: store.ImportResult{}},
		{Method: "GET", Path: "/api/v1/catalog/export", Hall: HallNone, Roles: overseers, Handler: s.apiExportCatalog, Summary: "Export the published catalogue in the catalogue file format", Tag: "catalog", Response: catalogFileDoc{}},

		{Method: "GET", Path: "/guides", Hall: HallNone, Roles: everyone, Handler: s.pageGuides, Menu: menu("catalog.nav.guides")},
		{Method: "GET", Path: "/guides/print", Hall: HallNone, Roles: everyone, Handler: s.pageGuidesPrint},
		{Method: "GET", Path: "/guides/{code}", Hall: HallNone, Roles: everyone, Handler: s.pageGuide},
		{Method: "GET", Path: "/guides/{code}/print", Hall: HallNone, Roles: everyone, Handler: s.pageGuidePrint},
		{Method: "GET", Path: "/kiosk/guides", Hall: HallNone, Roles: everyone, Handler: s.pageKioskGuides, Menu: menu("catalog.nav.kiosk")},
		{Method: "GET", Path: "/editor/guides", Hall: HallNone, Roles: guideStaff, Handler: s.pageEditorList, Menu: menu("catalog.nav.editor")},
		{Method: "GET", Path: "/editor/guides/{code}", Hall: HallNone, Roles: guideStaff, Handler: s.pageEditorItem},
		{Method: "POST", Path: "/editor/guides/{code}/drafts", Hall: HallNone, Roles: guideEditors, Handler: s.formSaveDraft},
		{Method: "GET", Path: "/editor/guides/{code}/versions/{n}", Hall: HallNone, Roles: guideStaff, Handler: s.pageEditorVersion},
		{Method: "POST", Path: "/editor/guides/{code}/versions/{n}/publish", Hall: HallNone, Roles: managers, Handler: s.formPublish},
		{Method: "POST", Path: "/editor/guides/{code}/versions/{n}/return", Hall: HallNone, Roles: managers, Handler: s.formReturn},
		{Method: "POST", Path: "/editor/guides/{code}/preview", Hall: HallNone, Roles: guideEditors, Handler: s.apiEditorPreview},
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
		{Method: "GET", Path: "/api/v1/page-token", Roles: everyone, Hall: HallNone, Handler: s.apiPageToken, Summary: "A page token: the proof of a page view that the public passes with POST /api/v1/sms-codes (valid 30 minutes, for 3 codes, from this address)", Tag: "queue", Response: pageTokenJSON{}},
		{Method: "POST", Path: "/api/v1/sms-codes", Hall: HallBody, Roles: everyone, Handler: s.apiSMSCode, Summary: "Send an SMS code to confirm the phone of a remote ticket", Tag: "queue", Request: smsCodeRequest{}, Response: sentJSON{}},
		{Method: "GET", Path: "/api/v1/track/{token}", Hall: HallNone, Roles: everyone, Handler: s.apiTrack, Summary: "Public tracking view of a ticket by its tracking token: position, estimate, numbers being called", Tag: "queue", Response: trackJSON{}},
		{Method: "POST", Path: "/api/v1/track/{token}/cancel", Hall: HallNone, Roles: everyone, Handler: s.apiTrackCancel, Summary: "Give up a waiting ticket from its tracking page", Tag: "queue", Response: cancelledJSON{}},
		{Method: "GET", Path: "/api/v1/tickets/{id}", Hall: HallTicket, Roles: staffRoles, Handler: s.apiGetTicket, Summary: "A ticket with its timestamped transitions (staff)", Tag: "queue", Response: ticketDetail{}},
		{Method: "POST", Path: "/api/v1/windows/{window}/call", Hall: HallWindow, Roles: windowRoles, Handler: s.apiCall, Summary: "Call the next ticket by the hall's policy, or a given ticket out of turn with a reason; 404 when nothing waits", Tag: "queue", Request: callRequest{}, Response: store.Ticket{}},
		{Method: "POST", Path: "/api/v1/windows/{window}/session", Hall: HallWindow, Roles: windowRoles, Handler: s.apiWindowSession, Summary: "Sign in at a window (open), pause with a reason (break, back_office, meeting) or sign out (closed)", Tag: "queue", Request: sessionRequest{}, Response: store.WindowSession{}},
		{Method: "GET", Path: "/api/v1/windows/{window}/console", Hall: HallWindow, Roles: windowRoles, Handler: s.apiConsole, Summary: "Window console state: session, current ticket, waiting counts, today's figures", Tag: "queue", Response: store.Console{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/queue", Hall: HallPath, Roles: everyone, Handler: s.apiHallBoard, Summary: "Public queue state of a hall: latest calls, waiting per zone, windows", Tag: "queue", Response: store.HallBoard{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/stream", Hall: HallPath, Roles: everyone, Handler: s.apiHallStream, Summary: "Public server-sent events for screens (snapshot, ticket.issued, ticket.called, ticket.recalled, ticket.updated, window.state); resumes with Last-Event-ID", Tag: "queue"},
		{Method: "GET", Path: "/api/v1/halls/{hall}/integrity-alerts", Hall: HallPath, Roles: overseers, Handler: s.apiIntegrityAlerts, Summary: "Integrity alerts (out-of-turn calls)", Tag: "queue", Response: []store.IntegrityAlert{{}}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/queue-settings", Hall: HallPath, Roles: overseers, Handler: s.apiQueueSettings, Summary: "Queue rules of a hall", Tag: "queue", Response: store.QueueSettings{}},
		{Method: "PUT", Path: "/api/v1/halls/{hall}/queue-settings", Hall: HallPath, Roles: managers, Handler: s.apiQueueSettings, Summary: "Change the queue rules of a hall (policy, green-channel bound, recalls, near-turn SMS, caps, no-show rules)", Tag: "queue", Request: store.QueueSettings{}, Response: store.QueueSettings{}},
		{Method: "PUT", Path: "/api/v1/halls/{hall}/item-caps/{item}", Hall: HallPath, Roles: managers, Handler: s.apiItemCap, Summary: "Set the daily ticket cap of an item (0 removes it)", Tag: "queue", Request: itemCapRequest{}, Response: itemCapRequest{}},
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
		{Method: "GET", Path: "/kiosk", Hall: HallOwn, Roles: everyone, Handler: s.pageKiosk, Menu: menu("queue.kiosk")},
		{Method: "GET", Path: "/console", Hall: HallOwn, Roles: windowRoles, Handler: s.pageConsole, Menu: menu("queue.console")},
		{Method: "GET", Path: "/screens/hall/{hall}", Hall: HallPath, Roles: everyone, Handler: s.pageScreenHall, Menu: &MenuEntry{Label: "queue.screen_hall", Href: "/screens/hall/1"}},
		{Method: "GET", Path: "/screens/zone/{hall}/{zone}", Hall: HallPath, Roles: everyone, Handler: s.pageScreenZone},
		{Method: "GET", Path: "/screens/window/{window}", Hall: HallWindow, Roles: everyone, Handler: s.pageScreenWindow},
		{Method: "GET", Path: "/t/{token}", Hall: HallNone, Roles: everyone, Handler: s.pageTrack},
		{Method: "GET", Path: "/t/{token}/qr.png", Hall: HallNone, Roles: everyone, Handler: s.handleTrackQR},
		{Method: "GET", Path: "/remote", Hall: HallBody, Roles: everyone, Handler: s.pageRemote, Menu: menu("queue.remote_title")},
		{Method: "POST", Path: "/remote/code", Hall: HallBody, Roles: everyone, Handler: s.formRemoteCode},
		{Method: "POST", Path: "/remote", Hall: HallBody, Roles: everyone, Handler: s.formRemote},
		{Method: "GET", Path: "/appointments", Hall: HallBody, Roles: everyone, Handler: s.pageAppointments, Menu: menu("queue.appt_title")},
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
		{Method: "POST", Path: "/api/v1/integrity-alerts/{id}/resolve", Hall: HallQuery, Roles: alertClosers, Handler: s.apiResolveAlert, Summary: "Close an integrity alert with one note (required; used as its reason and decision; auditors). Prefer POST /api/v1/halls/{hall}/integrity-alerts/{id}/close", Tag: "cases", Request: resolveRequest{}, Response: okJSON{}},
		{Method: "GET", Path: "/api/v1/calendar", Hall: HallNone, Roles: staffRoles, Handler: s.apiCalendar, Summary: "Working-day calendar: overrides and known years", Tag: "cases", Response: calendarJSON{}},
		{Method: "POST", Path: "/api/v1/calendar/overrides", Hall: HallNone, Roles: calendarEditors, Handler: s.apiSetOverride, Summary: "Add or replace a calendar override (local closure, extra working day, a new year's schedule)", Tag: "cases", Request: overrideRequest{}, Response: okJSON{}},
		{Method: "POST", Path: "/api/v1/calendar/known-years", Hall: HallNone, Roles: calendarEditors, Handler: s.apiKnownYear, Summary: "Declare a year's schedule complete in the overrides", Tag: "cases", Request: knownYearRequest{}, Response: okJSON{}},

		{Method: "GET", Path: "/cases", Hall: HallQuery, Roles: caseReaders, Handler: s.pageCases, Menu: menu("cases.list_title")},
		{Method: "GET", Path: "/cases/new", Hall: HallOwn, Roles: roles(auth.WindowStaff), Handler: s.pageNewCase, Menu: menu("cases.new_title")},
		{Method: "POST", Path: "/cases/new", Hall: HallOwn, Roles: roles(auth.WindowStaff), Handler: s.formNewCase},
		{Method: "GET", Path: "/cases/ledger", Hall: HallQuery, Roles: caseReaders, Handler: s.pageLedger, Menu: menu("cases.ledger_title")},
		{Method: "GET", Path: "/cases/ledger.xlsx", Hall: HallQuery, Roles: caseReaders, Handler: s.exportLedgerXLSX},
		{Method: "GET", Path: "/cases/ledger.csv", Hall: HallQuery, Roles: caseReaders, Handler: s.exportLedgerCSV},
		{Method: "GET", Path: "/cases/alerts", Hall: HallQuery, Roles: overseers, Handler: s.pageAlerts, Menu: menu("cases.alerts_title")},
		{Method: "GET", Path: "/cases/{id}", Hall: HallCase, Roles: caseReaders, Handler: s.pageCase},
		{Method: "POST", Path: "/cases/{id}/state", Hall: HallCase, Roles: caseWorkers, Handler: s.formCaseState},
		{Method: "POST", Path: "/cases/{id}/materials", Hall: HallCase, Roles: caseWorkers, Handler: s.formCaseMaterials},
		{Method: "GET", Path: "/cases/{id}/notice", Hall: HallCase, Roles: caseReaders, Handler: s.pageNotice},
		{Method: "GET", Path: "/cases/{id}/receipt", Hall: HallCase, Roles: caseReaders, Handler: s.pageReceipt},
		{Method: "GET", Path: "/progress", Hall: HallNone, Roles: everyone, Handler: s.pageProgress, Menu: menu("cases.progress_title")},
		{Method: "POST", Path: "/progress", Hall: HallNone, Roles: everyone, Handler: s.formProgress},
		{Method: "GET", Path: "/admin/calendar", Hall: HallNone, Roles: calendarEditors, Handler: s.pageCalendar, Menu: menu("cases.calendar_title")},
		{Method: "POST", Path: "/admin/calendar", Hall: HallNone, Roles: calendarEditors, Handler: s.formCalendar},
	}...)

	// ---- Notifications (notify) ----
	// (routes of this area go here)

	// ---- Feedback: ratings, callbacks, rectification (feedback) ----
	rt = append(rt, []Route{
		{Method: "GET", Path: "/api/v1/pad", Hall: HallOwn, Roles: padRoles, Handler: s.apiPadState, Summary: "Rating pad state: the staff member at its window and the finished, unrated ticket to rate (device token of a rating pad; also its heartbeat)", Tag: "feedback", Response: padJSON{}},
		{Method: "POST", Path: "/api/v1/pad/ratings", Hall: HallOwn, Roles: padRoles, Handler: s.apiPadRate, Summary: "Rate the ticket just finished at the pad's window (overall required; a reason on 2 or 1); a retry with the same idempotency_key returns the first rating", Tag: "feedback", Request: ratingRequest{}, Response: ratingDone{}},
		{Method: "POST", Path: "/api/v1/rate/{token}", Hall: HallNone, Roles: everyone, Handler: s.apiRateTicket, Summary: "Public rating of a served ticket by its tracking token (QR code on the ticket)", Tag: "feedback", Request: ratingRequest{}, Response: ratingDone{}},
		{Method: "GET", Path: "/api/v1/me/ratings", Hall: HallOwn, Roles: fbStaff, Handler: s.apiMyRatings, Summary: "The caller's own ratings, without anything that identifies the rater", Tag: "feedback", Response: []myRating{{}}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/ratings", Hall: HallPath, Roles: fbReaders, Handler: s.apiListRatings, Summary: "Ratings of a hall, newest first (filters: from, to, channel, bad=1)", Tag: "feedback", Response: []store.Rating{{}}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/ratings/{id}/appeal", Hall: HallPath, Roles: fbStaff, Handler: s.apiAppeal, Summary: "Appeal against a rating of one's own service (mistaken or malicious)", Tag: "feedback", Request: appealRequest{}, Response: store.Appeal{}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/ratings/{id}/appeal/decision", Hall: HallPath, Roles: managers, Handler: s.apiDecideAppeal, Summary: "Decide an appeal with a reason; an upheld one marks the rating invalid (kept, left out of rates)", Tag: "feedback", Request: decisionRequest{}, Response: store.Appeal{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/rectifications", Hall: HallPath, Roles: fbReaders, Handler: s.apiListRects, Summary: "Rectifications of bad ratings with deadlines and overdue flags (open=1, overdue=1)", Tag: "feedback", Response: []store.Rectification{{}}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/rectifications/{id}", Hall: HallPath, Roles: fbReaders, Handler: s.apiGetRect, Summary: "A rectification with its steps, owners and times", Tag: "feedback", Response: store.Rectification{}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/rectifications/{id}/steps", Hall: HallPath, Roles: fbStepRoles, Handler: s.apiStepRect, Summary: "Next step of a rectification: assign, verify, rectify, reply, callback, close", Tag: "feedback", Request: stepRequest{}, Response: store.Rectification{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/feedback-settings", Hall: HallPath, Roles: fbReaders, Handler: s.apiFeedbackSettings, Summary: "Rating and rectification rules of a hall", Tag: "feedback", Response: store.FeedbackSettings{}},
		{Method: "PUT", Path: "/api/v1/halls/{hall}/feedback-settings", Hall: HallPath, Roles: managers, Handler: s.apiFeedbackSettings, Summary: "Change the rules: late-rating period, rectification days, minimum sample, callback exclusion days, invitation delay, division code, province", Tag: "feedback", Request: store.FeedbackSettings{}, Response: store.FeedbackSettings{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/pads", Hall: HallPath, Roles: fbReaders, Handler: s.apiListPads, Summary: "Rating pads of a hall: window, last heard from, online or offline", Tag: "feedback", Response: []store.PadStatus{{}}},
		{Method: "PUT", Path: "/api/v1/halls/{hall}/pads/{device}", Hall: HallPath, Roles: managers, Handler: s.apiTiePad, Summary: "Tie a rating pad to a window", Tag: "feedback", Request: tieRequest{}},
		{Method: "POST", Path: "/api/v1/feedback/sample-size", Hall: HallNone, Roles: fbCallers, Handler: s.apiSampleSize, Summary: "Sample-size calculator: margin, confidence, finite-population correction, expected response rate", Tag: "feedback", Request: feedback.SampleSpec{}, Response: feedback.SampleSize{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/draws", Hall: HallPath, Roles: roles(auth.Admin, auth.HallManager, auth.Auditor, auth.CallbackOperator), Handler: s.apiListDraws, Summary: "Callback draws of a hall", Tag: "feedback", Response: []store.Draw{{}}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/draws", Hall: HallPath, Roles: managers, Handler: s.apiCreateDraw, Summary: "Define a draw: the ledger snapshot is frozen and its SHA-256 recorded before any seed exists", Tag: "feedback", Request: store.DrawSpec{}, Response: store.Draw{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/draws/{draw}", Hall: HallPath, Roles: roles(auth.Admin, auth.HallManager, auth.Auditor, auth.CallbackOperator), Handler: s.apiGetDraw, Summary: "A draw's report: per stratum population, exclusions, allocation, replacements, outcomes; response rate; weighted satisfaction", Tag: "feedback", Response: store.Draw{}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/draws/{draw}/seed", Hall: HallPath, Roles: managers, Handler: s.apiSeedDraw, Summary: "Fix the seed (once) and draw the k smallest SHA-256(seed|id) per stratum", Tag: "feedback", Request: seedRequest{}, Response: store.Draw{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/draws/{draw}/verify", Hall: HallPath, Roles: roles(auth.Admin, auth.HallManager, auth.Auditor), Handler: s.apiVerifyDraw, Summary: "Recompute the draw from its snapshot, hash, seed and parameters", Tag: "feedback", Response: verifyDrawJSON{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/draws/{draw}/next", Hall: HallPath, Roles: fbCallers, Handler: s.apiNextCall, Summary: "The next person to call back (phone masked)", Tag: "feedback", Response: store.CallTarget{}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/draws/{draw}/records/{record}/reveal", Hall: HallPath, Roles: fbCallers, Handler: s.apiRevealPhone, Summary: "Reveal the phone of a drawn person for the call (audited)", Tag: "feedback", Response: phoneJSON{}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/draws/{draw}/records/{record}/attempts", Hall: HallPath, Roles: fbCallers, Handler: s.apiAttempt, Summary: "Record a call attempt: outcome, answers, free text; replacements come from the same stratum in seeded order", Tag: "feedback", Request: attemptRequest{}, Response: store.Attempt{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/satisfaction", Hall: HallPath, Roles: fbReaders, Handler: s.apiRates, Summary: "Satisfaction rates with Wilson 95% intervals (by: hall, zone, window, staff, item; from, to, channel); staff below the minimum sample are not ranked", Tag: "feedback", Response: []store.RateRow{{}}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/satisfaction/public", Hall: HallPath, Roles: everyone, Handler: s.apiPublicSatisfaction, Summary: "Public satisfaction of the hall and its zones over 30 days (never per person)", Tag: "feedback", Response: store.PublicSatisfaction{}},
		{Method: "GET", Path: "/api/v1/feedback/provinces/{province}/codes", Hall: HallNone, Roles: fbReaders, Handler: s.apiProvinceCodes, Summary: "A province's code table for levels and channels", Tag: "feedback", Response: []store.ProvinceCode{{}}},
		{Method: "PUT", Path: "/api/v1/feedback/provinces/{province}/codes", Hall: HallNone, Roles: managers, Handler: s.apiProvinceCodes, Summary: "Replace a province's code table (all five levels and every channel)", Tag: "feedback", Request: []store.ProvinceCode{{}}, Response: []store.ProvinceCode{{}}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/evaluations/export", Hall: HallPath, Roles: fbReaders, Handler: s.apiEvaluationExport, Summary: "Evaluations in the national data standard's fields, coded for the hall's province (format=json or csv; from, to)", Tag: "feedback", Response: []store.EvaluationRecord{{}}},

		{Method: "GET", Path: "/pad", Hall: HallNone, Roles: everyone, Handler: s.pagePad},
		{Method: "GET", Path: "/rate/t/{token}", Hall: HallNone, Roles: everyone, Handler: s.pageRate},
		{Method: "POST", Path: "/rate/t/{token}", Hall: HallNone, Roles: everyone, Handler: s.formRate},
		{Method: "GET", Path: "/rate/i/{token}", Hall: HallNone, Roles: everyone, Handler: s.pageRate},
		{Method: "POST", Path: "/rate/i/{token}", Hall: HallNone, Roles: everyone, Handler: s.formRate},
		{Method: "GET", Path: "/satisfaction/{hall}", Hall: HallPath, Roles: everyone, Handler: s.pagePublicSatisfaction},
		{Method: "GET", Path: "/feedback", Hall: HallQuery, Roles: fbReaders, Handler: s.pageFeedback, Menu: menu("fb.title")},
		{Method: "POST", Path: "/feedback/settings", Hall: HallQuery, Roles: managers, Handler: s.formFeedbackSettings},
		{Method: "POST", Path: "/feedback/pads/{device}", Hall: HallQuery, Roles: managers, Handler: s.formTiePad},
		{Method: "GET", Path: "/feedback/rates.xlsx", Hall: HallQuery, Roles: fbReaders, Handler: s.exportRatesXLSX},
		{Method: "GET", Path: "/feedback/rectifications", Hall: HallQuery, Roles: roles(auth.Admin, auth.HallManager, auth.Auditor, auth.WindowStaff), Handler: s.pageRects, Menu: menu("fb.rects_title")},
		{Method: "GET", Path: "/feedback/rectifications/{id}", Hall: HallQuery, Roles: roles(auth.Admin, auth.HallManager, auth.Auditor, auth.WindowStaff, auth.CallbackOperator), Handler: s.pageRect},
		{Method: "POST", Path: "/feedback/rectifications/{id}/steps", Hall: HallQuery, Roles: fbStepRoles, Handler: s.formRectStep},
		{Method: "POST", Path: "/feedback/ratings/{id}/decision", Hall: HallQuery, Roles: managers, Handler: s.formDecideAppeal},
		{Method: "GET", Path: "/feedback/mine", Hall: HallOwn, Roles: fbStaff, Handler: s.pageMine, Menu: menu("fb.mine_title")},
		{Method: "POST", Path: "/feedback/mine/{id}/appeal", Hall: HallOwn, Roles: fbStaff, Handler: s.formAppeal},
		{Method: "GET", Path: "/feedback/draws", Hall: HallQuery, Roles: roles(auth.Admin, auth.HallManager, auth.Auditor, auth.CallbackOperator), Handler: s.pageDraws, Menu: menu("fb.draws_title")},
		{Method: "POST", Path: "/feedback/draws", Hall: HallQuery, Roles: managers, Handler: s.formCreateDraw},
		{Method: "GET", Path: "/feedback/draws/{draw}", Hall: HallQuery, Roles: roles(auth.Admin, auth.HallManager, auth.Auditor, auth.CallbackOperator), Handler: s.pageDraw},
		{Method: "POST", Path: "/feedback/draws/{draw}/seed", Hall: HallQuery, Roles: managers, Handler: s.formSeedDraw},
		{Method: "GET", Path: "/callback", Hall: HallQuery, Roles: fbCallers, Handler: s.pageCallback, Menu: menu("fb.cb_title")},
	}...)

	// ---- Leaders on duty, posts, complaints (duty) ----
	rt = append(rt, s.dutyRoutes()...)
	rt = append(rt, s.postsRoutes()...)

	// ---- Graduate consultation (consult) ----
	rt = append(rt, []Route{
		// The WeChat callback authenticates by the platform's signature; the
		// hall is in the path and must have an account configured.
		{Method: "GET", Path: "/wechat/{hall}", Hall: HallPath, Roles: everyone, Handler: s.handleWeChat},
		{Method: "POST", Path: "/wechat/{hall}", Hall: HallPath, Roles: everyone, Handler: s.handleWeChat},
		{Method: "GET", Path: "/api/v1/consult/threads", Hall: HallOwn, Roles: consultReaders, Handler: s.apiConsultThreads, Summary: "Consultation threads of the caller's hall with their timers (status: active (default), open, pending, snoozed, resolved, all; assignee)", Tag: "consult", Response: []store.ConsultThread{{}}},
		{Method: "GET", Path: "/api/v1/consult/threads/{id}", Hall: HallOwn, Roles: consultReaders, Handler: s.apiConsultThread, Summary: "A consultation thread with its messages and internal notes", Tag: "consult", Response: store.ConsultThreadView{}},
		{Method: "POST", Path: "/api/v1/consult/threads/{id}/reply", Hall: HallOwn, Roles: consultStaff, Handler: s.apiConsultReply, Summary: "Reply to a graduate (WeChat within 48 h and five messages, else kept and SMS offered) or add an internal note; idempotency_key makes a retry return the first reply", Tag: "consult", Request: consultReplyRequest{}, Response: store.ConsultReplyResult{}},
		{Method: "GET", Path: "/api/v1/consult/report", Hall: HallOwn, Roles: consultReaders, Handler: s.apiConsultReport, Summary: "Daily consultation report (?day=YYYY-MM-DD): volume, first-response and resolution times in staffed minutes, satisfaction", Tag: "consult", Response: store.ConsultDay{}},
		{Method: "GET", Path: "/api/v1/consult/flags", Hall: HallOwn, Roles: consultReaders, Handler: s.apiConsultFlags, Summary: "Ratings at the two lowest levels, waiting for rectification (?state=open|taken)", Tag: "consult", Response: []store.ConsultFlag{{}}},

		{Method: "GET", Path: "/consult", Hall: HallBody, Roles: everyone, Handler: s.pageConsultStart, Menu: menu("consult.web_title")},
		{Method: "POST", Path: "/consult/code", Hall: HallBody, Roles: everyone, Handler: s.formConsultCode},
		{Method: "POST", Path: "/consult", Hall: HallBody, Roles: everyone, Handler: s.formConsultStart},
		{Method: "GET", Path: "/consult/t/{token}", Hall: HallNone, Roles: everyone, Handler: s.pageConsultThread},
		{Method: "POST", Path: "/consult/t/{token}", Hall: HallNone, Roles: everyone, Handler: s.formConsultMessage},
		{Method: "POST", Path: "/consult/t/{token}/rate", Hall: HallNone, Roles: everyone, Handler: s.formConsultRate},
		{Method: "GET", Path: "/consult/faq", Hall: HallBody, Roles: everyone, Handler: s.pageConsultFAQ, Menu: menu("consult.faq_title")},
		{Method: "GET", Path: "/consult/console", Hall: HallOwn, Roles: consultReaders, Handler: s.pageConsultConsole, Menu: menu("consult.console_title")},
		{Method: "GET", Path: "/consult/console/{id}", Hall: HallOwn, Roles: consultReaders, Handler: s.pageConsultStaffThread},
		{Method: "POST", Path: "/consult/console/{id}/reply", Hall: HallOwn, Roles: consultStaff, Handler: s.formConsultReply},
		{Method: "POST", Path: "/consult/console/{id}/sms", Hall: HallOwn, Roles: consultStaff, Handler: s.formConsultSMS},
		{Method: "POST", Path: "/consult/console/{id}/callback", Hall: HallOwn, Roles: consultStaff, Handler: s.formConsultCallback},
		{Method: "POST", Path: "/consult/console/{id}/status", Hall: HallOwn, Roles: consultStaff, Handler: s.formConsultStatus},
		{Method: "POST", Path: "/consult/console/{id}/assign", Hall: HallOwn, Roles: consultStaff, Handler: s.formConsultAssign},
		{Method: "POST", Path: "/consult/console/{id}/tags", Hall: HallOwn, Roles: consultStaff, Handler: s.formConsultTags},
		{Method: "GET", Path: "/consult/faq/edit", Hall: HallOwn, Roles: faqEditors, Handler: s.pageConsultFAQEdit, Menu: menu("consult.faq_edit_title")},
		{Method: "POST", Path: "/consult/faq/edit", Hall: HallOwn, Roles: faqEditors, Handler: s.formConsultFAQ},
		{Method: "POST", Path: "/consult/canned", Hall: HallOwn, Roles: faqEditors, Handler: s.formConsultCanned},
		{Method: "POST", Path: "/consult/settings", Hall: HallOwn, Roles: managers, Handler: s.formConsultSettings},
		{Method: "GET", Path: "/consult/report", Hall: HallOwn, Roles: consultReaders, Handler: s.pageConsultReport, Menu: menu("consult.report_title")},
		{Method: "GET", Path: "/consult/report.xlsx", Hall: HallOwn, Roles: consultReaders, Handler: s.exportConsultReport},
	}...)

	// ---- Oversight: dashboard, reports, transparency (oversight) ----
	// (routes of this area go here)
	rt = append(rt, s.reportRoutes()...)

	// ---- Simulation and staffing ----------------------------------------
	rt = append(rt, []Route{
		{Method: "GET", Path: "/admin/staffing", Hall: HallNone, Roles: overseers, Handler: s.pageStaffing, Menu: menu("sim.nav")},
		{Method: "POST", Path: "/api/v1/staffing", Hall: HallNone, Roles: managers, Handler: s.apiStartStaffing, Summary: "Start the staffing advisor on an embedded scenario (a background job)", Tag: "simulation", Request: staffingRequest{}, Response: staffingView{}},
		{Method: "GET", Path: "/api/v1/staffing/{job}", Hall: HallNone, Roles: overseers, Handler: s.apiStaffingJob, Summary: "Progress and result of a staffing advisor job", Tag: "simulation", Response: staffingView{}},
	}...)

	rt = append(rt, s.oversightRoutes()...)
	rt = append(rt, s.notifyRoutes()...)
	return rt
}
