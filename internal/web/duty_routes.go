package web

import (
	"mingbai/internal/auth"
	"mingbai/internal/duty"
	"mingbai/internal/store"
)

// dutyRoutes are the routes of leaders on duty (领导值班): the roster and
// its swaps, the public duty week, the duty console and its logs.
func (s *Server) dutyRoutes() []Route {
	leaders := roles(auth.DutyLeader)
	// rosterReaders see the whole roster with drafts; leaders see it to
	// know their shifts and ask for swaps.
	rosterReaders := roles(auth.Admin, auth.HallManager, auth.Auditor, auth.DutyLeader)
	swapActors := roles(auth.Admin, auth.HallManager, auth.DutyLeader)
	const tag = "duty"
	return []Route{
		{Method: "GET", Path: "/api/v1/halls/{hall}/duty/leaders", Hall: HallPath, Roles: rosterReaders, Handler: s.apiDutyLeaders, Summary: "Duty leaders of a hall (who may be put on the roster)", Tag: tag, Response: []store.DutyLeader{{}}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/duty/roster", Hall: HallPath, Roles: rosterReaders, Handler: s.apiDutyRoster, Summary: "The roster of a month (?month=YYYY-MM, this month by default), drafts included", Tag: tag, Response: []store.Shift{{}}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/duty/shifts", Hall: HallPath, Roles: managers, Handler: s.apiDutyCreateShift, Summary: "Add a shift: day, half (am, pm or custom with start and end), post (guide, consultant, supervisor), leader and optional deputy; on an opening day, one leader per post and time; a retry with the same idempotency_key returns the first shift", Tag: tag, Request: store.ShiftInput{}, Response: store.Shift{}},
		{Method: "PUT", Path: "/api/v1/halls/{hall}/duty/shifts/{shift}", Hall: HallPath, Roles: managers, Handler: s.apiDutyUpdateShift, Summary: "Change a shift not yet begun (audited; the hall display follows at once)", Tag: tag, Request: store.ShiftInput{}, Response: store.Shift{}},
		{Method: "DELETE", Path: "/api/v1/halls/{hall}/duty/shifts/{shift}", Hall: HallPath, Roles: managers, Handler: s.apiDutyDeleteShift, Summary: "Remove a shift not yet begun (audited)", Tag: tag},
		{Method: "POST", Path: "/api/v1/halls/{hall}/duty/roster/{month}/publish", Hall: HallPath, Roles: managers, Handler: s.apiDutyPublish, Summary: "Publish the month's draft shifts (not a month already over)", Tag: tag, Response: publishedJSON{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/duty/week", Hall: HallPath, Roles: everyone, Handler: s.apiDutyWeek, Summary: "Public: the published duty roster of the week of ?day= (this week by default), leaders' names and pictures as on the hall display", Tag: tag, Response: []store.DutyBoard{{Shifts: []store.DutyBoardShift{{}}}}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/duty/swaps", Hall: HallPath, Roles: rosterReaders, Handler: s.apiDutySwaps, Summary: "Swap requests, newest first (a leader sees those they asked for or were asked)", Tag: tag, Response: []store.Swap{{}}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/duty/swaps", Hall: HallPath, Roles: leaders, Handler: s.apiDutyRequestSwap, Summary: "Ask another leader to take one's shift; the roster changes when they accept and a manager approves", Tag: tag, Request: store.SwapInput{}, Response: store.Swap{}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/duty/swaps/{swap}/{action}", Hall: HallPath, Roles: swapActors, Handler: s.apiDutySwapAct, Summary: "Act on a swap: accept or decline (the leader asked), approve or reject (a manager), cancel (the requester)", Tag: tag, Request: swapActRequest{}, Response: store.Swap{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/duty/console", Hall: HallPath, Roles: leaders, Handler: s.apiDutyConsole, Summary: "The caller's duty console: today's shift, the previous handover note, counts and recent entries, checklist, live hall figures", Tag: tag, Response: store.DutyConsole{Today: []store.Shift{{}}, Recent: []store.DutyLog{{}}, Checklist: duty.DefaultChecklist, Live: store.DutyLive{Zones: []store.ZoneWaiting{{}}}}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/duty/shifts/{shift}/check-in", Hall: HallPath, Roles: leaders, Handler: s.apiDutyCheckIn, Summary: "Check in to one's published shift of today", Tag: tag, Response: store.Shift{}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/duty/shifts/{shift}/check-out", Hall: HallPath, Roles: leaders, Handler: s.apiDutyCheckOut, Summary: "Close one's shift with a handover note (required; the next leader sees it)", Tag: tag, Request: checkOutRequest{}, Response: store.Shift{}},
		{Method: "POST", Path: "/api/v1/halls/{hall}/duty/logs", Hall: HallPath, Roles: leaders, Handler: s.apiDutyLog, Summary: "Record a console entry in the caller's checked-in shift: guide (zone, item), consult (topic, item, on_spot or referred), check (window, four aspects, checklist items, finding, handling); a retry with the same idempotency_key counts once", Tag: tag, Request: store.DutyLogInput{}, Response: store.DutyLog{}},
		{Method: "GET", Path: "/api/v1/halls/{hall}/duty/checklist", Hall: HallPath, Roles: rosterReaders, Handler: s.apiDutyChecklist, Summary: "The hall's spot-check checklist (六个应该、三个不准 by default)", Tag: tag, Response: checklistJSON{Items: duty.DefaultChecklist}},
		{Method: "PUT", Path: "/api/v1/halls/{hall}/duty/checklist", Hall: HallPath, Roles: managers, Handler: s.apiDutyChecklist, Summary: "Replace the hall's spot-check checklist", Tag: tag, Request: checklistJSON{Items: duty.DefaultChecklist}, Response: checklistJSON{Items: duty.DefaultChecklist}},

		{Method: "GET", Path: "/api/v1/halls/{hall}/duty/records", Hall: HallPath, Roles: overseers, Handler: s.apiDutyRecords, Summary: "Console entries of a month's shifts (?month=YYYY-MM): guided visitors, questions answered, spot checks with findings", Tag: tag, Response: []store.DutyRecord{{}}},
		{Method: "GET", Path: "/halls/{hall}/duty/records.xlsx", Hall: HallPath, Roles: overseers, Handler: s.dutyRecordsXLSX},

		{Method: "GET", Path: "/duty", Hall: HallOwn, Roles: leaders, Handler: s.pageDutyConsole, Menu: menu("duty.nav.console")},
		{Method: "GET", Path: "/duty/roster", Hall: HallOwn, Roles: rosterReaders, Handler: s.pageDutyRoster, Menu: menu("duty.nav.roster")},
		{Method: "GET", Path: "/halls/{hall}/duty", Hall: HallPath, Roles: leaders, Handler: s.pageDutyConsole},
		{Method: "GET", Path: "/halls/{hall}/duty/roster", Hall: HallPath, Roles: rosterReaders, Handler: s.pageDutyRoster},
		{Method: "GET", Path: "/halls/{hall}/duty/week", Hall: HallPath, Roles: everyone, Handler: s.pageDutyWeek, Menu: &MenuEntry{Label: "duty.nav.week", Href: "/halls/1/duty/week"}},
		{Method: "GET", Path: "/avatars/duty/{file}", Hall: HallNone, Roles: everyone, Handler: s.handleDutyAvatar},
	}
}
