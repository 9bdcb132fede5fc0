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
    let (szh, sen) = state_text(&data.state);
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
    super::client::attach(ctx, form_ref);
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

#[component]
fn FieldsStep(data: WizardData, ctx: StepCtx) -> impl IntoView {
    let step = ctx.step;
    let specs = form::fields(data.category, step);
    let intro = match step {
        Step::Pledge => Some((
            "放心消费承诺书：本单位自愿参加放心消费创建活动，郑重承诺：",
            "Trusted-consumption pledge: we take part in the campaign of our own will and solemnly promise:",
        )),
        Step::Declaration => Some((
            "本单位声明近两年内：",
            "We declare that in the last 2 years:",
        )),
        Step::Facts => Some((
            "请如实填写本类别的基本情况，评审时将现场核实。",
            "Fill in the facts for this category truthfully; the panel checks them on site.",
        )),
        _ => None,
    };
    let signed_at = (step == Step::Pledge)
        .then(|| data.draft.value(Step::Pledge, "_signed_at").to_string())
        .filter(|s| !s.is_empty());
    let fields = specs
        .into_iter()
        .map(|spec| {
            let initial = data.draft.value(step, spec.name).to_string();
            let tick = (spec.kind == FieldKind::Affirm).then(|| Tick {
                by: form::ticked_by(&data.draft, step, spec.name)
                    .map(|(login, at)| (login.to_string(), at.to_string())),
                agent: data.viewer_is_agent,
            });
            field_view(spec, initial, ctx, &data.townships, tick)
        })
        .collect_view();
    // An agent prepares the rest; the ticks are the applicant's own (one note for all).
    let ticks_for_applicant =
        data.viewer_is_agent && matches!(step, Step::Pledge | Step::Declaration);
    view! {
        {intro.map(|(zh, en)| view! { <p class="wizard__intro">{tr(zh, en)}</p> })}
        {ticks_for_applicant.then(|| view! {
            <p class="alert" data-testid="tick-by-applicant">{tr(
                "以下各项须由申报单位登录本人账号后亲自勾选；您可以先填写签署人或声明人的姓名。",
                "The applicant ticks each of these itself, signed in to its own account; you may fill in the name of the person who signs."
            )}</p>
        })}
        <StepForm ctx editable=data.editable>
            {fields}
            {signed_at.map(|s| view! {
                <p class="signed" data-testid="signed-at">{tr("已签署：", "Signed: ")}{crate::format::short_time(&s)}</p>
            })}
        </StepForm>
    }
}

fn field_id(name: &str) -> String {
    format!("f-{name}")
}

/// A legal tick's record: who ticked it and when, and whether an agent is looking (an
/// agent prepares the rest, but the box is the applicant's to tick).
struct Tick {
    by: Option<(String, String)>,
    agent: bool,
}

/// One field of a plain step, with its label, hint, input and live problem.
fn field_view(
    spec: FieldSpec,
    initial: String,
    ctx: StepCtx,
    townships: &[TownshipOption],
    tick: Option<Tick>,
) -> AnyView {
    let locale = use_locale();
    let name = spec.name;
    let id = field_id(name);
    let err_id = format!("{id}-error");
    let (lzh, len) = spec.label;
    let problem = {
        let initial = initial.clone();
        Memo::new(move |_| {
            let v = ctx.value(name, &initial);
            form::check(&spec, &v).filter(|_| ctx.reveals(name, &initial))
        })
    };
    let invalid = move || problem.get().is_some();
    let error_text = move || {
        problem.get().map(|p| {
            let l = locale.get();
            format!("{}：{}", l.pick(lzh, len), text::problem(p, l))
        })
    };
    let hint = spec
        .hint
        .map(|(zh, en)| view! { <p class="field__hint" id=format!("{id}-hint")>{tr(zh, en)}</p> });
    let label = move || locale.get().pick(lzh, len).to_string();
    let error = view! { <p class="field__error" id=err_id.clone() role="alert">{error_text}</p> };
    match spec.kind {
        FieldKind::Affirm => {
            let Tick { by, agent } = tick.unwrap_or(Tick {
                by: None,
                agent: false,
            });
            let record = by.map(|(login, at)| {
                let at = crate::format::short_time(&at);
                view! {
                    <p class="field__hint" data-testid="ticked-by">
                        {move || match locale.get() {
                            Locale::ZhCn => format!("{login} 于 {at} 勾选"),
                            Locale::En => format!("Ticked by {login} at {at}"),
                        }}
                    </p>
                }
            });
            view! {
                <div class="field field--check" class:field--invalid=move || invalid() && !agent data-field=name>
                    <label class="check">
                        <input type="checkbox" id=id name=name value="on" checked=initial == "on" disabled=agent
                            aria-invalid=move || (invalid() && !agent).to_string() aria-describedby=err_id/>
                        <span>{label}</span>
                    </label>
                    {record}
                    {(!agent).then_some(error)}
                </div>
            }
            .into_any()
        }
        FieldKind::YesNo | FieldKind::Choice(_) if !matches!(spec.kind, FieldKind::Choice(c) if c.len() > 6) =>
        {
            let options: Vec<(&'static str, (&'static str, &'static str))> = match spec.kind {
                FieldKind::Choice(c) => c.to_vec(),
                _ => vec![("yes", ("是", "Yes")), ("no", ("否", "No"))],
            };
            let inline = matches!(spec.kind, FieldKind::YesNo);
            view! {
                <fieldset class="field field--choice" class:field--invalid=invalid data-field=name aria-describedby=err_id>
                    <legend>{label}</legend>
                    {hint}
                    <div class="choices" class:choices--inline=inline>
                        {options.into_iter().map(|(code, (zh, en))| view! {
                            <label class="choice">
                                <input type="radio" name=name value=code checked=initial == code/>
                                <span>{tr(zh, en)}</span>
                            </label>
                        }).collect_view()}
                    </div>
                    {error}
                </fieldset>
            }
            .into_any()
        }
        FieldKind::Choice(_) | FieldKind::Township => {
            let options: Vec<(String, String, String)> = match spec.kind {
                FieldKind::Choice(c) => c
                    .iter()
                    .map(|(code, (zh, en))| (code.to_string(), zh.to_string(), en.to_string()))
                    .collect(),
                _ => townships
                    .iter()
                    .map(|t| (t.code.clone(), t.zh.clone(), t.en.clone()))
                    .collect(),
            };
            view! {
                <div class="field" class:field--invalid=invalid data-field=name>
                    <label for=id.clone()>{label}</label>
                    {hint}
                    <select id=id name=name aria-invalid=move || invalid().to_string() aria-describedby=err_id>
                        <option value="" selected=initial.is_empty()>{tr("请选择", "Choose…")}</option>
                        {options.into_iter().map(|(code, zh, en)| {
                            let selected = initial == code;
                            view! { <option value=code selected=selected>{pick(zh, en)}</option> }
                        }).collect_view()}
                    </select>
                    {error}
                </div>
            }
            .into_any()
        }
        _ => {
            let (input_type, inputmode, autocomplete, caps) = match spec.kind {
                FieldKind::CreditCode => ("text", "text", "off", "characters"),
                FieldKind::Mobile => ("tel", "numeric", "tel", "off"),
                FieldKind::Count { .. } => ("text", "numeric", "off", "off"),
                _ => ("text", "text", "on", "off"),
            };
            let unit = match spec.kind {
                FieldKind::Count { unit, .. } => {
                    Some(view! { <span class="field__unit">{tr(unit.0, unit.1)}</span> })
                }
                _ => None,
            };
            view! {
                <div class="field" class:field--invalid=invalid data-field=name>
                    <label for=id.clone()>{label}</label>
                    {hint}
                    <div class="field__control">
                        <input id=id name=name type=input_type inputmode=inputmode autocomplete=autocomplete
                            autocapitalize=caps value=initial.clone()
                            aria-invalid=move || invalid().to_string() aria-describedby=err_id/>
                        {unit}
                    </div>
                    {error}
                </div>
            }
            .into_any()
        }
    }
}

/// Items grouped as the indicator set groups them, keeping their positions.
type ItemGroup = ((String, String), Vec<(usize, ItemView)>);

fn grouped(items: &[ItemView]) -> Vec<ItemGroup> {
    let mut groups: Vec<ItemGroup> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let key = (item.group_zh.clone(), item.group_en.clone());
        match groups.last_mut() {
            Some((k, v)) if *k == key => v.push((i, item.clone())),
            _ => groups.push((key, vec![(i, item.clone())])),
        }
    }
    groups
}

#[component]
fn AssessmentStep(data: WizardData, ctx: StepCtx) -> impl IntoView {
    let locale = use_locale();
    let rules = data.item_rules();
    let initial: Vec<String> = (0..data.items.len())
        .map(|i| {
            data.draft
                .value(Step::SelfAssessment, &form::item_field(i))
                .to_string()
        })
        .collect();
    let pass = data.rules.pass_score;
    let bonus_cap = data.rules.bonus_cap;
    // The running total as the applicant types.
    let total = {
        let (rules, initial) = (rules.clone(), initial.clone());
        move || {
            let answers: Vec<_> = rules
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    form::item_answer(
                        r.kind,
                        r.max_points,
                        &ctx.value(&form::item_field(i), &initial[i]),
                    )
                    .ok()
                })
                .collect();
            let shape: Vec<_> = rules.iter().map(|r| (r.kind, r.max_points)).collect();
            let l = locale.get();
            match domain::scoring::score(
                &shape,
                &answers,
                &domain::scoring::SetRules {
                    bonus_cap,
                    pass_score: pass,
                    ..data.rules
                },
            ) {
                Ok(o) if o.vetoed => l
                    .pick(
                        "有否决项不符合：按现状将不能通过",
                        "A veto item is breached: as it stands this would fail",
                    )
                    .to_string(),
                Ok(o) => match l {
                    Locale::ZhCn => format!(
                        "自评得分 {} 分（基本分 {} + 加分 {}），通过线 {} 分",
                        o.total, o.basic, o.bonus, pass
                    ),
                    Locale::En => format!(
                        "Self-assessed {} points (basic {} + bonus {}); {} passes",
                        o.total, o.basic, o.bonus, pass
                    ),
                },
                Err(_) => l
                    .pick(
                        "每一项打分后显示自评得分",
                        "The total shows once every item is answered",
                    )
                    .to_string(),
            }
        }
    };
    let groups = grouped(&data.items);
    view! {
        <p class="wizard__intro">{tr(
            "对照评价指标逐项自评：基本项填写自评分，否决项选择是否符合，加分项没有可不填。",
            "Assess yourself against each indicator: points for basic items, holds or not for veto items; leave a bonus empty if it does not apply."
        )}</p>
        <StepForm ctx editable=data.editable>
            {groups.into_iter().map(|((gzh, gen), items)| view! {
                <fieldset class="item-group">
                    <legend>{pick(gzh, gen)}</legend>
                    {items.into_iter().map(|(i, item)| assessment_item(i, item, initial[i].clone(), ctx)).collect_view()}
                </fieldset>
            }).collect_view()}
            <p class="assessment-total" data-testid="assessment-total" aria-live="polite">{total}</p>
        </StepForm>
    }
}

fn assessment_item(i: usize, item: ItemView, initial: String, ctx: StepCtx) -> impl IntoView {
    let locale = use_locale();
    let name = form::item_field(i);
    let id = field_id(&name);
    let (kind, max) = (item.kind, item.max_points);
    let problem = {
        let (name, initial) = (name.clone(), initial.clone());
        Memo::new(move |_| {
            let v = ctx.value(&name, &initial);
            form::item_answer(kind, max, &v)
                .err()
                .filter(|_| ctx.reveals(&name, &initial))
        })
    };
    let invalid = move || problem.get().is_some();
    let error_text = move || problem.get().map(|p| text::problem(p, locale.get()));
    let badge = match kind {
        ItemKind::Basic => view! { <span class="badge">{move || match locale.get() { Locale::ZhCn => format!("{max} 分"), Locale::En => format!("{max} pts") }}</span> }.into_any(),
        ItemKind::Bonus => view! { <span class="badge badge--bonus">{move || match locale.get() { Locale::ZhCn => format!("加分项 +{max}"), Locale::En => format!("Bonus +{max}") }}</span> }.into_any(),
        ItemKind::Veto => view! { <span class="badge badge--veto">{tr("否决项", "Veto")}</span> }.into_any(),
    };
    let input = match kind {
        ItemKind::Veto => view! {
            <div class="choices choices--inline">
                <label class="choice"><input type="radio" name=name.clone() value=form::VETO_HOLDS checked=initial == form::VETO_HOLDS/><span>{tr("符合", "Holds")}</span></label>
                <label class="choice"><input type="radio" name=name.clone() value=form::VETO_BREACHED checked=initial == form::VETO_BREACHED/><span>{tr("不符合", "Breached")}</span></label>
            </div>
        }
        .into_any(),
        _ => view! {
            <div class="field__control field__control--points">
                <input id=id.clone() name=name.clone() type="text" inputmode="numeric" autocomplete="off" value=initial.clone()
                    aria-label=tr("自评分", "Self-assessed points") aria-invalid=move || invalid().to_string()/>
                <span class="field__unit">{format!("/ {max}")}</span>
            </div>
        }
        .into_any(),
    };
    view! {
        <div class="item" class:field--invalid=invalid data-field=name.clone() data-kind=kind.code()>
            <p class="item__text">{pick(item.text_zh, item.text_en)}</p>
            <p class="item__meta">
                {badge}
                {item.evidence_required.then(|| view! { <span class="badge badge--evidence">{tr("需上传证明材料", "Evidence needed")}</span> })}
            </p>
            {input}
            <p class="field__error" role="alert">{error_text}</p>
        </div>
    }
}

/// The evidence slots: the licence, one per indicator item needing evidence, other.
#[component]
fn EvidenceStep(data: WizardData, ctx: StepCtx) -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let rules = data.item_rules();
    let slots = form::evidence_slots(&rules);
    let (used, max_total, max_file) = (
        data.evidence_bytes(),
        data.max_application_mb,
        data.max_file_mb,
    );
    let failed = query.with_untracked(|q| {
        let slot = q.get("slot")?;
        let p = text::upload_from_code(&q.get("upload_error")?, max_file, max_total)?;
        Some((slot, p))
    });
    let usage = move || {
        match locale.get() {
        Locale::ZhCn => format!("已上传 {}，合计上限 {max_total} MB；每个文件不超过 {max_file} MB，支持 JPG、PNG、WebP 图片和 PDF。大图片会在上传前自动压缩。", size(used)),
        Locale::En => format!("{} uploaded of {max_total} MB in all; at most {max_file} MB per file: JPG, PNG or WebP images and PDF. Large photos are shrunk before upload.", size(used)),
    }
    };
    view! {
        <p class="wizard__intro" data-testid="evidence-usage">{usage}</p>
        {slots.into_iter().map(|slot| {
            let (title, required): ((String, String), bool) = if slot == form::LICENCE_SLOT {
                (("营业执照或登记证书".into(), "Business licence or registration certificate".into()), true)
            } else if slot == form::OTHER_SLOT {
                (("其他材料（行业许可证、荣誉证书等，选填）".into(), "Other materials (permits, honours; optional)".into()), false)
            } else {
                let i: usize = slot.trim_start_matches("item").parse().unwrap_or(0);
                let item = data.items.get(i).cloned();
                (item.map(|it| (it.text_zh, it.text_en)).unwrap_or_default(), false)
            };
            let files: Vec<EvidenceView> = data.evidence.iter().filter(|e| e.slot == slot).cloned().collect();
            let error = failed.clone().filter(|(s, _)| *s == slot).map(|(_, p)| p);
            view! { <EvidenceSlot id=data.id slot_code=slot title required files editable=data.editable error ctx/> }.into_any()
        }).collect_view()}
        <StepForm ctx editable=data.editable/>
    }
}

#[component]
fn EvidenceSlot(
    id: i64,
    slot_code: String,
    title: (String, String),
    required: bool,
    files: Vec<EvidenceView>,
    editable: bool,
    error: Option<form::UploadProblem>,
    ctx: StepCtx,
) -> impl IntoView {
    let locale = use_locale();
    let slot = slot_code;
    let problem = RwSignal::new(error);
    let progress = RwSignal::new(None::<u32>);
    let form_ref = NodeRef::<leptos::html::Form>::new();
    #[cfg(feature = "hydrate")]
    super::client::attach_upload(form_ref, problem, progress, ctx.refetch);
    #[cfg(not(feature = "hydrate"))]
    let _ = (&form_ref, ctx);
    let empty = files.is_empty();
    view! {
        <section class="slot" id=format!("slot-{slot}") data-slot=slot.clone() data-testid=format!("slot-{slot}")>
            <h2 class="slot__title">
                {pick(title.0, title.1)}
                {required.then(|| view! { <span class="badge badge--veto">{tr("必传", "Required")}</span> })}
                {(!required && slot.starts_with("item")).then(|| view! { <span class="badge badge--evidence">{tr("评分需要", "Needed for scoring")}</span> })}
            </h2>
            {(!empty).then(|| view! {
                <ul class="files">
                    {files.into_iter().map(|f| view! {
                        <li class="files__item" data-testid="evidence-file">
                            <a href=format!("/files/{}", f.id) target="_blank" rel="noopener">{f.name.clone()}</a>
                            <span class="files__size">{size(f.size_bytes)}</span>
                            {editable.then(|| view! {
                                <form method="post" action=format!("/apply/{id}/evidence/remove") class="files__remove">
                                    <input type="hidden" name="file" value=f.id/>
                                    <button type="submit" class="button button--small button--secondary">{tr("删除", "Remove")}</button>
                                </form>
                            })}
                        </li>
                    }).collect_view()}
                </ul>
            })}
            {editable.then(|| view! {
                <form node_ref=form_ref method="post" enctype="multipart/form-data" action=format!("/apply/{id}/upload") class="upload" data-client="" data-testid="upload-form">
                    <input type="hidden" name="slot" value=slot.clone()/>
                    <input type="file" name="file" class="upload__input" aria-label=tr("选择文件", "Choose a file")
                        accept="image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf"/>
                    <button type="submit" class="button button--small">{tr("上传", "Upload")}</button>
                    {move || progress.get().map(|p| view! {
                        <progress class="upload__progress" max="100" value=p aria-label=tr("上传进度", "Upload progress")></progress>
                    })}
                    <p class="field__error" role="alert" data-testid="upload-error">{move || problem.get().map(|p| text::upload(p, locale.get()))}</p>
                </form>
            })}
        </section>
    }
}

/// The last step: the self-check, everything entered, and submitting.
#[component]
fn ReviewStep(data: WizardData) -> impl IntoView {
    let ready = data.ready_for_viewer();
    let id = data.id;
    view! {
        <SelfCheckPanel data=data.clone()/>
        <ApplicationSummary data=data.clone() edit_links=true/>
        {data.editable.then(|| {
            let action = if data.viewer_is_agent { format!("/apply/{id}/hand-over") } else { format!("/apply/{id}/submit") };
            let label = if data.viewer_is_agent { tr("交商户确认", "Hand to the merchant to confirm") } else { tr("确认无误，提交申报", "Confirm and submit") };
            view! {
                <form method="post" action=action class="submit-form">
                    <input type="hidden" name="revision" value=data.revision/>
                    <p class="field__hint">{tr("提交后内容将锁定存档，交乡镇初审，不能再修改。", "Submitting locks and archives what you entered and hands it to the township for pre-review.")}</p>
                    <div class="wizard-nav">
                        <a class="button button--secondary" href=format!("/apply/{id}/self-assessment")>{tr("上一步", "Back")}</a>
                        <button type="submit" class="button" disabled=!ready data-testid="submit">{label}</button>
                    </div>
                </form>
            }
        })}
    }
}

/// Everything entered, step by step, as text (the applicant's review page and the
/// township reviewer's page).
#[component]
pub fn ApplicationSummary(data: WizardData, edit_links: bool) -> impl IntoView {
    let locale = use_locale();
    let id = data.id;
    let edit = edit_links && data.editable;
    let steps = [Step::Identity, Step::Facts, Step::Pledge, Step::Declaration]
        .into_iter()
        .map(|step| {
            let rows = form::fields(data.category, step)
                .into_iter()
                .map(|spec| {
                    let v = data.draft.value(step, spec.name).to_string();
                    let shown = display_value(&spec, &v, &data.townships);
                    let (lzh, len) = spec.label;
                    // Who ticked a legal box, and when: the record behind the declaration.
                    let by = form::ticked_by(&data.draft, step, spec.name).map(|(login, at)| {
                        format!(" · {login} · {}", crate::format::short_time(at))
                    });
                    view! { <div class="summary__row"><dt>{tr(lzh, len)}</dt><dd>{shown}<span class="muted" data-testid="summary-ticked-by">{by}</span></dd></div> }
                })
                .collect_view();
            let (zh, en) = step.title();
            view! {
                <section class="summary">
                    <h2>{tr(zh, en)}{edit.then(|| view! { <a class="summary__edit" href=format!("/apply/{id}/{}", step.code())>{tr("修改", "Edit")}</a> })}</h2>
                    <dl>{rows}</dl>
                </section>
            }
        })
        .collect_view();
    let answers = data
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let v = data.draft.value(Step::SelfAssessment, &form::item_field(i)).to_string();
            let (kind, max) = (it.kind, it.max_points);
            let shown = move || match (kind, v.as_str(), locale.get()) {
                (ItemKind::Veto, form::VETO_HOLDS, l) => l.pick("符合", "Holds").to_string(),
                (ItemKind::Veto, form::VETO_BREACHED, l) => l.pick("不符合", "Breached").to_string(),
                (ItemKind::Bonus, "", _) => format!("0 / {max}"),
                (_, "", l) => l.pick("未填写", "Not filled in").to_string(),
                (_, v, _) => format!("{v} / {max}"),
            };
            view! { <div class="summary__row"><dt>{pick(it.text_zh.clone(), it.text_en.clone())}</dt><dd>{shown}</dd></div> }
        })
        .collect_view();
    view! {
        {steps}
        <section class="summary" data-testid="summary-assessment">
            <h2>{tr("自评", "Self-assessment")}{edit.then(|| view! { <a class="summary__edit" href=format!("/apply/{id}/self-assessment")>{tr("修改", "Edit")}</a> })}</h2>
            <dl>{answers}</dl>
        </section>
    }
}

/// The self-check: what blocks submission, what would fail, what evidence is missing.
#[component]
pub fn SelfCheckPanel(data: WizardData) -> impl IntoView {
    let locale = use_locale();
    let check = data.self_check();
    let ready = data.ready_for_viewer();
    let id = data.id;
    let items = data.items.clone();
    let item_text = move |i: usize| {
        items
            .get(i)
            .map(|it| (it.text_zh.clone(), it.text_en.clone()))
            .unwrap_or_default()
    };
    let total = check.total;
    let pass = check.pass_score;
    let problems = check
        .step_problems
        .iter()
        .map(|(step, ps)| {
            let (zh, en) = step.title();
            let specs = form::fields(data.category, *step);
            let lines = ps
                .iter()
                .map(|(name, p)| {
                    let label = specs.iter().find(|s| s.name == name).map(|s| s.label).unwrap_or(("自评项", "Self-assessment item"));
                    let p = *p;
                    view! { <li>{move || format!("{}：{}", locale.get().pick(label.0, label.1), text::problem(p, locale.get()))}</li> }
                })
                .collect_view();
            view! {
                <li><a href=format!("/apply/{id}/{}?check=1", step.code())>{tr(zh, en)}</a><ul>{lines}</ul></li>
            }
        })
        .collect_view();
    let list = |title: (&'static str, &'static str), idx: Vec<usize>, class: &'static str| {
        let item_text = item_text.clone();
        (!idx.is_empty()).then(|| view! {
            <div class=format!("selfcheck__group {class}")>
                <h3>{tr(title.0, title.1)}</h3>
                <ul>{idx.into_iter().map(|i| { let (zh, en) = item_text(i); view! { <li>{pick(zh, en)}</li> } }).collect_view()}</ul>
            </div>
        })
    };
    view! {
        <section class="selfcheck" data-testid="self-check" data-ready=ready.to_string()>
            <h2>{if data.editable { tr("提交前自查", "Self-check before submitting") } else { tr("申报自查结果", "The application's self-check") }}</h2>
            <p class="selfcheck__total" data-testid="self-check-total">{move || match (total, locale.get()) {
                (Some(t), Locale::ZhCn) => format!("自评得分 {t} 分，通过线 {pass} 分。"),
                (Some(t), Locale::En) => format!("Self-assessed {t} points; {pass} passes."),
                (None, l) => l.pick("自评尚未完成。", "The self-assessment is not complete.").to_string(),
            }}</p>
            {(!check.step_problems.is_empty()).then(|| view! {
                <div class="selfcheck__group selfcheck__group--block" data-testid="incomplete">
                    <h3>{tr("需要补全（补全后才能提交）", "To complete before you can submit")}</h3>
                    {data.viewer_is_agent.then(|| view! {
                        <p data-testid="ticks-for-merchant">{tr("承诺书和无违法声明的勾选由商户登录本人账号确认，交商户后由其勾选。", "The merchant ticks the pledge and the declaration itself, signed in to its own account, once you hand this over.")}</p>
                    })}
                    <ul>{problems}</ul>
                </div>
            })}
            {check.licence_missing.then(|| view! {
                <div class="selfcheck__group selfcheck__group--block" data-testid="licence-missing">
                    <h3><a href=format!("/apply/{id}/evidence")>{tr("尚未上传营业执照或登记证书（必传）", "The business licence or registration certificate is missing (required)")}</a></h3>
                </div>
            })}
            {check.credit_code_mismatch.then(|| view! {
                <div class="selfcheck__group selfcheck__group--block">
                    <h3><a href=format!("/apply/{id}/identity")>{tr("统一社会信用代码与注册单位不一致，请核对", "The credit code differs from the registered organisation's; check it")}</a></h3>
                </div>
            })}
            {list(("按现状会不通过的否决项", "Veto items that would fail you now"), check.veto_breached.clone(), "selfcheck__group--fail")}
            {(check.would_fail() && check.veto_breached.is_empty()).then(|| view! {
                <p class="selfcheck__group selfcheck__group--fail">{tr("自评得分低于通过线，按现状将不能通过。", "The self-assessed total is below the pass mark: as it stands this would fail.")}</p>
            })}
            {list(("自评失分项", "Items where you lose points"), check.points_lost.clone(), "selfcheck__group--warn")}
            {list(("缺少证明材料的指标", "Indicators still missing evidence"), check.evidence_missing.clone(), "selfcheck__group--warn")}
            {(ready && !check.would_fail() && check.evidence_missing.is_empty()).then(|| view! {
                <p class="alert alert--ok">{tr("自查通过：材料齐全，可以提交。", "All clear: the application is complete.")}</p>
            })}
        </section>
    }
}

/// A value as the review page shows it: choices by their label, ticks as "已确认".
fn display_value(spec: &FieldSpec, v: &str, townships: &[TownshipOption]) -> AnyView {
    if v.trim().is_empty() {
        return view! { <span class="muted">{tr("未填写", "Not filled in")}</span> }.into_any();
    }
    match spec.kind {
        FieldKind::Affirm => view! { {tr("已确认 ✓", "Confirmed ✓")} }.into_any(),
        FieldKind::YesNo => {
            if v == "yes" {
                view! { {tr("是", "Yes")} }.into_any()
            } else {
                view! { {tr("否", "No")} }.into_any()
            }
        }
        FieldKind::Choice(c) => match c.iter().find(|(code, _)| *code == v) {
            Some((_, (zh, en))) => view! { {tr(zh, en)} }.into_any(),
            None => view! { {v.to_string()} }.into_any(),
        },
        FieldKind::Township => match townships.iter().find(|t| t.code == v) {
            Some(t) => view! { {pick(t.zh.clone(), t.en.clone())} }.into_any(),
            None => view! { {v.to_string()} }.into_any(),
        },
        FieldKind::Count { unit, .. } => {
            let v = v.to_string();
            view! { {v}" "{tr(unit.0, unit.1)} }.into_any()
        }
        _ => view! { {v.to_string()} }.into_any(),
    }
}
