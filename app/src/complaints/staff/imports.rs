//! Imports of 12315 exports: the upload form, past imports and their reports.

use super::*;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPage {
    pub imports: Vec<store_types::ImportRow>,
    /// The first lines of the report asked for (`?report=id`).
    pub problems: Vec<(String, String, String)>,
}

pub mod store_types {
    use serde::{Deserialize, Serialize};
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ImportRow {
        pub id: i64,
        pub file_name: String,
        pub rows_read: i64,
        pub rows_bad: i64,
        pub outcome: String,
        pub imported_by: String,
        pub created_at: String,
    }
}

#[server(prefix = "/api", endpoint = "complaint_imports")]
#[tracing::instrument(skip_all)]
pub async fn fetch_import_page(report: Option<i64>) -> Result<ImportPage, AppError> {
    crate::accounts::session::require_role(&[Role::CountyOffice])?;
    let store = crate::state::store()?;
    let imports = store
        .complaint_imports(20)
        .await?
        .into_iter()
        .map(|i| store_types::ImportRow {
            id: i.id,
            file_name: i.file_name,
            rows_read: i.rows_read,
            rows_bad: i.rows_bad,
            outcome: i.outcome,
            imported_by: i.imported_by,
            created_at: i.created_at,
        })
        .collect();
    let problems = match report {
        Some(id) => store
            .complaint_import_report(id)
            .await?
            .unwrap_or_default()
            .lines()
            .skip(1)
            .take(50)
            .map(|l| {
                let mut cells = crate::complaints::import::split_report_line(l).into_iter();
                (
                    cells.next().unwrap_or_default(),
                    cells.next().unwrap_or_default(),
                    cells.next().unwrap_or_default(),
                )
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(ImportPage { imports, problems })
}

crate::notes::notes! {
    pub enum ImportNote {
        Imported = "imported" => ("导入完成，全部行已入库。", "Imported: every row is in."),
        Rejected = "rejected" => ("文件中有错误行，整个文件未导入（全部或全不）。请按下方报告改正后重新导入。", "The file has bad rows, so nothing was imported (all or nothing). Fix the rows in the report below and import again."),
        Header = "header" => ("表头不符合要求：缺少必需的列或有重复列，详见报告。", "The header row is wrong: a required column is missing or one appears twice; see the report."),
        Format = "format" => ("只能导入 CSV（UTF-8 或 GBK）或 XLSX 文件。", "Only CSV (UTF-8 or GBK) or XLSX files can be imported."),
        Unpacked = "unpacked" => ("这个 XLSX 文件解压后过大，无法安全读取（共享字符串等部分超过 256 MB）。请在 Excel 中另存为 CSV（UTF-8）后再导入。", "This XLSX unpacks to more than can be read safely (a part such as its shared strings is over 256 MB). Save it as CSV (UTF-8) in Excel and import that."),
        Empty = "empty" => ("请选择要导入的文件。", "Choose a file to import."),
        State = "state" => ("导入未完成，请重试。", "The import did not finish; try again."),
        _ => State,
    }
}

#[component]
pub fn ComplaintImportPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let report = move || query.with(|q| q.get("report").and_then(|r| r.parse::<i64>().ok()));
    let data = Resource::new_blocking(report, fetch_import_page);
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("导入12315数据", "Import from 12315"), Msg::AppName.text(locale.get()))/>
        <section class="panel">
            <p><a href="/complaints">{move || locale.get().pick("← 投诉管理", "← Complaints")}</a></p>
            <h1>{move || locale.get().pick("导入12315数据", "Import from 12315")}</h1>
            <p class="panel__lead">{move || locale.get().pick(
                "上传全国12315平台导出的 CSV 或 XLSX。按表头名称识别列（顺序不限）；每一行都会校验日期、信用代码、枚举值和重复编号。有任何错误行时整个文件不导入，并给出可下载的逐行错误报告。",
                "Upload a CSV or XLSX exported from the 12315 platform. Columns are found by their header (any order); every row's dates, credit code, values and complaint number are checked. If any row is bad nothing is imported, and you get a row-by-row report to download."
            )}</p>
            <details class="reading">
                <summary>{move || locale.get().pick("可识别的列", "Columns read")}</summary>
                <ul>{domain::complaint::Column::ALL.iter().map(|c| { let (zh, en) = c.header(); view! { <li>{move || locale.get().pick(zh, en)}</li> } }).collect_view()}</ul>
            </details>
            <PostNote text=ImportNote::describe testid="import-note"/>
            <form method="post" enctype="multipart/form-data" action="/complaints/import/upload" class="decision" data-testid="import-form">
                <label>{move || locale.get().pick("文件（.csv 或 .xlsx）", "File (.csv or .xlsx)")}<input type="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required/></label>
                <button class="button" data-testid="import-submit">{move || locale.get().pick("导入", "Import")}</button>
            </form>
            <Loaded data view=import_view/>
        </section>
    }
}

fn import_view(p: ImportPage) -> impl IntoView {
    let locale = use_locale();
    view! {
        {(!p.problems.is_empty()).then(|| view! {
            <h2>{move || locale.get().pick("错误行（前 50 条）", "Bad rows (first 50)")}</h2>
            <div class="table-wrap" tabindex="0"><table class="table table--fit" data-testid="import-problems">
                <thead><tr><th>{move || locale.get().pick("行号", "Row")}</th><th>{move || locale.get().pick("列", "Column")}</th><th>{move || locale.get().pick("问题", "Problem")}</th></tr></thead>
                <tbody>{p.problems.into_iter().map(|(r, c, m)| view! { <tr><td>{r}</td><td>{c}</td><td>{m}</td></tr> }).collect_view()}</tbody>
            </table></div>
        })}
        <h2>{move || locale.get().pick("导入记录", "Imports")}</h2>
        <div class="table-wrap" tabindex="0"><table class="table" data-testid="import-history">
            <thead><tr>
                <th>{move || locale.get().pick("文件", "File")}</th><th>{move || locale.get().pick("行数", "Rows")}</th>
                <th>{move || locale.get().pick("错误行", "Bad")}</th><th>{move || locale.get().pick("结果", "Result")}</th>
                <th>{move || locale.get().pick("时间", "When")}</th><th><span class="visually-hidden">{move || locale.get().pick("错误报告", "Report")}</span></th>
            </tr></thead>
            <tbody>{p.imports.into_iter().map(|i| {
                let ok = i.outcome == "imported";
                view! { <tr>
                    <td>{i.file_name.clone()}</td><td class="num">{i.rows_read}</td><td class="num">{i.rows_bad}</td>
                    <td>{move || if ok { locale.get().pick("已导入", "Imported") } else { locale.get().pick("未导入", "Rejected") }}</td>
                    <td>{crate::format::short_time(&i.created_at)}</td>
                    <td>{(!ok).then(|| view! { <a href=format!("/complaints/imports/{}/report", i.id) download>{move || locale.get().pick("下载错误报告", "Download the report")}</a> })}</td>
                </tr> }
            }).collect_view()}</tbody>
        </table></div>
    }
}
