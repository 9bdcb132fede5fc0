//! 公众: what anyone may file without signing in — a consumer's complaint (from the web
//! form or a plaque's QR code), the consumer's one rating of a closed complaint, and an
//! objection to a public notice (公示异议). Each is limited per address and minute, and
//! audited as the public with the address it came from.

use crate::errors::AppError;
use crate::review::common;
use domain::complaint::{Channel, Facts, Industry, Rating, Record, Status};
use store::audit::AuditEvent;
use store::Store;

/// Someone not signed in, known only by the address the request came from.
pub struct Visitor {
    pub addr: String,
    /// The day the visitor acts on, when the operator's tools set one (`Actor::as_of`).
    as_of: Option<chrono::NaiveDate>,
}

impl Visitor {
    pub fn new(addr: String) -> Visitor {
        Visitor { addr, as_of: None }
    }

    /// The same visitor filing on `day` (the operator's tools bringing in a county's
    /// past; the product never sets it).
    pub fn as_of(self, day: chrono::NaiveDate) -> Visitor {
        Visitor {
            as_of: Some(day),
            ..self
        }
    }

    async fn today(&self, store: &Store) -> chrono::NaiveDate {
        match self.as_of {
            Some(day) => day,
            None => common::today(store).await,
        }
    }

    fn audit(&self, action: &str, target: String, summary: String) -> AuditEvent {
        common::public_audit_event(action, target, self.addr.clone(), summary)
    }

    /// False when this address has filed `per_minute` of `kind` in this minute already.
    async fn may_file(&self, store: &Store, kind: &str, per_minute: i64) -> bool {
        common::rate_limited(store, kind, &self.addr, per_minute)
            .await
            .is_ok()
    }
}

/// The business a complaint is about, and the complaint, as typed on the form. Also
/// what county or township staff type when they enter one from another channel.
#[derive(Clone, Debug, Default)]
pub struct ComplaintForm {
    pub unit_name: String,
    /// Optional: when given it must pass its check; a registered business is linked.
    pub unit_credit_code: String,
    pub township: String,
    pub industry: String,
    pub name: String,
    pub phone: String,
    pub summary: String,
    pub demand: String,
}

/// What keeps a complaint from being filed (nothing is stored).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComplaintProblem {
    /// No business named (or an unknown plaque).
    Unit,
    CreditCode,
    /// Not a township of the county (for staff: of their area).
    Township,
    Industry,
    Name,
    Phone,
    /// Fewer than 10 characters.
    Summary,
    /// Too many filings from this address this minute.
    Busy,
}

/// The business as checked: (name, credit code, township, registered organisation).
pub(crate) type Business = (String, Option<String>, String, Option<i64>);

/// Checks the business part of `f` against `area` (the county for the public, the
/// staff member's area for staff).
pub(crate) async fn checked_business(
    store: &Store,
    f: &ComplaintForm,
    area: &str,
) -> Result<Result<Business, ComplaintProblem>, AppError> {
    let name: String = f.unit_name.trim().chars().take(100).collect();
    if name.is_empty() {
        return Ok(Err(ComplaintProblem::Unit));
    }
    let code = f.unit_credit_code.trim().to_uppercase();
    let code = if code.is_empty() {
        None
    } else {
        match domain::CreditCode::parse(&code) {
            Ok(c) => Some(c.as_str().to_string()),
            Err(_) => return Ok(Err(ComplaintProblem::CreditCode)),
        }
    };
    let township = f.township.trim();
    if township.len() != 9 || !township.starts_with(area) || store.area(township).await?.is_none() {
        return Ok(Err(ComplaintProblem::Township));
    }
    let org = match &code {
        Some(c) => store.organisation_by_credit_code(c).await?.map(|o| o.id),
        None => None,
    };
    Ok(Ok((name, code, township.to_string(), org)))
}

/// Checks the consumer and complaint part of `f`: (industry, name, summary).
pub(crate) fn checked_complaint(
    f: &ComplaintForm,
    phone_ok: impl Fn(&str) -> bool,
) -> Result<(Industry, String, String), ComplaintProblem> {
    let industry = Industry::parse(f.industry.trim()).ok_or(ComplaintProblem::Industry)?;
    let name: String = f.name.trim().chars().take(40).collect();
    if name.is_empty() {
        return Err(ComplaintProblem::Name);
    }
    if !phone_ok(f.phone.trim()) {
        return Err(ComplaintProblem::Phone);
    }
    let summary: String = f.summary.trim().chars().take(2000).collect();
    if summary.chars().count() < 10 {
        return Err(ComplaintProblem::Summary);
    }
    Ok((industry, name, summary))
}

/// A new complaint's record from its checked parts: waiting for the regulator's
/// acceptance, or (`at_desk`) accepted on `received_on` and at the business's desk.
pub(crate) fn new_record(
    channel: Channel,
    number: Option<String>,
    (unit_name, unit_credit_code, area_code, _): Business,
    (industry, consumer_name, summary): (Industry, String, String),
    phone: &str,
    received_on: chrono::NaiveDate,
    at_desk: bool,
) -> Record {
    Record {
        number,
        channel,
        consumer_name,
        consumer_phone: phone.trim().to_string(),
        unit_name,
        unit_credit_code,
        area_code,
        industry,
        summary,
        facts: Facts {
            status: if at_desk {
                Status::Negotiating
            } else {
                Status::Received
            },
            received_on,
            accepted_on: at_desk.then_some(received_on),
            closed_on: None,
            outcome: None,
            rating: None,
        },
        refusal_ground: None,
        recovered_fen: 0,
        advance_fen: 0,
    }
}

/// What came of a consumer's complaint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ComplaintFiled {
    /// Filed: its tracking code (查询码).
    Filed(String),
    Refused(ComplaintProblem),
}

/// A consumer files a complaint, about the business of plaque `plaque` (its QR token)
/// or the one named in the form. Against a registered business it goes straight to its
/// desk and the 10-working-day ODR clock starts; otherwise it waits for the regulator
/// to accept it. Five per minute per address.
#[tracing::instrument(skip_all)]
pub async fn file_complaint(
    store: &Store,
    visitor: &Visitor,
    plaque: &str,
    f: &ComplaintForm,
) -> Result<ComplaintFiled, AppError> {
    use ComplaintFiled::Refused;
    if !visitor.may_file(store, "complaint", 5).await {
        return Ok(Refused(ComplaintProblem::Busy));
    }
    let plaque = plaque.trim();
    let (unit_name, credit_code, area_code, organisation_id, channel) = if plaque.is_empty() {
        match checked_business(store, f, domain::application::COUNTY).await? {
            Ok((name, code, township, org)) => (name, code, township, org, Channel::Web),
            Err(problem) => return Ok(Refused(problem)),
        }
    } else {
        let Some(r) = store.recognition_by_token(plaque).await? else {
            return Ok(Refused(ComplaintProblem::Unit));
        };
        (
            r.organisation_name,
            Some(r.credit_code),
            r.area_code,
            Some(r.organisation_id),
            Channel::PlaqueQr,
        )
    };
    let mobile_ok = |p: &str| domain::account::Mobile::parse(p).is_ok();
    let (industry, name, summary) = match checked_complaint(f, mobile_ok) {
        Ok(checked) => checked,
        Err(problem) => return Ok(Refused(problem)),
    };
    let today = visitor.today(store).await;
    let at_desk = organisation_id.is_some();
    let business = (unit_name, credit_code, area_code, organisation_id);
    let complaint = (industry, name, summary);
    let record = new_record(channel, None, business, complaint, &f.phone, today, at_desk);
    let event = visitor.audit(
        "complaint.file",
        String::new(),
        format!("{} via {}", record.unit_name, channel.code()),
    );
    let demand: String = f.demand.trim().chars().take(200).collect();
    let (_, code) = store
        .file_complaint(
            &store::complaints::NewComplaint {
                record: &record,
                source: "web",
                organisation_id,
                demand: &demand,
                actor: "consumer",
            },
            &event,
        )
        .await?;
    if let Some(org) = organisation_id {
        let due = common::calendar(store)
            .await
            .map(|cal| cal.period_end(today, domain::complaint::NEGOTIATE_WORKING_DAYS, false))
            .unwrap_or(today);
        common::notify_org(
            store,
            org,
            &format!("收到一件消费投诉，请在 {due} 前与消费者协商处理。"),
            &format!("A consumer complaint came in: settle it with the consumer by {due}."),
            "/desk",
        )
        .await;
    }
    Ok(ComplaintFiled::Filed(code))
}

/// What came of a rating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rated {
    Thanks,
    /// Rated before: one rating per complaint.
    Already,
    /// Not closed yet.
    Open,
    /// No rating chosen.
    NoRating,
    /// No complaint has this link.
    Unknown,
    Busy,
}

/// The consumer rates the handling of a closed complaint once, from its signed link
/// `token`. Ten per minute per address.
#[tracing::instrument(skip_all)]
pub async fn rate(
    store: &Store,
    visitor: &Visitor,
    token: &str,
    rating: Option<Rating>,
) -> Result<Rated, AppError> {
    if !visitor.may_file(store, "rating", 10).await {
        return Ok(Rated::Busy);
    }
    let Some(c) = store.complaint_by_rating_token(token).await? else {
        return Ok(Rated::Unknown);
    };
    let Some(rating) = rating.filter(|r| *r != Rating::NoAnswer) else {
        return Ok(Rated::NoRating);
    };
    if c.status != Status::Closed {
        return Ok(Rated::Open);
    }
    let event = visitor.audit(
        "complaint.rate",
        format!("complaint:{}", c.id),
        rating.code().to_string(),
    );
    Ok(if store.rate_complaint(c.id, rating, &event).await? {
        Rated::Thanks
    } else {
        Rated::Already
    })
}

/// An objection to a public notice, as typed (实名: in the objector's own name).
#[derive(Clone, Debug, Default)]
pub struct ObjectionForm {
    /// The applicant on the notice it is against.
    pub application: Option<i64>,
    pub name: String,
    /// A phone number (7 digits or more) or an e-mail address.
    pub contact: String,
    pub facts: String,
    pub evidence: String,
}

/// What keeps an objection from being filed (nothing is stored).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectionProblem {
    /// No applicant of this notice chosen.
    Unit,
    Name,
    Contact,
    /// Fewer than 10 characters.
    Facts,
    /// The notice period is over.
    Closed,
    /// No such notice.
    Unknown,
    Busy,
}

/// What came of an objection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Objected {
    /// Filed; the county office answers by this date.
    Filed {
        respond_by: chrono::NaiveDate,
    },
    Refused(ObjectionProblem),
}

/// Anyone objects to an applicant on notice `notice` while the notice runs. Its answer
/// is due within the set working days; every county office account is told. Five per
/// minute per address.
#[tracing::instrument(skip_all, fields(notice))]
pub async fn object(
    store: &Store,
    visitor: &Visitor,
    notice: i64,
    f: &ObjectionForm,
) -> Result<Objected, AppError> {
    use Objected::Refused;
    use ObjectionProblem as P;
    if !visitor.may_file(store, "objection", 5).await {
        return Ok(Refused(P::Busy));
    }
    let Some(n) = store.notice(notice).await? else {
        return Ok(Refused(P::Unknown));
    };
    let today = visitor.today(store).await;
    if today.format("%Y-%m-%d").to_string() > n.ends_on {
        return Ok(Refused(P::Closed));
    }
    let on_notice = store.notice_entries(notice).await?;
    let Some(app) = f
        .application
        .filter(|a| on_notice.iter().any(|e| e.application_id == *a))
    else {
        return Ok(Refused(P::Unit));
    };
    let name: String = f.name.trim().chars().take(40).collect();
    let contact: String = f.contact.trim().chars().take(80).collect();
    let facts: String = f.facts.trim().chars().take(2000).collect();
    let evidence: String = f.evidence.trim().chars().take(1000).collect();
    if name.is_empty() {
        return Ok(Refused(P::Name));
    }
    if contact.chars().filter(|c| c.is_ascii_digit()).count() < 7 && !contact.contains('@') {
        return Ok(Refused(P::Contact));
    }
    if facts.chars().count() < 10 {
        return Ok(Refused(P::Facts));
    }
    let days = common::setting_u32(store, common::OBJECTION_RESPONSE_DAYS)
        .await
        .unwrap_or(5);
    let respond_by = common::calendar(store)
        .await?
        .period_end(today, days, false);
    let respond_text = respond_by.format("%Y-%m-%d").to_string();
    let event = visitor.audit(
        "objection.file",
        String::new(),
        format!("notice {notice} application {app}"),
    );
    store
        .file_objection(
            &store::county::NewObjection {
                notice_id: notice,
                application_id: app,
                name: &name,
                contact: &contact,
                facts: &facts,
                evidence: &evidence,
                respond_by: &respond_text,
            },
            &event,
        )
        .await?;
    // Every county office account hears of it; one of them assigns it.
    let office = store.accounts_under(domain::application::COUNTY).await?;
    for a in office
        .iter()
        .filter(|a| a.role == domain::Role::CountyOffice.code())
    {
        common::notify_account(
            store,
            a.id,
            &format!("公示收到一件异议，请在 {respond_text} 前交办核查。"),
            &format!("A notice received an objection; assign it and answer by {respond_text}."),
            &format!("/notices/{notice}"),
        )
        .await;
    }
    Ok(Objected::Filed { respond_by })
}
