//! "我的申报": the organisation's applications, starting one, and (for streets,
//! villages and associations) preparing applications for merchants in the township.

use super::{list_my_applications, state_text, ApplicationSummary};
use crate::i18n::{t, use_locale, Msg};
use crate::layout::Title;
use domain::application::Step;
use domain::lifecycle::State;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ApplicationsPage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| list_my_applications());
    let locale = use_locale();
    let query = use_query_map();
    let merchant_error = move || query.with(|q| q.get("merchant_error"));
    view! {
        <Title text=move || format!("{} · {}", Msg::MyApplications.text(locale.get()), Msg::AppName.text(locale.get()))/>
        <section class="panel">
            <h1>{t(Msg::MyApplications)}</h1>
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                        Ok(mine) => {
                            let (czh, cen) = mine.category.name();
                            let can_start = mine.can_start;
                            let batch = mine.batch_name.clone();
                            view! {
                                <p class="panel__lead">
                                    <strong>{mine.organisation_name.clone()}</strong>
                                    " · "{move || locale.get().pick(czh, cen).to_string()}
                                </p>
                                {match batch {
                                    Some((zh, en)) => view! { <p>{t(Msg::OpenBatch)}"："{crate::i18n::pick(zh, en)}</p> }.into_any(),
                                    None => view! { <p class="alert">{t(Msg::NoOpenBatch)}</p> }.into_any(),
                                }}
                                {can_start.then(|| view! {
                                    <form method="post" action="/apply/start" class="start-form">
                                        <button type="submit" class="button button--primary" data-testid="start-application">{t(Msg::StartApplication)}</button>
                                    </form>
                                })}
                                {move || query.with(|q| q.get("proposal")).map(|code| {
                                    let (ok, zh, en) = match code.as_str() {
                                        "removed" => (true, "已删除代办单位为您准备的申报。", "The application prepared for you was removed."),
                                        _ => (false, "您在本批次已有申报，不能再接受代办申报；如需接受，请先删除您自己的草稿。", "You already have an application in this batch: remove your own draft to accept the prepared one."),
                                    };
                                    view! { <p class=if ok { "alert alert--ok" } else { "alert alert--error" } role="status" data-testid="proposal-note">{move || locale.get().pick(zh, en)}</p> }
                                })}
                                <ApplicationList items=mine.applications.clone() empty=Msg::NoApplications own=true/>
                                {mine.is_agent.then(|| view! {
                                    <h2>{t(Msg::PreparedForMerchants)}</h2>
                                    <p class="field__hint">{t(Msg::PrepareForMerchantLead)}</p>
                                    <form method="post" action="/apply/start" class="inline-form" data-testid="prepare-form">
                                        <div class="field" class:field--invalid=move || merchant_error().is_some()>
                                            <label for="merchant">{t(Msg::MerchantCreditCode)}</label>
                                            <input id="merchant" name="merchant" autocapitalize="characters" autocomplete="off" required/>
                                            <p class="field__error" role="alert">{move || merchant_error().map(|c| super::StartRefusal::parse(&c).map_or(Msg::ErrorInternal, super::StartRefusal::msg).text(locale.get()))}</p>
                                        </div>
                                        <button type="submit" class="button">{t(Msg::PrepareForMerchant)}</button>
                                    </form>
                                    <ApplicationList items=mine.prepared.clone() empty=Msg::NoPreparedApplications/>
                                })}
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ApplicationList(
    items: Vec<ApplicationSummary>,
    empty: Msg,
    /// The organisation's own list: what an agent prepared for it can be accepted or removed.
    #[prop(optional)]
    own: bool,
) -> impl IntoView {
    let locale = use_locale();
    if items.is_empty() {
        return view! { <p class="empty">{t(empty)}</p> }.into_any();
    }
    view! {
        <ul class="app-list" data-testid="application-list">
            {items.into_iter().map(|a| {
                let (szh, sen) = state_text(a.state);
                let step = Step::parse(&a.step).unwrap_or(Step::Identity);
                let (pzh, pen) = step.title();
                let editing = a.state.open_to_applicant();
                let href = match (editing, a.state, &a.plaque_token) {
                    (true, _, _) => format!("/apply/{}/{}", a.id, step.code()),
                    (_, State::Rectifying, _) => format!("/rectification/{}", a.id),
                    (_, _, Some(token)) => format!("/certificate/{token}"),
                    _ => format!("/apply/{}/review", a.id),
                };
                let agent = a.agent_name.clone();
                let handed = a.handed_over;
                let id = a.id;
                let proposed = a.state == State::Proposed;
                // The merchant decides about what an agent prepared, until it is submitted.
                let removable = own && agent.is_some() && a.state.unsubmitted();
                view! {
                    <li class="app-list__item" data-state=a.state.code()>
                        <a href=href class="app-list__link">
                            <span class="app-list__name">{a.organisation_name.clone()}</span>
                            <span class=format!("badge badge--{}", a.state.code())>{move || locale.get().pick(szh, sen).to_string()}</span>
                        </a>
                        <span class="app-list__meta">
                            {editing.then(|| view! { {t(Msg::ResumeAt)}" "{move || locale.get().pick(pzh, pen).to_string()}" · " })}
                            {crate::format::short_time(&a.updated_at)}
                            {agent.map(|n| view! { " · "{t(Msg::PreparedBy)}" "{n} })}
                            {handed.then(|| view! { " · "{t(Msg::AwaitingConfirmation)} })}
                        </span>
                        {removable.then(|| view! {
                            <div class="batch-actions" data-testid="proposal-actions">
                                {(own && proposed).then(|| view! {
                                    <form method="post" action=format!("/apply/{id}/accept")>
                                        <button type="submit" class="button button--small" data-testid="accept-proposal">{move || locale.get().pick("接受，由我核对提交", "Accept: I check and submit it")}</button>
                                    </form>
                                })}
                                <form method="post" action=format!("/apply/{id}/remove")>
                                    <crate::forms::ConfirmSubmit
                                        label=("删除代办申报", "Remove the prepared application")
                                        question=("删除后代办单位准备的内容和材料将不再保留。确定删除？", "What the agent prepared, files included, is removed. Remove it?")
                                        act=("确认删除", "Yes, remove it")
                                        testid="remove-proposal"
                                        small=true
                                    />
                                </form>
                            </div>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
