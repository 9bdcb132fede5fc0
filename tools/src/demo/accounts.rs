//! (server only) Demo accounts: staff of every role and applicants in several townships.
//! Demo staff must change the password and enrol a second factor at first sign-in,
//! exactly as real staff do. Loading twice changes nothing.

use app::accounts::admin::StaffInput;
use app::accounts::validate::RegistrationInput;
use app::errors::AppError;
use app::usecases::accounts::{create_staff, register, Provisioner};
use store::Store;

/// The password of every demo account (printed by `fangxin-tools seed-demo`).
pub const DEMO_PASSWORD: &str = "Fangxin-Demo-2026";

const STAFF: &[(&str, &str, &str, &str)] = &[
    ("admin", "系统管理员", "system_admin", "341721"),
    ("security", "安全管理员", "security_admin", "341721"),
    ("auditor", "审计管理员", "audit_admin", "341721"),
    ("office", "县创建办 李明", "county_office", "341721"),
    ("panel1", "评审专家 陈静", "panel_member", "341721"),
    ("panel2", "评审专家 黄涛", "panel_member", "341721"),
    ("panel3", "评审专家 林晓", "panel_member", "341721"),
    ("amr", "县市场监管局 赵强", "member_unit_staff", "341721"),
    ("leader", "县领导", "leader", "341721"),
    ("cityleader", "市领导", "leader", "3417"),
    ("yaodu", "尧渡镇 周敏", "township_reviewer", "341721100"),
    ("dongliu", "东流镇 吴军", "township_reviewer", "341721101"),
];

/// (credit code, name, category, township, contact)
const ORGANISATIONS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "91341721MA2N0Y7B3X",
        "东至县尧渡镇惠民超市有限公司",
        "unit",
        "341721100",
        "王芳",
    ),
    (
        "91341721MA2TEA8K1P",
        "东至县华联商厦有限责任公司",
        "unit",
        "341721100",
        "刘洋",
    ),
    (
        "12341721MB1D7E3Y0L",
        "东至县尧渡老街商业街区管理办公室",
        "street",
        "341721100",
        "张伟",
    ),
    (
        "51341721MJ0F5H2C9D",
        "东至县餐饮行业协会",
        "association",
        "341721100",
        "孙丽",
    ),
    (
        "91341721MA8PQK4W2R",
        "东至县东流镇陶公酒家",
        "unit",
        "341721101",
        "钱进",
    ),
    (
        "54341721MEA1B2C3DX",
        "东流镇菊江村村民委员会",
        "village",
        "341721101",
        "李秀英",
    ),
    (
        "92341721MA2W3E4R5T",
        "大渡口镇江畔农家乐",
        "unit",
        "341721102",
        "周平",
    ),
    // Further along the review (see review::demo): county review, rectifying, passed,
    // on notice with an objection, recognised, revoked.
    (
        "91341721MA3D4E5F6X",
        "东至县尧渡镇诚信大药房",
        "unit",
        "341721100",
        "吴静",
    ),
    (
        "91341721MA3G7H8J9X",
        "东至县东流镇好运来家电商行",
        "unit",
        "341721101",
        "郑波",
    ),
    (
        "91341721MA3K1L2M3X",
        "东至县尧渡镇红星眼镜店",
        "unit",
        "341721100",
        "冯丽",
    ),
    (
        "91341721MA3N4P5Q6X",
        "东至县大渡口镇江景大酒店",
        "unit",
        "341721102",
        "蒋涛",
    ),
    (
        "91341721MA3R7T8U9X",
        "东至县尧渡镇百味餐厅",
        "unit",
        "341721100",
        "韩梅",
    ),
    (
        "91341721MA3W1X2Y3X",
        "东至县东流镇鑫源超市",
        "unit",
        "341721101",
        "杨帆",
    ),
    (
        "91341721MA3A2B3C4X",
        "东至县尧渡镇为民五金店",
        "unit",
        "341721100",
        "许亮",
    ),
    (
        "91341721MA3E5F6G7X",
        "东至县东流镇老街烟酒店",
        "unit",
        "341721101",
        "曹军",
    ),
    (
        "91341721MA3H8J9K1X",
        "东至县大渡口镇顺发农资店",
        "unit",
        "341721102",
        "彭飞",
    ),
];

/// A demo credit code: its first 17 characters with their correct check character.
pub(crate) fn with_check_character(first17: &str) -> String {
    let c = domain::uscc::check_character(first17.as_bytes()).expect("17 valid characters");
    format!("{first17}{c}")
}

pub async fn seed_demo_accounts(store: &Store) -> Result<(), AppError> {
    for (i, (login, name, role, area)) in STAFF.iter().enumerate() {
        if store.account_by_login(login).await?.is_some() {
            continue;
        }
        let input = StaffInput {
            login: login.to_string(),
            display_name: name.to_string(),
            role: role.to_string(),
            area: area.to_string(),
            mobile: format!("1390566{i:04}"),
            member_unit: if *role == "member_unit_staff" {
                "amr".into()
            } else {
                String::new()
            },
        };
        create_staff(
            store,
            Provisioner::Operator("demo-seed"),
            &input,
            DEMO_PASSWORD,
        )
        .await?;
    }
    // Each organisation registers as it would on the registration page.
    let visitor = app::usecases::public::Visitor::new("fangxin-tools".into());
    for (i, (code, name, category, township, contact)) in ORGANISATIONS.iter().enumerate() {
        // The demo codes are made up; give each its correct check character.
        let code = with_check_character(&code[..17]);
        if store.account_by_login(&code).await?.is_some() {
            continue;
        }
        let input = RegistrationInput {
            credit_code: code,
            name: name.to_string(),
            category: category.to_string(),
            township: township.to_string(),
            contact_name: contact.to_string(),
            mobile: format!("1385566{i:04}"),
            password: DEMO_PASSWORD.into(),
            password_confirm: DEMO_PASSWORD.into(),
        };
        register(store, &visitor, &input).await?;
    }
    Ok(())
}
