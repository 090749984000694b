package web

import (
	"net/http"
	"strconv"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/hall"
	"mingbai/internal/notify"
	"mingbai/internal/store"
)

type userJSON struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	DisplayName string    `json:"display_name"`
	Role        auth.Role `json:"role"`
	Disabled    bool      `json:"disabled"`
	Locked      bool      `json:"locked"`
	CreatedAt   int64     `json:"created_at"`
}

type createUserRequest struct {
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role"`
	Password    string `json:"password"`
	// Hall binds the account to a hall; required for every role except
	// admin and auditor when the installation has several halls.
	Hall int64 `json:"hall,omitempty"`
}

type tokenJSON = store.Token

type createTokenRequest struct {
	User string `json:"user"`
	Name string `json:"name"`
}

type createdToken struct {
	Token  string    `json:"token"`
	Detail tokenJSON `json:"detail"`
}

type (
	hallJSON   = hall.Hall
	zoneJSON   = hall.Zone
	windowJSON = hall.Window
	staffJSON  = hall.Staff
	deviceJSON = hall.Device
)

type createdDevice struct {
	Token  string      `json:"token"`
	Device hall.Device `json:"device"`
}

func (s *Server) apiListUsers(w http.ResponseWriter, r *http.Request) error {
	us, err := s.DB.ListUsers(r.Context())
	if err != nil {
		return err
	}
	out := make([]userJSON, 0, len(us))
	now := s.DB.Now().UnixMilli()
	for _, u := range us {
		out = append(out, userJSON{ID: u.ID, Name: u.Username, DisplayName: u.DisplayName, Role: u.Role, Disabled: u.Disabled, Locked: u.LockedUntil > now, CreatedAt: u.CreatedAt})
	}
	writeJSON(w, 200, out)
	return nil
}

func (s *Server) apiCreateUser(w http.ResponseWriter, r *http.Request) error {
	var req createUserRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if err := limitText("display_name", req.DisplayName, 50); err != nil {
		return err
	}
	u, err := s.DB.CreateUserIn(r.Context(), req.Hall, req.Name, req.DisplayName, auth.Role(req.Role), req.Password)
	if err != nil {
		return err
	}
	writeJSON(w, 201, userJSON{ID: u.ID, Name: u.Username, DisplayName: u.DisplayName, Role: u.Role, CreatedAt: u.CreatedAt})
	return nil
}

type roleRequest struct {
	Role string `json:"role"`
}

func (s *Server) apiSetUserRole(w http.ResponseWriter, r *http.Request) error {
	var req roleRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if err := s.DB.SetUserRole(r.Context(), r.PathValue("name"), auth.Role(req.Role)); err != nil {
		return err
	}
	writeJSON(w, 200, roleJSON{Role: req.Role})
	return nil
}

func (s *Server) apiDisableUser(w http.ResponseWriter, r *http.Request) error {
	if err := s.DB.SetUserDisabled(r.Context(), r.PathValue("name"), true); err != nil {
		return err
	}
	writeJSON(w, 200, disabledJSON{Disabled: true})
	return nil
}

func (s *Server) apiListTokens(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.DB.ListTokens(r.Context(), r.URL.Query().Get("user"))
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []store.Token{}
	}
	writeJSON(w, 200, ts)
	return nil
}

func (s *Server) apiCreateToken(w http.ResponseWriter, r *http.Request) error {
	var req createTokenRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if err := limitText("name", req.Name, 100); err != nil {
		return err
	}
	secret, t, err := s.DB.CreateToken(r.Context(), req.User, req.Name)
	if err != nil {
		return err
	}
	writeJSON(w, 201, createdToken{Token: secret, Detail: t})
	return nil
}

func (s *Server) apiRevokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.DB.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	writeJSON(w, 200, revokedJSON{Revoked: true})
	return nil
}

func (s *Server) apiListHalls(w http.ResponseWriter, r *http.Request) error {
	hs, err := s.DB.ListHalls(r.Context())
	if err != nil {
		return err
	}
	if hs == nil {
		hs = []hall.Hall{}
	}
	writeJSON(w, 200, hs)
	return nil
}

func (s *Server) apiCreateHall(w http.ResponseWriter, r *http.Request) error {
	var h hall.Hall
	if err := decodeJSON(w, r, &h); err != nil {
		return err
	}
	h.ID = 0
	h, err := s.DB.CreateHall(r.Context(), h)
	if err != nil {
		return err
	}
	writeJSON(w, 201, h)
	return nil
}

// hallOf parses {hall} and checks that the hall exists.
func (s *Server) hallOf(r *http.Request) (hall.Hall, error) {
	return s.DB.Hall(r.Context(), hallID(r))
}

func (s *Server) apiGetHall(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	writeJSON(w, 200, h)
	return nil
}

func (s *Server) apiUpdateHall(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	var in hall.Hall
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := sameOrZero("id", in.ID, h.ID); err != nil {
		return err
	}
	if err := sameOrZero("code", in.Code, h.Code); err != nil {
		return err
	}
	in.ID, in.Code = h.ID, h.Code
	out, err := s.DB.UpdateHall(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, 200, out)
	return nil
}

func (s *Server) apiListZones(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	zs, err := s.DB.ListZones(r.Context(), h.ID)
	if err != nil {
		return err
	}
	if zs == nil {
		zs = []hall.Zone{}
	}
	writeJSON(w, 200, zs)
	return nil
}

func (s *Server) apiCreateZone(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	var z hall.Zone
	if err := decodeJSON(w, r, &z); err != nil {
		return err
	}
	if err := checkHallRef("hall_id", z.HallID, h.ID); err != nil {
		return err
	}
	if err := sameOrZero("id", z.ID, 0); err != nil {
		return err
	}
	z.ID, z.HallID = 0, h.ID
	z, err = s.DB.CreateZone(r.Context(), z)
	if err != nil {
		return err
	}
	writeJSON(w, 201, z)
	return nil
}

func (s *Server) apiListWindows(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	ws, err := s.DB.ListWindows(r.Context(), h.ID)
	if err != nil {
		return err
	}
	if ws == nil {
		ws = []hall.Window{}
	}
	writeJSON(w, 200, ws)
	return nil
}

func (s *Server) apiSaveWindow(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	var win hall.Window
	if err := decodeJSON(w, r, &win); err != nil {
		return err
	}
	if err := checkHallRef("hall_id", win.HallID, h.ID); err != nil {
		return err
	}
	given := win.ID
	win.ID, win.HallID = 0, h.ID
	status := 201
	if r.PathValue("window") != "" {
		if win.ID, err = pathID(r, "window"); err != nil {
			return err
		}
		status = 200
	}
	if err := sameOrZero("id", given, win.ID); err != nil {
		return err
	}
	if err := s.checkWindowInput(r.Context(), h.ID, win.ID, win.StaffID, win.Items); err != nil {
		return err
	}
	win, err = s.DB.SaveWindow(r.Context(), win)
	if err != nil {
		return err
	}
	writeJSON(w, status, win)
	return nil
}

func (s *Server) apiListStaff(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	ss, err := s.DB.ListStaff(r.Context(), h.ID)
	if err != nil {
		return err
	}
	if ss == nil {
		ss = []hall.Staff{}
	}
	// The account link is internal.
	for i := range ss {
		ss[i].UserID = 0
	}
	writeJSON(w, 200, ss)
	return nil
}

func (s *Server) apiSaveStaff(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	var st hall.Staff
	if err := decodeJSON(w, r, &st); err != nil {
		return err
	}
	if err := checkHallRef("hall_id", st.HallID, h.ID); err != nil {
		return err
	}
	given := st.ID
	st.ID, st.HallID = 0, h.ID
	status := 201
	if r.PathValue("staff") != "" {
		if st.ID, err = pathID(r, "staff"); err != nil {
			return err
		}
		status = 200
	}
	if err := sameOrZero("id", given, st.ID); err != nil {
		return err
	}
	st, err = s.DB.SaveStaff(r.Context(), st)
	if err != nil {
		return err
	}
	writeJSON(w, status, st)
	return nil
}

func (s *Server) apiListDevices(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	ds, err := s.DB.ListDevices(r.Context(), h.ID)
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []hall.Device{}
	}
	writeJSON(w, 200, ds)
	return nil
}

func (s *Server) apiCreateDevice(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	var d hall.Device
	if err := decodeJSON(w, r, &d); err != nil {
		return err
	}
	d.ID, d.HallID, d.Revoked = 0, h.ID, false
	secret, d, err := s.DB.CreateDevice(r.Context(), d)
	if err != nil {
		return err
	}
	writeJSON(w, 201, createdDevice{Token: secret, Device: d})
	return nil
}

func (s *Server) apiRevokeDevice(w http.ResponseWriter, r *http.Request) error {
	h, err := s.hallOf(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "device")
	if err != nil {
		return err
	}
	if err := s.DB.RevokeDevice(r.Context(), h.ID, id); err != nil {
		return err
	}
	writeJSON(w, 200, revokedJSON{Revoked: true})
	return nil
}

type auditJSON struct {
	Seq     int64  `json:"seq"`
	At      int64  `json:"at"`
	Actor   string `json:"actor"`
	Role    string `json:"role"`
	Action  string `json:"action"`
	Object  string `json:"object"`
	Outcome string `json:"outcome"`
	Source  string `json:"source"`
	Detail  string `json:"detail"`
	Hash    string `json:"hash"`
}

type verifyJSON struct {
	OK      bool   `json:"ok"`
	Records int64  `json:"records"`
	Problem string `json:"problem,omitempty"`
}

func auditFilter(r *http.Request) store.AuditFilter {
	q := r.URL.Query()
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	limit, _ := strconv.Atoi(q.Get("limit"))
	return store.AuditFilter{Action: strings.TrimSpace(q.Get("action")), Actor: strings.TrimSpace(q.Get("actor")), Before: before, Limit: limit}
}

func (s *Server) apiListAudit(w http.ResponseWriter, r *http.Request) error {
	rs, err := s.DB.ListAudit(r.Context(), auditFilter(r))
	if err != nil {
		return err
	}
	out := make([]auditJSON, 0, len(rs))
	for _, x := range rs {
		out = append(out, auditJSON{x.Seq, x.At, x.Actor, x.Role, x.Action, x.Object, x.Outcome, x.Source, x.Detail, x.Hash})
	}
	writeJSON(w, 200, out)
	return nil
}

func (s *Server) apiVerifyAudit(w http.ResponseWriter, r *http.Request) error {
	n, err := s.DB.VerifyAudit(r.Context())
	v := verifyJSON{OK: err == nil, Records: n}
	if err != nil {
		if apperr.As(err) != nil {
			return err
		}
		v.Problem = err.Error()
	}
	writeJSON(w, 200, v)
	return nil
}

type outboxJSON = store.OutboxEntry

func (s *Server) apiListOutbox(w http.ResponseWriter, r *http.Request) error {
	es, err := s.DB.ListOutbox(r.Context(), hallID(r), r.URL.Query().Get("state"), 200)
	if err != nil {
		return err
	}
	if es == nil {
		es = []store.OutboxEntry{}
	}
	for i := range es {
		es[i].Recipient = notify.MaskRecipient(es[i].Recipient)
	}
	writeJSON(w, 200, es)
	return nil
}
