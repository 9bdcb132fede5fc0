//! (server only) The demo directory: a county's worth of recognised units for the
//! public pages, each taken through the product's use cases as any application is.

use super::County;
use crate::bench::err;
use crate::demo::accounts::{with_check_character, DEMO_PASSWORD};
use crate::demo::applications::{draft_up_to, submit, Applying};
use app::accounts::validate::RegistrationInput;
use domain::application::Step;
use store::objects::ObjectStore;
use store::Store;

/// Recognised in the 2026 National Day notice, so the public directory has a county's
/// worth of units: (credit code's first 17, registered name, category, township,
/// industry, shop-front name, address).
const DIRECTORY: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
    (
        "91341721MD0000011",
        "东至县尧渡镇百佳超市有限公司",
        "unit",
        "341721100",
        "retail",
        "百佳超市",
        "建设中路128号",
    ),
    (
        "91341721MD0000029",
        "东至县金鼎大酒店有限公司",
        "unit",
        "341721100",
        "catering",
        "金鼎大酒店",
        "东至大道66号",
    ),
    (
        "91341721MD0000037",
        "东至县尧渡镇老徽州菜馆",
        "unit",
        "341721100",
        "catering",
        "老徽州菜馆",
        "人民路15号",
    ),
    (
        "91341721MD0000045",
        "东至县众信汽车销售服务有限公司",
        "unit",
        "341721100",
        "vehicles",
        "众信汽车4S店",
        "经济开发区纬三路8号",
    ),
    (
        "91341721MD0000053",
        "东至县东流镇菊香农家菜馆",
        "unit",
        "341721101",
        "catering",
        "菊香农家菜",
        "陶公祠路9号",
    ),
    (
        "91341721MD0000061",
        "东至县东流镇惠家超市",
        "unit",
        "341721101",
        "retail",
        "惠家超市",
        "东流老街23号",
    ),
    (
        "91341721MD0000070",
        "东至县大渡口镇江鲜酒楼",
        "unit",
        "341721102",
        "catering",
        "江鲜酒楼",
        "沿江路41号",
    ),
    (
        "91341721MD0000088",
        "东至县大渡口镇万家福商贸有限公司",
        "unit",
        "341721102",
        "retail",
        "万家福购物广场",
        "大渡口大道102号",
    ),
    (
        "91341721MD0000096",
        "东至县胜利镇顺发超市",
        "unit",
        "341721103",
        "retail",
        "顺发超市",
        "胜利街56号",
    ),
    (
        "91341721MD0000107",
        "东至县张溪镇山里人家农庄",
        "unit",
        "341721104",
        "catering",
        "山里人家",
        "张溪村七组",
    ),
    (
        "91341721MD0000115",
        "东至县洋湖镇好邻居便利店",
        "unit",
        "341721105",
        "retail",
        "好邻居便利店",
        "洋湖街道18号",
    ),
    (
        "91341721MD0000123",
        "东至县葛公镇悦来宾馆",
        "unit",
        "341721106",
        "catering",
        "悦来宾馆",
        "葛公镇政府路3号",
    ),
    (
        "91341721MD0000131",
        "东至县香隅镇平价大药房",
        "unit",
        "341721107",
        "medicine",
        "平价大药房",
        "香隅大街77号",
    ),
    (
        "91341721MD0000140",
        "东至县官港镇鑫源家电商行",
        "unit",
        "341721108",
        "appliances",
        "鑫源家电",
        "官港街道29号",
    ),
    (
        "91341721MD0000158",
        "东至县昭潭镇茶香楼",
        "unit",
        "341721109",
        "catering",
        "茶香楼",
        "昭潭街12号",
    ),
    (
        "91341721MD0000166",
        "东至县龙泉镇绿色农资店",
        "unit",
        "341721110",
        "farming",
        "绿色农资店",
        "龙泉街道6号",
    ),
    (
        "12341721MD0000174",
        "东至县尧渡老街管理委员会",
        "street",
        "341721100",
        "pedestrian",
        "尧渡老街",
        "尧渡老街",
    ),
    (
        "12341721MD0000182",
        "东至县东流古镇街区管理办公室",
        "street",
        "341721101",
        "scenic",
        "东流古镇",
        "东流古镇街区",
    ),
    (
        "12341721MD0000190",
        "东至县滨江农贸市场管理有限公司",
        "street",
        "341721100",
        "market",
        "滨江农贸市场",
        "滨江路1号",
    ),
    (
        "51341721MD0000201",
        "东至县餐饮行业协会",
        "association",
        "341721100",
        "catering",
        "县餐协",
        "建设中路88号",
    ),
    (
        "51341721MD000021X",
        "东至县家装行业商会",
        "association",
        "341721100",
        "decoration",
        "家装商会",
        "东至大道200号",
    ),
    (
        "54341721MD0000228",
        "东至县东流镇菊江村民委员会",
        "village",
        "341721101",
        "agritourism",
        "菊江村",
        "东流镇菊江村",
    ),
    (
        "54341721MD0000236",
        "东至县葛公镇汪村村民委员会",
        "village",
        "341721106",
        "homestay",
        "汪村",
        "葛公镇汪村",
    ),
    (
        "54341721MD0000244",
        "东至县尧渡镇城东社区居民委员会",
        "village",
        "341721100",
        "community",
        "城东社区",
        "尧渡镇城东社区",
    ),
];

/// Whether a unit of the directory has not registered yet.
pub(super) async fn has_work(store: &Store) -> Result<bool, String> {
    for (prefix, ..) in DIRECTORY {
        let code = with_check_character(prefix);
        if store.account_by_login(&code).await.map_err(err)?.is_none() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The directory's units register, apply and are passed by their township and the panel
/// (each through the product's use cases, as its people would): their applications, for
/// the National Day notice. Scores run from 88 to 94.
pub(super) async fn seed_directory(
    store: &Store,
    objects: &ObjectStore,
    county: &mut County,
    batch: &store::batches::Batch,
) -> Result<Vec<i64>, String> {
    store.ensure_indicator_sets(batch.id).await.map_err(err)?;
    let visitor = app::usecases::public::Visitor::new("fangxin-tools".into());
    let mut passed = Vec::new();
    for (prefix, name, category, area, industry, brand, address) in DIRECTORY {
        let code = with_check_character(prefix);
        if store.account_by_login(&code).await.map_err(err)?.is_some() {
            continue; // loaded before
        }
        let input = RegistrationInput {
            credit_code: code.clone(),
            name: name.to_string(),
            category: category.to_string(),
            township: area.to_string(),
            contact_name: "张敏".into(),
            mobile: "13855660000".into(),
            password: DEMO_PASSWORD.into(),
            password_confirm: DEMO_PASSWORD.into(),
        };
        app::usecases::accounts::register(store, &visitor, &input)
            .await
            .map_err(err)?;
        let (Some(org), Some(set), Some(cat)) = (
            store
                .organisation_by_credit_code(&code)
                .await
                .map_err(err)?,
            store.indicator_set(batch.id, category).await.map_err(err)?,
            domain::Category::parse(category),
        ) else {
            continue;
        };
        let mut draft = draft_up_to(&org, cat, &set, Step::Review);
        let identity = draft.sections.entry("identity".into()).or_default();
        identity.insert("brand_name".into(), brand.to_string());
        identity.insert("industry".into(), industry.to_string());
        identity.insert("address".into(), address.to_string());
        let applying = Applying {
            code: &code,
            set: &set,
            draft: &draft,
            reached: Step::Review,
        };
        let (applicant, id) = applying.started(store, objects).await?;
        submit(store, &applicant, id).await?;
        // Every member gives the same score: 88, 89, … 94 points, round the units.
        let basic: u32 = set
            .items
            .iter()
            .filter(|i| i.kind == domain::scoring::ItemKind::Basic)
            .map(|i| i.max_points)
            .sum();
        let short = basic.saturating_sub(88 + passed.len() as u32 % 7);
        county.passes(store, area, id, &set, [short; 3]).await?;
        passed.push(id);
    }
    Ok(passed)
}
