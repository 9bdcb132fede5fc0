//! Form checks that run in the browser as the user types and again on the server:
//! the same functions, from the domain crate, in both places.

use crate::errors::{Field, Problem};
use domain::account::{password_problems, Mobile, MobileError, PasswordProblem};
use domain::uscc::{CreditCode, CreditCodeError};
use serde::{Deserialize, Serialize};

pub const MAX_TEXT: usize = 200;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationInput {
    pub credit_code: String,
    pub name: String,
    pub category: String,
    pub township: String,
    pub contact_name: String,
    pub mobile: String,
    pub password: String,
    pub password_confirm: String,
}

pub fn credit_code_problem(input: &str) -> Option<Problem> {
    match CreditCode::parse(input) {
        Ok(_) => None,
        Err(CreditCodeError::Empty) => Some(Problem::Required),
        Err(CreditCodeError::WrongLength(_)) => Some(Problem::CreditCodeLength),
        Err(CreditCodeError::BadCharacter { .. }) => Some(Problem::CreditCodeCharacter),
        Err(CreditCodeError::CheckMismatch { .. }) => Some(Problem::CreditCodeCheck),
    }
}

pub fn mobile_problem(input: &str) -> Option<Problem> {
    match Mobile::parse(input) {
        Ok(_) => None,
        Err(MobileError::Empty) => Some(Problem::Required),
        Err(MobileError::Malformed) => Some(Problem::MobileMalformed),
    }
}

pub fn text_problem(input: &str) -> Option<Problem> {
    let t = input.trim();
    if t.is_empty() {
        Some(Problem::Required)
    } else if t.chars().count() > MAX_TEXT {
        Some(Problem::TooLong)
    } else {
        None
    }
}

/// The first problem of a new password, in the order the rules are listed to the user.
pub fn password_problem(password: &str, account_name: &str) -> Option<Problem> {
    if password.is_empty() {
        return Some(Problem::Required);
    }
    password_problems(password, account_name)
        .first()
        .map(|p| match p {
            PasswordProblem::TooShort => Problem::PasswordTooShort,
            PasswordProblem::TooFewClasses => Problem::PasswordClasses,
            PasswordProblem::ContainsAccountName => Problem::PasswordContainsName,
        })
}

pub fn confirm_problem(password: &str, confirm: &str) -> Option<Problem> {
    if confirm.is_empty() {
        Some(Problem::Required)
    } else if password != confirm {
        Some(Problem::PasswordMismatch)
    } else {
        None
    }
}

/// Every problem of a registration form, field by field.
pub fn registration_problems(r: &RegistrationInput) -> Vec<(Field, Problem)> {
    let account_name = CreditCode::parse(&r.credit_code)
        .map(|c| c.as_str().to_string())
        .unwrap_or_else(|_| r.credit_code.trim().to_string());
    let checks = [
        (Field::CreditCode, credit_code_problem(&r.credit_code)),
        (Field::OrganisationName, text_problem(&r.name)),
        (
            Field::Category,
            domain::Category::parse(&r.category)
                .is_none()
                .then_some(if r.category.is_empty() {
                    Problem::Required
                } else {
                    Problem::Unknown
                }),
        ),
        (
            Field::Township,
            r.township.trim().is_empty().then_some(Problem::Required),
        ),
        (Field::ContactName, text_problem(&r.contact_name)),
        (Field::Mobile, mobile_problem(&r.mobile)),
        (
            Field::Password,
            password_problem(&r.password, &account_name),
        ),
        (
            Field::PasswordConfirm,
            confirm_problem(&r.password, &r.password_confirm),
        ),
    ];
    checks
        .into_iter()
        .filter_map(|(f, p)| p.map(|p| (f, p)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> RegistrationInput {
        RegistrationInput {
            credit_code: "91110000802100433B".into(),
            name: "东至县尧渡镇放心超市".into(),
            category: "unit".into(),
            township: "341721100".into(),
            contact_name: "王芳".into(),
            mobile: "13812345678".into(),
            password: "Dongzhi-2026!".into(),
            password_confirm: "Dongzhi-2026!".into(),
        }
    }

    #[test]
    fn a_complete_form_has_no_problems() {
        assert_eq!(registration_problems(&good()), vec![]);
    }

    #[test]
    fn each_problem_names_its_field() {
        let mut r = good();
        r.credit_code = "91110000802100433C".into();
        r.mobile = "12345".into();
        r.password_confirm = "other".into();
        r.category = "shop".into();
        assert_eq!(
            registration_problems(&r),
            vec![
                (Field::CreditCode, Problem::CreditCodeCheck),
                (Field::Category, Problem::Unknown),
                (Field::Mobile, Problem::MobileMalformed),
                (Field::PasswordConfirm, Problem::PasswordMismatch),
            ]
        );
    }

    #[test]
    fn the_password_may_not_contain_the_credit_code() {
        let mut r = good();
        r.password = "x91110000802100433B!".into();
        r.password_confirm = r.password.clone();
        assert_eq!(
            registration_problems(&r),
            vec![(Field::Password, Problem::PasswordContainsName)]
        );
    }

    #[test]
    fn an_empty_form_lists_every_required_field() {
        let problems = registration_problems(&RegistrationInput::default());
        assert_eq!(problems.len(), 8);
        assert!(problems.iter().all(|(_, p)| *p == Problem::Required));
    }
}
