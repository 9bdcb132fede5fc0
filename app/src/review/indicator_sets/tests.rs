use super::*;

fn row(kind: &str, points: &str) -> RowForm {
    RowForm {
        group_zh: "组".into(),
        text_zh: "内容".into(),
        max_points: points.into(),
        kind: kind.into(),
        ..RowForm::default()
    }
}

#[test]
fn a_set_must_add_up_before_it_is_saved() {
    let mut form = SetForm {
        basic_points: "100".into(),
        bonus_cap: "15".into(),
        pass_score: "80".into(),
        rows: vec![
            row("basic", "60"),
            row("basic", "40"),
            row("veto", "0"),
            row("bonus", "5"),
        ],
    };
    assert!(parse_set(&form).is_ok());
    form.rows[1].max_points = "30".into();
    assert_eq!(
        parse_set(&form).unwrap_err(),
        vec![EditProblem::Set(SetProblem::BasicPointsMismatch {
            sum: 90,
            expected: 100
        })]
    );
    form.rows[1].max_points = "forty".into();
    form.rows[0].text_zh = " ".into();
    assert_eq!(
        parse_set(&form).unwrap_err(),
        vec![EditProblem::RowText(0), EditProblem::RowPoints(1)]
    );
    form.pass_score = "".into();
    assert!(parse_set(&form).unwrap_err().contains(&EditProblem::Rules));
}

#[cfg(feature = "ssr")]
#[test]
fn posted_rows_drop_removed_and_empty_ones() {
    let p = |k: &str, v: &str| (k.to_string(), v.to_string());
    let posted = vec![
        p("basic_points", "100"),
        p("r0.group_zh", "组"),
        p("r0.text_zh", "一"),
        p("r0.kind", "basic"),
        p("r0.max_points", "100"),
        p("r0.evidence", "on"),
        p("r1.group_zh", "组"),
        p("r1.text_zh", "二"),
        p("r1.remove", "on"),
        p("r2.group_zh", ""),
        p("r2.text_zh", ""),
        p("r3.group_zh", "组"),
        p("r3.text_zh", "三"),
    ];
    let form = ssr::form_from_posted(&posted);
    assert_eq!(form.rows.len(), 2);
    assert!(form.rows[0].evidence);
    assert_eq!(form.rows[1].text_zh, "三");
}
