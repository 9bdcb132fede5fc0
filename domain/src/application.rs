//! The application form (申报材料) as data: its steps, the fields of each step per
//! category, and the rules each field's value must meet.
//!
//! The wizard renders from these specs, the browser checks with them as the user types,
//! and the server checks again with the very same functions before anything moves on.
//! A draft is stored as `step code → field name → text`, exactly as the form posted it,
//! so a half-finished or wrong value is kept (nothing typed is ever lost) and only
//! flagged.

use crate::account::Mobile;
use crate::scoring::{ItemKind, ItemScore};
use crate::uscc::{CreditCode, CreditCodeError};
use crate::Category;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A bilingual text: (中文, English).
pub type Text = (&'static str, &'static str);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Step {
    /// 基本信息
    Identity,
    /// 类别情况
    Facts,
    /// 承诺书
    Pledge,
    /// 无违法声明
    Declaration,
    /// 证明材料
    Evidence,
    /// 自评
    SelfAssessment,
    /// 确认提交
    Review,
}

impl Step {
    pub const ALL: [Step; 7] = [
        Step::Identity,
        Step::Facts,
        Step::Pledge,
        Step::Declaration,
        Step::Evidence,
        Step::SelfAssessment,
        Step::Review,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Step::Identity => "identity",
            Step::Facts => "facts",
            Step::Pledge => "pledge",
            Step::Declaration => "declaration",
            Step::Evidence => "evidence",
            Step::SelfAssessment => "self-assessment",
            Step::Review => "review",
        }
    }

    pub fn parse(code: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn title(self) -> Text {
        match self {
            Step::Identity => ("基本信息", "Identity"),
            Step::Facts => ("类别情况", "Category facts"),
            Step::Pledge => ("承诺书", "Pledge"),
            Step::Declaration => ("无违法声明", "Declaration"),
            Step::Evidence => ("证明材料", "Evidence"),
            Step::SelfAssessment => ("自评", "Self-assessment"),
            Step::Review => ("确认提交", "Review and submit"),
        }
    }

    /// 1-based position, for "step 2 of 7".
    pub fn number(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }

    pub fn next(self) -> Option<Step> {
        Step::ALL.get(self.number()).copied()
    }

    pub fn previous(self) -> Option<Step> {
        self.number().checked_sub(2).map(|i| Step::ALL[i])
    }

    /// Steps whose fields are plain form fields (the others have their own forms).
    pub fn has_fields(self) -> bool {
        !matches!(self, Step::Evidence | Step::Review)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    Text {
        max_chars: usize,
    },
    CreditCode,
    Mobile,
    /// A whole number from 0 to `max`, with a unit shown beside it.
    Count {
        max: u32,
        unit: Text,
    },
    /// One of the given (code, label) choices, shown as radio buttons.
    Choice(&'static [(&'static str, Text)]),
    /// 是 / 否.
    YesNo,
    /// A township of the county (the options come from the area tree).
    Township,
    /// A box that must be ticked: a pledge or a declaration.
    Affirm,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub label: Text,
    pub hint: Option<Text>,
    pub kind: FieldKind,
    pub required: bool,
}

const fn field(name: &'static str, label: Text, kind: FieldKind) -> FieldSpec {
    FieldSpec {
        name,
        label,
        hint: None,
        kind,
        required: true,
    }
}

const fn optional(name: &'static str, label: Text, kind: FieldKind) -> FieldSpec {
    FieldSpec {
        name,
        label,
        hint: None,
        kind,
        required: false,
    }
}

const fn hinted(spec: FieldSpec, hint: Text) -> FieldSpec {
    FieldSpec {
        hint: Some(hint),
        ..spec
    }
}

const NAME: FieldKind = FieldKind::Text { max_chars: 60 };
const LONG: FieldKind = FieldKind::Text { max_chars: 120 };
const PERSON: FieldKind = FieldKind::Text { max_chars: 30 };
const SQUARE_METRES: Text = ("平方米", "m²");
const PEOPLE: Text = ("人", "people");
const HOUSEHOLDS: Text = ("户", "businesses");
const MEMBERS: Text = ("家", "members");
const YUAN: Text = ("万元", "×10k yuan");
const POINTS: Text = ("个", "points");

/// A merchant's industry is one of the industries complaints are classed by: one list
/// for the application, the directory, the complaint form and the dashboards, so a
/// complaint filed from a unit's page takes the unit's industry as it is.
static UNIT_INDUSTRIES: std::sync::LazyLock<Vec<(&'static str, Text)>> =
    std::sync::LazyLock::new(|| {
        crate::complaint::Industry::ALL
            .iter()
            .map(|i| (i.code(), i.name()))
            .collect()
    });

const STREET_INDUSTRIES: &[(&str, Text)] = &[
    ("pedestrian", ("商业步行街", "Pedestrian shopping street")),
    ("specialty", ("特色街区", "Specialty street")),
    ("trading", ("商贸集聚区", "Trading zone")),
    ("market", ("专业市场", "Specialised market")),
    ("complex", ("商业综合体", "Commercial complex")),
    ("scenic", ("旅游景区", "Scenic area")),
];

const ASSOCIATION_INDUSTRIES: &[(&str, Text)] = &[
    ("finance", ("金融", "Finance")),
    ("medicine", ("医药", "Medicine")),
    ("decoration", ("家装", "Home decoration")),
    ("catering", ("餐饮", "Catering")),
    ("property", ("物业管理", "Property management")),
    ("housekeeping", ("家政服务", "Housekeeping")),
    ("security", ("保安服务", "Security")),
    ("express", ("快递物流", "Express delivery")),
    ("other", ("其他行业", "Other sector")),
];

const VILLAGE_INDUSTRIES: &[(&str, Text)] = &[
    ("banquet", ("农村家宴", "Rural banquets")),
    ("homestay", ("民宿", "Homestays")),
    ("agritourism", ("农家乐与乡村旅游", "Agritourism")),
    ("grocery", ("村级食杂店", "Village grocery stores")),
    ("ecommerce", ("农村电商", "Rural e-commerce")),
    (
        "community",
        ("城镇社区综合服务", "Urban community services"),
    ),
];

const REGISTRATION_BODIES: &[(&str, Text)] = &[
    (
        "civil_affairs",
        ("民政部门登记的社会团体", "Registered with civil affairs"),
    ),
    (
        "federation",
        (
            "工商联所属商会",
            "Chamber under the federation of industry and commerce",
        ),
    ),
];

const BEAUTIFUL_VILLAGE: &[(&str, Text)] = &[
    (
        "national",
        ("国家级美丽乡村示范村", "National beautiful-village model"),
    ),
    ("provincial", ("省级美丽乡村示范村", "Provincial model")),
    ("city", ("市级美丽乡村示范村", "City model")),
    ("county", ("县级美丽乡村示范村", "County model")),
    ("none", ("尚未获评", "Not yet")),
];

pub fn industries(category: Category) -> &'static [(&'static str, Text)] {
    match category {
        Category::Unit => &UNIT_INDUSTRIES,
        Category::Street => STREET_INDUSTRIES,
        Category::Association => ASSOCIATION_INDUSTRIES,
        Category::Village => VILLAGE_INDUSTRIES,
    }
}

fn identity_fields(category: Category) -> Vec<FieldSpec> {
    let brand = match category {
        Category::Unit => field(
            "brand_name",
            ("门店或品牌名称", "Store or brand name"),
            NAME,
        ),
        Category::Street => field("brand_name", ("街区名称", "Street or district name"), NAME),
        Category::Association => optional("brand_name", ("简称", "Short name"), NAME),
        Category::Village => optional(
            "brand_name",
            ("村（社区）名称", "Village or community name"),
            NAME,
        ),
    };
    vec![
        hinted(
            field(
                "credit_code",
                ("统一社会信用代码", "Unified social credit code"),
                FieldKind::CreditCode,
            ),
            (
                "营业执照或登记证书上的18位代码",
                "The 18 characters on the licence or registration certificate",
            ),
        ),
        field("registered_name", ("登记名称", "Registered name"), NAME),
        brand,
        field("township", ("所在乡镇", "Township"), FieldKind::Township),
        hinted(
            field("address", ("详细地址", "Street address"), LONG),
            (
                "村（社区）、街道和门牌号",
                "Village or community, street and number",
            ),
        ),
        field(
            "industry",
            ("所属行业", "Industry"),
            FieldKind::Choice(industries(category)),
        ),
        field(
            "legal_rep",
            ("法定代表人（负责人）", "Legal representative"),
            PERSON,
        ),
        field("contact_name", ("联系人", "Contact person"), PERSON),
        field(
            "contact_mobile",
            ("联系人手机", "Contact's mobile"),
            FieldKind::Mobile,
        ),
    ]
}

fn count(max: u32, unit: Text) -> FieldKind {
    FieldKind::Count { max, unit }
}

fn facts_fields(category: Category) -> Vec<FieldSpec> {
    match category {
        Category::Unit => vec![
            field(
                "premises_area",
                ("经营面积", "Premises area"),
                count(1_000_000, SQUARE_METRES),
            ),
            field(
                "employees",
                ("从业人员", "Employees"),
                count(100_000, PEOPLE),
            ),
            hinted(
                optional(
                    "sector_permit",
                    ("行业许可证号", "Sector permit number"),
                    NAME,
                ),
                (
                    "食品经营、药品经营等许可证，没有可不填",
                    "Food or drug trading permit, if the trade needs one",
                ),
            ),
            field(
                "no_reason_returns",
                ("已开展线下无理由退货", "Offers offline no-reason returns"),
                FieldKind::YesNo,
            ),
        ],
        Category::Street => vec![
            field(
                "managed_area",
                ("管理区域面积", "Managed area"),
                count(10_000_000, SQUARE_METRES),
            ),
            field(
                "merchant_count",
                ("入驻经营户数", "Merchants in the street"),
                count(100_000, HOUSEHOLDS),
            ),
            field(
                "complaint_system",
                (
                    "建立街区消费投诉处理制度",
                    "Has a complaint-handling system",
                ),
                FieldKind::YesNo,
            ),
            hinted(
                field(
                    "compensation_fund",
                    ("先行赔付资金", "Advance-compensation fund"),
                    count(100_000, YUAN),
                ),
                ("没有设立填0", "Enter 0 if there is none"),
            ),
            field(
                "offline_returns",
                (
                    "组织商户参与线下无理由退货",
                    "Merchants take part in offline no-reason returns",
                ),
                FieldKind::YesNo,
            ),
        ],
        Category::Association => vec![
            field(
                "registration_body",
                ("登记管理机关", "Registration body"),
                FieldKind::Choice(REGISTRATION_BODIES),
            ),
            field(
                "member_count",
                ("会员单位数", "Member organisations"),
                count(1_000_000, MEMBERS),
            ),
            field(
                "self_discipline",
                ("制定行业自律公约", "Has self-discipline rules"),
                FieldKind::YesNo,
            ),
            field(
                "fast_dispute",
                ("建立消费纠纷快速处理机制", "Has fast dispute handling"),
                FieldKind::YesNo,
            ),
        ],
        Category::Village => vec![
            field(
                "beautiful_village",
                ("美丽乡村创建情况", "Beautiful-village status"),
                FieldKind::Choice(BEAUTIFUL_VILLAGE),
            ),
            field(
                "banquet_count",
                ("农村家宴经营户", "Rural banquet businesses"),
                count(10_000, HOUSEHOLDS),
            ),
            field(
                "homestay_count",
                ("民宿", "Homestays"),
                count(10_000, HOUSEHOLDS),
            ),
            field(
                "agritourism_count",
                ("农家乐", "Agritourism businesses"),
                count(10_000, HOUSEHOLDS),
            ),
            field(
                "grocery_count",
                ("食杂店", "Grocery stores"),
                count(10_000, HOUSEHOLDS),
            ),
            field(
                "ecommerce_points",
                ("农村电商服务点", "E-commerce service points"),
                count(10_000, POINTS),
            ),
        ],
    }
}

/// The pledge's five promises (承诺书), then the signature.
pub const PLEDGE_ITEMS: [FieldSpec; 5] = [
    field("pledge_quality", ("保证商品和服务质量，不销售假冒伪劣商品", "We guarantee the quality of goods and services and sell no counterfeit or shoddy goods"), FieldKind::Affirm),
    field("pledge_pricing", ("明码标价、诚信计量，不搞价格欺诈", "We mark prices clearly, measure honestly and commit no price fraud"), FieldKind::Affirm),
    field("pledge_returns", ("落实线下无理由退货", "We accept offline returns without reason"), FieldKind::Affirm),
    field("pledge_compensation", ("落实赔偿先付，消费纠纷先行赔付", "We compensate consumers first when a dispute arises"), FieldKind::Affirm),
    field("pledge_supervision", ("自觉接受社会和消费者监督", "We accept supervision by the public and consumers"), FieldKind::Affirm),
];

pub const DECLARATION_ITEMS: [FieldSpec; 4] = [
    field(
        "no_serious_violation",
        (
            "近两年内无严重违法违规行为",
            "No serious violation of law in the last 2 years",
        ),
        FieldKind::Affirm,
    ),
    field(
        "not_abnormal",
        (
            "未被列入经营异常名录",
            "Not on the list of abnormal operations",
        ),
        FieldKind::Affirm,
    ),
    field(
        "not_dishonest",
        (
            "未被列入严重违法失信名单",
            "Not on the list of serious dishonesty",
        ),
        FieldKind::Affirm,
    ),
    field(
        "not_enforced",
        (
            "未被列为失信被执行人",
            "Not a dishonest party subject to court enforcement",
        ),
        FieldKind::Affirm,
    ),
];

fn pledge_fields() -> Vec<FieldSpec> {
    let mut f = PLEDGE_ITEMS.to_vec();
    f.push(hinted(
        field("signer", ("签署人", "Signed by"), PERSON),
        (
            "法定代表人或负责人姓名",
            "Name of the legal representative or person in charge",
        ),
    ));
    f.push(field(
        "sign",
        (
            "我代表本单位签署以上承诺",
            "I sign this pledge on behalf of the applicant",
        ),
        FieldKind::Affirm,
    ));
    f
}

fn declaration_fields() -> Vec<FieldSpec> {
    let mut f = DECLARATION_ITEMS.to_vec();
    f.push(field("declarant", ("声明人", "Declared by"), PERSON));
    f
}

/// The plain form fields of a step for a category (none for evidence and review).
pub fn fields(category: Category, step: Step) -> Vec<FieldSpec> {
    match step {
        Step::Identity => identity_fields(category),
        Step::Facts => facts_fields(category),
        Step::Pledge => pledge_fields(),
        Step::Declaration => declaration_fields(),
        Step::Evidence | Step::SelfAssessment | Step::Review => Vec::new(),
    }
}

/// What is wrong with one value; each maps to a translated message naming the fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldProblem {
    Required,
    TooLong { max_chars: usize },
    CreditCode(CreditCodeError),
    Mobile,
    NotANumber,
    AboveMaximum { max: u32 },
    NotAChoice,
    MustAffirm,
    NotInCounty,
}

/// Checks one value against its field's rules.
pub fn check(spec: &FieldSpec, value: &str) -> Option<FieldProblem> {
    let v = value.trim();
    if v.is_empty() {
        return match (spec.required, spec.kind) {
            (_, FieldKind::Affirm) if spec.required => Some(FieldProblem::MustAffirm),
            (true, _) => Some(FieldProblem::Required),
            (false, _) => None,
        };
    }
    match spec.kind {
        FieldKind::Text { max_chars } => {
            (v.chars().count() > max_chars).then_some(FieldProblem::TooLong { max_chars })
        }
        FieldKind::CreditCode => CreditCode::parse(v).err().map(FieldProblem::CreditCode),
        FieldKind::Mobile => Mobile::parse(v).err().map(|_| FieldProblem::Mobile),
        FieldKind::Count { max, .. } => match v.parse::<u64>() {
            Err(_) => Some(FieldProblem::NotANumber),
            Ok(n) if n > u64::from(max) => Some(FieldProblem::AboveMaximum { max }),
            Ok(_) => None,
        },
        FieldKind::Choice(choices) => {
            (!choices.iter().any(|(c, _)| *c == v)).then_some(FieldProblem::NotAChoice)
        }
        FieldKind::YesNo => (!matches!(v, "yes" | "no")).then_some(FieldProblem::NotAChoice),
        // The county's townships have 9-digit codes under 341721; the list is data.
        FieldKind::Township => {
            (!(v.len() == 9 && v.starts_with(COUNTY) && v.bytes().all(|b| b.is_ascii_digit())))
                .then_some(FieldProblem::NotInCounty)
        }
        FieldKind::Affirm => (v != "on" && v != "yes").then_some(FieldProblem::MustAffirm),
    }
}

/// The county whose townships applicants belong to.
pub const COUNTY: &str = "341721";

/// One step's values as posted: field name → text.
pub type Section = BTreeMap<String, String>;

/// The whole draft: step code → its section. Stored as JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    #[serde(flatten)]
    pub sections: BTreeMap<String, Section>,
}

impl Draft {
    pub fn from_json(text: &str) -> Draft {
        serde_json::from_str(text).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    pub fn section(&self, step: Step) -> Option<&Section> {
        self.sections.get(step.code())
    }

    pub fn value(&self, step: Step, name: &str) -> &str {
        self.section(step)
            .and_then(|s| s.get(name))
            .map(String::as_str)
            .unwrap_or("")
    }

    /// Replaces a step's values with what the form posted, keeping only the step's own
    /// fields (a posted form carries every field it has; an unticked box is absent).
    /// Values are kept as typed, wrong or not: problems are shown, never discarded.
    pub fn put(&mut self, step: Step, names: &[String], posted: &[(String, String)]) {
        let mut section = Section::new();
        for (k, v) in posted {
            if names.iter().any(|n| n == k) {
                let v: String = v.chars().take(MAX_VALUE_CHARS).collect();
                section.insert(k.clone(), v);
            }
        }
        // Server-stamped values (the signing time) survive a re-save of the step.
        if let Some(old) = self.sections.get(step.code()) {
            for (k, v) in old {
                if k.starts_with('_') {
                    section.insert(k.clone(), v.clone());
                }
            }
        }
        self.sections.insert(step.code().to_string(), section);
    }
}

/// The contact details an agent does not see: the applicant's registration fills them in
/// when it accepts the agent's proposal.
pub const APPLICANT_CONTACT_FIELDS: [&str; 2] = ["contact_name", "contact_mobile"];

/// A problem an agent's draft may leave, because only the applicant can settle it: a
/// tick, or a contact detail still empty.
pub fn left_to_the_applicant(name: &str, problem: FieldProblem) -> bool {
    problem == FieldProblem::MustAffirm
        || (problem == FieldProblem::Required && APPLICANT_CONTACT_FIELDS.contains(&name))
}

/// Whose hand a save is: the applicant's own login, or an agent preparing it for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hand<'a> {
    Applicant { login: &'a str, at: &'a str },
    Agent,
}

/// The draft key that records who ticked a pledge or declaration box, and when.
pub fn ticked_key(name: &str) -> String {
    format!("_ticked.{name}")
}

/// Who ticked a box and when, as recorded: (login, time).
pub fn ticked_by<'a>(draft: &'a Draft, step: Step, name: &str) -> Option<(&'a str, &'a str)> {
    draft
        .section(step)?
        .get(&ticked_key(name))?
        .split_once(' ')
        .map(|(at, login)| (login, at))
}

impl Draft {
    /// Saves a step as `put` does, with the rule for legal ticks (pledge, declaration):
    /// only the applicant ticks them. An agent's save leaves every tick as it was; an
    /// applicant's records who ticked each box and when, and forgets it when unticked.
    pub fn put_by(
        &mut self,
        category: Category,
        step: Step,
        names: &[String],
        posted: &[(String, String)],
        hand: Hand,
    ) {
        let before = self.sections.get(step.code()).cloned().unwrap_or_default();
        self.put(step, names, posted);
        let affirms: Vec<&'static str> = fields(category, step)
            .into_iter()
            .filter(|f| f.kind == FieldKind::Affirm)
            .map(|f| f.name)
            .collect();
        let section = self.sections.entry(step.code().to_string()).or_default();
        for name in affirms {
            let key = ticked_key(name);
            match hand {
                Hand::Agent => {
                    for k in [name.to_string(), key] {
                        match before.get(&k) {
                            Some(v) => section.insert(k, v.clone()),
                            None => section.remove(&k),
                        };
                    }
                }
                Hand::Applicant { login, at } => {
                    if section.get(name).map(String::as_str) == Some("on") {
                        section
                            .entry(key)
                            .or_insert_with(|| format!("{at} {login}"));
                    } else {
                        section.remove(&key);
                    }
                }
            }
        }
    }
}

/// The fields that name or reach a person: shown in full only to those handling the
/// application (the applicant, its township, the county office, its assigned panel).
pub const PERSONAL_FIELDS: [(Step, &str); 5] = [
    (Step::Identity, "legal_rep"),
    (Step::Identity, "contact_name"),
    (Step::Identity, "contact_mobile"),
    (Step::Pledge, "signer"),
    (Step::Declaration, "declarant"),
];

/// Masks every personal field of a draft (names to their first character, a mobile to
/// its first three and last four digits), for readers who only oversee.
pub fn mask_personal(draft: &mut Draft) {
    for (step, name) in PERSONAL_FIELDS {
        if let Some(v) = draft
            .sections
            .get_mut(step.code())
            .and_then(|s| s.get_mut(name))
        {
            *v = if name.ends_with("mobile") {
                crate::complaint::mask_phone(v)
            } else {
                crate::complaint::mask_name(v)
            };
        }
    }
}

/// No single value is kept longer than this (the form's own limits are far lower).
pub const MAX_VALUE_CHARS: usize = 2_000;

/// Problems of a step with plain fields.
pub fn step_problems(
    category: Category,
    step: Step,
    draft: &Draft,
) -> Vec<(&'static str, FieldProblem)> {
    fields(category, step)
        .iter()
        .filter_map(|f| check(f, draft.value(step, f.name)).map(|p| (f.name, p)))
        .collect()
}

/// Problems of the self-assessment: every basic and veto item answered, within range.
pub fn assessment_problems(items: &[ItemRule], draft: &Draft) -> Vec<(String, FieldProblem)> {
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let v = draft.value(Step::SelfAssessment, &item_field(i));
            item_answer(item.kind, item.max_points, v)
                .err()
                .map(|p| (item_field(i), p))
        })
        .collect()
}

/// Problems of any step's own fields (evidence and review have none of their own).
pub fn problems(
    category: Category,
    step: Step,
    draft: &Draft,
    items: &[ItemRule],
) -> Vec<(String, FieldProblem)> {
    match step {
        Step::SelfAssessment => assessment_problems(items, draft),
        _ => step_problems(category, step, draft)
            .into_iter()
            .map(|(n, p)| (n.to_string(), p))
            .collect(),
    }
}

/// The field names a step's form may post: its specs, or one per indicator item.
pub fn field_names(category: Category, step: Step, items: &[ItemRule]) -> Vec<String> {
    match step {
        Step::SelfAssessment => (0..items.len()).map(item_field).collect(),
        _ => fields(category, step)
            .iter()
            .map(|f| f.name.to_string())
            .collect(),
    }
}

/// The self-assessment's field for indicator item `i` (0-based position in the set).
pub fn item_field(i: usize) -> String {
    format!("item{i}")
}

/// A self-assessment answer for a veto item.
pub const VETO_HOLDS: &str = "holds";
pub const VETO_BREACHED: &str = "breached";

/// Reads one self-assessed item: points for basic and bonus items (a bonus left empty
/// counts as none), holds/breached for veto items.
pub fn item_answer(kind: ItemKind, max: u32, value: &str) -> Result<ItemScore, FieldProblem> {
    let v = value.trim();
    match kind {
        ItemKind::Veto => match v {
            VETO_HOLDS => Ok(ItemScore::VetoHolds),
            VETO_BREACHED => Ok(ItemScore::VetoBreached),
            "" => Err(FieldProblem::Required),
            _ => Err(FieldProblem::NotAChoice),
        },
        ItemKind::Bonus if v.is_empty() => Ok(ItemScore::Points(0)),
        ItemKind::Basic if v.is_empty() => Err(FieldProblem::Required),
        _ => match v.parse::<u32>() {
            Err(_) => Err(FieldProblem::NotANumber),
            Ok(p) if p > max => Err(FieldProblem::AboveMaximum { max }),
            Ok(p) => Ok(ItemScore::Points(p)),
        },
    }
}

/// What the self-check tells the applicant before submitting.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SelfCheck {
    /// Steps with problems, and the problems.
    pub step_problems: Vec<(Step, Vec<(String, FieldProblem)>)>,
    /// Veto items answered "breached": the application would fail outright.
    pub veto_breached: Vec<usize>,
    /// Basic items self-scored below their maximum.
    pub points_lost: Vec<usize>,
    /// Items that need evidence and have none.
    pub evidence_missing: Vec<usize>,
    /// The business licence or registration certificate is missing.
    pub licence_missing: bool,
    /// The self-assessed total, when every item is answered.
    pub total: Option<u32>,
    pub pass_score: u32,
    /// The credit code differs from the registered organisation's.
    pub credit_code_mismatch: bool,
}

impl SelfCheck {
    /// Submitting needs every step complete and the licence; failing items are shown
    /// but do not stop the applicant (the panel judges).
    pub fn ready(&self) -> bool {
        self.step_problems.is_empty() && !self.licence_missing && !self.credit_code_mismatch
    }

    /// An agent hands over a draft that is complete but for the pledge and declaration
    /// ticks: those only the applicant's own login gives.
    pub fn ready_to_hand_over(&self) -> bool {
        self.step_problems
            .iter()
            .all(|(_, ps)| ps.iter().all(|(n, p)| left_to_the_applicant(n, *p)))
            && !self.licence_missing
            && !self.credit_code_mismatch
    }

    pub fn would_fail(&self) -> bool {
        !self.veto_breached.is_empty() || self.total.is_some_and(|t| t < self.pass_score)
    }
}

/// One indicator item as the self-check needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemRule {
    pub kind: ItemKind,
    pub max_points: u32,
    pub evidence_required: bool,
}

/// The self-check's view of a set's items.
pub fn item_rules(items: &[crate::scoring::Indicator]) -> Vec<ItemRule> {
    items
        .iter()
        .map(|i| ItemRule {
            kind: i.kind,
            max_points: i.max_points,
            evidence_required: i.evidence_required,
        })
        .collect()
}

/// The whole self-check: every step's problems, the self-assessed outcome, missing
/// evidence. `evidence` lists the slots that have at least one file.
pub fn self_check(
    category: Category,
    draft: &Draft,
    items: &[ItemRule],
    rules: &crate::scoring::SetRules,
    evidence: &[String],
    registered_credit_code: &str,
) -> SelfCheck {
    let mut out = SelfCheck {
        pass_score: rules.pass_score,
        ..SelfCheck::default()
    };
    for step in [Step::Identity, Step::Facts, Step::Pledge, Step::Declaration] {
        let p: Vec<_> = step_problems(category, step, draft)
            .into_iter()
            .map(|(n, p)| (n.to_string(), p))
            .collect();
        if !p.is_empty() {
            out.step_problems.push((step, p));
        }
    }
    let mut answers = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let answer = item_answer(
            item.kind,
            item.max_points,
            draft.value(Step::SelfAssessment, &item_field(i)),
        )
        .ok();
        match answer {
            Some(ItemScore::VetoBreached) => out.veto_breached.push(i),
            Some(ItemScore::Points(p)) if item.kind == ItemKind::Basic && p < item.max_points => {
                out.points_lost.push(i)
            }
            _ => {}
        }
        answers.push(answer);
        if item.evidence_required && !evidence.iter().any(|e| *e == item_field(i)) {
            out.evidence_missing.push(i);
        }
    }
    let assessment = assessment_problems(items, draft);
    if !assessment.is_empty() {
        out.step_problems.push((Step::SelfAssessment, assessment));
    }
    let shape: Vec<(ItemKind, u32)> = items.iter().map(|i| (i.kind, i.max_points)).collect();
    out.total = crate::scoring::score(&shape, &answers, rules)
        .ok()
        .map(|o| o.total);
    out.licence_missing = !evidence.iter().any(|e| e == LICENCE_SLOT);
    let typed = draft.value(Step::Identity, "credit_code");
    out.credit_code_mismatch = CreditCode::parse(typed)
        .map(|c| c.as_str() != registered_credit_code)
        .unwrap_or(false);
    out
}

/// The evidence slot for the business licence or registration certificate.
pub const LICENCE_SLOT: &str = "licence";
/// The evidence slot for anything else (permits, honours).
pub const OTHER_SLOT: &str = "other";

/// Evidence slots: the licence, one per indicator item that needs evidence, other.
pub fn evidence_slots(items: &[ItemRule]) -> Vec<String> {
    let mut slots = vec![LICENCE_SLOT.to_string()];
    slots.extend(
        items
            .iter()
            .enumerate()
            .filter(|(_, i)| i.evidence_required)
            .map(|(n, _)| item_field(n)),
    );
    slots.push(OTHER_SLOT.to_string());
    slots
}

/// Kinds of file accepted as evidence, recognised by their content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileKind {
    Jpeg,
    Png,
    Webp,
    Pdf,
}

impl FileKind {
    pub fn mime(self) -> &'static str {
        match self {
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Webp => "image/webp",
            FileKind::Pdf => "application/pdf",
        }
    }

    pub fn is_image(self) -> bool {
        self != FileKind::Pdf
    }

    /// Recognises a file by its first bytes; whatever its name or declared type says.
    pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileKind::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(FileKind::Png)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(FileKind::Webp)
        } else if bytes.starts_with(b"%PDF-") {
            Some(FileKind::Pdf)
        } else {
            None
        }
    }
}

/// The most pixels an uploaded image may have. Phones take photos of up to about
/// 108 megapixels; a picture declaring more is a decompression bomb that would take
/// gigabytes to show, in a reviewer's browser or anywhere else.
pub const MAX_IMAGE_MEGAPIXELS: u32 = 120;

/// Width and height of an image as its header declares them, without decoding it.
/// None when the header cannot be read: a file that starts like an image but has no
/// readable header is not taken as one.
pub fn image_size(kind: FileKind, bytes: &[u8]) -> Option<(u32, u32)> {
    let be16 = |at: usize| -> Option<u32> {
        Some(u32::from(u16::from_be_bytes(
            bytes.get(at..at + 2)?.try_into().ok()?,
        )))
    };
    let le16 = |at: usize| -> Option<u32> {
        Some(u32::from(u16::from_le_bytes(
            bytes.get(at..at + 2)?.try_into().ok()?,
        )))
    };
    let le24 = |at: usize| -> Option<u32> {
        let b = bytes.get(at..at + 3)?;
        Some(u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16)
    };
    let size = match kind {
        FileKind::Pdf => return None,
        FileKind::Png => {
            // The first chunk is IHDR: width and height as big-endian u32.
            if bytes.get(12..16)? != b"IHDR" {
                return None;
            }
            let w = u32::from_be_bytes(bytes.get(16..20)?.try_into().ok()?);
            let h = u32::from_be_bytes(bytes.get(20..24)?.try_into().ok()?);
            (w, h)
        }
        FileKind::Jpeg => {
            // Walk the segments to the first start-of-frame marker.
            let mut at = 2;
            loop {
                if *bytes.get(at)? != 0xFF {
                    return None;
                }
                let marker = *bytes.get(at + 1)?;
                match marker {
                    // Fill bytes before a marker.
                    0xFF => at += 1,
                    // Markers without a length.
                    0x01 | 0xD0..=0xD7 => at += 2,
                    // Start of scan or end of image before any frame header.
                    0xD9 | 0xDA => return None,
                    0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                        break (be16(at + 7)?, be16(at + 5)?);
                    }
                    _ => at += 2 + usize::try_from(be16(at + 2)?).ok()?,
                }
            }
        }
        FileKind::Webp => match bytes.get(12..16)? {
            b"VP8 " => {
                // A key frame: start code 9D 01 2A, then 14-bit width and height.
                if bytes.get(23..26)? != [0x9D, 0x01, 0x2A] {
                    return None;
                }
                (le16(26)? & 0x3FFF, le16(28)? & 0x3FFF)
            }
            b"VP8L" => {
                if *bytes.get(20)? != 0x2F {
                    return None;
                }
                let bits = u32::from_le_bytes(bytes.get(21..25)?.try_into().ok()?);
                ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
            }
            b"VP8X" => (le24(24)? + 1, le24(27)? + 1),
            _ => return None,
        },
    };
    (size.0 > 0 && size.1 > 0).then_some(size)
}

/// Why an upload was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UploadProblem {
    /// Not an image or PDF by its content.
    NotImageOrPdf,
    FileTooLarge {
        max_mb: u32,
    },
    ApplicationFull {
        max_mb: u32,
    },
    Empty,
    /// An image whose declared size is beyond `MAX_IMAGE_MEGAPIXELS`.
    ImageTooLarge {
        max_megapixels: u32,
    },
    /// The server's storage for files is full; nothing was kept.
    StorageFull,
    /// The upload did not reach the server (seen only in the browser).
    Network,
}

impl UploadProblem {
    pub fn code(self) -> &'static str {
        match self {
            UploadProblem::NotImageOrPdf => "type",
            UploadProblem::FileTooLarge { .. } => "size",
            UploadProblem::ApplicationFull { .. } => "total",
            UploadProblem::Empty => "empty",
            UploadProblem::ImageTooLarge { .. } => "pixels",
            UploadProblem::StorageFull => "storage",
            UploadProblem::Network => "network",
        }
    }
}

/// Checks an upload against the limits: `bytes` are the file's bytes (`size` in all),
/// `used` bytes are already stored for the application.
pub fn check_upload(
    bytes: &[u8],
    size: u64,
    used: u64,
    max_file_mb: u32,
    max_application_mb: u32,
) -> Result<FileKind, UploadProblem> {
    if size == 0 {
        return Err(UploadProblem::Empty);
    }
    if size > u64::from(max_file_mb) * MB {
        return Err(UploadProblem::FileTooLarge {
            max_mb: max_file_mb,
        });
    }
    if used + size > u64::from(max_application_mb) * MB {
        return Err(UploadProblem::ApplicationFull {
            max_mb: max_application_mb,
        });
    }
    let kind = FileKind::sniff(bytes).ok_or(UploadProblem::NotImageOrPdf)?;
    if kind.is_image() {
        let (w, h) = image_size(kind, bytes).ok_or(UploadProblem::NotImageOrPdf)?;
        if u64::from(w) * u64::from(h) > u64::from(MAX_IMAGE_MEGAPIXELS) * 1_000_000 {
            return Err(UploadProblem::ImageTooLarge {
                max_megapixels: MAX_IMAGE_MEGAPIXELS,
            });
        }
    }
    Ok(kind)
}

pub const MB: u64 = 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::SetRules;
    use proptest::prelude::*;

    const CODE: &str = "91341721MA2N0Y7B3X";

    fn valid_code() -> String {
        let c = crate::uscc::check_character(&CODE.as_bytes()[..17]).unwrap();
        format!("{}{c}", &CODE[..17])
    }

    fn complete_draft(category: Category) -> Draft {
        let mut d = Draft::default();
        for step in [Step::Identity, Step::Facts, Step::Pledge, Step::Declaration] {
            let posted: Vec<(String, String)> = fields(category, step)
                .iter()
                .map(|f| {
                    let v = match f.kind {
                        FieldKind::Text { .. } => "某某".to_string(),
                        FieldKind::CreditCode => valid_code(),
                        FieldKind::Mobile => "13905660001".into(),
                        FieldKind::Count { .. } => "12".into(),
                        FieldKind::Choice(c) => c[0].0.into(),
                        FieldKind::YesNo => "yes".into(),
                        FieldKind::Township => "341721100".into(),
                        FieldKind::Affirm => "on".into(),
                    };
                    (f.name.to_string(), v)
                })
                .collect();
            let names: Vec<String> = posted.iter().map(|(k, _)| k.clone()).collect();
            d.put(step, &names, &posted);
        }
        d
    }

    fn items() -> Vec<ItemRule> {
        vec![
            ItemRule {
                kind: ItemKind::Basic,
                max_points: 60,
                evidence_required: true,
            },
            ItemRule {
                kind: ItemKind::Basic,
                max_points: 40,
                evidence_required: false,
            },
            ItemRule {
                kind: ItemKind::Veto,
                max_points: 0,
                evidence_required: false,
            },
            ItemRule {
                kind: ItemKind::Bonus,
                max_points: 5,
                evidence_required: true,
            },
        ]
    }

    #[test]
    fn steps_run_in_order() {
        assert_eq!(Step::Identity.next(), Some(Step::Facts));
        assert_eq!(Step::Identity.previous(), None);
        assert_eq!(Step::Review.next(), None);
        assert_eq!(Step::Review.previous(), Some(Step::SelfAssessment));
        for s in Step::ALL {
            assert_eq!(Step::parse(s.code()), Some(s));
        }
        assert_eq!(Step::Facts.number(), 2);
    }

    #[test]
    fn every_category_has_its_facts_and_the_common_steps() {
        for c in Category::ALL {
            assert!(!fields(c, Step::Facts).is_empty());
            assert_eq!(fields(c, Step::Pledge).len(), 7);
            assert_eq!(fields(c, Step::Declaration).len(), 5);
            let names: Vec<_> = fields(c, Step::Identity).iter().map(|f| f.name).collect();
            assert!(names.contains(&"credit_code") && names.contains(&"industry"));
            assert!(step_problems(c, Step::Identity, &complete_draft(c)).is_empty());
        }
        let street: Vec<_> = fields(Category::Street, Step::Facts)
            .iter()
            .map(|f| f.name)
            .collect();
        assert!(street.contains(&"compensation_fund") && street.contains(&"offline_returns"));
    }

    #[test]
    fn field_rules() {
        let f = field(
            "x",
            ("", ""),
            FieldKind::Count {
                max: 10,
                unit: ("", ""),
            },
        );
        assert_eq!(check(&f, ""), Some(FieldProblem::Required));
        assert_eq!(check(&f, "abc"), Some(FieldProblem::NotANumber));
        assert_eq!(check(&f, "-1"), Some(FieldProblem::NotANumber));
        assert_eq!(
            check(&f, "11"),
            Some(FieldProblem::AboveMaximum { max: 10 })
        );
        assert_eq!(check(&f, " 10 "), None);
        let code = field("c", ("", ""), FieldKind::CreditCode);
        assert!(matches!(
            check(&code, "91341721MA2N0Y7B3"),
            Some(FieldProblem::CreditCode(CreditCodeError::WrongLength(17)))
        ));
        assert_eq!(check(&code, &valid_code()), None);
        let affirm = field("a", ("", ""), FieldKind::Affirm);
        assert_eq!(check(&affirm, ""), Some(FieldProblem::MustAffirm));
        assert_eq!(check(&affirm, "on"), None);
        let town = field("t", ("", ""), FieldKind::Township);
        assert_eq!(check(&town, "341722100"), Some(FieldProblem::NotInCounty));
        assert_eq!(check(&town, "341721100"), None);
        let opt = optional("o", ("", ""), FieldKind::Text { max_chars: 3 });
        assert_eq!(check(&opt, ""), None);
        assert_eq!(
            check(&opt, "四个字符"),
            Some(FieldProblem::TooLong { max_chars: 3 })
        );
        let yn = field("y", ("", ""), FieldKind::YesNo);
        assert_eq!(check(&yn, "maybe"), Some(FieldProblem::NotAChoice));
    }

    #[test]
    fn a_resave_keeps_wrong_values_and_drops_strangers() {
        let mut d = Draft::default();
        let names = vec!["credit_code".to_string()];
        d.put(
            Step::Identity,
            &names,
            &[
                ("credit_code".into(), "WRONG".into()),
                ("evil".into(), "x".into()),
            ],
        );
        assert_eq!(d.value(Step::Identity, "credit_code"), "WRONG");
        assert_eq!(d.value(Step::Identity, "evil"), "");
        let back = Draft::from_json(&d.to_json());
        assert_eq!(back, d);
        assert_eq!(Draft::from_json("not json"), Draft::default());
    }

    #[test]
    fn server_stamps_survive_a_resave() {
        let mut d = Draft::default();
        d.sections
            .entry("pledge".into())
            .or_default()
            .insert("_signed_at".into(), "t".into());
        d.put(
            Step::Pledge,
            &["signer".into()],
            &[("signer".into(), "王".into())],
        );
        assert_eq!(d.value(Step::Pledge, "_signed_at"), "t");
        assert_eq!(d.value(Step::Pledge, "signer"), "王");
    }

    #[test]
    fn self_check_reports_failures_and_missing_evidence() {
        let c = Category::Unit;
        let mut d = complete_draft(c);
        let names = field_names(c, Step::SelfAssessment, &items());
        let posted = vec![
            ("item0".to_string(), "50".to_string()),
            ("item1".to_string(), "40".to_string()),
            ("item2".to_string(), VETO_HOLDS.to_string()),
        ];
        d.put(Step::SelfAssessment, &names, &posted);
        let rules = SetRules::default();
        let check = self_check(c, &d, &items(), &rules, &[], &valid_code());
        assert!(check.step_problems.is_empty());
        assert_eq!(check.points_lost, vec![0]);
        assert_eq!(check.evidence_missing, vec![0, 3]);
        assert!(check.licence_missing && !check.ready());
        assert_eq!(check.total, Some(90));
        assert!(!check.would_fail());

        let evidence = vec![LICENCE_SLOT.to_string(), "item0".into(), "item3".into()];
        let check = self_check(c, &d, &items(), &rules, &evidence, &valid_code());
        assert!(check.ready());
        assert!(check.evidence_missing.is_empty());

        d.put(
            Step::SelfAssessment,
            &names,
            &[
                ("item0".into(), "50".into()),
                ("item1".into(), "40".into()),
                ("item2".into(), VETO_BREACHED.into()),
            ],
        );
        let check = self_check(c, &d, &items(), &rules, &evidence, &valid_code());
        assert!(check.would_fail() && check.ready());
        assert_eq!(check.veto_breached, vec![2]);

        let check = self_check(c, &d, &items(), &rules, &evidence, "91341721MA2TEA8K1P");
        assert!(check.credit_code_mismatch && !check.ready());

        d.put(
            Step::SelfAssessment,
            &names,
            &[("item0".into(), "70".into())],
        );
        let check = self_check(c, &d, &items(), &rules, &evidence, &valid_code());
        assert_eq!(check.total, None);
        let problems = &check.step_problems[0].1;
        assert!(problems.contains(&("item0".into(), FieldProblem::AboveMaximum { max: 60 })));
        assert!(problems.contains(&("item2".into(), FieldProblem::Required)));
        assert!(
            !problems.iter().any(|(n, _)| n == "item3"),
            "an empty bonus counts as none"
        );
    }

    #[test]
    fn files_are_recognised_by_content() {
        assert_eq!(FileKind::sniff(b"%PDF-1.7\n"), Some(FileKind::Pdf));
        assert_eq!(
            FileKind::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(FileKind::Jpeg)
        );
        assert_eq!(
            FileKind::sniff(b"\x89PNG\r\n\x1a\n...."),
            Some(FileKind::Png)
        );
        assert_eq!(
            FileKind::sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(FileKind::Webp)
        );
        assert_eq!(FileKind::sniff(b"MZ\x90\0 an exe named photo.jpg"), None);
        assert_eq!(FileKind::sniff(b"<html>"), None);
        assert_eq!(
            check_upload(b"%PDF-", 0, 0, 10, 50),
            Err(UploadProblem::Empty)
        );
        assert_eq!(
            check_upload(b"%PDF-", 11 * MB, 0, 10, 50),
            Err(UploadProblem::FileTooLarge { max_mb: 10 })
        );
        assert_eq!(
            check_upload(b"%PDF-", 5 * MB, 46 * MB, 10, 50),
            Err(UploadProblem::ApplicationFull { max_mb: 50 })
        );
        assert_eq!(
            check_upload(b"GIF89a", 5, 0, 10, 50),
            Err(UploadProblem::NotImageOrPdf)
        );
        assert_eq!(check_upload(b"%PDF-", 5, 0, 10, 50), Ok(FileKind::Pdf));
    }

    /// A PNG signature and IHDR chunk declaring `w` × `h`.
    fn png_header(w: u32, h: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        b.extend(w.to_be_bytes());
        b.extend(h.to_be_bytes());
        b.extend([8, 2, 0, 0, 0, 0, 0, 0, 0]);
        b
    }

    /// A JPEG with an APP0 segment, a fill byte and a baseline frame header of `w` × `h`.
    fn jpeg_header(w: u16, h: u16) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        b.extend(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        b.extend([0xFF, 0xFF, 0xC0, 0x00, 0x11, 0x08]);
        b.extend(h.to_be_bytes());
        b.extend(w.to_be_bytes());
        b.extend([3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        b
    }

    #[test]
    fn image_sizes_are_read_from_headers_without_decoding() {
        assert_eq!(
            image_size(FileKind::Png, &png_header(640, 480)),
            Some((640, 480))
        );
        assert_eq!(
            image_size(FileKind::Jpeg, &jpeg_header(4000, 3000)),
            Some((4000, 3000))
        );
        let mut vp8x = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
        vp8x.extend([0x7F, 0x07, 0x00, 0xDF, 0x03, 0x00]); // 1920 × 992
        assert_eq!(image_size(FileKind::Webp, &vp8x), Some((1920, 992)));
        let mut vp8 = b"RIFF\0\0\0\0WEBPVP8 \0\0\0\0\0\0\0\x9d\x01\x2a".to_vec();
        vp8.extend([0x80, 0x02, 0xE0, 0x01]);
        assert_eq!(image_size(FileKind::Webp, &vp8), Some((640, 480)));
        let mut vp8l = b"RIFF\0\0\0\0WEBPVP8L\0\0\0\0\x2f".to_vec();
        vp8l.extend((99u32 | (49 << 14)).to_le_bytes());
        assert_eq!(image_size(FileKind::Webp, &vp8l), Some((100, 50)));
        // Truncated or empty headers say nothing.
        assert_eq!(image_size(FileKind::Png, &png_header(640, 480)[..20]), None);
        assert_eq!(image_size(FileKind::Png, &png_header(0, 480)), None);
        assert_eq!(image_size(FileKind::Jpeg, &[0xFF, 0xD8, 0xFF, 0xDA]), None);
        assert_eq!(image_size(FileKind::Pdf, b"%PDF-1.7"), None);
    }

    #[test]
    fn decompression_bombs_and_headerless_images_are_refused() {
        let bomb = png_header(50_000, 50_000);
        assert_eq!(
            check_upload(&bomb, bomb.len() as u64, 0, 10, 50),
            Err(UploadProblem::ImageTooLarge {
                max_megapixels: MAX_IMAGE_MEGAPIXELS
            })
        );
        let phone = jpeg_header(12_000, 9_000); // 108 megapixels
        assert_eq!(check_upload(&phone, 5 * MB, 0, 10, 50), Ok(FileKind::Jpeg));
        // A JPEG signature glued to an HTML page: a polyglot, not a picture.
        let mut polyglot = vec![0xFF, 0xD8, 0xFF];
        polyglot.extend(b"<html><script>alert(1)</script></html>");
        assert_eq!(
            check_upload(&polyglot, polyglot.len() as u64, 0, 10, 50),
            Err(UploadProblem::NotImageOrPdf)
        );
    }

    proptest! {
        #[test]
        fn reading_any_bytes_as_an_upload_never_panics(
            head in proptest::sample::select(vec![
                b"".to_vec(), b"%PDF-".to_vec(), vec![0xFF, 0xD8, 0xFF],
                b"\x89PNG\r\n\x1a\n".to_vec(), b"RIFF\0\0\0\0WEBPVP8X".to_vec(),
                b"RIFF\0\0\0\0WEBPVP8 ".to_vec(), b"RIFF\0\0\0\0WEBPVP8L".to_vec(),
            ]),
            tail in proptest::collection::vec(any::<u8>(), 0..64),
            size in 0u64..20 * MB,
            used in 0u64..60 * MB,
        ) {
            let mut bytes = head;
            bytes.extend(tail);
            for kind in [FileKind::Jpeg, FileKind::Png, FileKind::Webp, FileKind::Pdf] {
                let _ = image_size(kind, &bytes);
            }
            let _ = check_upload(&bytes, size, used, 10, 50);
        }

        #[test]
        fn checking_never_panics(s in ".{0,40}") {
            for c in Category::ALL {
                for step in Step::ALL {
                    for f in fields(c, step) {
                        let _ = check(&f, &s);
                    }
                }
            }
            for kind in [ItemKind::Basic, ItemKind::Veto, ItemKind::Bonus] {
                let _ = item_answer(kind, 10, &s);
            }
        }

        #[test]
        fn counts_within_range_pass(n in 0u32..=1000) {
            let f = field("x", ("", ""), FieldKind::Count { max: 1000, unit: ("", "") });
            prop_assert_eq!(check(&f, &n.to_string()), None);
        }

        #[test]
        fn a_draft_round_trips_through_json(k in "[a-z_]{1,10}", v in ".{0,30}") {
            let mut d = Draft::default();
            d.put(Step::Facts, std::slice::from_ref(&k), &[(k.clone(), v.clone())]);
            prop_assert_eq!(Draft::from_json(&d.to_json()), d);
        }
    }

    fn pledge_post(ticks: &[&str], signer: &str) -> Vec<(String, String)> {
        let mut p: Vec<(String, String)> =
            ticks.iter().map(|t| (t.to_string(), "on".into())).collect();
        p.push(("signer".into(), signer.into()));
        p
    }

    fn pledge_names() -> Vec<String> {
        field_names(Category::Unit, Step::Pledge, &[])
    }

    #[test]
    fn an_agent_cannot_tick_a_pledge_or_a_declaration() {
        let mut d = Draft::default();
        d.put_by(
            Category::Unit,
            Step::Pledge,
            &pledge_names(),
            &pledge_post(&["pledge_quality", "sign"], "陈建国"),
            Hand::Agent,
        );
        assert_eq!(d.value(Step::Pledge, "pledge_quality"), "");
        assert_eq!(d.value(Step::Pledge, "sign"), "");
        // The agent may prepare the signer's name; the merchant confirms it.
        assert_eq!(d.value(Step::Pledge, "signer"), "陈建国");
        let names = field_names(Category::Unit, Step::Declaration, &[]);
        d.put_by(
            Category::Unit,
            Step::Declaration,
            &names,
            &[("not_abnormal".into(), "on".into())],
            Hand::Agent,
        );
        assert_eq!(d.value(Step::Declaration, "not_abnormal"), "");
    }

    #[test]
    fn the_applicants_ticks_record_who_and_when_and_an_agent_keeps_them() {
        let mut d = Draft::default();
        let me = Hand::Applicant {
            login: "91341721MA0000000X",
            at: "2026-12-05T08:00:00.000000Z",
        };
        d.put_by(
            Category::Unit,
            Step::Pledge,
            &pledge_names(),
            &pledge_post(&["pledge_quality", "sign"], "陈建国"),
            me,
        );
        assert_eq!(d.value(Step::Pledge, "pledge_quality"), "on");
        assert_eq!(
            ticked_by(&d, Step::Pledge, "pledge_quality"),
            Some(("91341721MA0000000X", "2026-12-05T08:00:00.000000Z"))
        );
        assert_eq!(ticked_by(&d, Step::Pledge, "pledge_pricing"), None);
        // An agent's later save changes the name but neither the ticks nor their record.
        d.put_by(
            Category::Unit,
            Step::Pledge,
            &pledge_names(),
            &pledge_post(&[], "张三"),
            Hand::Agent,
        );
        assert_eq!(d.value(Step::Pledge, "pledge_quality"), "on");
        assert_eq!(d.value(Step::Pledge, "signer"), "张三");
        assert!(ticked_by(&d, Step::Pledge, "pledge_quality").is_some());
        // A second save keeps the first time; unticking forgets it.
        let later = Hand::Applicant {
            login: "91341721MA0000000X",
            at: "2026-12-06T09:00:00.000000Z",
        };
        d.put_by(
            Category::Unit,
            Step::Pledge,
            &pledge_names(),
            &pledge_post(&["pledge_quality"], "陈建国"),
            later,
        );
        assert_eq!(
            ticked_by(&d, Step::Pledge, "pledge_quality").map(|t| t.1),
            Some("2026-12-05T08:00:00.000000Z")
        );
        assert_eq!(ticked_by(&d, Step::Pledge, "sign"), None);
        assert_eq!(d.value(Step::Pledge, "sign"), "");
    }

    #[test]
    fn a_draft_missing_only_ticks_can_be_handed_over_not_submitted() {
        let check = SelfCheck {
            step_problems: vec![(
                Step::Declaration,
                vec![("not_abnormal".into(), FieldProblem::MustAffirm)],
            )],
            ..SelfCheck::default()
        };
        assert!(check.ready_to_hand_over());
        assert!(!check.ready());
        let check = SelfCheck {
            step_problems: vec![(
                Step::Identity,
                vec![("address".into(), FieldProblem::Required)],
            )],
            ..SelfCheck::default()
        };
        assert!(!check.ready_to_hand_over());
    }

    proptest! {
        /// Whatever an agent posts, every tick and its record stay as they were.
        #[test]
        fn no_agent_post_changes_a_tick(ticks in proptest::collection::vec(0usize..7, 0..7), before in proptest::collection::vec(0usize..7, 0..7)) {
            let all = ["pledge_quality", "pledge_pricing", "pledge_returns", "pledge_compensation", "pledge_supervision", "sign", "signer"];
            let mut d = Draft::default();
            let me = Hand::Applicant { login: "a", at: "t" };
            let pre: Vec<&str> = before.iter().map(|i| all[*i]).collect();
            d.put_by(Category::Unit, Step::Pledge, &pledge_names(), &pledge_post(&pre, "x"), me);
            let snapshot = d.clone();
            let post: Vec<&str> = ticks.iter().map(|i| all[*i]).collect();
            d.put_by(Category::Unit, Step::Pledge, &pledge_names(), &pledge_post(&post, "y"), Hand::Agent);
            for f in fields(Category::Unit, Step::Pledge).iter().filter(|f| f.kind == FieldKind::Affirm) {
                prop_assert_eq!(d.value(Step::Pledge, f.name), snapshot.value(Step::Pledge, f.name));
                prop_assert_eq!(ticked_by(&d, Step::Pledge, f.name), ticked_by(&snapshot, Step::Pledge, f.name));
            }
        }
    }

    #[test]
    fn personal_fields_are_masked_and_nothing_else() {
        let mut d = Draft::default();
        let names = field_names(Category::Unit, Step::Identity, &[]);
        d.put(
            Step::Identity,
            &names,
            &[
                ("legal_rep".into(), "陈建国".into()),
                ("contact_name".into(), "王芳".into()),
                ("contact_mobile".into(), "13812345678".into()),
                ("address".into(), "尧渡镇建设路18号".into()),
            ],
        );
        mask_personal(&mut d);
        assert_eq!(
            d.value(Step::Identity, "legal_rep"),
            crate::complaint::mask_name("陈建国")
        );
        assert!(!d.value(Step::Identity, "legal_rep").contains("建国"));
        assert!(!d.value(Step::Identity, "contact_mobile").contains("1234"));
        assert_eq!(d.value(Step::Identity, "address"), "尧渡镇建设路18号");
        for (step, name) in PERSONAL_FIELDS {
            assert!(
                fields(Category::Unit, step).iter().any(|f| f.name == name),
                "{name}"
            );
        }
    }
}
