//! The consumer's no-JavaScript form posts: filing a complaint, finding one by its
//! tracking code, and the one-tap rating vote.

use super::public::{ComplainNote, RateNote};
use crate::accounts::session::ClientAddr;
use crate::review::common::{self, field, q, text};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use domain::complaint::Rating;

/// A complaint from anyone (web form or a plaque's QR code); five per minute per
/// address. Against a registered business it goes straight to its desk (the ODR
/// clock starts); otherwise it waits for the regulator to accept it.
pub async fn file(
    State(state): State<AppState>,
    addr: Option<Extension<ClientAddr>>,
    Form(p): Form<Vec<(String, String)>>,
) -> Response {
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
    use crate::usecases::public::{file_complaint, ComplaintFiled, ComplaintProblem as P, Visitor};
    let visitor = Visitor::new(common::addr(&addr));
    let form = crate::complaints::staff::post::complaint_form(&p);
    match file_complaint(&state.store, &visitor, &plaque, &form).await {
        Ok(ComplaintFiled::Filed(code)) => {
            Redirect::to(&ComplainNote::Filed.done_at(&format!("/track/{code}"))).into_response()
        }
        Ok(ComplaintFiled::Refused(problem)) => refuse(match problem {
            P::Unit => ComplainNote::Unit,
            P::CreditCode => ComplainNote::CreditCode,
            P::Township => ComplainNote::Township,
            P::Industry => ComplainNote::Industry,
            P::Name => ComplainNote::Name,
            P::Phone => ComplainNote::Phone,
            P::Summary => ComplainNote::Summary,
            P::Busy => ComplainNote::Busy,
        }),
        Err(e) => {
            tracing::warn!(error = ?e, "complaint not stored");
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
    use crate::usecases::public::{rate, Rated, Visitor};
    let at = format!("/rate/{token}");
    let back = |to: String| Redirect::to(&to).into_response();
    let rating = Rating::parse(&field(&p, "rating"));
    let visitor = Visitor::new(common::addr(&addr));
    match rate(&state.store, &visitor, &token, rating).await {
        Ok(Rated::Thanks) => back(RateNote::Thanks.done_at(&at)),
        Ok(Rated::Already) => back(RateNote::Already.error_at(&at)),
        Ok(Rated::Open) => back(RateNote::Open.error_at(&at)),
        Ok(Rated::NoRating) => back(RateNote::Rating.error_at(&at)),
        Ok(Rated::Busy) => back(RateNote::Busy.error_at(&at)),
        Ok(Rated::Unknown) => back(RateNote::State.error_at(&at)),
        Err(e) => {
            tracing::warn!(error = ?e, "rating not stored");
            back(RateNote::State.error_at(&at))
        }
    }
}
