use super::*;

#[test]
fn staff_prove_the_second_factor_first_then_change_password_then_enrol() {
    let staff = Role::TownshipReviewer;
    assert_eq!(next_stage(staff, true, false, false), Stage::ChangePassword);
    assert_eq!(next_stage(staff, false, false, false), Stage::EnrolTotp);
    assert_eq!(next_stage(staff, false, true, false), Stage::VerifyTotp);
    assert_eq!(next_stage(staff, true, true, false), Stage::VerifyTotp);
    assert_eq!(next_stage(staff, true, true, true), Stage::ChangePassword);
    assert_eq!(next_stage(staff, false, true, true), Stage::Full);
}

#[test]
fn applicants_need_no_second_factor() {
    assert_eq!(
        next_stage(Role::Applicant, false, false, false),
        Stage::Full
    );
    assert_eq!(
        next_stage(Role::Applicant, true, false, false),
        Stage::ChangePassword
    );
}

#[test]
fn stages_round_trip() {
    for s in [
        Stage::Full,
        Stage::ChangePassword,
        Stage::EnrolTotp,
        Stage::VerifyTotp,
    ] {
        assert_eq!(Stage::parse(s.code()), Some(s));
    }
}
