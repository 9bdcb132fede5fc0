//! The leaders' dashboard (领导驾驶舱): where the campaign stands now, and whether the
//! three rates are rising. KPI tiles with year-on-year change against the plan's
//! direction, monthly trends, a ranking of the areas one level down with a minimum
//! volume, breakdowns by industry and category, the campaign funnel, overdue
//! complaints, and units within a township. Filters live in the URL; charts are SVG
//! drawn on the server; open dashboards refresh themselves when anything changes.
//!
//! Everything reads the roll-ups (`store::dashboard`), never the raw complaints.

use crate::errors::AppError;
use domain::Role;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod build;
#[cfg(feature = "ssr")]
pub mod charts;
#[cfg(feature = "ssr")]
pub mod handlers;
pub mod page;
#[cfg(feature = "ssr")]
mod sections;

/// Who sees dashboards: leaders, the county office, township staff (their township).
pub const READERS: &[Role] = &[Role::Leader, Role::CountyOffice, Role::TownshipReviewer];

/// Downloads and the live stream `READERS` may open (see `review::common::Reader`).
#[cfg(feature = "ssr")]
pub struct Readers;
#[cfg(feature = "ssr")]
impl crate::review::common::Allowed for Readers {
    const ROLES: &'static [Role] = READERS;
}

/// The dashboard's filters, as the URL holds them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardQuery {
    pub year: Option<i32>,
    pub area: Option<String>,
    pub category: Option<String>,
    pub industry: Option<String>,
    /// Which rate ranks the areas: handling (the default, also when empty), success or
    /// satisfaction. Always present, so the server function's arguments are never empty
    /// (an all-`None` struct encodes to nothing and would not decode).
    pub rank: String,
}

impl DashboardQuery {
    pub fn from_pairs(get: impl Fn(&str) -> Option<String>) -> DashboardQuery {
        let some = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        DashboardQuery {
            year: some("year").and_then(|y| y.trim().parse().ok()),
            area: some("area"),
            category: some("category"),
            industry: some("industry"),
            rank: some("rank").unwrap_or_default(),
        }
    }

    /// The same filters as a query string (exports, drill-down links, the wall).
    pub fn query_string(&self) -> String {
        let mut parts = Vec::new();
        if let Some(y) = self.year {
            parts.push(format!("year={y}"));
        }
        for (k, v) in [
            ("area", &self.area),
            ("category", &self.category),
            ("industry", &self.industry),
        ] {
            if let Some(v) = v {
                parts.push(format!("{k}={}", crate::format::urlencode(v)));
            }
        }
        if !self.rank.is_empty() {
            parts.push(format!("rank={}", crate::format::urlencode(&self.rank)));
        }
        parts.join("&")
    }

    /// The same filters with another area (drilling down or up).
    pub fn with_area(&self, area: &str) -> DashboardQuery {
        DashboardQuery {
            area: Some(area.to_string()),
            ..self.clone()
        }
    }
}

/// A text in both languages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bi(pub String, pub String);

impl Bi {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Bi {
        Bi(zh.into(), en.into())
    }

    /// The same text in both (numbers, codes).
    pub fn same(s: impl Into<String>) -> Bi {
        let s = s.into();
        Bi(s.clone(), s)
    }

    pub fn pick(&self, locale: domain::Locale) -> String {
        locale.pick(&self.0, &self.1).to_string()
    }
}

/// A KPI tile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tile {
    pub key: String,
    pub label: Bi,
    pub value: String,
    /// What the value is made of ("836 / 902"), or what it covers.
    pub note: Bi,
    /// "同比 +2.1个百分点" / "+2.1 pp YoY" against the same period a year before.
    pub change: Option<Bi>,
    /// Whether the change goes the plan's way (none: neutral or unknown).
    pub on_target: Option<bool>,
    /// ↑ or ↓: the plan's direction, shown next to the change.
    pub target: Bi,
}

/// A table as shown, exported and read out by screen readers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub id: String,
    pub title: Bi,
    pub columns: Vec<Bi>,
    pub rows: Vec<TableRow>,
    pub note: Option<Bi>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableRow {
    pub cells: Vec<Bi>,
    /// Drill-down: the first cell links here.
    pub href: Option<String>,
    /// Listed apart (under the minimum volume): shown muted.
    pub muted: bool,
}

/// A chart drawn on the server, with the table it is drawn from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chart {
    pub id: String,
    pub title: Bi,
    /// Self-contained SVG (title and description inside), in the reader's language.
    pub svg: String,
    /// The id of the table in `DashboardView::tables` with the same data.
    pub table: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choices {
    pub years: Vec<i32>,
    /// The user's area and everything one or two levels below it.
    pub areas: Vec<(String, Bi)>,
    pub industries: Vec<(String, Bi)>,
    pub categories: Vec<(String, Bi)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardView {
    /// The filters in force (year and area filled in).
    pub query: DashboardQuery,
    pub area: Bi,
    /// From the user's own area down to this one: (link, name).
    pub crumbs: Vec<(String, Bi)>,
    pub period: Bi,
    pub compared_with: Bi,
    pub tiles: Vec<Tile>,
    pub charts: Vec<Chart>,
    pub tables: Vec<Table>,
    pub choices: Choices,
    /// When these figures were read (the server's clock, China time).
    pub read_at: String,
}

impl DashboardView {
    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }
}

#[leptos::server(prefix = "/api", endpoint = "dashboard")]
#[tracing::instrument(skip_all, fields(area = ?query.area, year = ?query.year))]
pub async fn fetch_dashboard(query: DashboardQuery) -> Result<DashboardView, AppError> {
    let user = crate::accounts::session::require_role(READERS)?;
    let store = crate::state::store()?;
    build::view(&store, &user, &query, crate::i18n::initial_locale()).await
}

pub const ROUTES: &[&str] = &[
    "/dashboard/live",
    "/dashboard/export/{file}",
    "/dashboard/chart/{file}",
];

#[cfg(feature = "ssr")]
pub fn routes<S>() -> axum::Router<S>
where
    S: Clone + Send + Sync + 'static,
    crate::state::AppState: axum::extract::FromRef<S>,
{
    use axum::routing::get;
    axum::Router::new()
        .route("/dashboard/live", get(handlers::live))
        .route("/dashboard/export/{file}", get(handlers::export))
        .route("/dashboard/chart/{file}", get(handlers::chart))
}
