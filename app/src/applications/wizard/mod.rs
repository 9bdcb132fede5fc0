//! The wizard's pages: one server-rendered step at a time, `/apply/{id}/{step}`.
//!
//! Every step is a real `<form method="post">`: without JavaScript the browser posts
//! it and the server answers with the next page. With the WASM loaded the same form
//! is autosaved as the user types and moved on without a page load (`client`).

use super::text::{self, size};
use super::{load_wizard, state_text, EvidenceView, WizardData};
use crate::accounts::TownshipOption;
use crate::i18n::{pick, t, use_locale, Msg};
use crate::layout::Title;
use domain::application::{self as form, FieldKind, FieldSpec, Step};
use domain::scoring::Indicator as ItemView;
use domain::scoring::ItemKind;
use domain::Locale;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use std::collections::{BTreeMap, BTreeSet};

mod assessment;
mod evidence;
mod fields;
mod review;

use assessment::*;
use evidence::*;
use fields::*;
pub use review::*;

/// A bilingual literal, reactive to the language switch.
fn tr(
    zh: &'static str,
    en: &'static str,
) -> impl Fn() -> &'static str + Clone + Send + Sync + 'static {
    let locale = use_locale();
    move || locale.get().pick(zh, en)
}

/// What the autosave indicator shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaveStatus {
    /// Nothing changed since the page loaded.
    Idle,
    Saving,
    /// Saved on the server at this local time.
    Saved(String),
    /// The network is down: the changes wait in this browser and are sent when it is back.
    Offline,
    /// The server refused or failed; retrying.
    Failed,
}

/// The state one step's form shares with its fields and the browser-side autosave.
#[derive(Clone, Copy)]
pub struct StepCtx {
    pub app_id: i64,
    pub step: Step,
    /// Values typed since the page loaded, by field name.
    pub live: RwSignal<BTreeMap<String, String>>,
    /// Fields the user has left at least once.
    pub touched: RwSignal<BTreeSet<String>>,
    /// Show every problem (after "next" was refused).
    pub check_all: RwSignal<bool>,
    pub status: RwSignal<SaveStatus>,
    pub refetch: Callback<()>,
}

impl StepCtx {
    /// The current value of a field: typed now, or as loaded.
    fn value(&self, name: &str, initial: &str) -> String {
        self.live
            .with(|l| l.get(name).cloned())
            .unwrap_or_else(|| initial.to_string())
    }

    /// Whether a problem of this field should show now. A value saved wrong earlier shows
    /// its problem at once; an empty one only after the user left it or pressed "next".
    fn reveals(&self, name: &str, initial: &str) -> bool {
        self.check_all.get()
            || self.touched.with(|t| t.contains(name))
            || (!initial.trim().is_empty() && self.live.with(|l| !l.contains_key(name)))
    }
}

#[component]
pub fn WizardPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()))
            .unwrap_or(0)
    };
    let step = move || {
        params
            .with(|p| p.get("step").and_then(|s| Step::parse(&s)))
            .unwrap_or(Step::Identity)
    };
    // Each step is drawn on nodes of its own. Redrawing step 2 over step 1's inputs kept
    // what the browser held in them (a typed value, a tick), under step 2's names: it
    // saved a shop name as a licence number and ticked declarations nobody ticked.
    view! {
        <For
            each=move || [(id(), step())]
            key=|k| *k
            children=|(id, step)| view! { <WizardStep id step/> }
        />
    }
}

#[component]
fn WizardStep(id: i64, step: Step) -> impl IntoView {
    let data = Resource::new_blocking(|| (), move |_| load_wizard(id));
    let refetch = Callback::new(move |_| data.refetch());
    view! {
        <Suspense fallback=move || view! { <section class="panel"><p>{t(Msg::Loading)}</p></section> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Wizard data=d step refetch/> }.into_any(),
                    Err(e) => view! {
                        <section class="panel"><crate::forms::PageError error=e/></section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Wizard(data: WizardData, step: Step, refetch: Callback<()>) -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let ctx = StepCtx {
        app_id: data.id,
        step,
        live: RwSignal::new(BTreeMap::new()),
        touched: RwSignal::new(BTreeSet::new()),
        check_all: RwSignal::new(query.with_untracked(|q| q.get("check").is_some())),
        status: RwSignal::new(SaveStatus::Idle),
        refetch,
    };
    let check = data.self_check();
    let (czh, cen) = data.category.name();
    let body = match step {
        Step::Evidence => view! { <EvidenceStep data=data.clone() ctx/> }.into_any(),
        Step::SelfAssessment => view! { <AssessmentStep data=data.clone() ctx/> }.into_any(),
        Step::Review => view! { <ReviewStep data=data.clone()/> }.into_any(),
        _ => view! { <FieldsStep data=data.clone() ctx/> }.into_any(),
    };
    let (szh, sen) = state_text(data.state);
    let banner = |key: &str| query.with_untracked(|q| q.get(key).is_some());
    let error = query.with_untracked(|q| q.get("error"));
    // The title holds only plain values and the app-wide locale: the server renders it after
    // the page, when the route's own signals may already be gone.
    let (tzh, ten) = step.title();
    view! {
        <Title text=move || {
            let l = locale.get();
            format!("{} · {} · {}", l.pick(tzh, ten), Msg::MyApplications.text(l), Msg::AppName.text(l))
        }/>
        <section class="panel wizard" data-testid="wizard" data-step=step.code() data-category=data.category.code()>
            <p class="wizard__org">
                <strong>{data.organisation_name.clone()}</strong>
                " · "{move || locale.get().pick(czh, cen).to_string()}
            </p>
            <StepNav id=data.id current=step check=check.clone() evidence=data.filled_slots()/>
            <h1 class="wizard__title">
                <span class="wizard__count">{move || match locale.get() {
                    Locale::ZhCn => format!("第 {} 步 / 共 {} 步", step.number(), Step::ALL.len()),
                    Locale::En => format!("Step {} of {}", step.number(), Step::ALL.len()),
                }}</span>
                {tr(step.title().0, step.title().1)}
            </h1>
            {data.agent_name.clone().map(|a| view! {
                <p class="alert" data-testid="agent-note">
                    {if data.viewer_is_agent { tr("您正在代为填写：", "You are preparing this for: ") } else { tr("本申报由以下单位代为填写，请核对后确认提交：", "Prepared for you by the following body; check it and confirm: ") }}
                    {if data.viewer_is_agent { data.organisation_name.clone() } else { a }}
                </p>
            })}
            {(!data.editable).then(|| view! {
                <p class="alert alert--ok" data-testid="locked-note">
                    {move || locale.get().pick(szh, sen).to_string()}
                    {data.submitted_at.clone().map(|s| format!(" · {}", crate::format::short_time(&s)))}
                    {(data.handed_over && data.viewer_is_agent).then(|| view! { " · "{tr("已交商户确认", "handed to the merchant to confirm")} })}
                </p>
            })}
            {banner("submitted").then(|| view! {
                <p class="alert alert--ok" role="status" data-testid="submitted">{tr("申报已提交，已进入乡镇初审。提交的内容已存档，不能再修改。", "Submitted: it is now with the township for pre-review. What you submitted is archived and can no longer change.")}</p>
            })}
            {banner("handed_over").then(|| view! {
                <p class="alert alert--ok" role="status">{tr("已交商户确认，商户登录后核对提交。", "Handed over: the merchant signs in, checks and submits it.")}</p>
            })}
            {error.map(|e| {
                let (zh, en) = match e.as_str() {
                    "stale" => ("内容在别处有更新，请核对后再提交。", "It changed elsewhere meanwhile; check it and submit again."),
                    "locked" => ("此申报已提交或已交由他人处理，不能修改。", "This application has been submitted or handed over and cannot change."),
                    _ => ("服务器出了点问题，请稍后重试；您填写的内容没有丢失。", "Something went wrong on the server; please try again. Nothing you entered was lost."),
                };
                view! { <p class="alert alert--error" role="alert" data-testid="wizard-error">{tr(zh, en)}</p> }
            })}
            {data.returned.clone().filter(|_| data.editable).map(|r| {
                let here = r.comments.get(step.code()).cloned();
                view! {
                    <div class="alert alert--error returned" data-testid="returned-note">
                        <strong>{tr("乡镇初审退回，请按意见修改后重新提交：", "Returned by the township; change what it asks and submit again: ")}</strong>
                        {r.summary.clone()}
                        <span class="returned__by">{format!(" · {} · {}", r.reviewer, crate::format::short_time(&r.at))}</span>
                        {here.map(|c| view! { <p class="returned__here" data-testid="returned-here">{tr("本步意见：", "On this step: ")}{c}</p> })}
                    </div>
                }
            })}
            {body}
        </section>
    }
}

#[component]
fn StepNav(id: i64, current: Step, check: form::SelfCheck, evidence: Vec<String>) -> impl IntoView {
    let locale = use_locale();
    view! {
        <nav class="wsteps" aria-label=tr("申报步骤", "Application steps")>
            <ol>
                {Step::ALL.into_iter().map(|s| {
                    let done = match s {
                        Step::Evidence => evidence.iter().any(|e| e == form::LICENCE_SLOT),
                        Step::Review => false,
                        _ => !check.step_problems.iter().any(|(p, _)| *p == s),
                    };
                    let (zh, en) = s.title();
                    view! {
                        <li class="wsteps__item" class:wsteps__item--current=s == current class:wsteps__item--done=done>
                            <a href=format!("/apply/{id}/{}", s.code()) aria-current=(s == current).then_some("step")>
                                <span class="wsteps__num" aria-hidden="true">{if done && s != current { "✓".to_string() } else { s.number().to_string() }}</span>
                                <span class="wsteps__label">{move || locale.get().pick(zh, en).to_string()}</span>
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </nav>
    }
}

/// The autosave indicator (only the browser ever changes it from idle).
#[component]
fn SaveIndicator(ctx: StepCtx) -> impl IntoView {
    let locale = use_locale();
    let text = move || {
        let l = locale.get();
        match ctx.status.get() {
            SaveStatus::Idle => l.pick("修改会自动保存", "Changes are saved automatically").to_string(),
            SaveStatus::Saving => l.pick("正在保存…", "Saving…").to_string(),
            SaveStatus::Saved(at) => format!("{} {at}", l.pick("已保存", "Saved at")),
            SaveStatus::Offline => l
                .pick(
                    "离线：修改已保存在本机，联网后自动同步",
                    "Offline: your changes are kept on this device and sent when the network is back",
                )
                .to_string(),
            SaveStatus::Failed => l
                .pick("暂未保存，正在重试…", "Not saved yet; retrying…")
                .to_string(),
        }
    };
    let kind = move || match ctx.status.get() {
        SaveStatus::Idle => "idle",
        SaveStatus::Saving => "saving",
        SaveStatus::Saved(_) => "saved",
        SaveStatus::Offline => "offline",
        SaveStatus::Failed => "failed",
    };
    view! {
        <p class="save-status" data-state=kind role="status" aria-live="polite" data-testid="save-status">{text}</p>
    }
}

/// The step's `<form>`: posts to the save endpoint, and with the WASM, autosaves.
#[component]
fn StepForm(
    ctx: StepCtx,
    editable: bool,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let form_ref = NodeRef::<leptos::html::Form>::new();
    #[cfg(feature = "hydrate")]
    crate::applications::client::attach(ctx, form_ref);
    let (back, next) = (ctx.step.previous().is_some(), ctx.step.next().is_some());
    view! {
        <form
            node_ref=form_ref
            method="post"
            action=format!("/apply/{}/save", ctx.app_id)
            class="wizard-form"
            data-client=""
            novalidate
            data-testid="wizard-form"
        >
            <input type="hidden" name="step" value=ctx.step.code()/>
            {(editable && ctx.step.has_fields()).then(|| view! { <SaveIndicator ctx/> })}
            <fieldset class="wizard-form__fields" disabled=!editable>
                {children.map(|c| c())}
            </fieldset>
            <div class="wizard-nav">
                {back.then(|| view! {
                    <button type="submit" name="go" value="back" class="button button--secondary" data-testid="back">{tr("上一步", "Back")}</button>
                })}
                {(next && editable).then(|| view! {
                    <button type="submit" name="go" value="next" class="button" data-testid="next">{tr("保存并继续", "Save and continue")}</button>
                })}
                {(next && !editable).then(|| view! {
                    <a class="button" href=format!("/apply/{}/{}", ctx.app_id, ctx.step.next().map(|s| s.code()).unwrap_or("review"))>{tr("下一步", "Next")}</a>
                })}
            </div>
        </form>
    }
}
