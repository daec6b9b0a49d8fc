//! The one transition mechanism of every workflow.
//!
//! A workflow is a table: for each action, the states it may start from, the state it
//! leads to, the roles that may take it and the guards that must hold. [`Workflow::decide`]
//! is the only dispatcher: it answers the next state, or why the action is refused, in the
//! order a caller should learn it (role, then state, then guards).

use crate::account::Role;
use crate::codes::Code;
use crate::validation::RuleViolation;

/// Where an action leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next<S> {
    /// To this state.
    To(S),
    /// The state does not change (an extension, a note, a step on the way).
    Stay,
}

/// A condition an action needs beyond the state, decided on facts the caller gathers.
pub type Guard<F> = fn(&F) -> Result<(), RuleViolation>;

/// One row of a workflow's table.
pub struct Rule<S: 'static, A: 'static, F: 'static = ()> {
    pub action: A,
    /// The states the action may be taken in.
    pub from: &'static [S],
    pub to: Next<S>,
    /// Who may take it. An empty list means the system alone (no person or client).
    pub roles: &'static [Role],
    pub guards: &'static [Guard<F>],
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal<S, A> {
    /// The caller's role may not take the action (403).
    Role { action: A, allowed: &'static [Role] },
    /// The object's state does not allow it (409 `<workflow>.illegal_transition`).
    State {
        code: Code,
        noun: &'static str,
        action: A,
        state: S,
    },
    /// A guard does not hold (409 with the guard's own code).
    Guard(RuleViolation),
}

/// A workflow: the code of an action its state does not allow, what it moves (for messages:
/// "cannot accept a case that is decided") and its table.
pub struct Workflow<S: 'static, A: 'static, F: 'static = ()> {
    /// The code of an action its state does not allow (`<workflow>.illegal_transition`).
    pub illegal: Code,
    pub noun: &'static str,
    pub rules: &'static [Rule<S, A, F>],
}

impl<S, A, F> Workflow<S, A, F>
where
    S: Copy + Eq + 'static,
    A: Copy + Eq + 'static,
{
    /// The row of an action. Every action of the workflow has exactly one (a unit test of
    /// each workflow checks it).
    pub fn rule(&self, action: A) -> Option<&'static Rule<S, A, F>> {
        self.rules.iter().find(|r| r.action == action)
    }

    /// The roles that may take an action.
    pub fn roles(&self, action: A) -> &'static [Role] {
        self.rule(action).map_or(&[], |r| r.roles)
    }

    /// The state after `action` taken by `role` in `state`, or why not.
    pub fn decide(&self, state: S, action: A, role: Role, facts: &F) -> Result<S, Refusal<S, A>> {
        let Some(rule) = self.rule(action) else {
            return Err(self.illegal(action, state));
        };
        if !rule.roles.contains(&role) {
            return Err(Refusal::Role {
                action,
                allowed: rule.roles,
            });
        }
        self.follow(rule, state, facts)
    }

    /// The state after an action the system takes (a deadline passing, a sub-case closing
    /// its project): the state and the guards are checked, no role.
    pub fn decide_as_system(&self, state: S, action: A, facts: &F) -> Result<S, Refusal<S, A>> {
        match self.rule(action) {
            Some(rule) => self.follow(rule, state, facts),
            None => Err(self.illegal(action, state)),
        }
    }

    fn follow(&self, rule: &Rule<S, A, F>, state: S, facts: &F) -> Result<S, Refusal<S, A>> {
        if !rule.from.contains(&state) {
            return Err(self.illegal(rule.action, state));
        }
        for guard in rule.guards {
            guard(facts).map_err(Refusal::Guard)?;
        }
        Ok(match rule.to {
            Next::To(s) => s,
            Next::Stay => state,
        })
    }

    fn illegal(&self, action: A, state: S) -> Refusal<S, A> {
        Refusal::State {
            code: self.illegal,
            noun: self.noun,
            action,
            state,
        }
    }

    /// The actions `role` may take in `state` (guards aside), in table order: what a
    /// front end offers as buttons.
    pub fn available(&self, state: S, role: Role) -> Vec<A> {
        self.rules
            .iter()
            .filter(|r| r.from.contains(&state) && r.roles.contains(&role))
            .map(|r| r.action)
            .collect()
    }

    /// Checks the table itself: every action appears once. `actions` is every value of the
    /// action enum; used by each workflow's unit test.
    pub fn check_table(&self, actions: &[A]) -> Result<(), String>
    where
        A: std::fmt::Debug,
    {
        for a in actions {
            match self.rules.iter().filter(|r| r.action == *a).count() {
                1 => {}
                n => return Err(format!("{}: action {a:?} has {n} rows", self.illegal)),
            }
        }
        if self.rules.len() != actions.len() {
            return Err(format!(
                "{}: the table has rows of unknown actions",
                self.illegal
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum S {
        Draft,
        Pending,
        Done,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum A {
        Submit,
        Approve,
        Comment,
    }

    struct Facts {
        author_is_reviewer: bool,
    }

    fn not_own(f: &Facts) -> Result<(), RuleViolation> {
        if f.author_is_reviewer {
            Err(RuleViolation::new(
                Code::KnowledgeEntryOwnEntry,
                "not your own",
            ))
        } else {
            Ok(())
        }
    }

    static FLOW: Workflow<S, A, Facts> = Workflow {
        illegal: Code::DisclosureIllegalTransition,
        noun: "document",
        rules: &[
            Rule {
                action: A::Submit,
                from: &[S::Draft],
                to: Next::To(S::Pending),
                roles: &[Role::Clerk],
                guards: &[],
            },
            Rule {
                action: A::Approve,
                from: &[S::Pending],
                to: Next::To(S::Done),
                roles: &[Role::Reviewer],
                guards: &[not_own],
            },
            Rule {
                action: A::Comment,
                from: &[S::Draft, S::Pending],
                to: Next::Stay,
                roles: &[Role::Clerk, Role::Reviewer],
                guards: &[],
            },
        ],
    };

    const OK: Facts = Facts {
        author_is_reviewer: false,
    };

    #[test]
    fn the_table_decides() {
        assert_eq!(
            FLOW.check_table(&[A::Submit, A::Approve, A::Comment]),
            Ok(())
        );
        assert_eq!(
            FLOW.decide(S::Draft, A::Submit, Role::Clerk, &OK),
            Ok(S::Pending)
        );
        assert_eq!(
            FLOW.decide(S::Pending, A::Comment, Role::Reviewer, &OK),
            Ok(S::Pending)
        );
        assert_eq!(
            FLOW.decide(S::Pending, A::Approve, Role::Clerk, &OK),
            Err(Refusal::Role {
                action: A::Approve,
                allowed: &[Role::Reviewer]
            })
        );
        assert_eq!(
            FLOW.decide(S::Done, A::Approve, Role::Reviewer, &OK),
            Err(Refusal::State {
                code: Code::DisclosureIllegalTransition,
                noun: "document",
                action: A::Approve,
                state: S::Done
            })
        );
        let own = Facts {
            author_is_reviewer: true,
        };
        assert!(matches!(
            FLOW.decide(S::Pending, A::Approve, Role::Reviewer, &own),
            Err(Refusal::Guard(v)) if v.code == Code::KnowledgeEntryOwnEntry
        ));
        assert_eq!(
            FLOW.decide_as_system(S::Pending, A::Approve, &OK),
            Ok(S::Done)
        );
        assert_eq!(
            FLOW.available(S::Pending, Role::Reviewer),
            vec![A::Approve, A::Comment]
        );
    }

    #[test]
    fn a_broken_table_is_found() {
        static TWICE: Workflow<S, A> = Workflow {
            illegal: Code::DisclosureIllegalTransition,
            noun: "document",
            rules: &[
                Rule {
                    action: A::Submit,
                    from: &[S::Draft],
                    to: Next::To(S::Pending),
                    roles: &[Role::Clerk],
                    guards: &[],
                },
                Rule {
                    action: A::Submit,
                    from: &[S::Pending],
                    to: Next::Stay,
                    roles: &[Role::Clerk],
                    guards: &[],
                },
            ],
        };
        assert!(TWICE.check_table(&[A::Submit]).is_err());
        assert!(TWICE.check_table(&[A::Submit, A::Approve]).is_err());
    }
}
