use super::*;

/// An XLSX whose shared strings take about `strings` × 100 bytes unpacked.
fn workbook(strings: usize) -> TempFile {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for r in 0..strings {
        sheet
            .write_string(r as u32, 0, format!("{r:0>100}"))
            .unwrap();
    }
    let file = TempFile::new().unwrap();
    std::fs::write(file.path(), book.save_to_buffer().unwrap()).unwrap();
    file
}

#[test]
fn an_xlsx_whose_shared_strings_unpack_past_the_limit_is_named() {
    let file = workbook(3_000);
    assert!(is_xlsx(file.path()));
    let tight = XlsxLimits {
        in_memory_part: 100_000,
        sheet: XLSX_LIMITS.sheet,
    };
    assert_eq!(
        xlsx_oversized_part(file.path(), &tight).as_deref(),
        Some("xl/sharedStrings.xml")
    );
    assert_eq!(xlsx_oversized_part(file.path(), &XLSX_LIMITS), None);
    // The sheet itself is streamed: only its declared size counts.
    let small_sheets = XlsxLimits {
        in_memory_part: XLSX_LIMITS.in_memory_part,
        sheet: 1_000,
    };
    assert_eq!(
        xlsx_oversized_part(file.path(), &small_sheets).as_deref(),
        Some("xl/worksheets/sheet1.xml")
    );
}

#[test]
fn a_file_that_is_not_a_zip_is_left_to_the_reader() {
    let file = TempFile::new().unwrap();
    std::fs::write(file.path(), "投诉编号,登记日期\n").unwrap();
    assert_eq!(xlsx_oversized_part(file.path(), &XLSX_LIMITS), None);
}

#[test]
fn a_cell_a_spreadsheet_would_run_is_exported_as_text() {
    assert_eq!(
        super::csv_cell("=HYPERLINK(\"http://evil\",\"x\")"),
        "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\""
    );
    assert_eq!(super::csv_cell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
    assert_eq!(super::csv_cell("@SUM(A1)"), "'@SUM(A1)");
    assert_eq!(super::csv_cell("+86 139"), "'+86 139");
    assert_eq!(super::csv_cell("\tx"), "'\tx");
    assert_eq!(super::csv_cell("-3.5"), "-3.5");
    assert_eq!(super::csv_cell("东至县某超市"), "东至县某超市");
    assert_eq!(super::csv_cell("a,b"), "\"a,b\"");
}
