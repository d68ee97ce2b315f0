//! How an amount settles invoices: the referenced ones (after passes a and b) or
//! the customer's open items (passes d, e and f), and the order the passes run in.

use std::sync::Arc;

use super::combination::{PAIR_TABLE_ITEMS_MAX, SubsetLimits, SubsetSearch, Subsets, find_subset};
use super::grouping::OpenRow;
use super::matcher::{Draft, LineCtx, Part, RunState};
use super::references::{Ref, Referenced};
use super::{Evidence, Matcher, Pass, Tier};

/// The most referenced invoices among which a line's amount is looked for as
/// a subset of any size. The search's bound tables grow with the square of the
/// count, like the pair table; a remittance naming more invoices than this
/// whose amount fits neither all of them nor their stated amounts is settled
/// as an overpayment or a short payment instead.
const REFERENCED_SUBSET_ITEMS_MAX: usize = PAIR_TABLE_ITEMS_MAX;

/// An invoice row a proposal may settle, in minor units.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Open {
    row: u32,
    /// Open amount left in this run.
    left: i64,
    /// Discount available on the booking date (0 if none).
    discount: i64,
}

impl Open {
    fn full(&self) -> Part {
        Part { row: self.row, applied: self.left, ..Part::default() }
    }

    fn net(&self) -> Part {
        Part { row: self.row, applied: self.left - self.discount, discount: self.discount, ..Part::default() }
    }
}

impl Matcher<'_> {
    /// Runs the passes in order for one credit line.
    pub(crate) fn decide<'l>(&self, state: &mut RunState<'l>, ctx: &LineCtx<'l>) -> Draft {
        let mut refs = std::mem::take(&mut state.refs);
        let draft = self.decide_with(state, ctx, &mut refs);
        RunState::give_back(&mut state.refs, refs);
        draft
    }

    /// [`Matcher::decide`] with a buffer for the references each pass finds.
    fn decide_with<'l>(&self, state: &mut RunState<'_>, ctx: &LineCtx<'l>, refs: &mut Vec<Ref<'l>>) -> Draft {
        // Every path explains itself, in the run's buffer (see `RunState::evidence`).
        let mut evidence = std::mem::take(&mut state.evidence);
        let payer = self.payer_by_account(ctx, state);
        let mut hint = None;
        self.structured_refs(ctx, state, refs, &mut evidence);
        if !refs.is_empty()
            && let Some(found) = self.referenced(state, ctx, refs, payer, &mut evidence, &mut hint)
        {
            return self.settle_referenced(state, ctx, &found, Tier::Certain, payer, evidence);
        }
        if self.policy.last_pass_run() >= Pass::Text {
            self.text_refs(ctx, state, refs);
            if !refs.is_empty()
                && let Some(found) = self.referenced(state, ctx, refs, payer, &mut evidence, &mut hint)
            {
                if self.text_plausible(state, ctx, &found, payer) {
                    return self.settle_referenced(state, ctx, &found, Tier::High, payer, evidence);
                }
                let documents = found.refs.iter().map(|r| self.document(r.row)).collect();
                evidence.push(Evidence::TextReferenceNotUsed { documents });
            }
        }
        if self.policy.last_pass_run() < Pass::SingleItem {
            evidence.push(Evidence::StoppedAfter { pass: self.policy.last_pass_run() });
            return Draft::new(evidence);
        }
        match self.identify(ctx, payer, hint, &mut evidence) {
            Some((customer, cap)) => self.settle_customer(state, ctx, customer, cap, evidence),
            None => {
                evidence.push(Evidence::Unidentified { amount: ctx.line.amount });
                Draft::new(evidence)
            }
        }
    }

    /// A number in free text may be an order or a customer number that happens
    /// to equal an invoice number. It counts as a reference only if the amount
    /// fits those invoices (in full, net, as a subset or short within
    /// tolerance) or the payer's account or name is their customer.
    fn text_plausible(
        &self,
        state: &mut RunState<'_>,
        ctx: &LineCtx<'_>,
        found: &Referenced<'_, '_>,
        payer: Option<u32>,
    ) -> bool {
        let mut opens = std::mem::take(&mut state.opens);
        self.opens(state, ctx, found.refs, &mut opens);
        let plausible =
            self.amount_fits(ctx, &opens) || payer == Some(found.customer) || self.named_payer_is(ctx, found.customer);
        RunState::give_back(&mut state.opens, opens);
        plausible
    }

    /// The amount pays `opens` in full, net, as a subset or short within tolerance.
    fn amount_fits(&self, ctx: &LineCtx<'_>, opens: &[Open]) -> bool {
        let amount = i128::from(ctx.amount);
        let open: i128 = opens.iter().map(|o| i128::from(o.left)).sum();
        let discounts: i128 = opens.iter().map(|o| i128::from(o.discount)).sum();
        let short = open - amount;
        short == 0
            || (discounts > 0 && open - discounts == amount)
            || (short > 0 && short <= self.tolerance(ctx, open))
            || (opens.len() > 1 && {
                let values: Vec<i64> = opens.iter().map(|o| o.left).collect();
                self.referenced_subset_of(&values, ctx.amount).is_some()
            })
    }

    /// Which of the referenced invoices' `values` sum to `amount`, any number
    /// of them: the fewest, then the oldest (see [`find_subset`]). Not searched
    /// beyond [`REFERENCED_SUBSET_ITEMS_MAX`] invoices.
    fn referenced_subset_of(&self, values: &[i64], amount: i64) -> Option<Vec<usize>> {
        if values.len() > REFERENCED_SUBSET_ITEMS_MAX {
            return None;
        }
        let limits = SubsetLimits { max_items: values.len(), max_steps: self.policy.combination_steps_max() };
        match find_subset(values, amount..=amount, limits) {
            SubsetSearch::Found { indexes, .. } => Some(indexes),
            SubsetSearch::NotFound { .. } | SubsetSearch::Exhausted { .. } => None,
        }
    }

    /// The referenced rows as open amounts, into `opens` (cleared first).
    fn opens(&self, state: &RunState<'_>, ctx: &LineCtx<'_>, refs: &[Ref<'_>], opens: &mut Vec<Open>) {
        opens.clear();
        opens.extend(refs.iter().map(|r| Open {
            row: r.row,
            left: self.remaining(state, r.row),
            discount: self.discount_available(state, ctx, r.row),
        }));
    }

    /// A customer's items in the line's currency with something left open,
    /// oldest first, into `opens` (cleared first).
    fn customer_opens(&self, state: &RunState<'_>, ctx: &LineCtx<'_>, customer: u32, opens: &mut Vec<Open>) {
        let takes_discounts = self.policy.takes_discounts();
        opens.clear();
        let payable = |r: &&OpenRow| r.currency == ctx.currency && !r.issued_after(ctx.date);
        opens.extend(self.grouped().items_of(customer).iter().filter(payable).filter_map(|r| {
            let row = r.row();
            let settled = state.settled.get(row);
            let left = r.open - settled;
            let discount = if takes_discounts && r.offers_discount() && settled == 0 {
                self.discount_available(state, ctx, row)
            } else {
                0
            };
            (left > 0).then_some(Open { row, left, discount })
        }));
    }

    fn document(&self, row: u32) -> Arc<str> {
        self.items[row as usize].number.clone()
    }

    fn tolerance(&self, ctx: &LineCtx<'_>, due: i128) -> i128 {
        i128::from(self.policy.write_off_minor(ctx.currency, i64::try_from(due).unwrap_or(i64::MAX)))
    }

    /// Passes (a)/(b) found invoices: settle them by the remittance's amounts, in
    /// full, net of discounts, as a subset, or with an overpayment, a write-off or
    /// a deduction. `base` is the tier an exact fit earns.
    fn settle_referenced(
        &self,
        state: &mut RunState<'_>,
        ctx: &LineCtx<'_>,
        found: &Referenced<'_, '_>,
        base: Tier,
        payer: Option<u32>,
        mut evidence: Vec<Evidence>,
    ) -> Draft {
        let account = || ctx.line.counterparty_account.clone().unwrap_or_default();
        let mut base = base;
        match payer {
            Some(p) if p == found.customer => {
                if let Some(customer) = self.customer_id(p) {
                    evidence.push(Evidence::PayerAccount {
                        account: account(),
                        customer,
                        customer_name: self.customer_name(p),
                    });
                }
            }
            Some(p) => {
                // A parent paying for a subsidiary, or a wrong reference: a person decides.
                evidence
                    .push(Evidence::PayerIsOtherCustomer { account: account(), customer_name: self.customer_name(p) });
                base = Tier::NeedsReview;
            }
            None => {}
        }
        let mut draft = Draft { customer: found.customer, parts: state.take_parts(), tier: base, evidence };
        let mut opens = std::mem::take(&mut state.opens);
        self.opens(state, ctx, found.refs, &mut opens);
        self.settle_opens(state, ctx, found.refs, &opens, &mut draft);
        RunState::give_back(&mut state.opens, opens);
        draft
    }

    /// [`Matcher::settle_referenced`] once the referenced rows are open amounts.
    fn settle_opens(
        &self,
        state: &RunState<'_>,
        ctx: &LineCtx<'_>,
        refs: &[Ref<'_>],
        opens: &[Open],
        draft: &mut Draft,
    ) {
        let amount = i128::from(ctx.amount);
        let stated: Option<i128> = refs
            .iter()
            .zip(opens)
            .map(|(r, o)| r.paid.filter(|p| *p >= 0).or(r.paid.is_none().then_some(o.left)).map(i128::from))
            .sum();
        if refs.iter().any(|r| r.paid.is_some()) && stated == Some(amount) {
            self.per_document(ctx, opens, refs, draft);
            return;
        }
        let open: i128 = opens.iter().map(|o| i128::from(o.left)).sum();
        let discounts: i128 = opens.iter().map(|o| i128::from(o.discount)).sum();
        if open == amount {
            draft.set_parts(opens.iter().map(Open::full));
            let documents = opens.iter().map(|o| self.document(o.row)).collect();
            draft.evidence.push(Evidence::AmountMatches { amount: ctx.line.amount, documents });
            return;
        }
        if discounts > 0 && open - discounts == amount {
            draft.set_parts(opens.iter().map(Open::net));
            self.discount_evidence(ctx, opens, draft);
            return;
        }
        if opens.len() > 1 && self.referenced_subset(ctx, opens, draft) {
            return;
        }
        if amount > open {
            draft.set_parts(opens.iter().map(Open::full));
            draft.evidence.push(Evidence::Overpayment {
                amount: self.money((amount - open) as i64, ctx),
                customer_name: self.customer_name(draft.customer),
            });
            draft.tier = Tier::NeedsReview;
            return;
        }
        self.short_payment(state, ctx, opens, draft);
    }

    /// A remittance advice states what it pays per document: allocate that, and
    /// explain each document's shortfall as a discount, a write-off or a deduction.
    fn per_document(&self, ctx: &LineCtx<'_>, opens: &[Open], refs: &[Ref<'_>], draft: &mut Draft) {
        let mut excess = 0i64;
        for (o, p) in opens.iter().zip(refs.iter().map(|r| &r.paid)) {
            let stated = p.unwrap_or(o.left);
            let applied = stated.min(o.left);
            excess += stated - applied;
            let document = self.document(o.row);
            if let Some(p) = p {
                draft.evidence.push(Evidence::RemittedAmount { document: document.clone(), paid: self.money(*p, ctx) });
            }
            if applied == 0 {
                draft.evidence.push(Evidence::NothingLeftFor { document });
                continue;
            }
            let mut part = Part { row: o.row, applied, ..Part::default() };
            let short = o.left - applied;
            // Paid inside the window, more than net: the discount covers the rest
            // (as the ledger grants it for a stated amount).
            if short > 0 && short <= o.discount {
                part.discount = short;
                self.discount_taken_evidence(ctx, o, short, draft);
            } else if short > 0 && i128::from(short) <= self.tolerance(ctx, i128::from(o.left)) {
                part.write_off = short;
                draft.evidence.push(Evidence::WriteOff { document, amount: self.money(short, ctx) });
                draft.tier = draft.tier.min(Tier::High);
            } else if short > 0 {
                part.deduction = short;
                draft.evidence.push(Evidence::Deduction { document, amount: self.money(short, ctx) });
                draft.tier = Tier::NeedsReview;
            }
            draft.parts.push(part);
        }
        if excess > 0 {
            draft.evidence.push(Evidence::Overpayment {
                amount: self.money(excess, ctx),
                customer_name: self.customer_name(draft.customer),
            });
            draft.tier = Tier::NeedsReview;
        }
    }

    fn discount_evidence(&self, ctx: &LineCtx<'_>, opens: &[Open], draft: &mut Draft) {
        for o in opens.iter().filter(|o| o.discount > 0) {
            self.discount_taken_evidence(ctx, o, o.discount, draft);
        }
    }

    /// `taken` of the discount `o` had open on the booking date.
    fn discount_taken_evidence(&self, ctx: &LineCtx<'_>, o: &Open, taken: i64, draft: &mut Draft) {
        let item = &self.items[o.row as usize];
        let offer = item.discounts.iter().filter(|d| d.amount.minor() == o.discount).map(|d| d.until).max();
        draft.evidence.push(Evidence::NetOfDiscount {
            document: item.number.clone(),
            discount: self.money(taken, ctx),
            until: offer.unwrap_or(ctx.date),
        });
    }

    /// Some of several referenced invoices sum to the amount (gross, then net).
    fn referenced_subset(&self, ctx: &LineCtx<'_>, opens: &[Open], draft: &mut Draft) -> bool {
        for net in [false, true] {
            if net && opens.iter().all(|o| o.discount == 0) {
                continue;
            }
            let values: Vec<i64> = opens.iter().map(|o| if net { o.left - o.discount } else { o.left }).collect();
            if let Some(indexes) = self.referenced_subset_of(&values, ctx.amount) {
                for (i, o) in opens.iter().enumerate() {
                    if indexes.binary_search(&i).is_ok() {
                        draft.parts.push(if net { o.net() } else { o.full() });
                    } else {
                        draft.evidence.push(Evidence::NothingLeftFor { document: self.document(o.row) });
                    }
                }
                draft.evidence.push(Evidence::ReferencedSubset {
                    count: indexes.len(),
                    of: opens.len(),
                    total: ctx.line.amount,
                });
                if net {
                    let taken: Vec<Open> = indexes.iter().filter_map(|i| opens.get(*i).copied()).collect();
                    self.discount_evidence(ctx, &taken, draft);
                }
                draft.tier = draft.tier.min(Tier::High);
                return true;
            }
        }
        false
    }

    /// Less was paid than the referenced invoices: a write-off within tolerance
    /// on the last referenced invoice whose cash can carry it, else the money
    /// fills the invoices in the order referenced and the one left short gets a
    /// deduction. The amount net of open discounts is read first: where both
    /// readings are within tolerance it leaves the smaller write-off, and a
    /// discount in its window is the customer's to take.
    fn short_payment(&self, state: &RunState<'_>, ctx: &LineCtx<'_>, opens: &[Open], draft: &mut Draft) {
        let amount = i128::from(ctx.amount);
        let open: i128 = opens.iter().map(|o| i128::from(o.left)).sum();
        let discounts: i128 = opens.iter().map(|o| i128::from(o.discount)).sum();
        self.expired_discount_evidence(state, opens, open - amount, draft);
        for net in [true, false] {
            let due = if net { open - discounts } else { open };
            let short = due - amount;
            if (net && discounts == 0) || short <= 0 || short > self.tolerance(ctx, due) {
                continue;
            }
            let part = |o: &Open| if net { o.net() } else { o.full() };
            // The write-off comes out of one invoice's cash, which must stay positive:
            // a small invoice paid net of its discount may have less cash than the shortfall.
            let Some((at, target)) = opens.iter().enumerate().rev().find(|(_, o)| i128::from(part(o).applied) > short)
            else {
                continue;
            };
            let short = short as i64;
            draft.set_parts(opens.iter().map(part));
            if let Some(part) = draft.parts.get_mut(at) {
                part.applied -= short;
                part.write_off = short;
            }
            if net {
                self.discount_evidence(ctx, opens, draft);
            }
            draft
                .evidence
                .push(Evidence::WriteOff { document: self.document(target.row), amount: self.money(short, ctx) });
            draft.tier = draft.tier.min(Tier::High);
            return;
        }
        let mut left = ctx.amount;
        for o in opens {
            if left == 0 {
                draft.evidence.push(Evidence::NothingLeftFor { document: self.document(o.row) });
                continue;
            }
            let applied = left.min(o.left);
            left -= applied;
            let deduction = o.left - applied;
            if deduction > 0 {
                draft
                    .evidence
                    .push(Evidence::Deduction { document: self.document(o.row), amount: self.money(deduction, ctx) });
            }
            draft.parts.push(Part { row: o.row, applied, deduction, ..Part::default() });
        }
        draft.tier = Tier::NeedsReview;
    }

    /// Says so when a single invoice is short by exactly a discount that had
    /// already ended on the booking date.
    fn expired_discount_evidence(&self, state: &RunState<'_>, opens: &[Open], short: i128, draft: &mut Draft) {
        let [o] = opens else { return };
        let item = &self.items[o.row as usize];
        if !state.untouched(o.row) {
            return;
        }
        if let Some(offer) = item.discounts.iter().find(|d| i128::from(d.amount.minor()) == short && o.discount == 0) {
            draft.evidence.push(Evidence::DiscountExpired {
                document: item.number.clone(),
                discount: offer.amount,
                until: offer.until,
                grace_days: self.policy.grace_days(),
            });
        }
    }

    /// Passes (d), (e) and (f) over the identified customer's open items.
    fn settle_customer(
        &self,
        state: &mut RunState<'_>,
        ctx: &LineCtx<'_>,
        customer: u32,
        cap: Tier,
        evidence: Vec<Evidence>,
    ) -> Draft {
        let mut draft = Draft { customer, parts: state.take_parts(), tier: cap.min(Tier::High), evidence };
        let mut opens = std::mem::take(&mut state.opens);
        self.customer_opens(state, ctx, customer, &mut opens);
        self.settle_customer_opens(ctx, &opens, &mut draft);
        RunState::give_back(&mut state.opens, opens);
        draft
    }

    /// [`Matcher::settle_customer`] once the customer's items are open amounts.
    fn settle_customer_opens(&self, ctx: &LineCtx<'_>, opens: &[Open], draft: &mut Draft) {
        let name = self.customer_name(draft.customer);
        if self.single_item(ctx, opens, &name, draft) {
            return;
        }
        if self.policy.last_pass_run() < Pass::Combination {
            draft.evidence.push(Evidence::StoppedAfter { pass: self.policy.last_pass_run() });
            self.unapplied(ctx, &name, draft);
            return;
        }
        if let Err(exhausted) = self.combination(ctx, opens, &name, draft) {
            self.leftover(ctx, opens, &name, exhausted, draft);
        }
    }

    /// Pass (d): one open item equal to the amount, gross then net of its discount.
    fn single_item(&self, ctx: &LineCtx<'_>, opens: &[Open], name: &Arc<str>, draft: &mut Draft) -> bool {
        let gross = opens.iter().find(|o| o.left == ctx.amount).map(|o| (o.full(), false));
        let net =
            || opens.iter().find(|o| o.discount > 0 && o.left - o.discount == ctx.amount).map(|o| (o.net(), true));
        let Some((part, net_of_discount)) = gross.or_else(net) else { return false };
        draft.evidence.push(Evidence::SingleOpenItem {
            document: self.document(part.row),
            customer_name: name.clone(),
            net_of_discount,
        });
        if net_of_discount && let Some(o) = opens.iter().find(|o| o.row == part.row) {
            self.discount_evidence(ctx, std::slice::from_ref(o), draft);
        }
        draft.parts.push(part);
        true
    }

    /// Pass (e): a combination of the oldest open items the policy lets it
    /// search, exact gross, exact net, then short within tolerance.
    /// `Err(true)` if the work budget ran out.
    fn combination(&self, ctx: &LineCtx<'_>, opens: &[Open], name: &Arc<str>, draft: &mut Draft) -> Result<(), bool> {
        let mut steps = 0u64;
        let mut exhausted = false;
        let opens = self.combination_candidates(opens);
        let gross: Vec<i64> = opens.iter().map(|o| o.left).collect();
        let tolerance = i64::try_from(self.tolerance(ctx, i128::from(ctx.amount))).unwrap_or(0);
        let has_discounts = opens.iter().any(|o| o.discount > 0);
        let net: Vec<i64> =
            if has_discounts { opens.iter().map(|o| o.left - o.discount).collect() } else { Vec::new() };
        let tries: [(&[i64], i64, bool); 3] =
            [(&gross, 0, false), (&net, 0, true), (&gross, if tolerance > 0 { tolerance } else { -1 }, false)];
        // The gross tries share one set of search tables.
        let max_items = self.policy.combination_items_max();
        let mut gross_tables: Option<Subsets<'_>> = None;
        for (values, slack, is_net) in tries {
            if values.is_empty() || slack < 0 {
                continue;
            }
            let target = ctx.amount..=ctx.amount.saturating_add(slack);
            let budget = self.policy.combination_steps_max().saturating_sub(steps);
            let found = if is_net {
                Subsets::new(values, max_items).find(target, budget)
            } else {
                gross_tables.get_or_insert_with(|| Subsets::new(values, max_items)).find(target, budget)
            };
            match found {
                SubsetSearch::Found { indexes, steps: s } => {
                    steps += s;
                    let chosen: Vec<Open> = indexes.iter().filter_map(|i| opens.get(*i).copied()).collect();
                    let total: i64 = indexes.iter().filter_map(|i| values.get(*i)).sum();
                    let short = total - ctx.amount;
                    if short > 0
                        && (i128::from(short) > self.tolerance(ctx, i128::from(total))
                            || chosen.last().is_none_or(|l| l.left < short))
                    {
                        continue;
                    }
                    self.take_combination(ctx, &chosen, total, short, is_net, name, draft);
                    return Ok(());
                }
                SubsetSearch::NotFound { steps: s } => steps += s,
                SubsetSearch::Exhausted { steps: s } => {
                    steps += s;
                    exhausted = true;
                }
            }
        }
        if exhausted {
            draft.evidence.push(Evidence::SearchExhausted { items: opens.len(), steps });
        }
        Err(exhausted)
    }

    /// The open items (oldest first) the combination search considers.
    fn combination_candidates<'o>(&self, opens: &'o [Open]) -> &'o [Open] {
        opens.get(..self.policy.combination_candidates_max()).unwrap_or(opens)
    }

    #[allow(clippy::too_many_arguments)]
    fn take_combination(
        &self,
        ctx: &LineCtx<'_>,
        chosen: &[Open],
        total: i64,
        short: i64,
        net: bool,
        name: &Arc<str>,
        draft: &mut Draft,
    ) {
        draft.set_parts(chosen.iter().map(|o| if net { o.net() } else { o.full() }));
        if let [one] = chosen {
            draft.evidence.push(Evidence::SingleOpenItem {
                document: self.document(one.row),
                customer_name: name.clone(),
                net_of_discount: net,
            });
        } else {
            draft.evidence.push(Evidence::Combination {
                count: chosen.len(),
                total: self.money(total, ctx),
                customer_name: name.clone(),
                net_of_discount: net,
            });
        }
        if net {
            self.discount_evidence(ctx, chosen, draft);
        }
        if short > 0 {
            if let (Some(part), Some(last)) = (draft.parts.last_mut(), chosen.last()) {
                part.applied -= short;
                part.write_off = short;
                draft
                    .evidence
                    .push(Evidence::WriteOff { document: self.document(last.row), amount: self.money(short, ctx) });
            }
            if chosen.len() > 1 {
                draft.tier = Tier::NeedsReview;
            }
        }
    }

    /// Pass (f): more than everything open is an overpayment; less than the only
    /// open item is a deduction on it; less than several is a deduction on the
    /// one it falls short of by the least (the oldest among equals), within
    /// the policy's share; anything else stays unapplied.
    fn leftover(&self, ctx: &LineCtx<'_>, opens: &[Open], name: &Arc<str>, exhausted: bool, draft: &mut Draft) {
        draft.tier = draft.tier.min(Tier::NeedsReview);
        let open: i128 = opens.iter().map(|o| i128::from(o.left)).sum();
        if !opens.is_empty() && open < i128::from(ctx.amount) {
            draft.set_parts(opens.iter().map(Open::full));
            draft.evidence.push(Evidence::Overpayment {
                amount: self.money(ctx.amount - open as i64, ctx),
                customer_name: name.clone(),
            });
            return;
        }
        if let [only] = opens
            && ctx.amount < only.left
        {
            let deduction = only.left - ctx.amount;
            draft.parts.push(Part { row: only.row, applied: ctx.amount, deduction, ..Part::default() });
            draft
                .evidence
                .push(Evidence::Deduction { document: self.document(only.row), amount: self.money(deduction, ctx) });
            return;
        }
        if !exhausted && !opens.is_empty() {
            let (searched, items) = (self.combination_candidates(opens).len(), opens.len());
            let max_items = self.policy.combination_items_max();
            draft.evidence.push(if searched < items {
                Evidence::NoCombinationAmongOldest { searched, items, max_items }
            } else {
                Evidence::NoCombination { items, max_items }
            });
        }
        // `min_by_key` keeps the first of equals: the opens are oldest first.
        let nearest = opens.iter().filter(|o| o.left > ctx.amount).min_by_key(|o| o.left);
        if let Some(item) = nearest
            && item.left - ctx.amount <= self.policy.nearest_deduction_minor(item.left)
        {
            let deduction = item.left - ctx.amount;
            draft.parts.push(Part { row: item.row, applied: ctx.amount, deduction, ..Part::default() });
            draft.evidence.push(Evidence::NearestItem { document: self.document(item.row), items: opens.len() });
            draft
                .evidence
                .push(Evidence::Deduction { document: self.document(item.row), amount: self.money(deduction, ctx) });
            return;
        }
        self.unapplied(ctx, name, draft);
    }

    fn unapplied(&self, ctx: &LineCtx<'_>, name: &Arc<str>, draft: &mut Draft) {
        draft.tier = draft.tier.min(Tier::NeedsReview);
        draft.evidence.push(Evidence::UnappliedOnCustomer { amount: ctx.line.amount, customer_name: name.clone() });
    }
}
