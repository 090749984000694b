package catalog

// Item is one service item (服务事项) together with the content of its guide
// (办事指南, 明白纸): everything a citizen needs to know before coming, and
// everything the window staff are bound to. All text is Simplified Chinese
// unless the field says otherwise.
type Item struct {
	// Code is the stable, unique item code assigned by the catalogue office,
	// "RS-<zone letter>-<NNN>", e.g. RS-B-012.
	Code string `json:"code"`
	// Name is the official item name (事项名称).
	Name string `json:"name"`
	// NameEn is the English name, for the English locale.
	NameEn string `json:"name_en"`
	// Aliases are the short forms citizens use that are not substrings of
	// the official name, e.g. 社保卡 for 社会保障卡, 退休 for 基本养老金申领.
	Aliases []string `json:"aliases"`
	// Zone is the code of the hall zone that handles the item, e.g.
	// social_insurance.
	Zone string `json:"zone"`
	// Department is the implementing body (实施主体).
	Department string `json:"department"`
	// Category is the kind of power or service (事项类型).
	Category Category `json:"category"`
	// Handling says whether the item is done on the spot or within a
	// pledged limit (办件类型).
	Handling Handling `json:"handling"`
	// Summary is a short description of the item (事项简述).
	Summary string `json:"summary"`
	// LegalBasis lists the laws and regulations the item rests on (设定依据).
	LegalBasis []LegalBasis `json:"legal_basis"`
	// TargetGroup says who may apply (服务对象).
	TargetGroup string `json:"target_group"`
	// Conditions are the conditions for applying (受理条件), one per entry.
	Conditions []string `json:"conditions"`
	// Materials are the required materials (申请材料). Staff may not ask for
	// anything not listed here.
	Materials []Material `json:"materials"`
	// DeferredAcceptance reports that the item allows 容缺受理: the window
	// may accept an application although required materials are missing,
	// on the applicant's promise to hand them in by a date. Only pledged
	// items may allow it (an instant item is finished on the spot), and the
	// clerk still chooses it case by case; the default is the one-time
	// notice (补正) without accepting.
	DeferredAcceptance bool `json:"deferred_acceptance"`
	// Steps is the procedure (办理流程), in order.
	Steps []Step `json:"steps"`
	// StatutoryLimit is the time limit set by law (法定时限); nil when no law
	// or regulation sets one.
	StatutoryLimit *Limit `json:"statutory_limit"`
	// PledgedLimit is the limit the hall promises (承诺时限); its value is 0
	// for instant items (当场办结).
	PledgedLimit Limit `json:"pledged_limit"`
	// Extension is the extension the law allows on top of the statutory
	// limit (e.g. arbitration: up to 15 more days); nil when there is none.
	Extension *Limit `json:"extension"`
	// Fee says whether the item costs anything (收费标准及依据).
	Fee Fee `json:"fee"`
	// Location is where in the hall the item is handled, as text (办理地点).
	// Windows are assigned by the hall, not by the guide.
	Location string `json:"location"`
	// Hours are the opening hours for the item, as text (办理时间).
	Hours string `json:"hours"`
	// VisitsOnSite is the most trips to the hall an applicant needs
	// (到办事现场次数); 0 means the item can be done entirely online.
	VisitsOnSite int `json:"visits_on_site"`
	// Online says whether and how the item can be applied for online.
	Online Online `json:"online"`
	// Appointment reports whether an appointment can be booked (是否支持预约).
	Appointment bool `json:"appointment"`
	// ConsultPhones are the numbers for questions (咨询电话).
	ConsultPhones []string `json:"consult_phones"`
	// ComplaintPhones are the numbers for complaints and supervision
	// (监督投诉电话).
	ComplaintPhones []string `json:"complaint_phones"`
	// Delivery lists how the result reaches the applicant (结果送达方式).
	Delivery []Delivery `json:"delivery"`
	// FAQ holds common questions and answers (常见问题).
	FAQ []FAQ `json:"faq"`
	// EffectiveDate is the date this guide content takes effect, YYYY-MM-DD.
	EffectiveDate string `json:"effective_date"`
}

// LegalBasis is one law or regulation an item rests on.
type LegalBasis struct {
	// Title is the name of the law or regulation, with book-title marks,
	// e.g. 《中华人民共和国社会保险法》.
	Title string `json:"title"`
	// Article names the article(s), e.g. 第五十八条.
	Article string `json:"article"`
}

// Material is one required material (申请材料), as printed on the guide,
// e.g. 居民身份证 — original, 1, required.
type Material struct {
	// Name is the material's name, e.g. 居民身份证.
	Name string `json:"name"`
	// Form says whether the original, a copy, both or an electronic version
	// is needed.
	Form MaterialForm `json:"form"`
	// Count is the number of pieces (份数), at least 1.
	Count int `json:"count"`
	// Requirement says whether the material is required, optional or may be
	// handed in later (容缺).
	Requirement Requirement `json:"requirement"`
	// Note adds conditions, e.g. 委托他人办理的提供.
	Note string `json:"note"`
}

// Step is one step of the procedure.
type Step struct {
	// Title is the short name of the step, e.g. 受理.
	Title string `json:"title"`
	// Detail says what happens in the step.
	Detail string `json:"detail"`
	// CountsTowardLimit reports whether the step's time counts toward the
	// pledged and statutory limits; special procedures such as public notice
	// periods, expert appraisal or another region's part do not.
	CountsTowardLimit bool `json:"counts_toward_limit"`
}

// Fee says whether an item costs anything. Most items are free.
type Fee struct {
	// Free reports that the item never costs anything; then AmountYuan is 0
	// and ChargedWhen is empty.
	Free bool `json:"free"`
	// AmountYuan is the amount charged, in yuan with at most two decimals.
	AmountYuan Yuan `json:"amount_yuan"`
	// ChargedWhen, when not empty, says the only case in which the fee is
	// charged (e.g. 因遗失补卡); in every other case the item is free.
	ChargedWhen string `json:"charged_when"`
	// Basis names the rule that sets the fee (收费依据).
	Basis string `json:"basis"`
}

// Online says whether and how an item can be applied for online.
type Online struct {
	// Available reports whether online application is possible.
	Available bool `json:"available"`
	// How names the channels, e.g. 爱山东APP、山东省人社网上服务大厅.
	How string `json:"how"`
}

// FAQ is one common question and its answer.
type FAQ struct {
	// Q is the question.
	Q string `json:"q"`
	// A is the answer.
	A string `json:"a"`
}
