//! The self-assessment step: indicator items grouped as their set groups them.

use super::*;

pub(super) type ItemGroup = ((String, String), Vec<(usize, ItemView)>);

pub(super) fn grouped(items: &[ItemView]) -> Vec<ItemGroup> {
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
pub(super) fn AssessmentStep(data: WizardData, ctx: StepCtx) -> impl IntoView {
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

pub(super) fn assessment_item(
    i: usize,
    item: ItemView,
    initial: String,
    ctx: StepCtx,
) -> impl IntoView {
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
