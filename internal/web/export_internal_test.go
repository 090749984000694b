package web

// SetStaffingDays lets tests run the advisor on fewer simulated days.
func SetStaffingDays(days, verify int) { staffingDays, staffingVerifyDays = days, verify }
