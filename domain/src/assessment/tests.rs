//! Unit tests of [`super`].

use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(NaiveDate::MIN)
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn item(dimension: Dimension, points: i32) -> Item {
    Item { dimension, points }
}

#[test]
fn points_are_bounded_and_never_zero() {
    assert_eq!(check_points(10), Ok(10));
    assert_eq!(check_points(-10), Ok(-10));
    assert_eq!(check_points(1), Ok(1));
    for bad in [0, 11, -11, i32::MIN] {
        assert_eq!(
            check_points(bad).err().map(|e| e.code),
            Some(Code::AssessmentPointsRange)
        );
    }
}

#[test]
fn cover_by_the_other_post_of_the_window() {
    use AttendanceStatus::*;
    let (a, b, other) = (id(1), id(2), id(3));
    let staff = [a, b];
    assert!(check_cover(Absent, a, Some(b), &staff).is_ok());
    assert!(check_cover(Absent, a, None, &staff).is_ok());
    assert!(check_cover(Present, a, None, &staff).is_ok());
    let code = |r: Result<(), RuleViolation>| r.err().map(|e| e.code);
    assert_eq!(
        code(check_cover(Present, a, Some(b), &staff)),
        Some(Code::AttendanceCoverNotNeeded)
    );
    assert_eq!(
        code(check_cover(Leave, a, Some(a), &staff)),
        Some(Code::AttendanceCoverSelf)
    );
    assert_eq!(
        code(check_cover(BusinessTrip, a, Some(other), &staff)),
        Some(Code::AttendanceCoverNotWindowStaff)
    );
    assert!(Absent.away() && Leave.away() && BusinessTrip.away());
    assert!(!Late.away() && !LeftEarly.away() && !Present.away());
}

#[test]
fn periods() {
    // Thu 19 Nov 2026: the week Mon 16 – Sun 22.
    assert_eq!(
        period_range(Period::Week, d("2026-11-19")),
        (d("2026-11-16"), d("2026-11-22"))
    );
    assert_eq!(
        period_range(Period::Week, d("2026-11-16")),
        (d("2026-11-16"), d("2026-11-22"))
    );
    assert_eq!(
        period_range(Period::Week, d("2026-11-22")),
        (d("2026-11-16"), d("2026-11-22"))
    );
    assert_eq!(
        period_range(Period::Month, d("2028-02-10")),
        (d("2028-02-01"), d("2028-02-29"))
    );
    assert_eq!(
        period_range(Period::Quarter, d("2026-11-19")),
        (d("2026-10-01"), d("2026-12-31"))
    );
    assert_eq!(
        period_range(Period::Quarter, d("2026-03-31")),
        (d("2026-01-01"), d("2026-03-31"))
    );
    assert_eq!(
        parse_month("2026-12"),
        Ok((d("2026-12-01"), d("2026-12-31")))
    );
    for bad in [
        "2026-13", "2026-1", "26-11", "2026/11", "abcd-ef", "1999-01",
    ] {
        assert!(parse_month(bad).is_err(), "{bad}");
    }
}

#[test]
fn grades_by_threshold_exactly() {
    let t = GradeThresholds::default();
    assert_eq!(t.grade(95, 1), Some(Grade::Excellent));
    // 189 / 2 = 94.5: good, not excellent.
    assert_eq!(t.grade(189, 2), Some(Grade::Good));
    assert_eq!(t.grade(85, 1), Some(Grade::Good));
    assert_eq!(t.grade(84, 1), Some(Grade::Pass));
    assert_eq!(t.grade(70, 1), Some(Grade::Pass));
    assert_eq!(t.grade(69, 1), Some(Grade::Fail));
    assert_eq!(t.grade(0, 0), None);
}

/// Four windows over three days, computed by hand:
///
/// | window | day 1        | day 2            | day 3     | total | days | average |
/// |--------|--------------|------------------|-----------|-------|------|---------|
/// | W1     | +3 attitude  | —                | +2 skill  | 305   | 3    | 101.67  |
/// | W2     | −5 discipline, +2 handling | +6 attitude | +2 environment | 305 | 3 | 101.67 |
/// | W3     | −10 handling | −8 attitude, +3 skill | —    | 185   | 2    | 92.5    |
/// | W4     | not assessed |                  |           |       |      |         |
///
/// W1 and W2 tie for rank 1; W3 is rank 3; W4 is unranked. W2 has a discipline penalty,
/// so only W1 is a candidate — unless W1 was absent on a day.
#[test]
fn ranking_grades_and_candidates_on_a_hand_computed_fixture() {
    use Dimension::*;
    let (w1, w2, w3, w4) = (id(1), id(2), id(3), id(4));
    let a = |s, items: Vec<Item>| DayAssessment { subject: s, items };
    let assessments = vec![
        a(w1, vec![item(Attitude, 3)]),
        a(w1, vec![]),
        a(w1, vec![item(Skill, 2)]),
        a(w2, vec![item(Discipline, -5), item(Handling, 2)]),
        a(w2, vec![item(Attitude, 6)]),
        a(w2, vec![item(Environment, 2)]),
        a(w3, vec![item(Handling, -10)]),
        a(w3, vec![item(Attitude, -8), item(Skill, 3)]),
    ];
    let att = |s, status, covered| DayAttendance {
        subject: s,
        status,
        covered,
    };
    let attendance = vec![
        att(w1, AttendanceStatus::Present, false),
        att(w1, AttendanceStatus::Leave, true),
        att(w2, AttendanceStatus::Late, false),
        att(w3, AttendanceStatus::Absent, false),
    ];
    let tallies = tally(&[w1, w2, w3, w4], &assessments, &attendance);
    assert_eq!(tallies[0].score_total, 305);
    assert_eq!(tallies[0].average(), Some(101.67));
    assert_eq!((tallies[1].bonus, tallies[1].penalty), (10, -5));
    assert_eq!(tallies[1].dimension(Discipline), -5);
    assert_eq!(tallies[1].discipline_penalties, 1);
    assert_eq!(tallies[2].score_total, 185);
    assert_eq!(tallies[2].average(), Some(92.5));
    assert_eq!(tallies[2].dimensions, [-8, 0, 0, -10, 3]);
    assert_eq!(
        tallies[2].attendance,
        AttendanceCounts {
            absent: 1,
            uncovered: 1,
            ..AttendanceCounts::default()
        }
    );
    assert_eq!(tallies[0].attendance.leave, 1);
    assert_eq!(tallies[0].attendance.uncovered, 0);
    assert_eq!(tallies[3].average(), None);

    let t = GradeThresholds::default();
    let s = standings(tallies.clone(), Some(&t));
    let order: Vec<(Uuid, Option<u32>, Option<Grade>)> = s
        .iter()
        .map(|x| (x.tally.subject, x.rank, x.grade))
        .collect();
    assert_eq!(
        order,
        vec![
            (w1, Some(1), Some(Grade::Excellent)),
            (w2, Some(1), Some(Grade::Excellent)),
            (w3, Some(3), Some(Grade::Good)),
            (w4, None, None),
        ]
    );
    assert_eq!(candidates(&s, &t), vec![w1]);
    // Without grading, no grades.
    assert!(standings(tallies, None).iter().all(|x| x.grade.is_none()));
}

#[test]
fn candidates_tie_and_exclusions() {
    use Dimension::*;
    let (s1, s2, s3) = (id(1), id(2), id(3));
    let a = |s, items: Vec<Item>| DayAssessment { subject: s, items };
    let t = GradeThresholds::default();
    // s1 and s2 tie at 102; s3 is higher (104) but was absent once, covered or not.
    let assessments = vec![
        a(s1, vec![item(Attitude, 2)]),
        a(s2, vec![item(Skill, 2)]),
        a(s3, vec![item(Attitude, 4)]),
    ];
    let absent = [DayAttendance {
        subject: s3,
        status: AttendanceStatus::Absent,
        covered: true,
    }];
    let s = standings(tally(&[s1, s2, s3], &assessments, &absent), None);
    assert_eq!(s[0].tally.subject, s3);
    assert_eq!(candidates(&s, &t), vec![s1, s2]);
    // An uncovered leave day also excludes.
    let uncovered = [DayAttendance {
        subject: s1,
        status: AttendanceStatus::Leave,
        covered: false,
    }];
    let s = standings(tally(&[s1, s2], &assessments, &uncovered), None);
    assert_eq!(candidates(&s, &t), vec![s2]);
    // Below the `good` threshold nobody is a candidate.
    let low = vec![a(s1, vec![item(Handling, -10), item(Attitude, -10)])];
    let s = standings(tally(&[s1], &low, &[]), None);
    assert!(candidates(&s, &t).is_empty());
    assert!(candidates(&[], &t).is_empty());
}

#[test]
fn disclosure_findings_on_the_evaluation_day() {
    let f = DisclosureFacts {
        proactive: vec![
            (d("2026-03-01"), None),                  // overdue
            (d("2026-03-01"), Some(d("2026-03-05"))), // late
            (d("2026-03-01"), Some(d("2026-03-01"))), // on time
            (d("2026-06-30"), None),                  // due on as_of: not yet overdue
            (d("2026-04-01"), Some(d("2026-07-02"))), // published after as_of: overdue
        ],
        late_replies: 2,
        forwarded: vec![
            (d("2026-05-01"), None),                  // unanswered past due
            (d("2026-05-01"), Some(d("2026-05-03"))), // answered late, not counted here
            (d("2026-07-10"), None),                  // not yet due
        ],
        answered: vec![
            (d("2026-04-01"), d("2026-04-11")),
            (d("2026-04-01"), d("2026-04-04")),
            (d("2026-06-01"), d("2026-07-05")), // after as_of
        ],
    };
    let r = disclosure_findings(d("2026-06-30"), &f);
    assert_eq!(
        r,
        DisclosureFindings {
            overdue_unpublished: 2,
            published_late: 1,
            late_replies: 2,
            unanswered_past_due: 1,
            answered_messages: 2,
            response_days_total: 13,
        }
    );
    assert_eq!(r.mean_response_days(), Some(6.5));
    let mut total = DisclosureFindings::default();
    total.merge(&r);
    total.merge(&r);
    assert_eq!(total.overdue_unpublished, 4);
    assert_eq!(DisclosureFindings::default().mean_response_days(), None);
}
