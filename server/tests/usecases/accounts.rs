//! Accounts: registration, staff accounts by the system administrator and the operator,
//! password resets and changes, and TOTP codes spent once. Refused steps change nothing
//! and write no audit entry; taken ones are audited with who and from where.

use super::{entries, staff};
use app::accounts::admin::StaffInput;
use app::accounts::validate::RegistrationInput;
use app::errors::{AppError, Field, Problem};
use app::usecases::accounts::{
    change_password, create_staff, register, reset_password, spend_totp_code, Provisioner, TotpUse,
};
use app::usecases::public::Visitor;
use domain::Role;
use testkit::fresh_db;

fn registration(township: &str) -> RegistrationInput {
    RegistrationInput {
        credit_code: testkit::generate::credit_code("341721", 7),
        name: "东至县放心水果店".into(),
        category: "unit".into(),
        township: township.into(),
        contact_name: "王芳".into(),
        mobile: "13812345678".into(),
        password: "Shuiguo-Dian-2026".into(),
        password_confirm: "Shuiguo-Dian-2026".into(),
    }
}

fn invalid(r: Result<impl std::fmt::Debug, AppError>) -> Vec<(Field, Problem)> {
    match r {
        Err(AppError::Invalid(list)) => list,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organisation_registers_once_in_a_township_of_the_county() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let visitor = Visitor::new("198.51.100.7".into());
    assert_eq!(
        invalid(register(&db, &visitor, &registration("340000000")).await),
        vec![(Field::Township, Problem::Unknown)]
    );
    let id = register(&db, &visitor, &registration("341721100"))
        .await
        .unwrap();
    assert!(db.account(id).await.unwrap().is_some());
    assert_eq!(
        invalid(register(&db, &visitor, &registration("341721100")).await),
        vec![(Field::CreditCode, Problem::AlreadyRegistered)]
    );
    let audited = entries(&db, "account.register").await;
    assert_eq!(audited.len(), 1);
    assert_eq!(
        (audited[0].actor.clone(), audited[0].client_addr.as_str()),
        (testkit::generate::credit_code("341721", 7), "198.51.100.7")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_system_administrator_makes_business_roles_only_and_resets_others_passwords() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let admin = staff(&db, "sysadmin", Role::SystemAdmin, "341721").await;
    let office = staff(&db, "office", Role::CountyOffice, "341721").await;
    let input = |login: &str, role: Role| StaffInput {
        login: login.into(),
        display_name: "新员工".into(),
        role: role.code().into(),
        area: "341721100".into(),
        mobile: "13905660000".into(),
        member_unit: String::new(),
    };
    let temporary = "Fx7-Temporary-2026";
    let by_admin = Provisioner::SystemAdministrator(&admin);

    // 三员分立: the administrators are the operator's to make.
    assert_eq!(
        invalid(create_staff(&db, by_admin, &input("audit2", Role::AuditAdmin), temporary).await),
        vec![(Field::Role, Problem::Unknown)]
    );
    assert!(create_staff(
        &db,
        Provisioner::SystemAdministrator(&office),
        &input("yaodu-t1", Role::TownshipReviewer),
        temporary
    )
    .await
    .is_err());
    assert!(entries(&db, "account.create").await.is_empty());
    let reviewer = create_staff(
        &db,
        Provisioner::SystemAdministrator(&admin),
        &input("yaodu-t1", Role::TownshipReviewer),
        temporary,
    )
    .await
    .unwrap();
    create_staff(
        &db,
        Provisioner::Operator("cli"),
        &input("audit2", Role::AuditAdmin),
        temporary,
    )
    .await
    .unwrap();
    let made: Vec<_> = entries(&db, "account.create")
        .await
        .into_iter()
        .map(|e| (e.actor, e.role))
        .collect();
    assert!(
        made.contains(&("sysadmin".into(), "system_admin".into())),
        "{made:?}"
    );
    assert!(
        made.contains(&("cli".into(), "operator".into())),
        "{made:?}"
    );

    // A reset: not by other roles, not of oneself nor of another administrator.
    assert!(matches!(
        reset_password(&db, &office, "yaodu-t1").await,
        Err(AppError::Forbidden)
    ));
    for login in ["sysadmin", "audit2", "nobody"] {
        assert!(matches!(
            reset_password(&db, &admin, login).await,
            Err(AppError::NotFound)
        ));
    }
    assert!(entries(&db, "account.password_reset").await.is_empty());
    let new = reset_password(&db, &admin, "yaodu-t1").await.unwrap();
    assert!(new.starts_with("Fx7-"));
    assert!(
        db.account(reviewer)
            .await
            .unwrap()
            .unwrap()
            .must_change_password
    );
    assert_eq!(entries(&db, "account.password_reset").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_is_set_only_when_owed_and_a_totp_code_is_spent_once() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let admin = staff(&db, "sysadmin", Role::SystemAdmin, "341721").await;
    let holder = staff(&db, "yaodu", Role::TownshipReviewer, "341721100").await;

    // A new account owes its own password; a mismatch sets nothing.
    assert_eq!(
        invalid(change_password(&db, &holder, "Qingshan-Lu-2026!", "something else").await),
        vec![(Field::PasswordConfirm, Problem::PasswordMismatch)]
    );
    assert!(entries(&db, "account.password_changed").await.is_empty());
    change_password(&db, &holder, "Qingshan-Lu-2026!", "Qingshan-Lu-2026!")
        .await
        .unwrap();
    let account = db.account(holder.user.account_id).await.unwrap().unwrap();
    assert!(!account.must_change_password);
    // Set: a stale session still at this step sets nothing more, until a reset.
    assert!(matches!(
        change_password(&db, &holder, "Another-Pass-2026!", "Another-Pass-2026!").await,
        Err(AppError::Forbidden)
    ));
    reset_password(&db, &admin, "yaodu").await.unwrap();
    change_password(&db, &holder, "Another-Pass-2026!", "Another-Pass-2026!")
        .await
        .unwrap();
    assert_eq!(entries(&db, "account.password_changed").await.len(), 2);

    // No secret: the caller's error. With one, a code works once.
    assert!(matches!(
        spend_totp_code(&db, &holder, "123456", TotpUse::SignIn, AppError::Forbidden).await,
        Err(AppError::Forbidden)
    ));
    let secret = domain::totp::base32_encode(&[7u8; 20]);
    db.set_totp_secret(holder.user.account_id, &secret)
        .await
        .unwrap();
    let key = domain::totp::base32_decode(&secret).unwrap();
    let code = domain::totp::code_at(&key, chrono::Utc::now().timestamp() as u64);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert!(
        !spend_totp_code(&db, &holder, wrong, TotpUse::SignIn, AppError::Forbidden)
            .await
            .unwrap()
    );
    assert!(entries(&db, "login.second_factor").await.is_empty());
    assert!(
        spend_totp_code(&db, &holder, &code, TotpUse::SignIn, AppError::Forbidden)
            .await
            .unwrap()
    );
    assert!(
        !spend_totp_code(&db, &holder, &code, TotpUse::SignIn, AppError::Forbidden)
            .await
            .unwrap(),
        "a code is spent once"
    );
    assert_eq!(entries(&db, "login.second_factor").await.len(), 1);
}
