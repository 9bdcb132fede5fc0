//! Reference data every installation needs: the area tree, the four categories
//! with the plan's descriptions, and the member units (牵头单位 / 配合单位).
//!
//! `seed_reference_data` upserts, so it runs at every start-up and corrects names
//! without touching anything the county office created.

use crate::{Store, StoreResult};
use domain::application::COUNTY;
use serde::{Deserialize, Serialize};
use sqlx::Row;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaRow {
    pub code: String,
    pub parent_code: Option<String>,
    pub level: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryRow {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub description_zh: String,
    pub description_en: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberUnitRow {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// `lead` or `cooperating`, for the category asked about.
    pub role: String,
}

/// (code, parent, level, 中文, English)
const AREAS: &[(&str, Option<&str>, &str, &str, &str)] = &[
    ("34", None, "province", "安徽省", "Anhui Province"),
    ("3417", Some("34"), "city", "池州市", "Chizhou City"),
    (
        "341702",
        Some("3417"),
        "county",
        "贵池区",
        "Guichi District",
    ),
    ("341721", Some("3417"), "county", "东至县", "Dongzhi County"),
    ("341722", Some("3417"), "county", "石台县", "Shitai County"),
    (
        "341723",
        Some("3417"),
        "county",
        "青阳县",
        "Qingyang County",
    ),
    (
        "341721100",
        Some(COUNTY),
        "township",
        "尧渡镇",
        "Yaodu Town",
    ),
    (
        "341721101",
        Some(COUNTY),
        "township",
        "东流镇",
        "Dongliu Town",
    ),
    (
        "341721102",
        Some(COUNTY),
        "township",
        "大渡口镇",
        "Dadukou Town",
    ),
    (
        "341721103",
        Some(COUNTY),
        "township",
        "胜利镇",
        "Shengli Town",
    ),
    (
        "341721104",
        Some(COUNTY),
        "township",
        "张溪镇",
        "Zhangxi Town",
    ),
    (
        "341721105",
        Some(COUNTY),
        "township",
        "洋湖镇",
        "Yanghu Town",
    ),
    (
        "341721106",
        Some(COUNTY),
        "township",
        "葛公镇",
        "Gegong Town",
    ),
    (
        "341721107",
        Some(COUNTY),
        "township",
        "香隅镇",
        "Xiangyu Town",
    ),
    (
        "341721108",
        Some(COUNTY),
        "township",
        "官港镇",
        "Guangang Town",
    ),
    (
        "341721109",
        Some(COUNTY),
        "township",
        "昭潭镇",
        "Zhaotan Town",
    ),
    (
        "341721110",
        Some(COUNTY),
        "township",
        "龙泉镇",
        "Longquan Town",
    ),
    ("341721111", Some(COUNTY), "township", "泥溪镇", "Nixi Town"),
    (
        "341721200",
        Some(COUNTY),
        "township",
        "花园乡",
        "Huayuan Township",
    ),
    (
        "341721201",
        Some(COUNTY),
        "township",
        "木塔乡",
        "Muta Township",
    ),
    (
        "341721202",
        Some(COUNTY),
        "township",
        "青山乡",
        "Qingshan Township",
    ),
    (
        "341721400",
        Some(COUNTY),
        "township",
        "东至经济开发区",
        "Dongzhi Economic Development Zone",
    ),
    (
        "341721401",
        Some(COUNTY),
        "township",
        "大渡口经济开发区",
        "Dadukou Economic Development Zone",
    ),
];

/// (code, 中文描述, English description), in the plan's words (重点任务 一 to 四).
const CATEGORY_DESCRIPTIONS: &[(&str, &str, &str)] = &[
    (
        "unit",
        "商场、超市、公用企业、汽车4S店等从事生活性消费品销售或提供生活性服务的经营主体，以及农业龙头企业、直接面向最终消费者的工业企业。",
        "Businesses that sell consumer goods or everyday services — malls, supermarkets, utilities, car 4S dealers — plus leading agricultural firms and manufacturers selling to consumers.",
    ),
    (
        "street",
        "综合商业街、特色商业街、商贸功能区、专业市场、商业综合体、景区等，由其经营管理主体申报；须建立消费投诉处理制度，探索赔偿先付、线下无理由退货。",
        "Commercial and specialty streets, trading zones, specialised markets, complexes and scenic areas, applied for by their management body; they need a complaint-handling system and move toward advance compensation and offline no-reason returns.",
    ),
    (
        "association",
        "在民政部门登记的行业协会或在工商联登记的商会，涵盖金融、医药、家装、餐饮、物业、家政、保安、快递等行业；完善行业自律、纠纷快处机制。",
        "Industry associations registered with civil affairs and chambers under the federation of industry and commerce — finance, medicine, home decoration, catering, property, housekeeping, security, express delivery — with self-discipline rules and fast dispute handling.",
    ),
    (
        "village",
        "农村家宴、乡村民宿、农家乐、农村食杂店等农村经营主体所在的乡村和社区，与美丽乡村重点示范村创建衔接，打造农村电商平台、网点和网销品牌。",
        "Villages and communities with rural banquets, homestays, agritourism and village grocery stores, linked to the beautiful-village programme and building rural e-commerce points and brands.",
    ),
];

/// (code, 中文, English), in the plan's order.
const MEMBER_UNITS: &[(&str, &str, &str)] = &[
    (
        "amr",
        "县市场监管局",
        "County Administration for Market Regulation",
    ),
    (
        "ndrc",
        "县发改委",
        "County Development and Reform Commission",
    ),
    (
        "sti",
        "县科经局",
        "County Bureau of Science, Technology and Economy",
    ),
    (
        "agri",
        "县农业农村局",
        "County Bureau of Agriculture and Rural Affairs",
    ),
    (
        "housing",
        "县住建局",
        "County Bureau of Housing and Urban-Rural Development",
    ),
    (
        "culture",
        "县文旅局",
        "County Bureau of Culture and Tourism",
    ),
    ("transport", "县交通运输局", "County Bureau of Transport"),
    ("finance", "县政府金融办", "County Financial Affairs Office"),
    ("postal", "县邮政管理局", "County Postal Administration"),
    ("police", "县公安局", "County Public Security Bureau"),
    ("civil", "县民政局", "County Bureau of Civil Affairs"),
    ("health", "县卫健委", "County Health Commission"),
    (
        "revital",
        "县乡村振兴局",
        "County Rural Revitalisation Bureau",
    ),
];

/// Which member units cooperate on which category, as the plan lists them.
/// The market-regulation bureau leads all four.
const COOPERATING: &[(&str, &[&str])] = &[
    (
        "unit",
        &[
            "ndrc",
            "sti",
            "agri",
            "housing",
            "culture",
            "transport",
            "finance",
            "postal",
        ],
    ),
    ("street", &["sti", "culture"]),
    (
        "association",
        &[
            "police", "civil", "health", "sti", "housing", "finance", "postal",
        ],
    ),
    ("village", &["agri", "revital", "culture"]),
];

impl Store {
    /// Upserts the area tree, categories and member units. Idempotent.
    pub async fn seed_reference_data(&self) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        for (i, (code, parent, level, zh, en)) in AREAS.iter().enumerate() {
            sqlx::query(
                "INSERT INTO areas (code, parent_code, level, name_zh, name_en, sort_order) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (code) DO UPDATE SET parent_code = excluded.parent_code, \
                 level = excluded.level, name_zh = excluded.name_zh, name_en = excluded.name_en, \
                 sort_order = excluded.sort_order",
            )
            .bind(*code)
            .bind(*parent)
            .bind(*level)
            .bind(*zh)
            .bind(*en)
            .bind(i as i64)
            .execute(&mut *tx)
            .await?;
        }
        for (i, category) in domain::Category::ALL.into_iter().enumerate() {
            let (zh, en) = category.name();
            let (_, dzh, den) = CATEGORY_DESCRIPTIONS
                .iter()
                .find(|(c, _, _)| *c == category.code())
                .expect("every category has a description");
            sqlx::query(
                "INSERT INTO categories (code, name_zh, name_en, description_zh, description_en, sort_order) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, \
                 description_zh = excluded.description_zh, description_en = excluded.description_en, \
                 sort_order = excluded.sort_order",
            )
            .bind(category.code())
            .bind(zh)
            .bind(en)
            .bind(*dzh)
            .bind(*den)
            .bind(i as i64)
            .execute(&mut *tx)
            .await?;
        }
        for (i, (code, zh, en)) in MEMBER_UNITS.iter().enumerate() {
            sqlx::query(
                "INSERT INTO member_units (code, area_code, name_zh, name_en, sort_order) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, \
                 name_en = excluded.name_en, sort_order = excluded.sort_order",
            )
            .bind(*code)
            .bind(COUNTY)
            .bind(*zh)
            .bind(*en)
            .bind(i as i64)
            .execute(&mut *tx)
            .await?;
        }
        for (category, cooperating) in COOPERATING {
            let roles = std::iter::once(("amr", "lead"))
                .chain(cooperating.iter().map(|u| (*u, "cooperating")));
            for (unit, role) in roles {
                sqlx::query(
                    "INSERT INTO category_member_units (category_code, member_unit_code, role) \
                     VALUES ($1, $2, $3) \
                     ON CONFLICT (category_code, member_unit_code) DO UPDATE SET role = excluded.role",
                )
                .bind(*category)
                .bind(unit)
                .bind(role)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        self.ensure_open_batch().await?;
        Ok(())
    }

    /// The direct children of an area; `None` gives the provinces.
    pub async fn area_children(&self, parent: Option<&str>) -> StoreResult<Vec<AreaRow>> {
        let rows = match parent {
            Some(p) => {
                sqlx::query(
                    "SELECT code, parent_code, level, name_zh, name_en FROM areas \
                     WHERE parent_code = $1 ORDER BY sort_order",
                )
                .bind(p)
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query(
                    "SELECT code, parent_code, level, name_zh, name_en FROM areas \
                     WHERE parent_code IS NULL ORDER BY sort_order",
                )
                .fetch_all(self.pool())
                .await?
            }
        };
        Ok(rows.iter().map(area_from_row).collect())
    }

    /// An area and everything below it, in tree order.
    pub async fn areas_under(&self, code: &str) -> StoreResult<Vec<AreaRow>> {
        let rows = sqlx::query(
            "SELECT code, parent_code, level, name_zh, name_en FROM areas \
             WHERE code LIKE $1 ORDER BY sort_order",
        )
        .bind(format!("{code}%"))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(area_from_row).collect())
    }

    pub async fn area(&self, code: &str) -> StoreResult<Option<AreaRow>> {
        let row = sqlx::query(
            "SELECT code, parent_code, level, name_zh, name_en FROM areas WHERE code = $1",
        )
        .bind(code)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(area_from_row))
    }

    pub async fn categories(&self) -> StoreResult<Vec<CategoryRow>> {
        let rows = sqlx::query(
            "SELECT code, name_zh, name_en, description_zh, description_en FROM categories \
             ORDER BY sort_order",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| CategoryRow {
                code: r.get("code"),
                name_zh: r.get("name_zh"),
                name_en: r.get("name_en"),
                description_zh: r.get("description_zh"),
                description_en: r.get("description_en"),
            })
            .collect())
    }

    /// Every member unit, in the plan's order (`role` is empty here).
    pub async fn member_units(&self) -> StoreResult<Vec<MemberUnitRow>> {
        let rows = sqlx::query(
            "SELECT code, name_zh, name_en, '' AS role FROM member_units ORDER BY sort_order",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| MemberUnitRow {
                code: r.get("code"),
                name_zh: r.get("name_zh"),
                name_en: r.get("name_en"),
                role: r.get("role"),
            })
            .collect())
    }

    /// The lead and cooperating units for a category, lead first.
    pub async fn member_units_for(&self, category: &str) -> StoreResult<Vec<MemberUnitRow>> {
        let rows = sqlx::query(
            "SELECT m.code, m.name_zh, m.name_en, c.role FROM category_member_units c \
             JOIN member_units m ON m.code = c.member_unit_code \
             WHERE c.category_code = $1 ORDER BY c.role DESC, m.sort_order",
        )
        .bind(category)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| MemberUnitRow {
                code: r.get("code"),
                name_zh: r.get("name_zh"),
                name_en: r.get("name_en"),
                role: r.get("role"),
            })
            .collect())
    }
}

fn area_from_row(r: &sqlx::any::AnyRow) -> AreaRow {
    AreaRow {
        code: r.get("code"),
        parent_code: r.get("parent_code"),
        level: r.get("level"),
        name_zh: r.get("name_zh"),
        name_en: r.get("name_en"),
    }
}
