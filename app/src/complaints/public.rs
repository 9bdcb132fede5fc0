//! The consumer's side: the complaint form (reached from the portal, or from a plaque's
//! QR page with the business filled in), the tracking page with the clock and the
//! history, and the one-tap rating link (no login; a signed token; one vote). All
//! server-rendered forms that work without JavaScript.

use super::{ClockLine, ComplaintView, StatusBadge};
use crate::errors::AppError;
use crate::forms::{Loaded, PostNote};
use crate::i18n::{use_locale, Msg};
use crate::layout::Title;
use domain::complaint::{Industry, Rating, Status};
use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

/// The business a plaque's QR code names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaqueUnit {
    pub token: String,
    pub name: String,
    /// The unit's industry (a merchant's is one of the complaint industries).
    pub industry: String,
    pub credit_code: String,
    pub township: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintForm {
    pub unit: Option<PlaqueUnit>,
    pub townships: Vec<super::AreaChoice>,
}

#[server(prefix = "/api", endpoint = "complaint_form")]
#[tracing::instrument(skip_all)]
pub async fn fetch_complaint_form(unit: Option<String>) -> Result<ComplaintForm, AppError> {
    let store = crate::state::store()?;
    let unit = match unit.filter(|t| t.len() == 32 && t.chars().all(|c| c.is_ascii_hexdigit())) {
        Some(token) => store
            .recognition_by_token(&token)
            .await?
            .map(|r| PlaqueUnit {
                token,
                industry: r.industry,
                name: r.organisation_name,
                credit_code: r.credit_code,
                township: r.area_code.get(..9).unwrap_or(&r.area_code).to_string(),
            }),
        None => None,
    };
    let townships = store
        .areas_under(domain::application::COUNTY)
        .await?
        .into_iter()
        .filter(|a| a.level == "township")
        .map(|a| (a.code, a.name_zh, a.name_en))
        .collect();
    Ok(ComplaintForm { unit, townships })
}

crate::notes::notes! {
    pub enum ComplainNote {
        Filed = "filed" => ("投诉已提交。请记下查询码，凭它查看进度；办结后可在此评价。", "Your complaint is in. Note the tracking code: it shows the progress, and you rate the outcome here once it is closed."),
        Unit = "unit" => ("请填写被投诉的商家名称（招牌或营业执照上的名称）。", "Name the business you complain about (its sign or licence name)."),
        CreditCode = "credit_code" => ("统一社会信用代码校验不通过：请核对营业执照上的18位代码，不清楚可以不填。", "The credit code fails its check: copy the 18 characters from the licence, or leave it empty."),
        Township = "township" => ("请选择商家所在的乡镇。", "Choose the township the business is in."),
        Industry = "industry" => ("请选择行业。", "Choose the industry."),
        Name = "name" => ("请填写您的姓名。", "Give your name."),
        Phone = "phone" => ("请填写正确的手机号码（11位），以便商家和我们联系您。", "Give a valid 11-digit mobile number so the business and we can reach you."),
        Summary = "summary" => ("请写明发生了什么（至少 10 个字）：时间、商品或服务、问题。", "Describe what happened (at least 10 characters): when, what you bought, the problem."),
        Busy = "busy" => ("提交过于频繁，请稍后再试。", "Too many submissions: try again in a minute."),
        Code = "code" => ("查询码不正确：查询码以 TS 开头，共 12 位。", "That is not a tracking code: it starts with TS and has 12 characters."),
        State = "state" => ("提交未完成，请重试。", "That did not go through; try again."),
        _ => State,
    }
}

#[component]
pub fn ComplainPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let unit = move || query.with(|q| q.get("unit"));
    let data = Resource::new_blocking(unit, fetch_complaint_form);
    view! {
        <crate::portal::seo::PublicMeta title=("消费投诉", "Make a complaint")
            description=("向东至县市场监管部门投诉消费纠纷，获得查询码跟踪办理进度，办结后评价满意度。", "Complain about a purchase in Dongzhi County: get a tracking code, follow the handling, and rate it when it is closed.")
            path="/complain"/>
        <section class="panel">
            <h1>{move || locale.get().pick("消费投诉", "Make a complaint")}</h1>
            <p class="panel__lead">{move || locale.get().pick(
                "填写后您会得到一个查询码，凭它随时查看办理进度。已认定的放心消费示范单位须在 10 个工作日内与您协商处理。",
                "You get a tracking code to follow your complaint. Recognised trusted-consumption units must settle with you within 10 working days."
            )}</p>
            <PostNote text=ComplainNote::describe testid="complain-note"/>
            <Loaded data view=complain_form/>
            <p class="panel__lead"><a href="/track">{move || locale.get().pick("已投诉？凭查询码查看进度", "Filed already? Follow it with your tracking code")}</a></p>
        </section>
    }
}

fn complain_form(f: ComplaintForm) -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let kept = move |k: &str| query.with_untracked(|q| q.get(k)).unwrap_or_default();
    let chosen_township = kept("township");
    // A complaint filed from a unit's page takes the unit's industry (still changeable).
    let chosen_industry = Some(kept("industry"))
        .filter(|k| !k.is_empty())
        .or_else(|| f.unit.as_ref().map(|u| u.industry.clone()))
        .unwrap_or_default();
    view! {
        <form method="post" action="/complain/file" class="decision" data-testid="complain-form">
            {match f.unit.clone() {
                Some(u) => view! {
                    <input type="hidden" name="plaque" value=u.token.clone()/>
                    <div class="verdict verdict--ok" data-testid="complain-unit">
                        <p class="verdict__status">{u.name.clone()}</p>
                        <p>{move || locale.get().pick("放心消费示范单位 · 统一社会信用代码 ", "Recognised unit · credit code ")}{u.credit_code.clone()}</p>
                    </div>
                }.into_any(),
                None => view! {
                    <label>{move || locale.get().pick("被投诉商家名称", "Business complained about")}
                        <input type="text" name="unit_name" maxlength="100" required value=kept("unit_name")/></label>
                    <label>{move || locale.get().pick("统一社会信用代码（选填）", "Credit code (optional)")}
                        <input type="text" name="unit_credit_code" maxlength="18" autocapitalize="characters" value=kept("unit_credit_code")/></label>
                    <label>{move || locale.get().pick("所在乡镇", "Township")}
                        <select name="township" required>
                            <option value="">{move || locale.get().pick("请选择", "Choose")}</option>
                            {f.townships.iter().map(|(code, zh, en)| {
                                let (zh, en) = (zh.clone(), en.clone());
                                view! { <option value=code.clone() selected=chosen_township == *code>{move || locale.get().pick(&zh, &en).to_string()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                }.into_any(),
            }}
            <label>{move || locale.get().pick("行业", "Industry")}
                <select name="industry" required>
                    <option value="">{move || locale.get().pick("请选择", "Choose")}</option>
                    {super::options::<Industry>(&chosen_industry)}
                </select>
            </label>
            <label>{move || locale.get().pick("您的姓名", "Your name")}
                <input type="text" name="name" maxlength="40" autocomplete="name" required value=kept("name")/></label>
            <label>{move || locale.get().pick("手机号码", "Mobile number")}
                <input type="tel" name="phone" maxlength="20" autocomplete="tel" inputmode="tel" required value=kept("phone")/></label>
            <label>{move || locale.get().pick("发生了什么", "What happened")}
                <textarea name="summary" rows="4" maxlength="2000" required>{crate::forms::textarea_text(kept("summary"))}</textarea></label>
            <label>{move || locale.get().pick("您的诉求（选填：退货、退款、赔偿…）", "What you ask for (optional: return, refund, compensation…)")}
                <input type="text" name="demand" maxlength="200" value=kept("demand")/></label>
            <p class="field__hint">{move || locale.get().pick("您的姓名和电话只用于处理本次投诉，公开页面上会隐去。", "Your name and number are used only to handle this complaint and are masked on every public page.")}</p>
            <button class="button" data-testid="file-complaint">{move || locale.get().pick("提交投诉", "Submit the complaint")}</button>
        </form>
    }
}

// ---- tracking ----------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tracked {
    pub complaint: ComplaintView,
    pub events: Vec<(String, String, String)>,
    /// The one-tap rating link, once closed and not yet rated.
    pub rating_token: Option<String>,
}

#[server(prefix = "/api", endpoint = "tracked_complaint")]
#[tracing::instrument(skip_all)]
pub async fn fetch_tracked(code: String) -> Result<Tracked, AppError> {
    let store = crate::state::store()?;
    let code = domain::complaint::normalise_tracking_code(&code).ok_or(AppError::NotFound)?;
    let c = store
        .complaint_by_code(&code)
        .await?
        .ok_or(AppError::NotFound)?;
    let (cal, today) = (
        crate::review::common::calendar(&store).await?,
        crate::review::common::today(&store).await,
    );
    let names = super::ssr::township_names(&store).await?;
    let rating_token = if c.status == domain::complaint::Status::Closed && c.rating.is_none() {
        Some(store.rating_token(c.id).await?)
    } else {
        None
    };
    let events = store
        .complaint_events(c.id)
        .await?
        .into_iter()
        .map(|e| {
            (
                e.at.get(..10).unwrap_or_default().to_string(),
                e.text_zh,
                e.text_en,
            )
        })
        .collect();
    Ok(Tracked {
        complaint: super::ssr::view_of(c, &cal, today, &names, false),
        events,
        rating_token,
    })
}

#[component]
pub fn TrackPage() -> impl IntoView {
    let locale = use_locale();
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("投诉进度查询", "Follow a complaint"), Msg::AppName.text(locale.get()))/>
        <section class="panel">
            <h1>{move || locale.get().pick("投诉进度查询", "Follow a complaint")}</h1>
            <PostNote text=ComplainNote::describe testid="track-note"/>
            <form method="get" action="/track/find" class="decision" data-testid="track-form">
                <label>{move || locale.get().pick("查询码", "Tracking code")}
                    <input type="text" name="code" maxlength="20" autocapitalize="characters" placeholder="TS…" required/></label>
                <button class="button">{move || locale.get().pick("查询", "Look it up")}</button>
            </form>
            <p><a href="/complain">{move || locale.get().pick("我要投诉", "Make a complaint")}</a></p>
        </section>
    }
}

#[component]
pub fn TrackedPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let code = move || params.with(|p| p.get("code").unwrap_or_default());
    let data = Resource::new_blocking(code, fetch_tracked);
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("投诉进度", "Complaint progress"), Msg::AppName.text(locale.get()))/>
        <Meta name="robots" content="noindex"/>
        <section class="panel">
            <PostNote text=ComplainNote::describe testid="tracked-note"/>
            <Loaded data view=tracked_view/>
        </section>
    }
}

fn tracked_view(t: Tracked) -> impl IntoView {
    let locale = use_locale();
    let c = t.complaint;
    let (izh, ien) = c.industry.name();
    let outcome = c.outcome.map(|o| o.name());
    let rated = c.rating.map(|r| r.name());
    let overdue = c.overdue();
    view! {
        <p class="tracking" data-testid="tracking-code">{move || locale.get().pick("查询码 ", "Tracking code ")}<strong>{c.tracking_code.clone().unwrap_or_default()}</strong></p>
        <h1>{c.unit_name.clone()}</h1>
        <p><StatusBadge status=c.status overdue/></p>
        <ClockLine clock=c.clock.clone()/>
        <dl class="facts">
            <dt>{move || locale.get().pick("投诉人", "Consumer")}</dt><dd>{c.consumer.clone()}{" "}{c.phone.clone()}</dd>
            <dt>{move || locale.get().pick("乡镇 · 行业", "Township · industry")}</dt><dd>{c.township.clone()}{" · "}{move || locale.get().pick(izh, ien)}</dd>
            <dt>{move || locale.get().pick("登记日期", "Received")}</dt><dd>{c.received_on.clone()}</dd>
            <dt>{move || locale.get().pick("投诉内容", "What happened")}</dt><dd>{c.summary.clone()}</dd>
            {(!c.demand.is_empty()).then(|| view! { <dt>{move || locale.get().pick("诉求", "Asks for")}</dt><dd>{c.demand.clone()}</dd> })}
            {outcome.map(|(zh, en)| view! { <dt>{move || locale.get().pick("办结方式", "Outcome")}</dt><dd data-testid="tracked-outcome">{move || locale.get().pick(zh, en)}</dd> })}
            {rated.map(|(zh, en)| view! { <dt>{move || locale.get().pick("您的评价", "Your rating")}</dt><dd data-testid="tracked-rating">{move || locale.get().pick(zh, en)}</dd> })}
        </dl>
        {t.rating_token.map(|token| view! {
            <section class="summary" data-testid="rate-invite">
                <h2>{move || locale.get().pick("请评价本次处理结果", "How was it handled?")}</h2>
                <RatingButtons token/>
            </section>
        })}
        <h2>{move || locale.get().pick("办理经过", "History")}</h2>
        <ol class="timeline" data-testid="timeline">
            {t.events.into_iter().map(|(at, zh, en)| view! {
                <li><span class="timeline__date">{at}</span>{" "}{move || locale.get().pick(&zh, &en).to_string()}</li>
            }).collect_view()}
        </ol>
    }
}

/// The three one-tap buttons, each its own form.
#[component]
fn RatingButtons(token: String) -> impl IntoView {
    let locale = use_locale();
    view! {
        <div class="rating-buttons">
            {[Rating::Satisfied, Rating::BasicallySatisfied, Rating::Dissatisfied].into_iter().map(|r| {
                let (zh, en) = r.name();
                view! {
                    <form method="post" action=format!("/rate/{token}/vote")>
                        <input type="hidden" name="rating" value=r.code()/>
                        <button class=if r == Rating::Dissatisfied { "button button--secondary" } else { "button" } data-testid=format!("rate-{}", r.code())>{move || locale.get().pick(zh, en)}</button>
                    </form>
                }
            }).collect_view()}
        </div>
    }
}

// ---- the rating link -----------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingPage {
    pub token: String,
    pub unit_name: String,
    pub status: Status,
    pub closed_on: Option<String>,
    pub outcome: Option<domain::complaint::Outcome>,
    pub rating: Option<Rating>,
}

#[server(prefix = "/api", endpoint = "rating_page")]
#[tracing::instrument(skip_all)]
pub async fn fetch_rating_page(token: String) -> Result<RatingPage, AppError> {
    let store = crate::state::store()?;
    let c = store
        .complaint_by_rating_token(&token)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(RatingPage {
        token,
        unit_name: c.unit_name,
        status: c.status,
        closed_on: c.closed_on,
        outcome: c
            .outcome
            .as_deref()
            .and_then(domain::complaint::Outcome::parse),
        rating: c.rating.as_deref().and_then(Rating::parse),
    })
}

#[component]
pub fn RatePage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let data = Resource::new_blocking(token, fetch_rating_page);
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("满意度评价", "Rate the handling"), Msg::AppName.text(locale.get()))/>
        <Meta name="robots" content="noindex"/>
        <section class="panel">
            <h1>{move || locale.get().pick("满意度评价", "Rate the handling")}</h1>
            <PostNote text=RateNote::describe testid="rate-note"/>
            <Loaded data view=rating_view/>
        </section>
    }
}

crate::notes::notes! {
    pub enum RateNote {
        Busy = "busy" => ("提交过于频繁，请稍后再试。", "Too many submissions: try again in a minute."),
        Thanks = "thanks" => ("感谢您的评价！", "Thank you for your rating."),
        Already = "already" => ("这件投诉已经评价过，每件投诉只能评价一次。", "This complaint has been rated already: one rating per complaint."),
        Open = "open" => ("投诉办结后才能评价。", "You can rate it once it is closed."),
        Rating = "rating" => ("请选择一个评价。", "Choose a rating."),
        State = "state" => ("提交未完成，请重试。", "That did not go through; try again."),
        _ => State,
    }
}

fn rating_view(p: RatingPage) -> impl IntoView {
    let locale = use_locale();
    let outcome = p.outcome.map(|o| o.name());
    view! {
        <p class="panel__lead">{move || locale.get().pick("被投诉单位：", "Business: ")}<strong>{p.unit_name.clone()}</strong></p>
        {outcome.map(|(zh, en)| view! { <p>{move || locale.get().pick("办结方式：", "Outcome: ")}{move || locale.get().pick(zh, en)}{format!(" · {}", p.closed_on.clone().unwrap_or_default())}</p> })}
        {match (p.status, p.rating) {
            (_, Some(r)) => {
                let (zh, en) = r.name();
                view! { <p class="verdict verdict--ok" data-testid="rated">{move || locale.get().pick("您的评价：", "Your rating: ")}<strong>{move || locale.get().pick(zh, en)}</strong></p> }.into_any()
            }
            (Status::Closed, None) => view! { <RatingButtons token=p.token.clone()/> }.into_any(),
            _ => view! { <p class="empty">{move || locale.get().pick("投诉尚未办结，办结后可在此评价。", "Not closed yet: rate it here once it is.")}</p> }.into_any(),
        }}
    }
}
