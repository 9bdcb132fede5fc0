//! The reviewer's side: assignments, the scoring sheet, recusal.

use super::*;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyAssignment {
    pub assignment_id: i64,
    pub application_id: i64,
    pub organisation_name: String,
    pub category: Category,
    pub status: AssignmentStatus,
}

#[server(prefix = "/api", endpoint = "my_assignments")]
#[tracing::instrument(skip_all)]
pub async fn my_assignments() -> Result<Vec<MyAssignment>, AppError> {
    let user = crate::accounts::session::require_role(&[domain::Role::PanelMember])?;
    let store = crate::state::store()?;
    let mut out = Vec::new();
    for a in store.assignments_of_reviewer(user.account_id).await? {
        let Some(app) = store.application(a.application_id).await? else {
            continue;
        };
        out.push(MyAssignment {
            assignment_id: a.id,
            application_id: a.application_id,
            organisation_name: crate::review::common::organisation_name(
                &store,
                app.organisation_id,
            )
            .await,
            category: Category::parse(&app.category_code).unwrap_or(Category::Unit),
            status: a.status,
        });
    }
    Ok(out)
}

#[component]
pub fn MyAssignmentsPage() -> impl IntoView {
    let locale = use_locale();
    let data = Resource::new_blocking(|| (), |_| my_assignments());
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("评审任务", "My reviews"), Msg::AppName.text(locale.get()))/>
        <section class="panel">
            <h1>{move || locale.get().pick("评审任务", "My reviews")}</h1>
            <p class="panel__lead">{move || locale.get().pick(
                "先声明有无利益冲突，再独立逐项评分。提交前看不到其他评审员的评分。",
                "Declare any conflict of interest first, then score every item on your own. Others' scores stay hidden until you submit yours."
            )}</p>
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                        Ok(items) if items.is_empty() => view! { <p class="empty" data-testid="no-assignments">{move || locale.get().pick("暂无评审任务。", "Nothing assigned to you.")}</p> }.into_any(),
                        Ok(items) => view! {
                            <ul class="app-list" data-testid="assignments">
                                {items.into_iter().map(|i| {
                                    let (zh, en) = i.category.name();
                                    let status = i.status;
                                    view! {
                                        <li class="app-list__item">
                                            <a class="app-list__link" href=format!("/scoring/{}", i.assignment_id)>
                                                <span class="app-list__name">{i.organisation_name.clone()}</span>
                                            </a>
                                            <span class="app-list__meta">{move || locale.get().pick(zh, en)}" · "{move || match status {
                                                AssignmentStatus::Scored => locale.get().pick("已提交评分", "Scored"),
                                                AssignmentStatus::Recused => locale.get().pick("已回避", "Recused"),
                                                _ => locale.get().pick("待评分", "To score"),
                                            }}</span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoringSheet {
    pub assignment_id: i64,
    pub status: AssignmentStatus,
    pub data: crate::applications::WizardData,
    pub items: Vec<Indicator>,
    pub rules: SetRules,
    /// This reviewer's scores, as submitted (or as kept while a discussion reopened them).
    pub mine: Vec<Option<ItemScore>>,
    pub comment: String,
    /// Everyone's totals, only once this reviewer has submitted.
    pub others: Option<Vec<PanelScore>>,
    pub visits: Vec<(i64, String, String, String)>,
    pub visit_photos: Vec<(i64, String, String)>,
}

/// One reviewer's line as the others see it: (name, total, veto breached, status).
pub type PanelScore = (String, Option<i64>, bool, AssignmentStatus);

#[server(prefix = "/api", endpoint = "scoring_sheet")]
#[tracing::instrument(skip_all)]
pub async fn fetch_scoring_sheet(assignment_id: i64) -> Result<ScoringSheet, AppError> {
    let user = crate::accounts::session::require_role(&[domain::Role::PanelMember])?;
    let store = crate::state::store()?;
    let mine = store
        .assignments_of_reviewer(user.account_id)
        .await?
        .into_iter()
        .find(|a| a.id == assignment_id)
        .ok_or(AppError::NotFound)?;
    let data =
        crate::applications::handlers::wizard_data_for(&store, &user, mine.application_id).await?;
    let scores: Vec<Option<ItemScore>> = mine
        .scores
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_else(|| vec![None; data.items.len()]);
    let others = if mine.status == AssignmentStatus::Scored {
        Some(
            store
                .assignments_of_application(mine.application_id, mine.round)
                .await?
                .into_iter()
                .map(|a| (a.reviewer_name, a.total, a.vetoed == Some(1), a.status))
                .collect(),
        )
    } else {
        None
    };
    let visit_photos = data
        .evidence
        .iter()
        .filter(|f| f.slot.starts_with("site."))
        .map(|f| (f.id, f.slot.clone(), f.name.clone()))
        .collect();
    Ok(ScoringSheet {
        assignment_id,
        status: mine.status,
        items: data.items.clone(),
        rules: data.rules,
        mine: scores,
        comment: mine.comment.unwrap_or_default(),
        others,
        visits: store.site_visits(mine.application_id).await?,
        visit_photos,
        data,
    })
}

#[component]
pub fn ScoringPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let id = move || {
        params
            .with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()))
            .unwrap_or(0)
    };
    let data = Resource::new_blocking(id, fetch_scoring_sheet);
    let query = use_query_map();
    let error = move || query.with(|q| q.get("error"));
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("评分", "Scoring"), Msg::AppName.text(locale.get()))/>
        <section class="panel wizard">
            <p><a href="/scoring">{move || locale.get().pick("← 返回评审任务", "← Back to my reviews")}</a></p>
            {move || error().map(|e| view! { <p class="alert alert--error" role="alert" data-testid="scoring-error">{move || scoring_error(&e, locale.get())}</p> })}
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(s) => view! { <ScoringBody s=s/> }.into_any(),
                        Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// Prefixes of the notes that name an item (`missing.N`, `above.N`; N counts from 0).
pub const MISSING_ITEM: &str = "missing.";
pub const ABOVE_MAXIMUM: &str = "above.";

crate::notes::notes! {
    pub enum ScoringNote {
        Conflict = "conflict" => ("请选择利益冲突的类型。", "Choose what kind of conflict it is."),
        Visit = "visit" => ("请填写现场核查记录。", "Write the on-site note."),
        Upload = "upload" => ("照片未能保存：请上传不超过大小限制的 JPG、PNG、WebP 图片或 PDF。", "The photo was not kept: upload a JPG, PNG or WebP image or a PDF within the size limit."),
        State = "state" => ("操作未完成：此任务可能已提交或已回避，请刷新。", "That did not go through: the task may be scored or recused already; reload."),
        _ => State,
    }
}

fn scoring_error(code: &str, l: domain::Locale) -> String {
    if let Some(i) = code.strip_prefix(MISSING_ITEM) {
        return format!(
            "{}{}{}",
            l.pick("第 ", "Item "),
            i.parse::<usize>().map(|n| n + 1).unwrap_or(0),
            l.pick(
                " 项尚未评分：每一项都要评分后才能提交。",
                " has no score: score every item before submitting."
            )
        );
    }
    if let Some(i) = code.strip_prefix(ABOVE_MAXIMUM) {
        return format!(
            "{}{}{}",
            l.pick("第 ", "Item "),
            i.parse::<usize>().map(|n| n + 1).unwrap_or(0),
            l.pick(
                " 项的得分超过了该项满分，请改为不超过满分的整数。",
                " is scored above its maximum: enter a whole number up to the maximum."
            )
        );
    }
    ScoringNote::describe(code, l)
}

#[component]
fn ScoringBody(s: ScoringSheet) -> impl IntoView {
    let locale = use_locale();
    let aid = s.assignment_id;
    let open = s.status == AssignmentStatus::Assigned;
    let query = use_query_map();
    // Values a refused submission sent back, so nothing typed is lost.
    let kept = move |i: usize| query.with_untracked(|q| q.get(&format!("v.{i}")));
    let data = s.data.clone();
    view! {
        <h1>{data.organisation_name.clone()}</h1>
        // The application in full, folded so that the scoring sheet is near on a phone.
        <details class="reading" open=false>
            <summary>{move || locale.get().pick("申报材料全文与自查结果", "The application in full, with its self-check")}</summary>
            <crate::applications::wizard::SelfCheckPanel data=data.clone()/>
            <crate::applications::wizard::ApplicationSummary data=data.clone() edit_links=false/>
        </details>
        <section class="summary">
            <h2>{move || locale.get().pick("证明材料", "Evidence")}</h2>
            <ul class="files">
                {data.evidence.iter().map(|f| view! {
                    <li class="files__item"><a href=format!("/files/{}", f.id) target="_blank" rel="noopener">{f.name.clone()}</a></li>
                }).collect_view()}
            </ul>
        </section>
        <section class="summary" id="visit">
            <h2>{move || locale.get().pick("现场核查", "On-site inspection")}</h2>
            <ul class="files" data-testid="visits">
                {s.visits.iter().map(|(vid, who, note, when)| {
                    let photos: Vec<_> = s.visit_photos.iter().filter(|(_, slot, _)| *slot == format!("site.{vid}")).cloned().collect();
                    view! {
                        <li class="files__item"><span>{format!("{who} · {} · {note}", crate::format::short_time(when))}</span>
                            {photos.into_iter().map(|(fid, _, name)| view! { " " <a href=format!("/files/{fid}") target="_blank" rel="noopener">{name}</a> }).collect_view()}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {open.then(|| view! {
                <form method="post" action=format!("/scoring/{aid}/visit") enctype="multipart/form-data" class="decision">
                    <label>{move || locale.get().pick("现场核查记录", "On-site note")}<textarea name="note" rows="2" maxlength="1000"></textarea></label>
                    <label>{move || locale.get().pick("照片（可用手机拍摄）", "Photo (take it with your phone)")}<input type="file" name="file" accept="image/*" capture="environment"/></label>
                    <button class="button button--secondary">{move || locale.get().pick("添加现场记录", "Add the note")}</button>
                </form>
            })}
        </section>
        {open.then(|| view! {
            <form method="post" action=format!("/scoring/{aid}/recuse") class="decision" data-testid="conflict-form">
                <fieldset>
                    <legend>{move || locale.get().pick("利益冲突声明：如有下列情形，请回避本申报", "Conflict of interest: if any applies, step aside from this application")}</legend>
                    {domain::panel::Conflict::ALL.into_iter().map(|c| {
                        let (zh, en) = c.name();
                        view! { <label class="check"><input type="radio" name="conflict" value=c.code()/><span>{move || locale.get().pick(zh, en)}</span></label> }
                    }).collect_view()}
                    <label>{move || locale.get().pick("说明（选填）", "Details (optional)")}<input type="text" name="note" maxlength="200"/></label>
                </fieldset>
                <crate::forms::ConfirmSubmit
                    label=("声明冲突并回避", "Declare the conflict and step aside")
                    question=("回避后您不能再为本申报评分，已填的分数不计入结果。确定回避？", "Once you step aside you can no longer score this application, and nothing you entered counts. Step aside?")
                    act=("确认回避", "Yes, step aside")
                    testid="recuse"
                />
            </form>
        })}
        <form method="post" action=format!("/scoring/{aid}/submit") class="decision" data-testid="score-form">
            <fieldset disabled=!open>
                <legend>{move || locale.get().pick("逐项评分", "Score every item")}</legend>
                <ol class="score-items">
                    {s.items.iter().enumerate().map(|(i, item)| {
                        let given = kept(i).or_else(|| s.mine.get(i).copied().flatten().map(|g| match g {
                            ItemScore::Points(p) => p.to_string(),
                            ItemScore::VetoBreached => "breached".into(),
                            ItemScore::VetoHolds => "holds".into(),
                        })).unwrap_or_default();
                        let (zh, en) = (item.text_zh.clone(), item.text_en.clone());
                        let max = item.max_points;
                        view! {
                            <li class="score-item">
                                <span class="score-item__text">{move || locale.get().pick(&zh, &en).to_string()}</span>
                                {match item.kind {
                                    ItemKind::Veto => view! {
                                        <span class="score-item__veto">
                                            <label class="check"><input type="radio" name=format!("item.{i}") value="holds" checked=given == "holds"/><span>{move || locale.get().pick("未触及", "Holds")}</span></label>
                                            <label class="check"><input type="radio" name=format!("item.{i}") value="breached" checked=given == "breached"/><span>{move || locale.get().pick("触及否决", "Breached")}</span></label>
                                        </span>
                                    }.into_any(),
                                    kind => view! {
                                        <label class="score-item__points">
                                            <input type="number" name=format!("item.{i}") min="0" max=max inputmode="numeric" value=given.clone() aria-label=format!("{} / {max}", i + 1)/>
                                            {move || format!("/ {max}{}", if kind == ItemKind::Bonus { locale.get().pick("（加分）", " (bonus)") } else { "" })}
                                        </label>
                                    }.into_any(),
                                }}
                            </li>
                        }
                    }).collect_view()}
                </ol>
                <label>{move || locale.get().pick("评审意见（选填）", "Comment (optional)")}<textarea name="comment" rows="2" maxlength="1000">{crate::forms::textarea_text(&s.comment)}</textarea></label>
                <p class="panel__lead">{move || format!("{}{}{}", locale.get().pick("加分项合计最多 ", "Bonus points count up to "), s.rules.bonus_cap, locale.get().pick(" 分；达到 ", "; the pass mark is "))}{s.rules.pass_score}{move || locale.get().pick(" 分为通过。", ".")}</p>
                {open.then(|| view! { <button class="button" data-testid="submit-scores">{move || locale.get().pick("提交评分", "Submit my scores")}</button> })}
            </fieldset>
        </form>
        {s.others.map(|others| view! {
            <section class="summary" data-testid="others">
                <h2>{move || locale.get().pick("评审组评分", "The panel's scores")}</h2>
                <div class="table-wrap" tabindex="0"><table class="table table--fit"><tbody>
                    {others.into_iter().map(|(name, total, vetoed, status)| view! {
                        <tr><td>{name}</td><td>{if status == AssignmentStatus::Recused { "—".to_string() } else { total.map(|t| t.to_string()).unwrap_or_else(|| "…".into()) }}{vetoed.then_some(" ⚠")}</td></tr>
                    }).collect_view()}
                </tbody></table></div>
            </section>
        })}
    }
}
