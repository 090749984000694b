package notify

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"mingbai/internal/pii"
)

// Contributor is a flexibly employed person (灵活就业人员) who pays their
// own social-insurance contributions.
type Contributor struct {
	Name     string
	IDNumber string
	Phone    string
	// Insurance lists the insurance types (pension, medical …).
	Insurance []string
	// Frequency is monthly, quarterly or yearly.
	Frequency string
	// PaidThrough is the last paid month, YYYY-MM.
	PaidThrough string
	// Payment is debit (bank debit) or self (pays in person or online).
	Payment string
	// DebitFailed marks a bank debit that failed this period.
	DebitFailed bool
}

// Payment frequencies and channels.
const (
	Monthly   = "monthly"
	Quarterly = "quarterly"
	Yearly    = "yearly"
	Debit     = "debit"
	SelfPay   = "self"
)

// RowError names a bad row of a registry file: Row is the spreadsheet row
// (1 is the header), Field the column, Reason a message key.
type RowError struct {
	Row    int    `json:"row"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
	Value  string `json:"value,omitempty"`
}

// columns maps the headers of the social-insurance system's export (and
// English ones) to our fields.
var columns = map[string]string{
	"姓名": "name", "name": "name",
	"身份证号码": "id_number", "公民身份号码": "id_number", "身份证号": "id_number", "id_number": "id_number",
	"手机号码": "phone", "联系电话": "phone", "手机号": "phone", "phone": "phone",
	"参保险种": "insurance", "险种": "insurance", "insurance": "insurance",
	"缴费频次": "frequency", "缴费方式": "frequency", "frequency": "frequency",
	"缴至年月": "paid_through", "已缴至": "paid_through", "paid_through": "paid_through",
	"缴费渠道": "payment", "扣款方式": "payment", "payment": "payment",
	"代扣失败": "debit_failed", "debit_failed": "debit_failed",
}

var required = []string{"name", "id_number", "phone", "insurance", "frequency", "paid_through", "payment"}

var insuranceNames = map[string]string{
	"养老": "pension", "养老保险": "pension", "基本养老保险": "pension", "pension": "pension",
	"医疗": "medical", "医疗保险": "medical", "基本医疗保险": "medical", "medical": "medical",
}

// ParseRegistry reads a registry export (CSV in UTF-8, or XLSX, told apart
// by content) and checks every row. It returns the contributors only when
// no row is bad; otherwise every bad row with its reason.
func ParseRegistry(content []byte, now time.Time) ([]Contributor, []RowError, error) {
	var rows [][]string
	if bytes.HasPrefix(content, []byte("PK\x03\x04")) {
		f, err := excelize.OpenReader(bytes.NewReader(content))
		if err != nil {
			return nil, nil, fmt.Errorf("xlsx: %w", err)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, nil, errors.New("xlsx: no sheet")
		}
		rows, err = f.GetRows(sheets[0])
		if err != nil {
			return nil, nil, fmt.Errorf("xlsx: %w", err)
		}
	} else {
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(content, []byte("\xef\xbb\xbf"))))
		r.FieldsPerRecord = -1
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, []RowError{{Row: len(rows) + 1, Reason: "notify.import.bad_csv"}}, nil
			}
			rows = append(rows, rec)
		}
	}
	if len(rows) == 0 {
		return nil, []RowError{{Row: 1, Reason: "notify.import.empty"}}, nil
	}
	idx := map[string]int{}
	var errs []RowError
	for i, h := range rows[0] {
		h = strings.TrimSpace(h)
		f, ok := columns[h]
		if !ok {
			errs = append(errs, RowError{Row: 1, Field: h, Reason: "notify.import.unknown_column", Value: h})
			continue
		}
		idx[f] = i
	}
	for _, f := range required {
		if _, ok := idx[f]; !ok {
			errs = append(errs, RowError{Row: 1, Field: f, Reason: "notify.import.missing_column"})
		}
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	seen := map[string]int{}
	var out []Contributor
	for n, rec := range rows[1:] {
		row := n + 2
		get := func(f string) string {
			i, ok := idx[f]
			if !ok || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		if strings.Join(rec, "") == "" {
			continue // blank line
		}
		bad := func(field, reason, value string) {
			errs = append(errs, RowError{Row: row, Field: field, Reason: reason, Value: value})
		}
		c := Contributor{Name: get("name")}
		if c.Name == "" || len([]rune(c.Name)) > 30 {
			bad("name", "notify.import.bad_name", "")
		}
		id, err := pii.ParseIDNumberAt(get("id_number"), now)
		if err != nil {
			bad("id_number", "notify.import.bad_id", pii.MaskIDNumber(get("id_number")))
		} else {
			c.IDNumber = id.Plain()
			if first, dup := seen[c.IDNumber]; dup {
				bad("id_number", "notify.import.duplicate_id", fmt.Sprint(first))
			}
			seen[c.IDNumber] = row
		}
		phone, err := pii.NormalizeMobile(get("phone"))
		if err != nil {
			bad("phone", "notify.import.bad_phone", pii.MaskMobile(get("phone")))
		}
		c.Phone = phone
		for _, f := range strings.FieldsFunc(get("insurance"), func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ';' || r == ' ' }) {
			k, ok := insuranceNames[f]
			if !ok {
				bad("insurance", "notify.import.bad_insurance", f)
				continue
			}
			c.Insurance = append(c.Insurance, k)
		}
		if len(c.Insurance) == 0 && get("insurance") == "" {
			bad("insurance", "notify.import.bad_insurance", "")
		}
		switch get("frequency") {
		case "按月", "月缴", "monthly":
			c.Frequency = Monthly
		case "按季", "季缴", "quarterly":
			c.Frequency = Quarterly
		case "按年", "年缴", "yearly":
			c.Frequency = Yearly
		default:
			bad("frequency", "notify.import.bad_frequency", get("frequency"))
		}
		if p, ok := parseMonth(get("paid_through")); ok {
			c.PaidThrough = p
		} else {
			bad("paid_through", "notify.import.bad_month", get("paid_through"))
		}
		switch get("payment") {
		case "银行代扣", "代扣", "debit":
			c.Payment = Debit
		case "自行缴费", "自缴", "self":
			c.Payment = SelfPay
		default:
			bad("payment", "notify.import.bad_payment", get("payment"))
		}
		switch get("debit_failed") {
		case "", "否", "no", "0":
		case "是", "yes", "1":
			c.DebitFailed = true
		default:
			bad("debit_failed", "notify.import.bad_flag", get("debit_failed"))
		}
		out = append(out, c)
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	return out, nil, nil
}

// parseMonth accepts 202603, 2026-03 and 2026/03 and returns 2026-03.
func parseMonth(s string) (string, bool) {
	s = strings.NewReplacer("-", "", "/", "", ".", "", "年", "", "月", "").Replace(s)
	if len(s) != 6 {
		return "", false
	}
	t, err := time.Parse("200601", s)
	if err != nil {
		return "", false
	}
	return t.Format("2006-01"), true
}

// Rule is a hall's reminder rule for self-payers.
type Rule struct {
	// DaysBefore is when the first reminder goes (days before the
	// deadline); SecondDaysBefore the second (0: none).
	DaysBefore       int
	SecondDaysBefore int
	// YearlyDeadline is the month whose end closes the yearly window
	// (default 6, end of June).
	YearlyDeadline time.Month
}

// DefaultRule reminds seven days and then two days before the deadline.
var DefaultRule = Rule{DaysBefore: 7, SecondDaysBefore: 2, YearlyDeadline: time.June}

// Reminder kinds: the first and the second reminder of a period.
const (
	KindRemindFirst  = "remind_first"
	KindRemindSecond = "remind_second"
)

// Due decides what reminder, if any, a contributor gets on day (hall
// time): the period owed, its deadline, the kind, or a skip reason.
func (r Rule) Due(c Contributor, day time.Time) (period string, deadline time.Time, kind, skip string) {
	if r.YearlyDeadline == 0 {
		r.YearlyDeadline = time.June
	}
	y, m := day.Year(), day.Month()
	loc := day.Location()
	switch c.Frequency {
	case Quarterly:
		qEnd := time.Month((int(m)-1)/3*3 + 3)
		period = fmt.Sprintf("%d-%02d", y, int(qEnd)) // the quarter's last month
		deadline = time.Date(y, qEnd+1, 1, 0, 0, 0, 0, loc).Add(-time.Nanosecond)
	case Yearly:
		period = fmt.Sprintf("%d-12", y)
		deadline = time.Date(y, r.YearlyDeadline+1, 1, 0, 0, 0, 0, loc).Add(-time.Nanosecond)
	default:
		period = fmt.Sprintf("%d-%02d", y, int(m))
		deadline = time.Date(y, m+1, 1, 0, 0, 0, 0, loc).Add(-time.Nanosecond)
	}
	if c.PaidThrough >= period {
		return period, deadline, "", "paid"
	}
	if c.Payment == Debit && !c.DebitFailed {
		return period, deadline, "", "bank_debit"
	}
	if day.After(deadline) {
		return period, deadline, "", "past_deadline"
	}
	left := int(deadline.Sub(day).Hours() / 24)
	switch {
	case r.SecondDaysBefore > 0 && left < r.SecondDaysBefore:
		return period, deadline, KindRemindSecond, ""
	case left < r.DaysBefore:
		return period, deadline, KindRemindFirst, ""
	}
	return period, deadline, "", "not_due"
}
