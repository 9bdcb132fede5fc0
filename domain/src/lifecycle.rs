//! The application lifecycle (工作步骤 3–7) as a pure state machine, shared by the
//! browser (which buttons to offer) and the server (which transitions to accept).
//!
//! draft → submitted → township review (return for changes, or pass) → county review
//! (panel scoring) → passed or failed. A first failure opens a six-month rectification;
//! once reported done, or once the deadline has passed, the applicant may ask for
//! acceptance once more; failing again is final. Passed → on public notice →
//! recognised (only after a complete notice period with no open objection) →
//! re-inspected: kept or revoked; or expired at the end of the batch.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum State {
    /// Prepared by an agent (street, village, association) for a merchant that has not
    /// accepted it yet: it holds no slot of the merchant's, and only the agent edits it.
    Proposed,
    Draft,
    Submitted,
    Returned,
    CountyReview,
    Rectifying,
    Rejected,
    Passed,
    OnNotice,
    Recognised,
    Revoked,
    Expired,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    /// The merchant accepts an agent's proposal: it becomes the merchant's draft.
    Accept,
    Submit,
    TownshipReturn,
    TownshipPass,
    PanelPass,
    PanelFail,
    RequestAcceptance,
    PublishNotice,
    Recognise,
    KeepAfterReinspection,
    Revoke,
    Expire,
}

impl State {
    pub const ALL: [State; 12] = [
        State::Proposed,
        State::Draft,
        State::Submitted,
        State::Returned,
        State::CountyReview,
        State::Rectifying,
        State::Rejected,
        State::Passed,
        State::OnNotice,
        State::Recognised,
        State::Revoked,
        State::Expired,
    ];

    pub fn is_final(self) -> bool {
        matches!(self, State::Rejected | State::Revoked | State::Expired)
    }

    /// The code stored in the database and used in addresses.
    pub fn code(self) -> &'static str {
        match self {
            State::Proposed => "proposed",
            State::Draft => "draft",
            State::Submitted => "submitted",
            State::Returned => "returned",
            State::CountyReview => "county_review",
            State::Rectifying => "rectifying",
            State::Rejected => "rejected",
            State::Passed => "passed",
            State::OnNotice => "on_notice",
            State::Recognised => "recognised",
            State::Revoked => "revoked",
            State::Expired => "expired",
        }
    }

    pub fn parse(code: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The states in which whoever prepares an application (the merchant, or an agent
    /// for its proposal) may still change it; who exactly is decided by the caller.
    pub const EDITABLE: [State; 3] = [State::Proposed, State::Draft, State::Returned];

    /// The merchant may change its own application: a draft, or one returned for changes.
    pub fn open_to_applicant(self) -> bool {
        matches!(self, State::Draft | State::Returned)
    }

    /// Never submitted: a proposal or a draft (an agent may still withdraw it).
    pub fn unsubmitted(self) -> bool {
        matches!(self, State::Proposed | State::Draft)
    }

    /// Recognition was decided once: the plaque page exists (valid, revoked or expired).
    pub fn had_recognition(self) -> bool {
        matches!(self, State::Recognised | State::Revoked | State::Expired)
    }
}

impl Action {
    pub const ALL: [Action; 12] = [
        Action::Accept,
        Action::Submit,
        Action::TownshipReturn,
        Action::TownshipPass,
        Action::PanelPass,
        Action::PanelFail,
        Action::RequestAcceptance,
        Action::PublishNotice,
        Action::Recognise,
        Action::KeepAfterReinspection,
        Action::Revoke,
        Action::Expire,
    ];
}

/// What the guards need to know beyond the state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// The county panel has failed this application before (its one rectification is used).
    pub failed_before: bool,
    pub rectification_reported: bool,
    pub rectification_deadline_passed: bool,
    pub notice_period_complete: bool,
    pub open_objections: u32,
}

/// Why a transition was refused; each maps to a translated message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Refusal {
    #[error("this action is not possible in the application's current state")]
    NotFromThisState,
    #[error("the rectification is neither reported done nor past its deadline")]
    RectificationOpen,
    #[error("the public notice period has not ended")]
    NoticeRunning,
    #[error("an objection to this application is still open")]
    ObjectionOpen,
}

/// The state after `action`, or why it is refused.
pub fn next(state: State, action: Action, facts: &Facts) -> Result<State, Refusal> {
    use Action as A;
    use State as S;
    match (state, action) {
        (S::Proposed, A::Accept) => Ok(S::Draft),
        (S::Draft | S::Returned, A::Submit) => Ok(S::Submitted),
        (S::Submitted, A::TownshipReturn) => Ok(S::Returned),
        (S::Submitted, A::TownshipPass) => Ok(S::CountyReview),
        (S::CountyReview, A::PanelPass) => Ok(S::Passed),
        (S::CountyReview, A::PanelFail) if facts.failed_before => Ok(S::Rejected),
        (S::CountyReview, A::PanelFail) => Ok(S::Rectifying),
        (S::Rectifying, A::RequestAcceptance) => {
            if facts.rectification_reported || facts.rectification_deadline_passed {
                Ok(S::CountyReview)
            } else {
                Err(Refusal::RectificationOpen)
            }
        }
        (S::Passed, A::PublishNotice) => Ok(S::OnNotice),
        (S::OnNotice, A::Recognise) => {
            if !facts.notice_period_complete {
                Err(Refusal::NoticeRunning)
            } else if facts.open_objections > 0 {
                Err(Refusal::ObjectionOpen)
            } else {
                Ok(S::Recognised)
            }
        }
        (S::Recognised, A::KeepAfterReinspection) => Ok(S::Recognised),
        (S::Recognised, A::Revoke) => Ok(S::Revoked),
        (S::Recognised, A::Expire) => Ok(S::Expired),
        _ => Err(Refusal::NotFromThisState),
    }
}

/// The actions to offer in a state (guards aside).
pub fn actions_from(state: State) -> Vec<Action> {
    let permissive = Facts {
        failed_before: false,
        rectification_reported: true,
        rectification_deadline_passed: true,
        notice_period_complete: true,
        open_objections: 0,
    };
    Action::ALL
        .into_iter()
        .filter(|a| next(state, *a, &permissive).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_state_has_one_code_and_reads_back() {
        let codes: BTreeSet<_> = State::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(codes.len(), State::ALL.len());
        for s in State::ALL {
            assert_eq!(State::parse(s.code()), Some(s));
        }
        assert_eq!(State::parse("Draft"), None);
    }

    #[test]
    fn only_an_unsubmitted_or_returned_application_is_editable() {
        for s in State::ALL {
            assert_eq!(
                State::EDITABLE.contains(&s),
                s.open_to_applicant() || s == State::Proposed,
                "{s:?}"
            );
            // Whatever may be withdrawn unsubmitted may also still be edited.
            assert!(!s.unsubmitted() || State::EDITABLE.contains(&s), "{s:?}");
            // Submitting is possible exactly from what the applicant may edit.
            assert_eq!(
                next(s, Action::Submit, &Facts::default()).is_ok(),
                s.open_to_applicant(),
                "{s:?}"
            );
        }
    }

    #[test]
    fn the_whole_happy_path_and_a_rectification() {
        let mut f = Facts::default();
        let mut s = State::Draft;
        for a in [
            Action::Submit,
            Action::TownshipReturn,
            Action::Submit,
            Action::TownshipPass,
        ] {
            s = next(s, a, &f).unwrap();
        }
        assert_eq!(s, State::CountyReview);
        s = next(s, Action::PanelFail, &f).unwrap();
        assert_eq!(s, State::Rectifying);
        assert_eq!(
            next(s, Action::RequestAcceptance, &f),
            Err(Refusal::RectificationOpen)
        );
        f.failed_before = true;
        f.rectification_reported = true;
        s = next(s, Action::RequestAcceptance, &f).unwrap();
        s = next(s, Action::PanelPass, &f).unwrap();
        s = next(s, Action::PublishNotice, &f).unwrap();
        assert_eq!(next(s, Action::Recognise, &f), Err(Refusal::NoticeRunning));
        f.notice_period_complete = true;
        f.open_objections = 1;
        assert_eq!(next(s, Action::Recognise, &f), Err(Refusal::ObjectionOpen));
        f.open_objections = 0;
        s = next(s, Action::Recognise, &f).unwrap();
        s = next(s, Action::KeepAfterReinspection, &f).unwrap();
        assert_eq!(next(s, Action::Revoke, &f), Ok(State::Revoked));
    }

    #[test]
    fn a_proposal_is_accepted_into_a_draft_and_cannot_be_submitted_before() {
        let f = Facts::default();
        assert_eq!(
            next(State::Proposed, Action::Submit, &f),
            Err(Refusal::NotFromThisState)
        );
        assert_eq!(next(State::Proposed, Action::Accept, &f), Ok(State::Draft));
        assert_eq!(
            next(State::Draft, Action::Accept, &f),
            Err(Refusal::NotFromThisState)
        );
    }

    #[test]
    fn a_second_failure_is_final() {
        let f = Facts {
            failed_before: true,
            ..Default::default()
        };
        assert_eq!(
            next(State::CountyReview, Action::PanelFail, &f),
            Ok(State::Rejected)
        );
        assert!(actions_from(State::Rejected).is_empty());
    }

    #[test]
    fn every_state_is_reachable_from_a_draft_or_a_proposal() {
        let facts = [
            Facts::default(),
            Facts {
                failed_before: true,
                rectification_reported: true,
                notice_period_complete: true,
                ..Default::default()
            },
        ];
        let mut seen = BTreeSet::from([State::Draft, State::Proposed]);
        let mut frontier = vec![State::Draft, State::Proposed];
        while let Some(s) = frontier.pop() {
            for a in Action::ALL {
                for f in &facts {
                    if let Ok(n) = next(s, a, f) {
                        if seen.insert(n) {
                            frontier.push(n);
                        }
                    }
                }
            }
        }
        assert_eq!(seen.len(), State::ALL.len());
    }

    #[test]
    fn final_states_offer_nothing() {
        for s in State::ALL.into_iter().filter(|s| s.is_final()) {
            assert!(actions_from(s).is_empty(), "{s:?}");
        }
    }

    fn any_facts() -> impl Strategy<Value = Facts> {
        (
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            0u32..3,
        )
            .prop_map(|(a, b, c, d, e)| Facts {
                failed_before: a,
                rectification_reported: b,
                rectification_deadline_passed: c,
                notice_period_complete: d,
                open_objections: e,
            })
    }

    proptest! {
        #[test]
        fn recognition_needs_a_complete_notice_without_open_objections(
            steps in proptest::collection::vec((0usize..11, any_facts()), 0..60)
        ) {
            let mut s = State::Draft;
            for (i, f) in steps {
                let a = Action::ALL[i];
                if let Ok(n) = next(s, a, &f) {
                    if n == State::Recognised && s != State::Recognised {
                        prop_assert_eq!(s, State::OnNotice);
                        prop_assert!(f.notice_period_complete && f.open_objections == 0);
                    }
                    if s.is_final() {
                        prop_assert!(false, "left a final state");
                    }
                    s = n;
                }
            }
        }
    }
}
