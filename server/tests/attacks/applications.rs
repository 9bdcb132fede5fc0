//! Attacks on applications: an agent taking a merchant's slot, personal data beyond those who handle it.

use super::*;

async fn organisation(
    store: &store::Store,
    code: &str,
    category: &str,
    seed: u32,
) -> (i64, String) {
    let id = store
        .create_organisation_account(
            &store::accounts::NewOrganisation {
                credit_code: code,
                name: &format!("组织 {code}"),
                category_code: category,
                area_code: "341721100",
                contact_name: "王芳",
                contact_mobile: "13812345678",
                password_hash: "x",
            },
            &store::audit::AuditEvent::default(),
        )
        .await
        .unwrap();
    (id, session_for(store, id, seed).await)
}

/// The id in a redirect to `/apply/{id}/…`.
fn application_in(res: &axum::response::Response) -> Option<i64> {
    let to = res.headers().get("location")?.to_str().ok()?;
    to.strip_prefix("/apply/")?.split('/').next()?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_cannot_take_a_merchants_slot_or_read_its_contact_details() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let app = router(state(db.store.clone()));
    let merchant_code = "91341721MA2N0Y7B3K";
    let (_, merchant) = organisation(&db, merchant_code, "unit", 901).await;
    let (_, street) = organisation(&db, "91341721MA2N0Y8C14", "street", 902).await;
    let post = |cookie: String, path: String, body: String| {
        let app = app.clone();
        async move { send(&app, "POST", &path, Some(&cookie), FORM, body.into_bytes()).await }
    };

    // The street proposes an application for the merchant: no contact details in it.
    let res = post(
        street.clone(),
        "/apply/start".into(),
        format!("merchant={merchant_code}"),
    )
    .await;
    let proposal = application_in(&res).unwrap_or_else(|| {
        panic!(
            "no proposal: {:?} {:?}",
            res.status(),
            res.headers().get("location")
        )
    });
    let app_row = db.application(proposal).await.unwrap().unwrap();
    assert_eq!(app_row.state, domain::lifecycle::State::Proposed);
    assert!(!app_row.data.contains("13812345678") && !app_row.data.contains("王芳"));
    // The merchant's own slot is free: it starts its own application.
    let res = post(merchant.clone(), "/apply/start".into(), String::new()).await;
    let own = application_in(&res).expect("the merchant's own application");
    assert_ne!(own, proposal);
    // Accepting the proposal now would make two: refused, and nothing changes.
    let res = post(
        merchant.clone(),
        format!("/apply/{proposal}/accept"),
        String::new(),
    )
    .await;
    assert_eq!(res.headers()["location"], "/apply?proposal=exists");
    assert_eq!(
        db.application(proposal).await.unwrap().unwrap().state,
        domain::lifecycle::State::Proposed
    );
    // The agent may not accept for the merchant, nor remove it.
    let res = post(
        street.clone(),
        format!("/apply/{proposal}/accept"),
        String::new(),
    )
    .await;
    assert!(
        res.status().is_client_error()
            || res.headers()["location"] != format!("/apply/{proposal}/identity")
    );
    assert_eq!(
        db.application(proposal).await.unwrap().unwrap().state,
        domain::lifecycle::State::Proposed
    );
    // The merchant removes the proposal.
    let res = post(
        merchant.clone(),
        format!("/apply/{proposal}/remove"),
        String::new(),
    )
    .await;
    assert_eq!(res.headers()["location"], "/apply?proposal=removed");
    assert!(db.application(proposal).await.unwrap().is_none());
    assert!(db.application(own).await.unwrap().is_some());
}

/// A unit's application in 尧渡镇, submitted, with its people and one evidence file.
async fn submitted_application(
    store: &store::Store,
    objects: &store::objects::ObjectStore,
) -> (i64, i64) {
    let account = store
        .create_organisation_account(
            &store::accounts::NewOrganisation {
                credit_code: "91341721MA2N0Y9D1T",
                name: "东至县隐私测试商店",
                category_code: "unit",
                area_code: "341721100",
                contact_name: "王芳",
                contact_mobile: "13812345678",
                password_hash: "x",
            },
            &store::audit::AuditEvent::default(),
        )
        .await
        .unwrap();
    let org = store
        .account(account)
        .await
        .unwrap()
        .unwrap()
        .organisation_id
        .unwrap();
    let batch = store
        .open_batch("341721")
        .await
        .unwrap()
        .expect("an open batch");
    let set = store
        .indicator_set(batch.id, "unit")
        .await
        .unwrap()
        .expect("a set");
    let data = r#"{"identity":{"legal_rep":"陈建国","contact_name":"王芳","contact_mobile":"13812345678","address":"建设路18号"}}"#;
    let id = store
        .start_application(
            &store::applications::NewApplication {
                organisation_id: org,
                batch_id: batch.id,
                category: "unit",
                indicator_set_id: set.id,
                prepared_by: None,
                agent_organisation_id: None,
                data,
            },
            &store::audit::AuditEvent::default(),
        )
        .await
        .unwrap();
    assert!(store
        .submit_application(id, 0, account, &store::audit::AuditEvent::default())
        .await
        .unwrap());
    let key = objects.put(b"%PDF-1.4 licence").await.unwrap();
    let file = store
        .add_evidence(
            &store::evidence::NewEvidence {
                application_id: id,
                slot: "licence",
                object_key: &key,
                media_type: "application/pdf",
                size_bytes: 16,
                original_name: "营业执照.pdf",
                uploaded_by: account,
            },
            &store::audit::AuditEvent::default(),
        )
        .await
        .unwrap();
    (id, file)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_data_goes_to_those_who_handle_the_application_and_every_look_is_audited() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let cookies = sessions_for_every_role(&db).await;
    let cookie = |r: Role| cookies.iter().find(|(x, _)| *x == r).unwrap().1.clone();
    let st = state(db.store.clone());
    let (id, file) = submitted_application(&db, &st.app.objects).await;
    let app = router(st);
    let wizard = |c: String| {
        let app = app.clone();
        async move {
            let res = send(
                &app,
                "POST",
                "/api/load_wizard",
                Some(&c),
                FORM,
                format!("id={id}").into_bytes(),
            )
            .await;
            let status = res.status();
            (status, text_of(res).await)
        }
    };
    let views = |db: &store::Store| {
        let db = db.clone();
        async move {
            db.audit_entries(&store::audit::AuditFilter {
                action: Some("application.view".into()),
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap()
            .len()
        }
    };
    // The township handles it: everything, and the look is audited.
    let (status, body) = wizard(cookie(Role::TownshipReviewer)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("13812345678") && body.contains("陈建国"));
    assert_eq!(views(&db).await, 1);
    // A leader oversees: masked, and nothing to audit.
    let (status, body) = wizard(cookie(Role::Leader)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        !body.contains("13812345678") && !body.contains("陈建国"),
        "{body}"
    );
    assert!(body.contains("138****5678"));
    assert_eq!(views(&db).await, 1);
    // A panel member not assigned to it sees nothing at all, nor its files.
    let (status, _) = wizard(cookie(Role::PanelMember)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let res = get_with(
        &app,
        &format!("/files/{file}"),
        &[("cookie", &cookie(Role::PanelMember))],
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // The township's download is audited.
    let res = get_with(
        &app,
        &format!("/files/{file}"),
        &[("cookie", &cookie(Role::TownshipReviewer))],
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let downloads = db
        .audit_entries(&store::audit::AuditFilter {
            action: Some("evidence.download".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(downloads.len(), 1);
    assert_eq!(downloads[0].event.target, format!("application:{id}"));
}
