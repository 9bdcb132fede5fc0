//! (server only) Demo applications beyond submission, moved on through the product's use
//! cases by the people whose step it is: returned by its township, at county review with
//! one score in, rectifying, failed a second time, passed and waiting for a notice, on a
//! running notice with an open objection, recognised with a certificate, and revoked
//! after a re-inspection. The National Day notice is published and recognised on its own
//! dates (`Actor::as_of`). Loading twice changes nothing.

use crate::bench::err;
use crate::demo::accounts::with_check_character;
use crate::fixtures::{acting_as, acting_as_login, panel_scores, Sheet};
use app::usecases::{self as uc, Actor};
use chrono::NaiveDate;
use domain::scoring::ItemKind;
use domain::Category;
use std::collections::BTreeMap;
use store::indicators::IndicatorSet;
use store::objects::ObjectStore;
use store::reviews::Decision;
use store::Store;
use uc::panel::PanelOutcome;

mod directory;
mod history;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    Returned,
    Rejected,
    CountyReview,
    Rectifying,
    Passed,
    OnNotice,
    Recognised,
    Revoked,
}

const TARGETS: &[(&str, Target)] = &[
    ("91341721MA3A2B3C4", Target::Returned),
    ("91341721MA3E5F6G7", Target::Rejected),
    ("91341721MA3D4E5F6", Target::CountyReview),
    ("91341721MA3G7H8J9", Target::Rectifying),
    ("91341721MA3K1L2M3", Target::Passed),
    ("91341721MA3N4P5Q6", Target::OnNotice),
    ("91341721MA3R7T8U9", Target::Recognised),
    ("91341721MA3W1X2Y3", Target::Revoked),
];

/// The first day of the 2026 National Day notice, and the day its units were recognised
/// (five working days over the holiday end on 13 October).
fn national_day() -> (NaiveDate, NaiveDate) {
    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("a date");
    (day(9, 30), day(10, 14))
}

/// Who decides in the demo county: the county office, panel members 1–3 (on every
/// category's panel of the open batch), and one township reviewer per township.
pub(super) struct County {
    office: Actor,
    panel: Vec<Actor>,
    townships: BTreeMap<String, Actor>,
}

impl County {
    async fn of(store: &Store, batch: i64) -> Result<Option<County>, String> {
        let mut ids = Vec::new();
        for login in ["office", "panel1", "panel2", "panel3"] {
            match store.account_by_login(login).await.map_err(err)? {
                Some(a) => ids.push(a.id),
                None => return Ok(None),
            }
        }
        let office = acting_as(store, ids[0], None).await?;
        let mut panel = Vec::new();
        for member in &ids[1..] {
            for category in Category::ALL {
                let on = store
                    .panel_members(batch, category.code())
                    .await
                    .map_err(err)?
                    .iter()
                    .any(|m| m.account_id == *member);
                if !on {
                    uc::panel::change_membership(
                        store,
                        &office,
                        batch,
                        category,
                        *member,
                        uc::panel::Membership::Add,
                    )
                    .await
                    .map_err(err)?;
                }
            }
            panel.push(acting_as(store, *member, None).await?);
        }
        Ok(Some(County {
            office,
            panel,
            townships: BTreeMap::new(),
        }))
    }

    /// The township reviewer of `area`: the demo's own where it has one, otherwise one
    /// the operator provisions (「…初审员」).
    async fn township(&mut self, store: &Store, area: &str) -> Result<&Actor, String> {
        if !self.townships.contains_key(area) {
            let reviewer = store
                .accounts_under(area)
                .await
                .map_err(err)?
                .into_iter()
                .find(|a| a.area_code == area && a.role == domain::Role::TownshipReviewer.code());
            let id = match reviewer {
                Some(a) => a.id,
                None => {
                    let name = store
                        .area_children(Some(domain::application::COUNTY))
                        .await
                        .map_err(err)?
                        .into_iter()
                        .find(|t| t.code == area)
                        .map(|t| t.name_zh)
                        .ok_or_else(|| format!("no township {area}"))?;
                    let suffix = &area[area.len().saturating_sub(3)..];
                    let input = app::accounts::admin::StaffInput {
                        login: format!("township{suffix}"),
                        display_name: format!("{name} 初审员"),
                        role: domain::Role::TownshipReviewer.code().into(),
                        area: area.into(),
                        mobile: format!("13905670{suffix}"),
                        member_unit: String::new(),
                    };
                    uc::accounts::create_staff(
                        store,
                        uc::accounts::Provisioner::Operator("demo-seed"),
                        &input,
                        crate::demo::accounts::DEMO_PASSWORD,
                    )
                    .await
                    .map_err(err)?
                }
            };
            let actor = acting_as(store, id, None).await?;
            self.townships.insert(area.to_string(), actor);
        }
        Ok(&self.townships[area])
    }

    /// The township of `area` recommends application `id` to the county (乡镇初审通过).
    async fn township_passes(&mut self, store: &Store, area: &str, id: i64) -> Result<(), String> {
        let decision = uc::township::TownshipDecision {
            application_id: id,
            decision: Decision::Pass,
            summary: "材料齐全，经实地查看，推荐参评。".into(),
            checklist: checklist(true),
            comments: BTreeMap::new(),
        };
        self.township_decides(store, area, &decision).await
    }

    async fn township_decides(
        &mut self,
        store: &Store,
        area: &str,
        decision: &uc::township::TownshipDecision,
    ) -> Result<(), String> {
        let reviewer = self.township(store, area).await?;
        match uc::township::decide(store, reviewer, decision)
            .await
            .map_err(err)?
        {
            uc::township::TownshipOutcome::Decided(_) => Ok(()),
            other => Err(format!(
                "township refused {}: {other:?}",
                decision.application_id
            )),
        }
    }

    /// Panel members 1, 2, … are assigned to application `id` (this round); member k
    /// scores it with `shorts[k]` points short of full marks, or not yet (None).
    async fn panel_scores(
        &self,
        store: &Store,
        id: i64,
        set: &IndicatorSet,
        shorts: &[Option<u32>],
    ) -> Result<(), String> {
        let sheets: Vec<Option<Sheet>> = shorts.iter().map(|s| s.map(|s| sheet(set, s))).collect();
        let members: Vec<_> = self
            .panel
            .iter()
            .zip(&sheets)
            .map(|(m, s)| (m, s.as_ref()))
            .collect();
        panel_scores(store, &self.office, id, &members).await
    }

    /// The office records the panel's result of application `id`, which must be `expected`.
    async fn panel_decides(
        &self,
        store: &Store,
        id: i64,
        expected: PanelOutcome,
    ) -> Result<(), String> {
        let outcome =
            uc::panel::decide_result(store, &self.office, id, uc::panel::PanelStep::Decide)
                .await
                .map_err(err)?;
        if outcome != expected {
            return Err(format!(
                "the panel's result of {id} is {outcome:?}, not {expected:?}"
            ));
        }
        Ok(())
    }

    /// Application `id` of the township `area` passed by its township and by the panel,
    /// each member `short` points short of full marks.
    pub(super) async fn passes(
        &mut self,
        store: &Store,
        area: &str,
        id: i64,
        set: &IndicatorSet,
        shorts: [u32; 3],
    ) -> Result<(), String> {
        self.township_passes(store, area, id).await?;
        self.panel_scores(store, id, set, &shorts.map(Some)).await?;
        self.panel_decides(store, id, PanelOutcome::Passed).await
    }
}

/// The township's checklist, every item ticked but the licence when `licence` is false.
fn checklist(licence: bool) -> BTreeMap<&'static str, bool> {
    [
        ("materials", true),
        ("licence", licence),
        ("credit", true),
        ("premises", true),
    ]
    .into_iter()
    .collect()
}

/// A panel member's sheet for `set`: every veto holds, no bonus, full marks on the basic
/// items except `short` points off, taken from the first items onward.
fn sheet(set: &IndicatorSet, short: u32) -> Sheet {
    let mut left = short;
    set.items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let v = match it.kind {
                ItemKind::Veto => "holds".to_string(),
                ItemKind::Bonus => "0".to_string(),
                ItemKind::Basic => {
                    let off = left.min(it.max_points);
                    left -= off;
                    (it.max_points - off).to_string()
                }
            };
            (i, v)
        })
        .collect()
}

pub async fn seed_demo_review(store: &Store, objects: &ObjectStore) -> Result<(), String> {
    let Some(batch) = store
        .open_batch(domain::application::COUNTY)
        .await
        .map_err(err)?
    else {
        return Ok(());
    };
    // Nothing to do on a county loaded before (`seed-demo` runs on every start): the panel
    // is not touched again.
    if !directory::has_work(store).await? && !targets_waiting(store).await? {
        return history::seed_expired(store).await.map_err(err);
    }
    let Some(mut county) = County::of(store, batch.id).await? else {
        return Ok(());
    };
    let mut ended_notice = Vec::new();
    let mut running_notice = Vec::new();
    for (prefix, target) in TARGETS {
        let code = with_check_character(prefix);
        let Some(org) = store
            .organisation_by_credit_code(&code)
            .await
            .map_err(err)?
        else {
            continue;
        };
        let Some(app) = store
            .applications_of(org.id)
            .await
            .map_err(err)?
            .into_iter()
            .next()
        else {
            continue;
        };
        if app.state != domain::lifecycle::State::Submitted {
            continue; // moved on already
        }
        let id = app.id;
        let area = org.area_code.as_str();
        if *target == Target::Returned {
            let decision = uc::township::TownshipDecision {
                application_id: id,
                decision: Decision::Return,
                summary: "地址与营业执照不一致，请修改后重新提交。".into(),
                checklist: checklist(false),
                comments: [(
                    "identity",
                    "营业执照上的经营场所与填写的详细地址不一致，请核对后修改。".to_string(),
                )]
                .into_iter()
                .collect(),
            };
            county.township_decides(store, area, &decision).await?;
            continue;
        }
        let set = store
            .indicator_set_by_id(app.indicator_set_id)
            .await
            .map_err(err)?
            .ok_or("the application's indicator set")?;
        match target {
            Target::CountyReview => {
                // The second member has not scored yet.
                county.township_passes(store, area, id).await?;
                county
                    .panel_scores(store, id, &set, &[Some(6), None])
                    .await?;
            }
            Target::Rectifying | Target::Rejected => {
                county.township_passes(store, area, id).await?;
                county
                    .panel_scores(store, id, &set, &[Some(30), Some(32), Some(34)])
                    .await?;
                county
                    .panel_decides(store, id, PanelOutcome::Failed)
                    .await?;
                if *target == Target::Rejected {
                    failed_again(store, &county, &code, id, &set).await?;
                }
            }
            _ => county.passes(store, area, id, &set, [6, 8, 10]).await?,
        }
        match target {
            Target::OnNotice => running_notice.push(id),
            Target::Recognised | Target::Revoked => ended_notice.push(id),
            _ => {}
        }
    }
    // The last of the notice's demo targets is revoked after its re-inspection.
    let to_revoke = ended_notice.last().copied();
    let directory = directory::seed_directory(store, objects, &mut county, &batch).await?;
    ended_notice.splice(0..0, directory);
    if !ended_notice.is_empty() {
        national_day_notice(store, &county, &batch, ended_notice).await?;
        if let Some(id) = to_revoke {
            revoked_on_reinspection(store, &county, id).await?;
        }
    }
    history::seed_expired(store).await.map_err(err)?;
    if !running_notice.is_empty() {
        notice_with_objection(store, &county, &batch, running_notice).await?;
    }
    Ok(())
}

/// Whether any demo target's application still waits for its township (not moved on).
async fn targets_waiting(store: &Store) -> Result<bool, String> {
    for (prefix, _) in TARGETS {
        let Some(org) = store
            .organisation_by_credit_code(&with_check_character(prefix))
            .await
            .map_err(err)?
        else {
            continue;
        };
        let apps = store.applications_of(org.id).await.map_err(err)?;
        if apps
            .first()
            .is_some_and(|a| a.state == domain::lifecycle::State::Submitted)
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The rectifying applicant `code` reports its rectification and asks for acceptance;
/// panel member 1 scores it again and it fails a second time: the review ends.
async fn failed_again(
    store: &Store,
    county: &County,
    code: &str,
    id: i64,
    set: &IndicatorSet,
) -> Result<(), String> {
    use uc::rectification::{report, request_acceptance, Rectified};
    let applicant = acting_as_login(store, code).await?;
    let reported = report(store, &applicant, id, "已整改。")
        .await
        .map_err(err)?;
    let asked = request_acceptance(store, &applicant, id)
        .await
        .map_err(err)?;
    if (reported, asked) != (Rectified::Done, Rectified::Done) {
        return Err(format!("rectification of {id}: {reported:?}, {asked:?}"));
    }
    county.panel_scores(store, id, set, &[Some(30)]).await?;
    county
        .panel_decides(store, id, PanelOutcome::Rejected)
        .await
}

/// The 2026 National Day notice of `ids`, published on 30 September and recognised on
/// 14 October, both on their day.
async fn national_day_notice(
    store: &Store,
    county: &County,
    batch: &store::batches::Batch,
    ids: Vec<i64>,
) -> Result<(), String> {
    let (start, recognised) = national_day();
    let office = county.office.user.account_id;
    let notice = uc::notices::NewNotice {
        title: format!("{}拟认定名单公示（第一批）", batch.name_zh),
        working_days: 5,
        starts_on: Some(start),
        applications: ids,
    };
    let then = acting_as(store, office, Some(start)).await?;
    let id = published(store, &then, &notice).await?;
    let later = acting_as(store, office, Some(recognised)).await?;
    match uc::notices::recognise(store, &later, id)
        .await
        .map_err(err)?
    {
        uc::notices::Recognition::Recognised(_) => Ok(()),
        other => Err(format!("the National Day notice: {other:?}")),
    }
}

/// The notice `notice` published by `office`: its id.
async fn published(
    store: &Store,
    office: &Actor,
    notice: &uc::notices::NewNotice,
) -> Result<i64, String> {
    match uc::notices::publish(store, office, notice)
        .await
        .map_err(err)?
    {
        uc::notices::Publication::Published(id) => Ok(id),
        uc::notices::Publication::Refused(why) => {
            Err(format!("notice「{}」refused: {why:?}", notice.title))
        }
    }
}

/// The fourth quarter's re-inspection plan (the register's "plan all") takes every valid
/// plaque; the office re-inspects them on 20 November: application `id`'s unit fails and
/// its recognition is revoked, the others keep theirs. Nothing is left pending, so the
/// register's own plan (all, or only the complaint-flagged) has units to take.
async fn revoked_on_reinspection(store: &Store, county: &County, id: i64) -> Result<(), String> {
    use uc::recognitions::ReinspectionResult::{Kept, Revoked};
    use uc::recognitions::{plan_reinspections, reinspect, PlanChoice, Reinspected};
    let revoked = store
        .recognition_of_application(id)
        .await
        .map_err(err)?
        .ok_or("the recognition to revoke")?;
    let every = PlanChoice {
        flagged_only: false,
        sample: None,
    };
    plan_reinspections(store, &county.office, "2026年第四季度复查", every)
        .await
        .map_err(err)?;
    let day = NaiveDate::from_ymd_opt(2026, 11, 20).expect("a date");
    let office = acting_as(store, county.office.user.account_id, Some(day)).await?;
    for (pending, rec) in store
        .pending_reinspections(domain::application::COUNTY)
        .await
        .map_err(err)?
    {
        let (result, note, expected) = if rec.id == revoked.id {
            let why = "复查发现销售过期食品，且拒不履行七日无理由退货承诺。";
            (Revoked, why, Reinspected::Revoked)
        } else {
            (Kept, "", Reinspected::Kept)
        };
        let done = reinspect(store, &office, pending.id, result, note)
            .await
            .map_err(err)?;
        if done != expected {
            return Err(format!("the re-inspection of {}: {done:?}", rec.id));
        }
    }
    Ok(())
}

/// The second notice, running from today, and a consumer's objection to its first unit.
async fn notice_with_objection(
    store: &Store,
    county: &County,
    batch: &store::batches::Batch,
    ids: Vec<i64>,
) -> Result<(), String> {
    let first = ids[0];
    let notice = uc::notices::NewNotice {
        title: format!("{}拟认定名单公示（第二批）", batch.name_zh),
        working_days: 5,
        starts_on: Some(app::review::common::today(store).await),
        applications: ids,
    };
    let id = published(store, &county.office, &notice).await?;
    let objection = uc::public::ObjectionForm {
        application: Some(first),
        name: "李先生".into(),
        contact: "13905661234".into(),
        facts: "10月在该酒店办婚宴，事先约定的菜品被更换，协商退差价被拒绝。".into(),
        evidence: "结算单照片，可当面提供。".into(),
    };
    let visitor = uc::public::Visitor::new("fangxin-tools".into());
    match uc::public::object(store, &visitor, id, &objection)
        .await
        .map_err(err)?
    {
        uc::public::Objected::Filed { .. } => Ok(()),
        uc::public::Objected::Refused(why) => Err(format!("the objection: {why:?}")),
    }
}
