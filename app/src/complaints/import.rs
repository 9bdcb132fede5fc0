//! (server only) Importing a 12315 export, CSV or XLSX.
//!
//! A reader thread parses the file and checks every row with the domain's rules; it
//! hands rows over in chunks through a small bounded channel, so memory stays bounded
//! whatever the file's size, and parsing runs beside the database's inserts. Rows go
//! into one transaction: if any row is bad (including a complaint number seen before)
//! the transaction is rolled back and the import is recorded as rejected with a
//! row-by-row report. The import itself, with its audit entry, is the use case
//! `usecases::imports::import_file`.

use domain::complaint::{HeaderMap, Record, RowProblem};
use std::path::{Path, PathBuf};
use store::complaints::{TownshipIndex, IMPORT_BATCH};

/// The largest upload the import form takes.
pub const MAX_IMPORT_BYTES: usize = 1024 * 1024 * 1024;
/// Problems listed in a report; beyond that it says how many more rows were bad.
const REPORT_LINES: usize = 10_000;

#[derive(Debug)]
pub enum ImportOutcome {
    Imported {
        import_id: i64,
        rows: u64,
    },
    Rejected {
        import_id: i64,
        rows: u64,
        bad: u64,
    },
    BadHeader {
        import_id: i64,
    },
    NotReadable,
    /// An XLSX whose parts unpack to more than can be held safely (`XLSX_LIMITS`).
    TooBigUnpacked {
        part: String,
    },
    Failed,
}

/// A file in the temporary folder, removed when dropped.
pub struct TempFile(PathBuf);

impl TempFile {
    pub fn new() -> std::io::Result<TempFile> {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).map_err(std::io::Error::other)?;
        let name: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Ok(TempFile(
            std::env::temp_dir().join(format!("fangxin-import-{name}")),
        ))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

pub(crate) enum Item {
    Header(Result<(), Vec<domain::complaint::HeaderProblem>>),
    Good(u64, Record),
    Bad(u64, Vec<RowProblem>),
    Unreadable(String),
}

/// Calls `row` for every row of a CSV (UTF-8, with or without BOM, or GBK), in order,
/// until it returns false.
fn csv_rows(path: &Path, mut row: impl FnMut(&[&str]) -> bool) -> Result<(), String> {
    use std::io::Read;
    // Sniff the encoding from the first 64 KB: valid UTF-8 (or a BOM) or else GBK,
    // which is what Excel on a Chinese Windows writes.
    let mut head = vec![0u8; 64 * 1024];
    let mut f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let n = f.read(&mut head).map_err(|e| e.to_string())?;
    head.truncate(n);
    let gbk = !(head.starts_with(&[0xEF, 0xBB, 0xBF]) || utf8_prefix_ok(&head));
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_reader(file);
    let mut record = csv::ByteRecord::new();
    let mut decoded: Vec<String> = Vec::new();
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| e.to_string())?
    {
        // A UTF-8 row is checked once and its cells borrowed from it; only GBK (or a
        // broken UTF-8 row, decoded lossily) costs a string per cell.
        let utf8 = if gbk {
            None
        } else {
            std::str::from_utf8(record.as_slice()).ok()
        };
        let cells: Vec<&str> = match utf8 {
            Some(text) => (0..record.len())
                .filter_map(|i| record.range(i).map(|r| &text[r]))
                .collect(),
            None => {
                decoded.clear();
                decoded.extend(record.iter().map(|field| {
                    if gbk {
                        encoding_rs::GBK.decode(field).0.into_owned()
                    } else {
                        String::from_utf8_lossy(field).into_owned()
                    }
                }));
                decoded.iter().map(String::as_str).collect()
            }
        };
        if !row(&cells) {
            break;
        }
    }
    Ok(())
}

/// Valid UTF-8, allowing a character cut off at the end of the sample.
fn utf8_prefix_ok(b: &[u8]) -> bool {
    match std::str::from_utf8(b) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && b.len() - e.valid_up_to() < 4,
    }
}

/// Calls `row` for every row of the first sheet of an XLSX, read cell by cell with
/// calamine's streaming reader. (The shared-strings table of an XLSX is held in memory
/// by design of the format.)
fn as_strs(cells: &[String]) -> Vec<&str> {
    cells.iter().map(String::as_str).collect()
}

fn xlsx_rows(path: &Path, mut row: impl FnMut(&[&str]) -> bool) -> Result<(), String> {
    use calamine::{open_workbook, DataRef, Reader, Xlsx};
    let mut book: Xlsx<_> = open_workbook(path).map_err(|e: calamine::XlsxError| e.to_string())?;
    let sheet = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| "no sheet".to_string())?;
    let mut reader = book
        .worksheet_cells_reader(&sheet)
        .map_err(|e| e.to_string())?;
    let mut cells: Vec<String> = Vec::new();
    let mut current: Option<u32> = None;
    while let Some(cell) = reader.next_cell().map_err(|e| e.to_string())? {
        let (r, c) = cell.get_position();
        let text = match cell.get_value() {
            DataRef::Empty => continue,
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
            DataRef::SharedString(s) => s.to_string(),
            DataRef::Int(i) => i.to_string(),
            DataRef::Float(f) => {
                let f: f64 = f.to_owned();
                if f.fract() == 0.0 && f.abs() < 1e15 {
                    format!("{}", f as i64)
                } else {
                    f.to_string()
                }
            }
            DataRef::Bool(b) => b.to_string(),
            DataRef::DateTime(d) => d
                .as_datetime()
                .map(|d| d.date().to_string())
                .unwrap_or_default(),
            DataRef::Error(e) => format!("#{e:?}"),
        };
        if current.is_some_and(|cur| cur != r) {
            // Rows left out of the sheet entirely are empty rows: keep the numbering.
            let gap = r - current.unwrap_or(r) - 1;
            if !row(&as_strs(&cells)) {
                return Ok(());
            }
            for _ in 0..gap {
                if !row(&[]) {
                    return Ok(());
                }
            }
            cells.clear();
        }
        current = Some(r);
        let c = c as usize;
        if cells.len() <= c {
            cells.resize(c + 1, String::new());
        }
        cells[c] = text;
    }
    if current.is_some() {
        row(&as_strs(&cells));
    }
    Ok(())
}

/// How far an XLSX may unpack. calamine keeps every part except the sheets in memory
/// (the shared strings above all), so those parts are measured by unpacking them before
/// calamine opens the file: a zip's own size fields can lie, and a zip bomb would fill
/// the memory. Sheets are read as a stream, so only their declared size is checked.
pub struct XlsxLimits {
    pub in_memory_part: u64,
    pub sheet: u64,
}

pub const XLSX_LIMITS: XlsxLimits = XlsxLimits {
    in_memory_part: 256 * 1024 * 1024,
    sheet: 16 * 1024 * 1024 * 1024,
};

/// The name of the first part of an XLSX that goes past the limits. A file that is not
/// a readable zip passes: calamine then reports it as unreadable.
pub fn xlsx_oversized_part(path: &Path, limits: &XlsxLimits) -> Option<String> {
    use std::io::Read;
    let file = std::fs::File::open(path).ok()?;
    let mut zip = zip::ZipArchive::new(file).ok()?;
    for i in 0..zip.len() {
        let Ok(mut part) = zip.by_index(i) else {
            continue;
        };
        let name = part.name().map(|n| n.into_owned()).unwrap_or_default();
        let too_big = if name.starts_with("xl/worksheets/") {
            part.size() > limits.sheet
        } else {
            let cap = limits.in_memory_part;
            let unpacked = std::io::copy(&mut (&mut part).take(cap + 1), &mut std::io::sink());
            unpacked.is_ok_and(|n| n > cap)
        };
        if too_big {
            return Some(name);
        }
    }
    None
}

pub(crate) fn is_xlsx(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && magic == [b'P', b'K', 3, 4]
}

/// The reader thread: header, then every row checked, in chunks.
pub(crate) fn read_and_check(
    path: PathBuf,
    townships: TownshipIndex,
    tx: tokio::sync::mpsc::Sender<Vec<Item>>,
) {
    let mut map: Option<HeaderMap> = None;
    let mut chunk = Vec::with_capacity(IMPORT_BATCH);
    let mut row_no = 0u64;
    let mut on_row = |refs: &[&str]| -> bool {
        row_no += 1;
        let Some(m) = &map else {
            return match HeaderMap::read(refs) {
                Ok(m) => {
                    map = Some(m);
                    tx.blocking_send(vec![Item::Header(Ok(()))]).is_ok()
                }
                Err(problems) => {
                    let _ = tx.blocking_send(vec![Item::Header(Err(problems))]);
                    false
                }
            };
        };
        if refs.iter().all(|c| c.trim().is_empty()) {
            return true;
        }
        chunk.push(match m.record(refs, &townships) {
            Ok(r) => Item::Good(row_no, r),
            Err(p) => Item::Bad(row_no, p),
        });
        if chunk.len() == IMPORT_BATCH {
            let full = std::mem::replace(&mut chunk, Vec::with_capacity(IMPORT_BATCH));
            return tx.blocking_send(full).is_ok();
        }
        true
    };
    let read = if is_xlsx(&path) {
        xlsx_rows(&path, &mut on_row)
    } else {
        csv_rows(&path, &mut on_row)
    };
    if let Err(e) = read {
        chunk.push(Item::Unreadable(e));
    }
    if !chunk.is_empty() {
        let _ = tx.blocking_send(chunk);
    }
}

/// A low estimate of a file's rows from its size, for `Store::begin_import`: a 12315
/// row takes 150–300 bytes as CSV (summary text included), and XLSX compresses that
/// about fourfold.
pub(crate) fn expected_rows(path: &Path) -> u64 {
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if is_xlsx(path) {
        bytes / 100
    } else {
        bytes / 400
    }
}

/// One CSV cell. Text a spreadsheet would run as a formula (`=HYPERLINK(…)`, `=cmd|…`,
/// `+`, `-`, `@`, a tab or CR first) gets a leading `'`, which shows it as the text it is;
/// numbers (`-3`, `+86…` are not numbers but `-3.5` is) stay numbers.
pub fn csv_cell(s: &str) -> String {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.parse::<f64>().is_err();
    let s = if risky {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

/// One line of a report back into its cells.
pub fn split_report_line(line: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(line.as_bytes());
    reader
        .records()
        .next()
        .and_then(|r| r.ok())
        .map(|r| r.iter().map(str::to_string).collect())
        .unwrap_or_default()
}

pub(crate) struct Report {
    text: String,
    lines: usize,
    bad_rows: u64,
}

impl Report {
    pub(crate) fn new() -> Report {
        Report {
            text: "行号,列,问题\n".into(),
            lines: 0,
            bad_rows: 0,
        }
    }

    pub(crate) fn row(&mut self, row: u64, problems: impl IntoIterator<Item = (String, String)>) {
        self.bad_rows += 1;
        for (column, text) in problems {
            if self.lines < REPORT_LINES {
                self.text.push_str(&format!(
                    "{row},{},{}\n",
                    csv_cell(&column),
                    csv_cell(&text)
                ));
            }
            self.lines += 1;
        }
    }

    pub(crate) fn finish(mut self) -> (String, u64) {
        if self.lines > REPORT_LINES {
            self.text.push_str(&format!(
                ",,还有 {} 条问题未列出（共 {} 行有错误）\n",
                self.lines - REPORT_LINES,
                self.bad_rows
            ));
        }
        (self.text, self.bad_rows)
    }
}

#[cfg(test)]
mod tests;
