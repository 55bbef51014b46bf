//! Outcome counts per plan section and for the whole plan: the one tally that `status`, the
//! readiness summary and the checklist's progress all show.

use super::model::{Outcome, Session};
use crate::plan::Plan;
use crate::plan::profile::Requirements;

/// Outcome counts of one section (or of the whole plan).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tally {
    pub name: String,
    pub cases: usize,
    /// Cases whose capabilities are declared supported.
    pub applicable: usize,
    /// Applicable cases with an outcome other than Not run.
    pub done: usize,
    counts: [usize; Outcome::ALL.len()],
}

impl Tally {
    pub fn named(name: impl Into<String>) -> Tally {
        Tally {
            name: name.into(),
            ..Tally::default()
        }
    }

    pub fn add(&mut self, outcome: Outcome, applies: bool) {
        self.cases += 1;
        self.counts[outcome.slot()] += 1;
        if applies {
            self.applicable += 1;
            self.done += usize::from(outcome.is_done());
        }
    }

    pub fn count(&self, outcome: Outcome) -> usize {
        self.counts[outcome.slot()]
    }

    /// Every case of the section needs a capability declared unsupported.
    pub fn unsupported(&self) -> bool {
        self.cases > 0 && self.applicable == 0
    }
}

/// Each section's tally in plan order, and the total (named "Total").
pub fn tally_sections(plan: &Plan, reqs: &Requirements, session: &Session) -> (Vec<Tally>, Tally) {
    let mut total = Tally::named("Total");
    let sections = plan
        .sections
        .iter()
        .map(|section| {
            let mut tally = Tally::named(section.name.clone());
            for &index in &section.cases {
                let outcome = session.outcome(&plan.cases[index].id);
                let applies = session.applies(reqs, index);
                tally.add(outcome, applies);
                total.add(outcome, applies);
            }
            tally
        })
        .collect();
    (sections, total)
}
