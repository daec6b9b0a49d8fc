//! The hotline's measures over the tickets received in a period.

/// What the statistics know of one ticket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TicketFigures {
    /// Dispatched to a department at least once.
    pub dispatched: bool,
    /// Replied at least once.
    pub replied: bool,
    pub reopened: bool,
    /// Replies given, and of those by the due date then in force.
    pub replies: u64,
    pub replies_on_time: u64,
    /// The caller's satisfaction at the first callback, when called back.
    pub first_callback: Option<bool>,
    /// Returns (退单).
    pub returns: u64,
}

/// The measures of a group of tickets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Measures {
    pub received: u64,
    pub dispatched: u64,
    pub replied: u64,
    pub replies: u64,
    pub on_time: u64,
    pub callbacks: u64,
    pub satisfied: u64,
    pub reopened: u64,
    pub bounces: u64,
}

fn rate(n: u64, d: u64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

impl Measures {
    pub fn add(&mut self, t: &TicketFigures) {
        self.received += 1;
        self.dispatched += u64::from(t.dispatched);
        if t.replied {
            self.replied += 1;
            self.reopened += u64::from(t.reopened);
        }
        self.replies += t.replies;
        self.on_time += t.replies_on_time;
        if let Some(s) = t.first_callback {
            self.callbacks += 1;
            self.satisfied += u64::from(s);
        }
        self.bounces += t.returns;
    }

    /// Replies given by the due date ÷ replies.
    pub fn on_time_reply_rate(&self) -> Option<f64> {
        rate(self.on_time, self.replies)
    }

    /// Satisfied at the first callback ÷ tickets called back.
    pub fn satisfaction_rate(&self) -> Option<f64> {
        rate(self.satisfied, self.callbacks)
    }

    /// Tickets reopened at least once ÷ replied.
    pub fn reopen_rate(&self) -> Option<f64> {
        rate(self.reopened, self.replied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_add_up() {
        let mut m = Measures::default();
        assert_eq!(m.on_time_reply_rate(), None);
        m.add(&TicketFigures {
            dispatched: true,
            replied: true,
            reopened: true,
            replies: 2,
            replies_on_time: 1,
            first_callback: Some(false),
            returns: 1,
        });
        m.add(&TicketFigures {
            first_callback: Some(true),
            ..TicketFigures::default()
        });
        assert_eq!(
            (m.received, m.dispatched, m.replied, m.bounces),
            (2, 1, 1, 1)
        );
        assert_eq!(m.on_time_reply_rate(), Some(0.5));
        assert_eq!(m.satisfaction_rate(), Some(0.5));
        assert_eq!(m.reopen_rate(), Some(1.0));
    }
}
