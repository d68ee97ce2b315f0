//! Step 1 of deposit reconciliation: a payment and a bank line that share a
//! reference.
//!
//! The rule: payments in order; each takes, among the free lines carrying its
//! reference in its currency, the first (in line order) of its amount, else
//! the first of any amount. Scanning a reference's lines from the start for
//! every payment is quadratic when thousands of payments and lines share one
//! (a subscription's fixed reference). Here each (reference, amount) and
//! (reference, currency) keeps a queue of its lines in order whose front only
//! moves forward past taken lines: linear after the grouping.

use std::collections::BTreeMap;

use ar_core::{Currency, Money};

/// One group's lines in line order, and how far the taken ones reach at its front.
#[derive(Default)]
struct Queue {
    lines: Vec<usize>,
    next: usize,
}

impl Queue {
    /// The first free line: lines before it are all taken, and taken lines stay taken.
    fn first_free(&mut self, taken: &[bool]) -> Option<usize> {
        while let Some(&l) = self.lines.get(self.next) {
            if !taken.get(l).copied().unwrap_or(true) {
                return Some(l);
            }
            self.next += 1;
        }
        None
    }
}

/// A line's normalized references (each once) and amount; `None` if taken.
pub(super) type LineKeys = Option<(Vec<String>, Money)>;

/// Pairs payments (normalized reference and amount; `None` to skip) with
/// `lines` by the rule of the module; returns (payment, line) in payment order.
pub(super) fn reference_pairs(payments: &[Option<(String, Money)>], lines: &[LineKeys]) -> Vec<(usize, usize)> {
    let mut keys: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_amount: BTreeMap<(usize, Money), Queue> = BTreeMap::new();
    let mut by_currency: BTreeMap<(usize, Currency), Queue> = BTreeMap::new();
    for (l, line) in lines.iter().enumerate() {
        let Some((references, amount)) = line else { continue };
        for reference in references {
            let next = keys.len();
            let key = *keys.entry(reference.as_str()).or_insert(next);
            by_amount.entry((key, *amount)).or_default().lines.push(l);
            by_currency.entry((key, amount.currency())).or_default().lines.push(l);
        }
    }
    let mut taken = vec![false; lines.len()];
    let mut pairs = Vec::new();
    for (p, payment) in payments.iter().enumerate() {
        let Some((reference, amount)) = payment else { continue };
        let Some(&key) = keys.get(reference.as_str()) else { continue };
        let first_free = |queue: Option<&mut Queue>| queue.and_then(|q| q.first_free(&taken));
        let line = first_free(by_amount.get_mut(&(key, *amount)))
            .or_else(|| first_free(by_currency.get_mut(&(key, amount.currency()))));
        if let Some(l) = line {
            taken[l] = true;
            pairs.push((p, l));
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The rule stated directly: scan the reference's lines from the start.
    fn by_definition(payments: &[Option<(String, Money)>], lines: &[LineKeys]) -> Vec<(usize, usize)> {
        let mut taken = vec![false; lines.len()];
        let mut pairs = Vec::new();
        for (p, payment) in payments.iter().enumerate() {
            let Some((reference, amount)) = payment else { continue };
            let open = |l: &usize| {
                !taken[*l]
                    && lines[*l]
                        .as_ref()
                        .is_some_and(|(refs, a)| refs.contains(reference) && a.currency() == amount.currency())
            };
            let equal = |l: &usize| lines[*l].as_ref().is_some_and(|(_, a)| a == amount);
            let line = (0..lines.len()).filter(open).find(equal).or_else(|| (0..lines.len()).find(open));
            if let Some(l) = line {
                taken[l] = true;
                pairs.push((p, l));
            }
        }
        pairs
    }

    fn money() -> impl Strategy<Value = Money> {
        (1i64..4, any::<bool>()).prop_map(|(minor, usd)| {
            let currency = if usd { Currency::USD } else { Currency::EUR };
            Money::from_minor(minor * 100, currency).unwrap_or_else(|_| Money::zero(currency))
        })
    }

    fn reference() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["SUB", "CHK1", "CHK2", "X"]).prop_map(str::to_owned)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// The queues take the same lines as the scan, payment by payment.
        #[test]
        fn reference_pairs_follow_the_rule(
            payments in prop::collection::vec(prop::option::weighted(0.9, (reference(), money())), 0..30),
            lines in prop::collection::vec(
                prop::option::weighted(0.9, (prop::collection::btree_set(reference(), 0..3), money())),
                0..30,
            ),
        ) {
            let lines: Vec<LineKeys> = lines.into_iter().map(|l| l.map(|(refs, a)| (refs.into_iter().collect(), a))).collect();
            prop_assert_eq!(reference_pairs(&payments, &lines), by_definition(&payments, &lines));
        }
    }
}
