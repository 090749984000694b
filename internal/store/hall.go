package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/hall"
)

// CreateHall stores a new hall.
func (db *DB) CreateHall(ctx context.Context, h hall.Hall) (hall.Hall, error) {
	if err := h.Validate(); err != nil {
		return h, err
	}
	hours, _ := json.Marshal(h.Hours)
	err := db.Write(ctx, func(tx *Tx) error {
		id, err := tx.InsertID("INSERT INTO halls (code, name, address, timezone, hours, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			h.Code, h.Name, h.Address, h.Timezone, string(hours), tx.NowMs())
		if err != nil {
			return err
		}
		h.ID = id
		return tx.Audit("hall.create", fmt.Sprintf("hall:%d", id), h.Code)
	})
	return h, err
}

// UpdateHall changes a hall's name, address, time zone and hours.
func (db *DB) UpdateHall(ctx context.Context, h hall.Hall) (hall.Hall, error) {
	if err := h.Validate(); err != nil {
		return h, err
	}
	hours, _ := json.Marshal(h.Hours)
	err := db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec("UPDATE halls SET name = ?, address = ?, timezone = ?, hours = ? WHERE id = ?", h.Name, h.Address, h.Timezone, string(hours), h.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundOf("hall")
		}
		return tx.Audit("hall.update", fmt.Sprintf("hall:%d", h.ID), string(hours))
	})
	return h, err
}

func scanHall(row interface{ Scan(...any) error }) (hall.Hall, error) {
	var h hall.Hall
	var hours string
	if err := row.Scan(&h.ID, &h.Code, &h.Name, &h.Address, &h.Timezone, &hours); err != nil {
		return h, err
	}
	err := json.Unmarshal([]byte(hours), &h.Hours)
	return h, err
}

// ListHalls returns every hall.
func (db *DB) ListHalls(ctx context.Context) ([]hall.Hall, error) {
	var out []hall.Hall
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT id, code, name, address, timezone, hours FROM halls ORDER BY id")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			h, err := scanHall(rows)
			if err != nil {
				return err
			}
			out = append(out, h)
		}
		return rows.Err()
	})
	return out, err
}

// Hall returns a hall by id.
func (db *DB) Hall(ctx context.Context, id int64) (hall.Hall, error) {
	var h hall.Hall
	err := db.ReadOne(ctx, func(tx *Tx) error {
		var err error
		h, err = scanHall(tx.QueryRow("SELECT id, code, name, address, timezone, hours FROM halls WHERE id = ?", id))
		return notFound(err, "hall")
	})
	return h, err
}

// CreateZone adds a zone to a hall.
func (db *DB) CreateZone(ctx context.Context, z hall.Zone) (hall.Zone, error) {
	if err := z.Validate(); err != nil {
		return z, err
	}
	err := db.Write(ctx, func(tx *Tx) error {
		id, err := tx.InsertID("INSERT INTO zones (hall_id, code, name, prefix, sort) VALUES (?, ?, ?, ?, ?)", z.HallID, z.Code, z.Name, z.Prefix, z.Sort)
		if err != nil {
			return err
		}
		z.ID = id
		return tx.Audit("zone.create", fmt.Sprintf("zone:%d", id), z.Code)
	})
	return z, err
}

// ListZones returns a hall's zones in display order.
func (db *DB) ListZones(ctx context.Context, hallID int64) ([]hall.Zone, error) {
	var out []hall.Zone
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT id, hall_id, code, name, prefix, sort FROM zones WHERE hall_id = ? ORDER BY sort, id", hallID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var z hall.Zone
			if err := rows.Scan(&z.ID, &z.HallID, &z.Code, &z.Name, &z.Prefix, &z.Sort); err != nil {
				return err
			}
			out = append(out, z)
		}
		return rows.Err()
	})
	return out, err
}

func zoneIDByCode(tx *Tx, hallID int64, code string) (int64, error) {
	var id int64
	err := tx.QueryRow("SELECT id FROM zones WHERE hall_id = ? AND code = ?", hallID, code).Scan(&id)
	if err != nil {
		return 0, apperr.InvalidField("zone", "hall.bad_zone", code)
	}
	return id, nil
}

// SaveWindow creates (ID 0) or updates a window, including its item set.
// The zone is given by code.
func (db *DB) SaveWindow(ctx context.Context, w hall.Window) (hall.Window, error) {
	if err := w.Validate(); err != nil {
		return w, err
	}
	err := db.Write(ctx, func(tx *Tx) error {
		zid, err := zoneIDByCode(tx, w.HallID, w.Zone)
		if err != nil {
			return err
		}
		w.ZoneID = zid
		action := "window.update"
		if w.ID == 0 {
			action = "window.create"
			w.ID, err = tx.InsertID("INSERT INTO windows (hall_id, zone_id, number, name, staff_id) VALUES (?, ?, ?, ?, ?)", w.HallID, zid, w.Number, w.Name, nullInt(w.StaffID))
		} else {
			var res interface{ RowsAffected() (int64, error) }
			res, err = tx.Exec("UPDATE windows SET zone_id = ?, number = ?, name = ?, staff_id = ? WHERE id = ? AND hall_id = ?", zid, w.Number, w.Name, nullInt(w.StaffID), w.ID, w.HallID)
			if err == nil {
				if n, _ := res.RowsAffected(); n == 0 {
					return apperr.NotFoundOf("window")
				}
			}
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec("DELETE FROM window_items WHERE window_id = ?", w.ID); err != nil {
			return err
		}
		items := dedupe(w.Items)
		for _, code := range items {
			if _, err := tx.Exec("INSERT INTO window_items (window_id, item_code) VALUES (?, ?)", w.ID, code); err != nil {
				return err
			}
		}
		w.Items = items
		return tx.Audit(action, fmt.Sprintf("window:%d", w.ID), fmt.Sprintf("number=%s zone=%s items=%d", w.Number, w.Zone, len(items)))
	})
	return w, wrap("save window", err)
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, v := range s {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// ListWindows returns a hall's windows with their item codes, ordered by
// number (numerically where numbers are numeric).
func (db *DB) ListWindows(ctx context.Context, hallID int64) ([]hall.Window, error) {
	var out []hall.Window
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = listWindows(tx, hallID)
		return err
	})
	return out, err
}

func listWindows(tx *Tx, hallID int64) ([]hall.Window, error) {
	g := tx.grp
	if g == nil {
		return readWindows(tx, hallID)
	}
	// Grouped operations (calls, issues) share one read per group.
	if ws, ok := g.wins[hallID]; ok {
		return ws, nil
	}
	ws, err := readWindows(tx, hallID)
	if err != nil {
		return nil, err
	}
	putKey(&g.wins, hallID, ws)
	return ws, nil
}

func readWindows(tx *Tx, hallID int64) ([]hall.Window, error) {
	rows, err := tx.Query(`SELECT w.id, w.hall_id, w.zone_id, z.code, w.number, w.name, COALESCE(w.staff_id, 0)
		FROM windows w JOIN zones z ON z.id = w.zone_id WHERE w.hall_id = ? ORDER BY length(w.number), w.number`, hallID)
	if err != nil {
		return nil, err
	}
	var out []hall.Window
	idx := map[int64]int{}
	for rows.Next() {
		var w hall.Window
		if err := rows.Scan(&w.ID, &w.HallID, &w.ZoneID, &w.Zone, &w.Number, &w.Name, &w.StaffID); err != nil {
			rows.Close()
			return nil, err
		}
		w.Items = []string{}
		idx[w.ID] = len(out)
		out = append(out, w)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	items, err := tx.Query("SELECT wi.window_id, wi.item_code FROM window_items wi JOIN windows w ON w.id = wi.window_id WHERE w.hall_id = ? ORDER BY wi.item_code", hallID)
	if err != nil {
		return nil, err
	}
	defer items.Close()
	for items.Next() {
		var wid int64
		var code string
		if err := items.Scan(&wid, &code); err != nil {
			return nil, err
		}
		if i, ok := idx[wid]; ok {
			out[i].Items = append(out[i].Items, code)
		}
	}
	return out, items.Err()
}

// Window returns one window of a hall.
func (db *DB) Window(ctx context.Context, hallID, windowID int64) (hall.Window, error) {
	ws, err := db.ListWindows(ctx, hallID)
	if err != nil {
		return hall.Window{}, err
	}
	for _, w := range ws {
		if w.ID == windowID {
			return w, nil
		}
	}
	return hall.Window{}, apperr.NotFoundOf("window")
}

// SaveStaff creates (ID 0) or updates a staff record.
func (db *DB) SaveStaff(ctx context.Context, s hall.Staff) (hall.Staff, error) {
	if err := s.Validate(); err != nil {
		return s, err
	}
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		if s.UserID != 0 {
			// A staff record binds its account to the record's hall; an
			// account of another hall cannot be linked here.
			var other int64
			if err := tx.QueryRow("SELECT COALESCE(hall_id, 0) FROM users WHERE id = ?", s.UserID).Scan(&other); err != nil {
				return notFound(err, "user")
			}
			if other != 0 && other != s.HallID {
				return apperr.InvalidField("user_id", "hall.user_other_hall")
			}
			if _, err := tx.Exec("UPDATE users SET hall_id = ? WHERE id = ? AND role <> 'admin'", s.HallID, s.UserID); err != nil {
				return err
			}
			// The account's principal names its staff record and hall.
			if err := tx.changedHot(hotPrincipals); err != nil {
				return err
			}
		}
		action := "staff.update"
		if s.ID == 0 {
			action = "staff.create"
			s.ID, err = tx.InsertID("INSERT INTO staff (hall_id, staff_no, name, post, pledge, photo_url, user_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
				s.HallID, s.StaffNo, s.Name, s.Post, s.Pledge, s.PhotoURL, nullInt(s.UserID))
		} else {
			var res interface{ RowsAffected() (int64, error) }
			res, err = tx.Exec("UPDATE staff SET staff_no = ?, name = ?, post = ?, pledge = ?, photo_url = ?, user_id = COALESCE(?, user_id) WHERE id = ? AND hall_id = ?",
				s.StaffNo, s.Name, s.Post, s.Pledge, s.PhotoURL, nullInt(s.UserID), s.ID, s.HallID)
			if err == nil {
				if n, _ := res.RowsAffected(); n == 0 {
					return apperr.NotFoundOf("staff")
				}
			}
		}
		if err != nil {
			return err
		}
		return tx.Audit(action, fmt.Sprintf("staff:%d", s.ID), s.StaffNo)
	})
	return s, wrap("save staff", err)
}

// ListStaff returns a hall's staff ordered by staff number.
func (db *DB) ListStaff(ctx context.Context, hallID int64) ([]hall.Staff, error) {
	var out []hall.Staff
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT id, hall_id, staff_no, name, post, pledge, photo_url, COALESCE(user_id, 0) FROM staff WHERE hall_id = ? ORDER BY staff_no", hallID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s hall.Staff
			if err := rows.Scan(&s.ID, &s.HallID, &s.StaffNo, &s.Name, &s.Post, &s.Pledge, &s.PhotoURL, &s.UserID); err != nil {
				return err
			}
			out = append(out, s)
		}
		return rows.Err()
	})
	return out, err
}

// CreateDevice registers a device and returns its token secret (shown once).
func (db *DB) CreateDevice(ctx context.Context, d hall.Device) (string, hall.Device, error) {
	if err := d.Validate(); err != nil {
		return "", d, err
	}
	secret, hash := auth.NewToken("mbd_")
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		d.CreatedAt = tx.NowMs()
		d.ID, err = tx.InsertID("INSERT INTO devices (hall_id, kind, name, window_id, token_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			d.HallID, d.Kind, d.Name, nullInt(d.WindowID), hash, d.CreatedAt)
		if err != nil {
			return err
		}
		return tx.Audit("device.create", fmt.Sprintf("device:%d", d.ID), d.Kind+" "+d.Name)
	})
	return secret, d, wrap("create device", err)
}

// RevokeDevice revokes a device's token.
func (db *DB) RevokeDevice(ctx context.Context, hallID, id int64) error {
	return db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec("UPDATE devices SET revoked_at = ? WHERE id = ? AND hall_id = ? AND revoked_at = 0", tx.NowMs(), id, hallID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundOf("device")
		}
		if err := tx.changedHot(hotDevices); err != nil {
			return err
		}
		return tx.Audit("device.revoke", fmt.Sprintf("device:%d", id), "")
	})
}

// ListDevices returns a hall's devices.
func (db *DB) ListDevices(ctx context.Context, hallID int64) ([]hall.Device, error) {
	var out []hall.Device
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT id, hall_id, kind, name, COALESCE(window_id, 0), created_at, last_seen, revoked_at FROM devices WHERE hall_id = ? ORDER BY id", hallID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d hall.Device
			var revoked int64
			if err := rows.Scan(&d.ID, &d.HallID, &d.Kind, &d.Name, &d.WindowID, &d.CreatedAt, &d.LastSeen, &revoked); err != nil {
				return err
			}
			d.Revoked = revoked != 0
			out = append(out, d)
		}
		return rows.Err()
	})
	return out, err
}

// PrincipalForDevice resolves a device token.
func (db *DB) PrincipalForDevice(ctx context.Context, secret string) (auth.Principal, error) {
	hash := auth.HashToken(secret)
	if p, ok := db.hot.device(hash); ok {
		db.deviceSeen(ctx, p.DeviceID)
		return p, nil
	}
	gen, hot := db.hot.on()
	var p auth.Principal
	err := db.ReadOne(ctx, func(tx *Tx) error {
		var revoked int64
		err := tx.QueryRow("SELECT id, hall_id, kind, revoked_at FROM devices WHERE token_hash = ?", hash).Scan(&p.DeviceID, &p.HallID, &p.DeviceKind, &revoked)
		if err != nil {
			return notFound(err, "device")
		}
		if revoked != 0 {
			return apperr.New(apperr.Unauthorized, "auth.device_revoked")
		}
		p.Role, p.Via = auth.Device, "device"
		return nil
	})
	if err == nil {
		if hot {
			db.hot.putDevice(gen, hash, p)
		}
		db.deviceSeen(ctx, p.DeviceID)
	}
	return p, err
}

// StaffByNumber returns the first staff member with that staff number (for
// generated avatars, which are public).
func (db *DB) StaffByNumber(ctx context.Context, staffNo string) (hall.Staff, error) {
	var s hall.Staff
	err := db.Read(ctx, func(tx *Tx) error {
		err := tx.QueryRow("SELECT id, hall_id, staff_no, name, post, pledge, photo_url FROM staff WHERE staff_no = ? ORDER BY id LIMIT 1", staffNo).
			Scan(&s.ID, &s.HallID, &s.StaffNo, &s.Name, &s.Post, &s.Pledge, &s.PhotoURL)
		return notFound(err, "staff")
	})
	return s, err
}
