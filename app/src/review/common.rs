//! (server only) What the county-review handlers share: reading a posted form, the
//! signed-in staff member, the business date, the holiday calendar in force, the audit
//! line, and messages to inboxes (with the outbound hook for SMS or e-mail).

use crate::accounts::session::ClientAddr;
use crate::accounts::CurrentUser;
use crate::errors::AppError;
use crate::state::AppState;
use axum::Extension;
use chrono::NaiveDate;
use domain::workdays::HolidayCalendar;
use domain::Role;
use std::sync::OnceLock;
use store::county::NewNotification;
use store::Store;

/// A posted field, trimmed; empty when absent.
pub fn field(posted: &[(String, String)], key: &str) -> String {
    posted
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

/// A posted field cut to `max` characters.
pub fn text(posted: &[(String, String)], key: &str, max: usize) -> String {
    field(posted, key).chars().take(max).collect()
}

/// The roles a marker type lets post a staff form (see `Staff`).
pub trait Allowed {
    const ROLES: &'static [Role];
}

/// Posts only the county office (县放心消费创建办) may make.
pub struct CountyOffice;
impl Allowed for CountyOffice {
    const ROLES: &'static [Role] = &[Role::CountyOffice];
}

/// Posts only a township reviewer (乡镇初审) may make.
pub struct TownshipReviewer;
impl Allowed for TownshipReviewer {
    const ROLES: &'static [Role] = &[Role::TownshipReviewer];
}

/// Posts only a panel member (评审专家) may make.
pub struct PanelMember;
impl Allowed for PanelMember {
    const ROLES: &'static [Role] = &[Role::PanelMember];
}

/// Posts only a business (the applicant) may make, at its complaint desk.
pub struct Applicant;
impl Allowed for Applicant {
    const ROLES: &'static [Role] = &[Role::Applicant];
}

/// The sender of a no-JavaScript form post: signed in with every step done, holding a
/// role `R` allows, with the client's address for the audit entry. Anyone else is sent
/// to sign in before the handler runs, so no handler repeats that check.
pub struct Staff<R> {
    pub user: CurrentUser,
    pub addr: String,
    _allowed: std::marker::PhantomData<R>,
}

/// The request's user when signed in with every step done and of a role `roles` allows.
fn allowed_user(parts: &axum::http::request::Parts, roles: &[Role]) -> Option<CurrentUser> {
    staff(
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .map(Extension),
        roles,
    )
}

impl<S: Send + Sync, R: Allowed> axum::extract::FromRequestParts<S> for Staff<R> {
    type Rejection = axum::response::Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let Some(user) = allowed_user(parts, R::ROLES) else {
            return Err(axum::response::Redirect::to("/login").into_response());
        };
        let addr = parts.extensions.get::<ClientAddr>().cloned().map(Extension);
        Ok(Staff {
            user,
            addr: self::addr(&addr),
            _allowed: std::marker::PhantomData,
        })
    }
}

/// The reader of a download or a live stream: as [`Staff`], but anyone else gets 401
/// (a file or an event stream has no sign-in page to show).
pub struct Reader<R> {
    pub user: CurrentUser,
    _allowed: std::marker::PhantomData<R>,
}

impl<S: Send + Sync, R: Allowed> axum::extract::FromRequestParts<S> for Reader<R> {
    type Rejection = axum::http::StatusCode;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        let user = allowed_user(parts, R::ROLES).ok_or(axum::http::StatusCode::UNAUTHORIZED)?;
        Ok(Reader {
            user,
            _allowed: std::marker::PhantomData,
        })
    }
}

/// The signed-in user when they hold one of `roles`.
pub fn staff(user: Option<Extension<CurrentUser>>, roles: &[Role]) -> Option<CurrentUser> {
    user.map(|Extension(u)| u)
        .filter(|u| roles.contains(&u.role) && u.stage == crate::accounts::Stage::Full)
}

pub fn addr(a: &Option<Extension<ClientAddr>>) -> String {
    a.as_ref()
        .map(|e| e.0 .0.clone())
        .unwrap_or_else(|| "unknown".into())
}

/// The audit entry of something `user` does, for a store method that writes it in the
/// transaction of the change.
pub fn audit_event(
    user: &CurrentUser,
    addr: String,
    action: &str,
    target: String,
    summary: String,
) -> store::audit::AuditEvent {
    store::audit::AuditEvent {
        actor: user.login.clone(),
        role: user.role.code().to_string(),
        area_code: user.area_code.clone(),
        action: action.to_string(),
        target,
        summary: summary.chars().take(120).collect(),
        client_addr: addr,
    }
}

/// The audit entry of something the system does on its own schedule.
pub fn system_audit_event(action: &str, target: String) -> store::audit::AuditEvent {
    store::audit::AuditEvent {
        actor: "system".into(),
        role: "system".into(),
        action: action.to_string(),
        target,
        ..Default::default()
    }
}

/// The audit entry of something a member of the public does (files or rates a
/// complaint): no account, only the client's address.
pub fn public_audit_event(
    action: &str,
    target: String,
    client_addr: String,
    summary: String,
) -> store::audit::AuditEvent {
    store::audit::AuditEvent {
        actor: "-".into(),
        role: "public".into(),
        area_code: "-".into(),
        action: action.to_string(),
        target,
        summary: summary.chars().take(120).collect(),
        client_addr,
    }
}

/// Records something that changes no state (a view, a download, a setting) in an entry
/// of its own.
pub async fn audit(
    store: &Store,
    user: &CurrentUser,
    addr: String,
    action: &str,
    target: String,
    summary: String,
) -> Result<(), AppError> {
    store
        .audit(&audit_event(user, addr, action, target, summary))
        .await?;
    Ok(())
}

/// Counts one request of `kind` from `addr`; refuses past `per_minute`.
pub async fn rate_limited(
    store: &Store,
    kind: &str,
    addr: &str,
    per_minute: i64,
) -> Result<(), AppError> {
    let window = chrono::Utc::now().timestamp() / 60;
    if store
        .rate_limit_hit(&format!("{kind}:{addr}"), window, per_minute)
        .await?
    {
        Ok(())
    } else {
        Err(AppError::TooManyRequests)
    }
}

/// Settings of the county review, with their defaults.
pub const NOTICE_WORKING_DAYS: (&str, u32) = ("notice.working_days", 5);
/// "1": the publication day counts as day 1 (when it is a working day).
pub const NOTICE_FIRST_DAY_COUNTS: (&str, u32) = ("notice.first_day_counts", 0);
pub const OBJECTION_RESPONSE_DAYS: (&str, u32) = ("notice.objection_response_working_days", 5);
pub const RECTIFICATION_MONTHS: (&str, u32) = ("review.rectification_months", 6);
pub const REVIEWERS_PER_APPLICATION: (&str, u32) = ("review.reviewers_per_application", 3);
pub const AGGREGATE: &str = "review.aggregate";

pub use crate::applications::handlers::setting_u32;

pub async fn aggregate(store: &Store) -> Result<domain::panel::Aggregate, AppError> {
    Ok(store
        .setting(AGGREGATE)
        .await?
        .and_then(|v| domain::panel::Aggregate::parse(&v))
        .unwrap_or(domain::panel::Aggregate::Mean))
}

/// Today in China (UTC+8). With `FANGXIN_TEST_CLOCK=1` the setting `clock.today`
/// (set by `fangxin clock`) replaces it, so browser tests can walk a notice period.
pub async fn today(store: &Store) -> NaiveDate {
    if std::env::var("FANGXIN_TEST_CLOCK").as_deref() == Ok("1") {
        if let Ok(Some(d)) = store.setting("clock.today").await {
            if let Ok(d) = NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
                return d;
            }
        }
    }
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// The built-in calendars overlaid with the years the office loaded.
pub async fn calendar(store: &Store) -> Result<HolidayCalendar, AppError> {
    let mut cal = HolidayCalendar::builtin();
    for (year, json, _) in store.holiday_calendars().await? {
        if let Err(e) = cal.load_holiday_cn(&json) {
            tracing::warn!(year, error = %e, "a stored holiday calendar no longer parses");
        }
    }
    Ok(cal)
}

/// Somewhere to send a message outside the product (SMS gateway, e-mail). The default
/// only logs; a deployment installs its own sender once at start-up.
pub trait Outbound: Send + Sync {
    fn send(
        &self,
        account_id: Option<i64>,
        organisation_id: Option<i64>,
        text_zh: &str,
        link: &str,
    );

    /// A text message to a consumer's phone (they have no account).
    fn send_sms(&self, phone: &str, text_zh: &str, link: &str) {
        tracing::info!(target: "fangxin::outbound", phone = %domain::complaint::mask_phone(phone), text = text_zh, link, "sms");
    }
}

struct LogOutbound;

impl Outbound for LogOutbound {
    fn send(
        &self,
        account_id: Option<i64>,
        organisation_id: Option<i64>,
        text_zh: &str,
        link: &str,
    ) {
        tracing::info!(target: "fangxin::outbound", ?account_id, ?organisation_id, text = text_zh, link, "message");
    }
}

static OUTBOUND: OnceLock<Box<dyn Outbound>> = OnceLock::new();

/// Installs the outbound sender (once; later calls are ignored).
pub fn set_outbound(sender: Box<dyn Outbound>) {
    let _ = OUTBOUND.set(sender);
}

/// Puts a message in an inbox and hands it to the outbound sender. A failure is
/// logged, never allowed to undo the step that caused the message.
pub async fn notify(store: &Store, n: NewNotification<'_>) {
    if let Err(e) = store.notify(&n).await {
        tracing::warn!(error = %e, "notification not stored");
        return;
    }
    OUTBOUND.get_or_init(|| Box::new(LogOutbound)).send(
        n.account_id,
        n.organisation_id,
        n.text_zh,
        n.link,
    );
}

/// A text message to a phone, through the outbound sender.
pub fn notify_phone(phone: &str, text_zh: &str, link: &str) {
    OUTBOUND
        .get_or_init(|| Box::new(LogOutbound))
        .send_sms(phone, text_zh, link);
}

/// A message to every account of an organisation.
pub async fn notify_org(store: &Store, organisation_id: i64, zh: &str, en: &str, link: &str) {
    notify(
        store,
        NewNotification {
            account_id: None,
            organisation_id: Some(organisation_id),
            text_zh: zh,
            text_en: en,
            link,
        },
    )
    .await
}

pub async fn notify_account(store: &Store, account_id: i64, zh: &str, en: &str, link: &str) {
    notify(
        store,
        NewNotification {
            account_id: Some(account_id),
            organisation_id: None,
            text_zh: zh,
            text_en: en,
            link,
        },
    )
    .await
}

/// The organisation's name, for messages.
pub async fn organisation_name(store: &Store, id: i64) -> String {
    store
        .organisation(id)
        .await
        .ok()
        .flatten()
        .map(|o| o.name)
        .unwrap_or_default()
}

/// Percent-encodes a value for a query string (values a form gets back after a refusal).
pub use crate::format::urlencode as q;

pub type State = axum::extract::State<AppState>;
