//! A reference model that predicts what each command should do, written from the
//! documented rules (not from the engine's code, nor folded from its events), and
//! checked against the engine after every step of a random command stream.
//!
//! `ledger_state_machine.rs` checks that the engine's events and its state agree
//! with each other; it cannot tell when both are wrong, say when a payment's
//! money is written off instead of applied. Here the model decides first: for
//! every command it predicts refused or accepted and, when accepted, how much
//! cash, credit, discount, write-off and deduction each invoice receives. The
//! test then asserts the engine's `CashApplied` event and its public queries
//! (`invoice`, `balance`, `open_items`, `unapplied`) say the same, and that a
//! refused command leaves the ledger unchanged.
//!
//! The rules the model follows, and where they are written:
//! - Terms (`PaymentTerms::two_ten_net_30`, `DiscountTier`): one installment due
//!   30 days after the document date; 2 % of the total (half up) off until the
//!   document date plus 10 days, the last day counting, plus the policy's grace days
//!   (`ApplicationPolicy::grace_days`). The window is judged on the payment's
//!   received date (`ReceivePayment::received`).
//! - A discount is taken only on an untouched installment (`OpenInstallment::discounts`),
//!   from a payment (not a credit memo), when `take_discounts` is on, and only when the
//!   cash settles the rest (ledger_rules: "not enough to settle it, so no discount").
//! - `Target::OldestDueFirst`: the customer's open invoices by due date, document
//!   date, issue order; each gets what settles it (net of an earned discount) until
//!   the money runs out.
//! - `Target::Specific`: the cash stands as stated; an earned discount covers what
//!   the cash leaves open, up to the offer (so the gross amount takes none, and a
//!   short payment is what is left after it); more than is open is refused.
//! - `Target::Remittance` (`RemittanceLine`): as `Specific`, except that a stated
//!   discount (zero included) is taken exactly, and refused beyond what the
//!   invoice offers on the payment's date; each line's `Residual` decides its
//!   short payment (as the policy says, left open, written off in full, or a
//!   deduction with the line's own id). No two deductions share an id.
//! - `Target::ProRata`: the money (at most what is open) is spread in proportion to
//!   the open amounts by largest remainder, ties to the earlier invoice (`allocate_minor`).
//! - Residuals (`ApplicationPolicy`): what a reached invoice still has open is a
//!   short payment only when the application uses up the source's money or the
//!   target is `Specific`; a short payment within every given tolerance
//!   (`WriteOffTolerance`: absolute, percent of the total) is written off, beyond it
//!   it becomes a deduction with the next host id (`ShortPay::Deduction`) or stays open.
//! - `Unapply` restores the exact previous balances; `Refund` takes at most what is
//!   unapplied; `WriteOff` at most what is open; `VoidInvoice` only an invoice
//!   nothing has been applied to; `IssueCreditMemo { against }` applies up to the
//!   invoice's open amount and leaves the rest on account.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use ar_core::*;
use chrono::{Days, NaiveDate};
use common::*;
use proptest::prelude::*;
use rust_decimal::Decimal;

/// The customers: (currency, default terms are 2/10 net 30).
const CUSTOMERS: [(Currency, bool); 3] = [(Currency::USD, false), (Currency::USD, true), (Currency::JPY, true)];

/// An amount in minor units, picked relative to what the model holds so that
/// exact fits (the open amount, the amount net of discount, all that is open)
/// come up often.
#[derive(Debug, Clone, Copy)]
enum Pick {
    Raw(i64),
    /// The open amount of the customer's k-th invoice, plus a delta.
    Open(u8, i8),
    /// The k-th invoice's open amount less the discount it could still earn, plus a delta.
    Net(u8, i8),
    /// All the customer has open, plus a delta.
    AllOpen(i8),
    /// The source's unapplied amount, plus a delta.
    Unapplied(i8),
}

#[derive(Debug, Clone)]
enum Op {
    Wait(u8),
    Issue { customer: u8, minor: i64, terms: u8 },
    Pay { customer: u8, amount: Pick },
    Apply(ApplyOp),
    Unapply(u8),
    Refund { payment: u8, amount: Pick },
    WriteOff { customer: u8, invoice: u8, amount: Pick },
    Void { customer: u8, invoice: u8 },
    Credit { customer: u8, amount: Pick, against: Option<u8> },
}

#[derive(Debug, Clone)]
struct ApplyOp {
    source: u8,
    from_credit: bool,
    /// 0–1 oldest due first, 2 specific, 3 pro rata, 4 remittance.
    target: u8,
    pairs: Vec<(u8, Pick)>,
    /// For a remittance, per pair: what becomes of the residual (0 as the
    /// policy says, 1 left open, 2 written off, 3 a deduction with a fresh id,
    /// 4 one with an id already used), the stated discount as a delta on
    /// what the invoice offers, and whether the cash is cut to what is open.
    remit: Vec<(u8, Option<i8>, bool)>,
    cap: Option<Pick>,
    tolerance_minor: Option<i64>,
    tolerance_percent: Option<u8>,
    deduct: bool,
    discounts: bool,
    grace: u8,
}

fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![
        3 => (1..2_000i64).prop_map(Pick::Raw),
        2 => (any::<u8>(), -2..3i8).prop_map(|(k, d)| Pick::Open(k, d)),
        2 => (any::<u8>(), -2..3i8).prop_map(|(k, d)| Pick::Net(k, d)),
        1 => (-2..3i8).prop_map(Pick::AllOpen),
        1 => (-2..3i8).prop_map(Pick::Unapplied),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let apply = (
        (
            any::<u8>(),
            prop::bool::weighted(0.2),
            0..5u8,
            prop::collection::vec((any::<u8>(), pick()), 1..4),
            prop::collection::vec(
                (
                    0..5u8,
                    prop_oneof![2 => Just(None), 2 => Just(Some(0i8)), 1 => (-1..2i8).prop_map(Some)],
                    prop::bool::weighted(0.7),
                ),
                3,
            ),
        ),
        (
            prop::option::weighted(0.3, prop_oneof![2 => (-2..3i8).prop_map(Pick::Unapplied), 1 => pick()]),
            prop::option::weighted(0.6, 0..30i64),
            prop::option::weighted(0.2, 0..6u8),
            any::<bool>(),
            prop::bool::weighted(0.8),
            0..3u8,
        ),
    )
        .prop_map(
            |(
                (source, from_credit, target, pairs, remit),
                (cap, tolerance_minor, tolerance_percent, deduct, discounts, grace),
            )| {
                Op::Apply(ApplyOp {
                    source,
                    from_credit,
                    target,
                    pairs,
                    remit,
                    cap,
                    tolerance_minor,
                    tolerance_percent,
                    deduct,
                    discounts,
                    grace,
                })
            },
        );
    prop_oneof![
        2 => (0..8u8).prop_map(Op::Wait),
        5 => (0..3u8, 1..20u16, 0..3u8).prop_map(|(customer, units, terms)| {
            // Round-ish totals, some with odd cents, so discounts and shares round.
            let minor = i64::from(units) * 100 + if terms == 1 { 37 } else { 0 };
            Op::Issue { customer, minor, terms }
        }),
        3 => (0..3u8, pick()).prop_map(|(customer, amount)| Op::Pay { customer, amount }),
        6 => apply,
        1 => any::<u8>().prop_map(Op::Unapply),
        1 => (any::<u8>(), pick()).prop_map(|(payment, amount)| Op::Refund { payment, amount }),
        1 => (0..3u8, any::<u8>(), pick()).prop_map(|(customer, invoice, amount)| Op::WriteOff { customer, invoice, amount }),
        1 => (0..3u8, any::<u8>()).prop_map(|(customer, invoice)| Op::Void { customer, invoice }),
        1 => (0..3u8, pick(), prop::option::of(any::<u8>())).prop_map(|(customer, amount, against)| Op::Credit { customer, amount, against }),
    ]
}

/// What one invoice receives from one application.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Parts {
    cash: i64,
    discount: i64,
    write_off: i64,
    deduction: i64,
}

#[derive(Debug, Clone)]
struct MInvoice {
    customer: usize,
    total: i64,
    date: NaiveDate,
    due: NaiveDate,
    /// The early-payment discount and its last day.
    offer: Option<(i64, NaiveDate)>,
    cash: i64,
    credited: i64,
    discounted: i64,
    written_off: i64,
    deducted: i64,
    void: bool,
}

impl MInvoice {
    fn open(&self) -> i64 {
        if self.void {
            return 0;
        }
        self.total - self.cash - self.credited - self.discounted - self.written_off - self.deducted
    }
    fn untouched(&self) -> bool {
        !self.void && self.open() == self.total
    }
    fn within(&self, minor: i64, tolerance: &WriteOffTolerance, currency: Currency) -> bool {
        let scale = currency.minor_units();
        let absolute = tolerance.absolute.map(|a| Decimal::new(minor, scale) <= a);
        let percent =
            tolerance.percent.map(|p| Decimal::from(minor) * Decimal::ONE_HUNDRED <= Decimal::from(self.total) * p);
        match (absolute, percent) {
            (None, None) => false,
            (a, p) => a.unwrap_or(true) && p.unwrap_or(true),
        }
    }
}

#[derive(Debug, Clone)]
struct MSource {
    customer: usize,
    amount: i64,
    applied: i64,
    refunded: i64,
    date: NaiveDate,
}

impl MSource {
    fn unapplied(&self) -> i64 {
        self.amount - self.applied - self.refunded
    }
}

#[derive(Debug, Clone)]
struct MApplication {
    source: CashSource,
    parts: BTreeMap<InvoiceId, Parts>,
    deductions: Vec<DeductionId>,
    reversed: bool,
}

/// The model: plain integers in minor units and the rules above.
#[derive(Debug, Clone, Default)]
struct Model {
    /// Invoices in issue order.
    invoices: Vec<(InvoiceId, MInvoice)>,
    payments: BTreeMap<PaymentId, MSource>,
    credits: BTreeMap<CreditMemoId, MSource>,
    applications: BTreeMap<ApplicationId, MApplication>,
    /// Deduction → (customer, amount, still open).
    deductions: BTreeMap<DeductionId, (usize, i64, bool)>,
    refunds: Vec<RefundId>,
}

/// Why the model refuses; only for the failure message.
type Refusal = &'static str;

/// What is left of `budget` after the cash the target stated for each invoice;
/// refused when the stated amounts are more than the money.
fn left_after_stated(parts: &[(InvoiceId, Parts)], budget: i64) -> Result<i64, Refusal> {
    let stated: i64 = parts.iter().map(|(_, p)| p.cash).sum();
    if stated > budget {
        return Err("specific amounts beyond the money");
    }
    Ok(budget - stated)
}

fn customer_index(customer: CustomerId) -> Option<usize> {
    let n = customer.as_uuid().as_u128();
    (1..=CUSTOMERS.len() as u128).contains(&n).then(|| (n - 1) as usize)
}

fn minor_of(money: Money, customer: usize) -> Result<i64, Refusal> {
    if money.currency() != CUSTOMERS[customer].0 {
        return Err("wrong currency");
    }
    Ok(money.minor())
}

/// Largest remainder, ties to the earlier index: the documented `allocate_minor` law.
fn largest_remainder(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<(i128, i128)> = weights
        .iter()
        .map(|w| (i128::from(total) * i128::from(*w) / sum, i128::from(total) * i128::from(*w) % sum))
        .collect();
    let mut parts: Vec<i64> = exact.iter().map(|(q, _)| *q as i64).collect();
    let mut left = total - parts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|a, b| exact[*b].1.cmp(&exact[*a].1).then(a.cmp(b)));
    for i in order {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
}

impl Model {
    fn inv(&self, id: InvoiceId) -> Option<&MInvoice> {
        self.invoices.iter().find(|(i, _)| *i == id).map(|(_, m)| m)
    }
    fn inv_mut(&mut self, id: InvoiceId) -> &mut MInvoice {
        &mut self.invoices.iter_mut().find(|(i, _)| *i == id).expect("model invoice").1
    }
    fn source(&self, source: CashSource) -> Option<&MSource> {
        match source {
            CashSource::Payment(p) => self.payments.get(&p),
            CashSource::CreditMemo(c) => self.credits.get(&c),
            _ => None,
        }
    }
    fn source_mut(&mut self, source: CashSource) -> &mut MSource {
        match source {
            CashSource::Payment(p) => self.payments.get_mut(&p).expect("model payment"),
            CashSource::CreditMemo(c) => self.credits.get_mut(&c).expect("model credit memo"),
            _ => unreachable!("only payments and credit memos"),
        }
    }

    /// Oldest due first: due date, document date, issue order.
    fn walk_key(&self, id: InvoiceId) -> (NaiveDate, NaiveDate, usize) {
        let order = self.invoices.iter().position(|(i, _)| *i == id).expect("model invoice");
        let m = &self.invoices[order].1;
        (m.due, m.date, order)
    }

    /// The discount `inv` earns from money received on `received`, if the cash settles the rest.
    /// The discount a stated cash amount takes on `m` (`Target::Specific`):
    /// the cash stands; the discount covers what it leaves open, up to the
    /// offer, when it settles the invoice: cash between net and gross, or short
    /// of net by no more than the tolerance (written off later).
    fn stated_cash(
        &self,
        m: &MInvoice,
        cash: i64,
        discounts: Option<(NaiveDate, u32)>,
        tolerance: &WriteOffTolerance,
        currency: Currency,
    ) -> Result<i64, Refusal> {
        if cash <= 0 || cash > m.open() {
            return Err("over-application or not positive");
        }
        let earnable = self.earnable(m, discounts);
        let short_of_net = m.open() - earnable - cash;
        Ok(if earnable > 0 && short_of_net <= 0 {
            m.open() - cash
        } else if earnable > 0 && m.within(short_of_net, tolerance, currency) {
            earnable
        } else {
            0
        })
    }

    fn earnable(&self, inv: &MInvoice, discounts: Option<(NaiveDate, u32)>) -> i64 {
        let (Some((amount, until)), Some((received, grace))) = (inv.offer, discounts) else { return 0 };
        let last = until + Days::new(u64::from(grace));
        if inv.untouched() && received <= last { amount } else { 0 }
    }

    /// Predicts a command: `Err` if it must be refused, otherwise the model moves
    /// to the state after it and returns what each invoice receives from an
    /// application (empty for other commands).
    fn execute(&mut self, today: NaiveDate, action: &Action) -> Result<BTreeMap<InvoiceId, Parts>, Refusal> {
        match action {
            Action::IssueInvoice(cmd) => {
                let customer = customer_index(cmd.customer).ok_or("unknown customer")?;
                if self.inv(cmd.invoice).is_some() {
                    return Err("duplicate invoice");
                }
                let total = Money::new(cmd.lines[0].unit_price, CUSTOMERS[customer].0).map_err(|_| "scale")?.minor();
                if total <= 0 {
                    return Err("not positive");
                }
                let discounted_terms = match &cmd.terms {
                    None => CUSTOMERS[customer].1,
                    Some(t) => !t.discounts.is_empty(),
                };
                let date = cmd.document_date;
                let net_days = match &cmd.terms {
                    Some(t) => match t.installments[0].due {
                        DueRule::DaysAfter(d) => d,
                        _ => unreachable!("the test issues net-N terms only"),
                    },
                    None => 30,
                };
                // 2 % of the total, half up, at the currency's scale.
                let offer = discounted_terms.then(|| ((total * 2 + 50) / 100, date + Days::new(10)));
                let m = MInvoice {
                    customer,
                    total,
                    date,
                    due: date + Days::new(u64::from(net_days)),
                    offer,
                    cash: 0,
                    credited: 0,
                    discounted: 0,
                    written_off: 0,
                    deducted: 0,
                    void: false,
                };
                self.invoices.push((cmd.invoice, m));
                Ok(BTreeMap::new())
            }
            Action::ReceivePayment(cmd) => {
                let customer = customer_index(cmd.customer).ok_or("unknown customer")?;
                let amount = minor_of(cmd.amount, customer)?;
                if amount <= 0 {
                    return Err("not positive");
                }
                let src = MSource { customer, amount, applied: 0, refunded: 0, date: cmd.received };
                self.payments.insert(cmd.payment, src);
                Ok(BTreeMap::new())
            }
            Action::IssueCreditMemo(cmd) => {
                let customer = customer_index(cmd.customer).ok_or("unknown customer")?;
                let total = Money::new(cmd.lines[0].unit_price, CUSTOMERS[customer].0).map_err(|_| "scale")?.minor();
                if total <= 0 {
                    return Err("not positive");
                }
                let mut src = MSource { customer, amount: total, applied: 0, refunded: 0, date: cmd.document_date };
                let mut parts = BTreeMap::new();
                if let Some(against) = cmd.against {
                    let inv = self.inv(against).ok_or("unknown invoice")?;
                    if inv.customer != customer || inv.void {
                        return Err("not the customer's open invoice");
                    }
                    let credit = total.min(inv.open());
                    src.applied = credit;
                    self.inv_mut(against).credited += credit;
                    parts.insert(against, Parts { cash: credit, ..Parts::default() });
                }
                self.credits.insert(cmd.credit_memo, src);
                Ok(parts)
            }
            Action::ApplyCash(cmd) => self.apply_cash(today, cmd),
            Action::Unapply { application } => {
                let app = self.applications.get(application).ok_or("unknown application")?.clone();
                if app.reversed {
                    return Err("already reversed");
                }
                for (id, p) in &app.parts {
                    let from_credit = matches!(app.source, CashSource::CreditMemo(_));
                    let inv = self.inv_mut(*id);
                    if from_credit {
                        inv.credited -= p.cash;
                    } else {
                        inv.cash -= p.cash;
                    }
                    inv.discounted -= p.discount;
                    inv.written_off -= p.write_off;
                    inv.deducted -= p.deduction;
                }
                self.source_mut(app.source).applied -= app.parts.values().map(|p| p.cash).sum::<i64>();
                for d in &app.deductions {
                    self.deductions.get_mut(d).expect("model deduction").2 = false;
                }
                self.applications.get_mut(application).expect("known").reversed = true;
                Ok(BTreeMap::new())
            }
            Action::Refund { refund, source, amount } => {
                let src = self.source(*source).ok_or("unknown source")?;
                let minor = minor_of(*amount, src.customer)?;
                if self.refunds.contains(refund) {
                    return Err("duplicate refund");
                }
                if minor <= 0 || minor > src.unapplied() {
                    return Err("refund beyond what is unapplied");
                }
                self.refunds.push(*refund);
                self.source_mut(*source).refunded += minor;
                Ok(BTreeMap::new())
            }
            Action::WriteOff { invoice, amount, .. } => {
                let inv = self.inv(*invoice).ok_or("unknown invoice")?;
                let minor = minor_of(*amount, inv.customer)?;
                if inv.void || minor <= 0 || minor > inv.open() {
                    return Err("write-off beyond what is open");
                }
                self.inv_mut(*invoice).written_off += minor;
                Ok(BTreeMap::new())
            }
            Action::VoidInvoice { invoice, .. } => {
                let inv = self.inv(*invoice).ok_or("unknown invoice")?;
                if !inv.untouched() {
                    return Err("void or has activity");
                }
                self.inv_mut(*invoice).void = true;
                Ok(BTreeMap::new())
            }
            _ => unreachable!("the model covers the commands the test sends"),
        }
    }

    fn apply_cash(&mut self, today: NaiveDate, cmd: &ApplyCash) -> Result<BTreeMap<InvoiceId, Parts>, Refusal> {
        if self.applications.contains_key(&cmd.application) {
            return Err("duplicate application");
        }
        let src = self.source(cmd.source).ok_or("unknown source")?.clone();
        let customer = src.customer;
        let currency = CUSTOMERS[customer].0;
        let unapplied = src.unapplied();
        let budget = match cmd.amount {
            None if unapplied <= 0 => return Err("nothing unapplied"),
            None => unapplied,
            Some(cap) => {
                let cap = minor_of(cap, customer)?;
                if cap <= 0 || cap > unapplied {
                    return Err("cap not positive or beyond what is unapplied");
                }
                cap
            }
        };
        let discounts = match cmd.source {
            CashSource::Payment(_) if cmd.policy.take_discounts => Some((src.date, cmd.policy.grace_days)),
            _ => None,
        };
        // Invoices the target names must be the customer's, not void, issued by now.
        let named = |ids: &mut dyn Iterator<Item = InvoiceId>| -> Result<Vec<InvoiceId>, Refusal> {
            let mut out = Vec::new();
            for id in ids {
                let inv = self.inv(id).ok_or("unknown invoice")?;
                if inv.customer != customer || inv.void || inv.date > today {
                    return Err("named invoice not the customer's open invoice");
                }
                out.push(id);
            }
            Ok(out)
        };
        let mut parts: Vec<(InvoiceId, Parts)> = Vec::new();
        let mut left = budget;
        match &cmd.target {
            Target::OldestDueFirst => {
                let mut open: Vec<(usize, &(InvoiceId, MInvoice))> = self
                    .invoices
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, m))| m.customer == customer && m.open() > 0 && m.date <= today)
                    .collect();
                open.sort_by_key(|(order, (_, m))| (m.due, m.date, *order));
                for (_, (id, m)) in open {
                    if left == 0 {
                        break;
                    }
                    let discount = self.earnable(m, discounts);
                    let p = if discount > 0 && left >= m.open() - discount {
                        Parts { cash: m.open() - discount, discount, ..Parts::default() }
                    } else {
                        Parts { cash: left.min(m.open()), ..Parts::default() }
                    };
                    left -= p.cash;
                    parts.push((*id, p));
                }
            }
            Target::Specific(pairs) => {
                let ids = named(&mut pairs.iter().map(|(i, _)| *i))?;
                for (id, (_, amount)) in ids.into_iter().zip(pairs) {
                    let m = self.inv(id).expect("named");
                    let cash = minor_of(*amount, customer)?;
                    let discount = self.stated_cash(m, cash, discounts, &cmd.policy.write_off, currency)?;
                    parts.push((id, Parts { cash, discount, ..Parts::default() }));
                }
                left = left_after_stated(&parts, budget)?;
            }
            Target::Remittance(lines) => {
                let ids = named(&mut lines.iter().map(|l| l.invoice))?;
                for (id, l) in ids.into_iter().zip(lines) {
                    let m = self.inv(id).expect("named");
                    let cash = minor_of(l.cash, customer)?;
                    let discount = match l.discount {
                        None => self.stated_cash(m, cash, discounts, &cmd.policy.write_off, currency)?,
                        Some(d) => {
                            let d = minor_of(d, customer)?;
                            if d < 0 || d > self.earnable(m, discounts) {
                                return Err("discount not offered");
                            }
                            if cash <= 0 || cash > m.open() - d {
                                return Err("over-application or not positive");
                            }
                            d
                        }
                    };
                    parts.push((id, Parts { cash, discount, ..Parts::default() }));
                }
                left = left_after_stated(&parts, budget)?;
            }
            Target::ProRata(ids) => {
                let mut ids = named(&mut ids.iter().copied())?;
                ids.dedup();
                // Met oldest due first, like every walk (the target's doc gives no order).
                ids.sort_by_key(|id| self.walk_key(*id));
                let settling: Vec<(i64, i64)> = ids
                    .iter()
                    .map(|id| {
                        let m = self.inv(*id).expect("named");
                        let discount = self.earnable(m, discounts);
                        (m.open() - discount, discount)
                    })
                    .collect();
                if budget >= settling.iter().map(|(cash, _)| cash).sum::<i64>() {
                    // Enough to settle every one: each takes what settles it.
                    for (id, (cash, discount)) in ids.into_iter().zip(settling) {
                        left -= cash;
                        parts.push((id, Parts { cash, discount, ..Parts::default() }));
                    }
                } else {
                    // Not enough to settle them: no discount, shares by open amount.
                    let opens: Vec<i64> = ids.iter().map(|i| self.inv(*i).expect("named").open()).collect();
                    for (id, cash) in ids.into_iter().zip(largest_remainder(budget, &opens)) {
                        left -= cash;
                        parts.push((id, Parts { cash, ..Parts::default() }));
                    }
                }
            }
            _ => unreachable!("the test sends three targets"),
        }
        parts.retain(|(_, p)| p.cash > 0 || p.discount > 0);
        if parts.is_empty() {
            return Err("nothing to apply");
        }
        let remittance = match &cmd.target {
            Target::Remittance(lines) => lines.as_slice(),
            _ => &[],
        };
        let short =
            matches!(cmd.target, Target::Specific(_) | Target::Remittance(_)) || (left == 0 && budget == unapplied);
        let mut ids = match &cmd.policy.short_pay {
            ShortPay::Deduction { ids, .. } => Some(ids.iter()),
            _ => None,
        };
        let mut opened = Vec::new();
        if short {
            for (k, (id, p)) in parts.iter_mut().enumerate() {
                let m = self.inv(*id).expect("reached");
                let residual = m.open() - p.cash - p.discount;
                if residual <= 0 {
                    continue;
                }
                match remittance.get(k).map(|l| &l.residual) {
                    None | Some(Residual::AsPolicy) => {}
                    Some(Residual::LeaveOpen) => continue,
                    Some(Residual::WriteOff) => {
                        p.write_off = residual;
                        continue;
                    }
                    Some(Residual::Deduction { id: deduction, .. }) => {
                        if self.deductions.contains_key(deduction) {
                            return Err("duplicate deduction id");
                        }
                        p.deduction = residual;
                        opened.push(*deduction);
                        self.deductions.insert(*deduction, (customer, residual, true));
                        continue;
                    }
                    Some(_) => unreachable!("the test sends these residuals"),
                }
                if m.within(residual, &cmd.policy.write_off, currency) {
                    p.write_off = residual;
                } else if let Some(ids) = ids.as_mut() {
                    let deduction = *ids.next().ok_or("deduction ids exhausted")?;
                    if self.deductions.contains_key(&deduction) {
                        return Err("duplicate deduction id");
                    }
                    p.deduction = residual;
                    opened.push(deduction);
                    self.deductions.insert(deduction, (customer, residual, true));
                }
            }
        }
        let from_credit = matches!(cmd.source, CashSource::CreditMemo(_));
        for (id, p) in &parts {
            let inv = self.inv_mut(*id);
            if from_credit {
                inv.credited += p.cash;
            } else {
                inv.cash += p.cash;
            }
            inv.discounted += p.discount;
            inv.written_off += p.write_off;
            inv.deducted += p.deduction;
        }
        self.source_mut(cmd.source).applied += parts.iter().map(|(_, p)| p.cash).sum::<i64>();
        let parts: BTreeMap<InvoiceId, Parts> = parts.into_iter().collect();
        let app = MApplication { source: cmd.source, parts: parts.clone(), deductions: opened, reversed: false };
        self.applications.insert(cmd.application, app);
        Ok(parts)
    }

    /// The engine's public answers must equal the model's state.
    fn check(&self, ledger: &Ledger) -> Result<(), TestCaseError> {
        for (id, m) in &self.invoices {
            let v = ledger.invoice(*id).ok_or_else(|| TestCaseError::fail("invoice missing"))?;
            let n = &v.number;
            prop_assert_eq!(v.total.minor(), m.total, "{} total", n);
            prop_assert_eq!(v.cash.minor(), m.cash, "{} cash", n);
            prop_assert_eq!(v.credited.minor(), m.credited, "{} credited", n);
            prop_assert_eq!(v.discounted.minor(), m.discounted, "{} discounted", n);
            prop_assert_eq!(v.written_off.minor(), m.written_off, "{} written off", n);
            prop_assert_eq!(v.deducted.minor(), m.deducted, "{} deducted", n);
            prop_assert_eq!(v.open.minor(), m.open(), "{} open", n);
            let settled = m.total - m.open();
            let status = v.status;
            let expected_status = match () {
                _ if m.void => status == InvoiceStatus::Void,
                _ if settled == 0 => status == InvoiceStatus::Open,
                _ if m.open() > 0 => status == InvoiceStatus::PartiallyPaid,
                _ if m.cash == 0 && m.credited == 0 => status == InvoiceStatus::WrittenOff,
                _ => matches!(status, InvoiceStatus::Paid | InvoiceStatus::Credited),
            };
            prop_assert!(expected_status, "{} has status {:?}; model {:?}", n, status, m);
            if !m.void {
                prop_assert_eq!(v.installments.len(), 1);
                let inst = &v.installments[0];
                prop_assert_eq!(inst.due_date, m.due, "{} due date", n);
                prop_assert_eq!(inst.open.minor(), m.open());
                // Offers are listed while the installment is untouched.
                let offers: Vec<(i64, NaiveDate)> =
                    inst.discounts.iter().map(|o| (o.amount.minor(), o.until)).collect();
                let expected: Vec<(i64, NaiveDate)> = m.offer.filter(|_| m.untouched()).into_iter().collect();
                prop_assert_eq!(offers, expected, "{} discount offers", n);
            }
        }
        for (k, (currency, _)) in CUSTOMERS.iter().enumerate() {
            let c = CustomerId::from_u128(k as u128 + 1);
            let open: i64 = self.invoices.iter().filter(|(_, m)| m.customer == k).map(|(_, m)| m.open()).sum();
            let cash: i64 = self.payments.values().filter(|s| s.customer == k).map(MSource::unapplied).sum();
            let credit: i64 = self.credits.values().filter(|s| s.customer == k).map(MSource::unapplied).sum();
            let deductions: i64 =
                self.deductions.values().filter(|(owner, _, open)| *owner == k && *open).map(|(_, a, _)| a).sum();
            let b = ledger.balance(c).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(b.open_invoices.minor(), open, "customer {} open invoices", k);
            prop_assert_eq!(b.unapplied_cash.minor(), cash, "customer {} unapplied cash", k);
            prop_assert_eq!(b.unapplied_credit.minor(), credit, "customer {} unapplied credit", k);
            prop_assert_eq!(b.open_deductions.minor(), deductions, "customer {} open deductions", k);
            prop_assert_eq!(b.balance.minor(), open + deductions - cash - credit);
            prop_assert_eq!(b.balance.currency(), *currency);

            // One customer's deductions, read from its own list, are the
            // ledger's list cut to that customer; the open ones the model's.
            let of_customer = ledger.deductions(Some(c), None);
            let all = ledger.deductions(None, None);
            prop_assert_eq!(&of_customer, &all.into_iter().filter(|d| d.customer == c).collect::<Vec<_>>());
            let open_ids: BTreeSet<DeductionId> =
                ledger.deductions(Some(c), Some(DeductionStatus::Open)).iter().map(|d| d.deduction).collect();
            let model_open: BTreeSet<DeductionId> = self
                .deductions
                .iter()
                .filter(|(_, (owner, _, open))| *owner == k && *open)
                .map(|(id, _)| *id)
                .collect();
            prop_assert_eq!(open_ids, model_open, "customer {} open deductions", k);

            let mut expected: BTreeMap<DocumentRef, i64> = BTreeMap::new();
            for (id, m) in self.invoices.iter().filter(|(_, m)| m.customer == k && m.open() > 0) {
                expected.insert(DocumentRef::Invoice(*id), m.open());
            }
            for (id, s) in self.payments.iter().filter(|(_, s)| s.customer == k && s.unapplied() > 0) {
                expected.insert(DocumentRef::Payment(*id), -s.unapplied());
            }
            for (id, s) in self.credits.iter().filter(|(_, s)| s.customer == k && s.unapplied() > 0) {
                expected.insert(DocumentRef::CreditMemo(*id), -s.unapplied());
            }
            for (id, (_, amount, _)) in self.deductions.iter().filter(|(_, (o, _, open))| *o == k && *open) {
                expected.insert(DocumentRef::Deduction(*id), *amount);
            }
            let items: BTreeMap<DocumentRef, i64> = ledger
                .open_items(c)
                .map_err(|e| TestCaseError::fail(e.to_string()))?
                .iter()
                .map(|i| (i.document, i.open.minor()))
                .collect();
            prop_assert_eq!(items, expected, "customer {} open items", k);

            let unapplied: BTreeMap<CashSource, i64> = ledger
                .unapplied(c)
                .map_err(|e| TestCaseError::fail(e.to_string()))?
                .iter()
                .map(|u| (u.source, u.amount.minor()))
                .collect();
            let mut expected: BTreeMap<CashSource, i64> = BTreeMap::new();
            for (id, s) in self.payments.iter().filter(|(_, s)| s.customer == k && s.unapplied() > 0) {
                expected.insert(CashSource::Payment(*id), s.unapplied());
            }
            for (id, s) in self.credits.iter().filter(|(_, s)| s.customer == k && s.unapplied() > 0) {
                expected.insert(CashSource::CreditMemo(*id), s.unapplied());
            }
            prop_assert_eq!(unapplied, expected, "customer {} unapplied", k);
        }
        Ok(())
    }
}

/// What the engine's `CashApplied` event gives each invoice.
fn applied_parts(events: &[Event]) -> BTreeMap<InvoiceId, Parts> {
    let mut parts: BTreeMap<InvoiceId, Parts> = BTreeMap::new();
    for e in events {
        let Change::CashApplied(a) = &e.change else { continue };
        for x in &a.allocations {
            let p = parts.entry(x.invoice).or_default();
            p.cash += x.cash.minor();
            p.discount += x.discount.minor();
        }
        for w in &a.write_offs {
            parts.entry(w.invoice).or_default().write_off += w.amount.minor();
        }
        for d in &a.deductions {
            parts.entry(d.invoice).or_default().deduction += d.amount.minor();
        }
    }
    parts.retain(|_, p| *p != Parts::default());
    parts
}

struct Driver {
    desk: Desk,
    model: Model,
    serial: u128,
    payments: Vec<PaymentId>,
    credits: Vec<CreditMemoId>,
    applications: Vec<ApplicationId>,
    /// Figures for the report: accepted and refused commands per kind.
    tally: BTreeMap<&'static str, (u32, u32)>,
}

impl Driver {
    fn new() -> Self {
        let mut desk = Desk::new();
        for (k, (currency, discounted)) in CUSTOMERS.iter().enumerate() {
            let terms = if *discounted { PaymentTerms::two_ten_net_30() } else { PaymentTerms::net_30() };
            desk.customer(k as u128 + 1, *currency, terms);
        }
        Driver {
            desk,
            model: Model::default(),
            serial: 1000,
            payments: Vec::new(),
            credits: Vec::new(),
            applications: Vec::new(),
            tally: BTreeMap::new(),
        }
    }

    fn id(&mut self) -> u128 {
        self.serial += 1;
        self.serial
    }

    /// One of the customer's invoices: mostly an open one, now and then any (paid,
    /// void) so that refusals come up too.
    fn invoice_of(&self, customer: usize, k: u8) -> Option<InvoiceId> {
        let own = self.model.invoices.iter().filter(|(_, m)| m.customer == customer);
        let open: Vec<InvoiceId> = own.clone().filter(|(_, m)| m.open() > 0).map(|(i, _)| *i).collect();
        let all: Vec<InvoiceId> = own.map(|(i, _)| *i).collect();
        pick_from(if open.is_empty() || k.is_multiple_of(8) { &all } else { &open }, k / 8)
    }

    fn resolve(&self, pick: Pick, customer: usize, source: Option<CashSource>) -> Money {
        let currency = CUSTOMERS[customer].0;
        let received = source.and_then(|s| self.model.source(s)).map_or(self.desk.today, |s| s.date);
        let discounts = Some((received, 0));
        let minor = match pick {
            Pick::Raw(m) => m,
            Pick::Open(k, d) => {
                self.invoice_of(customer, k).and_then(|i| self.model.inv(i)).map_or(100, |m| m.open()) + i64::from(d)
            }
            Pick::Net(k, d) => {
                self.invoice_of(customer, k)
                    .and_then(|i| self.model.inv(i))
                    .map_or(100, |m| m.open() - self.model.earnable(m, discounts))
                    + i64::from(d)
            }
            Pick::AllOpen(d) => {
                self.model.invoices.iter().filter(|(_, m)| m.customer == customer).map(|(_, m)| m.open()).sum::<i64>()
                    + i64::from(d)
            }
            Pick::Unapplied(d) => {
                source.and_then(|s| self.model.source(s)).map_or(100, MSource::unapplied) + i64::from(d)
            }
        };
        Money::from_minor(minor, currency).expect("small amount")
    }

    /// Remittance lines for `pairs`: a stated discount as a delta on what the
    /// invoice offers, and a residual; a reused deduction id is the previous
    /// line's, else one the ledger already has, so both kinds of clash come up.
    fn remittance(
        &mut self,
        pairs: Vec<(InvoiceId, Money)>,
        remit: &[(u8, Option<i8>, bool)],
        source: CashSource,
        customer: usize,
        grace: Option<u8>,
    ) -> Vec<RemittanceLine> {
        let currency = CUSTOMERS[customer].0;
        let discounts = match (source, self.model.source(source), grace) {
            (CashSource::Payment(_), Some(src), Some(grace)) => Some((src.date, u32::from(grace))),
            _ => None,
        };
        let mut last_id = None;
        let mut lines = Vec::new();
        for ((invoice, cash), (residual, delta, fit)) in pairs.into_iter().zip(remit) {
            let Some(m) = self.model.inv(invoice) else { continue };
            let discount = delta.map(|d| self.model.earnable(m, discounts) + i64::from(d));
            // Mostly cash that fits, so that most remittances reach their residuals.
            let room = m.open() - discount.unwrap_or(0).max(0);
            let cash = if *fit && room > 0 { cash.minor().min(room) } else { cash.minor() };
            let mut line = RemittanceLine::new(invoice, Money::from_minor(cash, currency).expect("small"));
            if let Some(d) = discount {
                line = line.discount(Money::from_minor(d, currency).expect("small"));
            }
            let reason = DeductionReason::Pricing;
            line.residual = match residual {
                0 => Residual::AsPolicy,
                1 => Residual::LeaveOpen,
                2 => Residual::WriteOff,
                3 => Residual::Deduction { id: DeductionId::from_u128(self.id()), reason },
                _ => {
                    let known = self.model.deductions.keys().next().copied();
                    let id = last_id.or(known).unwrap_or_else(|| DeductionId::from_u128(self.id()));
                    Residual::Deduction { id, reason }
                }
            };
            if let Residual::Deduction { id, .. } = line.residual {
                last_id = Some(id);
            }
            lines.push(line);
        }
        lines
    }

    fn action(&mut self, op: &Op) -> Option<Action> {
        let today = self.desk.today;
        Some(match op {
            Op::Wait(_) => return None,
            Op::Issue { customer, minor, terms } => {
                let k = usize::from(*customer);
                let n = self.id();
                let price = Money::from_minor(*minor, CUSTOMERS[k].0).expect("small").amount();
                let mut cmd = self.desk.issue_cmd(n, CustomerId::from_u128(k as u128 + 1), today, price);
                cmd.terms = match terms {
                    0 => None,
                    1 => Some(PaymentTerms::net(15)),
                    _ => Some(PaymentTerms::two_ten_net_30()),
                };
                Action::IssueInvoice(cmd)
            }
            Op::Pay { customer, amount } => {
                let k = usize::from(*customer);
                let n = self.id();
                self.payments.push(PaymentId::from_u128(n));
                let amount = self.resolve(*amount, k, None);
                Action::ReceivePayment(pay_cmd(n, CustomerId::from_u128(k as u128 + 1), today, amount))
            }
            Op::Apply(a) => {
                let all: Vec<CashSource> = if a.from_credit {
                    self.credits.iter().map(|c| CashSource::CreditMemo(*c)).collect()
                } else {
                    self.payments.iter().map(|p| CashSource::Payment(*p)).collect()
                };
                // Mostly money that is there to apply; now and then any source.
                let live: Vec<CashSource> =
                    all.iter().copied().filter(|s| self.model.source(*s).is_some_and(|m| m.unapplied() > 0)).collect();
                let source =
                    pick_from(if live.is_empty() || a.source.is_multiple_of(8) { &all } else { &live }, a.source / 8)?;
                let customer = self.model.source(source)?.customer;
                let mut seen = Vec::new();
                let mut pairs = Vec::new();
                for (k, amount) in &a.pairs {
                    let Some(i) = self.invoice_of(customer, *k) else { continue };
                    if !seen.contains(&i) {
                        seen.push(i);
                        // A remittance states amounts about the invoice it names.
                        let own = match *amount {
                            Pick::Open(_, d) => Pick::Open(*k, d),
                            Pick::Net(_, d) => Pick::Net(*k, d),
                            // Part payments, so that several invoices fit the money.
                            Pick::Raw(m) => Pick::Raw(m / 8 + 1),
                            other => other,
                        };
                        pairs.push((i, self.resolve(own, customer, Some(source))));
                    }
                }
                let target = match a.target {
                    0 | 1 => Target::OldestDueFirst,
                    2 => Target::Specific(pairs),
                    3 => Target::ProRata(seen),
                    _ => Target::Remittance(self.remittance(
                        pairs,
                        &a.remit,
                        source,
                        customer,
                        a.discounts.then_some(a.grace),
                    )),
                };
                let mut policy = ApplicationPolicy::new().discount_grace_days(u32::from(a.grace));
                if !a.discounts {
                    policy = policy.no_discounts();
                }
                if let Some(t) = a.tolerance_minor {
                    policy = policy.write_off_up_to(Decimal::new(t, CUSTOMERS[customer].0.minor_units()));
                }
                if let Some(p) = a.tolerance_percent {
                    policy = policy.write_off_up_to_percent(Decimal::from(p));
                }
                if a.deduct {
                    let ids = (0..2).map(|_| DeductionId::from_u128(self.id())).collect();
                    policy = policy.deduct_short_pay(ids, DeductionReason::Shortage);
                }
                let application = ApplicationId::from_u128(self.id());
                self.applications.push(application);
                Action::ApplyCash(ApplyCash {
                    application,
                    source,
                    amount: a.cap.map(|p| self.resolve(p, customer, Some(source))),
                    target,
                    policy,
                })
            }
            Op::Unapply(k) => {
                // Mostly an application standing; now and then any id sent, refused ones too.
                let standing: Vec<ApplicationId> =
                    self.model.applications.iter().filter(|(_, a)| !a.reversed).map(|(id, _)| *id).collect();
                let list = if standing.is_empty() || k.is_multiple_of(4) { &self.applications } else { &standing };
                Action::Unapply { application: pick_from(list, k / 4)? }
            }
            Op::Refund { payment, amount } => {
                let source = CashSource::Payment(pick_from(&self.payments, *payment)?);
                let customer = self.model.source(source)?.customer;
                Action::Refund {
                    refund: RefundId::from_u128(self.id()),
                    source,
                    amount: self.resolve(*amount, customer, Some(source)),
                }
            }
            Op::WriteOff { customer, invoice, amount } => {
                let k = usize::from(*customer);
                let invoice = self.invoice_of(k, *invoice)?;
                Action::WriteOff { invoice, amount: self.resolve(*amount, k, None), reason: "bad debt".into() }
            }
            Op::Void { customer, invoice } => {
                Action::VoidInvoice { invoice: self.invoice_of(usize::from(*customer), *invoice)?, reason: "x".into() }
            }
            Op::Credit { customer, amount, against } => {
                let k = usize::from(*customer);
                let n = self.id();
                self.credits.push(CreditMemoId::from_u128(n));
                let against = against.and_then(|a| self.invoice_of(k, a));
                let amount = self.resolve(*amount, k, None);
                Action::IssueCreditMemo(IssueCreditMemo {
                    credit_memo: CreditMemoId::from_u128(n),
                    number: format!("CM-{n}"),
                    customer: CustomerId::from_u128(k as u128 + 1),
                    document_date: today,
                    lines: vec![line(amount.amount())],
                    against,
                    reason: "returned goods".into(),
                    tax_rounding: TaxRounding::PerLine,
                    rounding: Rounding::HalfUp,
                })
            }
        })
    }

    fn step(&mut self, op: &Op) -> Result<(), TestCaseError> {
        if let Op::Wait(days) = op {
            self.desk.today = self.desk.today + Days::new(u64::from(*days));
            return Ok(());
        }
        let Some(action) = self.action(op) else { return Ok(()) };
        let kind = kind(&action);
        let mut predicted = self.model.clone();
        let prediction = predicted.execute(self.desk.today, &action);
        let before = self.desk.ledger.clone();
        let outcome = self.desk.run(action.clone());
        let tally = self.tally.entry(kind).or_default();
        match (prediction, outcome) {
            (Err(why), Err(error)) => {
                tally.1 += 1;
                self.tally.entry(why).or_default().1 += 1;
                prop_assert!(self.desk.ledger == before, "a refused command changed the ledger: {}", error);
            }
            (Ok(parts), Ok(events)) => {
                tally.0 += 1;
                if matches!(action, Action::ApplyCash(_)) {
                    prop_assert_eq!(
                        applied_parts(&events),
                        parts.clone(),
                        "the application's parts per invoice: {:?}",
                        action
                    );
                }
                for (id, p) in &parts {
                    let open = predicted.inv(*id).map_or(0, MInvoice::open);
                    let t = self.tally.entry("invoice with discount").or_default();
                    t.0 += u32::from(p.discount > 0);
                    let t = self.tally.entry("invoice with write-off").or_default();
                    t.0 += u32::from(p.write_off > 0);
                    let t = self.tally.entry("invoice with deduction").or_default();
                    t.0 += u32::from(p.deduction > 0);
                    let t = self.tally.entry("invoice settled exactly").or_default();
                    t.0 += u32::from(open == 0 && p.write_off == 0 && p.deduction == 0);
                }
                self.model = predicted;
            }
            (Err(why), Ok(_)) => {
                return Err(TestCaseError::fail(format!(
                    "the model refuses ({why}) but the engine accepted {action:?}"
                )));
            }
            (Ok(parts), Err(error)) => {
                return Err(TestCaseError::fail(format!(
                    "the model accepts ({parts:?}) but the engine refused: {error}; {action:?}"
                )));
            }
        }
        self.model.check(&self.desk.ledger)
    }
}

fn pick_from<T: Copy>(list: &[T], k: u8) -> Option<T> {
    (!list.is_empty()).then(|| list[usize::from(k) % list.len()])
}

fn kind(action: &Action) -> &'static str {
    match action {
        Action::IssueInvoice(_) => "issue",
        Action::ReceivePayment(_) => "pay",
        Action::IssueCreditMemo(c) if c.against.is_some() => "credit against",
        Action::IssueCreditMemo(_) => "credit on account",
        Action::ApplyCash(a) => match (&a.target, a.source) {
            (_, CashSource::CreditMemo(_)) => "apply credit",
            (Target::OldestDueFirst, _) => "apply oldest",
            (Target::Specific(_), _) => "apply specific",
            (Target::Remittance(_), _) => "apply remittance",
            _ => "apply pro rata",
        },
        Action::Unapply { .. } => "unapply",
        Action::Refund { .. } => "refund",
        Action::WriteOff { .. } => "write off",
        Action::VoidInvoice { .. } => "void",
        _ => "other",
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn the_engine_decides_as_the_documented_rules_predict(ops in prop::collection::vec(op(), 1..60)) {
        let mut driver = Driver::new();
        for op in &ops {
            driver.step(op)?;
        }
        if std::env::var_os("AR_MODEL_FIGURES").is_some() {
            eprintln!("tally {:?}", driver.tally);
        }
    }
}
