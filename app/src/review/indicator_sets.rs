//! The county office edits a category's indicator set (分类评价指标) for the open batch.
//!
//! Saving makes a new version; a set that applications already use is frozen and shown
//! read-only. What the office typed is kept as a draft even when it does not add up
//! yet (basic items must total the basic points), so nothing is lost: the page shows
//! what to fix, and only a valid set becomes a version applicants see.

use crate::errors::AppError;
use crate::i18n::{t, use_locale, Msg};
use crate::layout::Title;
use domain::scoring::{ItemKind, SetProblem, SetRules};
use domain::Locale;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// One row as typed (numbers still text, so a wrong one is kept and flagged).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowForm {
    pub group_zh: String,
    pub group_en: String,
    pub text_zh: String,
    pub text_en: String,
    pub max_points: String,
    pub kind: String,
    pub evidence: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetForm {
    pub basic_points: String,
    pub bonus_cap: String,
    pub pass_score: String,
    pub rows: Vec<RowForm>,
}

/// What is wrong with an edited set, row by row and as a whole.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EditProblem {
    RowText(usize),
    RowPoints(usize),
    RowKind(usize),
    Rules,
    Set(SetProblem),
}

/// A valid set: its rules and each row with its kind and points.
pub type ParsedSet = (SetRules, Vec<(RowForm, ItemKind, u32)>);

/// Reads the form into a set, or says what is wrong. Plain rules, no I/O.
pub fn parse_set(form: &SetForm) -> Result<ParsedSet, Vec<EditProblem>> {
    let mut problems = Vec::new();
    let num = |s: &str| s.trim().parse::<u32>().ok();
    let rules = match (
        num(&form.basic_points),
        num(&form.bonus_cap),
        num(&form.pass_score),
    ) {
        (Some(basic_points), Some(bonus_cap), Some(pass_score))
            if basic_points > 0 && basic_points <= 1000 && bonus_cap <= 1000 =>
        {
            Some(SetRules {
                basic_points,
                bonus_cap,
                pass_score,
            })
        }
        _ => {
            problems.push(EditProblem::Rules);
            None
        }
    };
    let mut rows = Vec::new();
    for (i, r) in form.rows.iter().enumerate() {
        if r.text_zh.trim().is_empty() || r.group_zh.trim().is_empty() {
            problems.push(EditProblem::RowText(i));
        }
        let kind = ItemKind::parse(&r.kind);
        if kind.is_none() {
            problems.push(EditProblem::RowKind(i));
        }
        let points = num(&r.max_points).filter(|p| *p <= 100);
        if points.is_none() {
            problems.push(EditProblem::RowPoints(i));
        }
        if let (Some(k), Some(p)) = (kind, points) {
            rows.push((r.clone(), k, p));
        }
    }
    if let (Some(rules), true) = (rules, problems.is_empty()) {
        let shape: Vec<(ItemKind, u32)> = rows.iter().map(|(_, k, p)| (*k, *p)).collect();
        problems.extend(
            domain::scoring::set_problems(&shape, &rules)
                .into_iter()
                .map(EditProblem::Set),
        );
        if problems.is_empty() {
            return Ok((rules, rows));
        }
    }
    Err(problems)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorView {
    pub category: String,
    /// The batch whose set this is (its name, 中文 and English).
    pub batch_id: i64,
    pub batch_name: (String, String),
    pub version: i64,
    pub frozen: bool,
    pub form: SetForm,
    /// The form is an unsaved draft (it did not add up yet).
    pub is_draft: bool,
}

#[server(prefix = "/api", endpoint = "indicator_editor")]
#[tracing::instrument(skip_all)]
pub async fn load_indicator_editor(
    category: String,
    batch: Option<i64>,
) -> Result<EditorView, AppError> {
    crate::accounts::session::require_role(&[domain::Role::CountyOffice])?;
    let store = crate::state::store()?;
    ssr::editor_view(&store, &category, batch).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::review::common::{CountyOffice, Staff};
    use crate::state::AppState;
    use crate::usecases::{
        self,
        indicator_sets::{SetChange, SetSaved},
        Actor,
    };
    use axum::extract::State;
    use axum::response::{IntoResponse, Redirect, Response};
    use axum::Form;
    use store::Store;

    /// The batch (the given one, or the open one) and the newest version of its set.
    pub(crate) async fn current_set(
        store: &Store,
        category: &str,
        batch: Option<i64>,
    ) -> Result<(store::Batch, store::indicators::IndicatorSet), AppError> {
        let batch = match batch {
            Some(id) => store.batch(id).await?,
            None => store.open_batch(domain::application::COUNTY).await?,
        }
        .filter(|b| b.area_code == domain::application::COUNTY)
        .ok_or(AppError::NotFound)?;
        let set = store
            .indicator_set(batch.id, category)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok((batch, set))
    }

    pub(crate) fn draft_key(set_id: i64) -> String {
        format!("indicators.draft.{set_id}")
    }

    /// The editor's form holding `set` as it is.
    pub fn form_of(set: &store::indicators::IndicatorSet) -> SetForm {
        SetForm {
            basic_points: set.rules.basic_points.to_string(),
            bonus_cap: set.rules.bonus_cap.to_string(),
            pass_score: set.rules.pass_score.to_string(),
            rows: set
                .items
                .iter()
                .map(|i| RowForm {
                    group_zh: i.group_zh.clone(),
                    group_en: i.group_en.clone(),
                    text_zh: i.text_zh.clone(),
                    text_en: i.text_en.clone(),
                    max_points: i.max_points.to_string(),
                    kind: i.kind.code().to_string(),
                    evidence: i.evidence_required,
                })
                .collect(),
        }
    }

    pub async fn editor_view(
        store: &Store,
        category: &str,
        batch: Option<i64>,
    ) -> Result<EditorView, AppError> {
        if domain::Category::parse(category).is_none() {
            return Err(AppError::NotFound);
        }
        let (batch, set) = current_set(store, category, batch).await?;
        let draft = store
            .setting(&draft_key(set.id))
            .await?
            .and_then(|d| serde_json::from_str::<SetForm>(&d).ok());
        let form = form_of(&set);
        let is_draft = draft.is_some() && !set.frozen;
        Ok(EditorView {
            category: category.to_string(),
            batch_id: batch.id,
            batch_name: (batch.name_zh, batch.name_en),
            version: set.version,
            frozen: set.frozen,
            form: if is_draft {
                draft.unwrap_or(form)
            } else {
                form
            },
            is_draft,
        })
    }

    /// Rows come as `r{i}.{field}`; rows ticked "remove" and rows left wholly empty are dropped.
    pub fn form_from_posted(posted: &[(String, String)]) -> SetForm {
        let get = |k: &str| {
            posted
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        let mut rows = Vec::new();
        for i in 0..500 {
            let f = |name: &str| get(&format!("r{i}.{name}"));
            if !posted.iter().any(|(n, _)| n.starts_with(&format!("r{i}."))) {
                break;
            }
            let row = RowForm {
                group_zh: f("group_zh"),
                group_en: f("group_en"),
                text_zh: f("text_zh"),
                text_en: f("text_en"),
                max_points: f("max_points"),
                kind: f("kind"),
                evidence: f("evidence") == "on",
            };
            let empty = row.text_zh.is_empty() && row.text_en.is_empty() && row.group_zh.is_empty();
            if f("remove") == "on" || empty {
                continue;
            }
            rows.push(row);
        }
        SetForm {
            basic_points: get("basic_points"),
            bonus_cap: get("bonus_cap"),
            pass_score: get("pass_score"),
            rows,
        }
    }

    pub async fn save(
        State(state): State<AppState>,
        Staff { user, addr, .. }: Staff<CountyOffice>,
        Form(posted): Form<Vec<(String, String)>>,
    ) -> Response {
        // Only a category's own code goes back into the address.
        let category = posted
            .iter()
            .find(|(k, _)| k == "category")
            .and_then(|(_, v)| domain::Category::parse(v))
            .map(|c| c.code())
            .unwrap_or_default();
        let batch: Option<i64> = posted
            .iter()
            .find(|(k, _)| k == "batch")
            .and_then(|(_, v)| v.parse().ok());
        let back = match batch {
            Some(b) => format!("/indicators/edit?category={category}&batch={b}"),
            None => format!("/indicators/edit?category={category}"),
        };
        let change = if posted.iter().any(|(k, _)| k == "discard") {
            SetChange::Discard
        } else {
            SetChange::Save(form_from_posted(&posted))
        };
        let actor = Actor::new(user, addr);
        let saved =
            usecases::indicator_sets::save(&state.store, &actor, category, batch, change).await;
        match saved {
            Ok(outcome) => {
                let to = match outcome {
                    SetSaved::Frozen => "frozen=1".to_string(),
                    SetSaved::Discarded => "discarded=1".to_string(),
                    SetSaved::KeptToCheck => "check=1".to_string(),
                    SetSaved::Revised(version) => format!("saved={version}"),
                };
                Redirect::to(&format!("{back}&{to}")).into_response()
            }
            Err(e) => {
                tracing::warn!(error = ?e, "indicator set not saved");
                Redirect::to(&format!("{back}&error=1")).into_response()
            }
        }
    }
}

fn problem_text(p: &EditProblem, l: Locale) -> String {
    match (p, l) {
        (EditProblem::RowText(i), Locale::ZhCn) => {
            format!("第{}行：请填写分组和指标内容（中文）", i + 1)
        }
        (EditProblem::RowText(i), Locale::En) => format!(
            "Row {}: fill in the group and the indicator text (Chinese)",
            i + 1
        ),
        (EditProblem::RowPoints(i), Locale::ZhCn) => format!("第{}行：分值应为0到100的整数", i + 1),
        (EditProblem::RowPoints(i), Locale::En) => {
            format!("Row {}: points are a whole number from 0 to 100", i + 1)
        }
        (EditProblem::RowKind(i), Locale::ZhCn) => format!("第{}行：请选择指标类型", i + 1),
        (EditProblem::RowKind(i), Locale::En) => format!("Row {}: choose the kind of item", i + 1),
        (EditProblem::Rules, Locale::ZhCn) => "基本分、加分上限和通过线都应填写整数".into(),
        (EditProblem::Rules, Locale::En) => {
            "Basic points, bonus cap and pass score are whole numbers".into()
        }
        (EditProblem::Set(SetProblem::BasicPointsMismatch { sum, expected }), Locale::ZhCn) => {
            format!("基本项分值合计 {sum} 分，应等于基本分 {expected} 分，请调整")
        }
        (EditProblem::Set(SetProblem::BasicPointsMismatch { sum, expected }), Locale::En) => {
            format!("Basic items add up to {sum}; they must total the basic points, {expected}")
        }
        (EditProblem::Set(SetProblem::PassScoreTooHigh), Locale::ZhCn) => {
            "通过线不能高于基本分".into()
        }
        (EditProblem::Set(SetProblem::PassScoreTooHigh), Locale::En) => {
            "The pass score cannot exceed the basic points".into()
        }
        (EditProblem::Set(SetProblem::VetoWithPoints), Locale::ZhCn) => {
            "否决项不计分，分值应为0".into()
        }
        (EditProblem::Set(SetProblem::VetoWithPoints), Locale::En) => {
            "Veto items carry no points; set them to 0".into()
        }
        (EditProblem::Set(SetProblem::NoItems), Locale::ZhCn) => "至少需要一项指标".into(),
        (EditProblem::Set(SetProblem::NoItems), Locale::En) => {
            "A set needs at least one item".into()
        }
    }
}

#[component]
pub fn IndicatorEditorPage() -> impl IntoView {
    let query = use_query_map();
    let locale = use_locale();
    let category = move || {
        query
            .with(|q| q.get("category"))
            .filter(|c| domain::Category::parse(c).is_some())
            .unwrap_or_else(|| "unit".to_string())
    };
    let batch = move || query.with(|q| q.get("batch").and_then(|b| b.parse::<i64>().ok()));
    let data = Resource::new_blocking(
        move || (category(), batch()),
        |(c, b)| load_indicator_editor(c, b),
    );
    let flag = move |k: &str| query.with(|q| q.get(k));
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("编辑评价指标", "Edit indicators"), Msg::AppName.text(locale.get()))/>
        <section class="panel">
            <h1>{move || locale.get().pick("编辑评价指标", "Edit the indicators")}</h1>
            <p class="panel__lead">{move || locale.get().pick(
                "按类别编辑本批次的评价指标。保存后生成新版本；已有申报使用的版本会被锁定，不能再改。",
                "Edit this batch's indicators per category. Saving makes a new version; a version that applications use is locked."
            )}</p>
            <nav class="tabs">
                {domain::Category::ALL.into_iter().map(|c| {
                    let (zh, en) = c.name();
                    let current = move || category() == c.code();
                    view! {
                        <a href=move || match batch() { Some(b) => format!("/indicators/edit?category={}&batch={b}", c.code()), None => format!("/indicators/edit?category={}", c.code()) }
                            class="tabs__tab" class:tabs__tab--current=current>
                            {move || locale.get().pick(zh, en).to_string()}
                        </a>
                    }
                }).collect_view()}
            </nav>
            {move || flag("saved").map(|v| view! { <p class="alert alert--ok" role="status" data-testid="indicators-saved">{move || match locale.get() { Locale::ZhCn => format!("已保存为第 {v} 版。"), Locale::En => format!("Saved as version {v}.") }}</p> })}
            {move || flag("frozen").map(|_| view! { <p class="alert alert--error" role="alert">{move || locale.get().pick("已有申报使用此版本，指标已锁定，不能修改。", "Applications use this version: it is locked.")}</p> })}
            {move || flag("error").map(|_| view! { <p class="alert alert--error" role="alert">{t(Msg::ErrorInternal)}</p> })}
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(v) => view! { <Editor view=v/> }.into_any(),
                        Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Editor(view: EditorView) -> impl IntoView {
    let locale = use_locale();
    let problems = match parse_set(&view.form) {
        Ok(_) => Vec::new(),
        Err(p) => p,
    };
    let frozen = view.frozen;
    let mut rows = view.form.rows.clone();
    if !frozen {
        rows.extend([
            RowForm {
                kind: "basic".into(),
                ..RowForm::default()
            },
            RowForm {
                kind: "basic".into(),
                ..RowForm::default()
            },
        ]);
    }
    let basic_sum: u32 = view
        .form
        .rows
        .iter()
        .filter(|r| r.kind == "basic")
        .filter_map(|r| r.max_points.trim().parse::<u32>().ok())
        .sum();
    let version = view.version;
    let (bzh, ben) = view.batch_name.clone();
    view! {
        <p class="muted" data-testid="editor-batch">{move || locale.get().pick(&bzh, &ben).to_string()}</p>
        <p class="indicators__summary" data-testid="editor-version">{move || match locale.get() {
            Locale::ZhCn => format!("当前第 {version} 版{}；基本项合计 {basic_sum} 分。", if frozen { "（已锁定）" } else { "" }),
            Locale::En => format!("Version {version}{}; basic items total {basic_sum}.", if frozen { " (locked)" } else { "" }),
        }}</p>
        {view.is_draft.then(|| view! { <p class="alert" data-testid="editor-draft">{move || locale.get().pick("以下是尚未生效的草稿：请按提示修改后保存。", "Below is a draft not yet in force: fix what is flagged and save.")}</p> })}
        {(!problems.is_empty()).then(|| view! {
            <ul class="alert alert--error" role="alert" data-testid="editor-problems">
                {problems.iter().map(|p| { let p = p.clone(); view! { <li>{move || problem_text(&p, locale.get())}</li> } }).collect_view()}
            </ul>
        })}
        <form method="post" action="/indicators/edit/save" class="editor">
            <input type="hidden" name="category" value=view.category.clone()/>
            <input type="hidden" name="batch" value=view.batch_id/>
            <fieldset class="editor__rules" disabled=frozen>
                <label>{move || locale.get().pick("基本分", "Basic points")}<input name="basic_points" inputmode="numeric" value=view.form.basic_points.clone()/></label>
                <label>{move || locale.get().pick("加分上限", "Bonus cap")}<input name="bonus_cap" inputmode="numeric" value=view.form.bonus_cap.clone()/></label>
                <label>{move || locale.get().pick("通过线", "Pass score")}<input name="pass_score" inputmode="numeric" value=view.form.pass_score.clone()/></label>
            </fieldset>
            <fieldset class="editor__rows" disabled=frozen>
                {rows.into_iter().enumerate().map(|(i, r)| {
                    let n = |f: &str| format!("r{i}.{f}");
                    let kind = r.kind.clone();
                    view! {
                        <div class="editor__row" data-row=i>
                            <span class="editor__num">{i + 1}</span>
                            <label class="editor__group">{move || locale.get().pick("分组", "Group")}<input name=n("group_zh") value=r.group_zh.clone()/></label>
                            <label class="editor__text">{move || locale.get().pick("指标内容", "Indicator")}<textarea name=n("text_zh") rows="2">{crate::forms::textarea_text(&r.text_zh)}</textarea></label>
                            <label class="editor__text">"English"<textarea name=n("text_en") rows="2">{crate::forms::textarea_text(&r.text_en)}</textarea></label>
                            <input type="hidden" name=n("group_en") value=r.group_en.clone()/>
                            <label class="editor__points">{move || locale.get().pick("分值", "Points")}<input name=n("max_points") inputmode="numeric" value=r.max_points.clone()/></label>
                            <label class="editor__kind">{move || locale.get().pick("类型", "Kind")}
                                <select name=n("kind")>
                                    <option value="basic" selected=kind == "basic">{move || locale.get().pick("基本项", "Basic")}</option>
                                    <option value="veto" selected=kind == "veto">{move || locale.get().pick("否决项", "Veto")}</option>
                                    <option value="bonus" selected=kind == "bonus">{move || locale.get().pick("加分项", "Bonus")}</option>
                                </select>
                            </label>
                            <label class="check"><input type="checkbox" name=n("evidence") checked=r.evidence/>{move || locale.get().pick("需证明材料", "Evidence")}</label>
                            <label class="check"><input type="checkbox" name=n("remove")/>{move || locale.get().pick("删除此项", "Remove")}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            {(!frozen).then(|| view! {
                <div class="wizard-nav">
                    <button type="submit" name="discard" value="1" class="button button--secondary">{move || locale.get().pick("放弃草稿", "Discard draft")}</button>
                    <button type="submit" class="button" data-testid="save-indicators">{move || locale.get().pick("保存为新版本", "Save as a new version")}</button>
                </div>
            })}
        </form>
    }
}

#[cfg(test)]
mod tests;
