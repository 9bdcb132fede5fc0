//! The last step and the read-only summary staff see: self-check and everything entered.

use super::*;

#[component]
pub(super) fn ReviewStep(data: WizardData) -> impl IntoView {
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
pub(super) fn display_value(spec: &FieldSpec, v: &str, townships: &[TownshipOption]) -> AnyView {
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
