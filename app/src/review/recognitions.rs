//! Recognised demonstrators and dynamic management (动态管理), the county office's side:
//! the register with live status and certificates, its xlsx export for filing,
//! re-inspection plans (a random sample or all), each inspection's result, and
//! revocation — which the plaque's QR page shows at once, with a public notice.

use crate::errors::AppError;
use crate::i18n::{t, use_locale, Msg};
use crate::layout::Title;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRow {
    pub id: i64,
    pub organisation_name: String,
    pub category: domain::Category,
    pub certificate_no: String,
    pub token: String,
    pub recognised_on: String,
    pub valid_until: String,
    pub status: domain::notice::PlaqueStatus,
    /// An open re-inspection: (its id, plan).
    pub pending: Option<(i64, String)>,
    pub last_result: Option<(String, String)>,
    /// Complaint thresholds crossed this quarter (dynamic management): 中文, English.
    pub complaint_flags: Vec<(String, String)>,
}

#[server(prefix = "/api", endpoint = "recognition_register")]
#[tracing::instrument(skip_all)]
pub async fn recognition_register() -> Result<Vec<RegisterRow>, AppError> {
    let user = crate::accounts::session::require_role(&[domain::Role::CountyOffice])?;
    let store = crate::state::store()?;
    register(&store, &user.area_code).await
}

#[cfg(feature = "ssr")]
pub async fn register(store: &store::Store, area: &str) -> Result<Vec<RegisterRow>, AppError> {
    let today = super::common::today(store).await;
    let mut flagged = crate::complaints::ssr::flagged_units(store, area).await?;
    let mut out = Vec::new();
    for r in store.recognitions_under(area).await? {
        let until = chrono::NaiveDate::parse_from_str(&r.valid_until, "%Y-%m-%d")
            .map_err(AppError::internal)?;
        let history = store.reinspections_of(r.id).await?;
        let complaint_flags = flagged
            .remove(&r.organisation_id)
            .unwrap_or_default()
            .iter()
            .map(|f| f.describe())
            .collect();
        out.push(RegisterRow {
            complaint_flags,
            id: r.id,
            organisation_name: r.organisation_name,
            category: domain::Category::parse(&r.category_code).unwrap_or(domain::Category::Unit),
            certificate_no: r.certificate_no,
            token: r.token,
            recognised_on: r.recognised_on,
            valid_until: r.valid_until,
            status: domain::notice::plaque_status(today, until, r.revoked_on.is_some()),
            pending: history
                .iter()
                .find(|i| i.result.is_none())
                .map(|i| (i.id, i.plan.clone())),
            last_result: history.iter().find(|i| i.result.is_some()).map(|i| {
                (
                    i.result.clone().unwrap_or_default(),
                    i.inspected_at.clone().unwrap_or_default(),
                )
            }),
        });
    }
    Ok(out)
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let locale = use_locale();
    let data = Resource::new_blocking(|| (), |_| recognition_register());
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("示范名录与复查", "Register and re-inspection"), Msg::AppName.text(locale.get()))/>
        <section class="panel">
            <h1>{move || locale.get().pick("示范名录与复查", "Register and re-inspection")}</h1>
            <p class="panel__lead">{move || locale.get().pick("已认定的示范单位、证书与实时状态。可抽样或全部安排复查，复查不合格即撤销并公告。", "Recognised demonstrators with their certificates and live status. Plan re-inspections for a sample or for all; a failed re-inspection revokes and is published.")}</p>
            <crate::forms::PostNote text=register_note testid="register-note"/>
            <p><a class="button button--secondary" href="/recognitions.xlsx" download data-testid="export-xlsx">{move || locale.get().pick("导出 Excel（备案）", "Export to Excel (for filing)")}</a></p>
            <form method="post" action="/reinspections/plan" class="inline-form" data-testid="plan-form">
                <label>{move || locale.get().pick("复查计划名称", "Plan name")}<input type="text" name="plan" maxlength="80" value="2027年第一季度复查"/></label>
                <label>{move || locale.get().pick("抽查数量（留空为全部）", "Sample size (empty: all)")}<input type="number" name="sample" min="1" inputmode="numeric"/></label>
                <label class="check"><input type="checkbox" name="flagged" value="1"/>{move || locale.get().pick("只安排投诉预警单位", "Only units with a complaint flag")}</label>
                <button class="button">{move || locale.get().pick("安排复查", "Plan re-inspections")}</button>
            </form>
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                        Ok(rows) if rows.is_empty() => view! { <p class="empty">{move || locale.get().pick("暂无已认定的单位。", "Nobody is recognised yet.")}</p> }.into_any(),
                        Ok(rows) => view! {
                            <ul class="review-list" data-testid="register">
                                {rows.into_iter().map(|r| {
                                    let (czh, cen) = r.category.name();
                                    let (szh, sen) = r.status.name();
                                    let (from, to) = (r.recognised_on.clone(), r.valid_until.clone());
                                    view! {
                                        <li class="review-card" data-testid="register-row">
                                            <h2>{r.organisation_name.clone()}
                                                {(!r.complaint_flags.is_empty()).then(|| view! { <span class="badge badge--bad" data-testid="complaint-flag">{move || locale.get().pick("投诉预警", "Complaint flag")}</span> })}
                                            </h2>
                                            {(!r.complaint_flags.is_empty()).then(|| {
                                                let flags = r.complaint_flags.clone();
                                                view! { <p class="alert alert--error">{move || flags.iter().map(|(zh, en)| locale.get().pick(zh, en).to_string()).collect::<Vec<_>>().join(locale.get().pick("；", "; "))}</p> }
                                            })}
                                            <p class="panel__lead">{move || locale.get().pick(czh, cen)}{format!(" · {} · ", r.certificate_no)}{move || format!("{} · ", crate::format::date_range(locale.get(), &from, &to))}<strong>{move || locale.get().pick(szh, sen)}</strong></p>
                                            <p><a href=format!("/certificate/{}", r.token)>{move || locale.get().pick("证书", "Certificate")}</a>" · "<a href=format!("/verify/{}", r.token)>{move || locale.get().pick("查验页", "Verification page")}</a></p>
                                            {r.last_result.clone().map(|(res, at)| view! { <p class="panel__lead">{move || locale.get().pick("上次复查：", "Last re-inspection: ")}{if res == "kept" { locale.get().pick("保留", "kept") } else { locale.get().pick("撤销", "revoked") }}{format!(" · {}", crate::format::short_time(&at))}</p> })}
                                            {r.pending.clone().map(|(iid, plan)| view! {
                                                <form method="post" action=format!("/reinspections/{iid}/record") class="decision" data-testid="reinspection-form">
                                                    <p>{move || locale.get().pick("待复查：", "To re-inspect: ")}{plan.clone()}</p>
                                                    <label>{move || locale.get().pick("复查记录（撤销时写明原因）", "Findings (the reason, when revoking)")}<textarea name="note" rows="2" maxlength="1000"></textarea></label>
                                                    <div class="wizard-nav">
                                                        <button class="button" name="result" value="kept" data-testid="keep">{move || locale.get().pick("合格，保留", "Passed: keep")}</button>
                                                        <crate::forms::ConfirmSubmit
                                                            label=("不合格，撤销称号", "Failed: revoke")
                                                            question=("撤销后牌匾立即失效，并在撤销公告中向社会公布。确定撤销？", "Once revoked the plaque is void at once and the revocation is published. Revoke?")
                                                            act=("确认撤销", "Yes, revoke")
                                                            testid="revoke"
                                                            name="result"
                                                            value="revoked"
                                                        />
                                                    </div>
                                                </form>
                                            })}
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

/// The prefix of the note that says how many re-inspections were planned (`ok.planned.N`).
pub const PLANNED: &str = "ok.planned.";

crate::notes::notes! {
    pub enum RegisterNote {
        OkKept = "ok.kept" => ("复查合格，称号保留。", "Passed: the recognition stays."),
        OkRevoked = "ok.revoked" => ("称号已撤销，撤销公告已发布，牌匾二维码即时显示“已撤销”。", "Revoked: the notice is published and the plaque's QR page shows it at once."),
        Reason = "reason" => ("撤销必须写明原因。", "A revocation needs its reason."),
        Plan = "plan" => ("请填写复查计划名称。", "Name the plan."),
        State = "state" => ("操作未完成，请刷新后重试。", "That did not go through; reload and try again."),
        _ => State,
    }
}

fn register_note(code: &str, l: domain::Locale) -> String {
    if let Some(n) = code.strip_prefix(PLANNED) {
        return format!(
            "{}{n}{}",
            l.pick("已安排 ", "Planned "),
            l.pick(" 家单位复查。", " re-inspections.")
        );
    }
    RegisterNote::describe(code, l)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::super::common::{field, text, CountyOffice, Staff};
    use super::{RegisterNote, PLANNED};
    use crate::state::AppState;
    use axum::extract::{Path, State};
    use axum::http::{header, StatusCode};
    use axum::response::{IntoResponse, Redirect, Response};
    use axum::Form;

    fn to(path: &str) -> Response {
        Redirect::to(path).into_response()
    }

    pub async fn plan(
        State(state): State<AppState>,
        Staff { user, addr, .. }: Staff<CountyOffice>,
        Form(p): Form<Vec<(String, String)>>,
    ) -> Response {
        use crate::usecases::recognitions::{plan_reinspections, PlanChoice, Planned};
        let choice = PlanChoice {
            flagged_only: field(&p, "flagged") == "1",
            sample: field(&p, "sample").parse::<usize>().ok(),
        };
        let actor = crate::usecases::Actor::new(user, addr);
        match plan_reinspections(&state.store, &actor, &text(&p, "plan", 80), choice).await {
            Ok(Planned::Planned(n)) => to(&format!("/recognitions?done={PLANNED}{n}")),
            Ok(Planned::NoName) => to(&RegisterNote::Plan.error_at("/recognitions")),
            Err(e) => {
                tracing::warn!(error = ?e, "re-inspections not planned");
                to(&RegisterNote::State.error_at("/recognitions"))
            }
        }
    }

    pub async fn record(
        State(state): State<AppState>,
        Path(id): Path<i64>,
        Staff { user, addr, .. }: Staff<CountyOffice>,
        Form(p): Form<Vec<(String, String)>>,
    ) -> Response {
        use crate::usecases::recognitions::{reinspect, Reinspected, ReinspectionResult};
        let result = match field(&p, "result").as_str() {
            "kept" => ReinspectionResult::Kept,
            "revoked" => ReinspectionResult::Revoked,
            _ => return to(&RegisterNote::State.error_at("/recognitions")),
        };
        let note = text(&p, "note", 1000);
        let actor = crate::usecases::Actor::new(user, addr);
        let done = match reinspect(&state.store, &actor, id, result, &note).await {
            Ok(Reinspected::Kept) => RegisterNote::OkKept,
            Ok(Reinspected::Revoked) => RegisterNote::OkRevoked,
            Ok(Reinspected::NoReason) => return to(&RegisterNote::Reason.error_at("/recognitions")),
            Ok(Reinspected::NotPending) => {
                return to(&RegisterNote::State.error_at("/recognitions"))
            }
            Err(e) => {
                tracing::warn!(error = ?e, "re-inspection not recorded");
                return to(&RegisterNote::State.error_at("/recognitions"));
            }
        };
        to(&done.done_at("/recognitions"))
    }

    /// The register as an xlsx workbook, for filing.
    pub async fn export(
        State(state): State<AppState>,
        Staff { user, .. }: Staff<CountyOffice>,
    ) -> Response {
        let Ok(rows) = super::register(&state.store, &user.area_code).await else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        match workbook(&rows) {
            Ok(bytes) => (
                [
                    (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                    (header::CONTENT_DISPOSITION, "attachment; filename=\"recognitions.xlsx\"; filename*=UTF-8''%E6%94%BE%E5%BF%83%E6%B6%88%E8%B4%B9%E7%A4%BA%E8%8C%83%E5%90%8D%E5%BD%95.xlsx"),
                ],
                bytes,
            )
                .into_response(),
            Err(e) => {
                tracing::error!(error = %e, "xlsx export failed");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }

    fn workbook(rows: &[super::RegisterRow]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("示范名录")?;
        let bold = Format::new().set_bold();
        let headers = [
            "证书编号",
            "单位名称",
            "类别",
            "认定日期",
            "有效期至",
            "状态",
        ];
        for (c, h) in headers.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        for (i, r) in rows.iter().enumerate() {
            let row = i as u32 + 1;
            sheet.write_string(row, 0, &r.certificate_no)?;
            sheet.write_string(row, 1, &r.organisation_name)?;
            sheet.write_string(row, 2, r.category.name().0)?;
            sheet.write_string(row, 3, &r.recognised_on)?;
            sheet.write_string(row, 4, &r.valid_until)?;
            sheet.write_string(row, 5, r.status.name().0)?;
        }
        sheet.set_column_width(0, 24)?;
        sheet.set_column_width(1, 36)?;
        sheet.set_column_width(2, 20)?;
        book.save_to_buffer()
    }
}
