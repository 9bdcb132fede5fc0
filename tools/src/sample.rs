//! `fangxin-tools sample-12315`: a 12315-style export to import, for the import tests and
//! benchmark. Test data, so it lives with the tools, not in the product.

use app::complaints::import::csv_cell;
use domain::complaint::Column;

/// Writes a 12315-style export of `rows` complaints (the generator behind the tests and
/// the import benchmark). With `with_bad_rows`, about one row in fifty is wrong in one
/// of the ways real exports go wrong; returns the file row numbers (header = 1) of
/// those rows.
pub fn write_sample(
    out: &mut impl std::io::Write,
    rows: u64,
    with_bad_rows: bool,
    seed: u64,
) -> std::io::Result<Vec<u64>> {
    use domain::complaint::{Channel, Industry, Outcome, Rating, Status};
    use std::io::Write;
    let mut x = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut next = move |n: u64| {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) % n.max(1)
    };
    const TOWNSHIPS: &[&str] = &["尧渡镇", "东流镇", "大渡口镇", "341721100", "尧渡"];
    const CODES: &[&str] = &["91341721MA2N0Y7B3K", "91341721MA8PQK4W23", ""];
    let header: Vec<&str> = Column::ALL.iter().map(|c| c.header().0).collect();
    let mut w = std::io::BufWriter::with_capacity(1 << 20, out);
    writeln!(w, "{}", header.join(","))?;
    let mut bad = Vec::new();
    let start = chrono::NaiveDate::from_ymd_opt(2021, 1, 1).expect("valid");
    for i in 0..rows {
        let row_no = i + 2;
        let received = start + chrono::Duration::days(next(2000) as i64);
        let accepted = received + chrono::Duration::days(next(5) as i64);
        let closed = accepted + chrono::Duration::days(1 + next(40) as i64);
        let status = match next(20) {
            0 => Status::NotAccepted,
            1 => Status::Received,
            2 => Status::Mediating,
            3 => Status::Negotiating,
            _ => Status::Closed,
        };
        let outcome = Outcome::ALL[next(4) as usize];
        let rating = [
            Rating::Satisfied,
            Rating::BasicallySatisfied,
            Rating::Dissatisfied,
            Rating::NoAnswer,
        ][next(4) as usize];
        let mut cells: Vec<String> = vec![
            format!("12315-{seed}-{i:08}"),
            received.to_string(),
            if status.is_accepted() {
                accepted.to_string()
            } else {
                String::new()
            },
            if matches!(status, Status::Closed | Status::NotAccepted) {
                closed.to_string()
            } else {
                String::new()
            },
            "王芳".into(),
            format!("139{:08}", next(100_000_000)),
            format!("东至县某商户{}", next(5000)),
            CODES[next(3) as usize].into(),
            TOWNSHIPS[next(TOWNSHIPS.len() as u64) as usize].into(),
            Industry::ALL[next(Industry::ALL.len() as u64) as usize]
                .name()
                .0
                .into(),
            Channel::ALL[next(Channel::ALL.len() as u64) as usize]
                .name()
                .0
                .into(),
            status.name().0.into(),
            if status == Status::Closed {
                outcome.name().0.into()
            } else {
                String::new()
            },
            if status == Status::NotAccepted {
                "超过三年".into()
            } else {
                String::new()
            },
            if status == Status::Closed && outcome.is_success() {
                format!("{}.{:02}", next(5000), next(100))
            } else {
                "0".into()
            },
            "0".into(),
            if status == Status::Closed {
                rating.name().0.into()
            } else {
                String::new()
            },
            "购买商品存在质量问题，要求退货退款".into(),
        ];
        if with_bad_rows && i % 50 == 17 {
            bad.push(row_no);
            match (i / 50) % 7 {
                0 => cells[1] = "2025-02-30".into(),
                1 => cells[7] = "91341721MA2N0Y7B3X".into(),
                2 => cells[8] = "上海市".into(),
                3 => cells[10] = "微博".into(),
                4 => cells[14] = "-20".into(),
                5 => cells[0] = format!("12315-{seed}-{:08}", i - 1),
                _ => {
                    cells[11] = Status::Closed.name().0.into();
                    cells[3] = closed.to_string();
                    cells[12] = String::new();
                }
            }
        }
        writeln!(
            w,
            "{}",
            cells
                .iter()
                .map(|c| csv_cell(c))
                .collect::<Vec<_>>()
                .join(",")
        )?;
    }
    w.flush()?;
    Ok(bad)
}
