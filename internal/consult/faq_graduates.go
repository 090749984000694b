package consult

import "mingbai/internal/workday"

// GraduateFAQ is the starting knowledge base for this year's graduates.
// The answers state national rules only; local amounts and offices are for
// each bureau to add. Citations that the bureau must check before going
// live are listed in docs/consult.md ("Sources to check"): their review
// date is set early so that the editor sees them first.
func GraduateFAQ() []Entry {
	d := workday.MustParse
	kw := ParseKeywords
	return []Entry{
		{
			Code:     "FAQ_REGISTRATION",
			Question: "还有就业报到证吗？毕业去向登记怎么办？",
			Answer: "从2023届毕业生起，国家不再发放《全国普通高等学校本专科毕业生就业报到证》和《全国毕业研究生就业报到证》，" +
				"也取消了报到证的补办和改派手续；报到证不再是招聘录用、落户、档案接收转递的必需材料。" +
				"现在实行毕业去向登记：毕业生在学校组织下，通过全国高校毕业生毕业去向登记系统如实登记毕业去向，学校核实后报送。" +
				"单位录用、落户和档案转递凭毕业证书、录用材料和学校转递的档案办理，不需要报到证。",
			Source:    "教育部《关于做好2023届全国普通高校毕业生就业创业工作的通知》（教学〔2022〕5号）",
			Effective: d("2023-01-01"), Review: d("2027-06-30"),
			Keywords: kw("报到证\n就业报到证\n派遣证\n改派\n毕业去向登记\n去向登记\n=报到"),
		},
		{
			// The rule before 2023, kept retired so that the record shows
			// what graduates were once told and so that no keyword can
			// bring it back.
			Code:      "FAQ_REGISTRATION_OLD",
			Question:  "就业报到证如何办理、改派？（2022届及以前）",
			Answer:    "（已废止）毕业生持就业报到证到用人单位或档案接收机构报到；改派需经学校和省级毕业生就业主管部门办理。",
			Source:    "原就业报到证制度（2023年起不再实行）",
			Effective: d("2013-01-01"), Review: d("2023-01-01"),
			Keywords: kw("报到证办理\n报到证改派\n报到证补办"),
			Retired:  true,
		},
		{
			Code:     "FAQ_ARCHIVE",
			Question: "毕业后我的档案转到哪里？怎么查？",
			Answer: "学校按照你登记的毕业去向转递档案：到有人事档案管理权限的单位就业的，转至单位；" +
				"其他情况转至户籍地或就业地的公共就业和人才服务机构存档（流动人员人事档案，存档免费）。" +
				"档案一般通过机要通信或专人送取转递，不能由本人自带。可凭身份证向学校或存档机构查询档案去向；" +
				"到本局存档的，请在工作日到就业和人才服务区咨询。",
			Source:    "中共中央组织部、人力资源社会保障部等《流动人员人事档案管理服务规定》（2021年）",
			Effective: d("2021-12-01"), Review: d("2027-06-30"),
			Keywords: kw("档案\n档案转递\n档案去向\n人事档案\n存档\n=档案在哪"),
		},
		{
			Code:     "FAQ_EMPLOYMENT_REG",
			Question: "如何办理就业登记和失业登记？",
			Answer: "就业登记：到单位就业的，由用人单位在录用之日起30日内为你办理；灵活就业的，可本人到公共就业服务机构或线上办理。" +
				"失业登记：离校后未就业、有就业愿望的毕业生，可在户籍地或常住地的公共就业服务机构办理（携带居民身份证），" +
				"登记后可享受职业指导、职业介绍、就业见习和培训等服务。",
			Source:    "《就业服务与就业管理规定》（原劳动和社会保障部令第28号）",
			Effective: d("2008-01-01"), Review: d("2027-06-30"),
			Keywords: kw("就业登记\n失业登记\n失业证\n就业失业登记证\n登记失业"),
		},
		{
			Code:     "FAQ_FLEX_INSURANCE",
			Question: "灵活就业缴纳社保有补贴吗？",
			Answer: "离校2年内未就业的高校毕业生，灵活就业后缴纳社会保险费的，可申请灵活就业社会保险补贴。" +
				"补贴原则上不超过实际缴费的2/3，最长不超过2年；具体标准和申请材料以本地人社部门公布为准。" +
				"申请时一般需提供身份证、毕业证书和灵活就业登记、社保缴费记录。",
			Source:    "财政部、人力资源社会保障部《就业补助资金管理办法》（财社〔2017〕164号）",
			Effective: d("2017-10-13"), Review: d("2027-06-30"),
			Keywords: kw("灵活就业\n社保补贴\n社会保险补贴\n灵活就业补贴\n自由职业社保"),
		},
		{
			Code:     "FAQ_JOB_SEEKING_SUBSIDY",
			Question: "一次性求职创业补贴谁能申请？",
			Answer: "毕业年度内有就业创业意愿并积极求职创业的高校毕业生中，城乡低保家庭、零就业家庭、脱贫家庭、残疾、特困人员" +
				"以及获得国家助学贷款的毕业生，可申请一次性求职创业补贴。通常由学校组织申请和初审，人社部门审核后发放到本人账户；" +
				"补贴标准由各省确定。请关注学校就业部门的申报通知。",
			Source:    "财政部、人力资源社会保障部《就业补助资金管理办法》（财社〔2017〕164号）",
			Effective: d("2017-10-13"), Review: d("2027-06-30"),
			Keywords: kw("求职创业补贴\n一次性求职\n求职补贴\n创业补贴"),
		},
		{
			Code:     "FAQ_INTERNSHIP",
			Question: "就业见习怎么参加？有补贴吗？",
			Answer: "离校2年内未就业的高校毕业生和16—24岁失业青年可参加就业见习，见习期一般3至12个月。" +
				"见习期间由见习单位发放基本生活费、办理人身意外伤害保险，政府对见习单位给予就业见习补贴。" +
				"见习岗位可在本局就业和人才服务区或公共就业服务网站查询报名。",
			Source:    "财政部、人力资源社会保障部《就业补助资金管理办法》（财社〔2017〕164号）",
			Effective: d("2017-10-13"), Review: d("2027-06-30"),
			Keywords: kw("就业见习\n见习\n见习补贴\n见习岗位"),
		},
		{
			Code:     "FAQ_SANZHI_YIFU",
			Question: "“三支一扶”计划怎么报名？",
			Answer: "“三支一扶”是选派高校毕业生到基层从事支教、支农、支医和帮扶乡村振兴工作的计划，服务期一般为2年，" +
				"服务期间给予工作生活补贴并缴纳社会保险。招募一般每年春夏由省级“三支一扶”工作协调管理办公室发布公告，" +
				"按公告报名、考试（考核）和体检。服务期满考核合格的，可按规定享受考录、升学等优惠政策。",
			Source:    "中共中央组织部、人力资源社会保障部等部门《关于实施第四轮高校毕业生“三支一扶”计划的通知》（2021年）",
			Effective: d("2021-05-01"), Review: d("2026-06-30"),
			Keywords: kw("三支一扶\n支教\n支农\n支医\n基层服务项目"),
		},
	}
}

// GraduateCanned are starting canned replies for consultation staff; the
// digit is the console shortcut.
func GraduateCanned() []Canned {
	return []Canned{
		{Key: "1", Title: "问候", Body: "您好，我是就业服务中心的咨询员，很高兴为您服务。请问有什么可以帮您？"},
		{Key: "2", Title: "请提供学校和届别", Body: "为便于准确答复，请告知您的毕业院校、学历层次和毕业年份。"},
		{Key: "3", Title: "现场办理", Body: "该事项需要现场办理，请携带居民身份证和毕业证书，于工作日到本局服务大厅就业和人才服务区办理。"},
		{Key: "4", Title: "已转同事", Body: "您的问题已转给负责该业务的同事，我们会尽快答复您。"},
		{Key: "5", Title: "结束语", Body: "感谢您的咨询，如还有问题欢迎随时留言。祝您求职顺利！"},
	}
}

// Canned is a canned reply with its console shortcut (a digit).
type Canned struct {
	ID    int64  `json:"id"`
	Key   string `json:"key"`
	Title string `json:"title"`
	Body  string `json:"body"`
}
