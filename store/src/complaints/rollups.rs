//! An import's additions to the dashboards' roll-ups, summed in memory as its rows go
//! in and upserted when it commits.

use super::*;

/// One import's additions to the dashboards' four roll-ups, summed as its rows go in and
/// written when it commits (the insert triggers leave imported rows out, migration 0015).
/// The sums follow the domain's `counts_of`, the definition the triggers' SQL is tested
/// against; memory grows with the roll-ups' keys (township, industry, month or day), not
/// with the file. Grouping the rows again in SQL at the end took four scans of the whole
/// import, longer than inserting it.
#[derive(Default)]
pub(super) struct RollupSums {
    /// The townships met so far: keys hold a township's place here, so that adding a
    /// row allocates nothing.
    areas: Vec<String>,
    /// (township, industry, year and month accepted) → the nine measures
    month: HashMap<(usize, &'static str, i32, u32), [i64; 9]>,
    /// (township, year accepted, organisation or 0, industry) → the nine measures
    unit: HashMap<(usize, i32, i64, &'static str), [i64; 9]>,
    /// (township, industry, status, the day its clock started) → open complaints
    open: HashMap<(usize, &'static str, &'static str, chrono::NaiveDate), i64>,
    /// (township, industry, status) → open complaints
    open_total: HashMap<(usize, &'static str, &'static str), i64>,
}

/// A roll-up's sums in the order of its unique key, so the upserts walk its index in
/// order instead of jumping about it (measured at 1 M rows, about 100 000 keys of
/// open complaints by day: 0.45 s instead of 0.85 s).
pub(super) fn sorted<K: Ord, V>(sums: impl IntoIterator<Item = (K, V)>) -> Vec<(K, V)> {
    let mut rows: Vec<(K, V)> = sums.into_iter().collect();
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    rows
}

/// Roll-up rows per upsert, through sqlx. (Through SQLite's C API one prepared
/// single-row upsert is cheaper: binding is free there, preparing is not.)
pub(super) const ROLLUP_BATCH: usize = 200;

impl RollupSums {
    pub(super) fn area(&mut self, code: &str) -> usize {
        match self.areas.iter().position(|a| a == code) {
            Some(i) => i,
            None => {
                self.areas.push(code.to_string());
                self.areas.len() - 1
            }
        }
    }

    pub(super) fn add(&mut self, r: &Record, organisation: Option<i64>) {
        use chrono::Datelike;
        let f = &r.facts;
        let c = domain::complaint::counts_of(f, |_| true);
        let area = self.area(&r.area_code);
        let industry = r.industry.code();
        if let (1, Some(accepted)) = (c.accepted, f.accepted_on) {
            let money = |fen: i64| if f.status == Status::Closed { fen } else { 0 };
            // In the order of `dashboard::MEASURES`.
            let measures = [
                c.accepted as i64,
                c.closed as i64,
                c.mediated as i64,
                c.mediated_successfully as i64,
                c.rated_satisfied as i64,
                c.rated_basically_satisfied as i64,
                c.rated_dissatisfied as i64,
                money(r.recovered_fen),
                money(r.advance_fen),
            ];
            let add = |sums: &mut [i64; 9]| {
                for (sum, m) in sums.iter_mut().zip(measures) {
                    *sum += m;
                }
            };
            let year = accepted.year();
            add(self
                .month
                .entry((area, industry, year, accepted.month()))
                .or_default());
            add(self
                .unit
                .entry((area, year, organisation.unwrap_or(0), industry))
                .or_default());
        }
        if f.status.is_open() {
            let since = match f.status {
                Status::Received => f.received_on,
                _ => f.accepted_on.unwrap_or(f.received_on),
            };
            let status = f.status.code();
            *self
                .open
                .entry((area, industry, status, since))
                .or_default() += 1;
            *self.open_total.entry((area, industry, status)).or_default() += 1;
        }
    }

    /// The roll-up tables' rows to add, each table's in the order of its key.
    pub(super) fn tables(self) -> [RollupRows; 4] {
        use crate::dashboard::MEASURES;
        let add = |table: &str, columns: &[&str]| {
            columns
                .iter()
                .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let text = |s: &str| Value::Text(s.to_string());
        let with_measures = |mut cells: Vec<Value>, m: [i64; 9]| {
            cells.extend(m.into_iter().map(Value::Int));
            cells
        };
        // Typed keys sort as the text the tables hold (four-digit years, ISO dates).
        let areas = &self.areas;
        let month = sorted(
            self.month
                .into_iter()
                .map(|((a, i, y, m), sums)| ((areas[a].as_str(), i, y, m), sums)),
        )
        .into_iter()
        .map(|((area, industry, year, month), m)| {
            let month = format!("{year:04}-{month:02}");
            with_measures(vec![text(area), text(industry), Value::Text(month)], m)
        });
        let unit = sorted(
            self.unit
                .into_iter()
                .map(|((a, y, o, i), sums)| ((areas[a].as_str(), y, o, i), sums)),
        )
        .into_iter()
        .map(|((area, year, organisation, industry), m)| {
            let key = vec![
                text(area),
                Value::Text(format!("{year:04}")),
                Value::Int(organisation),
                text(industry),
            ];
            with_measures(key, m)
        });
        let open = sorted(
            self.open
                .into_iter()
                .map(|((a, i, s, d), n)| ((areas[a].as_str(), i, s, d), n)),
        )
        .into_iter()
        .map(|((area, industry, status, since), n)| {
            vec![
                text(area),
                text(industry),
                text(status),
                Value::Text(since.to_string()),
                Value::Int(n),
            ]
        });
        let open_total = sorted(
            self.open_total
                .into_iter()
                .map(|((a, i, s), n)| ((areas[a].as_str(), i, s), n)),
        )
        .into_iter()
        .map(|((area, industry, status), n)| {
            vec![text(area), text(industry), text(status), Value::Int(n)]
        });
        let measure_list = MEASURES.join(", ");
        [
            RollupRows {
                target: format!(
                    "complaint_month_rollup (area_code, industry, month, {measure_list})"
                ),
                key: "area_code, industry, month",
                update: add("complaint_month_rollup", &MEASURES),
                rows: month.collect(),
            },
            RollupRows {
                target: format!(
                    "complaint_unit_rollup (area_code, year, organisation_id, industry, {measure_list})"
                ),
                key: "area_code, year, organisation_id, industry",
                update: add("complaint_unit_rollup", &MEASURES),
                rows: unit.collect(),
            },
            RollupRows {
                target: "complaint_open_rollup (area_code, industry, status, since, open_count)"
                    .into(),
                key: "area_code, industry, status, since",
                update: add("complaint_open_rollup", &["open_count"]),
                rows: open.collect(),
            },
            RollupRows {
                target: "complaint_open_total (area_code, industry, status, open_count)".into(),
                key: "area_code, industry, status",
                update: add("complaint_open_total", &["open_count"]),
                rows: open_total.collect(),
            },
        ]
    }
}

/// One roll-up table's rows to add, and how to add them.
pub(super) struct RollupRows {
    /// The table and its columns.
    pub(super) target: String,
    /// Its unique key.
    pub(super) key: &'static str,
    /// What a row whose key is there already adds to it.
    pub(super) update: String,
    pub(super) rows: Vec<Vec<Value>>,
}

impl RollupRows {
    /// The upsert of `n` rows.
    pub(super) fn sql(&self, n: usize, backend: crate::Backend) -> String {
        let (target, key, update) = (&self.target, self.key, &self.update);
        let arity = self.rows.first().map_or(0, Vec::len);
        format!(
            "INSERT INTO {target} VALUES {} ON CONFLICT ({key}) DO UPDATE SET {update}",
            placeholders(n, arity, backend)
        )
    }
}
