package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
)

// HallFrom says where a route's hall comes from. Every route declares one;
// there is no default (the zero value is invalid and New panics on it), so
// a new route cannot forget tenancy. The wrapper resolves the hall, checks
// that the principal may act in it (auth.Principal.MayActIn) and hands it
// to the handler through the request context: read it with hallID(r).
type HallFrom int

// Where a route's hall comes from.
const (
	hallUndeclared HallFrom = iota
	// HallNone: the route touches nothing that belongs to a hall (sign-in,
	// accounts, the shared catalogue, public look-ups by an unguessable
	// token). hallID(r) panics on such a route.
	HallNone
	// HallPath: the {hall} path value.
	HallPath
	// HallWindow: the hall of the {window} path value.
	HallWindow
	// HallTicket: the hall of the ticket {id}.
	HallTicket
	// HallCase: the hall of the case {id}.
	HallCase
	// HallQuery: the ?hall= parameter; without it the caller's own hall, or
	// for callers who span halls the first hall.
	HallQuery
	// HallOwn: the caller's own hall (a device's, a staff member's); callers
	// who span halls name it with ?hall= (else the first hall).
	HallOwn
	// HallBody: the hall named in the request body or form ("hall"), else
	// the caller's own; the handler reads it with s.bodyHall, which applies
	// the same check (a device only in its hall, a bound account only in
	// its own). hallID(r) panics on such a route.
	HallBody
)

var hallFromNames = map[HallFrom]string{HallNone: "none", HallPath: "path", HallWindow: "window", HallTicket: "ticket", HallCase: "case", HallQuery: "query", HallOwn: "own", HallBody: "body"}

// String names the source (for the access test and the API description).
func (h HallFrom) String() string {
	if n, ok := hallFromNames[h]; ok {
		return n
	}
	return "undeclared"
}

// checkRouteTenancy refuses a route table in which a route does not say
// where its hall comes from, or names a source its path does not carry.
func checkRouteTenancy(rts []Route) error {
	for _, rt := range rts {
		where := rt.Method + " " + rt.Path
		if rt.Hall == hallUndeclared {
			return fmt.Errorf("route %s: declare Hall (HallNone, HallPath, HallWindow, HallTicket, HallCase, HallQuery, HallOwn or HallBody)", where)
		}
		has := func(v string) bool { return strings.Contains(rt.Path, "{"+v+"}") }
		need := map[HallFrom]string{HallPath: "hall", HallWindow: "window", HallTicket: "id", HallCase: "id"}
		if v, ok := need[rt.Hall]; ok && !has(v) {
			return fmt.Errorf("route %s: Hall %s needs {%s} in the path", where, rt.Hall, v)
		}
		if has("hall") && rt.Hall != HallPath {
			return fmt.Errorf("route %s: a path with {hall} takes its hall from the path (HallPath)", where)
		}
	}
	return nil
}

type hallCtxKey struct{}

// hallID returns the hall the wrapper resolved and checked for this
// request. It panics on a route declared HallNone: a handler that needs a
// hall must get it through its route's declaration.
func hallID(r *http.Request) int64 {
	id, ok := r.Context().Value(hallCtxKey{}).(int64)
	if !ok {
		panic("hallID: the route declares no hall (Hall: HallNone)")
	}
	return id
}

// resolveHall finds the hall of the request by the route's declaration.
// A missing object is NotFound; an object of a hall the caller may not act
// in is NotFound too (its existence is not revealed), a hall named in the
// path or query is Forbidden (halls are public).
func (s *Server) resolveHall(r *http.Request, from HallFrom, p auth.Principal) (int64, error) {
	ctx := r.Context()
	var id int64
	var err error
	object := ""
	switch from {
	case HallPath:
		id, err = pathID(r, "hall")
		if err == nil {
			err = s.hallExists(ctx, id)
		}
	case HallWindow:
		var w int64
		if w, err = pathID(r, "window"); err == nil {
			id, err = s.DB.WindowHall(ctx, w)
		}
		object = "window"
	case HallTicket:
		var t int64
		if t, err = pathID(r, "id"); err == nil {
			id, err = s.DB.TicketHall(ctx, t)
		}
		object = "ticket"
	case HallCase:
		var c int64
		if c, err = pathID(r, "id"); err == nil {
			id, err = s.DB.CaseHall(ctx, c)
		}
		object = "case"
	case HallQuery, HallOwn:
		id, err = s.callerHall(r, p, from == HallQuery)
	default:
		return 0, fmt.Errorf("resolveHall: %v", from)
	}
	if err != nil {
		return 0, err
	}
	if !p.MayActIn(id) {
		if object != "" {
			return 0, apperr.NotFoundOf(object)
		}
		return 0, apperr.New(apperr.Forbidden, "err.other_hall")
	}
	return id, nil
}

// callerHall is the hall of HallQuery and HallOwn routes.
func (s *Server) callerHall(r *http.Request, p auth.Principal, query bool) (int64, error) {
	if v := r.URL.Query().Get("hall"); v != "" && (query || p.SpansHalls() || !p.Authenticated()) {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return 0, apperr.InvalidField("hall", "err.bad_id", shortValue(v))
		}
		return id, s.hallExists(r.Context(), id)
	}
	if p.HallID != 0 {
		return p.HallID, nil
	}
	if p.Authenticated() && !p.SpansHalls() {
		// A bound account without a hall acts nowhere.
		return 0, apperr.New(apperr.Forbidden, "err.other_hall")
	}
	hs, err := s.DB.ListHalls(r.Context())
	if err != nil {
		return 0, err
	}
	if len(hs) == 0 {
		return 0, apperr.New(apperr.NotFound, "err.hall_not_found")
	}
	return hs[0].ID, nil
}

func (s *Server) hallExists(ctx context.Context, id int64) error {
	if _, err := s.DB.Hall(ctx, id); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return apperr.New(apperr.NotFound, "err.hall_not_found")
		}
		return err
	}
	return nil
}

// shortValue is what an error message may quote of a bad value: a short
// prefix, so that a 100 kB value does not come back in a 100 kB error.
func shortValue(v string) string { return shortText(v, 60) }

// shortText is v cut to max runes, with an ellipsis when cut.
func shortText(v string, max int) string {
	r := []rune(v)
	if len(r) <= max {
		return v
	}
	return string(r[:max]) + "…"
}

// bodyHall is the hall of a HallBody route: the one the body or form
// names (0: none), else the caller's own hall, else the first hall; the
// caller must be allowed to act in it.
func (s *Server) bodyHall(r *http.Request, given int64) (int64, error) {
	p := principal(r)
	if given == 0 {
		return s.callerHall(r, p, false)
	}
	if err := s.hallExists(r.Context(), given); err != nil {
		return 0, err
	}
	if !p.MayActIn(given) {
		return 0, apperr.New(apperr.Forbidden, "err.other_hall")
	}
	return given, nil
}

// PUT and POST bodies that echo an object (a hall, zone, window, staff
// member) may carry its identity: a changed immutable field or the id of
// another hall's object is refused, never silently replaced.

// sameOrZero refuses a given value of an immutable field that differs
// from the object's.
func sameOrZero[T comparable](field string, given, actual T) error {
	var zero T
	if given != zero && given != actual {
		return apperr.InvalidField(field, "err.immutable", field)
	}
	return nil
}

// checkHallRef refuses a hall id in a body that is not the route's hall.
func checkHallRef(field string, given, hall int64) error {
	if given != 0 && given != hall {
		return apperr.InvalidField(field, "err.foreign_id", "hall")
	}
	return nil
}

// checkWindowInput checks a window's body: its hall and id, its staff
// member (of this hall) and its item codes (known to the catalogue).
func (s *Server) checkWindowInput(ctx context.Context, hallID, id int64, staffID int64, items []string) error {
	if staffID != 0 {
		h, err := s.DB.StaffHall(ctx, staffID)
		if (err != nil && apperr.Is(err, apperr.NotFound)) || (err == nil && h != hallID) {
			return apperr.InvalidField("staff_id", "err.foreign_id", "staff")
		} else if err != nil {
			return err
		}
	}
	if len(items) == 0 {
		return nil
	}
	known, err := s.DB.ListItemStatus(ctx)
	if err != nil {
		return err
	}
	codes := make(map[string]bool, len(known))
	for _, it := range known {
		codes[it.Code] = true
	}
	for _, c := range items {
		if !codes[c] {
			return apperr.InvalidField("items", "err.unknown_item", shortValue(c))
		}
	}
	return nil
}
