//! Organisations, accounts, sessions and rate-limit counters.
//!
//! Counters change with single atomic statements (`SET n = n + 1 … RETURNING`), so
//! concurrent requests on any number of server instances never lose a count.

use crate::{audit::AuditEvent, now_text, timestamp_text, Store, StoreResult};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub role: String,
    pub area_code: String,
    pub organisation_id: Option<i64>,
    pub member_unit_code: Option<String>,
    pub mobile: String,
    pub password_hash: String,
    pub must_change_password: bool,
    pub totp_secret: Option<String>,
    pub totp_enrolled: bool,
    pub totp_last_step: Option<i64>,
    pub locked_until: Option<String>,
    pub disabled: bool,
    pub created_at: String,
}

const ACCOUNT_COLUMNS: &str = "id, login, display_name, role, area_code, organisation_id, \
    member_unit_code, mobile, password_hash, must_change_password, totp_secret, totp_enrolled, \
    totp_last_step, locked_until, disabled, created_at";

fn account_from_row(r: &sqlx::any::AnyRow) -> Account {
    Account {
        id: r.get("id"),
        login: r.get("login"),
        display_name: r.get("display_name"),
        role: r.get("role"),
        area_code: r.get("area_code"),
        organisation_id: r.get("organisation_id"),
        member_unit_code: r.get("member_unit_code"),
        mobile: r.get("mobile"),
        password_hash: r.get("password_hash"),
        must_change_password: r.get::<i64, _>("must_change_password") != 0,
        totp_secret: r.get("totp_secret"),
        totp_enrolled: r.get::<i64, _>("totp_enrolled") != 0,
        totp_last_step: r.get("totp_last_step"),
        locked_until: r.get("locked_until"),
        disabled: r.get::<i64, _>("disabled") != 0,
        created_at: r.get("created_at"),
    }
}

const ORGANISATION_COLUMNS: &str =
    "id, credit_code, name, category_code, area_code, contact_name, contact_mobile, created_at";

fn organisation_from_row(r: &sqlx::any::AnyRow) -> Organisation {
    Organisation {
        id: r.get("id"),
        credit_code: r.get("credit_code"),
        name: r.get("name"),
        category_code: r.get("category_code"),
        area_code: r.get("area_code"),
        contact_name: r.get("contact_name"),
        contact_mobile: r.get("contact_mobile"),
        created_at: r.get("created_at"),
    }
}

#[derive(Clone, Debug)]
pub struct NewOrganisation<'a> {
    pub credit_code: &'a str,
    pub name: &'a str,
    pub category_code: &'a str,
    pub area_code: &'a str,
    pub contact_name: &'a str,
    pub contact_mobile: &'a str,
    pub password_hash: &'a str,
}

#[derive(Clone, Debug)]
pub struct NewStaff<'a> {
    pub login: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub area_code: &'a str,
    pub member_unit_code: Option<&'a str>,
    pub mobile: &'a str,
    pub password_hash: &'a str,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: i64,
    pub credit_code: String,
    pub name: String,
    pub category_code: String,
    pub area_code: String,
    pub contact_name: String,
    pub contact_mobile: String,
    pub created_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub account_id: i64,
    pub stage: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
    /// This session gave a valid TOTP code (verified or enrolled).
    pub totp_proved: bool,
}

/// What a failed login did to the account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailureOutcome {
    Counted { failures: i64 },
    LockedUntil(String),
}

/// Forgets an account's failed sign-ins and lock (a good sign-in, a reset password).
const CLEAR_LOGIN_FAILURES: &str = "UPDATE accounts SET failed_logins = 0, \
     first_failed_at = NULL, locked_until = NULL WHERE id = $1";

/// Ends every session of an account.
const DELETE_SESSIONS_OF: &str = "DELETE FROM sessions WHERE account_id = $1";

impl Store {
    /// Registers an applicant: the organisation, its account and the audit entry (target
    /// set to the account), in one transaction.
    pub async fn create_organisation_account(
        &self,
        o: &NewOrganisation<'_>,
        audit: &AuditEvent,
    ) -> StoreResult<i64> {
        let now = now_text();
        let mut tx = self.pool().begin().await?;
        let org_id: i64 = sqlx::query(
            "INSERT INTO organisations (credit_code, name, category_code, area_code, contact_name, \
             contact_mobile, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(o.credit_code)
        .bind(o.name)
        .bind(o.category_code)
        .bind(o.area_code)
        .bind(o.contact_name)
        .bind(o.contact_mobile)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        let account_id: i64 = sqlx::query(
            "INSERT INTO accounts (login, display_name, role, area_code, organisation_id, mobile, \
             password_hash, must_change_password, created_at, password_changed_at) \
             VALUES ($1, $2, 'applicant', $3, $4, $5, $6, 0, $7, $7) RETURNING id",
        )
        .bind(o.credit_code)
        .bind(o.name)
        .bind(o.area_code)
        .bind(org_id)
        .bind(o.contact_mobile)
        .bind(o.password_hash)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        self.append_audit(&mut tx, &audit.with_target(format!("account/{account_id}")))
            .await?;
        tx.commit().await?;
        Ok(account_id)
    }

    /// Creates a staff account; its holder must set a new password at first login.
    /// The audit entry's target is set to the new account.
    pub async fn create_staff_account(
        &self,
        s: &NewStaff<'_>,
        audit: &AuditEvent,
    ) -> StoreResult<i64> {
        let mut tx = self.pool().begin().await?;
        let now = now_text();
        let id: i64 = sqlx::query(
            "INSERT INTO accounts (login, display_name, role, area_code, member_unit_code, mobile, \
             password_hash, must_change_password, created_at, password_changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8) RETURNING id",
        )
        .bind(s.login)
        .bind(s.display_name)
        .bind(s.role)
        .bind(s.area_code)
        .bind(s.member_unit_code)
        .bind(s.mobile)
        .bind(s.password_hash)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        self.append_audit(&mut tx, &audit.with_target(format!("account/{id}")))
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn account_by_login(&self, login: &str) -> StoreResult<Option<Account>> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE login = $1");
        let row = sqlx::query(&sql)
            .bind(login)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(account_from_row))
    }

    pub async fn account(&self, id: i64) -> StoreResult<Option<Account>> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(account_from_row))
    }

    /// Staff and applicant accounts whose area lies under `area_prefix`, by login.
    pub async fn accounts_under(&self, area_prefix: &str) -> StoreResult<Vec<Account>> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE area_code LIKE $1 ORDER BY role, login"
        );
        let rows = sqlx::query(&sql)
            .bind(format!("{area_prefix}%"))
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(account_from_row).collect())
    }

    pub async fn organisation(&self, id: i64) -> StoreResult<Option<Organisation>> {
        let row = sqlx::query(&format!(
            "SELECT {ORGANISATION_COLUMNS} FROM organisations WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(organisation_from_row))
    }

    pub async fn organisation_by_credit_code(
        &self,
        code: &str,
    ) -> StoreResult<Option<Organisation>> {
        let row = sqlx::query(&format!(
            "SELECT {ORGANISATION_COLUMNS} FROM organisations WHERE credit_code = $1"
        ))
        .bind(code)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(organisation_from_row))
    }

    pub async fn organisations_under(&self, area_prefix: &str) -> StoreResult<Vec<Organisation>> {
        let rows = sqlx::query(&format!(
            "SELECT {ORGANISATION_COLUMNS} FROM organisations WHERE area_code LIKE $1 ORDER BY area_code, name"
        ))
        .bind(format!("{area_prefix}%"))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(organisation_from_row).collect())
    }

    /// Counts a failed login in a sliding window; at `threshold` failures the account
    /// is locked for `lock_for`.
    pub async fn record_login_failure(
        &self,
        account_id: i64,
        now: DateTime<Utc>,
        window: Duration,
        threshold: i64,
        lock_for: Duration,
    ) -> StoreResult<FailureOutcome> {
        let now_s = timestamp_text(now);
        let cutoff = timestamp_text(now - window);
        let failures: i64 = sqlx::query(
            "UPDATE accounts SET \
               failed_logins = CASE WHEN first_failed_at IS NULL OR first_failed_at < $2 \
                               THEN 1 ELSE failed_logins + 1 END, \
               first_failed_at = CASE WHEN first_failed_at IS NULL OR first_failed_at < $2 \
                                 THEN $3 ELSE first_failed_at END \
             WHERE id = $1 RETURNING failed_logins",
        )
        .bind(account_id)
        .bind(&cutoff)
        .bind(&now_s)
        .fetch_one(self.pool())
        .await?
        .get(0);
        if failures >= threshold {
            let until = timestamp_text(now + lock_for);
            sqlx::query(
                "UPDATE accounts SET locked_until = $2, failed_logins = 0, first_failed_at = NULL \
                 WHERE id = $1",
            )
            .bind(account_id)
            .bind(&until)
            .execute(self.pool())
            .await?;
            return Ok(FailureOutcome::LockedUntil(until));
        }
        Ok(FailureOutcome::Counted { failures })
    }

    pub async fn clear_login_failures(&self, account_id: i64) -> StoreResult<()> {
        sqlx::query(CLEAR_LOGIN_FAILURES)
            .bind(account_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn set_password(
        &self,
        account_id: i64,
        password_hash: &str,
        must_change: bool,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "UPDATE accounts SET password_hash = $2, must_change_password = $3, \
             password_changed_at = $4 WHERE id = $1",
        )
        .bind(account_id)
        .bind(password_hash)
        .bind(must_change as i64)
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// An administrator's reset: the new temporary password must be changed at next
    /// sign-in, failed attempts are forgotten and every session of the account ends, all
    /// in one transaction with the audit entry, whose summary gains how many sessions
    /// ended. Returns that count.
    pub async fn reset_password(
        &self,
        account_id: i64,
        password_hash: &str,
        audit: &AuditEvent,
    ) -> StoreResult<u64> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "UPDATE accounts SET password_hash = $2, must_change_password = 1, \
             password_changed_at = $3 WHERE id = $1",
        )
        .bind(account_id)
        .bind(password_hash)
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        sqlx::query(CLEAR_LOGIN_FAILURES)
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        let ended = sqlx::query(DELETE_SESSIONS_OF)
            .bind(account_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let event = AuditEvent {
            summary: format!("{}; sessions ended={ended}", audit.summary),
            ..audit.clone()
        };
        self.append_audit(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// Stores a new, not yet confirmed, TOTP secret.
    pub async fn set_totp_secret(&self, account_id: i64, secret: &str) -> StoreResult<()> {
        sqlx::query("UPDATE accounts SET totp_secret = $2, totp_enrolled = 0 WHERE id = $1")
            .bind(account_id)
            .bind(secret)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Marks the TOTP secret confirmed and remembers the step used, so it cannot be replayed.
    /// Returns false when that step (or a later one) was already used.
    /// `audit` is written only when the step is accepted.
    pub async fn use_totp_step(
        &self,
        account_id: i64,
        step: i64,
        audit: &AuditEvent,
    ) -> StoreResult<bool> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "UPDATE accounts SET totp_enrolled = 1, totp_last_step = $2 \
             WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
        )
        .bind(account_id)
        .bind(step)
        .execute(&mut *tx)
        .await?;
        let accepted = done.rows_affected() == 1;
        if accepted {
            self.append_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(accepted)
    }

    pub async fn set_disabled(&self, account_id: i64, disabled: bool) -> StoreResult<()> {
        sqlx::query("UPDATE accounts SET disabled = $2 WHERE id = $1")
            .bind(account_id)
            .bind(disabled as i64)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        account_id: i64,
        stage: &str,
        expires_at: &str,
        client_addr: &str,
    ) -> StoreResult<()> {
        let now = now_text();
        sqlx::query(
            "INSERT INTO sessions (token_hash, account_id, stage, created_at, last_seen_at, \
             expires_at, client_addr) VALUES ($1, $2, $3, $4, $4, $5, $6)",
        )
        .bind(token_hash)
        .bind(account_id)
        .bind(stage)
        .bind(&now)
        .bind(expires_at)
        .bind(client_addr)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn session(&self, token_hash: &str) -> StoreResult<Option<Session>> {
        let row = sqlx::query(
            "SELECT account_id, stage, created_at, last_seen_at, expires_at, totp_proved \
             FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| Session {
            account_id: r.get("account_id"),
            stage: r.get("stage"),
            created_at: r.get("created_at"),
            last_seen_at: r.get("last_seen_at"),
            expires_at: r.get("expires_at"),
            totp_proved: r.get::<i64, _>("totp_proved") != 0,
        }))
    }

    pub async fn touch_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(now_text())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn set_session_stage(&self, token_hash: &str, stage: &str) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET stage = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(stage)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Moves a session on after a step that changed the account's credentials (a new
    /// password, a TOTP enrolment): its token is replaced by `new_hash`, its stage and
    /// proved factor set, and every other session of the account ends. False when the
    /// session is gone (ended elsewhere meanwhile).
    pub async fn rotate_session(
        &self,
        old_hash: &str,
        new_hash: &str,
        stage: &str,
        totp_proved: bool,
    ) -> StoreResult<bool> {
        let mut tx = self.pool().begin().await?;
        let row = sqlx::query(
            "UPDATE sessions SET token_hash = $2, stage = $3, totp_proved = $4, last_seen_at = $5 \
             WHERE token_hash = $1 RETURNING account_id",
        )
        .bind(old_hash)
        .bind(new_hash)
        .bind(stage)
        .bind(totp_proved as i64)
        .bind(now_text())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(false);
        };
        let account_id: i64 = row.get(0);
        sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2")
            .bind(account_id)
            .bind(new_hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Records that this session gave a valid TOTP code, and where it goes next.
    pub async fn prove_totp(&self, token_hash: &str, stage: &str) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET stage = $2, totp_proved = 1 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(stage)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// "Log out everywhere"; also used when an administrator resets a password.
    pub async fn delete_sessions_of(&self, account_id: i64) -> StoreResult<u64> {
        let done = sqlx::query(DELETE_SESSIONS_OF)
            .bind(account_id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// Counts one hit in a fixed window; true while the bucket is within `limit`.
    pub async fn rate_limit_hit(
        &self,
        bucket: &str,
        window_start: i64,
        limit: i64,
    ) -> StoreResult<bool> {
        let hits: i64 = sqlx::query(
            "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1 \
             RETURNING hits",
        )
        .bind(bucket)
        .bind(window_start)
        .fetch_one(self.pool())
        .await?
        .get(0);
        Ok(hits <= limit)
    }

    /// Drops expired sessions and old rate-limit windows.
    pub async fn sweep_expired(&self, now: DateTime<Utc>, oldest_window: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(timestamp_text(now))
            .execute(self.pool())
            .await?;
        sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
            .bind(oldest_window)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
