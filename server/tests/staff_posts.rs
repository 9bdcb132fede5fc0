//! The sender of a no-JavaScript staff form post (`review::common::Staff`): only a
//! signed-in account with every sign-in step done and a role the post allows gets
//! through; everyone else is sent to sign in before the handler runs. The access policy
//! refuses most of these earlier; this is the check inside the handler.

use app::accounts::session::ClientAddr;
use app::accounts::{CurrentUser, Stage};
use app::complaints::staff::Readers;
use app::review::common::{CountyOffice, PanelMember, Staff, TownshipReviewer};
use axum::extract::FromRequestParts;
use axum::http::{header, Request, StatusCode};
use domain::Role;

fn user(role: Role, stage: Stage) -> CurrentUser {
    CurrentUser {
        account_id: 7,
        login: "office".into(),
        display_name: "周敏".into(),
        role,
        area_code: "341721".into(),
        stage,
        totp_enrolled: true,
        token_hash: "h".into(),
    }
}

/// Runs the extractor `S` on a request carrying `who` (and an address, when given).
async fn sender<S>(
    who: Option<CurrentUser>,
    addr: Option<&str>,
) -> Result<S, axum::response::Response>
where
    S: FromRequestParts<(), Rejection = axum::response::Response>,
{
    let mut req = Request::builder().uri("/panel/members").body(()).unwrap();
    if let Some(u) = who {
        req.extensions_mut().insert(u);
    }
    if let Some(a) = addr {
        req.extensions_mut().insert(ClientAddr(a.into()));
    }
    let (mut parts, ()) = req.into_parts();
    S::from_request_parts(&mut parts, &()).await
}

fn sent_to_sign_in(r: axum::response::Response) {
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], "/login");
}

#[tokio::test]
async fn the_county_office_posts_with_its_address() {
    let ok = sender::<Staff<CountyOffice>>(
        Some(user(Role::CountyOffice, Stage::Full)),
        Some("203.0.113.9"),
    )
    .await
    .unwrap_or_else(|_| panic!("the county office was refused"));
    assert_eq!(ok.user.login, "office");
    assert_eq!(ok.addr, "203.0.113.9");
    let no_addr = sender::<Staff<CountyOffice>>(Some(user(Role::CountyOffice, Stage::Full)), None)
        .await
        .unwrap_or_else(|_| panic!("refused without an address"));
    assert_eq!(no_addr.addr, "unknown");
}

#[tokio::test]
async fn anyone_else_is_sent_to_sign_in() {
    // Nobody signed in.
    sent_to_sign_in(
        sender::<Staff<CountyOffice>>(None, None)
            .await
            .err()
            .unwrap(),
    );
    // A lower role, and a role the post does not name.
    for role in [
        Role::Applicant,
        Role::TownshipReviewer,
        Role::PanelMember,
        Role::Leader,
    ] {
        let r = sender::<Staff<CountyOffice>>(Some(user(role, Stage::Full)), None).await;
        sent_to_sign_in(r.err().unwrap());
    }
    let r = sender::<Staff<PanelMember>>(Some(user(Role::CountyOffice, Stage::Full)), None).await;
    sent_to_sign_in(r.err().unwrap());
    // The right role with a sign-in step still owed (a stale session that skipped TOTP).
    for stage in [Stage::ChangePassword, Stage::EnrolTotp, Stage::VerifyTotp] {
        let r = sender::<Staff<CountyOffice>>(Some(user(Role::CountyOffice, stage)), None).await;
        sent_to_sign_in(r.err().unwrap());
    }
}

#[tokio::test]
async fn a_post_open_to_several_roles_takes_each_of_them_and_no_other() {
    for role in [Role::CountyOffice, Role::TownshipReviewer, Role::Leader] {
        assert!(
            sender::<Staff<Readers>>(Some(user(role, Stage::Full)), None)
                .await
                .is_ok()
        );
    }
    for role in [Role::Applicant, Role::PanelMember] {
        let r = sender::<Staff<Readers>>(Some(user(role, Stage::Full)), None).await;
        sent_to_sign_in(r.err().unwrap());
    }
}

/// The township decision, the batches and the indicator editor once checked the role
/// alone; a session of the right role that still owes a sign-in step is now refused there
/// too.
#[tokio::test]
async fn a_township_reviewer_decides_only_with_every_sign_in_step_done() {
    assert!(sender::<Staff<TownshipReviewer>>(
        Some(user(Role::TownshipReviewer, Stage::Full)),
        None
    )
    .await
    .is_ok());
    for stage in [Stage::ChangePassword, Stage::EnrolTotp, Stage::VerifyTotp] {
        let r = sender::<Staff<TownshipReviewer>>(Some(user(Role::TownshipReviewer, stage)), None)
            .await;
        sent_to_sign_in(r.err().unwrap());
    }
    let r =
        sender::<Staff<TownshipReviewer>>(Some(user(Role::CountyOffice, Stage::Full)), None).await;
    sent_to_sign_in(r.err().unwrap());
}
