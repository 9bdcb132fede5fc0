//! 设置: the county office's notice, panel and complaint-threshold settings and the
//! holiday calendar; the security administrator's sign-in policy. Each is stored as
//! settings every server instance reads, changed with its audit entry in one transaction.

use super::Actor;
use crate::accounts::security::{SecurityPolicy, LIMITS};
use crate::errors::AppError;
use crate::review::common::{
    AGGREGATE, NOTICE_FIRST_DAY_COUNTS, NOTICE_WORKING_DAYS, REVIEWERS_PER_APPLICATION,
};
use domain::complaint::Thresholds;
use domain::panel::Aggregate;
use domain::role::Role;
use store::Store;

/// What came of a settings change that has a range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Saved {
    Saved,
    /// Below the allowed range (for the notice: fewer than the plan's 5 working days):
    /// nothing changed.
    TooLow,
    /// Above the allowed range: nothing changed.
    TooHigh,
}

/// The notice period the office proposes by default (at least the plan's 5 working
/// days, at most 60) and whether the day of publication counts as its first.
#[tracing::instrument(skip_all)]
pub async fn notice(
    store: &Store,
    actor: &Actor,
    working_days: u32,
    first_day_counts: bool,
) -> Result<Saved, AppError> {
    actor.must_be(Role::CountyOffice)?;
    if working_days < domain::notice::MIN_NOTICE_WORKING_DAYS {
        return Ok(Saved::TooLow);
    }
    if working_days > 60 {
        return Ok(Saved::TooHigh);
    }
    let counts = u8::from(first_day_counts);
    let event = actor.audit(
        "notice.settings",
        "settings".into(),
        format!("{working_days} working days, first day counts {counts}"),
    );
    let pairs = [
        (NOTICE_WORKING_DAYS.0, working_days.to_string()),
        (NOTICE_FIRST_DAY_COUNTS.0, counts.to_string()),
    ];
    store.set_settings(&pairs, &event).await?;
    Ok(Saved::Saved)
}

/// How the panel's scores are combined and how many reviewers score each application
/// (1 to 9; a number outside is brought to the nearest end).
#[tracing::instrument(skip_all)]
pub async fn panel(
    store: &Store,
    actor: &Actor,
    method: Aggregate,
    per_application: u32,
) -> Result<(), AppError> {
    actor.must_be(Role::CountyOffice)?;
    let per = per_application.clamp(1, 9);
    let event = actor.audit(
        "panel.settings",
        "settings".into(),
        format!("{} {per}", method.code()),
    );
    let pairs = [
        (AGGREGATE, method.code().to_string()),
        (REVIEWERS_PER_APPLICATION.0, per.to_string()),
    ];
    store.set_settings(&pairs, &event).await?;
    Ok(())
}

/// The 动态管理 thresholds that flag a recognised unit: complaints per quarter (1 to
/// 1000), the lowest satisfaction (0 to 100 %) and the ratings needed before it counts
/// (1 to 1000).
#[tracing::instrument(skip_all)]
pub async fn complaint_thresholds(
    store: &Store,
    actor: &Actor,
    t: Thresholds,
) -> Result<Saved, AppError> {
    use crate::complaints::ssr::{THRESHOLD_COUNT, THRESHOLD_RATINGS, THRESHOLD_SATISFACTION};
    actor.must_be(Role::CountyOffice)?;
    let values = [t.max_complaints, t.min_satisfaction_percent, t.min_ratings];
    let lows = [1, 0, 1];
    let highs = [1000, 100, 1000];
    if values.iter().zip(lows).any(|(v, lo)| *v < lo) {
        return Ok(Saved::TooLow);
    }
    if values.iter().zip(highs).any(|(v, hi)| *v > hi) {
        return Ok(Saved::TooHigh);
    }
    let event = actor.audit(
        "complaint.thresholds",
        "settings".into(),
        format!(
            "{} per quarter, {}% with {} ratings",
            t.max_complaints, t.min_satisfaction_percent, t.min_ratings
        ),
    );
    let pairs = [
        (THRESHOLD_COUNT, t.max_complaints.to_string()),
        (
            THRESHOLD_SATISFACTION,
            t.min_satisfaction_percent.to_string(),
        ),
        (THRESHOLD_RATINGS, t.min_ratings.to_string()),
    ];
    store.set_settings(&pairs, &event).await?;
    Ok(Saved::Saved)
}

/// The sign-in policy (session timeouts, lockout, request rate), each value within the
/// ranges of `LIMITS` (等保 level 3); out of range is refused field by field.
#[tracing::instrument(skip_all)]
pub async fn security_policy(
    store: &Store,
    actor: &Actor,
    before: &SecurityPolicy,
    raw: &[String; 6],
) -> Result<SecurityPolicy, AppError> {
    actor.must_be(Role::SecurityAdmin)?;
    let (problems, values) = SecurityPolicy::problems(raw);
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let after = SecurityPolicy::from_values(values);
    let event = actor.audit(
        "security.policy_changed",
        "settings/security".into(),
        format!("{:?} → {:?}", before.values(), after.values()),
    );
    let pairs: Vec<(&str, String)> = LIMITS
        .iter()
        .zip(values.iter())
        .map(|((_, key, _, _), v)| (*key, v.to_string()))
        .collect();
    store.set_settings(&pairs, &event).await?;
    Ok(after)
}

/// What came of loading a year's holiday calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CalendarLoaded {
    Loaded(i32),
    /// Not a holiday-cn file, or a year outside 2000–2100: nothing changed.
    Invalid,
}

/// Loads one year of the State Council's holidays and adjusted working days (the
/// holiday-cn JSON format); the notice and every deadline count working days on it.
#[tracing::instrument(skip_all)]
pub async fn holiday_calendar(
    store: &Store,
    actor: &Actor,
    json: &str,
) -> Result<CalendarLoaded, AppError> {
    actor.must_be(Role::CountyOffice)?;
    let mut probe = domain::workdays::HolidayCalendar::default();
    let Ok((year, _)) = probe.load_holiday_cn(json) else {
        return Ok(CalendarLoaded::Invalid);
    };
    if !(2000..=2100).contains(&year) {
        return Ok(CalendarLoaded::Invalid);
    }
    let event = actor.audit("calendar.load", format!("year:{year}"), String::new());
    store
        .save_holiday_calendar(i64::from(year), json, actor.user.account_id, &event)
        .await?;
    Ok(CalendarLoaded::Loaded(year))
}
