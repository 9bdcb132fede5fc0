use super::*;
use crate::scoring::SetRules;
use proptest::prelude::*;

const CODE: &str = "91341721MA2N0Y7B3X";

fn valid_code() -> String {
    let c = crate::uscc::check_character(&CODE.as_bytes()[..17]).unwrap();
    format!("{}{c}", &CODE[..17])
}

fn complete_draft(category: Category) -> Draft {
    let mut d = Draft::default();
    for step in [Step::Identity, Step::Facts, Step::Pledge, Step::Declaration] {
        let posted: Vec<(String, String)> = fields(category, step)
            .iter()
            .map(|f| {
                let v = match f.kind {
                    FieldKind::Text { .. } => "某某".to_string(),
                    FieldKind::CreditCode => valid_code(),
                    FieldKind::Mobile => "13905660001".into(),
                    FieldKind::Count { .. } => "12".into(),
                    FieldKind::Choice(c) => c[0].0.into(),
                    FieldKind::YesNo => "yes".into(),
                    FieldKind::Township => "341721100".into(),
                    FieldKind::Affirm => "on".into(),
                };
                (f.name.to_string(), v)
            })
            .collect();
        let names: Vec<String> = posted.iter().map(|(k, _)| k.clone()).collect();
        d.put(step, &names, &posted);
    }
    d
}

fn items() -> Vec<ItemRule> {
    vec![
        ItemRule {
            kind: ItemKind::Basic,
            max_points: 60,
            evidence_required: true,
        },
        ItemRule {
            kind: ItemKind::Basic,
            max_points: 40,
            evidence_required: false,
        },
        ItemRule {
            kind: ItemKind::Veto,
            max_points: 0,
            evidence_required: false,
        },
        ItemRule {
            kind: ItemKind::Bonus,
            max_points: 5,
            evidence_required: true,
        },
    ]
}

#[test]
fn steps_run_in_order() {
    assert_eq!(Step::Identity.next(), Some(Step::Facts));
    assert_eq!(Step::Identity.previous(), None);
    assert_eq!(Step::Review.next(), None);
    assert_eq!(Step::Review.previous(), Some(Step::SelfAssessment));
    for s in Step::ALL {
        assert_eq!(Step::parse(s.code()), Some(s));
    }
    assert_eq!(Step::Facts.number(), 2);
}

#[test]
fn every_category_has_its_facts_and_the_common_steps() {
    for c in Category::ALL {
        assert!(!fields(c, Step::Facts).is_empty());
        assert_eq!(fields(c, Step::Pledge).len(), 7);
        assert_eq!(fields(c, Step::Declaration).len(), 5);
        let names: Vec<_> = fields(c, Step::Identity).iter().map(|f| f.name).collect();
        assert!(names.contains(&"credit_code") && names.contains(&"industry"));
        assert!(step_problems(c, Step::Identity, &complete_draft(c)).is_empty());
    }
    let street: Vec<_> = fields(Category::Street, Step::Facts)
        .iter()
        .map(|f| f.name)
        .collect();
    assert!(street.contains(&"compensation_fund") && street.contains(&"offline_returns"));
}

#[test]
fn field_rules() {
    let f = field(
        "x",
        ("", ""),
        FieldKind::Count {
            max: 10,
            unit: ("", ""),
        },
    );
    assert_eq!(check(&f, ""), Some(FieldProblem::Required));
    assert_eq!(check(&f, "abc"), Some(FieldProblem::NotANumber));
    assert_eq!(check(&f, "-1"), Some(FieldProblem::NotANumber));
    assert_eq!(
        check(&f, "11"),
        Some(FieldProblem::AboveMaximum { max: 10 })
    );
    assert_eq!(check(&f, " 10 "), None);
    let code = field("c", ("", ""), FieldKind::CreditCode);
    assert!(matches!(
        check(&code, "91341721MA2N0Y7B3"),
        Some(FieldProblem::CreditCode(CreditCodeError::WrongLength(17)))
    ));
    assert_eq!(check(&code, &valid_code()), None);
    let affirm = field("a", ("", ""), FieldKind::Affirm);
    assert_eq!(check(&affirm, ""), Some(FieldProblem::MustAffirm));
    assert_eq!(check(&affirm, "on"), None);
    let town = field("t", ("", ""), FieldKind::Township);
    assert_eq!(check(&town, "341722100"), Some(FieldProblem::NotInCounty));
    assert_eq!(check(&town, "341721100"), None);
    let opt = optional("o", ("", ""), FieldKind::Text { max_chars: 3 });
    assert_eq!(check(&opt, ""), None);
    assert_eq!(
        check(&opt, "四个字符"),
        Some(FieldProblem::TooLong { max_chars: 3 })
    );
    let yn = field("y", ("", ""), FieldKind::YesNo);
    assert_eq!(check(&yn, "maybe"), Some(FieldProblem::NotAChoice));
}

#[test]
fn a_resave_keeps_wrong_values_and_drops_strangers() {
    let mut d = Draft::default();
    let names = vec!["credit_code".to_string()];
    d.put(
        Step::Identity,
        &names,
        &[
            ("credit_code".into(), "WRONG".into()),
            ("evil".into(), "x".into()),
        ],
    );
    assert_eq!(d.value(Step::Identity, "credit_code"), "WRONG");
    assert_eq!(d.value(Step::Identity, "evil"), "");
    let back = Draft::from_json(&d.to_json());
    assert_eq!(back, d);
    assert_eq!(Draft::from_json("not json"), Draft::default());
}

#[test]
fn server_stamps_survive_a_resave() {
    let mut d = Draft::default();
    d.sections
        .entry("pledge".into())
        .or_default()
        .insert("_signed_at".into(), "t".into());
    d.put(
        Step::Pledge,
        &["signer".into()],
        &[("signer".into(), "王".into())],
    );
    assert_eq!(d.value(Step::Pledge, "_signed_at"), "t");
    assert_eq!(d.value(Step::Pledge, "signer"), "王");
}

#[test]
fn self_check_reports_failures_and_missing_evidence() {
    let c = Category::Unit;
    let mut d = complete_draft(c);
    let names = field_names(c, Step::SelfAssessment, &items());
    let posted = vec![
        ("item0".to_string(), "50".to_string()),
        ("item1".to_string(), "40".to_string()),
        ("item2".to_string(), VETO_HOLDS.to_string()),
    ];
    d.put(Step::SelfAssessment, &names, &posted);
    let rules = SetRules::default();
    let check = self_check(c, &d, &items(), &rules, &[], &valid_code());
    assert!(check.step_problems.is_empty());
    assert_eq!(check.points_lost, vec![0]);
    assert_eq!(check.evidence_missing, vec![0, 3]);
    assert!(check.licence_missing && !check.ready());
    assert_eq!(check.total, Some(90));
    assert!(!check.would_fail());

    let evidence = vec![LICENCE_SLOT.to_string(), "item0".into(), "item3".into()];
    let check = self_check(c, &d, &items(), &rules, &evidence, &valid_code());
    assert!(check.ready());
    assert!(check.evidence_missing.is_empty());

    d.put(
        Step::SelfAssessment,
        &names,
        &[
            ("item0".into(), "50".into()),
            ("item1".into(), "40".into()),
            ("item2".into(), VETO_BREACHED.into()),
        ],
    );
    let check = self_check(c, &d, &items(), &rules, &evidence, &valid_code());
    assert!(check.would_fail() && check.ready());
    assert_eq!(check.veto_breached, vec![2]);

    let check = self_check(c, &d, &items(), &rules, &evidence, "91341721MA2TEA8K1P");
    assert!(check.credit_code_mismatch && !check.ready());

    d.put(
        Step::SelfAssessment,
        &names,
        &[("item0".into(), "70".into())],
    );
    let check = self_check(c, &d, &items(), &rules, &evidence, &valid_code());
    assert_eq!(check.total, None);
    let problems = &check.step_problems[0].1;
    assert!(problems.contains(&("item0".into(), FieldProblem::AboveMaximum { max: 60 })));
    assert!(problems.contains(&("item2".into(), FieldProblem::Required)));
    assert!(
        !problems.iter().any(|(n, _)| n == "item3"),
        "an empty bonus counts as none"
    );
}

#[test]
fn files_are_recognised_by_content() {
    assert_eq!(FileKind::sniff(b"%PDF-1.7\n"), Some(FileKind::Pdf));
    assert_eq!(
        FileKind::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
        Some(FileKind::Jpeg)
    );
    assert_eq!(
        FileKind::sniff(b"\x89PNG\r\n\x1a\n...."),
        Some(FileKind::Png)
    );
    assert_eq!(
        FileKind::sniff(b"RIFF\0\0\0\0WEBPVP8 "),
        Some(FileKind::Webp)
    );
    assert_eq!(FileKind::sniff(b"MZ\x90\0 an exe named photo.jpg"), None);
    assert_eq!(FileKind::sniff(b"<html>"), None);
    assert_eq!(
        check_upload(b"%PDF-", 0, 0, 10, 50),
        Err(UploadProblem::Empty)
    );
    assert_eq!(
        check_upload(b"%PDF-", 11 * MB, 0, 10, 50),
        Err(UploadProblem::FileTooLarge { max_mb: 10 })
    );
    assert_eq!(
        check_upload(b"%PDF-", 5 * MB, 46 * MB, 10, 50),
        Err(UploadProblem::ApplicationFull { max_mb: 50 })
    );
    assert_eq!(
        check_upload(b"GIF89a", 5, 0, 10, 50),
        Err(UploadProblem::NotImageOrPdf)
    );
    assert_eq!(check_upload(b"%PDF-", 5, 0, 10, 50), Ok(FileKind::Pdf));
}

/// A PNG signature and IHDR chunk declaring `w` × `h`.
fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    b.extend(w.to_be_bytes());
    b.extend(h.to_be_bytes());
    b.extend([8, 2, 0, 0, 0, 0, 0, 0, 0]);
    b
}

/// A JPEG with an APP0 segment, a fill byte and a baseline frame header of `w` × `h`.
fn jpeg_header(w: u16, h: u16) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    b.extend(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    b.extend([0xFF, 0xFF, 0xC0, 0x00, 0x11, 0x08]);
    b.extend(h.to_be_bytes());
    b.extend(w.to_be_bytes());
    b.extend([3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    b
}

#[test]
fn image_sizes_are_read_from_headers_without_decoding() {
    assert_eq!(
        image_size(FileKind::Png, &png_header(640, 480)),
        Some((640, 480))
    );
    assert_eq!(
        image_size(FileKind::Jpeg, &jpeg_header(4000, 3000)),
        Some((4000, 3000))
    );
    let mut vp8x = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
    vp8x.extend([0x7F, 0x07, 0x00, 0xDF, 0x03, 0x00]); // 1920 × 992
    assert_eq!(image_size(FileKind::Webp, &vp8x), Some((1920, 992)));
    let mut vp8 = b"RIFF\0\0\0\0WEBPVP8 \0\0\0\0\0\0\0\x9d\x01\x2a".to_vec();
    vp8.extend([0x80, 0x02, 0xE0, 0x01]);
    assert_eq!(image_size(FileKind::Webp, &vp8), Some((640, 480)));
    let mut vp8l = b"RIFF\0\0\0\0WEBPVP8L\0\0\0\0\x2f".to_vec();
    vp8l.extend((99u32 | (49 << 14)).to_le_bytes());
    assert_eq!(image_size(FileKind::Webp, &vp8l), Some((100, 50)));
    // Truncated or empty headers say nothing.
    assert_eq!(image_size(FileKind::Png, &png_header(640, 480)[..20]), None);
    assert_eq!(image_size(FileKind::Png, &png_header(0, 480)), None);
    assert_eq!(image_size(FileKind::Jpeg, &[0xFF, 0xD8, 0xFF, 0xDA]), None);
    assert_eq!(image_size(FileKind::Pdf, b"%PDF-1.7"), None);
}

#[test]
fn decompression_bombs_and_headerless_images_are_refused() {
    let bomb = png_header(50_000, 50_000);
    assert_eq!(
        check_upload(&bomb, bomb.len() as u64, 0, 10, 50),
        Err(UploadProblem::ImageTooLarge {
            max_megapixels: MAX_IMAGE_MEGAPIXELS
        })
    );
    let phone = jpeg_header(12_000, 9_000); // 108 megapixels
    assert_eq!(check_upload(&phone, 5 * MB, 0, 10, 50), Ok(FileKind::Jpeg));
    // A JPEG signature glued to an HTML page: a polyglot, not a picture.
    let mut polyglot = vec![0xFF, 0xD8, 0xFF];
    polyglot.extend(b"<html><script>alert(1)</script></html>");
    assert_eq!(
        check_upload(&polyglot, polyglot.len() as u64, 0, 10, 50),
        Err(UploadProblem::NotImageOrPdf)
    );
}

proptest! {
    #[test]
    fn reading_any_bytes_as_an_upload_never_panics(
        head in proptest::sample::select(vec![
            b"".to_vec(), b"%PDF-".to_vec(), vec![0xFF, 0xD8, 0xFF],
            b"\x89PNG\r\n\x1a\n".to_vec(), b"RIFF\0\0\0\0WEBPVP8X".to_vec(),
            b"RIFF\0\0\0\0WEBPVP8 ".to_vec(), b"RIFF\0\0\0\0WEBPVP8L".to_vec(),
        ]),
        tail in proptest::collection::vec(any::<u8>(), 0..64),
        size in 0u64..20 * MB,
        used in 0u64..60 * MB,
    ) {
        let mut bytes = head;
        bytes.extend(tail);
        for kind in [FileKind::Jpeg, FileKind::Png, FileKind::Webp, FileKind::Pdf] {
            let _ = image_size(kind, &bytes);
        }
        let _ = check_upload(&bytes, size, used, 10, 50);
    }

    #[test]
    fn checking_never_panics(s in ".{0,40}") {
        for c in Category::ALL {
            for step in Step::ALL {
                for f in fields(c, step) {
                    let _ = check(&f, &s);
                }
            }
        }
        for kind in [ItemKind::Basic, ItemKind::Veto, ItemKind::Bonus] {
            let _ = item_answer(kind, 10, &s);
        }
    }

    #[test]
    fn counts_within_range_pass(n in 0u32..=1000) {
        let f = field("x", ("", ""), FieldKind::Count { max: 1000, unit: ("", "") });
        prop_assert_eq!(check(&f, &n.to_string()), None);
    }

    #[test]
    fn a_draft_round_trips_through_json(k in "[a-z_]{1,10}", v in ".{0,30}") {
        let mut d = Draft::default();
        d.put(Step::Facts, std::slice::from_ref(&k), &[(k.clone(), v.clone())]);
        prop_assert_eq!(Draft::from_json(&d.to_json()), d);
    }
}

fn pledge_post(ticks: &[&str], signer: &str) -> Vec<(String, String)> {
    let mut p: Vec<(String, String)> = ticks.iter().map(|t| (t.to_string(), "on".into())).collect();
    p.push(("signer".into(), signer.into()));
    p
}

fn pledge_names() -> Vec<String> {
    field_names(Category::Unit, Step::Pledge, &[])
}

#[test]
fn an_agent_cannot_tick_a_pledge_or_a_declaration() {
    let mut d = Draft::default();
    d.put_by(
        Category::Unit,
        Step::Pledge,
        &pledge_names(),
        &pledge_post(&["pledge_quality", "sign"], "陈建国"),
        Hand::Agent,
    );
    assert_eq!(d.value(Step::Pledge, "pledge_quality"), "");
    assert_eq!(d.value(Step::Pledge, "sign"), "");
    // The agent may prepare the signer's name; the merchant confirms it.
    assert_eq!(d.value(Step::Pledge, "signer"), "陈建国");
    let names = field_names(Category::Unit, Step::Declaration, &[]);
    d.put_by(
        Category::Unit,
        Step::Declaration,
        &names,
        &[("not_abnormal".into(), "on".into())],
        Hand::Agent,
    );
    assert_eq!(d.value(Step::Declaration, "not_abnormal"), "");
}

#[test]
fn the_applicants_ticks_record_who_and_when_and_an_agent_keeps_them() {
    let mut d = Draft::default();
    let me = Hand::Applicant {
        login: "91341721MA0000000X",
        at: "2026-12-05T08:00:00.000000Z",
    };
    d.put_by(
        Category::Unit,
        Step::Pledge,
        &pledge_names(),
        &pledge_post(&["pledge_quality", "sign"], "陈建国"),
        me,
    );
    assert_eq!(d.value(Step::Pledge, "pledge_quality"), "on");
    assert_eq!(
        ticked_by(&d, Step::Pledge, "pledge_quality"),
        Some(("91341721MA0000000X", "2026-12-05T08:00:00.000000Z"))
    );
    assert_eq!(ticked_by(&d, Step::Pledge, "pledge_pricing"), None);
    // An agent's later save changes the name but neither the ticks nor their record.
    d.put_by(
        Category::Unit,
        Step::Pledge,
        &pledge_names(),
        &pledge_post(&[], "张三"),
        Hand::Agent,
    );
    assert_eq!(d.value(Step::Pledge, "pledge_quality"), "on");
    assert_eq!(d.value(Step::Pledge, "signer"), "张三");
    assert!(ticked_by(&d, Step::Pledge, "pledge_quality").is_some());
    // A second save keeps the first time; unticking forgets it.
    let later = Hand::Applicant {
        login: "91341721MA0000000X",
        at: "2026-12-06T09:00:00.000000Z",
    };
    d.put_by(
        Category::Unit,
        Step::Pledge,
        &pledge_names(),
        &pledge_post(&["pledge_quality"], "陈建国"),
        later,
    );
    assert_eq!(
        ticked_by(&d, Step::Pledge, "pledge_quality").map(|t| t.1),
        Some("2026-12-05T08:00:00.000000Z")
    );
    assert_eq!(ticked_by(&d, Step::Pledge, "sign"), None);
    assert_eq!(d.value(Step::Pledge, "sign"), "");
}

#[test]
fn a_draft_missing_only_ticks_can_be_handed_over_not_submitted() {
    let check = SelfCheck {
        step_problems: vec![(
            Step::Declaration,
            vec![("not_abnormal".into(), FieldProblem::MustAffirm)],
        )],
        ..SelfCheck::default()
    };
    assert!(check.ready_to_hand_over());
    assert!(!check.ready());
    let check = SelfCheck {
        step_problems: vec![(
            Step::Identity,
            vec![("address".into(), FieldProblem::Required)],
        )],
        ..SelfCheck::default()
    };
    assert!(!check.ready_to_hand_over());
}

proptest! {
    /// Whatever an agent posts, every tick and its record stay as they were.
    #[test]
    fn no_agent_post_changes_a_tick(ticks in proptest::collection::vec(0usize..7, 0..7), before in proptest::collection::vec(0usize..7, 0..7)) {
        let all = ["pledge_quality", "pledge_pricing", "pledge_returns", "pledge_compensation", "pledge_supervision", "sign", "signer"];
        let mut d = Draft::default();
        let me = Hand::Applicant { login: "a", at: "t" };
        let pre: Vec<&str> = before.iter().map(|i| all[*i]).collect();
        d.put_by(Category::Unit, Step::Pledge, &pledge_names(), &pledge_post(&pre, "x"), me);
        let snapshot = d.clone();
        let post: Vec<&str> = ticks.iter().map(|i| all[*i]).collect();
        d.put_by(Category::Unit, Step::Pledge, &pledge_names(), &pledge_post(&post, "y"), Hand::Agent);
        for f in fields(Category::Unit, Step::Pledge).iter().filter(|f| f.kind == FieldKind::Affirm) {
            prop_assert_eq!(d.value(Step::Pledge, f.name), snapshot.value(Step::Pledge, f.name));
            prop_assert_eq!(ticked_by(&d, Step::Pledge, f.name), ticked_by(&snapshot, Step::Pledge, f.name));
        }
    }
}

#[test]
fn personal_fields_are_masked_and_nothing_else() {
    let mut d = Draft::default();
    let names = field_names(Category::Unit, Step::Identity, &[]);
    d.put(
        Step::Identity,
        &names,
        &[
            ("legal_rep".into(), "陈建国".into()),
            ("contact_name".into(), "王芳".into()),
            ("contact_mobile".into(), "13812345678".into()),
            ("address".into(), "尧渡镇建设路18号".into()),
        ],
    );
    mask_personal(&mut d);
    assert_eq!(
        d.value(Step::Identity, "legal_rep"),
        crate::complaint::mask_name("陈建国")
    );
    assert!(!d.value(Step::Identity, "legal_rep").contains("建国"));
    assert!(!d.value(Step::Identity, "contact_mobile").contains("1234"));
    assert_eq!(d.value(Step::Identity, "address"), "尧渡镇建设路18号");
    for (step, name) in PERSONAL_FIELDS {
        assert!(
            fields(Category::Unit, step).iter().any(|f| f.name == name),
            "{name}"
        );
    }
}
