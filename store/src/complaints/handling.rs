//! Handling steps: each moves a complaint from the state it must be in, with its event
//! and audit entry in one transaction.

use super::*;

impl Store {
    // ---- handling ---------------------------------------------------------------------

    /// Moves a complaint from `from` to a new state with the given assignments, and
    /// records the event. Refused when it is no longer in `from`.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn move_complaint(
        &self,
        id: i64,
        from: &[Status],
        business: Option<i64>,
        set: &str,
        values: Vec<Value>,
        actor: &str,
        (zh, en): (&str, &str),
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        let now = now_text();
        let mut tx = self.pool().begin().await?;
        let states: Vec<String> = from.iter().map(|s| format!("'{}'", s.code())).collect();
        let n = values.len();
        // A business acts only on complaints against itself: part of the same guarded write.
        let own = match business {
            Some(_) => format!(" AND organisation_id = ${}", n + 3),
            None => String::new(),
        };
        let sql = format!(
            "UPDATE complaints SET {set}, updated_at = ${} WHERE id = ${} AND status IN ({}){own}",
            n + 1,
            n + 2,
            states.join(", ")
        );
        let mut q = bind_all(sqlx::query(&sql), &values);
        q = q.bind(now.as_str()).bind(id);
        if let Some(org) = business {
            q = q.bind(org);
        }
        if q.execute(&mut *tx).await?.rows_affected() != 1 {
            return Err(StoreError::Refused(format!(
                "complaint {id} is not {}{}",
                states.join(" or "),
                business
                    .map(|o| format!(" against organisation {o}"))
                    .unwrap_or_default()
            )));
        }
        event(&mut tx, id, actor, zh, en, &now).await?;
        self.commit_audited(tx, audit).await
    }

    /// Accepts a complaint: to the business's desk when it is a registered
    /// organisation, otherwise straight to mediation.
    pub async fn accept_complaint(
        &self,
        id: i64,
        today: &str,
        actor: &str,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        self.move_complaint(
            id,
            &[Status::Received],
            None,
            "status = CASE WHEN organisation_id IS NULL THEN 'mediating' ELSE 'negotiating' END, \
             accepted_on = $1",
            vec![Value::Text(today.into())],
            actor,
            ("已受理", "Accepted"),
            audit,
        )
        .await
    }

    pub async fn refuse_complaint(
        &self,
        id: i64,
        ground: RefusalGround,
        today: &str,
        actor: &str,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        let (zh, en) = ground.name();
        self.move_complaint(
            id,
            &[Status::Received],
            None,
            "status = 'not_accepted', refusal_ground = $1, closed_on = $2",
            vec![Value::Text(ground.code().into()), Value::Text(today.into())],
            actor,
            (&format!("不予受理：{zh}"), &format!("Not accepted: {en}")),
            audit,
        )
        .await
    }

    /// Links a complaint to a registered organisation (its desk then sees it).
    pub async fn link_complaint(
        &self,
        id: i64,
        organisation_id: i64,
        actor: &str,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        self.move_complaint(
            id,
            &[Status::Received, Status::Negotiating, Status::Mediating],
            None,
            "organisation_id = $1",
            vec![Value::Int(organisation_id)],
            actor,
            ("已关联被投诉单位", "Linked to the registered business"),
            audit,
        )
        .await
    }

    /// The business records its side: when it contacted the consumer and what it offered.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_business_contact(
        &self,
        id: i64,
        organisation_id: i64,
        contacted_on: &str,
        offer: &str,
        advance_fen: i64,
        actor: &str,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        self.move_complaint(
            id,
            &[Status::Negotiating],
            Some(organisation_id),
            "unit_contacted_on = $1, unit_offer = $2, advance_fen = $3",
            vec![
                Value::Text(contacted_on.into()),
                Value::Text(offer.into()),
                Value::Int(advance_fen),
            ],
            actor,
            (
                &format!("商家已联系消费者，提出：{offer}"),
                &format!("The business contacted the consumer and offered: {offer}"),
            ),
            audit,
        )
        .await
    }

    /// The business settled with the consumer: closed as a settlement.
    pub async fn record_business_settlement(
        &self,
        id: i64,
        organisation_id: i64,
        today: &str,
        recovered_fen: i64,
        actor: &str,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        self.move_complaint(
            id,
            &[Status::Negotiating],
            Some(organisation_id),
            "status = 'closed', outcome = 'settlement', closed_on = $1, recovered_fen = $2",
            vec![Value::Text(today.into()), Value::Int(recovered_fen)],
            actor,
            (
                "商家与消费者协商和解，投诉办结",
                "Settled between the business and the consumer; closed",
            ),
            audit,
        )
        .await
    }

    /// The business could not reach agreement: staff are to mediate.
    pub async fn record_business_failure(
        &self,
        id: i64,
        organisation_id: i64,
        actor: &str,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        self.move_complaint(
            id,
            &[Status::Negotiating],
            Some(organisation_id),
            "unit_failed = 1",
            vec![],
            actor,
            ("商家协商未果", "The business could not reach agreement"),
            audit,
        )
        .await
    }

    /// Staff take over from the business (it failed, or its 10 working days ran out).
    pub async fn escalate_complaint(
        &self,
        id: i64,
        actor: &str,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        self.move_complaint(
            id,
            &[Status::Negotiating],
            None,
            "status = 'mediating'",
            vec![],
            actor,
            (
                "转入市场监管部门调解",
                "Escalated to mediation by the regulator",
            ),
            audit,
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn close_complaint(
        &self,
        id: i64,
        outcome: Outcome,
        today: &str,
        recovered_fen: i64,
        advance_fen: i64,
        actor: &str,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        let (zh, en) = outcome.name();
        self.move_complaint(
            id,
            &[Status::Negotiating, Status::Mediating],
            None,
            "status = 'closed', outcome = $1, closed_on = $2, recovered_fen = $3, \
             advance_fen = CASE WHEN $4 > advance_fen THEN $4 ELSE advance_fen END",
            vec![
                Value::Text(outcome.code().into()),
                Value::Text(today.into()),
                Value::Int(recovered_fen),
                Value::Int(advance_fen),
            ],
            actor,
            (&format!("办结：{zh}"), &format!("Closed: {en}")),
            audit,
        )
        .await
    }

    /// The consumer's one vote. False when it was already given or the complaint is
    /// not closed.
    pub async fn rate_complaint(
        &self,
        id: i64,
        rating: Rating,
        audit: &AuditEvent,
    ) -> StoreResult<bool> {
        let now = now_text();
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "UPDATE complaints SET rating = $1, rated_at = $2, updated_at = $2 \
             WHERE id = $3 AND status = 'closed' AND rating IS NULL",
        )
        .bind(rating.code())
        .bind(now.as_str())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if done {
            let (zh, en) = rating.name();
            event(
                &mut tx,
                id,
                "consumer",
                &format!("消费者评价：{zh}"),
                &format!("The consumer rated it: {en}"),
                &now,
            )
            .await?;
            self.commit_audited(tx, audit).await?;
        }
        Ok(done)
    }
}
