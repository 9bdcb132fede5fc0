//! The access policy: for every server function and every page, who may call it.
//!
//! The server enforces it in one middleware before any handler runs, and denies
//! anything not listed (a new server function is unreachable until it has a line
//! here). Area scope — township A's reviewer and township B's data — is checked by
//! each function against the data it touches, with `domain::role::in_scope`.

use crate::accounts::{CurrentUser, Stage};
use domain::Role;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// A session that is still owing a sign-in step (password change, TOTP).
    SigningIn,
    /// Any fully signed-in account.
    SignedIn,
    /// Fully signed in with one of these roles.
    Roles(&'static [Role]),
}

use Role::*;

/// Every server function, by path.
pub const SERVER_FUNCTIONS: &[(&str, Access)] = &[
    ("/api/home_overview", Access::Public),
    ("/api/whoami", Access::Public),
    (
        "/api/dashboard",
        Access::Roles(&[Leader, CountyOffice, TownshipReviewer]),
    ),
    ("/api/indicators", Access::Public),
    ("/api/townships", Access::Public),
    ("/api/register", Access::Public),
    ("/api/login", Access::Public),
    ("/api/logout", Access::Public),
    ("/api/verify_totp", Access::SigningIn),
    ("/api/totp_enrolment", Access::SigningIn),
    ("/api/confirm_totp", Access::SigningIn),
    ("/api/change_password", Access::SigningIn),
    ("/api/logout_everywhere", Access::SignedIn),
    ("/api/staff_accounts", Access::Roles(&[SystemAdmin])),
    ("/api/create_staff", Access::Roles(&[SystemAdmin])),
    ("/api/reset_password", Access::Roles(&[SystemAdmin])),
    ("/api/security_policy", Access::Roles(&[SecurityAdmin])),
    ("/api/save_security_policy", Access::Roles(&[SecurityAdmin])),
    ("/api/audit_log", Access::Roles(&[AuditAdmin])),
    ("/api/verify_audit", Access::Roles(&[AuditAdmin])),
    ("/api/indicator_editor", Access::Roles(&[CountyOffice])),
    ("/api/list_my_applications", Access::Roles(&[Applicant])),
    // Applicants their own; staff submitted ones within their area (checked inside).
    (
        "/api/load_wizard",
        Access::Roles(&[
            Applicant,
            TownshipReviewer,
            CountyOffice,
            PanelMember,
            MemberUnitStaff,
            Leader,
        ]),
    ),
    ("/api/township_queue", Access::Roles(&[TownshipReviewer])),
    ("/api/panel_overview", Access::Roles(&[CountyOffice])),
    ("/api/my_assignments", Access::Roles(&[PanelMember])),
    ("/api/scoring_sheet", Access::Roles(&[PanelMember])),
    ("/api/notice_desk", Access::Roles(&[CountyOffice])),
    ("/api/notice_admin", Access::Roles(&[CountyOffice])),
    ("/api/recognition_register", Access::Roles(&[CountyOffice])),
    // The applicant its own; staff in scope read it (checked inside).
    (
        "/api/rectification_view",
        Access::Roles(&[
            Applicant,
            TownshipReviewer,
            CountyOffice,
            PanelMember,
            Leader,
        ]),
    ),
    ("/api/inbox", Access::SignedIn),
    ("/api/public_notices", Access::Public),
    ("/api/public_notice", Access::Public),
    ("/api/plaque", Access::Public),
    ("/api/public_revocations", Access::Public),
    ("/api/public_directory", Access::Public),
    ("/api/public_unit", Access::Public),
    ("/api/list_batches", Access::Roles(&[CountyOffice])),
    ("/api/complaint_form", Access::Public),
    ("/api/tracked_complaint", Access::Public),
    ("/api/rating_page", Access::Public),
    ("/api/complaint_desk", Access::Roles(&[Applicant])),
    (
        "/api/complaint_list",
        Access::Roles(&[CountyOffice, TownshipReviewer, Leader]),
    ),
    (
        "/api/complaint_case",
        Access::Roles(&[CountyOffice, TownshipReviewer, Leader]),
    ),
    (
        "/api/complaint_entry",
        Access::Roles(&[CountyOffice, TownshipReviewer]),
    ),
    ("/api/complaint_imports", Access::Roles(&[CountyOffice])),
    (
        "/api/organisations",
        Access::Roles(&[TownshipReviewer, CountyOffice, Leader]),
    ),
    (
        "/api/organisation",
        Access::Roles(&[TownshipReviewer, CountyOffice, Leader]),
    ),
];

/// Every page, by route pattern; also the plain HTTP routes.
pub const PAGES: &[(&str, Access)] = &[
    ("/", Access::Public),
    ("/indicators", Access::Public),
    ("/login", Access::Public),
    ("/register", Access::Public),
    ("/login/totp", Access::SigningIn),
    ("/account/password", Access::SigningIn),
    ("/account/totp", Access::SigningIn),
    ("/account", Access::SignedIn),
    ("/admin/users", Access::Roles(&[SystemAdmin])),
    ("/audit", Access::Roles(&[AuditAdmin])),
    ("/security", Access::Roles(&[SecurityAdmin])),
    (
        "/organisations",
        Access::Roles(&[TownshipReviewer, CountyOffice, Leader]),
    ),
    (
        "/organisations/{id}",
        Access::Roles(&[TownshipReviewer, CountyOffice, Leader]),
    ),
    ("/indicators/edit", Access::Roles(&[CountyOffice])),
    ("/indicators/edit/save", Access::Roles(&[CountyOffice])),
    ("/batches", Access::Roles(&[CountyOffice])),
    ("/batches/create", Access::Roles(&[CountyOffice])),
    ("/batches/{id}/status", Access::Roles(&[CountyOffice])),
    ("/review", Access::Roles(&[TownshipReviewer])),
    (
        "/review/{id}",
        Access::Roles(&[TownshipReviewer, CountyOffice]),
    ),
    ("/review/{id}/decide", Access::Roles(&[TownshipReviewer])),
    ("/apply", Access::Roles(&[Applicant])),
    ("/apply/{id}/{step}", Access::Roles(&[Applicant])),
    ("/apply/start", Access::Roles(&[Applicant])),
    ("/apply/{id}/save", Access::Roles(&[Applicant])),
    ("/apply/{id}/upload", Access::Roles(&[Applicant])),
    ("/apply/{id}/evidence/remove", Access::Roles(&[Applicant])),
    ("/apply/{id}/submit", Access::Roles(&[Applicant])),
    ("/apply/{id}/hand-over", Access::Roles(&[Applicant])),
    ("/apply/{id}/accept", Access::Roles(&[Applicant])),
    ("/apply/{id}/remove", Access::Roles(&[Applicant])),
    ("/panel", Access::Roles(&[CountyOffice])),
    ("/panel/members", Access::Roles(&[CountyOffice])),
    ("/panel/settings", Access::Roles(&[CountyOffice])),
    ("/panel/assign", Access::Roles(&[CountyOffice])),
    ("/panel/{id}/decide", Access::Roles(&[CountyOffice])),
    ("/scoring", Access::Roles(&[PanelMember])),
    ("/scoring/{id}", Access::Roles(&[PanelMember])),
    ("/scoring/{id}/recuse", Access::Roles(&[PanelMember])),
    ("/scoring/{id}/submit", Access::Roles(&[PanelMember])),
    ("/scoring/{id}/visit", Access::Roles(&[PanelMember])),
    ("/notices", Access::Roles(&[CountyOffice])),
    ("/notices/{id}", Access::Roles(&[CountyOffice])),
    ("/notices/create", Access::Roles(&[CountyOffice])),
    ("/notices/settings", Access::Roles(&[CountyOffice])),
    ("/notices/calendar", Access::Roles(&[CountyOffice])),
    ("/notices/{id}/recognise", Access::Roles(&[CountyOffice])),
    ("/objections/{id}/assign", Access::Roles(&[CountyOffice])),
    ("/objections/{id}/decide", Access::Roles(&[CountyOffice])),
    ("/recognitions", Access::Roles(&[CountyOffice])),
    ("/recognitions.xlsx", Access::Roles(&[CountyOffice])),
    ("/reinspections/plan", Access::Roles(&[CountyOffice])),
    ("/reinspections/{id}/record", Access::Roles(&[CountyOffice])),
    (
        "/rectification/{id}",
        Access::Roles(&[
            Applicant,
            TownshipReviewer,
            CountyOffice,
            PanelMember,
            Leader,
        ]),
    ),
    ("/rectification/{id}/upload", Access::Roles(&[Applicant])),
    ("/rectification/{id}/report", Access::Roles(&[Applicant])),
    ("/rectification/{id}/accept", Access::Roles(&[Applicant])),
    ("/inbox", Access::SignedIn),
    ("/notice", Access::Public),
    ("/notice/{id}", Access::Public),
    ("/notice/{id}/object", Access::Public),
    ("/verify/{token}", Access::Public),
    ("/certificate/{token}", Access::Public),
    ("/revocations", Access::Public),
    ("/units", Access::Public),
    ("/units/{id}", Access::Public),
    ("/sitemap.xml", Access::Public),
    ("/robots.txt", Access::Public),
    ("/complain", Access::Public),
    ("/complain/file", Access::Public),
    ("/track", Access::Public),
    ("/track/find", Access::Public),
    ("/track/{code}", Access::Public),
    ("/rate/{token}", Access::Public),
    ("/rate/{token}/vote", Access::Public),
    ("/desk", Access::Roles(&[Applicant])),
    ("/desk/{id}", Access::Roles(&[Applicant])),
    (
        "/complaints",
        Access::Roles(&[CountyOffice, TownshipReviewer, Leader]),
    ),
    (
        "/complaints/case/{id}",
        Access::Roles(&[CountyOffice, TownshipReviewer, Leader]),
    ),
    (
        "/complaints/new",
        Access::Roles(&[CountyOffice, TownshipReviewer]),
    ),
    (
        "/complaints/file",
        Access::Roles(&[CountyOffice, TownshipReviewer]),
    ),
    (
        "/complaints/case/{id}/act",
        Access::Roles(&[CountyOffice, TownshipReviewer]),
    ),
    ("/complaints/settings", Access::Roles(&[CountyOffice])),
    ("/complaints/import", Access::Roles(&[CountyOffice])),
    ("/complaints/import/upload", Access::Roles(&[CountyOffice])),
    (
        "/complaints/imports/{id}/report",
        Access::Roles(&[CountyOffice]),
    ),
    (
        "/complaints/export/csv",
        Access::Roles(&[CountyOffice, TownshipReviewer, Leader]),
    ),
    (
        "/complaints/export/xlsx",
        Access::Roles(&[CountyOffice, TownshipReviewer, Leader]),
    ),
    (
        "/dashboard",
        Access::Roles(&[Leader, CountyOffice, TownshipReviewer]),
    ),
    (
        "/dashboard/wall",
        Access::Roles(&[Leader, CountyOffice, TownshipReviewer]),
    ),
    (
        "/dashboard/live",
        Access::Roles(&[Leader, CountyOffice, TownshipReviewer]),
    ),
    (
        "/dashboard/export/{file}",
        Access::Roles(&[Leader, CountyOffice, TownshipReviewer]),
    ),
    (
        "/dashboard/chart/{file}",
        Access::Roles(&[Leader, CountyOffice, TownshipReviewer]),
    ),
    // Anyone signed in may ask; the handler serves only those who may see the application.
    ("/files/{id}", Access::SignedIn),
    ("/healthz", Access::Public),
    ("/metrics", Access::Public),
    ("/lang/{tag}", Access::Public),
];

pub fn server_function_access(path: &str) -> Option<Access> {
    SERVER_FUNCTIONS
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, a)| *a)
}

pub fn page_access(route: &str) -> Option<Access> {
    PAGES.iter().find(|(p, _)| *p == route).map(|(_, a)| *a)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Not signed in (or a sign-in step is owed): send to sign-in.
    SignIn,
    /// Signed in, but not allowed.
    Forbid,
}

pub fn decide(access: Access, user: Option<&CurrentUser>) -> Decision {
    match (access, user) {
        (Access::Public, _) => Decision::Allow,
        (Access::SigningIn, Some(u)) if u.stage != Stage::Full => Decision::Allow,
        (Access::SigningIn, Some(_)) => Decision::Forbid,
        (Access::SigningIn, None) => Decision::SignIn,
        (_, None) => Decision::SignIn,
        (_, Some(u)) if u.stage != Stage::Full => Decision::SignIn,
        (Access::SignedIn, Some(_)) => Decision::Allow,
        (Access::Roles(roles), Some(u)) if roles.contains(&u.role) => Decision::Allow,
        (Access::Roles(_), Some(_)) => Decision::Forbid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, stage: Stage) -> CurrentUser {
        CurrentUser {
            account_id: 1,
            login: "x".into(),
            display_name: "x".into(),
            role,
            area_code: "341721100".into(),
            stage,
            totp_enrolled: true,
            token_hash: String::new(),
        }
    }

    #[test]
    fn decisions() {
        let admin = user(SystemAdmin, Stage::Full);
        let auditor = user(AuditAdmin, Stage::Full);
        let pending = user(SystemAdmin, Stage::EnrolTotp);
        let users = Access::Roles(&[SystemAdmin]);
        assert_eq!(decide(users, Some(&admin)), Decision::Allow);
        assert_eq!(decide(users, Some(&auditor)), Decision::Forbid);
        assert_eq!(decide(users, Some(&pending)), Decision::SignIn);
        assert_eq!(decide(users, None), Decision::SignIn);
        assert_eq!(decide(Access::SigningIn, Some(&pending)), Decision::Allow);
        assert_eq!(decide(Access::SigningIn, Some(&admin)), Decision::Forbid);
        assert_eq!(decide(Access::Public, None), Decision::Allow);
    }

    #[test]
    fn the_system_administrator_cannot_read_the_audit_log() {
        let audit = server_function_access("/api/audit_log").unwrap();
        assert_eq!(
            decide(audit, Some(&user(SystemAdmin, Stage::Full))),
            Decision::Forbid
        );
        let users = server_function_access("/api/create_staff").unwrap();
        assert_eq!(
            decide(users, Some(&user(AuditAdmin, Stage::Full))),
            Decision::Forbid
        );
    }

    #[test]
    fn no_path_is_listed_twice() {
        let mut fns: Vec<_> = SERVER_FUNCTIONS.iter().map(|(p, _)| *p).collect();
        fns.sort();
        fns.dedup();
        assert_eq!(fns.len(), SERVER_FUNCTIONS.len());
        let mut pages: Vec<_> = PAGES.iter().map(|(p, _)| *p).collect();
        pages.sort();
        pages.dedup();
        assert_eq!(pages.len(), PAGES.len());
    }
}
