//! Counting rules: pure functions of (ballots, costs, budget). The voting issue adds MES and Borda;
//! this module holds the vote count and greedy-by-votes, today's practice in Chengdu.

use crate::money::Fen;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Greedy by votes within the budget: take proposals in order of votes (descending), ties broken
/// by proposal id ascending, skipping any that no longer fit. Proposals with no votes are never
/// selected. Source: pabutools `greedy_utilitarian_welfare` with `Cost_Sat`-free approval scores.
pub fn greedy_by_votes(
    counts: &BTreeMap<Uuid, u64>,
    costs: &BTreeMap<Uuid, Fen>,
    budget: Fen,
) -> Vec<Uuid> {
    let mut order: Vec<(&Uuid, &u64)> = counts.iter().filter(|(_, v)| **v > 0).collect();
    order.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let mut left = budget.get();
    let mut selected = Vec::new();
    for (id, _) in order {
        let Some(cost) = costs.get(id) else { continue };
        if cost.get() <= left {
            left -= cost.get();
            selected.push(*id);
        }
    }
    selected
}

/// Counts approvals per proposal over a set of approval ballots. Every proposal in `candidates`
/// appears in the result, with zero when nobody approved it.
pub fn approval_counts<'a, I>(
    candidates: impl IntoIterator<Item = Uuid>,
    ballots: I,
) -> BTreeMap<Uuid, u64>
where
    I: IntoIterator<Item = &'a [Uuid]>,
{
    let mut counts: BTreeMap<Uuid, u64> = candidates.into_iter().map(|c| (c, 0)).collect();
    for b in ballots {
        for p in b {
            if let Some(c) = counts.get_mut(p) {
                *c += 1;
            }
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_skips_what_no_longer_fits_and_breaks_ties_by_id() {
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        let c = Uuid::from_u128(3);
        let counts = BTreeMap::from([(a, 5), (b, 5), (c, 3)]);
        let costs = BTreeMap::from([(a, Fen(60)), (b, Fen(50)), (c, Fen(40))]);
        assert_eq!(greedy_by_votes(&counts, &costs, Fen(100)), vec![a, c]);
        assert_eq!(
            greedy_by_votes(&counts, &costs, Fen(10)),
            Vec::<Uuid>::new()
        );
    }
}
