//! Plain steps: each field with its label, hint, input and live problem; legal ticks.

use super::*;

#[component]
pub(super) fn FieldsStep(data: WizardData, ctx: StepCtx) -> impl IntoView {
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

pub(super) fn field_id(name: &str) -> String {
    format!("f-{name}")
}

/// A legal tick's record: who ticked it and when, and whether an agent is looking (an
/// agent prepares the rest, but the box is the applicant's to tick).
pub(super) struct Tick {
    by: Option<(String, String)>,
    agent: bool,
}

/// One field of a plain step, with its label, hint, input and live problem.
pub(super) fn field_view(
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
