//! A recognised unit's public page: its plaque's status, commitments, complaint figures
//! over the last 12 months, a complaint button and the plaque's QR code.

#[cfg(feature = "ssr")]
use super::directory::plaque_status_of;
use super::directory::{industry_label, status_badge};
use crate::errors::AppError;
use crate::i18n::{t, use_locale, Msg};
use domain::notice::PlaqueStatus;
use domain::Category;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

/// A unit's public page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnitProfile {
    pub id: i64,
    pub name: String,
    pub registered_name: String,
    pub credit_code: String,
    pub township: String,
    pub address: String,
    pub category: Category,
    pub industry: String,
    pub certificate_no: String,
    pub recognised_on: String,
    pub valid_until: String,
    pub status: PlaqueStatus,
    pub revoked_on: Option<String>,
    pub revoke_reason: Option<String>,
    /// Field names of the pledge items the unit signed (`PLEDGE_ITEMS`).
    pub pledges: Vec<String>,
    /// Facts from the application that back its commitments.
    pub commitment_facts: Vec<CommitmentFact>,
    /// The 12 months the figures cover, YYYY-MM-DD inclusive.
    pub figures_from: String,
    pub figures_to: String,
    pub counts: domain::rates::ComplaintCounts,
    pub token: String,
    pub verify_url: String,
    pub qr_svg: String,
}

/// One fact behind a unit's commitments (e.g. 七日无理由退货: 是), in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitmentFact {
    pub label: (String, String),
    pub value: (String, String),
}

#[server(prefix = "/api", endpoint = "public_unit")]
#[tracing::instrument(skip_all)]
pub async fn public_unit(id: i64) -> Result<UnitProfile, AppError> {
    use domain::application::{Draft, Step, PLEDGE_ITEMS};
    let store = crate::state::store()?;
    let r = store.recognition(id).await?.ok_or(AppError::NotFound)?;
    let today = crate::review::common::today(&store).await;
    let status = plaque_status_of(&r, today)?;
    let category = Category::parse(&r.category_code).unwrap_or(Category::Unit);
    // The commitments are what the application that was recognised signed and stated.
    let data = store
        .application(r.application_id)
        .await?
        .map(|a| Draft::from_json(&a.data))
        .unwrap_or_default();
    let pledges = PLEDGE_ITEMS
        .iter()
        .filter(|f| matches!(data.value(Step::Pledge, f.name), "on" | "yes"))
        .map(|f| f.name.to_string())
        .collect();
    let commitment_facts = domain::application::fields(category, Step::Facts)
        .iter()
        .filter(|f| {
            matches!(
                f.name,
                "no_reason_returns" | "offline_returns" | "compensation_fund" | "fast_dispute"
            )
        })
        .filter_map(|f| {
            let v = data.value(Step::Facts, f.name);
            (!v.is_empty()).then(|| {
                let value = match (f.kind, v) {
                    (domain::application::FieldKind::YesNo, "yes") => ("是".into(), "Yes".into()),
                    (domain::application::FieldKind::YesNo, _) => ("否".into(), "No".into()),
                    (domain::application::FieldKind::Count { unit, .. }, v) => {
                        (format!("{v} {}", unit.0), format!("{v} {}", unit.1))
                    }
                    (_, v) => (v.to_string(), v.to_string()),
                };
                CommitmentFact {
                    label: (f.label.0.to_string(), f.label.1.to_string()),
                    value,
                }
            })
        })
        .collect();
    let from = (today - chrono::Months::new(12) + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let to = today.format("%Y-%m-%d").to_string();
    let figures = store
        .complaint_figures(&store::complaints::ComplaintFilter {
            organisation_id: Some(r.organisation_id),
            from: Some(from.clone()),
            to: Some(to.clone()),
            ..Default::default()
        })
        .await?;
    let (verify_url, qr_svg) = crate::portal::plaque::plaque_link(&r.token)?;
    Ok(UnitProfile {
        id: r.id,
        name: if r.display_name.is_empty() {
            r.organisation_name.clone()
        } else {
            r.display_name.clone()
        },
        township: crate::portal::notices::township_name(&store, &r.area_code).await,
        registered_name: r.organisation_name,
        credit_code: r.credit_code,
        address: r.address,
        category,
        industry: r.industry,
        certificate_no: r.certificate_no,
        recognised_on: r.recognised_on,
        valid_until: r.valid_until,
        status,
        revoked_on: r.revoked_on,
        revoke_reason: r.revoke_reason,
        pledges,
        commitment_facts,
        figures_from: from,
        figures_to: to,
        counts: figures.counts,
        token: r.token,
        verify_url,
        qr_svg,
    })
}

#[component]
pub fn UnitPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let id = move || {
        params
            .with(|p| p.get("id"))
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let data = Resource::new_blocking(id, public_unit);
    view! {
        <section class="panel">
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(u) => view! { <UnitBody u=u/> }.into_any(),
                        Err(e) => view! {
                            <crate::portal::seo::PublicMeta title=("未找到该单位", "Unit not found") description=("", "") path="/units" noindex=true/>
                            <h1>{move || locale.get().pick("未找到该单位", "Unit not found")}</h1>
                            <p class="alert alert--error" role="alert">{t(e.message())}</p>
                            <p><a href="/units">{move || locale.get().pick("返回示范单位名录", "Back to the directory")}</a></p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn UnitBody(u: UnitProfile) -> impl IntoView {
    use domain::application::PLEDGE_ITEMS;
    let locale = use_locale();
    let (czh, cen) = u.category.name();
    let (izh, ien) = industry_label(Some(u.category), &u.industry);
    let (class, (szh, sen)) = status_badge(u.status);
    let verdict = match u.status {
        PlaqueStatus::Valid => "verdict verdict--ok",
        _ => "verdict verdict--bad",
    };
    let c = u.counts;
    let handling = crate::format::percent(c.handling_rate());
    let satisfaction = crate::format::percent(c.satisfaction_rate());
    let description = (
        format!("{}：东至县放心消费{}，{}。查看承诺、有效期和近 12 个月投诉处理情况。", u.name, czh, u.township),
        format!("{}: a recognised trusted-consumption {} in {}, Dongzhi. Commitments, validity and complaint record.", u.name, cen.to_lowercase(), u.township),
    );
    let title = (u.name.clone(), u.name.clone());
    let path = format!("/units/{}", u.id);
    let valid_until = u.valid_until.clone();
    let recognised_on = u.recognised_on.clone();
    let period = (u.figures_from.clone(), u.figures_to.clone());
    view! {
        <crate::portal::seo::PublicMeta title=title description=description path=path/>
        <p class="breadcrumbs"><a href="/units">{move || locale.get().pick("示范单位名录", "Directory")}</a></p>
        <h1 data-testid="unit-name">{u.name.clone()} " " <span class=class data-testid="unit-status" data-status=u.status.code()>{move || locale.get().pick(szh, sen)}</span></h1>
        {(u.status == PlaqueStatus::Revoked).then(|| view! {
            <div class=verdict role="alert" data-testid="unit-revoked">
                <p class="verdict__status">{move || locale.get().pick("示范称号已撤销", "Recognition revoked")}</p>
                <p>{move || locale.get().pick("撤销日期：", "Revoked on: ")}{u.revoked_on.clone().unwrap_or_default()}</p>
                <p>{move || locale.get().pick("撤销原因：", "Reason: ")}{u.revoke_reason.clone().unwrap_or_default()}</p>
            </div>
        })}
        <dl class="facts" data-testid="unit-facts">
            <dt>{move || locale.get().pick("登记名称", "Registered name")}</dt><dd>{u.registered_name.clone()}</dd>
            <dt>{move || locale.get().pick("统一社会信用代码", "Credit code")}</dt><dd>{u.credit_code.clone()}</dd>
            <dt>{move || locale.get().pick("类别", "Category")}</dt><dd>{move || locale.get().pick(czh, cen)}</dd>
            {(!izh.is_empty()).then(|| view! { <dt>{move || locale.get().pick("行业", "Industry")}</dt><dd>{move || locale.get().pick(izh, ien)}</dd> })}
            <dt>{move || locale.get().pick("地址", "Address")}</dt><dd>{format!("{} {}", u.township, u.address)}</dd>
            <dt>{move || locale.get().pick("证书编号", "Certificate")}</dt><dd>{u.certificate_no.clone()}</dd>
            <dt>{move || locale.get().pick("认定日期", "Recognised on")}</dt><dd>{move || crate::format::date(locale.get(), &recognised_on)}</dd>
            <dt>{move || locale.get().pick("有效期至", "Valid until")}</dt><dd data-testid="unit-valid-until">{move || crate::format::date(locale.get(), &valid_until)}</dd>
        </dl>
        <section class="summary" data-testid="unit-commitments">
            <h2>{move || locale.get().pick("承诺", "Commitments")}</h2>
            {if u.pledges.is_empty() {
                view! { <p class="muted">{move || locale.get().pick("未记录承诺书。", "No signed pledge on record.")}</p> }.into_any()
            } else {
                view! {
                    <ul class="commitments">
                        {PLEDGE_ITEMS.iter().filter(|f| u.pledges.iter().any(|p| p == f.name)).map(|f| {
                            let (zh, en) = f.label;
                            view! { <li>{move || locale.get().pick(zh, en)}</li> }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(!u.commitment_facts.is_empty()).then(|| view! {
                <dl class="facts">
                    {u.commitment_facts.iter().map(|fact| {
                        let CommitmentFact { label: (zh, en), value: (vzh, ven) } = fact.clone();
                        view! {
                            <dt>{move || locale.get().pick(&zh, &en).to_string()}</dt>
                            <dd>{move || locale.get().pick(&vzh, &ven).to_string()}</dd>
                        }
                    }).collect_view()}
                </dl>
            })}
        </section>
        <section class="summary" data-testid="unit-complaints">
            <h2>{move || locale.get().pick("近 12 个月投诉处理情况", "Complaints over the last 12 months")}</h2>
            <p class="muted">{move || crate::format::date_range(locale.get(), &period.0, &period.1)}</p>
            <div class="tiles">
                <div class="tile"><p class="tile__label">{move || locale.get().pick("受理投诉", "Accepted")}</p><p class="tile__value" data-testid="unit-accepted">{c.accepted}</p></div>
                <div class="tile"><p class="tile__label">{move || locale.get().pick("处理率", "Handling rate")}</p><p class="tile__value" data-testid="unit-handling">{handling}</p></div>
                <div class="tile"><p class="tile__label">{move || locale.get().pick("满意率", "Satisfaction")}</p><p class="tile__value" data-testid="unit-satisfaction">{satisfaction}</p></div>
            </div>
            <p class="muted">{move || locale.get().pick("处理率 = 已办结 ÷ 已受理；满意率 = （满意 + 基本满意）÷ 参与评价数。无数据时显示“—”。", "Handling rate = closed ÷ accepted; satisfaction = (satisfied + basically satisfied) ÷ ratings given. “—” means no data.")}</p>
            <p class="verify-actions">
                <a class="button" href=format!("/complain?unit={}", u.token) data-testid="unit-complain">{move || locale.get().pick("投诉这家单位", "Complain about this unit")}</a>
                <a href="/track">{move || locale.get().pick("查询投诉进度", "Follow a complaint")}</a>
            </p>
        </section>
        <section class="summary unit-qr" data-testid="unit-qr">
            <h2>{move || locale.get().pick("牌匾二维码", "The plaque's QR code")}</h2>
            <div class="unit-qr__code" role="img" aria-label=move || locale.get().pick("查验二维码", "Verification QR code") inner_html=u.qr_svg.clone()></div>
            <p><a href=format!("/verify/{}", u.token) data-testid="unit-verify-link">{move || locale.get().pick("打开查验页", "Open the verification page")}</a></p>
        </section>
    }
}
