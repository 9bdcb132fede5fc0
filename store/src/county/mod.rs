//! County review to recognition: panel members, assignments and independent scores,
//! panel results, rectification, holiday calendars, public notices and objections,
//! recognitions, re-inspections and revocation, and the in-app inbox.
//!
//! Each state change of an application happens in the same transaction as the record
//! that justifies it and its audit entry, through `transitions::move_application`
//! (guarded by the state it leaves, so two staff acting at once cannot both move it).
//! The types are here; the queries by area in panel.rs, notices.rs, recognitions.rs
//! and inbox.rs.

use crate::applications::Application;
use serde::{Deserialize, Serialize};
use sqlx::Row;

mod inbox;
mod notices;
mod panel;
mod recognitions;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelMember {
    pub id: i64,
    pub account_id: i64,
    pub login: String,
    pub display_name: String,
    pub area_code: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub id: i64,
    pub application_id: i64,
    pub round: i64,
    pub reviewer_id: i64,
    pub reviewer_name: String,
    pub status: domain::panel::AssignmentStatus,
    pub conflict: Option<String>,
    pub conflict_note: Option<String>,
    /// JSON `Vec<Option<ItemScore>>` once scored.
    pub scores: Option<String>,
    pub total: Option<i64>,
    pub vetoed: Option<i64>,
    pub comment: Option<String>,
    pub scored_at: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelResultRow {
    pub application_id: i64,
    pub round: i64,
    pub method: String,
    pub score_tenths: i64,
    pub spread: i64,
    pub vetoed: bool,
    pub outcome: String,
    pub decided_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rectification {
    pub application_id: i64,
    pub opened_on: String,
    pub due_on: String,
    /// JSON: the failed items (index, text) as to-dos.
    pub items: String,
    pub report: Option<String>,
    pub reported_at: Option<String>,
    /// JSON list of reminders already sent ("30", "7").
    pub reminded: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: i64,
    pub batch_id: i64,
    pub title: String,
    pub published_on: String,
    pub ends_on: String,
    pub working_days: i64,
    pub first_day_counts: bool,
    pub created_at: String,
    pub recognised_at: Option<String>,
}

/// One application on a notice, with what the public sees of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeEntry {
    pub application_id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub credit_code: String,
    pub area_code: String,
    pub category_code: String,
    pub state: domain::lifecycle::State,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objection {
    pub id: i64,
    pub notice_id: i64,
    pub application_id: i64,
    pub name: String,
    pub contact: String,
    pub facts: String,
    pub evidence: String,
    pub filed_at: String,
    pub assigned_to: Option<i64>,
    pub respond_by: String,
    pub status: domain::notice::ObjectionStatus,
    pub outcome: Option<String>,
    pub decided_at: Option<String>,
}

pub struct NewObjection<'a> {
    pub notice_id: i64,
    pub application_id: i64,
    pub name: &'a str,
    pub contact: &'a str,
    pub facts: &'a str,
    pub evidence: &'a str,
    pub respond_by: &'a str,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recognition {
    pub id: i64,
    pub application_id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub credit_code: String,
    pub area_code: String,
    pub category_code: String,
    pub certificate_no: String,
    pub token: String,
    pub recognised_on: String,
    pub valid_until: String,
    pub revoked_on: Option<String>,
    pub revoke_reason: Option<String>,
    /// The store or brand name the application gave (empty for older ones).
    pub display_name: String,
    /// The industry code of the category's list (`domain::application::industries`).
    pub industry: String,
    pub address: String,
}

/// What the public directory asks for: every part optional.
#[derive(Clone, Debug, Default)]
pub struct DirectoryQuery {
    /// Part of the registered name, the shop-front name or the credit code.
    pub text: String,
    /// An area code: a township, or empty for the whole county.
    pub township: String,
    pub category: String,
    pub industry: String,
    /// Also list plaques that expired or were revoked.
    pub include_ended: bool,
    pub sort: DirectorySort,
    /// YYYY-MM-DD: a plaque is valid up to and including its last day.
    pub today: String,
    pub offset: i64,
    pub limit: i64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DirectorySort {
    #[default]
    Newest,
    Township,
    Certificate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reinspection {
    pub id: i64,
    pub recognition_id: i64,
    pub plan: String,
    pub planned_at: String,
    pub result: Option<String>,
    pub note: Option<String>,
    pub inspected_at: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: i64,
    pub text_zh: String,
    pub text_en: String,
    pub link: String,
    pub created_at: String,
    pub read_at: Option<String>,
}

/// A message for the inbox of one account or of every account of an organisation.
pub struct NewNotification<'a> {
    pub account_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub text_zh: &'a str,
    pub text_en: &'a str,
    pub link: &'a str,
}

/// The panel's decision on a round, ready to record.
pub struct NewPanelResult<'a> {
    pub application_id: i64,
    pub round: i64,
    pub method: &'a str,
    pub score_tenths: i64,
    pub spread: i64,
    pub vetoed: bool,
    pub passed: bool,
    pub decided_by: i64,
    /// For a first failure: the rectification to open (opened, due, to-dos JSON).
    pub rectification: Option<(&'a str, &'a str, &'a str)>,
}

const ASSIGNMENT_COLUMNS: &str = "p.id, p.application_id, p.round, p.reviewer_id, a.display_name, \
     p.status, p.conflict, p.conflict_note, p.scores, p.total, p.vetoed, p.comment, p.scored_at";

fn assignment(r: &sqlx::any::AnyRow) -> Assignment {
    Assignment {
        id: r.get("id"),
        application_id: r.get("application_id"),
        round: r.get("round"),
        reviewer_id: r.get("reviewer_id"),
        reviewer_name: r.get("display_name"),
        // The store writes only the three codes; anything else would count as stepped aside.
        status: domain::panel::AssignmentStatus::parse(&r.get::<String, _>("status"))
            .unwrap_or(domain::panel::AssignmentStatus::Recused),
        conflict: r.get("conflict"),
        conflict_note: r.get("conflict_note"),
        scores: r.get("scores"),
        total: r.get("total"),
        vetoed: r.get("vetoed"),
        comment: r.get("comment"),
        scored_at: r.get("scored_at"),
    }
}

const RECOGNITION_COLUMNS: &str =
    "r.id, r.application_id, r.organisation_id, o.name, o.credit_code, \
     o.area_code, a.category_code, r.certificate_no, r.token, r.recognised_on, r.valid_until, \
     r.revoked_on, r.revoke_reason, r.display_name, r.industry, r.address";

const RECOGNITION_FROM: &str = "recognitions r JOIN organisations o ON o.id = r.organisation_id \
     JOIN applications a ON a.id = r.application_id";

fn recognition(r: &sqlx::any::AnyRow) -> Recognition {
    recognition_at(r, 0)
}

/// A recognition whose `RECOGNITION_COLUMNS` start at column `at`.
fn recognition_at(r: &sqlx::any::AnyRow, at: usize) -> Recognition {
    Recognition {
        id: r.get(at),
        application_id: r.get(at + 1),
        organisation_id: r.get(at + 2),
        organisation_name: r.get(at + 3),
        credit_code: r.get(at + 4),
        area_code: r.get(at + 5),
        category_code: r.get(at + 6),
        certificate_no: r.get(at + 7),
        token: r.get(at + 8),
        recognised_on: r.get(at + 9),
        valid_until: r.get(at + 10),
        revoked_on: r.get(at + 11),
        revoke_reason: r.get(at + 12),
        display_name: r.get(at + 13),
        industry: r.get(at + 14),
        address: r.get(at + 15),
    }
}

/// The brand name, industry and address an application gave (its `identity` step), as the
/// recognition keeps them for the public directory (migration 0014 does the same in SQL).
fn identity_copy(data: &str) -> [String; 3] {
    let json: serde_json::Value = serde_json::from_str(data).unwrap_or_default();
    ["brand_name", "industry", "address"]
        .map(|k| json["identity"][k].as_str().unwrap_or_default().to_string())
}

const NOTICE_COLUMNS: &str = "id, batch_id, title, published_on, ends_on, working_days, \
     first_day_counts, created_at, recognised_at";

fn notice(r: &sqlx::any::AnyRow) -> Notice {
    Notice {
        id: r.get("id"),
        batch_id: r.get("batch_id"),
        title: r.get("title"),
        published_on: r.get("published_on"),
        ends_on: r.get("ends_on"),
        working_days: r.get("working_days"),
        first_day_counts: r.get::<i64, _>("first_day_counts") != 0,
        created_at: r.get("created_at"),
        recognised_at: r.get("recognised_at"),
    }
}

const OBJECTION_COLUMNS: &str = "id, notice_id, application_id, name, contact, facts, evidence, \
     filed_at, assigned_to, respond_by, status, outcome, decided_at";

fn objection(r: &sqlx::any::AnyRow) -> Objection {
    Objection {
        id: r.get("id"),
        notice_id: r.get("notice_id"),
        application_id: r.get("application_id"),
        name: r.get("name"),
        contact: r.get("contact"),
        facts: r.get("facts"),
        evidence: r.get("evidence"),
        filed_at: r.get("filed_at"),
        assigned_to: r.get("assigned_to"),
        respond_by: r.get("respond_by"),
        // An unknown code holds the recognition, as an open objection does.
        status: domain::notice::ObjectionStatus::parse(&r.get::<String, _>("status"))
            .unwrap_or(domain::notice::ObjectionStatus::Open),
        outcome: r.get("outcome"),
        decided_at: r.get("decided_at"),
    }
}

fn prefixed_application_columns() -> String {
    crate::applications::COLUMNS
        .split(", ")
        .map(|c| format!("a.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A plaque token nobody can guess: 128 random bits, hex.
pub fn new_plaque_token() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
