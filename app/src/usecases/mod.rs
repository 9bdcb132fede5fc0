//! (server only) The use-case layer: one function per state change. Each takes the store,
//! the acting user and typed input; checks the rule (`domain::lifecycle` and the
//! caller's right to act on this record); has the store write the change and its audit
//! entry in one transaction; and returns a typed outcome. The form posts and server
//! functions translate the outcome into a page; they do not call the store's writing
//! methods themselves (server/tests/architecture.rs holds the list of methods moved here).
//!
//! Here so far: the application's way through the campaign (submit, hand over, accept or
//! remove an agent's proposal, the township's decision, panel assignment, recusal,
//! scores and result, rectification, notice, objection decisions, recognition,
//! re-inspection and its yearly plan), the handling of a complaint by staff and by the
//! business, batches (plan, open, close), indicator sets, panel membership and site
//! visits, objection assignment, and settings (notice, panel, complaint thresholds, the
//! sign-in policy, the holiday calendar), starting an application and saving its steps,
//! and evidence files (wizard uploads and removals, rectification files, site photos).
//! What the public files (complaints, ratings, objections) goes through `public`, whose
//! actor is a `Visitor`; and accounts (registration, staff accounts, password resets and
//! changes, spending a TOTP code), and the 12315 imports (`imports`).

pub mod accounts;
pub mod applications;
pub mod batches;
pub mod complaints;
pub mod evidence;
pub mod imports;
pub mod indicator_sets;
pub mod notices;
pub mod panel;
pub mod public;
pub mod recognitions;
pub mod rectification;
pub mod settings;
pub mod township;
pub mod wizard;

use crate::accounts::CurrentUser;
use store::audit::AuditEvent;

/// Who acts: the signed-in user and the address the request came from (for the audit
/// entry), on which day.
pub struct Actor {
    pub user: CurrentUser,
    pub addr: String,
    /// The day the actor acts on, when it is not today: only the operator's tools set it
    /// (`as_of`), to write a campaign's past (demo data, benchmark fixtures) through the
    /// same rules. The product's requests act today.
    as_of: Option<chrono::NaiveDate>,
}

impl Actor {
    pub fn new(user: CurrentUser, addr: String) -> Actor {
        Actor {
            user,
            addr,
            as_of: None,
        }
    }

    /// The same actor acting on `day` (the operator's tools; see `as_of`).
    pub fn as_of(self, day: chrono::NaiveDate) -> Actor {
        Actor {
            as_of: Some(day),
            ..self
        }
    }

    /// The day this actor acts on: the county's today unless the actor was set `as_of`.
    pub(crate) async fn today(&self, store: &store::Store) -> chrono::NaiveDate {
        match self.as_of {
            Some(day) => day,
            None => crate::review::common::today(store).await,
        }
    }

    /// Refused unless the actor holds `role` (the form posts' extractors check it too;
    /// this keeps the rule with the step for every other caller).
    fn must_be(&self, role: domain::role::Role) -> Result<(), crate::errors::AppError> {
        if self.user.role == role {
            Ok(())
        } else {
            Err(crate::errors::AppError::Forbidden)
        }
    }

    /// The audit entry of what this actor does to `target`.
    pub(crate) fn audit(&self, action: &str, target: String, summary: String) -> AuditEvent {
        crate::review::common::audit_event(&self.user, self.addr.clone(), action, target, summary)
    }
}

/// The audit entry of what the operator (`name`, at the server's command line or with
/// the tools) does: role `operator`, no area, from the machine itself.
pub(crate) fn operator_audit(name: &str, action: &str, summary: String) -> AuditEvent {
    AuditEvent {
        actor: name.to_string(),
        role: "operator".into(),
        area_code: "-".into(),
        action: action.into(),
        target: String::new(),
        summary,
        client_addr: "local".into(),
    }
}
