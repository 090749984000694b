// Package sim is a discrete-event simulator of hall days that drives the
// very dispatch and estimation code of package queue, and a staffing
// advisor built on it.
//
// # Days and traces
//
// Each simulated day is first generated as a trace from the run's seed and
// the day's number (common random numbers): a day factor for the daily
// total (lognormal, mean 1, Arrivals.DailyCV), inhomogeneous Poisson
// arrivals by thinning, and for every ticket its item, green-channel or
// appointment status, whether its holder is gone when called (no-show) and
// its service time at average speed; then each window's staff speed for the
// day (1 ± StaffSpeedSpread). Every policy runs on the same traces, so the
// comparison is paired. Runs are reproducible: the same seed and scenario
// give the same numbers whatever the number of workers.
//
// Windows open and close along their shifts; a window busy at the end of a
// shift finishes its ticket first, and windows whose last shift ends at the
// hall's closing time stay until every ticket they serve has been called.
// A freed window calls through Policy.Next and queue.ApplyCall; an arriving
// ticket is offered to the idle windows, longest idle first. A no-show
// holds the window for RecallMinutes.
//
// # Scenario files
//
// Scenarios are JSON files, embedded from scenarios/ (reference,
// reference-chain2, skewed) or read from a path:
//
//	{
//	  "name": "reference",
//	  "description": "free text",
//	  "open": "08:00", "close": "17:00",          // hours of ticket issue
//	  "arrivals": {
//	    "per_day": 690,                           // expected tickets a day
//	    "daily_cv": 0.10,                         // day-to-day variation of the total
//	    "hourly_weights": [0.8, 1.2, 1.35, 1.1, 0.8, 0.9, 1.1, 1.0, 0.75]
//	  },                                          // one weight per hour from "open"
//	  "priority_share": 0.12,                     // green channel (elderly, disabled, pregnant, military)
//	  "appointment_share": 0.05,                  // checked-in appointments (also priority)
//	  "no_show_rate": 0.07,                       // share of called tickets whose holder is gone
//	  "recall_minutes": 1.5,                      // how long a no-show holds the window
//	  "staff_speed_spread": 0.15,                 // staff speed factor uniform in 1 ± 0.15
//	  "zones": [{
//	    "code": "employment", "share": 0.22,      // share of arrivals
//	    "items": [{"code": "RS-A-001", "name": "…", "weight": 4,
//	               "mean_minutes": 6, "cv": 0.7}] // lognormal service time
//	  }],
//	  "windows": [{
//	    "id": "1", "home": "employment",          // home zone (own_first, dedicated)
//	    "zones": ["employment", "general"],       // serves every item of these zones
//	    "shifts": ["08:00-11:00", "12:00-17:00"]  // staffed periods; [] = not staffed
//	  }]
//	}
//
// (The comments are for the reader; JSON files have none.) Unknown fields
// are rejected.
//
// # Measures
//
// Waits run from issue to call. The policy table counts served tickets
// (no-shows excluded) and sets every policy's mean against fifo_pooled on
// the same traces, the bound for policies that ignore service times; an
// overtake is a pair (A, B) where B was called while A, issued earlier,
// still waited and A was of B's zone or of an item the calling window
// serves. Estimates are taken at issue under the mingbai policy for every
// called ticket (no-shows too) and compared with the actual wait: MAE,
// bias, and RASE = √MSE / E[W | W > 0], over all tickets and over the
// delayed ones (actual wait > 0). The estimators know the items' true
// service statistics (as if learned from a long history), the planned
// shifts, the no-show rate, and priority arrivals counted over the last
// hour; they do not know the staff speeds unless asked (--known-speed).
//
// # Entry points
//
// Main is `mingbai sim`, AdvisorMain is `mingbai staffing`; Simulate and
// Advise are the same as functions returning structs.
package sim
