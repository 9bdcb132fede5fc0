//! Consumer complaints (消费投诉) and the three rates they feed.
//!
//! - `public`: the complaint form (from the portal, or from a plaque's QR page with the
//!   business filled in), the consumer's tracking page, and the one-tap rating link;
//! - `desk`: a registered business's handling desk with the ODR clock;
//! - `staff`: the county and township list with filters, the rates and their
//!   definitions, the thresholds of dynamic management, entry, handling, exports;
//! - `import` (server only): 12315 exports, CSV or XLSX, streamed and all or nothing.

pub mod desk;
#[cfg(feature = "ssr")]
pub mod import;
pub mod public;
#[cfg(feature = "ssr")]
mod public_post;
pub mod staff;

use crate::i18n::use_locale;
use domain::complaint::{Channel, Industry, Outcome, Overdue, Rating, RefusalGround, Status};
use domain::rates::ComplaintCounts;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// An area to choose in a form: (code, 中文, English).
pub type AreaChoice = (String, String, String);

/// A complaint as a page shows it. The consumer's name is always masked; the phone is
/// shown in full only to those who must call (the business's desk, handling staff).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintView {
    pub id: i64,
    pub tracking_code: Option<String>,
    pub external_no: Option<String>,
    pub channel: Channel,
    pub status: Status,
    pub consumer: String,
    pub phone: String,
    pub organisation_id: Option<i64>,
    pub unit_name: String,
    pub unit_credit_code: Option<String>,
    pub township: String,
    pub industry: Industry,
    pub summary: String,
    pub demand: String,
    pub received_on: String,
    pub accepted_on: Option<String>,
    pub closed_on: Option<String>,
    pub outcome: Option<Outcome>,
    pub refusal_ground: Option<RefusalGround>,
    pub recovered: String,
    pub advance: String,
    pub rating: Option<Rating>,
    pub unit_contacted_on: Option<String>,
    pub unit_offer: Option<String>,
    pub unit_failed: bool,
    /// The clock running now: which limit, its last day, working days left.
    pub clock: Option<(Overdue, String, i64)>,
}

impl ComplaintView {
    pub fn overdue(&self) -> bool {
        self.clock.as_ref().is_some_and(|(_, _, left)| *left < 0)
    }
}

/// The three rates with the counts behind them, and the money.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatesView {
    pub counts: ComplaintCounts,
    pub recovered_fen: i64,
    pub advance_fen: i64,
    /// The period the counts cover, as shown.
    pub period: String,
}

fn percent(r: Option<f64>) -> String {
    r.map(|r| format!("{:.1}%", r * 100.0))
        .unwrap_or_else(|| "—".into())
}

/// The three rates as tiles, each with its fraction, and the definitions behind an
/// info button (a `<details>` popover: it opens without JavaScript).
#[component]
pub fn RatesTiles(rates: RatesView) -> impl IntoView {
    let locale = use_locale();
    let c = rates.counts;
    let ratings = c.rated_satisfied + c.rated_basically_satisfied + c.rated_dissatisfied;
    let tiles = [
        (
            "handling",
            ("处理率", "Handling rate"),
            percent(c.handling_rate()),
            format!("{} / {}", c.closed, c.accepted),
        ),
        (
            "success",
            ("处理成功率", "Success rate"),
            percent(c.success_rate()),
            format!("{} / {}", c.mediated_successfully, c.mediated),
        ),
        (
            "satisfaction",
            ("满意率", "Satisfaction rate"),
            percent(c.satisfaction_rate()),
            format!(
                "{} / {}",
                c.rated_satisfied + c.rated_basically_satisfied,
                ratings
            ),
        ),
    ];
    view! {
        <section class="rates" data-testid="rates">
            <div class="rates__head">
                <h2>{move || locale.get().pick("三率", "The three rates")}<span class="rates__period">{rates.period.clone()}</span></h2>
                <details class="info">
                    <summary aria-label=move || locale.get().pick("口径说明", "How they are counted")>"ⓘ"</summary>
                    <div class="info__body" data-testid="rate-definitions">
                        <p>{move || locale.get().pick("按受理日期统计：期内受理的投诉，看它们到今天的办理结果。", "Counted by the date accepted: the complaints accepted in the period, and what has become of them by today.")}</p>
                        <p><strong>{move || locale.get().pick("处理率", "Handling rate")}</strong>{move || locale.get().pick(" = 期内受理的投诉中已办结的件数 ÷ 期内受理件数。", " = of the complaints accepted in the period, those closed ÷ all of them.")}</p>
                        <p><strong>{move || locale.get().pick("处理成功率", "Success rate")}</strong>{move || locale.get().pick(" = 其中达成调解协议或协商和解的件数 ÷ 其中经调解（含企业协商）办结的件数。", " = of those, closed with a mediation agreement or a settlement ÷ closed after mediation (including the business's own negotiation).")}</p>
                        <p><strong>{move || locale.get().pick("满意率", "Satisfaction rate")}</strong>{move || locale.get().pick(" = 其中“满意”与“基本满意”的评价数 ÷ 全部评价数（未评价不计入）。", " = of those, \"satisfied\" and \"basically satisfied\" ratings ÷ all ratings given (no answer is not counted).")}</p>
                        <p>{move || locale.get().pick("分母为零时显示“—”（无数据），不显示 0% 或 100%。", "With nothing to divide by, a rate shows \"—\" (no data), never 0 % or 100 %.")}</p>
                    </div>
                </details>
            </div>
            <div class="tiles">
                {tiles.into_iter().map(|(key, (zh, en), value, fraction)| view! {
                    <div class="tile" data-testid=format!("rate-{key}")>
                        <p class="tile__label">{move || locale.get().pick(zh, en)}</p>
                        <p class="tile__value" data-testid=format!("rate-{key}-value")>{value}</p>
                        <p class="tile__note">{fraction}</p>
                    </div>
                }).collect_view()}
                <div class="tile">
                    <p class="tile__label">{move || locale.get().pick("挽回经济损失", "Recovered for consumers")}</p>
                    <p class="tile__value">{format!("¥{}", domain::complaint::yuan(rates.recovered_fen))}</p>
                    <p class="tile__note">{move || locale.get().pick("先行赔付 ", "Advance compensation ")}{format!("¥{}", domain::complaint::yuan(rates.advance_fen))}</p>
                </div>
            </div>
        </section>
    }
}

/// The `<option>`s of an enumeration, `chosen` selected.
pub fn options<T: domain::complaint::Coded>(chosen: &str) -> impl IntoView {
    let locale = use_locale();
    T::all()
        .iter()
        .map(|v| {
            let (zh, en) = v.name();
            view! { <option value=v.code() selected=chosen == v.code()>{move || locale.get().pick(zh, en)}</option> }
        })
        .collect_view()
}

/// The status as a badge.
#[component]
pub fn StatusBadge(status: Status, #[prop(optional)] overdue: bool) -> impl IntoView {
    let locale = use_locale();
    let (zh, en) = status.name();
    let class = match status {
        Status::Closed => "badge badge--ok",
        Status::NotAccepted => "badge",
        _ if overdue => "badge badge--bad",
        _ => "badge badge--draft",
    };
    view! { <span class=class data-status=status.code()>{move || locale.get().pick(zh, en)}</span> }
}

/// The clock line: "还剩 3 个工作日（2026-03-16 前）" or "已超期 2 个工作日".
#[component]
pub fn ClockLine(clock: Option<(Overdue, String, i64)>) -> impl IntoView {
    let locale = use_locale();
    clock.map(|(kind, due, left)| {
        let (kzh, ken) = match kind {
            Overdue::Acceptance => ("受理时限", "To accept"),
            Overdue::Negotiation => ("企业协商时限", "Business's 10 working days"),
            Overdue::Mediation => ("调解时限", "Mediation limit"),
        };
        let class = if left < 0 { "clock clock--late" } else { "clock" };
        view! {
            <p class=class data-testid="complaint-clock" data-left=left>
                {move || locale.get().pick(kzh, ken)}{move || locale.get().pick("：", ": ")}
                {move || if left >= 0 {
                    locale.get().pick(&format!("还剩 {left} 个工作日（{due} 前）"), &format!("{left} working days left (by {due})")).to_string()
                } else {
                    let (ozh, oen) = kind.name();
                    locale.get().pick(&format!("{ozh}，已超 {} 个工作日（应于 {due} 前）", -left), &format!("{oen}: {} working days late (due {due})", -left)).to_string()
                }}
            </p>
        }
    })
}

#[cfg(feature = "ssr")]
pub mod ssr {
    //! Shared server-side pieces: turning stored rows into views, the rates of a filter.
    use super::*;
    use crate::errors::AppError;
    use domain::workdays::HolidayCalendar;
    use store::complaints::{Complaint, ComplaintFilter};
    use store::Store;

    /// Township names by code, for views.
    pub async fn township_names(
        store: &Store,
    ) -> Result<std::collections::HashMap<String, String>, AppError> {
        Ok(store
            .areas_under(domain::application::COUNTY)
            .await?
            .into_iter()
            .map(|a| (a.code, a.name_zh))
            .collect())
    }

    pub fn view_of(
        c: Complaint,
        cal: &HolidayCalendar,
        today: chrono::NaiveDate,
        townships: &std::collections::HashMap<String, String>,
        full_phone: bool,
    ) -> ComplaintView {
        let facts = c.facts();
        let clock = facts.as_ref().and_then(|f| {
            let (kind, due) = domain::complaint::due_date(cal, f)?;
            let left = domain::complaint::working_days_left(cal, f, today)?;
            Some((kind, due.to_string(), left))
        });
        ComplaintView {
            id: c.id,
            tracking_code: c.tracking_code,
            external_no: c.external_no,
            channel: Channel::parse(&c.channel).unwrap_or(Channel::Web),
            status: c.status,
            consumer: domain::complaint::mask_name(&c.consumer_name),
            phone: if full_phone {
                c.consumer_phone.clone()
            } else {
                domain::complaint::mask_phone(&c.consumer_phone)
            },
            organisation_id: c.organisation_id,
            unit_name: c.unit_name,
            unit_credit_code: c.unit_credit_code,
            township: townships
                .get(c.area_code.get(..9).unwrap_or(&c.area_code))
                .cloned()
                .unwrap_or_default(),
            industry: Industry::parse(&c.industry).unwrap_or(Industry::Other),
            summary: c.summary,
            demand: c.demand,
            received_on: c.received_on,
            accepted_on: c.accepted_on,
            closed_on: c.closed_on,
            outcome: c.outcome.as_deref().and_then(Outcome::parse),
            refusal_ground: c.refusal_ground.as_deref().and_then(RefusalGround::parse),
            recovered: domain::complaint::yuan(c.recovered_fen),
            advance: domain::complaint::yuan(c.advance_fen),
            rating: c.rating.as_deref().and_then(Rating::parse),
            unit_contacted_on: c.unit_contacted_on,
            unit_offer: c.unit_offer,
            unit_failed: c.unit_failed,
            clock,
        }
    }

    /// The rates over a filter, the one way every page computes them.
    pub async fn rates(store: &Store, f: &ComplaintFilter) -> Result<RatesView, AppError> {
        let store::complaints::ComplaintFigures {
            counts,
            recovered_fen,
            advance_fen,
        } = store.complaint_figures(f).await?;
        let period = match (f.from.as_deref(), f.to.as_deref()) {
            (Some(a), Some(b)) => format!("{a} — {b}"),
            (Some(a), None) => format!("{a} —"),
            (None, Some(b)) => format!("— {b}"),
            (None, None) => String::new(),
        };
        Ok(RatesView {
            counts,
            recovered_fen,
            advance_fen,
            period,
        })
    }

    /// Dynamic-management thresholds, from settings.
    pub async fn thresholds(store: &Store) -> domain::complaint::Thresholds {
        let d = domain::complaint::Thresholds::default();
        let get = |key: &'static str, default: u32| async move {
            crate::review::common::setting_u32(store, (key, default))
                .await
                .unwrap_or(default)
        };
        domain::complaint::Thresholds {
            max_complaints: get(THRESHOLD_COUNT, d.max_complaints).await,
            min_satisfaction_percent: get(THRESHOLD_SATISFACTION, d.min_satisfaction_percent).await,
            min_ratings: get(THRESHOLD_RATINGS, d.min_ratings).await,
        }
    }

    /// Sends the consumer the one-tap rating link of a complaint just closed.
    pub async fn send_rating_link(store: &Store, id: i64) {
        let Ok(Some(c)) = store.complaint(id).await else {
            return;
        };
        match store.rating_token(id).await {
            Ok(token) => crate::review::common::notify_phone(
                &c.consumer_phone,
                &format!("您对{}的投诉已办结，请点击链接评价处理结果：", c.unit_name),
                &format!("/rate/{token}"),
            ),
            Err(e) => tracing::warn!(error = %e, "no rating link"),
        }
    }

    pub const THRESHOLD_COUNT: &str = "complaints.flag_max_per_quarter";
    pub const THRESHOLD_SATISFACTION: &str = "complaints.flag_min_satisfaction_percent";
    pub const THRESHOLD_RATINGS: &str = "complaints.flag_min_ratings";

    /// Recognised units (valid plaques) that cross a threshold this quarter, by
    /// organisation: its flags.
    pub async fn flagged_units(
        store: &Store,
        area: &str,
    ) -> Result<std::collections::HashMap<i64, Vec<domain::complaint::Flag>>, AppError> {
        let today = crate::review::common::today(store).await;
        let (from, to) = domain::complaint::quarter_bounds(today);
        let t = thresholds(store).await;
        let valid: std::collections::HashSet<i64> = store
            .recognitions_under(area)
            .await?
            .into_iter()
            .filter(|r| {
                r.revoked_on.is_none() && r.valid_until.as_str() >= today.to_string().as_str()
            })
            .map(|r| r.organisation_id)
            .collect();
        let mut out = std::collections::HashMap::new();
        for (org, complaints, ratings) in store
            .complaints_by_organisation(&from.to_string(), &to.to_string())
            .await?
        {
            if !valid.contains(&org) {
                continue;
            }
            let flags = domain::complaint::flags(&t, complaints, &ratings);
            if !flags.is_empty() {
                out.insert(org, flags);
            }
        }
        Ok(out)
    }
}

/// Plain HTTP routes of this module (form posts and downloads that work without
/// JavaScript).
pub const ROUTES: &[&str] = &[
    "/complain/file",
    "/rate/{token}/vote",
    "/track/find",
    "/desk/{id}",
    "/complaints/file",
    "/complaints/settings",
    "/complaints/case/{id}/act",
    "/complaints/import/upload",
    "/complaints/imports/{id}/report",
    "/complaints/export/csv",
    "/complaints/export/xlsx",
];

#[cfg(feature = "ssr")]
pub fn routes<S>() -> axum::Router<S>
where
    S: Clone + Send + Sync + 'static,
    crate::state::AppState: axum::extract::FromRef<S>,
{
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/complain/file", post(public_post::file))
        .route("/rate/{token}/vote", post(public_post::vote))
        .route("/track/find", get(public_post::find))
        .route("/desk/{id}", post(desk::ssr::act))
        .route("/complaints/file", post(staff::post::file))
        .route("/complaints/settings", post(staff::post::settings))
        .route("/complaints/case/{id}/act", post(staff::post::act))
        .route(
            "/complaints/import/upload",
            post(staff::post::upload).layer(axum::extract::DefaultBodyLimit::max(
                import::MAX_IMPORT_BYTES,
            )),
        )
        .route("/complaints/imports/{id}/report", get(staff::post::report))
        .route("/complaints/export/csv", get(staff::export::export_csv))
        .route("/complaints/export/xlsx", get(staff::export::export_xlsx))
}
