package catalog

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a catalogue file or an item.
type Problem struct {
	// Item is the code of the item concerned; empty when the item has no
	// usable code or the problem concerns the file as a whole.
	Item string `json:"item,omitempty"`
	// Index is the item's 0-based position in the list, or -1 when the
	// problem concerns the file as a whole.
	Index int `json:"index"`
	// Field is the path of the field within the item (or the file), e.g.
	// materials[2].requirement; empty for the item as a whole.
	Field string `json:"field"`
	// Key is the message key, e.g. catalog.required, for the i18n catalogue.
	Key string `json:"key"`
	// Args are the values the message refers to, by name.
	Args map[string]string `json:"args,omitempty"`
	// En is the message in English.
	En string `json:"en"`
	// Zh is the message in Simplified Chinese.
	Zh string `json:"zh"`
}

// Where names the place of the problem: "RS-B-012 materials[2].requirement",
// "items[3] name" when the item has no code, or the field alone for the file.
func (p Problem) Where() string {
	var b strings.Builder
	switch {
	case p.Item != "":
		b.WriteString(p.Item)
	case p.Index >= 0:
		b.WriteString("items[" + strconv.Itoa(p.Index) + "]")
	}
	if p.Field != "" {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p.Field)
	}
	return b.String()
}

// String formats the problem in English with its place.
func (p Problem) String() string {
	if w := p.Where(); w != "" {
		return w + ": " + p.En
	}
	return p.En
}

// Problems is every problem found in a catalogue; as an error it lists them
// all. A nil or empty Problems means no problems; use Err to turn it into an
// error value that is nil in that case.
type Problems []Problem

// Error lists all problems, one per line, in English.
func (ps Problems) Error() string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(ps)))
	if len(ps) == 1 {
		b.WriteString(" catalogue problem:")
	} else {
		b.WriteString(" catalogue problems:")
	}
	for _, p := range ps {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Err returns ps as an error, or nil when there are no problems.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}

// ForItem returns the problems of the item with the given code.
func (ps Problems) ForItem(code string) Problems {
	var out Problems
	for _, p := range ps {
		if p.Item == code {
			out = append(out, p)
		}
	}
	return out
}

// sortByIndex orders problems by item (file-level first), keeping the order
// within an item.
func (ps Problems) sortByIndex() {
	slices.SortStableFunc(ps, func(a, b Problem) int { return cmp.Compare(a.Index, b.Index) })
}

// Message keys of problems.
const (
	KeyRequired           = "catalog.required"
	KeyTooLong            = "catalog.too_long"
	KeyTooMany            = "catalog.too_many"
	KeyTooFew             = "catalog.too_few"
	KeyBadText            = "catalog.bad_text"
	KeyBadCode            = "catalog.bad_code"
	KeyDuplicateCode      = "catalog.duplicate_code"
	KeyDuplicateValue     = "catalog.duplicate_value"
	KeyUnknownZone        = "catalog.unknown_zone"
	KeyBadEnum            = "catalog.bad_enum"
	KeyBadUnit            = "catalog.bad_unit"
	KeyNegative           = "catalog.negative"
	KeyOutOfRange         = "catalog.out_of_range"
	KeyBadDate            = "catalog.bad_date"
	KeyBadPhone           = "catalog.bad_phone"
	KeyPledgedExceeds     = "catalog.pledged_exceeds_statutory"
	KeyInstantNotZero     = "catalog.instant_not_zero"
	KeyPledgedZero        = "catalog.pledged_zero"
	KeyExtensionAlone     = "catalog.extension_without_statutory"
	KeyFeeWhenFree        = "catalog.fee_when_free"
	KeyFeeAmountMissing   = "catalog.fee_amount_missing"
	KeyFeeBasisMissing    = "catalog.fee_basis_missing"
	KeyOnlineHowMissing   = "catalog.online_how_missing"
	KeyOnlineHowOffline   = "catalog.online_how_when_offline"
	KeyNoVisitsOffline    = "catalog.no_visits_offline"
	KeyAliasIsName        = "catalog.alias_is_name"
	KeyDeferredInstant    = "catalog.deferred_instant"
	KeyDeferredNoMaterial = "catalog.deferred_no_material"
	KeyBadJSON            = "catalog.bad_json"
	KeyBadFormat          = "catalog.bad_format"
	KeyUnknownField       = "catalog.unknown_field"
	KeyDuplicateKey       = "catalog.duplicate_key"
	KeyBadType            = "catalog.bad_type"
	KeyTrailingData       = "catalog.trailing_data"
	KeyTooManyItems       = "catalog.too_many_items"
	KeyInvalidValue       = "catalog.invalid_value"
)

// messages holds the English and Chinese templates of each key; {name} is
// replaced by the argument of that name.
var messages = map[string]label{
	KeyRequired:           {"必填", "is required"},
	KeyTooLong:            {"超过{max}个字符", "is longer than {max} characters"},
	KeyTooMany:            {"不能超过{max}项", "has more than {max} entries"},
	KeyTooFew:             {"至少需要{min}项", "needs at least {min} entries"},
	KeyBadText:            {"不能以空白开头或结尾，也不能含控制字符", "must not start or end with spaces or contain control characters"},
	KeyBadCode:            {"事项编码“{value}”格式错误，应为 RS-大写字母-三位数字，如 RS-B-012", "code {value} does not have the form RS-<zone letter>-<NNN>, e.g. RS-B-012"},
	KeyDuplicateCode:      {"事项编码“{value}”重复，第{first}项已使用", "duplicate code {value}, already used by items[{first}]"},
	KeyDuplicateValue:     {"“{value}”重复", "duplicate entry {value}"},
	KeyUnknownZone:        {"未知功能区“{value}”（可选：{allowed}）", "unknown zone {value} (known: {allowed})"},
	KeyBadEnum:            {"取值“{value}”无效（可选：{allowed}）", "invalid value {value} (allowed: {allowed})"},
	KeyBadUnit:            {"时限单位“{value}”无效（可选：working_days 工作日, calendar_days 自然日）", "invalid time unit {value} (allowed: working_days, calendar_days)"},
	KeyNegative:           {"不能为负数", "must not be negative"},
	KeyOutOfRange:         {"应在{min}到{max}之间", "must be between {min} and {max}"},
	KeyBadDate:            {"“{value}”不是有效日期（YYYY-MM-DD，2000—2099年）", "{value} is not a valid date YYYY-MM-DD between 2000 and 2099"},
	KeyBadPhone:           {"“{value}”不是有效电话号码（如 12333、0531-87212300）", "{value} is not a phone number such as 12333 or 0531-87212300"},
	KeyPledgedExceeds:     {"承诺时限{pledged}超过法定时限{statutory}", "pledged limit {pledged_en} exceeds the statutory limit {statutory_en}"},
	KeyInstantNotZero:     {"即办件的承诺时限应为0（当场办结）", "an instant item must have a pledged limit of 0 (on the spot)"},
	KeyPledgedZero:        {"承诺件的承诺时限应大于0", "a pledged item needs a pledged limit above 0"},
	KeyExtensionAlone:     {"有延长期限时须填写法定时限", "an extension needs a statutory limit"},
	KeyFeeWhenFree:        {"不收费事项不能填写收费金额或收费情形", "a free item must not state an amount or a charging case"},
	KeyFeeAmountMissing:   {"收费事项须填写大于0的收费金额", "a charged item needs an amount above 0"},
	KeyFeeBasisMissing:    {"收费事项须填写收费依据", "a charged item needs the basis of its fee"},
	KeyOnlineHowMissing:   {"支持网上办理时须写明办理渠道", "online handling needs the channel named"},
	KeyOnlineHowOffline:   {"不支持网上办理时不应填写办理渠道", "an online channel is named but online handling is off"},
	KeyNoVisitsOffline:    {"到现场次数为0的事项必须支持网上办理", "zero visits on site requires online handling"},
	KeyAliasIsName:        {"别名与事项名称相同", "alias repeats the item name"},
	KeyDeferredInstant:    {"即办件当场办结，不能容缺受理", "an instant item is done on the spot and cannot allow acceptance with missing materials"},
	KeyDeferredNoMaterial: {"没有必要材料的事项无需容缺受理", "acceptance with missing materials needs at least one required material"},
	KeyBadJSON:            {"JSON格式错误：{detail}", "malformed JSON: {detail}"},
	KeyBadFormat:          {"文件格式应为“{want}”，实际为“{value}”", "format must be {want}, got {value}"},
	KeyUnknownField:       {"未知字段“{value}”", "unknown field {value}"},
	KeyDuplicateKey:       {"字段“{value}”重复出现", "field {value} appears more than once"},
	KeyBadType:            {"类型错误，应为{want_zh}", "wrong type, want {want}"},
	KeyTrailingData:       {"JSON文档结束后还有多余内容", "unexpected data after the JSON document"},
	KeyTooManyItems:       {"事项数超过{max}", "more than {max} items"},
	KeyInvalidValue:       {"取值无效：{detail}", "invalid value: {detail}"},
}

// newProblem renders a problem from its key and arguments given as
// name, value pairs.
func newProblem(index int, item, field, key string, kv ...string) Problem {
	p := Problem{Item: item, Index: index, Field: field, Key: key}
	var pairs []string
	if len(kv) > 0 {
		p.Args = make(map[string]string, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			p.Args[kv[i]] = kv[i+1]
			pairs = append(pairs, "{"+kv[i]+"}", kv[i+1])
		}
	}
	m := messages[key]
	r := strings.NewReplacer(pairs...)
	p.Zh, p.En = r.Replace(m.zh), r.Replace(m.en)
	return p
}

// TypeProblem reports a value of the wrong kind for a field of the item
// with the given code, e.g. a count that is not an integer typed into a
// form. kind is integer, boolean or "amount in yuan".
func TypeProblem(code, field, kind string) Problem {
	return newProblem(0, code, field, KeyBadType, wantArgs(kind)...)
}
