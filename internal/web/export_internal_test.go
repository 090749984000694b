package web

// SetStaffingDays lets tests run the advisor on fewer simulated days.
func SetStaffingDays(days, verify int) { staffingDays, staffingVerifyDays = days, verify }

// CheckRouteTenancy exposes the route-table tenancy rule to tests.
func CheckRouteTenancy(rts []Route) error { return checkRouteTenancy(rts) }
