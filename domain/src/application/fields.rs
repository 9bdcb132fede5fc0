//! The fields of each step per category, and the rule each field's value must meet.

use super::*;

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

pub(super) const fn field(name: &'static str, label: Text, kind: FieldKind) -> FieldSpec {
    FieldSpec {
        name,
        label,
        hint: None,
        kind,
        required: true,
    }
}

pub(super) const fn optional(name: &'static str, label: Text, kind: FieldKind) -> FieldSpec {
    FieldSpec {
        name,
        label,
        hint: None,
        kind,
        required: false,
    }
}

pub(super) const fn hinted(spec: FieldSpec, hint: Text) -> FieldSpec {
    FieldSpec {
        hint: Some(hint),
        ..spec
    }
}

pub(super) const NAME: FieldKind = FieldKind::Text { max_chars: 60 };
pub(super) const LONG: FieldKind = FieldKind::Text { max_chars: 120 };
pub(super) const PERSON: FieldKind = FieldKind::Text { max_chars: 30 };
pub(super) const SQUARE_METRES: Text = ("平方米", "m²");
pub(super) const PEOPLE: Text = ("人", "people");
pub(super) const HOUSEHOLDS: Text = ("户", "businesses");
pub(super) const MEMBERS: Text = ("家", "members");
pub(super) const YUAN: Text = ("万元", "×10k yuan");
pub(super) const POINTS: Text = ("个", "points");

/// A merchant's industry is one of the industries complaints are classed by: one list
/// for the application, the directory, the complaint form and the dashboards, so a
/// complaint filed from a unit's page takes the unit's industry as it is.
pub(super) static UNIT_INDUSTRIES: std::sync::LazyLock<Vec<(&'static str, Text)>> =
    std::sync::LazyLock::new(|| {
        crate::complaint::Industry::ALL
            .iter()
            .map(|i| (i.code(), i.name()))
            .collect()
    });

pub(super) const STREET_INDUSTRIES: &[(&str, Text)] = &[
    ("pedestrian", ("商业步行街", "Pedestrian shopping street")),
    ("specialty", ("特色街区", "Specialty street")),
    ("trading", ("商贸集聚区", "Trading zone")),
    ("market", ("专业市场", "Specialised market")),
    ("complex", ("商业综合体", "Commercial complex")),
    ("scenic", ("旅游景区", "Scenic area")),
];

pub(super) const ASSOCIATION_INDUSTRIES: &[(&str, Text)] = &[
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

pub(super) const VILLAGE_INDUSTRIES: &[(&str, Text)] = &[
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

pub(super) const REGISTRATION_BODIES: &[(&str, Text)] = &[
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

pub(super) const BEAUTIFUL_VILLAGE: &[(&str, Text)] = &[
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

pub(super) fn identity_fields(category: Category) -> Vec<FieldSpec> {
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

pub(super) fn count(max: u32, unit: Text) -> FieldKind {
    FieldKind::Count { max, unit }
}

pub(super) fn facts_fields(category: Category) -> Vec<FieldSpec> {
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

pub(super) fn pledge_fields() -> Vec<FieldSpec> {
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

pub(super) fn declaration_fields() -> Vec<FieldSpec> {
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
