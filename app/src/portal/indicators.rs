//! The evaluation indicators of the open batch (分类评价指标), per category: what an
//! applicant will be scored against, readable by anyone before applying.

use crate::errors::AppError;
use crate::i18n::{pick, t, use_locale, Msg};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorsView {
    pub category: String,
    pub version: i64,
    pub basic_points: u32,
    pub bonus_cap: u32,
    pub pass_score: u32,
    pub items: Vec<domain::scoring::Indicator>,
}

#[server(prefix = "/api", endpoint = "indicators")]
pub async fn indicators(category: String) -> Result<Option<IndicatorsView>, AppError> {
    if domain::Category::parse(&category).is_none() {
        return Err(AppError::NotFound);
    }
    let store = crate::state::store()?;
    let Some(batch) = store.open_batch(domain::application::COUNTY).await? else {
        return Ok(None);
    };
    Ok(store
        .indicator_set(batch.id, &category)
        .await?
        .map(|s| IndicatorsView {
            category: s.category_code,
            version: s.version,
            basic_points: s.rules.basic_points,
            bonus_cap: s.rules.bonus_cap,
            pass_score: s.rules.pass_score,
            items: s.items,
        }))
}

#[component]
pub fn IndicatorsPage() -> impl IntoView {
    let query = use_query_map();
    let category = move || {
        query
            .with(|q| q.get("category"))
            .filter(|c| domain::Category::parse(c).is_some())
            .unwrap_or_else(|| "unit".to_string())
    };
    let data = Resource::new_blocking(category, indicators);
    let locale = use_locale();
    let canonical = format!(
        "/indicators?category={}",
        query
            .with_untracked(|q| q.get("category"))
            .filter(|c| domain::Category::parse(c).is_some())
            .unwrap_or_else(|| "unit".to_string())
    );
    view! {
        <crate::portal::seo::PublicMeta title=Msg::IndicatorsTitle.pair() description=Msg::IndicatorsLead.pair() path=canonical/>
        <section class="panel">
            <h1>{t(Msg::IndicatorsTitle)}</h1>
            <p class="panel__lead">{t(Msg::IndicatorsLead)}</p>
            <nav class="tabs" aria-label=t(Msg::CategoriesHeading)>
                {domain::Category::ALL.into_iter().map(|c| {
                    let (zh, en) = c.name();
                    let current = move || category() == c.code();
                    view! {
                        <a href=format!("/indicators?category={}", c.code())
                            class="tabs__tab" class:tabs__tab--current=current
                            aria-current=move || current().then_some("page")>
                            {move || locale.get().pick(zh, en).to_string()}
                        </a>
                    }
                }).collect_view()}
            </nav>
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(Some(v)) => view! { <IndicatorTable view=v/> }.into_any(),
                        Ok(None) => view! { <p>{t(Msg::NoOpenBatch)}</p> }.into_any(),
                        Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn IndicatorTable(view: IndicatorsView) -> impl IntoView {
    use domain::scoring::ItemKind;
    let locale = use_locale();
    let summary = {
        let (b, c, p) = (view.basic_points, view.bonus_cap, view.pass_score);
        move || match locale.get() {
            domain::Locale::ZhCn => {
                format!("基本分 {b} 分，加分最多 {c} 分，{p} 分及以上且无否决项为通过。")
            }
            domain::Locale::En => format!(
                "{b} basic points, bonus up to {c}; {p} or more with no veto item breached passes."
            ),
        }
    };
    view! {
        <p class="indicators__summary" data-testid="indicators-summary">{summary}</p>
        <div class="table-wrap" tabindex="0">
            <table class="table table--wrap" data-testid="indicators-table">
                <thead><tr>
                    <th>{t(Msg::IndicatorGroup)}</th><th>{t(Msg::IndicatorText)}</th>
                    <th>{t(Msg::IndicatorPoints)}</th><th>{t(Msg::IndicatorEvidence)}</th>
                </tr></thead>
                <tbody>
                    {view.items.into_iter().map(|i| {
                        let kind = i.kind;
                        let points = move || match kind {
                            ItemKind::Basic => i.max_points.to_string(),
                            ItemKind::Bonus => format!("+{}", i.max_points),
                            ItemKind::Veto => Msg::IndicatorVeto.text(locale.get()).to_string(),
                        };
                        view! {
                            <tr class=format!("indicator indicator--{}", kind.code())>
                                <td>{pick(i.group_zh, i.group_en)}</td>
                                <td>{pick(i.text_zh, i.text_en)}</td>
                                <td class="num">{points}</td>
                                <td>{i.evidence_required.then(|| t(Msg::IndicatorEvidenceNeeded))}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
