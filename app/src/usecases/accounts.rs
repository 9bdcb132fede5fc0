//! 账号: an organisation registers itself; staff accounts are made by the system
//! administrator (business roles) or the server's operator (any staff role); the system
//! administrator resets a password; the holder sets its own at first sign-in; and the
//! TOTP code given at sign-in is spent once. The session's own steps (its token and
//! stage) stay with `accounts::session`; these write the account and its audit entry in
//! one transaction.

use super::public::Visitor;
use super::Actor;
use crate::accounts::admin::{login_problem, temporary_password, StaffInput};
use crate::accounts::session::hash_password;
use crate::accounts::validate::{self, RegistrationInput};
use crate::errors::{AppError, Field, Problem};
use domain::Role;
use store::audit::AuditEvent;
use store::Store;

/// An organisation registers itself (merchant, street, association or village) with its
/// credit code as the login; it then acts as the applicant. Returns the new account.
#[tracing::instrument(skip_all)]
pub async fn register(
    store: &Store,
    visitor: &Visitor,
    input: &RegistrationInput,
) -> Result<i64, AppError> {
    let mut problems = validate::registration_problems(input);
    let township = input.township.trim();
    let township_ok = store
        .area(township)
        .await?
        .is_some_and(|a| a.level == "township" && a.code.starts_with(domain::application::COUNTY));
    if !township.is_empty() && !township_ok {
        problems.push((Field::Township, Problem::Unknown));
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let code = domain::CreditCode::parse(&input.credit_code)
        .map_err(|_| AppError::Invalid(vec![(Field::CreditCode, Problem::CreditCodeCheck)]))?;
    let mobile = domain::account::Mobile::parse(&input.mobile)
        .map_err(|_| AppError::Invalid(vec![(Field::Mobile, Problem::MobileMalformed)]))?;
    let hash = hash_password(input.password.clone()).await?;
    // Who the audit entry names: the new account (its id is set by the store).
    let event = AuditEvent {
        actor: code.as_str().to_string(),
        role: Role::Applicant.code().to_string(),
        area_code: township.to_string(),
        action: "account.register".into(),
        target: String::new(),
        summary: format!("category={}", input.category),
        client_addr: visitor.addr.clone(),
    };
    let created = store
        .create_organisation_account(
            &store::accounts::NewOrganisation {
                credit_code: code.as_str(),
                name: input.name.trim(),
                category_code: &input.category,
                area_code: township,
                contact_name: input.contact_name.trim(),
                contact_mobile: mobile.as_str(),
                password_hash: &hash,
            },
            &event,
        )
        .await;
    made(created, Field::CreditCode)
}

/// Who makes a staff account.
#[derive(Clone, Copy)]
pub enum Provisioner<'a> {
    /// The system administrator in the browser: business roles only, inside its area
    /// (三员分立: the three administrators are made by the operator).
    SystemAdministrator(&'a Actor),
    /// The server's operator (`fangxin create-staff`, the demo seeding), named in the
    /// audit entry: any staff role, anywhere.
    Operator(&'a str),
}

/// Validates and creates a staff account with `password`, which must be changed at
/// first sign-in.
#[tracing::instrument(skip_all)]
pub async fn create_staff(
    store: &Store,
    who: Provisioner<'_>,
    input: &StaffInput,
    password: &str,
) -> Result<i64, AppError> {
    use crate::accounts::validate::{mobile_problem, password_problem, text_problem};
    let (scope, may_make_administrators) = match &who {
        Provisioner::SystemAdministrator(actor) => {
            actor.must_be(Role::SystemAdmin)?;
            (actor.user.area_code.as_str(), false)
        }
        Provisioner::Operator(_) => ("", true),
    };
    let role_ok = Role::parse(&input.role)
        .filter(|r| r.is_staff())
        .filter(|r| may_make_administrators || !r.is_administrator());
    let area_ok = store
        .area(input.area.trim())
        .await?
        .filter(|a| a.code.starts_with(scope));
    let needs_unit = role_ok == Some(Role::MemberUnitStaff);
    let unit = input.member_unit.trim();
    let unit_ok = store.member_units().await?.iter().any(|m| m.code == unit);
    let unit_problem = match (needs_unit, unit.is_empty(), unit_ok) {
        (true, true, _) => Some(Problem::Required),
        (true, false, false) => Some(Problem::Unknown),
        _ => None,
    };
    let problems: Vec<_> = [
        (Field::Login, login_problem(&input.login)),
        (Field::MemberUnit, unit_problem),
        (Field::DisplayName, text_problem(&input.display_name)),
        (Field::Role, role_ok.is_none().then_some(Problem::Unknown)),
        (Field::Area, area_ok.is_none().then_some(Problem::Unknown)),
        (Field::Mobile, mobile_problem(&input.mobile)),
        (
            Field::TemporaryPassword,
            password_problem(password, &input.login),
        ),
    ]
    .into_iter()
    .filter_map(|(f, p)| p.map(|p| (f, p)))
    .collect();
    let (Some(role), Ok(mobile), true) = (
        role_ok,
        domain::account::Mobile::parse(&input.mobile),
        problems.is_empty(),
    ) else {
        return Err(AppError::Invalid(problems));
    };
    let summary = format!(
        "login={} role={} area={}",
        input.login.trim(),
        input.role,
        input.area.trim()
    );
    let event = match who {
        Provisioner::SystemAdministrator(actor) => {
            actor.audit("account.create", String::new(), summary)
        }
        Provisioner::Operator(name) => super::operator_audit(name, "account.create", summary),
    };
    let hash = hash_password(password.to_string()).await?;
    let created = store
        .create_staff_account(
            &store::accounts::NewStaff {
                login: input.login.trim(),
                display_name: input.display_name.trim(),
                role: role.code(),
                area_code: input.area.trim(),
                member_unit_code: needs_unit.then_some(unit),
                mobile: mobile.as_str(),
                password_hash: &hash,
            },
            &event,
        )
        .await;
    made(created, Field::Login)
}

/// The account made, or `unique` named as taken already.
fn made(created: store::StoreResult<i64>, unique: Field) -> Result<i64, AppError> {
    match created {
        Ok(id) => Ok(id),
        Err(store::StoreError::Duplicate(_)) => Err(AppError::Invalid(vec![(
            unique,
            Problem::AlreadyRegistered,
        )])),
        Err(e) => Err(e.into()),
    }
}

/// The system administrator resets the password of account `login` in its area to a
/// temporary one (returned, to be handed over), which must be changed at the next
/// sign-in; every session of that account ends. Never its own, nor another
/// administrator's (resetting the audit administrator's would let the system
/// administrator sign in as it: 三员分立).
#[tracing::instrument(skip_all)]
pub async fn reset_password(store: &Store, actor: &Actor, login: &str) -> Result<String, AppError> {
    actor.must_be(Role::SystemAdmin)?;
    let account = store
        .account_by_login(login.trim())
        .await?
        .filter(|a| a.area_code.starts_with(&actor.user.area_code) && a.id != actor.user.account_id)
        .filter(|a| Role::parse(&a.role).is_some_and(|r| !r.is_administrator()))
        .ok_or(AppError::NotFound)?;
    let password = temporary_password();
    let hash = hash_password(password.clone()).await?;
    let event = actor.audit(
        "account.password_reset",
        format!("account/{}", account.id),
        "change required".into(),
    );
    let ended = store.reset_password(account.id, &hash, &event).await?;
    tracing::info!(
        account = account.id,
        ended,
        "sessions ended by a password reset"
    );
    Ok(password)
}

/// The holder sets its own password where one is owed (a new or reset account). Refused
/// once the step is no longer owed: set meanwhile elsewhere, a session left half-way
/// cannot set another.
#[tracing::instrument(skip_all)]
pub async fn change_password(
    store: &Store,
    actor: &Actor,
    new_password: &str,
    confirm: &str,
) -> Result<(), AppError> {
    let owed = store
        .account(actor.user.account_id)
        .await?
        .ok_or(AppError::SignInRequired)?
        .must_change_password;
    if !owed {
        return Err(AppError::Forbidden);
    }
    let problems: Vec<_> = [
        (
            Field::NewPassword,
            validate::password_problem(new_password, &actor.user.login),
        ),
        (
            Field::PasswordConfirm,
            validate::confirm_problem(new_password, confirm),
        ),
    ]
    .into_iter()
    .filter_map(|(f, p)| p.map(|p| (f, p)))
    .collect();
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let hash = hash_password(new_password.to_string()).await?;
    let event = actor.audit(
        "account.password_changed",
        format!("account/{}", actor.user.account_id),
        "by the holder".into(),
    );
    store
        .set_password(actor.user.account_id, &hash, false, &event)
        .await?;
    Ok(())
}

/// Why a TOTP code is checked: the audit entry written when it is accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TotpUse {
    /// The second factor at sign-in.
    SignIn,
    /// Confirming a newly enrolled authenticator.
    Enrolment,
}

/// Checks a TOTP code against the account's secret and spends its time step, so the
/// same code never works twice. `no_secret` is the error when no secret is stored.
/// False: wrong, or spent already.
#[tracing::instrument(skip_all)]
pub async fn spend_totp_code(
    store: &Store,
    actor: &Actor,
    code: &str,
    why: TotpUse,
    no_secret: AppError,
) -> Result<bool, AppError> {
    let account = store
        .account(actor.user.account_id)
        .await?
        .ok_or(AppError::SignInRequired)?;
    let secret = account
        .totp_secret
        .as_deref()
        .and_then(domain::totp::base32_decode)
        .ok_or(no_secret)?;
    let now = chrono::Utc::now().timestamp().max(0) as u64;
    let last = account.totp_last_step.map(|s| s.max(0) as u64);
    let Some(step) = domain::totp::verify(&secret, code, now, last) else {
        return Ok(false);
    };
    let (action, summary) = match why {
        TotpUse::SignIn => ("login.second_factor", "ok"),
        TotpUse::Enrolment => ("account.totp_enrolled", "second factor enrolled"),
    };
    let event = actor.audit(
        action,
        format!("account/{}", actor.user.account_id),
        summary.into(),
    );
    Ok(store
        .use_totp_step(actor.user.account_id, step as i64, &event)
        .await?)
}
