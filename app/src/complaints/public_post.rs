//! The consumer's no-JavaScript form posts: filing a complaint, finding one by its
//! tracking code, and the one-tap rating vote.

use super::public::{ComplainNote, RateNote};
use crate::accounts::session::ClientAddr;
use crate::review::common::{self, field, q, text};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use domain::complaint::{Channel, Facts, Industry, Rating, Record, Status};

/// A complaint from anyone (web form or a plaque's QR code); five per minute per
/// address. Against a registered business it goes straight to its desk (the ODR
/// clock starts); otherwise it waits for the regulator to accept it.
pub async fn file(
    State(state): State<AppState>,
    addr: Option<Extension<ClientAddr>>,
    Form(p): Form<Vec<(String, String)>>,
) -> Response {
    let store = &state.store;
    let plaque = field(&p, "plaque");
    let kept: String = [
        ("unit_name", 100),
        ("unit_credit_code", 18),
        ("township", 12),
        ("industry", 20),
        ("name", 40),
        ("phone", 20),
        ("summary", 2000),
        ("demand", 200),
    ]
    .iter()
    .map(|(k, max)| format!("&{k}={}", q(&text(&p, k, *max))))
    .collect();
    let back = if plaque.is_empty() {
        "/complain?".to_string()
    } else {
        format!("/complain?unit={}", q(&plaque))
    };
    let refuse = |note: ComplainNote| {
        Redirect::to(&format!("{back}&error={}{kept}", note.code())).into_response()
    };
    let client = common::addr(&addr);
    if common::rate_limited(store, "complaint", &client, 5)
        .await
        .is_err()
    {
        return refuse(ComplainNote::Busy);
    }
    // The business: from the plaque, or as typed (linked when its code is registered).
    let (unit_name, credit_code, area_code, organisation_id, channel) = if !plaque.is_empty() {
        match store.recognition_by_token(&plaque).await {
            Ok(Some(r)) => (
                r.organisation_name,
                Some(r.credit_code),
                r.area_code,
                Some(r.organisation_id),
                Channel::PlaqueQr,
            ),
            _ => return refuse(ComplainNote::Unit),
        }
    } else {
        let name = text(&p, "unit_name", 100);
        if name.is_empty() {
            return refuse(ComplainNote::Unit);
        }
        let code = field(&p, "unit_credit_code").to_uppercase();
        let code = if code.is_empty() {
            None
        } else {
            match domain::CreditCode::parse(&code) {
                Ok(c) => Some(c.as_str().to_string()),
                Err(_) => return refuse(ComplainNote::CreditCode),
            }
        };
        let township = field(&p, "township");
        let in_county = township.len() == 9
            && township.starts_with(domain::application::COUNTY)
            && matches!(store.area(&township).await, Ok(Some(_)));
        if !in_county {
            return refuse(ComplainNote::Township);
        }
        let org = match &code {
            Some(c) => store
                .organisation_by_credit_code(c)
                .await
                .ok()
                .flatten()
                .map(|o| o.id),
            None => None,
        };
        (name, code, township, org, Channel::Web)
    };
    let Some(industry) = Industry::parse(&field(&p, "industry")) else {
        return refuse(ComplainNote::Industry);
    };
    let name = text(&p, "name", 40);
    if name.is_empty() {
        return refuse(ComplainNote::Name);
    }
    let phone = field(&p, "phone");
    if domain::account::Mobile::parse(&phone).is_err() {
        return refuse(ComplainNote::Phone);
    }
    let summary = text(&p, "summary", 2000);
    if summary.chars().count() < 10 {
        return refuse(ComplainNote::Summary);
    }
    let today = common::today(store).await;
    let to_desk = organisation_id.is_some();
    let record = Record {
        number: None,
        channel,
        consumer_name: name,
        consumer_phone: phone,
        unit_name,
        unit_credit_code: credit_code,
        area_code,
        industry,
        summary,
        facts: Facts {
            status: if to_desk {
                Status::Negotiating
            } else {
                Status::Received
            },
            received_on: today,
            accepted_on: to_desk.then_some(today),
            closed_on: None,
            outcome: None,
            rating: None,
        },
        refusal_ground: None,
        recovered_fen: 0,
        advance_fen: 0,
    };
    match store
        .file_complaint(
            &store::complaints::NewComplaint {
                record: &record,
                source: "web",
                organisation_id,
                demand: &text(&p, "demand", 200),
                actor: "consumer",
            },
            &common::public_audit_event(
                "complaint.file",
                String::new(),
                client,
                format!("{} via {}", record.unit_name, channel.code()),
            ),
        )
        .await
    {
        Ok((_, code)) => {
            if let Some(org) = organisation_id {
                let due = common::calendar(store)
                    .await
                    .map(|cal| {
                        cal.period_end(today, domain::complaint::NEGOTIATE_WORKING_DAYS, false)
                    })
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
            Redirect::to(&ComplainNote::Filed.done_at(&format!("/track/{code}"))).into_response()
        }
        Err(e) => {
            tracing::warn!(error = %e, "complaint not stored");
            refuse(ComplainNote::State)
        }
    }
}

/// `/track/find?code=…`: to the tracking page, forgiving case and spaces.
pub async fn find(Query(p): Query<Vec<(String, String)>>) -> Response {
    match domain::complaint::normalise_tracking_code(&field(&p, "code")) {
        Some(code) => Redirect::to(&format!("/track/{code}")).into_response(),
        None => Redirect::to(&ComplainNote::Code.error_at("/track")).into_response(),
    }
}

/// The consumer's one vote, from the signed link.
pub async fn vote(
    State(state): State<AppState>,
    Path(token): Path<String>,
    addr: Option<Extension<ClientAddr>>,
    Form(p): Form<Vec<(String, String)>>,
) -> Response {
    let store = &state.store;
    let at = format!("/rate/{token}");
    let back = |to: String| Redirect::to(&to).into_response();
    if common::rate_limited(store, "rating", &common::addr(&addr), 10)
        .await
        .is_err()
    {
        return back(RateNote::Busy.error_at(&at));
    }
    let Ok(Some(c)) = store.complaint_by_rating_token(&token).await else {
        return back(RateNote::State.error_at(&at));
    };
    let Some(rating) = Rating::parse(&field(&p, "rating")).filter(|r| *r != Rating::NoAnswer)
    else {
        return back(RateNote::Rating.error_at(&at));
    };
    if c.status != "closed" {
        return back(RateNote::Open.error_at(&at));
    }
    let ev = common::public_audit_event(
        "complaint.rate",
        format!("complaint:{}", c.id),
        common::addr(&addr),
        rating.code().to_string(),
    );
    match store.rate_complaint(c.id, rating, &ev).await {
        Ok(true) => back(RateNote::Thanks.done_at(&at)),
        Ok(false) => back(RateNote::Already.error_at(&at)),
        Err(e) => {
            tracing::warn!(error = %e, "rating not stored");
            back(RateNote::State.error_at(&at))
        }
    }
}
