//! A registered business's handling desk (投诉处理台): the complaints against it with the
//! ODR clock (10 working days on the holiday calendar), where it records contacting the
//! consumer, its offer and any advance compensation, and then a settlement or a failure
//! (staff then mediate). Its own three rates sit on top.

use super::{ClockLine, ComplaintView, RatesTiles, RatesView, StatusBadge};
use crate::errors::AppError;
use crate::forms::{Loaded, PostNote};
use crate::i18n::{use_locale, Msg};
use crate::layout::Title;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Desk {
    pub organisation_name: String,
    pub today: String,
    pub rates: RatesView,
    pub open: Vec<ComplaintView>,
    pub closed: Vec<ComplaintView>,
}

#[server(prefix = "/api", endpoint = "complaint_desk")]
#[tracing::instrument(skip_all)]
pub async fn fetch_desk() -> Result<Desk, AppError> {
    use store::complaints::ComplaintFilter;
    let user = crate::accounts::session::require_role(&[domain::Role::Applicant])?;
    let store = crate::state::store()?;
    let org = store
        .account(user.account_id)
        .await?
        .and_then(|a| a.organisation_id)
        .ok_or(AppError::Forbidden)?;
    let organisation_name = crate::review::common::organisation_name(&store, org).await;
    let (cal, today) = (
        crate::review::common::calendar(&store).await?,
        crate::review::common::today(&store).await,
    );
    let names = super::ssr::township_names(&store).await?;
    let mine = ComplaintFilter {
        organisation_id: Some(org),
        ..Default::default()
    };
    let open = store
        .open_complaints(&mine)
        .await?
        .into_iter()
        .map(|c| super::ssr::view_of(c, &cal, today, &names, true))
        .collect();
    let closed = store
        .find_complaints(
            &ComplaintFilter {
                status: Some("closed".into()),
                ..mine.clone()
            },
            50,
            0,
        )
        .await?
        .into_iter()
        .map(|c| super::ssr::view_of(c, &cal, today, &names, false))
        .collect();
    Ok(Desk {
        organisation_name,
        today: today.to_string(),
        rates: super::ssr::rates(&store, &mine).await?,
        open,
        closed,
    })
}

crate::notes::notes! {
    pub enum DeskNote {
        Contact = "contact" => ("已记录与消费者的联系和处理方案。", "Your contact and offer are recorded."),
        Settle = "settle" => ("已记录和解，投诉办结。消费者将收到满意度评价链接。", "Settled and closed. The consumer gets a link to rate it."),
        Fail = "fail" => ("已记录协商未果，市场监管部门将组织调解。", "Recorded that no agreement was reached: the regulator will mediate."),
        Date = "date" => ("联系日期不正确：请选择今天或之前的日期。", "The contact date is wrong: choose today or an earlier day."),
        Offer = "offer" => ("请写明处理方案（如退货退款、赔偿金额）。", "Describe your offer (for example a refund or compensation)."),
        Amount = "amount" => ("金额不正确：请填写不小于 0 的金额，最多两位小数，如 128.50。", "The amount is wrong: write 0 or more with at most two decimals, e.g. 128.50."),
        State = "state" => ("这件投诉已不在协商阶段，请刷新后再试。", "This complaint is no longer with you; reload and try again."),
        _ => State,
    }
}

#[component]
pub fn DeskPage() -> impl IntoView {
    let locale = use_locale();
    let data = Resource::new_blocking(|| (), |_| fetch_desk());
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("投诉处理台", "Complaints desk"), Msg::AppName.text(locale.get()))/>
        <section class="panel">
            <h1>{move || locale.get().pick("投诉处理台", "Complaints desk")}</h1>
            <p class="panel__lead">{move || locale.get().pick(
                "收到投诉后请在 10 个工作日内与消费者协商（在线消费纠纷解决 ODR）；协商不成或超期的，由市场监管部门调解。",
                "Settle each complaint with the consumer within 10 working days (ODR). If you cannot, or time runs out, the regulator mediates."
            )}</p>
            <PostNote text=DeskNote::describe testid="desk-note"/>
            <Loaded data view=desk_view/>
        </section>
    }
}

fn desk_view(d: Desk) -> impl IntoView {
    let locale = use_locale();
    let today = d.today.clone();
    view! {
        <p class="panel__lead"><strong>{d.organisation_name.clone()}</strong></p>
        <RatesTiles rates=d.rates.clone()/>
        <h2>{move || locale.get().pick("待处理", "To handle")}</h2>
        {if d.open.is_empty() {
            view! { <p class="empty" data-testid="desk-empty">{move || locale.get().pick("没有待处理的投诉。", "Nothing to handle.")}</p> }.into_any()
        } else {
            view! {
                <ul class="entry-list" data-testid="desk-open">
                    {d.open.into_iter().map(|c| view! { <OpenComplaint c today=today.clone()/> }).collect_view()}
                </ul>
            }.into_any()
        }}
        <h2>{move || locale.get().pick("已办结", "Closed")}</h2>
        <ul class="entry-list" data-testid="desk-closed">
            {d.closed.into_iter().map(|c| {
                let outcome = c.outcome.map(|o| o.name());
                let rating = c.rating.map(|r| r.name());
                view! {
                    <li class="entry">
                        <p class="entry__name">{c.summary.chars().take(40).collect::<String>()}</p>
                        <p class="entry__meta">{c.consumer.clone()}{format!(" · {} · ", c.closed_on.clone().unwrap_or_default())}
                            {outcome.map(|(zh, en)| move || locale.get().pick(zh, en))}
                            {" · "}{move || match rating { Some((zh, en)) => locale.get().pick(zh, en).to_string(), None => locale.get().pick("未评价", "not rated").to_string() }}
                        </p>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn OpenComplaint(c: ComplaintView, today: String) -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let id = c.id;
    let kept = move |k: &str| {
        query.with_untracked(|q| {
            (q.get("id").as_deref() == Some(&id.to_string()))
                .then(|| q.get(k))
                .flatten()
        })
    };
    let (izh, ien) = c.industry.name();
    let (czh, cen) = c.channel.name();
    view! {
        <li class="entry" id=format!("c{id}") data-testid="desk-complaint">
            <p class="entry__name"><StatusBadge status=c.status overdue=c.overdue()/>{" "}{c.summary.clone()}</p>
            <p class="entry__meta">{move || locale.get().pick(czh, cen)}{format!(" · {} · ", c.received_on)}{move || locale.get().pick(izh, ien)}</p>
            {(!c.demand.is_empty()).then(|| view! { <p>{move || locale.get().pick("诉求：", "Asks for: ")}{c.demand.clone()}</p> })}
            <p>{move || locale.get().pick("消费者：", "Consumer: ")}{c.consumer.clone()}{" "}<a href=format!("tel:{}", c.phone)>{c.phone.clone()}</a></p>
            <ClockLine clock=c.clock.clone()/>
            {c.unit_offer.clone().map(|o| view! { <p data-testid="desk-offer">{move || locale.get().pick("已联系：", "Contacted: ")}{c.unit_contacted_on.clone().unwrap_or_default()}{" · "}{o}</p> })}
            {c.unit_failed.then(|| view! { <p class="alert alert--error">{move || locale.get().pick("已报协商未果，等待调解。", "Reported as not agreed: waiting for mediation.")}</p> })}
            <form method="post" action=format!("/desk/{id}") class="decision">
                <div class="row">
                    <label>{move || locale.get().pick("联系消费者日期", "Contacted on")}
                        <input type="date" name="contacted_on" max=today.clone() value=kept("contacted_on").or(c.unit_contacted_on.clone()).unwrap_or(today.clone())/></label>
                    <label>{move || locale.get().pick("先行赔付（元）", "Advance compensation (yuan)")}
                        <input type="text" inputmode="decimal" name="advance" value=kept("advance").unwrap_or_else(|| if c.advance == "0.00" { String::new() } else { c.advance.clone() })/></label>
                </div>
                <label>{move || locale.get().pick("处理方案", "Your offer")}
                    <input type="text" name="offer" maxlength="200" value=kept("offer").or(c.unit_offer.clone()).unwrap_or_default()/></label>
                <label>{move || locale.get().pick("和解后为消费者挽回的金额（元）", "Amount recovered for the consumer on settling (yuan)")}
                    <input type="text" inputmode="decimal" name="recovered" value=kept("recovered").unwrap_or_default()/></label>
                <div class="actions">
                    <button class="button button--secondary" name="action" value="contact" data-testid="desk-contact">{move || locale.get().pick("记录联系和方案", "Record contact and offer")}</button>
                    <button class="button" name="action" value="settle" data-testid="desk-settle">{move || locale.get().pick("已和解，办结", "Settled: close it")}</button>
                    {(!c.unit_failed).then(|| view! {
                        <button class="button button--secondary" name="action" value="fail" data-testid="desk-fail">{move || locale.get().pick("协商不成，申请调解", "No agreement: ask for mediation")}</button>
                    })}
                </div>
            </form>
        </li>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::DeskNote;
    use crate::review::common::{field, q, text, Applicant, Staff};
    use crate::state::AppState;
    use axum::extract::{Path, State};
    use axum::response::{IntoResponse, Redirect, Response};
    use axum::Form;

    pub async fn act(
        State(state): State<AppState>,
        Path(id): Path<i64>,
        Staff { user, addr, .. }: Staff<Applicant>,
        Form(p): Form<Vec<(String, String)>>,
    ) -> Response {
        use crate::usecases::complaints::{desk_step, DeskRefusal, DeskStep};
        let kept = format!(
            "&id={id}&contacted_on={}&offer={}&advance={}&recovered={}",
            q(&field(&p, "contacted_on")),
            q(&text(&p, "offer", 200)),
            q(&field(&p, "advance")),
            q(&field(&p, "recovered"))
        );
        let refuse = |note: DeskNote| {
            Redirect::to(&format!("{}{kept}#c{id}", note.error_at("/desk"))).into_response()
        };
        let (step, done) = match field(&p, "action").as_str() {
            "contact" => {
                let Ok(on) =
                    chrono::NaiveDate::parse_from_str(&field(&p, "contacted_on"), "%Y-%m-%d")
                else {
                    return refuse(DeskNote::Date);
                };
                let Some(advance_fen) = domain::complaint::parse_yuan(&field(&p, "advance")) else {
                    return refuse(DeskNote::Amount);
                };
                let offer = text(&p, "offer", 200);
                let contact = DeskStep::Contact {
                    on,
                    offer,
                    advance_fen,
                };
                (contact, DeskNote::Contact)
            }
            "settle" => {
                let Some(recovered_fen) = domain::complaint::parse_yuan(&field(&p, "recovered"))
                else {
                    return refuse(DeskNote::Amount);
                };
                (DeskStep::Settle { recovered_fen }, DeskNote::Settle)
            }
            "fail" => (DeskStep::Fail, DeskNote::Fail),
            _ => return refuse(DeskNote::State),
        };
        let actor = crate::usecases::Actor::new(user, addr);
        match desk_step(&state.store, &actor, id, &step).await {
            Ok(Ok(())) => Redirect::to(&format!("{}#c{id}", done.done_at("/desk"))).into_response(),
            Ok(Err(DeskRefusal::Date)) => refuse(DeskNote::Date),
            Ok(Err(DeskRefusal::Offer)) => refuse(DeskNote::Offer),
            Ok(Err(DeskRefusal::State)) => refuse(DeskNote::State),
            Err(e) => {
                tracing::warn!(error = ?e, "desk step not recorded");
                refuse(DeskNote::State)
            }
        }
    }
}
