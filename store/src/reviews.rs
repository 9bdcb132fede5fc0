//! Township pre-review (乡镇初审): the queue of a township's submitted applications, and
//! each decision — returned with reasons, or passed on to the county with a recommendation.

use crate::applications::Application;
use crate::audit::AuditEvent;
use crate::transitions::move_application;
use crate::{now_text, Store, StoreResult};
use domain::lifecycle::{Action, State};
use serde::{Deserialize, Serialize};
use sqlx::Row;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    /// Back to the applicant with reasons.
    Return,
    /// On to the county panel with a recommendation.
    Pass,
}

impl Decision {
    pub fn code(self) -> &'static str {
        match self {
            Decision::Return => "return",
            Decision::Pass => "pass",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        match s {
            "return" => Some(Decision::Return),
            "pass" => Some(Decision::Pass),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TownshipReview {
    pub id: i64,
    pub application_id: i64,
    pub reviewer: String,
    pub decision: String,
    /// JSON: checklist item → ticked.
    pub checklist: String,
    /// JSON: wizard step → comment.
    pub comments: String,
    pub summary: String,
    pub decided_at: String,
}

pub struct NewTownshipReview<'a> {
    pub application_id: i64,
    pub reviewer_id: i64,
    pub decision: Decision,
    pub checklist: &'a str,
    pub comments: &'a str,
    pub summary: &'a str,
}

impl Store {
    /// Submitted applications of organisations in the area (a township's code, or a prefix).
    pub async fn township_queue(&self, area_prefix: &str) -> StoreResult<Vec<Application>> {
        let sql = format!(
            "SELECT {} FROM applications a JOIN organisations o ON o.id = a.organisation_id \
             WHERE a.state = $2 AND o.area_code LIKE $1 ORDER BY a.submitted_at",
            crate::applications::COLUMNS
                .split(", ")
                .map(|c| format!("a.{}", c.trim()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let rows = sqlx::query(&sql)
            .bind(format!("{area_prefix}%"))
            .bind(State::Submitted.code())
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(crate::applications::from_row).collect())
    }

    /// Records a decision and moves the application on, in one transaction; false when it
    /// is no longer waiting for the township (decided meanwhile by someone else).
    pub async fn decide_township_review(
        &self,
        r: &NewTownshipReview<'_>,
        audit: &AuditEvent,
    ) -> StoreResult<bool> {
        let action = match r.decision {
            Decision::Return => Action::TownshipReturn,
            Decision::Pass => Action::TownshipPass,
        };
        let now = now_text();
        let mut tx = self.pool().begin().await?;
        let facts = Default::default();
        let moved = move_application(
            &mut tx,
            r.application_id,
            State::Submitted,
            action,
            &facts,
            &now,
        )
        .await?;
        if !moved {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO township_reviews (application_id, reviewer_id, decision, checklist, \
             comments, summary, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(r.application_id)
        .bind(r.reviewer_id)
        .bind(r.decision.code())
        .bind(r.checklist)
        .bind(r.comments)
        .bind(r.summary)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        self.commit_audited(tx, audit).await?;
        Ok(true)
    }

    /// Decisions on an application, newest first.
    pub async fn township_reviews_of(
        &self,
        application_id: i64,
    ) -> StoreResult<Vec<TownshipReview>> {
        let rows = sqlx::query(
            "SELECT r.id, r.application_id, a.display_name AS reviewer, r.decision, r.checklist, r.comments, \
             r.summary, r.decided_at FROM township_reviews r JOIN accounts a ON a.id = r.reviewer_id \
             WHERE r.application_id = $1 ORDER BY r.id DESC",
        )
        .bind(application_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| TownshipReview {
                id: r.get("id"),
                application_id: r.get("application_id"),
                reviewer: r.get("reviewer"),
                decision: r.get("decision"),
                checklist: r.get("checklist"),
                comments: r.get("comments"),
                summary: r.get("summary"),
                decided_at: r.get("decided_at"),
            })
            .collect())
    }
}
