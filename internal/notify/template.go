package notify

import (
	"sort"
	"strings"

	"mingbai/internal/apperr"
)

// Signature is the approved SMS signature of the hall's messages; it is
// part of every message and counts toward its length.
const Signature = "【人社服务大厅】"

// Param is a named template parameter with its longest accepted value.
type Param struct {
	Name string
	Max  int // characters
	// Optional parameters may be empty (never missing).
	Optional bool
}

// Template is fixed message text with named parameters ({name}); only the
// parameters vary. Templates carry no marketing wording.
type Template struct {
	Kind   string
	Text   string
	Params []Param
	// Prefix replaces the SMS signature for messages to staff.
	Prefix string
}

// Templates are the message kinds the hall sends, each with its approved
// text. Areas enqueue a kind with parameters; the text lives only here.
var Templates = map[string]Template{
	"sms_code": {Kind: "sms_code", Text: "您的取号验证码为 {code}，{minutes} 分钟内有效。",
		Params: []Param{{Name: "code", Max: 8}, {Name: "minutes", Max: 3}}},
	"turn_near": {Kind: "turn_near", Text: "您的 {ticket} 号即将叫到，请回到大厅等候。",
		Params: []Param{{Name: "ticket", Max: 10}}},
	"appointment": {Kind: "appointment", Text: "您已预约 {day} {slot} 办理 {item}，预约码 {code}。请在预约时间前 30 分钟至后 15 分钟内到大厅签到。",
		Params: []Param{{Name: "day", Max: 12}, {Name: "slot", Max: 12}, {Name: "item", Max: 40}, {Name: "code", Max: 10}}},
	"appointment_remind": {Kind: "appointment_remind", Text: "提醒：您预约了 {day} {slot} 办理 {item}，预约码 {code}。",
		Params: []Param{{Name: "day", Max: 12}, {Name: "slot", Max: 12}, {Name: "item", Max: 40}, {Name: "code", Max: 10}}},
	"case_accepted": {Kind: "case_accepted", Text: "您的{item}已受理，受理编号{number}，办理进度可查：{link}",
		Params: []Param{{Name: "item", Max: 40}, {Name: "number", Max: 24}, {Name: "link", Max: 120}}},
	"case_notice": {Kind: "case_notice", Text: "您办理的{item}（{number}）需补正材料：{missing}。依据办事指南{guide}第{version}版，一次性告知。材料送达次日起继续计算办理时限。",
		Params: []Param{{Name: "item", Max: 40}, {Name: "number", Max: 24}, {Name: "missing", Max: 200}, {Name: "guide", Max: 20}, {Name: "version", Max: 4}}},
	"case_done": {Kind: "case_done", Text: "您办理的{item}（{number}）已办结。{how}",
		Params: []Param{{Name: "item", Max: 40}, {Name: "number", Max: 24}, {Name: "how", Max: 30, Optional: true}}},
	"rating_invite": {Kind: "rating_invite", Text: "您办理的{item}（{number}）已办结，请为我们的服务评价：{link}",
		Params: []Param{{Name: "item", Max: 40}, {Name: "number", Max: 24}, {Name: "link", Max: 160}}},
	"consult_reply": {Kind: "consult_reply", Text: "就业咨询答复：{text}",
		Params: []Param{{Name: "text", Max: 400}}},
	"case_remind": {Kind: "case_remind", Prefix: "【办件时限提醒】", Text: "以下办件临近或超过时限：{cases}",
		Params: []Param{{Name: "cases", Max: 900}}},
	"complaint_reply": {Kind: "complaint_reply", Text: "您反映的问题（编号{number}）处理结果：{text}",
		Params: []Param{{Name: "number", Max: 20}, {Name: "text", Max: 300}}},
	"duty_alert": {Kind: "duty_alert", Text: "值班提醒：{text}",
		Params: []Param{{Name: "text", Max: 200}}},
	KindRemindFirst: {Kind: KindRemindFirst, Text: "{name}您好，您的{insurance}已缴至{paid_through}，本期应于{deadline}前缴纳，逾期将中断缴费记录。",
		Params: []Param{{Name: "name", Max: 6}, {Name: "insurance", Max: 12}, {Name: "paid_through", Max: 8}, {Name: "deadline", Max: 12}}},
	KindRemindSecond: {Kind: KindRemindSecond, Text: "{name}您好，再次提醒：您的{insurance}本期缴费将于{deadline}截止，尚未缴纳。",
		Params: []Param{{Name: "name", Max: 6}, {Name: "insurance", Max: 12}, {Name: "deadline", Max: 12}}},
}

// TemplateKinds returns the kinds in a stable order.
func TemplateKinds() []string {
	out := make([]string, 0, len(Templates))
	for k := range Templates {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Render fills the template of kind with params and prefixes the
// signature. A missing, unknown or over-long parameter, or a result over
// the message limit, is refused with a message naming the field.
func Render(kind string, params map[string]string) (string, error) {
	t, ok := Templates[kind]
	if !ok {
		return "", apperr.InvalidField("kind", "err.bad_value", "kind", kind)
	}
	known := map[string]bool{}
	text := t.Text
	for _, p := range t.Params {
		known[p.Name] = true
		v, ok := params[p.Name]
		if !ok || strings.TrimSpace(v) == "" && !p.Optional {
			return "", apperr.InvalidField(p.Name, "err.required", p.Name)
		}
		if len([]rune(v)) > p.Max {
			return "", apperr.InvalidField(p.Name, "err.too_long", p.Name, p.Max)
		}
		if strings.ContainsAny(v, "{}【】") {
			return "", apperr.InvalidField(p.Name, "err.bad_value", p.Name, v)
		}
		text = strings.ReplaceAll(text, "{"+p.Name+"}", v)
	}
	for k := range params {
		if !known[k] {
			return "", apperr.InvalidField(k, "err.bad_value", "param", k)
		}
	}
	if t.Prefix != "" {
		text = t.Prefix + text
	} else {
		text = Signature + text
	}
	if t.Prefix == "" && Units(text) > MaxUnits {
		return "", apperr.InvalidField("body", "err.too_long", "body", MaxUnits)
	}
	return text, nil
}
