//! 消费投诉: county and township staff move a complaint through its handling steps
//! (受理, 不予受理, linking the business, 转调解, 办结, recording the consumer's rating).

use super::Actor;
use crate::complaints::ssr::send_rating_link;
use crate::complaints::staff::scope;
use crate::errors::AppError;
use crate::review::common;
use domain::complaint::{Outcome, Rating, RefusalGround, Status};
use store::Store;

/// One handling step, with what it needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HandlingStep {
    Accept,
    Refuse(RefusalGround),
    /// Links the complaint to the registered business with this credit code.
    Link(String),
    Escalate,
    Close {
        outcome: Outcome,
        recovered_fen: i64,
        advance_fen: i64,
    },
    /// The consumer's rating, as told to staff (not "no answer").
    Rate(Rating),
}

impl HandlingStep {
    /// The step's name in the audit entry (`complaint.accept` …).
    fn code(&self) -> &'static str {
        match self {
            HandlingStep::Accept => "accept",
            HandlingStep::Refuse(_) => "refuse",
            HandlingStep::Link(_) => "link",
            HandlingStep::Escalate => "escalate",
            HandlingStep::Close { .. } => "close",
            HandlingStep::Rate(_) => "rate",
        }
    }
}

/// What came of a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handled {
    Done,
    /// No registered business has that credit code: nothing changed.
    UnknownBusiness,
    /// The rating was refused (no rating, or rated already): nothing changed.
    RatingRefused,
    /// Not in the actor's area, or the step does not apply in the complaint's state:
    /// nothing changed.
    NotApplicable,
}

/// Takes `step` on complaint `id`; a business that now has a complaint to settle is
/// told its 10-working-day clock runs, and a closed complaint's consumer gets the
/// rating link.
#[tracing::instrument(skip_all, fields(complaint = id, step = step.code()))]
pub async fn handle(
    store: &Store,
    actor: &Actor,
    id: i64,
    step: &HandlingStep,
) -> Result<Handled, AppError> {
    if !crate::complaints::staff::HANDLERS.contains(&actor.user.role) {
        return Err(AppError::Forbidden);
    }
    let Some(c) = store.complaint(id).await? else {
        return Ok(Handled::NotApplicable);
    };
    if !scope::covers(&actor.user, &c.area_code) {
        return Ok(Handled::NotApplicable);
    }
    let today = actor.today(store).await.to_string();
    let login = actor.user.login.as_str();
    let ev = actor.audit(
        &format!("complaint.{}", step.code()),
        format!("complaint:{id}"),
        String::new(),
    );
    let result = match step {
        HandlingStep::Accept => store.accept_complaint(id, &today, login, &ev).await,
        HandlingStep::Refuse(g) => store.refuse_complaint(id, *g, &today, login, &ev).await,
        HandlingStep::Link(code) => {
            let code = code.trim().to_uppercase();
            let org = match domain::CreditCode::parse(&code) {
                Ok(_) => store.organisation_by_credit_code(&code).await?,
                Err(_) => None,
            };
            let Some(org) = org else {
                return Ok(Handled::UnknownBusiness);
            };
            store.link_complaint(id, org.id, login, &ev).await
        }
        HandlingStep::Escalate => store.escalate_complaint(id, login, &ev).await,
        HandlingStep::Close {
            outcome,
            recovered_fen,
            advance_fen,
        } => {
            let r = store
                .close_complaint(
                    id,
                    *outcome,
                    &today,
                    *recovered_fen,
                    *advance_fen,
                    login,
                    &ev,
                )
                .await;
            if r.is_ok() {
                send_rating_link(store, id).await;
            }
            r
        }
        HandlingStep::Rate(rating) => {
            if *rating == Rating::NoAnswer {
                return Ok(Handled::RatingRefused);
            }
            match store.rate_complaint(id, *rating, &ev).await {
                Ok(true) => Ok(()),
                Ok(false) => return Ok(Handled::RatingRefused),
                Err(e) => Err(e),
            }
        }
    };
    if let Err(e) = result {
        // The store refuses a step its state does not allow (and a write that fails).
        tracing::info!(error = %e, "complaint step refused");
        return Ok(Handled::NotApplicable);
    }
    if matches!(step, HandlingStep::Accept | HandlingStep::Link(_)) {
        if let Some(c) = store.complaint(id).await? {
            if let (Some(org), Status::Negotiating) = (c.organisation_id, c.status) {
                common::notify_org(
                    store,
                    org,
                    "收到一件消费投诉，请在 10 个工作日内与消费者协商处理。",
                    "A consumer complaint came in: settle it with the consumer within 10 working days.",
                    "/desk",
                )
                .await;
            }
        }
    }
    Ok(Handled::Done)
}

/// A step the business takes at its complaint desk (the ODR clock: 10 working days).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeskStep {
    /// It contacted the consumer on `on` and offered `offer` (赔偿先付 `advance_fen`).
    Contact {
        on: chrono::NaiveDate,
        offer: String,
        advance_fen: i64,
    },
    /// Settled with the consumer; `recovered_fen` returned to them.
    Settle { recovered_fen: i64 },
    /// No agreement: the complaint goes to mediation.
    Fail,
}

impl DeskStep {
    fn code(&self) -> &'static str {
        match self {
            DeskStep::Contact { .. } => "contact",
            DeskStep::Settle { .. } => "settle",
            DeskStep::Fail => "fail",
        }
    }
}

/// Why a desk step was refused (nothing changed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeskRefusal {
    /// A contact date in the future.
    Date,
    /// An offer shorter than two characters.
    Offer,
    /// Not the business's complaint, or not in a state this step applies to.
    State,
}

/// The signed-in business takes `step` on complaint `id` of its own; a settled
/// complaint's consumer gets the rating link.
#[tracing::instrument(skip_all, fields(complaint = id, step = step.code()))]
pub async fn desk_step(
    store: &Store,
    actor: &Actor,
    id: i64,
    step: &DeskStep,
) -> Result<Result<(), DeskRefusal>, AppError> {
    let Some(org) = store
        .account(actor.user.account_id)
        .await?
        .and_then(|a| a.organisation_id)
    else {
        return Ok(Err(DeskRefusal::State));
    };
    let today = actor.today(store).await;
    let by = format!("unit:{}", actor.user.login);
    let ev = actor.audit(
        &format!("complaint.desk.{}", step.code()),
        format!("complaint:{id}"),
        String::new(),
    );
    let result = match step {
        DeskStep::Contact {
            on,
            offer,
            advance_fen,
        } => {
            if *on > today {
                return Ok(Err(DeskRefusal::Date));
            }
            let offer = offer.trim();
            if offer.chars().count() < 2 {
                return Ok(Err(DeskRefusal::Offer));
            }
            store
                .record_business_contact(id, org, &on.to_string(), offer, *advance_fen, &by, &ev)
                .await
        }
        DeskStep::Settle { recovered_fen } => {
            let r = store
                .record_business_settlement(id, org, &today.to_string(), *recovered_fen, &by, &ev)
                .await;
            if r.is_ok() {
                send_rating_link(store, id).await;
            }
            r
        }
        DeskStep::Fail => store.record_business_failure(id, org, &by, &ev).await,
    };
    Ok(result.map_err(|e| {
        tracing::info!(error = %e, "desk step refused");
        DeskRefusal::State
    }))
}

/// A complaint that came in by another channel (12315 hotline, letter, visit), as county
/// or township staff enter it.
#[derive(Clone, Debug, Default)]
pub struct ComplaintEntry {
    pub channel: Option<domain::complaint::Channel>,
    /// The number it has in its channel (optional; one entry per number).
    pub number: String,
    pub received_on: Option<chrono::NaiveDate>,
    pub form: super::public::ComplaintForm,
}

/// What keeps an entry from being stored (nothing is).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryProblem {
    Channel,
    /// No date, or a date after today.
    Date,
    /// That number is entered already.
    Number,
    Complaint(super::public::ComplaintProblem),
}

/// What came of an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entered {
    Entered(i64),
    Refused(EntryProblem),
}

/// Staff enter a complaint about a business in their area; it waits for acceptance like
/// any other.
#[tracing::instrument(skip_all)]
pub async fn enter(
    store: &Store,
    actor: &Actor,
    entry: &ComplaintEntry,
) -> Result<Entered, AppError> {
    use super::public::{checked_business, checked_complaint, new_record};
    use Entered::Refused;
    if !crate::complaints::staff::HANDLERS.contains(&actor.user.role) {
        return Err(AppError::Forbidden);
    }
    let Some(channel) = entry.channel else {
        return Ok(Refused(EntryProblem::Channel));
    };
    let today = actor.today(store).await;
    let Some(received) = entry.received_on.filter(|d| *d <= today) else {
        return Ok(Refused(EntryProblem::Date));
    };
    let f = &entry.form;
    let business = match checked_business(store, f, &actor.user.area_code).await? {
        Ok(business) => business,
        Err(p) => return Ok(Refused(EntryProblem::Complaint(p))),
    };
    let complaint = match checked_complaint(f, domain::complaint::phone_ok) {
        Ok(checked) => checked,
        Err(p) => return Ok(Refused(EntryProblem::Complaint(p))),
    };
    let number: String = entry.number.trim().chars().take(40).collect();
    let number = (!number.is_empty()).then_some(number);
    let org = business.3;
    let record = new_record(
        channel, number, business, complaint, &f.phone, received, false,
    );
    let event = actor.audit("complaint.enter", String::new(), record.unit_name.clone());
    let demand: String = f.demand.trim().chars().take(200).collect();
    let filed = store
        .file_complaint(
            &store::complaints::NewComplaint {
                record: &record,
                source: "staff",
                organisation_id: org,
                demand: &demand,
                actor: &actor.user.login,
            },
            &event,
        )
        .await;
    match filed {
        Ok((id, _)) => Ok(Entered::Entered(id)),
        Err(store::StoreError::Duplicate(_)) => Ok(Refused(EntryProblem::Number)),
        Err(e) => Err(e.into()),
    }
}
