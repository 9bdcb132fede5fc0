//! Applications (申报): the guided wizard per category, autosaved step by step, with
//! evidence uploads, a self-assessment and a self-check, and submission.
//!
//! Every step is a plain server-rendered `<form method="post">`, so the wizard works
//! before the WASM arrives and with JavaScript off; once hydrated, `client` adds
//! autosave within a second of typing, an offline queue and instant checks with the
//! same `domain::application` rules the server applies.

#[cfg(feature = "hydrate")]
mod client;
#[cfg(feature = "ssr")]
pub mod handlers;
pub mod list;
#[cfg(feature = "ssr")]
pub mod proposals;
pub mod rectification;
pub mod text;
pub mod wizard;

use crate::accounts::TownshipOption;
use crate::errors::AppError;
use domain::application::{self as form, Draft, ItemRule, SelfCheck};
use domain::scoring::{Indicator, SetRules};
use domain::Category;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceView {
    pub id: i64,
    pub slot: String,
    pub name: String,
    pub media_type: String,
    pub size_bytes: i64,
}

/// Everything a wizard page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WizardData {
    pub id: i64,
    pub category: Category,
    pub state: domain::lifecycle::State,
    pub revision: i64,
    /// Where the applicant left off.
    pub step: String,
    pub draft: Draft,
    pub items: Vec<Indicator>,
    pub rules: SetRules,
    pub evidence: Vec<EvidenceView>,
    pub townships: Vec<TownshipOption>,
    pub organisation_name: String,
    pub registered_credit_code: String,
    /// The signed-in user may change it now.
    pub editable: bool,
    pub max_file_mb: u32,
    pub max_application_mb: u32,
    /// The street, village or association preparing it, if any.
    pub agent_name: Option<String>,
    pub handed_over: bool,
    /// The signed-in user is the agent (not the applicant).
    pub viewer_is_agent: bool,
    pub submitted_at: Option<String>,
    /// The township's latest return, with its reasons (shown while it is being fixed).
    pub returned: Option<ReturnNote>,
}

/// Why the township returned the application: an opinion, and comments per step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnNote {
    pub reviewer: String,
    pub summary: String,
    /// Step code → comment.
    pub comments: std::collections::BTreeMap<String, String>,
    pub at: String,
}

impl WizardData {
    pub fn item_rules(&self) -> Vec<ItemRule> {
        form::item_rules(&self.items)
    }

    /// Slots holding at least one file.
    pub fn filled_slots(&self) -> Vec<String> {
        let mut s: Vec<String> = self.evidence.iter().map(|e| e.slot.clone()).collect();
        s.dedup();
        s
    }

    pub fn self_check(&self) -> SelfCheck {
        form::self_check(
            self.category,
            &self.draft,
            &self.item_rules(),
            &self.rules,
            &self.filled_slots(),
            &self.registered_credit_code,
        )
    }

    /// Whether the viewer may finish now: the applicant submits a complete application;
    /// an agent hands over one complete but for the ticks, which are the applicant's.
    pub fn ready_for_viewer(&self) -> bool {
        let check = self.self_check();
        if self.viewer_is_agent {
            check.ready_to_hand_over()
        } else {
            check.ready()
        }
    }

    pub fn evidence_bytes(&self) -> i64 {
        self.evidence.iter().map(|e| e.size_bytes).sum()
    }
}

#[server(prefix = "/api", endpoint = "load_wizard")]
#[tracing::instrument(skip_all, fields(application = id))]
pub async fn load_wizard(id: i64) -> Result<WizardData, AppError> {
    let user = crate::accounts::session::require_user()?;
    let store = crate::state::store()?;
    let data = handlers::wizard_data_for(&store, &user, id).await?;
    // Every look by staff at an application with its people unmasked is audited.
    if user.role.is_staff() && handlers::sees_personal_data(user.role) {
        crate::accounts::session::audit(
            Some(&user),
            "application.view",
            &format!("application:{id}"),
            "full personal data",
        )
        .await?;
    }
    Ok(data)
}

/// The answer to a step's save, for the browser's autosave.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaveReply {
    pub revision: i64,
    pub problems: Vec<(String, form::FieldProblem)>,
    /// Where to go next (a step page).
    pub next: String,
    pub saved_at: String,
}

/// One application in a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationSummary {
    pub id: i64,
    pub category: Category,
    pub organisation_name: String,
    pub state: domain::lifecycle::State,
    pub step: String,
    pub updated_at: String,
    pub agent_name: Option<String>,
    pub handed_over: bool,
    /// The plaque's token once recognised (its certificate and verification pages).
    pub plaque_token: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyApplications {
    pub organisation_name: String,
    pub category: Category,
    /// The open batch's name (中文, English).
    pub batch_name: Option<(String, String)>,
    /// No open application in the open batch yet.
    pub can_start: bool,
    pub applications: Vec<ApplicationSummary>,
    /// Streets, villages and associations may prepare applications for merchants.
    pub is_agent: bool,
    pub prepared: Vec<ApplicationSummary>,
}

#[server(prefix = "/api", endpoint = "list_my_applications")]
#[tracing::instrument(skip_all)]
pub async fn list_my_applications() -> Result<MyApplications, AppError> {
    let user = crate::accounts::session::require_user()?;
    let store = crate::state::store()?;
    handlers::my_applications_for(&store, &user).await
}

/// The state's name for applicants.
pub fn state_text(state: domain::lifecycle::State) -> (&'static str, &'static str) {
    use domain::lifecycle::State;
    match state {
        State::Proposed => (
            "代办申报，待商户接受",
            "Prepared for the merchant, awaiting its acceptance",
        ),
        State::Draft => ("填写中", "Being filled in"),
        State::Submitted => ("已提交，待乡镇初审", "Submitted, awaiting township review"),
        State::Returned => ("退回修改", "Returned for changes"),
        State::CountyReview => ("县级评审中", "Under county review"),
        State::Rectifying => ("整改中", "Rectifying"),
        State::Rejected => ("未通过", "Not passed"),
        State::Passed => ("已通过评审", "Passed"),
        State::OnNotice => ("公示中", "On public notice"),
        State::Recognised => ("已认定", "Recognised"),
        State::Revoked => ("已撤销", "Revoked"),
        State::Expired => ("已失效", "Expired"),
    }
}

/// Why an application could not be started; shown above the start form (the code
/// travels in `?merchant_error=` so the page works without JavaScript).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartRefusal {
    NoBatch,
    NotAgent,
    CodeInvalid,
    Unknown,
    Outside,
    Exists,
}

impl StartRefusal {
    pub const ALL: [StartRefusal; 6] = [
        StartRefusal::NoBatch,
        StartRefusal::NotAgent,
        StartRefusal::CodeInvalid,
        StartRefusal::Unknown,
        StartRefusal::Outside,
        StartRefusal::Exists,
    ];

    pub fn code(self) -> &'static str {
        match self {
            StartRefusal::NoBatch => "no_batch",
            StartRefusal::NotAgent => "not_agent",
            StartRefusal::CodeInvalid => "code",
            StartRefusal::Unknown => "unknown",
            StartRefusal::Outside => "outside",
            StartRefusal::Exists => "exists",
        }
    }

    pub fn parse(code: &str) -> Option<StartRefusal> {
        StartRefusal::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn msg(self) -> crate::i18n::Msg {
        use crate::i18n::Msg;
        match self {
            StartRefusal::NoBatch => Msg::NoOpenBatch,
            StartRefusal::NotAgent => Msg::MerchantNotAgent,
            StartRefusal::CodeInvalid => Msg::MerchantCodeInvalid,
            StartRefusal::Unknown => Msg::MerchantUnknown,
            StartRefusal::Outside => Msg::MerchantOutside,
            StartRefusal::Exists => Msg::ApplicationExists,
        }
    }
}

#[cfg(test)]
mod start_refusal_tests {
    use super::StartRefusal;

    #[test]
    fn every_refusal_reads_back_and_has_its_own_message() {
        for r in StartRefusal::ALL {
            assert_eq!(StartRefusal::parse(r.code()), Some(r));
            assert_ne!(r.msg(), crate::i18n::Msg::ErrorInternal, "{r:?}");
        }
    }
}
