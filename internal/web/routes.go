package web

import (
	"net/http"

	"mingbai/internal/auth"
)

// Route is one entry of the route table. Every route names the roles that
// may call it; the access test walks this table with every role.
type Route struct {
	Method  string
	Path    string
	Roles   []auth.Role
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
		{Method: "GET", Path: "/healthz", Roles: everyone, Handler: s.handleHealthz, Summary: "Process is up", Tag: "system"},
		{Method: "GET", Path: "/readyz", Roles: everyone, Handler: s.handleReadyz, Summary: "Database is reachable", Tag: "system"},
		{Method: "GET", Path: "/metrics", Roles: everyone, Handler: s.handleMetrics, Summary: "Prometheus metrics", Tag: "system"},
		{Method: "GET", Path: "/api/v1/openapi.json", Roles: everyone, Handler: s.handleOpenAPI, Summary: "This OpenAPI 3.1 description", Tag: "system"},
		{Method: "GET", Path: "/api/docs", Roles: everyone, Handler: s.handleAPIDocs},

		// ---- Foundation: pages and sign-in ----------------------------
		{Method: "GET", Path: "/{$}", Roles: everyone, Handler: s.handleHome},
		{Method: "GET", Path: "/login", Roles: everyone, Handler: s.handleLoginPage},
		{Method: "POST", Path: "/login", Roles: everyone, Handler: s.handleLogin},
		{Method: "POST", Path: "/logout", Roles: staffRoles, Handler: s.handleLogout},
		{Method: "POST", Path: "/api/v1/session", Roles: everyone, Handler: s.apiLogin, Summary: "Sign in and receive a session cookie", Tag: "accounts", Request: loginRequest{}, Response: meResponse{}},
		{Method: "GET", Path: "/api/v1/me", Roles: append(staffRoles, auth.Device), Handler: s.apiMe, Summary: "The authenticated caller", Tag: "accounts", Response: meResponse{}},

		// ---- Foundation: accounts and tokens --------------------------
		{Method: "GET", Path: "/api/v1/users", Roles: admins, Handler: s.apiListUsers, Summary: "List user accounts", Tag: "accounts", Response: []userJSON{{}}},
		{Method: "POST", Path: "/api/v1/users", Roles: admins, Handler: s.apiCreateUser, Summary: "Create a user account", Tag: "accounts", Request: createUserRequest{}, Response: userJSON{}},
		{Method: "POST", Path: "/api/v1/users/{name}/disable", Roles: admins, Handler: s.apiDisableUser, Summary: "Disable an account (ends its sessions, revokes its tokens)", Tag: "accounts"},
		{Method: "GET", Path: "/api/v1/tokens", Roles: admins, Handler: s.apiListTokens, Summary: "List API tokens", Tag: "accounts", Response: []tokenJSON{{}}},
		{Method: "POST", Path: "/api/v1/tokens", Roles: admins, Handler: s.apiCreateToken, Summary: "Create an API token for a user (secret shown once)", Tag: "accounts", Request: createTokenRequest{}, Response: createdToken{}},
		{Method: "POST", Path: "/api/v1/tokens/{id}/revoke", Roles: admins, Handler: s.apiRevokeToken, Summary: "Revoke an API token", Tag: "accounts"},

		// ---- Foundation: halls, zones, windows, staff, devices --------
		{Method: "GET", Path: "/api/v1/halls", Roles: everyone, Handler: s.apiListHalls, Summary: "List halls", Tag: "hall", Response: []hallJSON{{}}},
		{Method: "POST", Path: "/api/v1/halls", Roles: admins, Handler: s.apiCreateHall, Summary: "Create a hall", Tag: "hall", Request: hallJSON{}, Response: hallJSON{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}", Roles: everyone, Handler: s.apiGetHall, Summary: "A hall with its opening hours", Tag: "hall", Response: hallJSON{}},
		{Method: "PUT", Path: "/api/v1/halls/{hall}", Roles: managers, Handler: s.apiUpdateHall, Summary: "Change a hall's name, address and opening hours", Tag: "hall", Request: hallJSON{}, Response: hallJSON{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/zones", Roles: everyone, Handler: s.apiListZones, Summary: "Zones of a hall", Tag: "hall", Response: []zoneJSON{{}}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/zones", Roles: managers, Handler: s.apiCreateZone, Summary: "Add a zone", Tag: "hall", Request: zoneJSON{}, Response: zoneJSON{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/windows", Roles: everyone, Handler: s.apiListWindows, Summary: "Windows of a hall with the item codes each serves", Tag: "hall", Response: []windowJSON{{}}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/windows", Roles: managers, Handler: s.apiSaveWindow, Summary: "Add a window", Tag: "hall", Request: windowJSON{}, Response: windowJSON{}},
		{Method: "PUT", Path: "/api/v1/halls/{hall}/windows/{window}", Roles: managers, Handler: s.apiSaveWindow, Summary: "Change a window (zone, number, staff, items)", Tag: "hall", Request: windowJSON{}, Response: windowJSON{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/staff", Roles: everyone, Handler: s.apiListStaff, Summary: "Staff of a hall: name, post, pledge, photo (shown publicly by design)", Tag: "hall", Response: []staffJSON{{}}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/staff", Roles: managers, Handler: s.apiSaveStaff, Summary: "Add a staff member", Tag: "hall", Request: staffJSON{}, Response: staffJSON{}},
		{Method: "PUT", Path: "/api/v1/halls/{hall}/staff/{staff}", Roles: managers, Handler: s.apiSaveStaff, Summary: "Change a staff member", Tag: "hall", Request: staffJSON{}, Response: staffJSON{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/devices", Roles: overseers, Handler: s.apiListDevices, Summary: "Devices of a hall", Tag: "hall", Response: []deviceJSON{{}}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/devices", Roles: managers, Handler: s.apiCreateDevice, Summary: "Register a device; returns its token once", Tag: "hall", Request: deviceJSON{}, Response: createdDevice{}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/devices/{device}/revoke", Roles: managers, Handler: s.apiRevokeDevice, Summary: "Revoke a device token", Tag: "hall"},

		// ---- Foundation: audit and outbox -----------------------------
		{Method: "GET", Path: "/api/v1/audit", Roles: auditors, Handler: s.apiListAudit, Summary: "Audit records, newest first (filters: action prefix, actor, before)", Tag: "audit", Response: []auditJSON{{}}},
		{Method: "GET", Path: "/api/v1/audit/verify", Roles: auditors, Handler: s.apiVerifyAudit, Summary: "Verify the audit hash chain", Tag: "audit", Response: verifyJSON{}},
		{Method: "GET", Path: "/api/v1/outbox", Roles: overseers, Handler: s.apiListOutbox, Summary: "Outgoing messages and their delivery state", Tag: "notify", Response: []outboxJSON{{}}},

		// ---- Foundation: administration pages -------------------------
		{Method: "GET", Path: "/admin", Roles: overseers, Handler: s.pageAdmin},
		{Method: "GET", Path: "/admin/halls/{hall}", Roles: overseers, Handler: s.pageHall},
		{Method: "POST", Path: "/admin/halls/{hall}", Roles: managers, Handler: s.formHall},
		{Method: "POST", Path: "/admin/halls/{hall}/zones", Roles: managers, Handler: s.formZone},
		{Method: "POST", Path: "/admin/halls/{hall}/windows", Roles: managers, Handler: s.formWindow},
		{Method: "POST", Path: "/admin/halls/{hall}/staff", Roles: managers, Handler: s.formStaff},
		{Method: "POST", Path: "/admin/halls/{hall}/devices", Roles: managers, Handler: s.formDevice},
		{Method: "POST", Path: "/admin/halls/{hall}/devices/{device}/revoke", Roles: managers, Handler: s.formRevokeDevice},
		{Method: "GET", Path: "/admin/users", Roles: admins, Handler: s.pageUsers},
		{Method: "POST", Path: "/admin/users", Roles: admins, Handler: s.formUser},
		{Method: "GET", Path: "/admin/audit", Roles: auditors, Handler: s.pageAudit},
		{Method: "GET", Path: "/admin/outbox", Roles: overseers, Handler: s.pageOutbox},
		{Method: "GET", Path: "/avatars/{file}", Roles: everyone, Handler: s.handleAvatar},
	}
	// ---- Service guides (catalog) -------------------------------------

	// ---- Queue and calling ---------------------------------------------
	rt = append(rt, s.queueRoutes()...)

	// ---- Case ledger ----------------------------------------------------

	// ---- Simulation and staffing ----------------------------------------
	rt = append(rt, []Route{
		{Method: "GET", Path: "/admin/staffing", Roles: overseers, Handler: s.pageStaffing},
		{Method: "POST", Path: "/api/v1/staffing", Roles: managers, Handler: s.apiStartStaffing, Summary: "Start the staffing advisor on an embedded scenario (a background job)", Tag: "simulation", Request: staffingRequest{}, Response: staffingView{}},
		{Method: "GET", Path: "/api/v1/staffing/{job}", Roles: overseers, Handler: s.apiStaffingJob, Summary: "Progress and result of a staffing advisor job", Tag: "simulation", Response: staffingView{}},
	}...)

	return rt
}
