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
}

// Template is fixed message text with named parameters ({name}); only the
// parameters vary. Templates carry no marketing wording.
type Template struct {
	Kind   string
	Text   string
	Params []Param
}

// Templates are the message kinds the hall sends, each with its approved
// text. Areas enqueue a kind with parameters; the text lives only here.
var Templates = map[string]Template{
	"sms_code": {Kind: "sms_code", Text: "验证码{code}，{minutes}分钟内有效，请勿告诉他人。",
		Params: []Param{{"code", 8}, {"minutes", 3}}},
	"turn_near": {Kind: "turn_near", Text: "您的号码{ticket}即将叫号（前面还有{ahead}人），请到{zone}等候。",
		Params: []Param{{"ticket", 10}, {"ahead", 4}, {"zone", 20}}},
	"appointment": {Kind: "appointment", Text: "您已预约{day} {slot}办理{item}，预约码{code}，请准时到厅取号。",
		Params: []Param{{"day", 12}, {"slot", 12}, {"item", 30}, {"code", 10}}},
	"appointment_remind": {Kind: "appointment_remind", Text: "提醒：您预约了明天{day} {slot}办理{item}，预约码{code}。",
		Params: []Param{{"day", 12}, {"slot", 12}, {"item", 30}, {"code", 10}}},
	"case_accepted": {Kind: "case_accepted", Text: "您的{item}已受理，受理编号{number}，办理进度可查：{link}",
		Params: []Param{{"item", 30}, {"number", 24}, {"link", 60}}},
	"case_correction": {Kind: "case_correction", Text: "您的{item}（编号{number}）需补正：{missing}。请于{due}前补齐。",
		Params: []Param{{"item", 30}, {"number", 24}, {"missing", 60}, {"due", 12}}},
	"case_done": {Kind: "case_done", Text: "您的{item}（编号{number}）已办结，{how}。",
		Params: []Param{{"item", 30}, {"number", 24}, {"how", 30}}},
	"rating_invite": {Kind: "rating_invite", Text: "感谢您办理{item}，欢迎对本次服务评价：{link}",
		Params: []Param{{"item", 30}, {"link", 60}}},
	KindRemindFirst: {Kind: KindRemindFirst, Text: "{name}您好，您的{insurance}已缴至{paid_through}，本期应于{deadline}前缴纳，逾期将中断缴费记录。",
		Params: []Param{{"name", 6}, {"insurance", 12}, {"paid_through", 8}, {"deadline", 12}}},
	KindRemindSecond: {Kind: KindRemindSecond, Text: "{name}您好，再次提醒：您的{insurance}本期缴费将于{deadline}截止，尚未缴纳。",
		Params: []Param{{"name", 6}, {"insurance", 12}, {"deadline", 12}}},
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
		if !ok || strings.TrimSpace(v) == "" {
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
	text = Signature + text
	if Units(text) > MaxUnits {
		return "", apperr.InvalidField("body", "err.too_long", "body", MaxUnits)
	}
	return text, nil
}
