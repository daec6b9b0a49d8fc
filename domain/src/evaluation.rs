//! Evaluation of services (好差评, 国办发〔2019〕51号, GB/T 39734/39735-2020): one evaluation
//! per case by its applicant; a bad review opens a rectification (整改) that is verified,
//! rectified or explained, called back and closed; a department may appeal a malicious or
//! mistaken review (申诉复核), and an upheld appeal annuls the review.

use crate::labeled_enum;
use crate::validation::{self, RuleViolation};

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
            "evaluation.text_required",
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a rectification that is {from}")]
pub struct IllegalRectificationAction {
    pub from: RectificationState,
    pub action: RectificationAction,
}

impl RectificationState {
    /// open → verify → verified → rectify | explain → rectified | explained → callback →
    /// called_back → close → closed; an upheld appeal annuls it from any open state.
    pub fn apply(
        self,
        a: RectificationAction,
    ) -> Result<RectificationState, IllegalRectificationAction> {
        use RectificationAction as A;
        use RectificationState as S;
        match (self, a) {
            (S::Open, A::Verify) => Ok(S::Verified),
            (S::Verified, A::Rectify) => Ok(S::Rectified),
            (S::Verified, A::Explain) => Ok(S::Explained),
            (S::Rectified | S::Explained, A::Callback) => Ok(S::CalledBack),
            (S::CalledBack, A::Close) => Ok(S::Closed),
            (from, A::Annul) if from.is_open() => Ok(S::Annulled),
            (from, action) => Err(IllegalRectificationAction { from, action }),
        }
    }

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
            "appeal.not_a_bad_review",
            "only a bad review can be appealed",
        ));
    }
    if already_appealed {
        return Err(RuleViolation::new(
            "appeal.already_made",
            "one appeal per evaluation",
        ));
    }
    match rectification {
        Some(s) if s.is_open() => Ok(()),
        _ => Err(RuleViolation::new(
            "appeal.rectification_ended",
            "the review can be appealed only while its rectification is open",
        )),
    }
}

/// The decision on a pending appeal: upheld or rejected.
pub fn decide_appeal(state: AppealState, upheld: bool) -> Result<AppealState, RuleViolation> {
    if state != AppealState::Pending {
        return Err(RuleViolation::new(
            "appeal.already_decided",
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
            Some("evaluation.text_required")
        );
        assert_eq!(
            evaluation_text(VeryDissatisfied, None)
                .err()
                .map(|e| e.code),
            Some("evaluation.text_required")
        );
        let long = "慢".repeat(MAX_EVALUATION_TEXT + 1);
        assert_eq!(
            evaluation_text(Dissatisfied, Some(&long))
                .err()
                .map(|e| e.code),
            Some("text.too_long")
        );
        assert!(evaluation_text(Dissatisfied, Some(&"慢".repeat(MAX_EVALUATION_TEXT))).is_ok());
    }

    #[test]
    fn every_rectification_action() {
        use RectificationAction as A;
        use RectificationState as S;
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
        for (f, a, to) in legal {
            assert_eq!(f.apply(a), Ok(to), "{f} {a}");
        }
        for f in RectificationState::ALL {
            for a in RectificationAction::ALL {
                if !legal.iter().any(|(x, y, _)| x == f && y == a) {
                    assert_eq!(
                        f.apply(*a),
                        Err(IllegalRectificationAction {
                            from: *f,
                            action: *a
                        }),
                        "{f} {a}"
                    );
                }
            }
        }
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
            Some("appeal.not_a_bad_review")
        );
        assert_eq!(
            code(may_appeal(Dissatisfied, Some(S::Verified), true)),
            Some("appeal.already_made")
        );
        assert_eq!(
            code(may_appeal(Dissatisfied, Some(S::Closed), false)),
            Some("appeal.rectification_ended")
        );
        assert_eq!(
            code(may_appeal(Dissatisfied, Some(S::Annulled), false)),
            Some("appeal.rectification_ended")
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
