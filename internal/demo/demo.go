// Package demo seeds a demo district hall modelled on the report: five
// zones, 22 windows (general windows among them) chained across
// neighbouring zones, staff with posts, photos and pledges, one account per
// role and the devices a hall has. The demo hall is open around the clock
// so that a newcomer can try it at any hour.
package demo

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"mingbai/internal/auth"
	"mingbai/internal/catalog"
	"mingbai/internal/hall"
	"mingbai/internal/store"
)

// Password is the password of every demo account (shown on the login page
// of a demo hall and in the README). Change it before real use.
const Password = "Hall-Demo-2026"

// PasswordHash is the argon2id hash of Password, computed once per process:
// the demo has thirty accounts, tests seed it hundreds of times, and one
// hash costs about 0.2 s (over 1 s under the race detector).
var PasswordHash = sync.OnceValues(func() (string, error) {
	if err := auth.ValidatePassword("admin", Password); err != nil {
		return "", err
	}
	return auth.HashPassword(Password)
})

// Account is a demo login.
type Account struct {
	Username, DisplayName string
	Role                  auth.Role
}

// Accounts are the demo logins, one or more per role. w01…w22 are the window
// staff (one per window) and are added by Seed.
var Accounts = []Account{
	{"admin", "系统管理员", auth.Admin},
	{"manager", "大厅主任 周建国", auth.HallManager},
	{"leader", "副局长 孙立平", auth.DutyLeader},
	{"callback", "回访员 陈静", auth.CallbackOperator},
	{"editor", "标准化办公室 刘洋", auth.GuideEditor},
	{"auditor", "纪检审计 吴敏", auth.Auditor},
	{"consult", "就业咨询员 赵晓雪", auth.Consultant},
	{"w01", "", auth.WindowStaff},
}

// Zones of the demo hall with their ticket prefixes (docs/DEVELOPING.md).
var Zones = []hall.Zone{
	{Code: hall.ZoneEmployment, Name: "就业和人才服务区", Prefix: "A", Sort: 1},
	{Code: hall.ZoneSocialInsurance, Name: "社会保险经办区", Prefix: "B", Sort: 2},
	{Code: hall.ZoneArbitration, Name: "劳动人事争议调解仲裁区", Prefix: "C", Sort: 3},
	{Code: hall.ZoneInspection, Name: "劳动监察和劳动关系区", Prefix: "D", Sort: 4},
	{Code: hall.ZoneGeneral, Name: "综合受理与自助服务区", Prefix: "E", Sort: 5},
}

// chain lists the zones each home zone's windows serve: the home zone and
// its two neighbours on the cycle inspection–employment–general–
// social_insurance–arbitration–inspection. The simulator showed that this
// three-zone chain brings the mean wait within 7 % of a fully pooled hall
// (docs/benchmarks.md); two-zone chains stayed 28 % above it.
var chain = map[string][]string{
	hall.ZoneEmployment:      {hall.ZoneEmployment, hall.ZoneGeneral, hall.ZoneInspection},
	hall.ZoneGeneral:         {hall.ZoneGeneral, hall.ZoneEmployment, hall.ZoneSocialInsurance},
	hall.ZoneSocialInsurance: {hall.ZoneSocialInsurance, hall.ZoneGeneral, hall.ZoneArbitration},
	hall.ZoneArbitration:     {hall.ZoneArbitration, hall.ZoneSocialInsurance, hall.ZoneInspection},
	hall.ZoneInspection:      {hall.ZoneInspection, hall.ZoneArbitration, hall.ZoneEmployment},
}

// WindowZones returns the zones window number n (1…22) serves.
func WindowZones(n int) []string { return chain[homeZone(n)] }

func homeZone(n int) string {
	switch {
	case n <= 4:
		return hall.ZoneEmployment
	case n <= 12:
		return hall.ZoneSocialInsurance
	case n <= 14:
		return hall.ZoneArbitration
	case n <= 16:
		return hall.ZoneInspection
	default:
		return hall.ZoneGeneral
	}
}

var staffNames = []string{"李明", "王芳", "张伟", "刘洋洋", "陈静怡", "杨帆", "赵磊", "黄丽", "周杰", "吴婷", "徐强", "孙悦",
	"马丽娟", "朱琳", "胡斌", "郭敏", "何晓东", "高洁", "林涛", "罗娜", "郑浩", "梁晨"}

var posts = map[string]string{
	hall.ZoneEmployment:      "就业服务窗口 科员",
	hall.ZoneSocialInsurance: "社保经办窗口 科员",
	hall.ZoneArbitration:     "仲裁立案窗口 仲裁员",
	hall.ZoneInspection:      "劳动监察窗口 监察员",
	hall.ZoneGeneral:         "综合受理窗口 科员",
}

var pledges = []string{
	"一次告知，一次办好，不让群众多跑一趟。",
	"热情接待，耐心解答，按明白纸办事。",
	"即办件当场办结，承诺件按时办结。",
	"亮明身份，接受监督，欢迎评价。",
}

// Seeded reports whether the database already holds a hall.
func Seeded(ctx context.Context, db *store.DB) (bool, error) {
	hs, err := db.ListHalls(ctx)
	return len(hs) > 0, err
}

// Result describes what Seed created, for the start-up message.
type Result struct {
	Hall         hall.Hall
	DeviceTokens map[string]string // device name → token (shown once)
}

// Seed creates the demo hall. It is meant for an empty database.
func Seed(ctx context.Context, db *store.DB) (Result, error) {
	ctx = store.WithActor(ctx, store.Actor{Name: "demo", Role: "system", Source: "seed"})
	res := Result{DeviceTokens: map[string]string{}}
	h, err := db.CreateHall(ctx, hall.Hall{
		Code: "demo", Name: "示范区人力资源和社会保障局综合服务大厅", Address: "示范区人民路 88 号 政务服务中心一楼",
		Timezone: "Asia/Shanghai",
		Hours:    hall.Hours{Open: "08:30", Close: "17:00", LastTicket: "16:30", WorkingDaysOnly: true, AlwaysOpen: true},
	})
	if err != nil {
		return res, fmt.Errorf("demo hall: %w", err)
	}
	res.Hall = h
	hash, err := PasswordHash()
	if err != nil {
		return res, err
	}
	for _, a := range Accounts {
		if a.Role == auth.WindowStaff {
			continue
		}
		// Accounts belong to the demo hall, except the roles that span
		// halls (docs/security.md).
		accountHall := h.ID
		if !auth.BindsToHall(a.Role) {
			accountHall = 0
		}
		if _, err := db.CreateUserWithHash(ctx, accountHall, a.Username, a.DisplayName, a.Role, hash); err != nil {
			return res, fmt.Errorf("demo account %s: %w", a.Username, err)
		}
	}
	tokens, err := seedFloor(ctx, db, h, hash, func(n int) string { return fmt.Sprintf("w%02d", n) })
	if err != nil {
		return res, err
	}
	res.DeviceTokens = tokens
	// Later areas seed their demo data here (catalogue, tickets, cases …).
	sort.SliceStable(seeders, func(i, j int) bool { return seeders[i].order < seeders[j].order })
	for _, st := range seeders {
		if err := st.fn(ctx, db, h); err != nil {
			return res, err
		}
	}
	return res, nil
}

// seedFloor gives hall h the demo hall's floor: its zones, 22 windows with
// their staff (the clerk of window n signs in as user(n)) and its devices.
// It returns the device tokens by device name.
func seedFloor(ctx context.Context, db *store.DB, h hall.Hall, hash string, user func(n int) string) (map[string]string, error) {
	for _, z := range Zones {
		z.HallID = h.ID
		if _, err := db.CreateZone(ctx, z); err != nil {
			return nil, fmt.Errorf("demo zone %s: %w", z.Code, err)
		}
	}
	items, err := catalog.DemoItems()
	if err != nil {
		return nil, err
	}
	byZone := map[string][]string{}
	for _, it := range items {
		byZone[it.Zone] = append(byZone[it.Zone], it.Code)
	}
	tokens := map[string]string{}
	for n := 1; n <= 22; n++ {
		home := homeZone(n)
		username := user(n)
		u, err := db.CreateUserWithHash(ctx, h.ID, username, staffNames[n-1], auth.WindowStaff, hash)
		if err != nil {
			return nil, fmt.Errorf("demo account %s: %w", username, err)
		}
		st, err := db.SaveStaff(ctx, hall.Staff{
			HallID: h.ID, StaffNo: fmt.Sprintf("RS%03d", n), Name: staffNames[n-1], Post: posts[home],
			Pledge: pledges[n%len(pledges)], PhotoURL: fmt.Sprintf("/avatars/RS%03d.svg", n), UserID: u.ID,
		})
		if err != nil {
			return nil, fmt.Errorf("demo staff %d: %w", n, err)
		}
		var codes []string
		for _, z := range WindowZones(n) {
			codes = append(codes, byZone[z]...)
		}
		name := ""
		if home == hall.ZoneGeneral {
			name = "综合窗口"
		}
		if _, err := db.SaveWindow(ctx, hall.Window{HallID: h.ID, Zone: home, Number: fmt.Sprint(n), Name: name, StaffID: st.ID, Items: codes}); err != nil {
			return nil, fmt.Errorf("demo window %d: %w", n, err)
		}
	}
	for _, d := range []hall.Device{
		{Kind: hall.DeviceKiosk, Name: "1号自助取号机（大厅入口）"},
		{Kind: hall.DeviceKiosk, Name: "2号自助取号机（社保区）"},
		{Kind: hall.DeviceDisplay, Name: "大厅综合显示屏"},
		{Kind: hall.DeviceDisplay, Name: "社保区显示屏"},
		{Kind: hall.DeviceRatingPad, Name: "1号窗口评价器"},
	} {
		d.HallID = h.ID
		secret, _, err := db.CreateDevice(ctx, d)
		if err != nil {
			return nil, fmt.Errorf("demo device %s: %w", d.Name, err)
		}
		tokens[d.Name] = secret
	}
	return tokens, nil
}

// seeders are the demo-data steps of the areas, run after the hall exists
// in the order of their stage: the catalogue before anything that refers
// to items.
var seeders []seeder

type seeder struct {
	order int
	fn    func(context.Context, *store.DB, hall.Hall) error
}

// Seeding stages.
const (
	stageCatalog = 10
	stageQueue   = 20
	stageCases   = 30
	stageConsult = 40
)

func addSeeder(order int, fn func(context.Context, *store.DB, hall.Hall) error) {
	seeders = append(seeders, seeder{order, fn})
}
