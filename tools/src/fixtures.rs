//! What the benchmarks and the load generator act on: staff and merchants, drafts, and
//! recognised units for the directory, made through the product's own use cases
//! (`app::usecases`) with their rules and audit entries, as the operator's tools (the
//! audit names `fangxin-tools`). Only the signed-in sessions are made directly: a
//! session is sign-in bookkeeping, not a state of the campaign.

use crate::bench::err;
use app::accounts::{CurrentUser, Stage};
use app::usecases::{self as uc, Actor};
use domain::application::{self as form, Step};
use domain::{Category, Role};
use store::objects::ObjectStore;
use store::Store;

/// Where the audit entries say the tools' steps came from.
const TOOLS: &str = "fangxin-tools";

/// A password nobody is told: the benchmarks sign in with sessions of their own.
fn unknown_password() -> String {
    let hex: String = app::accounts::session::random_bytes::<12>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("Fx-{hex}-Aa9!")
}

/// Account `account` acting through the use cases (on `as_of`, when given).
pub(crate) async fn acting_as(
    store: &Store,
    account: i64,
    as_of: Option<chrono::NaiveDate>,
) -> Result<Actor, String> {
    let a = store
        .account(account)
        .await
        .map_err(err)?
        .ok_or("an account just made")?;
    let role = Role::parse(&a.role).ok_or("an account with a known role")?;
    let actor = Actor::new(
        CurrentUser {
            account_id: a.id,
            login: a.login,
            display_name: a.display_name,
            role,
            area_code: a.area_code,
            stage: Stage::Full,
            totp_enrolled: true,
            token_hash: String::new(),
        },
        TOOLS.into(),
    );
    Ok(match as_of {
        Some(day) => actor.as_of(day),
        None => actor,
    })
}

/// The account signed in as `login` acting through the use cases, today.
pub(crate) async fn acting_as_login(store: &Store, login: &str) -> Result<Actor, String> {
    let account = store
        .account_by_login(login)
        .await
        .map_err(err)?
        .ok_or_else(|| format!("no account {login}"))?;
    acting_as(store, account.id, None).await
}

/// A county-level staff account of `role` the benchmarks act as (made once).
pub async fn bench_staff(store: &Store, login: &str, role: &str) -> Result<i64, String> {
    if let Some(a) = store.account_by_login(login).await.map_err(err)? {
        return Ok(a.id);
    }
    uc::accounts::create_staff(
        store,
        uc::accounts::Provisioner::Operator(TOOLS),
        &app::accounts::admin::StaffInput {
            login: login.into(),
            display_name: login.into(),
            role: role.into(),
            area: domain::application::COUNTY.into(),
            mobile: "13900000000".into(),
            member_unit: String::new(),
        },
        &unknown_password(),
    )
    .await
    .map_err(err)
}

/// A merchant of township `area_code` that registered and started its application in
/// the open batch, with the wizard's steps before `reached` saved as a shopkeeper would:
/// (account, application, the draft as filled in).
pub async fn merchant_with_draft(
    store: &Store,
    code: &str,
    name: &str,
    area_code: &str,
    set: &store::indicators::IndicatorSet,
    reached: Step,
) -> Result<(i64, i64, domain::application::Draft), String> {
    let password = unknown_password();
    let account = uc::accounts::register(
        store,
        &uc::public::Visitor::new(TOOLS.into()),
        &app::accounts::validate::RegistrationInput {
            credit_code: code.into(),
            name: name.into(),
            category: Category::Unit.code().into(),
            township: area_code.into(),
            contact_name: "王经理".into(),
            mobile: "13855660000".into(),
            password: password.clone(),
            password_confirm: password,
        },
    )
    .await
    .map_err(err)?;
    let merchant = acting_as(store, account, None).await?;
    let id = match uc::wizard::start(store, &merchant, "").await.map_err(err)? {
        uc::wizard::Started::Started(id) => id,
        uc::wizard::Started::Refused(why) => return Err(format!("start refused: {why:?}")),
    };
    let org = store
        .organisation_by_credit_code(code)
        .await
        .map_err(err)?
        .ok_or("the organisation just made")?;
    let draft = crate::demo::applications::draft_up_to(&org, Category::Unit, set, reached);
    save_steps(store, &merchant, id, &draft, reached).await?;
    Ok((account, id, draft))
}

/// Saves each wizard step of application `id` before `reached` from `draft`, as the
/// applicant's browser posts it ("next" each time): refused if a step has problems.
pub(crate) async fn save_steps(
    store: &Store,
    applicant: &Actor,
    id: i64,
    draft: &domain::application::Draft,
    reached: Step,
) -> Result<(), String> {
    for step in Step::ALL.into_iter().take_while(|s| *s < reached) {
        // The fields as the wizard posts them (the draft's own marks, `_…`, are not posted).
        let posted: Vec<(String, String)> = draft
            .sections
            .get(step.code())
            .into_iter()
            .flatten()
            .filter(|(k, _)| !k.starts_with('_'))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let reply = uc::wizard::save_step(store, applicant, id, step, "next", &posted)
            .await
            .map_err(err)?;
        if !reply.problems.is_empty() {
            return Err(format!("step {step:?} refused: {:?}", reply.problems));
        }
    }
    Ok(())
}

/// Uploads the demo PDF to `slot` of application `id` as `name`, through the use case.
pub(crate) async fn upload_pdf(
    store: &Store,
    objects: &ObjectStore,
    applicant: &Actor,
    id: i64,
    slot: &str,
    name: &str,
) -> Result<(), String> {
    let file = app::applications::handlers::Upload::of_file(
        store,
        name,
        crate::demo::applications::DEMO_PDF.to_vec(),
    )
    .await
    .map_err(err)?;
    match uc::evidence::upload(store, objects, applicant, id, slot, file)
        .await
        .map_err(err)?
    {
        uc::evidence::Kept::Kept(_) => Ok(()),
        uc::evidence::Kept::Refused(why) => Err(format!("{slot} refused: {why:?}")),
    }
}

/// Makes sure at least `n` units hold a valid plaque, recognising new ones through the
/// product's own steps: registration, the wizard and the licence upload, submission, the
/// township's pass, three panel members' scores and the panel's result, a notice of 5
/// working days that began 20 days ago, and the recognition.
pub async fn ensure_recognised_units(
    store: &Store,
    objects: &ObjectStore,
    n: i64,
) -> Result<i64, String> {
    use store::county::DirectoryQuery;
    let county = domain::application::COUNTY;
    let today = app::review::common::today(store).await;
    let query = DirectoryQuery {
        today: today.format("%Y-%m-%d").to_string(),
        limit: 1,
        ..Default::default()
    };
    let have = store.directory(&query).await.map_err(err)?.1;
    if have >= n {
        return Ok(have);
    }
    let batch = store
        .open_batch(county)
        .await
        .map_err(err)?
        .ok_or("no open batch: run `fangxin migrate` first")?;
    store.ensure_indicator_sets(batch.id).await.map_err(err)?;
    let set = store
        .indicator_set(batch.id, Category::Unit.code())
        .await
        .map_err(err)?
        .ok_or("no indicator set for merchants")?;
    let townships = store.area_children(Some(county)).await.map_err(err)?;
    let started = today - chrono::Duration::days(20);
    let office = bench_staff(store, "bench-office", Role::CountyOffice.code()).await?;
    let office = acting_as(store, office, Some(started)).await?;
    let reviewer = bench_staff(store, "bench-township", Role::TownshipReviewer.code()).await?;
    let reviewer = acting_as(store, reviewer, None).await?;
    let mut panel = Vec::new();
    for k in 1..=3 {
        let member =
            bench_staff(store, &format!("bench-panel-{k}"), Role::PanelMember.code()).await?;
        uc::panel::change_membership(
            store,
            &office,
            batch.id,
            Category::Unit,
            member,
            uc::panel::Membership::Add,
        )
        .await
        .map_err(err)?;
        panel.push(acting_as(store, member, None).await?);
    }
    // The sheet every bench panel member hands in (each unit uses `set`): full marks on
    // every basic item, none of the bonus, no veto breached.
    let sheet = set
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let v = match it.kind {
                domain::scoring::ItemKind::Veto => "holds".to_string(),
                domain::scoring::ItemKind::Basic => it.max_points.to_string(),
                domain::scoring::ItemKind::Bonus => "0".to_string(),
            };
            (i, v)
        })
        .collect();
    let deciders = Deciders {
        township: reviewer,
        panel,
        office,
        sheet,
    };
    let mut passed = Vec::new();
    let mut i = 0;
    while (passed.len() as i64) < n - have {
        i += 1;
        let prefix = format!("91341721MB{i:07}");
        let check = domain::uscc::check_character(prefix.as_bytes()).ok_or("a credit code")?;
        let code = format!("{prefix}{check}");
        if store.account_by_login(&code).await.map_err(err)?.is_some() {
            continue; // made by an earlier run
        }
        let township = &townships[i % townships.len()];
        let name = format!("东至县{}放心商户{i}号有限公司", township.name_zh);
        let (account, id, _) =
            merchant_with_draft(store, &code, &name, &township.code, &set, Step::Review).await?;
        let merchant = acting_as(store, account, None).await?;
        passed.push(submitted_and_passed(store, objects, &merchant, &deciders, id).await?);
    }
    let notice = uc::notices::NewNotice {
        title: "基准测试拟认定名单公示".into(),
        working_days: 5,
        starts_on: Some(started),
        applications: passed,
    };
    let office = deciders.office;
    let notice = match uc::notices::publish(store, &office, &notice)
        .await
        .map_err(err)?
    {
        uc::notices::Publication::Published(id) => id,
        uc::notices::Publication::Refused(why) => return Err(format!("notice refused: {why:?}")),
    };
    let office = acting_as(store, office.user.account_id, None).await?;
    match uc::notices::recognise(store, &office, notice)
        .await
        .map_err(err)?
    {
        uc::notices::Recognition::Recognised(_) => {}
        uc::notices::Recognition::NoticeRunning => return Err("the notice is still running".into()),
    }
    Ok(store.directory(&query).await.map_err(err)?.1)
}

/// Who takes a bench unit from submission to the panel's pass, and the sheet each panel
/// member hands in.
struct Deciders {
    township: Actor,
    panel: Vec<Actor>,
    office: Actor,
    sheet: Sheet,
}

/// Takes merchant's draft `id` from its licence upload to the panel's pass: `id`.
async fn submitted_and_passed(
    store: &Store,
    objects: &ObjectStore,
    merchant: &Actor,
    by: &Deciders,
    id: i64,
) -> Result<i64, String> {
    use uc::panel::{PanelOutcome, PanelStep};
    let Deciders {
        township: reviewer,
        panel,
        office,
        sheet,
    } = by;
    upload_pdf(
        store,
        objects,
        merchant,
        id,
        form::LICENCE_SLOT,
        "营业执照.pdf",
    )
    .await?;
    let revision = store
        .application(id)
        .await
        .map_err(err)?
        .ok_or("the application just made")?
        .revision;
    let submitted = uc::applications::submit(store, merchant, id, revision)
        .await
        .map_err(err)?;
    if submitted != uc::applications::Finished::Submitted {
        return Err(format!("submission refused: {submitted:?}"));
    }
    let decision = uc::township::TownshipDecision {
        application_id: id,
        decision: store::reviews::Decision::Pass,
        summary: "材料齐全，推荐参评。".into(),
        checklist: ["materials", "licence", "credit", "premises"]
            .into_iter()
            .map(|k| (k, true))
            .collect(),
        comments: Default::default(),
    };
    let decided = uc::township::decide(store, reviewer, &decision)
        .await
        .map_err(err)?;
    if decided != uc::township::TownshipOutcome::Decided(store::reviews::Decision::Pass) {
        return Err(format!("township refused: {decided:?}"));
    }
    let sheets: Vec<_> = panel.iter().map(|m| (m, Some(sheet))).collect();
    panel_scores(store, office, id, &sheets).await?;
    match uc::panel::decide_result(store, office, id, PanelStep::Decide)
        .await
        .map_err(err)?
    {
        PanelOutcome::Passed => Ok(id),
        other => Err(format!("the panel did not pass it: {other:?}")),
    }
}

/// A panel member's sheet: item index → what was entered (see `uc::panel::submit_scores`).
pub(crate) type Sheet = std::collections::BTreeMap<usize, String>;

/// The office assigns each member to application `id` (this round), and each hands in
/// its sheet (None: has not scored yet).
pub(crate) async fn panel_scores(
    store: &Store,
    office: &Actor,
    id: i64,
    members: &[(&Actor, Option<&Sheet>)],
) -> Result<(), String> {
    for (member, _) in members {
        uc::panel::assign_reviewer(store, office, id, member.user.account_id)
            .await
            .map_err(err)?;
    }
    let round = store.current_round(id).await.map_err(err)?;
    for row in store
        .assignments_of_application(id, round)
        .await
        .map_err(err)?
    {
        let Some((member, sheet)) = members
            .iter()
            .find(|(m, _)| m.user.account_id == row.reviewer_id)
        else {
            continue; // another round's member
        };
        let Some(sheet) = sheet else {
            continue; // has not scored yet
        };
        let scored = uc::panel::submit_scores(store, member, row.id, sheet, "")
            .await
            .map_err(err)?;
        if scored != uc::panel::SheetOutcome::Done {
            return Err(format!("scores refused on {id}: {scored:?}"));
        }
    }
    Ok(())
}

/// A signed-in session made directly in the database (an operator's tool), as a cookie.
pub async fn session_cookie(store: &Store, account: i64) -> Result<String, String> {
    let token: String = app::accounts::session::random_bytes::<32>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let expires = store::timestamp_text(chrono::Utc::now() + chrono::Duration::hours(6));
    store
        .create_session(
            &app::accounts::session::token_hash(&token),
            account,
            "full",
            &expires,
            "bench",
        )
        .await
        .map_err(err)?;
    Ok(format!(
        "{}={token}",
        app::accounts::session::SESSION_COOKIE
    ))
}
