//! The security administrator's page: session and lockout policy, stored in the
//! database so every server instance applies the same values (each re-reads them
//! within `SETTINGS_TTL`).

use crate::errors::{AppError, Field, Problem};
use crate::i18n::{t, use_locale, Msg};
use crate::layout::Title;
use leptos::form::ActionForm;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The policy as the page shows and edits it, in whole minutes and counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityPolicy {
    pub idle_minutes: i64,
    pub absolute_hours: i64,
    pub lockout_threshold: i64,
    pub lockout_window_minutes: i64,
    pub lockout_minutes: i64,
    pub auth_requests_per_minute: i64,
}

/// (field, setting key, allowed range). The ranges keep the policy within 等保 level 3:
/// idle timeout at most 2 hours, lockout after at most 10 failures.
pub const LIMITS: [(Field, &str, i64, i64); 6] = [
    (Field::IdleMinutes, "security.idle_minutes", 5, 120),
    (Field::AbsoluteHours, "security.absolute_hours", 1, 24),
    (Field::LockoutThreshold, "security.lockout_threshold", 3, 10),
    (
        Field::LockoutWindow,
        "security.lockout_window_minutes",
        5,
        60,
    ),
    (Field::LockoutMinutes, "security.lockout_minutes", 5, 1440),
    (
        Field::AuthRate,
        "security.auth_requests_per_minute",
        5,
        10000,
    ),
];

impl SecurityPolicy {
    pub fn values(&self) -> [i64; 6] {
        [
            self.idle_minutes,
            self.absolute_hours,
            self.lockout_threshold,
            self.lockout_window_minutes,
            self.lockout_minutes,
            self.auth_requests_per_minute,
        ]
    }

    pub fn from_values(v: [i64; 6]) -> SecurityPolicy {
        SecurityPolicy {
            idle_minutes: v[0],
            absolute_hours: v[1],
            lockout_threshold: v[2],
            lockout_window_minutes: v[3],
            lockout_minutes: v[4],
            auth_requests_per_minute: v[5],
        }
    }

    /// Out-of-range or unreadable values, field by field.
    pub fn problems(raw: &[String; 6]) -> (Vec<(Field, Problem)>, [i64; 6]) {
        let mut problems = Vec::new();
        let mut values = [0i64; 6];
        for (i, (field, _, lo, hi)) in LIMITS.iter().enumerate() {
            match raw[i].trim().parse::<i64>() {
                Ok(v) if (*lo..=*hi).contains(&v) => values[i] = v,
                Ok(_) => problems.push((*field, Problem::OutOfRange)),
                Err(_) if raw[i].trim().is_empty() => problems.push((*field, Problem::Required)),
                Err(_) => problems.push((*field, Problem::NotANumber)),
            }
        }
        (problems, values)
    }
}

#[cfg(feature = "ssr")]
impl SecurityPolicy {
    pub fn of(a: &crate::state::AuthSettings) -> SecurityPolicy {
        SecurityPolicy {
            idle_minutes: a.idle_timeout.num_minutes(),
            absolute_hours: a.absolute_timeout.num_hours(),
            lockout_threshold: a.lockout_threshold,
            lockout_window_minutes: a.lockout_window.num_minutes(),
            lockout_minutes: a.lockout_duration.num_minutes(),
            auth_requests_per_minute: a.auth_requests_per_minute,
        }
    }

    pub fn apply(&self, a: &mut crate::state::AuthSettings) {
        a.idle_timeout = chrono::Duration::minutes(self.idle_minutes);
        a.absolute_timeout = chrono::Duration::hours(self.absolute_hours);
        a.lockout_threshold = self.lockout_threshold;
        a.lockout_window = chrono::Duration::minutes(self.lockout_window_minutes);
        a.lockout_duration = chrono::Duration::minutes(self.lockout_minutes);
        a.auth_requests_per_minute = self.auth_requests_per_minute;
    }
}

#[server(prefix = "/api", endpoint = "security_policy")]
pub async fn load_security_policy() -> Result<SecurityPolicy, AppError> {
    crate::accounts::session::require_role(&[domain::Role::SecurityAdmin])?;
    let state = crate::accounts::session::app_state()?;
    Ok(SecurityPolicy::of(&state.auth_settings().await?))
}

#[server(prefix = "/api", endpoint = "save_security_policy")]
pub async fn save_security_policy(
    idle_minutes: String,
    absolute_hours: String,
    lockout_threshold: String,
    lockout_window_minutes: String,
    lockout_minutes: String,
    auth_requests_per_minute: String,
) -> Result<SecurityPolicy, AppError> {
    use crate::accounts::session::{app_state, client_addr, require_role};
    let admin = require_role(&[domain::Role::SecurityAdmin])?;
    let raw = [
        idle_minutes,
        absolute_hours,
        lockout_threshold,
        lockout_window_minutes,
        lockout_minutes,
        auth_requests_per_minute,
    ];
    let state = app_state()?;
    let before = SecurityPolicy::of(&state.auth_settings().await?);
    let actor = crate::usecases::Actor::new(admin, client_addr());
    let after =
        crate::usecases::settings::security_policy(&state.store, &actor, &before, &raw).await?;
    state.forget_auth_settings().await;
    Ok(after)
}

#[component]
pub fn SecurityPage() -> impl IntoView {
    let save = ServerAction::<SaveSecurityPolicy>::new();
    // Loaded once: after a refused save the inputs keep what was typed.
    let policy = Resource::new(|| (), |_| load_security_policy());
    let locale = use_locale();
    let error = crate::forms::action_error(save);
    view! {
        <Title text=move || format!("{} · {}", Msg::SecurityTitle.text(locale.get()), Msg::AppName.text(locale.get()))/>
        <section class="panel">
            <h1>{t(Msg::SecurityTitle)}</h1>
            <p class="panel__lead">{t(Msg::SecurityLead)}</p>
            {move || save.value().get().and_then(|r| r.ok()).map(|_| view! {
                <div class="alert alert--ok" role="status" data-testid="security-saved">{t(Msg::SecuritySaved)}</div>
            })}
            <crate::forms::FormError error/>
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match policy.await {
                        Ok(p) => {
                            let names = ["idle_minutes", "absolute_hours", "lockout_threshold",
                                "lockout_window_minutes", "lockout_minutes", "auth_requests_per_minute"];
                            let values = p.values();
                            view! {
                                <ActionForm action=save attr:class="form form--two" attr:data-testid="security-form">
                                    {LIMITS.iter().enumerate().map(|(i, (field, _, lo, hi))| {
                                        let field = *field;
                                        let id = format!("f-{}", names[i]);
                                        let range = format!("{lo}–{hi}");
                                        view! {
                                            <div class="field" class:field--invalid=move || error.get().and_then(|e| e.problem_with(field)).is_some()>
                                                <label for=id.clone()>{t(field.label())}</label>
                                                <p class="field__hint">{range}</p>
                                                <input id=id type="number" inputmode="numeric" name=names[i] value=values[i].to_string()/>
                                                <p class="field__error" role="alert">{move || error.get().and_then(|e| e.problem_with(field)).map(|p| p.message().text(locale.get()))}</p>
                                            </div>
                                        }
                                    }).collect_view()}
                                    <div class="form__actions">
                                        <button class="button" type="submit">{t(Msg::SecuritySave)}</button>
                                    </div>
                                </ActionForm>
                            }.into_any()
                        }
                        Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_enforced_per_field() {
        let raw = ["30", "12", "5", "15", "15", "30"].map(String::from);
        let (problems, values) = SecurityPolicy::problems(&raw);
        assert!(problems.is_empty());
        assert_eq!(values, [30, 12, 5, 15, 15, 30]);
        let raw = ["500", "", "x", "15", "15", "30"].map(String::from);
        let (problems, _) = SecurityPolicy::problems(&raw);
        assert_eq!(
            problems,
            vec![
                (Field::IdleMinutes, Problem::OutOfRange),
                (Field::AbsoluteHours, Problem::Required),
                (Field::LockoutThreshold, Problem::NotANumber),
            ]
        );
    }
}
