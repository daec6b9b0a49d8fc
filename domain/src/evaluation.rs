//! Evaluation of services (好差评, 国办发〔2019〕51号, GB/T 39734/39735-2020): one evaluation
//! per case by its applicant; a bad review opens a rectification (整改) that is verified,
//! rectified or explained, called back and closed; a department may appeal a malicious or
//! mistaken review (申诉复核), and an upheld appeal annuls the review.

use crate::account::Role;
use crate::codes::Code;
use crate::labeled_enum;
use crate::validation::{self, RuleViolation};
use crate::workflow::{Next, Rule, Workflow};

/// Working days a department has to settle a bad review, unless the supervision rules of
/// its organisation say otherwise.
pub const DEFAULT_RECTIFICATION_DAYS: u32 = 5;

/// The longest evaluation text, in characters.
pub const MAX_EVALUATION_TEXT: usize = 500;

/// The longest findings, measures, explanation, callback note or appeal reason.
pub const MAX_RECTIFICATION_TEXT: usize = 2000;

labeled_enum! {
    /// The five levels of GB/T 39734.
    pub enum EvaluationLevel {
        VerySatisfied = ("very_satisfied", "非常满意"),
        Satisfied = ("satisfied", "满意"),
        BasicallySatisfied = ("basically_satisfied", "基本满意"),
        Dissatisfied = ("dissatisfied", "不满意"),
        VeryDissatisfied = ("very_dissatisfied", "非常不满意"),
    }
}

impl EvaluationLevel {
    /// 不满意 and 非常不满意 are bad reviews (差评): they open a rectification.
    pub fn is_bad(self) -> bool {
        matches!(
            self,
            EvaluationLevel::Dissatisfied | EvaluationLevel::VeryDissatisfied
        )
    }

    /// The first three levels count as satisfied in the satisfaction rate.
    pub fn is_satisfied(self) -> bool {
        !self.is_bad()
    }
}

labeled_enum! {
    /// Where the evaluation was given.
    pub enum EvaluationChannel {
        Pc = ("pc", "PC端"),
        Mobile = ("mobile", "移动端"),
        QrCode = ("qr_code", "二维码"),
        HallTablet = ("hall_tablet", "政务大厅评价器"),
        Phone = ("phone", "电话"),
        Sms = ("sms", "短信"),
    }
}

/// The text of an evaluation: optional for the first three levels, required for a bad
/// review (what went wrong is what the department verifies), at most
/// [`MAX_EVALUATION_TEXT`] characters, trimmed; blank is absent.
pub fn evaluation_text(
    level: EvaluationLevel,
    text: Option<&str>,
) -> Result<Option<String>, RuleViolation> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None if level.is_bad() => Err(RuleViolation::new(
            Code::EvaluationTextRequired,
            "a bad review says what went wrong",
        )),
        None => Ok(None),
        Some(t) => validation::text(t, MAX_EVALUATION_TEXT).map(Some),
    }
}

labeled_enum! {
    /// Where a rectification stands.
    pub enum RectificationState {
        Open = ("open", "待核实"),
        Verified = ("verified", "已核实"),
        Rectified = ("rectified", "已整改"),
        Explained = ("explained", "已说明"),
        CalledBack = ("called_back", "已回访"),
        Closed = ("closed", "已办结"),
        Annulled = ("annulled", "已撤销"),
    }
}

labeled_enum! {
    pub enum RectificationAction {
        Verify = ("verify", "核实"),
        Rectify = ("rectify", "整改"),
        Explain = ("explain", "情况说明"),
        Callback = ("callback", "回访"),
        Close = ("close", "办结"),
        /// The appeal against the review was upheld.
        Annul = ("annul", "撤销"),
    }
}

/// The department's staff who settle a rectification.
pub const DEPARTMENT: &[Role] = &[Role::OrgAdmin, Role::Reviewer, Role::Clerk];
/// Who closes a rectification.
pub const CLOSERS: &[Role] = &[Role::OrgAdmin, Role::Supervisor];

/// What the rectification workflow's guards need.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RectificationFacts {
    /// The review is under appeal and no supervisor has decided yet.
    pub appeal_pending: bool,
}

fn no_pending_appeal(f: &RectificationFacts) -> Result<(), RuleViolation> {
    if f.appeal_pending {
        Err(RuleViolation::new(
            Code::RectificationAppealPending,
            "the review is under appeal; close it once a supervisor has decided",
        ))
    } else {
        Ok(())
    }
}

/// open → verify → verified → rectify | explain → rectified | explained → callback →
/// called_back → close → closed; an upheld appeal annuls it (the system, not a person) from
/// any open state.
pub static RECTIFICATION_FLOW: Workflow<
    RectificationState,
    RectificationAction,
    RectificationFacts,
> = Workflow {
    illegal: Code::RectificationIllegalTransition,
    noun: "rectification",
    rules: &[
        Rule {
            action: RectificationAction::Verify,
            from: &[RectificationState::Open],
            to: Next::To(RectificationState::Verified),
            roles: DEPARTMENT,
            guards: &[],
        },
        Rule {
            action: RectificationAction::Rectify,
            from: &[RectificationState::Verified],
            to: Next::To(RectificationState::Rectified),
            roles: DEPARTMENT,
            guards: &[],
        },
        Rule {
            action: RectificationAction::Explain,
            from: &[RectificationState::Verified],
            to: Next::To(RectificationState::Explained),
            roles: DEPARTMENT,
            guards: &[],
        },
        Rule {
            action: RectificationAction::Callback,
            from: &[RectificationState::Rectified, RectificationState::Explained],
            to: Next::To(RectificationState::CalledBack),
            roles: DEPARTMENT,
            guards: &[],
        },
        Rule {
            action: RectificationAction::Close,
            from: &[RectificationState::CalledBack],
            to: Next::To(RectificationState::Closed),
            roles: CLOSERS,
            guards: &[no_pending_appeal],
        },
        Rule {
            action: RectificationAction::Annul,
            from: &[
                RectificationState::Open,
                RectificationState::Verified,
                RectificationState::Rectified,
                RectificationState::Explained,
                RectificationState::CalledBack,
            ],
            to: Next::To(RectificationState::Annulled),
            roles: &[],
            guards: &[],
        },
    ],
};

impl RectificationState {
    /// Open is anything but closed or annulled.
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            RectificationState::Closed | RectificationState::Annulled
        )
    }

    /// The department has rectified or explained (or got further): counts in the
    /// rectification rate.
    pub fn is_handled(self) -> bool {
        matches!(
            self,
            RectificationState::Rectified
                | RectificationState::Explained
                | RectificationState::CalledBack
                | RectificationState::Closed
        )
    }

    /// The applicant was called back: counts in the callback rate.
    pub fn is_called_back(self) -> bool {
        matches!(
            self,
            RectificationState::CalledBack | RectificationState::Closed
        )
    }
}

labeled_enum! {
    /// The department's appeal against a review (申诉复核).
    pub enum AppealState {
        Pending = ("pending", "待复核"),
        Upheld = ("upheld", "申诉成立"),
        Rejected = ("rejected", "申诉不成立"),
    }
}

/// Whether a department may appeal the review: only a bad, not annulled review whose
/// rectification is still open, and only once.
pub fn may_appeal(
    level: EvaluationLevel,
    rectification: Option<RectificationState>,
    already_appealed: bool,
) -> Result<(), RuleViolation> {
    if !level.is_bad() {
        return Err(RuleViolation::new(
            Code::AppealNotABadReview,
            "only a bad review can be appealed",
        ));
    }
    if already_appealed {
        return Err(RuleViolation::new(
            Code::AppealAlreadyMade,
            "one appeal per evaluation",
        ));
    }
    match rectification {
        Some(s) if s.is_open() => Ok(()),
        _ => Err(RuleViolation::new(
            Code::AppealRectificationEnded,
            "the review can be appealed only while its rectification is open",
        )),
    }
}

/// The decision on a pending appeal: upheld or rejected.
pub fn decide_appeal(state: AppealState, upheld: bool) -> Result<AppealState, RuleViolation> {
    if state != AppealState::Pending {
        return Err(RuleViolation::new(
            Code::AppealAlreadyDecided,
            "the appeal has been decided",
        ));
    }
    Ok(if upheld {
        AppealState::Upheld
    } else {
        AppealState::Rejected
    })
}

/// What the measures need of one evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvaluationFacts {
    pub level: EvaluationLevel,
    /// An upheld appeal annulled it: it counts nowhere but in `annulled`.
    pub annulled: bool,
    pub rectification: Option<RectificationState>,
}

/// The evaluation measures of a group (好差评统计).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EvaluationMeasures {
    /// Evaluations not annulled.
    pub total: u64,
    /// Per level, in the order of [`EvaluationLevel::ALL`].
    pub by_level: [u64; 5],
    /// Bad reviews not annulled.
    pub bad: u64,
    /// Of the bad reviews, rectified or explained (or further).
    pub rectified: u64,
    /// Of the bad reviews, called back (or closed).
    pub called_back: u64,
    /// Annulled after an upheld appeal; not in any other count.
    pub annulled: u64,
}

fn ratio(n: u64, d: u64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

impl EvaluationMeasures {
    pub fn add(&mut self, f: &EvaluationFacts) {
        if f.annulled {
            self.annulled += 1;
            return;
        }
        self.total += 1;
        if let Some(i) = EvaluationLevel::ALL.iter().position(|l| *l == f.level) {
            self.by_level[i] += 1;
        }
        if f.level.is_bad() {
            self.bad += 1;
            if f.rectification.is_some_and(RectificationState::is_handled) {
                self.rectified += 1;
            }
            if f.rectification
                .is_some_and(RectificationState::is_called_back)
            {
                self.called_back += 1;
            }
        }
    }

    pub fn count(&self, level: EvaluationLevel) -> u64 {
        EvaluationLevel::ALL
            .iter()
            .position(|l| *l == level)
            .map_or(0, |i| self.by_level[i])
    }

    /// 满意率 = (非常满意 + 满意 + 基本满意) ÷ evaluations not annulled.
    pub fn satisfaction_rate(&self) -> Option<f64> {
        ratio(self.total - self.bad, self.total)
    }

    /// 整改率 = bad reviews rectified or explained (or further) ÷ bad reviews.
    pub fn rectification_rate(&self) -> Option<f64> {
        ratio(self.rectified, self.bad)
    }

    /// 回访率 = bad reviews called back (or closed) ÷ bad reviews.
    pub fn callback_rate(&self) -> Option<f64> {
        ratio(self.called_back, self.bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::Refusal;

    #[test]
    fn bad_reviews_are_the_last_two_levels() {
        use EvaluationLevel::*;
        let bad: Vec<_> = EvaluationLevel::ALL.iter().filter(|l| l.is_bad()).collect();
        assert_eq!(bad, vec![&Dissatisfied, &VeryDissatisfied]);
        assert!(BasicallySatisfied.is_satisfied());
    }

    #[test]
    fn text_is_required_for_bad_reviews_only() {
        use EvaluationLevel::*;
        assert_eq!(evaluation_text(Satisfied, None), Ok(None));
        assert_eq!(evaluation_text(Satisfied, Some("  ")), Ok(None));
        assert_eq!(
            evaluation_text(Satisfied, Some(" 很快 ")),
            Ok(Some("很快".to_owned()))
        );
        assert_eq!(
            evaluation_text(Dissatisfied, Some(" "))
                .err()
                .map(|e| e.code),
            Some(Code::EvaluationTextRequired)
        );
        assert_eq!(
            evaluation_text(VeryDissatisfied, None)
                .err()
                .map(|e| e.code),
            Some(Code::EvaluationTextRequired)
        );
        let long = "慢".repeat(MAX_EVALUATION_TEXT + 1);
        assert_eq!(
            evaluation_text(Dissatisfied, Some(&long))
                .err()
                .map(|e| e.code),
            Some(Code::TextTooLong)
        );
        assert!(evaluation_text(Dissatisfied, Some(&"慢".repeat(MAX_EVALUATION_TEXT))).is_ok());
    }

    #[test]
    fn every_rectification_action() {
        use RectificationAction as A;
        use RectificationState as S;
        assert_eq!(RECTIFICATION_FLOW.check_table(A::ALL), Ok(()));
        let legal = [
            (S::Open, A::Verify, S::Verified),
            (S::Verified, A::Rectify, S::Rectified),
            (S::Verified, A::Explain, S::Explained),
            (S::Rectified, A::Callback, S::CalledBack),
            (S::Explained, A::Callback, S::CalledBack),
            (S::CalledBack, A::Close, S::Closed),
            (S::Open, A::Annul, S::Annulled),
            (S::Verified, A::Annul, S::Annulled),
            (S::Rectified, A::Annul, S::Annulled),
            (S::Explained, A::Annul, S::Annulled),
            (S::CalledBack, A::Annul, S::Annulled),
        ];
        let facts = RectificationFacts::default();
        for f in S::ALL {
            for a in A::ALL {
                let got = RECTIFICATION_FLOW.decide_as_system(*f, *a, &facts);
                match legal.iter().find(|(x, y, _)| x == f && y == a) {
                    Some((_, _, to)) => assert_eq!(got, Ok(*to), "{f} {a}"),
                    None => assert_eq!(
                        got,
                        Err(Refusal::State {
                            code: Code::RectificationIllegalTransition,
                            noun: "rectification",
                            action: *a,
                            state: *f
                        }),
                        "{f} {a}"
                    ),
                }
            }
        }
        // Every state an annulment starts from is open, and every open state can be annulled.
        for f in S::ALL {
            let annulled = RECTIFICATION_FLOW.decide_as_system(*f, A::Annul, &facts);
            assert_eq!(annulled.is_ok(), f.is_open(), "{f}");
        }
    }

    #[test]
    fn the_department_settles_and_closers_close() {
        use RectificationAction as A;
        use RectificationState as S;
        let facts = RectificationFacts::default();
        let clerk = RECTIFICATION_FLOW.decide(S::Open, A::Verify, Role::Clerk, &facts);
        assert_eq!(clerk, Ok(S::Verified));
        assert!(matches!(
            RECTIFICATION_FLOW.decide(S::Open, A::Verify, Role::Supervisor, &facts),
            Err(Refusal::Role { .. })
        ));
        assert!(matches!(
            RECTIFICATION_FLOW.decide(S::CalledBack, A::Close, Role::Clerk, &facts),
            Err(Refusal::Role { .. })
        ));
        // Nobody annuls by hand: only an upheld appeal does.
        for role in [Role::SysAdmin, Role::Supervisor, Role::OrgAdmin] {
            assert!(matches!(
                RECTIFICATION_FLOW.decide(S::Open, A::Annul, role, &facts),
                Err(Refusal::Role { .. })
            ));
        }
        let pending = RectificationFacts {
            appeal_pending: true,
        };
        assert!(matches!(
            RECTIFICATION_FLOW.decide(S::CalledBack, A::Close, Role::Supervisor, &pending),
            Err(Refusal::Guard(v)) if v.code == Code::RectificationAppealPending
        ));
        assert_eq!(
            RECTIFICATION_FLOW.decide(S::CalledBack, A::Close, Role::OrgAdmin, &facts),
            Ok(S::Closed)
        );
    }

    #[test]
    fn open_handled_and_called_back() {
        use RectificationState as S;
        let open: Vec<_> = S::ALL.iter().filter(|s| s.is_open()).collect();
        assert_eq!(
            open,
            vec![
                &S::Open,
                &S::Verified,
                &S::Rectified,
                &S::Explained,
                &S::CalledBack
            ]
        );
        let handled: Vec<_> = S::ALL.iter().filter(|s| s.is_handled()).collect();
        assert_eq!(
            handled,
            vec![&S::Rectified, &S::Explained, &S::CalledBack, &S::Closed]
        );
        let called: Vec<_> = S::ALL.iter().filter(|s| s.is_called_back()).collect();
        assert_eq!(called, vec![&S::CalledBack, &S::Closed]);
    }

    #[test]
    fn appeals_on_open_bad_reviews_once() {
        use EvaluationLevel::*;
        use RectificationState as S;
        assert!(may_appeal(Dissatisfied, Some(S::Open), false).is_ok());
        assert!(may_appeal(VeryDissatisfied, Some(S::CalledBack), false).is_ok());
        let code = |r: Result<(), RuleViolation>| r.err().map(|e| e.code);
        assert_eq!(
            code(may_appeal(Satisfied, None, false)),
            Some(Code::AppealNotABadReview)
        );
        assert_eq!(
            code(may_appeal(Dissatisfied, Some(S::Verified), true)),
            Some(Code::AppealAlreadyMade)
        );
        assert_eq!(
            code(may_appeal(Dissatisfied, Some(S::Closed), false)),
            Some(Code::AppealRectificationEnded)
        );
        assert_eq!(
            code(may_appeal(Dissatisfied, Some(S::Annulled), false)),
            Some(Code::AppealRectificationEnded)
        );
        assert_eq!(
            decide_appeal(AppealState::Pending, true),
            Ok(AppealState::Upheld)
        );
        assert_eq!(
            decide_appeal(AppealState::Pending, false),
            Ok(AppealState::Rejected)
        );
        for s in [AppealState::Upheld, AppealState::Rejected] {
            assert!(decide_appeal(s, true).is_err());
            assert!(decide_appeal(s, false).is_err());
        }
    }

    #[test]
    fn measures_by_hand() {
        use EvaluationLevel::*;
        use RectificationState as S;
        let facts = [
            (VerySatisfied, false, None),
            (Satisfied, false, None),
            (BasicallySatisfied, false, None),
            (Dissatisfied, false, Some(S::Verified)),
            (Dissatisfied, false, Some(S::Explained)),
            (VeryDissatisfied, false, Some(S::Closed)),
            (VeryDissatisfied, true, Some(S::Annulled)),
        ];
        let mut m = EvaluationMeasures::default();
        for (level, annulled, rectification) in facts {
            m.add(&EvaluationFacts {
                level,
                annulled,
                rectification,
            });
        }
        assert_eq!(m.total, 6);
        assert_eq!(m.annulled, 1);
        assert_eq!(m.by_level, [1, 1, 1, 2, 1]);
        assert_eq!(m.count(VeryDissatisfied), 1);
        assert_eq!(m.bad, 3);
        assert_eq!(m.rectified, 2);
        assert_eq!(m.called_back, 1);
        assert_eq!(m.satisfaction_rate(), Some(0.5));
        assert_eq!(m.rectification_rate(), Some(2.0 / 3.0));
        assert_eq!(m.callback_rate(), Some(1.0 / 3.0));
        let empty = EvaluationMeasures::default();
        assert_eq!(empty.satisfaction_rate(), None);
        assert_eq!(empty.rectification_rate(), None);
    }
}
