//! The no-JS form handlers (server only): settings, entry, each handling step and
//! attachment uploads, import reports.

use super::{CaseNote, EntryNote, Handlers, ImportNote, ListNote};
use crate::review::common::{field, q, text, CountyOffice, Staff};
use crate::state::AppState;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::complaint::{Channel, Outcome, Rating, RefusalGround};

pub(super) fn to(path: &str) -> Response {
    Redirect::to(path).into_response()
}

pub async fn settings(
    State(state): State<AppState>,
    Staff { user, addr, .. }: Staff<CountyOffice>,
    Form(p): Form<Vec<(String, String)>>,
) -> Response {
    use crate::usecases::settings::{complaint_thresholds, Saved};
    let n = |k: &str| field(&p, k).parse::<u32>().ok();
    let (Some(max_complaints), Some(min_satisfaction_percent), Some(min_ratings)) =
        (n("max_complaints"), n("min_satisfaction"), n("min_ratings"))
    else {
        return to(&ListNote::Number.error_at("/complaints"));
    };
    let thresholds = domain::complaint::Thresholds {
        max_complaints,
        min_satisfaction_percent,
        min_ratings,
    };
    let actor = crate::usecases::Actor::new(user, addr);
    match complaint_thresholds(&state.store, &actor, thresholds).await {
        Ok(Saved::Saved) => to(&ListNote::Settings.done_at("/complaints")),
        Ok(Saved::TooLow | Saved::TooHigh) => to(&ListNote::Number.error_at("/complaints")),
        Err(e) => {
            tracing::error!(error = ?e, "complaint thresholds not saved");
            to(&ListNote::State.error_at("/complaints"))
        }
    }
}

/// Entry by county or township staff; waits for acceptance like any other.
pub async fn file(
    State(state): State<AppState>,
    Staff { user, addr, .. }: Staff<Handlers>,
    Form(p): Form<Vec<(String, String)>>,
) -> Response {
    let kept: String = [
        "channel",
        "number",
        "received_on",
        "name",
        "phone",
        "unit_name",
        "unit_credit_code",
        "township",
        "industry",
        "summary",
        "demand",
    ]
    .iter()
    .map(|k| format!("&{k}={}", q(&text(&p, k, 2000))))
    .collect();
    let refuse = |note: EntryNote| to(&format!("{}{kept}", note.error_at("/complaints/new")));
    use crate::usecases::complaints::{enter, ComplaintEntry, Entered, EntryProblem};
    use crate::usecases::public::ComplaintProblem as P;
    let entry = ComplaintEntry {
        channel: Channel::parse(&field(&p, "channel")),
        number: text(&p, "number", 40),
        received_on: chrono::NaiveDate::parse_from_str(&field(&p, "received_on"), "%Y-%m-%d").ok(),
        form: complaint_form(&p),
    };
    let actor = crate::usecases::Actor::new(user, addr);
    match enter(&state.store, &actor, &entry).await {
        Ok(Entered::Entered(id)) => to(&CaseNote::Filed.done_at(&format!("/complaints/case/{id}"))),
        Ok(Entered::Refused(problem)) => refuse(match problem {
            EntryProblem::Channel => EntryNote::Channel,
            EntryProblem::Date => EntryNote::Date,
            EntryProblem::Number => EntryNote::Number,
            EntryProblem::Complaint(P::Unit) => EntryNote::Unit,
            EntryProblem::Complaint(P::CreditCode) => EntryNote::CreditCode,
            EntryProblem::Complaint(P::Township) => EntryNote::Township,
            EntryProblem::Complaint(P::Industry) => EntryNote::Industry,
            EntryProblem::Complaint(P::Name) => EntryNote::Name,
            EntryProblem::Complaint(P::Phone) => EntryNote::Phone,
            EntryProblem::Complaint(P::Summary) => EntryNote::Summary,
            EntryProblem::Complaint(P::Busy) => EntryNote::State,
        }),
        Err(e) => {
            tracing::warn!(error = ?e, "complaint entry not stored");
            refuse(EntryNote::State)
        }
    }
}

/// The business and complaint fields of a complaint form, as posted.
pub(crate) fn complaint_form(p: &[(String, String)]) -> crate::usecases::public::ComplaintForm {
    crate::usecases::public::ComplaintForm {
        unit_name: text(p, "unit_name", 100),
        unit_credit_code: field(p, "unit_credit_code"),
        township: field(p, "township"),
        industry: field(p, "industry"),
        name: text(p, "name", 40),
        phone: field(p, "phone"),
        summary: text(p, "summary", 2000),
        demand: text(p, "demand", 200),
    }
}

/// One handling step on a complaint.
pub async fn act(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Staff { user, addr, .. }: Staff<Handlers>,
    Form(p): Form<Vec<(String, String)>>,
) -> Response {
    use crate::usecases::complaints::{handle, Handled, HandlingStep};
    let back = |k: &str, note: CaseNote| to(&format!("/complaints/case/{id}?{k}={}", note.code()));
    let (step, done) = match field(&p, "action").as_str() {
        "accept" => (HandlingStep::Accept, CaseNote::Accept),
        "refuse" => {
            let Some(g) = RefusalGround::parse(&field(&p, "ground")) else {
                return back("error", CaseNote::Ground);
            };
            (HandlingStep::Refuse(g), CaseNote::Refuse)
        }
        "link" => (HandlingStep::Link(field(&p, "credit_code")), CaseNote::Link),
        "escalate" => (HandlingStep::Escalate, CaseNote::Escalate),
        "close" => {
            let Some(outcome) = Outcome::parse(&field(&p, "outcome")) else {
                return back("error", CaseNote::Outcome);
            };
            let (Some(recovered_fen), Some(advance_fen)) = (
                domain::complaint::parse_yuan(&field(&p, "recovered")),
                domain::complaint::parse_yuan(&field(&p, "advance")),
            ) else {
                return back("error", CaseNote::Amount);
            };
            let close = HandlingStep::Close {
                outcome,
                recovered_fen,
                advance_fen,
            };
            (close, CaseNote::Close)
        }
        "rate" => {
            let Some(r) = Rating::parse(&field(&p, "rating")).filter(|r| *r != Rating::NoAnswer)
            else {
                return back("error", CaseNote::Rating);
            };
            (HandlingStep::Rate(r), CaseNote::Rate)
        }
        _ => return back("error", CaseNote::State),
    };
    let actor = crate::usecases::Actor::new(user, addr);
    match handle(&state.store, &actor, id, &step).await {
        Ok(Handled::Done) => back("done", done),
        Ok(Handled::UnknownBusiness) => back("error", CaseNote::CreditCode),
        Ok(Handled::RatingRefused) => back("error", CaseNote::Rating),
        Ok(Handled::NotApplicable) => back("error", CaseNote::State),
        Err(e) => {
            tracing::warn!(error = ?e, "complaint step not recorded");
            back("error", CaseNote::State)
        }
    }
}

/// A 12315 export, streamed to a temporary file, then imported all or nothing.
pub async fn upload(
    State(state): State<AppState>,
    Staff { user, addr, .. }: Staff<CountyOffice>,
    mut form: Multipart,
) -> Response {
    let store = &state.store;
    let mut saved = None;
    while let Ok(Some(mut f)) = form.next_field().await {
        if f.name() != Some("file") {
            continue;
        }
        let name = f.file_name().unwrap_or("upload").to_string();
        let tmp = match super::super::import::TempFile::new() {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(error = %e, "no temporary file for an import");
                return to(&ImportNote::State.error_at("/complaints/import"));
            }
        };
        let mut out = match tokio::fs::File::create(tmp.path()).await {
            Ok(o) => o,
            Err(_) => return to(&ImportNote::State.error_at("/complaints/import")),
        };
        let mut size = 0usize;
        loop {
            match f.chunk().await {
                Ok(Some(bytes)) => {
                    size += bytes.len();
                    if tokio::io::AsyncWriteExt::write_all(&mut out, &bytes)
                        .await
                        .is_err()
                    {
                        return to(&ImportNote::State.error_at("/complaints/import"));
                    }
                }
                Ok(None) => break,
                Err(_) => return to(&ImportNote::State.error_at("/complaints/import")),
            }
        }
        let _ = tokio::io::AsyncWriteExt::flush(&mut out).await;
        if size > 0 {
            saved = Some((name, tmp));
        }
    }
    let Some((name, tmp)) = saved else {
        return to(&ImportNote::Empty.error_at("/complaints/import"));
    };
    // The rows, the import's record and its audit entry commit together.
    let actor = crate::usecases::Actor::new(user, addr);
    let importer = crate::usecases::imports::Importer::CountyOffice(&actor);
    let outcome =
        match crate::usecases::imports::import_file(store, importer, tmp.path(), &name).await {
            Ok(outcome) => outcome,
            Err(e) => {
                tracing::warn!(error = ?e, "complaint import refused");
                return to(&ImportNote::State.error_at("/complaints/import"));
            }
        };
    use super::super::import::ImportOutcome::*;
    match outcome {
        Imported { .. } => to(&ImportNote::Imported.done_at("/complaints/import")),
        Rejected { import_id, .. } => to(&format!(
            "{}&report={import_id}",
            ImportNote::Rejected.error_at("/complaints/import")
        )),
        BadHeader { import_id } => to(&format!(
            "{}&report={import_id}",
            ImportNote::Header.error_at("/complaints/import")
        )),
        NotReadable => to(&ImportNote::Format.error_at("/complaints/import")),
        TooBigUnpacked { .. } => to(&ImportNote::Unpacked.error_at("/complaints/import")),
        Failed => to(&ImportNote::State.error_at("/complaints/import")),
    }
}

pub async fn report(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    _staff: Staff<CountyOffice>,
) -> Response {
    match state.store.complaint_import_report(id).await {
        Ok(Some(r)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"import-report.csv\"",
                ),
            ],
            // A BOM so that Excel opens the Chinese text as UTF-8.
            format!("\u{feff}{r}"),
        )
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}
