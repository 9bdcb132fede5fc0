//! The application form (申报材料) as data: its steps, the fields of each step per
//! category, and the rules each field's value must meet.
//!
//! The wizard renders from these specs, the browser checks with them as the user types,
//! and the server checks again with the very same functions before anything moves on.
//! A draft is stored as `step code → field name → text`, exactly as the form posted it,
//! so a half-finished or wrong value is kept (nothing typed is ever lost) and only
//! flagged.

use crate::account::Mobile;
use crate::scoring::{ItemKind, ItemScore};
use crate::uscc::{CreditCode, CreditCodeError};
use crate::Category;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod fields;
mod uploads;

pub use fields::*;
pub use uploads::*;

/// A bilingual text: (中文, English).
pub type Text = (&'static str, &'static str);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Step {
    /// 基本信息
    Identity,
    /// 类别情况
    Facts,
    /// 承诺书
    Pledge,
    /// 无违法声明
    Declaration,
    /// 证明材料
    Evidence,
    /// 自评
    SelfAssessment,
    /// 确认提交
    Review,
}

impl Step {
    pub const ALL: [Step; 7] = [
        Step::Identity,
        Step::Facts,
        Step::Pledge,
        Step::Declaration,
        Step::Evidence,
        Step::SelfAssessment,
        Step::Review,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Step::Identity => "identity",
            Step::Facts => "facts",
            Step::Pledge => "pledge",
            Step::Declaration => "declaration",
            Step::Evidence => "evidence",
            Step::SelfAssessment => "self-assessment",
            Step::Review => "review",
        }
    }

    pub fn parse(code: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn title(self) -> Text {
        match self {
            Step::Identity => ("基本信息", "Identity"),
            Step::Facts => ("类别情况", "Category facts"),
            Step::Pledge => ("承诺书", "Pledge"),
            Step::Declaration => ("无违法声明", "Declaration"),
            Step::Evidence => ("证明材料", "Evidence"),
            Step::SelfAssessment => ("自评", "Self-assessment"),
            Step::Review => ("确认提交", "Review and submit"),
        }
    }

    /// 1-based position, for "step 2 of 7".
    pub fn number(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }

    pub fn next(self) -> Option<Step> {
        Step::ALL.get(self.number()).copied()
    }

    pub fn previous(self) -> Option<Step> {
        self.number().checked_sub(2).map(|i| Step::ALL[i])
    }

    /// Steps whose fields are plain form fields (the others have their own forms).
    pub fn has_fields(self) -> bool {
        !matches!(self, Step::Evidence | Step::Review)
    }
}

/// The county whose townships applicants belong to.
pub const COUNTY: &str = "341721";

/// One step's values as posted: field name → text.
pub type Section = BTreeMap<String, String>;

/// The whole draft: step code → its section. Stored as JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    #[serde(flatten)]
    pub sections: BTreeMap<String, Section>,
}

impl Draft {
    pub fn from_json(text: &str) -> Draft {
        serde_json::from_str(text).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    pub fn section(&self, step: Step) -> Option<&Section> {
        self.sections.get(step.code())
    }

    pub fn value(&self, step: Step, name: &str) -> &str {
        self.section(step)
            .and_then(|s| s.get(name))
            .map(String::as_str)
            .unwrap_or("")
    }

    /// Replaces a step's values with what the form posted, keeping only the step's own
    /// fields (a posted form carries every field it has; an unticked box is absent).
    /// Values are kept as typed, wrong or not: problems are shown, never discarded.
    pub fn put(&mut self, step: Step, names: &[String], posted: &[(String, String)]) {
        let mut section = Section::new();
        for (k, v) in posted {
            if names.iter().any(|n| n == k) {
                let v: String = v.chars().take(MAX_VALUE_CHARS).collect();
                section.insert(k.clone(), v);
            }
        }
        // Server-stamped values (the signing time) survive a re-save of the step.
        if let Some(old) = self.sections.get(step.code()) {
            for (k, v) in old {
                if k.starts_with('_') {
                    section.insert(k.clone(), v.clone());
                }
            }
        }
        self.sections.insert(step.code().to_string(), section);
    }
}

/// The contact details an agent does not see: the applicant's registration fills them in
/// when it accepts the agent's proposal.
pub const APPLICANT_CONTACT_FIELDS: [&str; 2] = ["contact_name", "contact_mobile"];

/// A problem an agent's draft may leave, because only the applicant can settle it: a
/// tick, or a contact detail still empty.
pub fn left_to_the_applicant(name: &str, problem: FieldProblem) -> bool {
    problem == FieldProblem::MustAffirm
        || (problem == FieldProblem::Required && APPLICANT_CONTACT_FIELDS.contains(&name))
}

/// Whose hand a save is: the applicant's own login, or an agent preparing it for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hand<'a> {
    Applicant { login: &'a str, at: &'a str },
    Agent,
}

/// The draft key that records who ticked a pledge or declaration box, and when.
pub fn ticked_key(name: &str) -> String {
    format!("_ticked.{name}")
}

/// Who ticked a box and when, as recorded: (login, time).
pub fn ticked_by<'a>(draft: &'a Draft, step: Step, name: &str) -> Option<(&'a str, &'a str)> {
    draft
        .section(step)?
        .get(&ticked_key(name))?
        .split_once(' ')
        .map(|(at, login)| (login, at))
}

impl Draft {
    /// Saves a step as `put` does, with the rule for legal ticks (pledge, declaration):
    /// only the applicant ticks them. An agent's save leaves every tick as it was; an
    /// applicant's records who ticked each box and when, and forgets it when unticked.
    pub fn put_by(
        &mut self,
        category: Category,
        step: Step,
        names: &[String],
        posted: &[(String, String)],
        hand: Hand,
    ) {
        let before = self.sections.get(step.code()).cloned().unwrap_or_default();
        self.put(step, names, posted);
        let affirms: Vec<&'static str> = fields(category, step)
            .into_iter()
            .filter(|f| f.kind == FieldKind::Affirm)
            .map(|f| f.name)
            .collect();
        let section = self.sections.entry(step.code().to_string()).or_default();
        for name in affirms {
            let key = ticked_key(name);
            match hand {
                Hand::Agent => {
                    for k in [name.to_string(), key] {
                        match before.get(&k) {
                            Some(v) => section.insert(k, v.clone()),
                            None => section.remove(&k),
                        };
                    }
                }
                Hand::Applicant { login, at } => {
                    if section.get(name).map(String::as_str) == Some("on") {
                        section
                            .entry(key)
                            .or_insert_with(|| format!("{at} {login}"));
                    } else {
                        section.remove(&key);
                    }
                }
            }
        }
    }
}

/// The fields that name or reach a person: shown in full only to those handling the
/// application (the applicant, its township, the county office, its assigned panel).
pub const PERSONAL_FIELDS: [(Step, &str); 5] = [
    (Step::Identity, "legal_rep"),
    (Step::Identity, "contact_name"),
    (Step::Identity, "contact_mobile"),
    (Step::Pledge, "signer"),
    (Step::Declaration, "declarant"),
];

/// Masks every personal field of a draft (names to their first character, a mobile to
/// its first three and last four digits), for readers who only oversee.
pub fn mask_personal(draft: &mut Draft) {
    for (step, name) in PERSONAL_FIELDS {
        if let Some(v) = draft
            .sections
            .get_mut(step.code())
            .and_then(|s| s.get_mut(name))
        {
            *v = if name.ends_with("mobile") {
                crate::complaint::mask_phone(v)
            } else {
                crate::complaint::mask_name(v)
            };
        }
    }
}

/// No single value is kept longer than this (the form's own limits are far lower).
pub const MAX_VALUE_CHARS: usize = 2_000;

/// Problems of a step with plain fields.
pub fn step_problems(
    category: Category,
    step: Step,
    draft: &Draft,
) -> Vec<(&'static str, FieldProblem)> {
    fields(category, step)
        .iter()
        .filter_map(|f| check(f, draft.value(step, f.name)).map(|p| (f.name, p)))
        .collect()
}

/// Problems of the self-assessment: every basic and veto item answered, within range.
pub fn assessment_problems(items: &[ItemRule], draft: &Draft) -> Vec<(String, FieldProblem)> {
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let v = draft.value(Step::SelfAssessment, &item_field(i));
            item_answer(item.kind, item.max_points, v)
                .err()
                .map(|p| (item_field(i), p))
        })
        .collect()
}

/// Problems of any step's own fields (evidence and review have none of their own).
pub fn problems(
    category: Category,
    step: Step,
    draft: &Draft,
    items: &[ItemRule],
) -> Vec<(String, FieldProblem)> {
    match step {
        Step::SelfAssessment => assessment_problems(items, draft),
        _ => step_problems(category, step, draft)
            .into_iter()
            .map(|(n, p)| (n.to_string(), p))
            .collect(),
    }
}

/// The field names a step's form may post: its specs, or one per indicator item.
pub fn field_names(category: Category, step: Step, items: &[ItemRule]) -> Vec<String> {
    match step {
        Step::SelfAssessment => (0..items.len()).map(item_field).collect(),
        _ => fields(category, step)
            .iter()
            .map(|f| f.name.to_string())
            .collect(),
    }
}

/// The self-assessment's field for indicator item `i` (0-based position in the set).
pub fn item_field(i: usize) -> String {
    format!("item{i}")
}

/// A self-assessment answer for a veto item.
pub const VETO_HOLDS: &str = "holds";
pub const VETO_BREACHED: &str = "breached";

/// Reads one self-assessed item: points for basic and bonus items (a bonus left empty
/// counts as none), holds/breached for veto items.
pub fn item_answer(kind: ItemKind, max: u32, value: &str) -> Result<ItemScore, FieldProblem> {
    let v = value.trim();
    match kind {
        ItemKind::Veto => match v {
            VETO_HOLDS => Ok(ItemScore::VetoHolds),
            VETO_BREACHED => Ok(ItemScore::VetoBreached),
            "" => Err(FieldProblem::Required),
            _ => Err(FieldProblem::NotAChoice),
        },
        ItemKind::Bonus if v.is_empty() => Ok(ItemScore::Points(0)),
        ItemKind::Basic if v.is_empty() => Err(FieldProblem::Required),
        _ => match v.parse::<u32>() {
            Err(_) => Err(FieldProblem::NotANumber),
            Ok(p) if p > max => Err(FieldProblem::AboveMaximum { max }),
            Ok(p) => Ok(ItemScore::Points(p)),
        },
    }
}

/// What the self-check tells the applicant before submitting.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SelfCheck {
    /// Steps with problems, and the problems.
    pub step_problems: Vec<(Step, Vec<(String, FieldProblem)>)>,
    /// Veto items answered "breached": the application would fail outright.
    pub veto_breached: Vec<usize>,
    /// Basic items self-scored below their maximum.
    pub points_lost: Vec<usize>,
    /// Items that need evidence and have none.
    pub evidence_missing: Vec<usize>,
    /// The business licence or registration certificate is missing.
    pub licence_missing: bool,
    /// The self-assessed total, when every item is answered.
    pub total: Option<u32>,
    pub pass_score: u32,
    /// The credit code differs from the registered organisation's.
    pub credit_code_mismatch: bool,
}

impl SelfCheck {
    /// Submitting needs every step complete and the licence; failing items are shown
    /// but do not stop the applicant (the panel judges).
    pub fn ready(&self) -> bool {
        self.step_problems.is_empty() && !self.licence_missing && !self.credit_code_mismatch
    }

    /// An agent hands over a draft that is complete but for the pledge and declaration
    /// ticks: those only the applicant's own login gives.
    pub fn ready_to_hand_over(&self) -> bool {
        self.step_problems
            .iter()
            .all(|(_, ps)| ps.iter().all(|(n, p)| left_to_the_applicant(n, *p)))
            && !self.licence_missing
            && !self.credit_code_mismatch
    }

    pub fn would_fail(&self) -> bool {
        !self.veto_breached.is_empty() || self.total.is_some_and(|t| t < self.pass_score)
    }
}

/// One indicator item as the self-check needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemRule {
    pub kind: ItemKind,
    pub max_points: u32,
    pub evidence_required: bool,
}

/// The self-check's view of a set's items.
pub fn item_rules(items: &[crate::scoring::Indicator]) -> Vec<ItemRule> {
    items
        .iter()
        .map(|i| ItemRule {
            kind: i.kind,
            max_points: i.max_points,
            evidence_required: i.evidence_required,
        })
        .collect()
}

/// The whole self-check: every step's problems, the self-assessed outcome, missing
/// evidence. `evidence` lists the slots that have at least one file.
pub fn self_check(
    category: Category,
    draft: &Draft,
    items: &[ItemRule],
    rules: &crate::scoring::SetRules,
    evidence: &[String],
    registered_credit_code: &str,
) -> SelfCheck {
    let mut out = SelfCheck {
        pass_score: rules.pass_score,
        ..SelfCheck::default()
    };
    for step in [Step::Identity, Step::Facts, Step::Pledge, Step::Declaration] {
        let p: Vec<_> = step_problems(category, step, draft)
            .into_iter()
            .map(|(n, p)| (n.to_string(), p))
            .collect();
        if !p.is_empty() {
            out.step_problems.push((step, p));
        }
    }
    let mut answers = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let answer = item_answer(
            item.kind,
            item.max_points,
            draft.value(Step::SelfAssessment, &item_field(i)),
        )
        .ok();
        match answer {
            Some(ItemScore::VetoBreached) => out.veto_breached.push(i),
            Some(ItemScore::Points(p)) if item.kind == ItemKind::Basic && p < item.max_points => {
                out.points_lost.push(i)
            }
            _ => {}
        }
        answers.push(answer);
        if item.evidence_required && !evidence.iter().any(|e| *e == item_field(i)) {
            out.evidence_missing.push(i);
        }
    }
    let assessment = assessment_problems(items, draft);
    if !assessment.is_empty() {
        out.step_problems.push((Step::SelfAssessment, assessment));
    }
    let shape: Vec<(ItemKind, u32)> = items.iter().map(|i| (i.kind, i.max_points)).collect();
    out.total = crate::scoring::score(&shape, &answers, rules)
        .ok()
        .map(|o| o.total);
    out.licence_missing = !evidence.iter().any(|e| e == LICENCE_SLOT);
    let typed = draft.value(Step::Identity, "credit_code");
    out.credit_code_mismatch = CreditCode::parse(typed)
        .map(|c| c.as_str() != registered_credit_code)
        .unwrap_or(false);
    out
}

#[cfg(test)]
mod tests;
