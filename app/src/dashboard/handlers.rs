//! The dashboard's plain HTTP side: the live change stream (server-sent events), table
//! exports (xlsx, CSV) and chart downloads (SVG).

use super::{build, DashboardQuery, DashboardView, Readers, Table};
use crate::accounts::CurrentUser;
use crate::review::common::Reader;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use domain::Locale;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// The change stream: one `change` event whenever complaints or applications change
/// anywhere (this instance or another, see `store::live`). Bursts are coalesced: after
/// an event, whatever else is already waiting goes with it.
pub async fn live(State(state): State<AppState>, _reader: Reader<Readers>) -> Response {
    let rx = state.live.subscribe();
    let hello = futures::stream::once(async {
        Ok::<_, Infallible>(
            Event::default()
                .retry(Duration::from_secs(1))
                .comment("connected"),
        )
    });
    let changes = futures::stream::unfold(rx, |mut rx| async move {
        let what = match rx.recv().await {
            Ok(what) => what,
            Err(RecvError::Lagged(_)) => "lagged".to_string(),
            Err(RecvError::Closed) => return None,
        };
        while rx.try_recv().is_ok() {}
        Some((Ok(Event::default().event("change").data(what)), rx))
    });
    use futures::StreamExt;
    let mut stopping = state.stopping.subscribe();
    let stop = async move {
        let _ = stopping.wait_for(|s| *s).await;
    };
    Sse::new(hello.chain(changes).take_until(Box::pin(stop)))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

fn locale_of(headers: &HeaderMap) -> Locale {
    headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::i18n::locale_from_cookie_header)
        .unwrap_or_default()
}

async fn view_for(
    state: &AppState,
    user: &CurrentUser,
    params: &[(String, String)],
    locale: Locale,
) -> Result<DashboardView, Response> {
    let query = DashboardQuery::from_pairs(|k| {
        params
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    });
    build::view(&state.store, user, &query, locale)
        .await
        .map_err(|e| {
            tracing::error!(error = ?e, "dashboard export failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        })
}

fn attachment(content_type: &'static str, name: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// `/dashboard/export/{table}.csv`, `/dashboard/export/{table}.xlsx`, or every table of
/// the view as one workbook: `/dashboard/export/all.xlsx`.
pub async fn export(
    State(state): State<AppState>,
    Reader { user, .. }: Reader<Readers>,
    headers: HeaderMap,
    Path(file): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let Some((id, ext)) = file.rsplit_once('.') else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let locale = locale_of(&headers);
    let view = match view_for(&state, &user, &params, locale).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let tables: Vec<&Table> = if id == "all" {
        view.tables.iter().collect()
    } else {
        view.table(id).into_iter().collect()
    };
    if tables.is_empty() {
        return StatusCode::NOT_FOUND.into_response();
    }
    match ext {
        "csv" if tables.len() == 1 => attachment(
            "text/csv; charset=utf-8",
            &format!("{id}.csv"),
            csv(tables[0], locale).into_bytes(),
        ),
        "xlsx" => match workbook(&tables, locale) {
            Ok(bytes) => attachment(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &format!("{id}.xlsx"),
                bytes,
            ),
            Err(e) => {
                tracing::error!(error = %e, "dashboard xlsx failed");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        },
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `/dashboard/chart/{id}.svg`: the chart exactly as shown, as a file.
pub async fn chart(
    State(state): State<AppState>,
    Reader { user, .. }: Reader<Readers>,
    headers: HeaderMap,
    Path(file): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let Some(id) = file.strip_suffix(".svg") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let view = match view_for(&state, &user, &params, locale_of(&headers)).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    match view.charts.iter().find(|c| c.id == id) {
        Some(c) => attachment(
            "image/svg+xml",
            &format!("{id}.svg"),
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}", c.svg).into_bytes(),
        ),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn csv(t: &Table, locale: Locale) -> String {
    use crate::complaints::import::csv_cell;
    let mut out = String::from("\u{feff}");
    let head: Vec<String> = t
        .columns
        .iter()
        .map(|c| csv_cell(&c.pick(locale)))
        .collect();
    out.push_str(&head.join(","));
    out.push('\n');
    for r in &t.rows {
        let cells: Vec<String> = r.cells.iter().map(|c| csv_cell(&c.pick(locale))).collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// A cell as a spreadsheet wants it: numbers as numbers (so they sum), rates as
/// percentages, money as yuan.
enum Value {
    Number(f64),
    Percent(f64),
    Yuan(f64),
    Text,
}

fn value_of(s: &str) -> Value {
    let plain = s.replace(',', "");
    if let Some(p) = plain.strip_suffix('%') {
        if let Ok(v) = p.parse::<f64>() {
            return Value::Percent(v / 100.0);
        }
    }
    if let Some(y) = plain.strip_prefix('¥') {
        if let Ok(v) = y.parse::<f64>() {
            return Value::Yuan(v);
        }
    }
    match plain.parse::<f64>() {
        Ok(v) if !plain.contains('-') || plain.starts_with('-') => Value::Number(v),
        _ => Value::Text,
    }
}

fn workbook(tables: &[&Table], locale: Locale) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let pct = Format::new().set_num_format("0.0%");
    let yuan = Format::new().set_num_format("¥#,##0");
    let int = Format::new().set_num_format("#,##0");
    for t in tables {
        let sheet = book.add_worksheet();
        // Sheet names: at most 31 characters, unique; the table's id is both.
        sheet.set_name(&t.id)?;
        sheet.write_string_with_format(0, 0, t.title.pick(locale), &bold)?;
        for (i, c) in t.columns.iter().enumerate() {
            sheet.write_string_with_format(2, i as u16, c.pick(locale), &bold)?;
            sheet.set_column_width(i as u16, if i == 0 { 24 } else { 14 })?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            let r = r as u32 + 3;
            for (i, cell) in row.cells.iter().enumerate() {
                let c = i as u16;
                match value_of(&cell.pick(locale)) {
                    Value::Number(v) if i > 0 => sheet.write_number_with_format(r, c, v, &int)?,
                    Value::Percent(v) => sheet.write_number_with_format(r, c, v, &pct)?,
                    Value::Yuan(v) => sheet.write_number_with_format(r, c, v, &yuan)?,
                    Value::Number(_) | Value::Text => {
                        sheet.write_string(r, c, cell.pick(locale))?
                    }
                };
            }
        }
        if let Some(n) = &t.note {
            sheet.write_string(t.rows.len() as u32 + 4, 0, n.pick(locale))?;
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_cells_keep_their_meaning() {
        assert!(matches!(value_of("1,234"), Value::Number(v) if v == 1234.0));
        assert!(matches!(value_of("93.4%"), Value::Percent(v) if (v - 0.934).abs() < 1e-9));
        assert!(matches!(value_of("¥12,300"), Value::Yuan(v) if v == 12300.0));
        assert!(matches!(value_of("2026-03"), Value::Text));
        assert!(matches!(value_of("—"), Value::Text));
    }
}
