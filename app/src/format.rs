//! Display formats that depend on the language.

use chrono::{Datelike, NaiveDate};
use domain::Locale;

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `2026-09-01` as `2026年9月1日` or `1 Sep 2026`; anything unparsable is shown as is.
pub fn date(locale: Locale, iso: &str) -> String {
    let Ok(d) = NaiveDate::parse_from_str(iso, "%Y-%m-%d") else {
        return iso.to_string();
    };
    match locale {
        Locale::ZhCn => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        Locale::En => format!(
            "{} {} {}",
            d.day(),
            MONTHS_EN[d.month0() as usize],
            d.year()
        ),
    }
}

/// A closed date range, `from – to`.
pub fn date_range(locale: Locale, from: &str, to: &str) -> String {
    let sep = match locale {
        Locale::ZhCn => " 至 ",
        Locale::En => " – ",
    };
    format!("{}{sep}{}", date(locale, from), date(locale, to))
}

/// A stored RFC 3339 UTC time as "2026-11-27 10:32" in China Standard Time (UTC+8),
/// the county's clock.
pub fn short_time(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            (t.with_timezone(&chrono::Utc) + chrono::Duration::hours(8))
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// Percent-encodes a value for a query string.
pub fn urlencode(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A rate as `87.5%`, or `—` when there is no data (an empty denominator).
pub fn percent(r: Option<f64>) -> String {
    r.map(|r| format!("{:.1}%", r * 100.0))
        .unwrap_or_else(|| "—".into())
}

/// 1234567 → "1,234,567".
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_both_languages() {
        assert_eq!(date(Locale::ZhCn, "2026-09-01"), "2026年9月1日");
        assert_eq!(date(Locale::En, "2026-09-01"), "1 Sep 2026");
        assert_eq!(date(Locale::En, "not a date"), "not a date");
        assert_eq!(
            date_range(Locale::ZhCn, "2026-09-01", "2027-03-31"),
            "2026年9月1日 至 2027年3月31日"
        );
    }
}
