//! Exports of the filtered list to CSV and XLSX (server only).

use super::{ListQuery, Readers};
use crate::accounts::CurrentUser;
use crate::review::common::{self, Staff};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::complaint::{Channel, Column, Industry, Outcome, Rating, RefusalGround};

struct Export {
    rows: Vec<store::complaints::Complaint>,
    townships: std::collections::HashMap<String, String>,
}

async fn rows_for_export(
    store: &store::Store,
    user: &CurrentUser,
    p: &[(String, String)],
) -> Result<Export, crate::errors::AppError> {
    let q = ListQuery::from_pairs(|k| p.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()));
    let today = common::today(store).await;
    let f = super::scope::filter(user, &q, today);
    let mut out = Vec::new();
    // Paged reads; an export holds at most one spreadsheet's rows.
    let page = 5000;
    loop {
        let rows = store.find_complaints(&f, page, out.len() as i64).await?;
        let n = rows.len() as i64;
        out.extend(rows);
        if n < page || out.len() >= 1_000_000 {
            break;
        }
    }
    Ok(Export {
        rows: out,
        townships: super::super::ssr::township_names(store).await?,
    })
}

/// The columns of an export: the import's own headers, so an export imports back.
fn export_cells(
    c: &store::complaints::Complaint,
    townships: &std::collections::HashMap<String, String>,
) -> Vec<String> {
    let name = |code: &Option<String>, parse: fn(&str) -> Option<(&'static str, &'static str)>| {
        code.as_deref()
            .and_then(parse)
            .map(|(zh, _)| zh.to_string())
            .unwrap_or_default()
    };
    Column::ALL
        .iter()
        .map(|col| match col {
            Column::Number => c
                .external_no
                .clone()
                .or(c.tracking_code.clone())
                .unwrap_or_else(|| format!("FX-{}", c.id)),
            Column::ReceivedOn => c.received_on.clone(),
            Column::AcceptedOn => c.accepted_on.clone().unwrap_or_default(),
            Column::ClosedOn => c.closed_on.clone().unwrap_or_default(),
            Column::ConsumerName => domain::complaint::mask_name(&c.consumer_name),
            Column::ConsumerPhone => domain::complaint::mask_phone(&c.consumer_phone),
            Column::UnitName => c.unit_name.clone(),
            Column::UnitCreditCode => c.unit_credit_code.clone().unwrap_or_default(),
            Column::Township => townships
                .get(c.area_code.get(..9).unwrap_or(&c.area_code))
                .cloned()
                .unwrap_or_else(|| c.area_code.clone()),
            Column::Industry => Industry::parse(&c.industry)
                .map(|i| i.name().0.to_string())
                .unwrap_or_default(),
            Column::Channel => Channel::parse(&c.channel)
                .map(|i| i.name().0.to_string())
                .unwrap_or_default(),
            Column::Status => c.status.name().0.to_string(),
            Column::Outcome => name(&c.outcome, |s| Outcome::parse(s).map(|o| o.name())),
            Column::RefusalGround => name(&c.refusal_ground, |s| {
                RefusalGround::parse(s).map(|o| o.name())
            }),
            Column::Recovered => domain::complaint::yuan(c.recovered_fen),
            Column::AdvancePaid => domain::complaint::yuan(c.advance_fen),
            Column::Rating => name(&c.rating, |s| Rating::parse(s).map(|o| o.name())),
            Column::Summary => c.summary.clone(),
        })
        .collect()
}

pub async fn export_csv(
    State(state): State<AppState>,
    Staff { user, .. }: Staff<Readers>,
    Query(p): Query<Vec<(String, String)>>,
) -> Response {
    let Ok(export) = rows_for_export(&state.store, &user, &p).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut out = String::from("\u{feff}");
    let header: Vec<&str> = Column::ALL.iter().map(|c| c.header().0).collect();
    out.push_str(&header.join(","));
    out.push('\n');
    for c in &export.rows {
        let cells: Vec<String> = export_cells(c, &export.townships)
            .iter()
            .map(|s| super::super::import::csv_cell(s))
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"complaints.csv\"",
            ),
        ],
        out,
    )
        .into_response()
}

pub async fn export_xlsx(
    State(state): State<AppState>,
    Staff { user, .. }: Staff<Readers>,
    Query(p): Query<Vec<(String, String)>>,
) -> Response {
    let Ok(export) = rows_for_export(&state.store, &user, &p).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let book = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("投诉")?;
        let bold = Format::new().set_bold();
        for (i, col) in Column::ALL.iter().enumerate() {
            sheet.write_string_with_format(0, i as u16, col.header().0, &bold)?;
        }
        for (r, c) in export.rows.iter().enumerate() {
            for (i, cell) in export_cells(c, &export.townships).iter().enumerate() {
                sheet.write_string(r as u32 + 1, i as u16, cell)?;
            }
        }
        sheet.set_column_width(6, 28)?;
        sheet.set_column_width(17, 40)?;
        book.save_to_buffer()
    };
    match book() {
        Ok(bytes) => (
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"complaints.xlsx\"",
                ),
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
