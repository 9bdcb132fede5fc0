//! The home page: the open batch, the four categories and the plan's seven steps.

use crate::errors::AppError;
use crate::format;
use crate::i18n::{pick, t, use_locale, Msg};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HomeOverview {
    pub batch: Option<BatchView>,
    pub categories: Vec<CategoryView>,
    pub figures: PublicFigures,
}

/// The campaign's key public figures: units whose plaque is valid today, and this year's
/// complaints with two of the three rates (computed by `domain::rates`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicFigures {
    pub year: i32,
    pub recognised: i64,
    pub counts: domain::rates::ComplaintCounts,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchView {
    pub name_zh: String,
    pub name_en: String,
    pub application_opens: String,
    pub application_closes: String,
    pub review_opens: String,
    pub review_closes: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnitName {
    pub zh: String,
    pub en: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryView {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub description_zh: String,
    pub description_en: String,
    pub lead: Vec<UnitName>,
    pub cooperating: Vec<UnitName>,
}

#[server(prefix = "/api", endpoint = "home_overview")]
pub async fn fetch_home_overview() -> Result<HomeOverview, AppError> {
    ssr::home_overview().await
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;

    #[tracing::instrument(name = "home_overview")]
    pub async fn home_overview() -> Result<HomeOverview, AppError> {
        let store = crate::state::store()?;
        let batch = store
            .open_batch(domain::application::COUNTY)
            .await?
            .map(|b| BatchView {
                name_zh: b.name_zh,
                name_en: b.name_en,
                application_opens: b.application_opens,
                application_closes: b.application_closes,
                review_opens: b.review_opens,
                review_closes: b.review_closes,
            });
        let mut categories = Vec::new();
        for c in store.categories().await? {
            let units = store.member_units_for(&c.code).await?;
            let (lead, cooperating): (Vec<_>, Vec<_>) =
                units.into_iter().partition(|u| u.role == "lead");
            let names = |v: Vec<store::MemberUnitRow>| {
                v.into_iter()
                    .map(|u| UnitName {
                        zh: u.name_zh,
                        en: u.name_en,
                    })
                    .collect()
            };
            categories.push(CategoryView {
                code: c.code,
                name_zh: c.name_zh,
                name_en: c.name_en,
                description_zh: c.description_zh,
                description_en: c.description_en,
                lead: names(lead),
                cooperating: names(cooperating),
            });
        }
        let today = crate::review::common::today(&store).await;
        let (_, recognised) = store
            .directory(&store::county::DirectoryQuery {
                today: today.format("%Y-%m-%d").to_string(),
                limit: 1,
                ..Default::default()
            })
            .await?;
        use chrono::Datelike;
        let counts = store
            .complaint_figures(&store::complaints::ComplaintFilter {
                area: Some(domain::application::COUNTY.to_string()),
                from: Some(format!("{}-01-01", today.year())),
                to: Some(today.format("%Y-%m-%d").to_string()),
                ..Default::default()
            })
            .await?
            .counts;
        Ok(HomeOverview {
            batch,
            categories,
            figures: PublicFigures {
                year: today.year(),
                recognised,
                counts,
            },
        })
    }
}

#[component]
pub fn HomePage() -> impl IntoView {
    let overview = Resource::new_blocking(|| (), |_| fetch_home_overview());
    view! {
        <crate::portal::seo::PublicMeta title=Msg::HomeTitle.pair() description=Msg::HomeLead.pair() path="/"/>
        <section class="hero">
            <h1 class="hero__title">{t(Msg::HomeTitle)}</h1>
            <p class="hero__lead">{t(Msg::HomeLead)}</p>
        </section>
        <Suspense fallback=move || view! { <p class="loading">{t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! { <Overview overview=o/> }.into_any(),
                    Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                }
            })}
        </Suspense>
        <Steps/>
    }
}

#[component]
fn Overview(overview: HomeOverview) -> impl IntoView {
    view! {
        <BatchCard batch=overview.batch/>
        <Figures figures=overview.figures/>
        <section class="section" aria-labelledby="categories-heading">
            <h2 id="categories-heading" class="section__title">{t(Msg::CategoriesHeading)}</h2>
            <p class="section__lead">{t(Msg::CategoriesLead)}</p>
            <ul class="category-grid">
                {overview.categories.into_iter().map(|c| view! { <CategoryCard category=c/> }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn Figures(figures: PublicFigures) -> impl IntoView {
    let locale = use_locale();
    let c = figures.counts;
    let year = figures.year;
    let handling = crate::format::percent(c.handling_rate());
    let satisfaction = crate::format::percent(c.satisfaction_rate());
    view! {
        <section class="section" aria-labelledby="figures-heading" data-testid="public-figures">
            <h2 id="figures-heading" class="section__title">{move || locale.get().pick("创建成效", "The campaign in figures")}</h2>
            <div class="tiles">
                <a class="tile tile--link" href="/units"><p class="tile__label">{move || locale.get().pick("有效示范单位", "Recognised units")}</p><p class="tile__value" data-testid="figure-recognised">{figures.recognised}</p></a>
                <div class="tile"><p class="tile__label">{move || match locale.get() { domain::Locale::ZhCn => format!("{year}年受理投诉"), domain::Locale::En => format!("Complaints accepted in {year}") }}</p><p class="tile__value">{crate::format::thousands(c.accepted as i64)}</p></div>
                <div class="tile"><p class="tile__label">{move || locale.get().pick("投诉处理率", "Handling rate")}</p><p class="tile__value">{handling}</p></div>
                <div class="tile"><p class="tile__label">{move || locale.get().pick("消费者满意率", "Satisfaction rate")}</p><p class="tile__value">{satisfaction}</p></div>
            </div>
            <form method="get" action="/units" class="filters home-search" role="search">
                <label>{move || locale.get().pick("查询示范单位（名称或信用代码）", "Find a recognised unit (name or credit code)")}
                    <input type="search" name="q" maxlength="60"/>
                </label>
                <button class="button button--small">{move || locale.get().pick("查询", "Search")}</button>
            </form>
            <p class="home-links">
                <a href="/notice">{move || locale.get().pick("拟认定名单公示", "Public notices")}</a>
                <a href="/revocations">{move || locale.get().pick("撤销公告", "Revocation notices")}</a>
                <a href="/complain">{move || locale.get().pick("我要投诉", "Make a complaint")}</a>
            </p>
        </section>
    }
}

#[component]
fn BatchCard(batch: Option<BatchView>) -> impl IntoView {
    let locale = use_locale();
    match batch {
        None => view! {
            <section class="batch-card batch-card--none" data-testid="open-batch">
                <p>{t(Msg::NoOpenBatch)}</p>
            </section>
        }
        .into_any(),
        Some(b) => {
            let application = {
                let (from, to) = (b.application_opens.clone(), b.application_closes.clone());
                move || format::date_range(locale.get(), &from, &to)
            };
            let review = {
                let (from, to) = (b.review_opens.clone(), b.review_closes.clone());
                move || format::date_range(locale.get(), &from, &to)
            };
            view! {
                <section class="batch-card" data-testid="open-batch" aria-labelledby="batch-heading">
                    <div class="batch-card__head">
                        <span class="eyebrow">{t(Msg::OpenBatch)}</span>
                        <span class="badge badge--open">{t(Msg::BatchOpenBadge)}</span>
                    </div>
                    <h2 id="batch-heading" class="batch-card__name">{pick(b.name_zh, b.name_en)}</h2>
                    <dl class="batch-card__dates">
                        <div>
                            <dt>{t(Msg::ApplicationWindow)}</dt>
                            <dd>{application}</dd>
                        </div>
                        <div>
                            <dt>{t(Msg::ReviewWindow)}</dt>
                            <dd>{review}</dd>
                        </div>
                    </dl>
                </section>
            }
            .into_any()
        }
    }
}

#[component]
fn CategoryCard(category: CategoryView) -> impl IntoView {
    let locale = use_locale();
    let lead = category.lead.clone();
    let cooperating = category.cooperating.clone();
    let join = move |units: &[UnitName]| {
        let sep = match locale.get() {
            domain::Locale::ZhCn => "、",
            domain::Locale::En => "; ",
        };
        units
            .iter()
            .map(|u| locale.get().pick(&u.zh, &u.en).to_string())
            .collect::<Vec<_>>()
            .join(sep)
    };
    view! {
        <li class=format!("category-card category-card--{}", category.code.clone()) data-category=category.code.clone()>
            <h3 class="category-card__name">{pick(category.name_zh, category.name_en)}</h3>
            <p class="category-card__text">{pick(category.description_zh, category.description_en)}</p>
            <dl class="category-card__units">
                <div>
                    <dt>{t(Msg::LeadUnit)}</dt>
                    <dd>{move || join(&lead)}</dd>
                </div>
                <div>
                    <dt>{t(Msg::CooperatingUnits)}</dt>
                    <dd>{move || join(&cooperating)}</dd>
                </div>
            </dl>
            <p class="category-card__links">
                <a class="category-card__link" href=format!("/indicators?category={}", category.code)>{t(Msg::ViewIndicators)}" →"</a>
                <a class="category-card__link" href="/apply">{move || locale.get().pick("在线申请", "Apply online")}" →"</a>
            </p>
        </li>
    }
}

#[component]
fn Steps() -> impl IntoView {
    let steps = [
        (Msg::Step1, Msg::Step1Text),
        (Msg::Step2, Msg::Step2Text),
        (Msg::Step3, Msg::Step3Text),
        (Msg::Step4, Msg::Step4Text),
        (Msg::Step5, Msg::Step5Text),
        (Msg::Step6, Msg::Step6Text),
        (Msg::Step7, Msg::Step7Text),
    ];
    view! {
        <section class="section" aria-labelledby="steps-heading">
            <h2 id="steps-heading" class="section__title">{t(Msg::StepsHeading)}</h2>
            <ol class="steps">
                {steps
                    .into_iter()
                    .map(|(title, text)| {
                        view! {
                            <li class="steps__item">
                                <h3 class="steps__title">{t(title)}</h3>
                                <p>{t(text)}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </section>
    }
}
