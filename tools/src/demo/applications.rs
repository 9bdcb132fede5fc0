//! (server only) Demo applications at every stage of the wizard, so each screen can be
//! seen with realistic content: just started, part-way, evidence uploaded, ready to
//! submit, submitted, and one prepared by a street for a merchant. Loading twice
//! changes nothing. Each is made through the use cases, as its applicant would.

use domain::application::{self as form, Draft, FieldKind, Step};
use domain::scoring::ItemKind;
use domain::Category;
use store::objects::ObjectStore;
use store::Store;

/// A one-page PDF: a stand-in for a scanned licence.
pub(crate) const DEMO_PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// How far each demo organisation (by credit code prefix) got.
const STAGES: &[(&str, Step, bool)] = &[
    // (first 17 characters of the credit code, step reached, submitted)
    ("91341721MA2N0Y7B3", Step::Identity, false),
    ("91341721MA8PQK4W2", Step::Facts, false),
    ("54341721MEA1B2C3D", Step::Evidence, false),
    ("91341721MA2TEA8K1", Step::SelfAssessment, false),
    ("12341721MB1D7E3Y0", Step::Review, false),
    ("51341721MJ0F5H2C9", Step::Review, true),
    // Submitted, then moved on by crate::demo::review.
    ("91341721MA3D4E5F6", Step::Review, true),
    ("91341721MA3G7H8J9", Step::Review, true),
    ("91341721MA3K1L2M3", Step::Review, true),
    ("91341721MA3N4P5Q6", Step::Review, true),
    ("91341721MA3R7T8U9", Step::Review, true),
    ("91341721MA3W1X2Y3", Step::Review, true),
    ("91341721MA3A2B3C4", Step::Review, true),
    ("91341721MA3E5F6G7", Step::Review, true),
];

fn sample(category: Category, name: &str, kind: FieldKind, org_name: &str) -> String {
    let text = match name {
        "brand_name" => match category {
            Category::Unit => org_name
                .trim_start_matches("东至县")
                .chars()
                .take(12)
                .collect(),
            Category::Street => "尧渡老街".into(),
            Category::Association => "县餐协".into(),
            Category::Village => "菊江村".into(),
        },
        "address" => "建设路88号".into(),
        "legal_rep" | "signer" | "declarant" => "陈建国".into(),
        "sector_permit" => "JY13417210012345".into(),
        _ => String::new(),
    };
    if !text.is_empty() {
        return text;
    }
    match kind {
        FieldKind::Count { .. } => match name {
            "premises_area" => "1200",
            "employees" => "36",
            "managed_area" => "45000",
            "merchant_count" => "128",
            "compensation_fund" => "20",
            "member_count" => "86",
            "banquet_count" => "6",
            "homestay_count" => "4",
            "agritourism_count" => "3",
            "grocery_count" => "9",
            _ => "2",
        }
        .into(),
        FieldKind::Choice(c) => c[0].0.into(),
        FieldKind::YesNo => "yes".into(),
        FieldKind::Affirm => "on".into(),
        _ => String::new(),
    }
}

fn fill(draft: &mut Draft, category: Category, step: Step, org_name: &str) {
    let posted: Vec<(String, String)> = form::fields(category, step)
        .iter()
        .filter(|f| draft.value(step, f.name).is_empty())
        .map(|f| {
            (
                f.name.to_string(),
                sample(category, f.name, f.kind, org_name),
            )
        })
        .chain(
            form::fields(category, step)
                .iter()
                .filter(|f| !draft.value(step, f.name).is_empty())
                .map(|f| (f.name.to_string(), draft.value(step, f.name).to_string())),
        )
        .collect();
    let names: Vec<String> = posted.iter().map(|(k, _)| k.clone()).collect();
    draft.put(step, &names, &posted);
    if step == Step::Pledge {
        draft
            .sections
            .entry(step.code().into())
            .or_default()
            .insert("_signed_at".into(), store::now_text());
    }
}

/// A draft filled with sample values for every step before `reached`.
pub fn draft_up_to(
    org: &store::accounts::Organisation,
    category: Category,
    set: &store::indicators::IndicatorSet,
    reached: Step,
) -> Draft {
    let mut draft = app::applications::handlers::prefilled(org, false);
    for step in Step::ALL.into_iter().take_while(|s| *s < reached) {
        match step {
            Step::Identity | Step::Facts | Step::Pledge | Step::Declaration => {
                fill(&mut draft, category, step, &org.name)
            }
            Step::SelfAssessment => {
                let posted: Vec<(String, String)> = set
                    .items
                    .iter()
                    .enumerate()
                    .map(|(i, it)| {
                        let v = match it.kind {
                            ItemKind::Veto => form::VETO_HOLDS.to_string(),
                            ItemKind::Basic if i % 4 == 1 => {
                                it.max_points.saturating_sub(2).to_string()
                            }
                            ItemKind::Basic => it.max_points.to_string(),
                            ItemKind::Bonus if i % 2 == 0 => it.max_points.to_string(),
                            ItemKind::Bonus => String::new(),
                        };
                        (form::item_field(i), v)
                    })
                    .collect();
                let names: Vec<String> = posted.iter().map(|(k, _)| k.clone()).collect();
                draft.put(step, &names, &posted);
            }
            Step::Evidence | Step::Review => {}
        }
    }
    draft
}

/// Each demo organisation's application, made as its applicant would make it, through
/// the product's use cases: started, its steps saved, its evidence uploaded, submitted.
pub async fn seed_demo_applications(store: &Store, objects: &ObjectStore) -> Result<(), String> {
    let e = |e: store::StoreError| e.to_string();
    let Some(batch) = store.open_batch(form::COUNTY).await.map_err(e)? else {
        return Ok(());
    };
    for (prefix, reached, submitted) in STAGES {
        let code = crate::demo::accounts::with_check_character(prefix);
        let Some(org) = store.organisation_by_credit_code(&code).await.map_err(e)? else {
            continue;
        };
        if !store.applications_of(org.id).await.map_err(e)?.is_empty() {
            continue;
        }
        let Some(category) = Category::parse(&org.category_code) else {
            continue;
        };
        let Some(set) = store
            .indicator_set(batch.id, &org.category_code)
            .await
            .map_err(e)?
        else {
            continue;
        };
        let draft = draft_up_to(&org, category, &set, *reached);
        let made = Applying {
            code: &code,
            set: &set,
            draft: &draft,
            reached: *reached,
        };
        let (applicant, id) = made.started(store, objects).await?;
        if *submitted {
            submit(store, &applicant, id).await?;
        }
    }
    Ok(())
}

/// An organisation's application as its applicant fills it in: the wizard's steps before
/// `reached` from `draft`.
pub(crate) struct Applying<'a> {
    /// The organisation's credit code (its applicant's login).
    pub code: &'a str,
    pub set: &'a store::indicators::IndicatorSet,
    pub draft: &'a Draft,
    pub reached: Step,
}

impl Applying<'_> {
    /// Starts the application in the open batch as its applicant, saves each step before
    /// `reached` and, past the evidence step, uploads the licence and three items' files:
    /// (the applicant, the application).
    pub(crate) async fn started(
        &self,
        store: &Store,
        objects: &ObjectStore,
    ) -> Result<(app::usecases::Actor, i64), String> {
        use crate::fixtures::{acting_as_login, save_steps, upload_pdf};
        use app::usecases::wizard;
        let code = self.code;
        let applicant = acting_as_login(store, code).await?;
        let id = match wizard::start(store, &applicant, "")
            .await
            .map_err(|e| format!("{e:?}"))?
        {
            wizard::Started::Started(id) => id,
            wizard::Started::Refused(why) => return Err(format!("{code}: start refused: {why:?}")),
        };
        save_steps(store, &applicant, id, self.draft, self.reached)
            .await
            .map_err(|why| format!("{code}: {why}"))?;
        if self.reached > Step::Evidence {
            upload_pdf(
                store,
                objects,
                &applicant,
                id,
                form::LICENCE_SLOT,
                "营业执照.pdf",
            )
            .await?;
            let items = self
                .set
                .items
                .iter()
                .enumerate()
                .filter(|(_, it)| it.evidence_required)
                .take(3)
                .map(|(i, _)| form::item_field(i));
            for slot in items {
                upload_pdf(store, objects, &applicant, id, &slot, "证明材料.pdf").await?;
            }
        }
        Ok((applicant, id))
    }
}

/// Application `id` submitted by its applicant, at its current revision.
pub(crate) async fn submit(
    store: &Store,
    applicant: &app::usecases::Actor,
    id: i64,
) -> Result<(), String> {
    use app::usecases::applications;
    let revision = store
        .application(id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the application just made")?
        .revision;
    let done = applications::submit(store, applicant, id, revision)
        .await
        .map_err(|e| format!("{e:?}"))?;
    if done != applications::Finished::Submitted {
        return Err(format!("application {id}: submission refused: {done:?}"));
    }
    Ok(())
}
