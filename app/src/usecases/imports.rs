//! 12315 imports (the reading and checking of the file is `complaints::import`): rows go
//! in through one transaction, which also records the import and its audit entry, so a
//! file is kept whole, with its entry, or not at all.

use super::Actor;
use crate::complaints::import::{
    expected_rows, is_xlsx, read_and_check, xlsx_oversized_part, ImportOutcome, Item, Report,
    XLSX_LIMITS,
};
use crate::errors::AppError;
use domain::complaint::{Column, Record};
use std::path::Path;
use store::audit::AuditEvent;
use store::complaints::IMPORT_BATCH;
use store::Store;

/// Who imports: the county office, or the operator at the server's command line.
pub enum Importer<'a> {
    CountyOffice(&'a Actor),
    /// `fangxin import-complaints`, by the named operator.
    Operator(&'a str),
}

/// Imports a 12315 export all or nothing: the rows, the import's record (imported, or
/// rejected with its report) and its audit entry commit together. Refused (nothing read)
/// to anyone but the county office; never panics on a bad file.
#[tracing::instrument(skip_all, fields(file = file_name))]
pub async fn import_file(
    store: &Store,
    who: Importer<'_>,
    path: &Path,
    file_name: &str,
) -> Result<ImportOutcome, AppError> {
    let base = match who {
        Importer::CountyOffice(actor) => {
            actor.must_be(domain::Role::CountyOffice)?;
            actor.audit("complaint.import", String::new(), String::new())
        }
        Importer::Operator(name) => super::operator_audit(name, "complaint.import", String::new()),
    };
    let outcome = match import_inner(store, path, file_name, &base).await {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(error = %e, file_name, "import failed");
            ImportOutcome::Failed
        }
    };
    // A file that was not read, or an import that broke off, keeps nothing and has no
    // record of its own: the attempt is still on the chain, in an entry of its own.
    let kept_nothing = match &outcome {
        ImportOutcome::NotReadable => Some("not readable".to_string()),
        ImportOutcome::TooBigUnpacked { part } => Some(format!("too big unpacked: {part}")),
        ImportOutcome::Failed => Some("failed".to_string()),
        _ => None,
    };
    if let Some(why) = kept_nothing {
        if let Err(e) = store.audit(&entry(&base, file_name, why)).await {
            tracing::error!(error = %e, file_name, "refused import not audited");
        }
    }
    Ok(outcome)
}

/// `base`'s entry saying `summary` of file `file_name`.
fn entry(base: &AuditEvent, file_name: &str, summary: String) -> AuditEvent {
    AuditEvent {
        summary: format!("{file_name}: {summary}"),
        ..base.clone()
    }
}

async fn import_inner(
    store: &Store,
    path: &Path,
    file_name: &str,
    base: &AuditEvent,
) -> Result<ImportOutcome, store::StoreError> {
    let actor = base.actor.as_str();
    if is_xlsx(path) {
        let file = path.to_path_buf();
        let oversized =
            tokio::task::spawn_blocking(move || xlsx_oversized_part(&file, &XLSX_LIMITS)).await;
        if let Ok(Some(part)) = oversized {
            return Ok(ImportOutcome::TooBigUnpacked { part });
        }
    }
    let townships = store.township_index(domain::application::COUNTY).await?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Item>>(4);
    let path_buf = path.to_path_buf();
    let reader = tokio::task::spawn_blocking(move || read_and_check(path_buf, townships, tx));

    // The header decides whether anything is read at all.
    match rx.recv().await.and_then(|mut v| v.pop()) {
        Some(Item::Header(Ok(()))) => {}
        Some(Item::Header(Err(problems))) => {
            let mut report = Report::new();
            report.row(
                1,
                problems.iter().map(|p| {
                    let (zh, _) = p.describe();
                    ("表头".to_string(), zh)
                }),
            );
            let (text, bad) = report.finish();
            let run = store.begin_import(file_name, actor, 0).await?;
            let event = entry(base, file_name, "rejected: header".into());
            let import_id = run
                .reject(store, file_name, 0, bad as i64, &text, &event)
                .await?;
            let _ = reader.await;
            return Ok(ImportOutcome::BadHeader { import_id });
        }
        _ => {
            let _ = reader.await;
            return Ok(ImportOutcome::NotReadable);
        }
    }

    let mut run = store
        .begin_import(file_name, actor, expected_rows(path))
        .await?;
    let mut report = Report::new();
    let mut rows = 0u64;
    let mut batch: Vec<Record> = Vec::with_capacity(IMPORT_BATCH);
    let mut batch_rows: Vec<u64> = Vec::with_capacity(IMPORT_BATCH);
    let mut unreadable = None;
    let number = Column::Number.header().0.to_string();

    async fn flush(
        run: &mut store::complaints::ImportRun,
        batch: &mut Vec<Record>,
        batch_rows: &mut Vec<u64>,
        report: &mut Report,
        number: &str,
    ) -> Result<(), store::StoreError> {
        for i in run.add(batch).await? {
            let n = batch[i].number.clone().unwrap_or_default();
            report.row(
                batch_rows[i],
                [(
                    number.to_string(),
                    format!("投诉编号重复：{n}（已导入过，或在文件中出现了两次）"),
                )],
            );
        }
        batch.clear();
        batch_rows.clear();
        Ok(())
    }

    while let Some(chunk) = rx.recv().await {
        for item in chunk {
            match item {
                Item::Good(row, r) => {
                    rows += 1;
                    batch.push(r);
                    batch_rows.push(row);
                    if batch.len() == IMPORT_BATCH {
                        flush(&mut run, &mut batch, &mut batch_rows, &mut report, &number).await?;
                    }
                }
                Item::Bad(row, problems) => {
                    rows += 1;
                    report.row(
                        row,
                        problems
                            .into_iter()
                            .map(|p| (p.column.header().0.to_string(), p.zh)),
                    );
                }
                Item::Unreadable(e) => unreadable = Some(e),
                Item::Header(_) => {}
            }
        }
    }
    flush(&mut run, &mut batch, &mut batch_rows, &mut report, &number).await?;
    let _ = reader.await;
    if let Some(e) = unreadable {
        report.row(
            rows + 2,
            [("文件".to_string(), format!("文件无法继续读取：{e}"))],
        );
    }
    let (text, bad) = report.finish();
    if bad == 0 {
        let event = entry(base, file_name, format!("imported {rows} rows"));
        let import_id = run.commit(store, rows as i64, &event).await?;
        Ok(ImportOutcome::Imported { import_id, rows })
    } else {
        let event = entry(
            base,
            file_name,
            format!("rejected: {bad} of {rows} rows bad"),
        );
        let import_id = run
            .reject(store, file_name, rows as i64, bad as i64, &text, &event)
            .await?;
        Ok(ImportOutcome::Rejected {
            import_id,
            rows,
            bad,
        })
    }
}
