//! `Target::OldestDueFirst` settles a customer's invoices in collection order
//! (first due date, document date, issue order), passing over what is
//! disputed; `Target::FeesFirst` settles the fee and interest debit memos
//! first, then everything else, each group in that order. The ledger keeps a
//! customer's open fees, and its invoices disputed in full, in sets of their
//! own, instead of sorting the whole open set on every application or walking
//! past every disputed invoice; these properties hold both targets to the rule
//! computed from the invoices' views, through payments, voids, disputes opened
//! and resolved, and reversals, and check that a replay rebuilds the same sets.

mod common;

use ar_core::*;
use chrono::{Days, NaiveDate};
use common::{Desk, date, money};
use proptest::prelude::*;
use rust_decimal::Decimal;

#[derive(Debug, Clone)]
enum Op {
    /// (customer, kind, day, terms, price in dollars)
    Issue(u8, u8, u32, u8, u32),
    /// (customer, amount in dollars, fees first or oldest due first)
    Pay(u8, u32, bool),
    /// Void the k-th issued document (refused once anything touched it).
    Void(usize),
    /// Dispute the k-th issued document: all that is collectible, or a part.
    Dispute(usize, bool),
    /// Resolve the k-th dispute opened: rejected, or credited.
    Resolve(usize, bool),
    /// Reverse the k-th application made (reopening what it paid).
    Unapply(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (0..2u8, 0..4u8, 0..90u32, 0..4u8, 1..400u32).prop_map(|(c, k, d, t, p)| Op::Issue(c, k, d, t, p)),
        4 => (0..2u8, 1..900u32, any::<bool>()).prop_map(|(c, a, f)| Op::Pay(c, a, f)),
        1 => (0..200usize).prop_map(Op::Void),
        1 => (0..200usize, any::<bool>()).prop_map(|(k, all)| Op::Dispute(k, all)),
        1 => (0..200usize).prop_map(Op::Unapply),
        1 => (0..200usize, any::<bool>()).prop_map(|(k, credited)| Op::Resolve(k, credited)),
    ]
}

fn kind(k: u8) -> InvoiceKind {
    match k {
        0 => InvoiceKind::Invoice,
        1 => InvoiceKind::DebitMemo(DebitReason::Fee),
        2 => InvoiceKind::DebitMemo(DebitReason::Interest),
        _ => InvoiceKind::DebitMemo(DebitReason::Other("freight".into())),
    }
}

/// Net 10, net 30, due on receipt, or two halves whose second falls due first.
fn terms(t: u8) -> PaymentTerms {
    match t {
        0 => PaymentTerms::net(10),
        1 => PaymentTerms::net_30(),
        2 => PaymentTerms::due_on_receipt(),
        _ => PaymentTerms {
            name: "half in 60, half in 20".into(),
            installments: vec![
                InstallmentRule { portion: Portion::Percent(Decimal::from(50)), due: DueRule::DaysAfter(60) },
                InstallmentRule { portion: Portion::Percent(Decimal::from(50)), due: DueRule::DaysAfter(20) },
            ],
            discounts: vec![],
            discount_base: DiscountBase::Total,
        },
    }
}

struct Book {
    desk: Desk,
    customers: [CustomerId; 2],
    /// Every document issued, in issue order, with its customer.
    issued: Vec<(InvoiceId, usize)>,
    /// Every application made.
    applications: Vec<ApplicationId>,
    /// Every dispute opened.
    disputes: Vec<DisputeId>,
    start: NaiveDate,
}

impl Book {
    fn new() -> Self {
        let mut desk = Desk::new();
        let customers = [
            desk.customer(1, Currency::USD, PaymentTerms::net_30()),
            desk.customer(2, Currency::USD, PaymentTerms::net(10)),
        ];
        Book {
            desk,
            customers,
            issued: Vec::new(),
            applications: Vec::new(),
            disputes: Vec::new(),
            start: date(2026, 1, 1),
        }
    }

    fn usd(&self, dollars: u32) -> Money {
        money(Decimal::from(dollars), Currency::USD)
    }

    fn issue(&mut self, c: usize, k: u8, day: u32, t: u8, price: u32) {
        let n = 1_000 + self.issued.len() as u128;
        let on = self.start + Days::new(u64::from(day));
        let mut cmd = self.desk.issue_cmd(n, self.customers[c], on, Decimal::from(price));
        cmd.kind = kind(k);
        cmd.terms = Some(terms(t));
        // Documents may be dated before the desk's day: a host books late.
        self.desk.ok(Action::IssueInvoice(cmd));
        self.issued.push((InvoiceId::from_u128(n), c));
    }

    /// What the rule gives for `amount` of customer `c`'s cash today: the
    /// documents issued by today with something collectible, in collection
    /// order (fees first if `fees_first`), each taking what is left up to its
    /// collectible amount.
    fn expected(&self, c: usize, amount: i64, fees_first: bool) -> Vec<(InvoiceId, i64)> {
        let mut open: Vec<(bool, NaiveDate, NaiveDate, usize, InvoiceId, i64)> = Vec::new();
        for (order, (id, owner)) in self.issued.iter().enumerate() {
            let v = self.desk.view(*id);
            let collectible = v.open.minor() - v.disputed.minor();
            if *owner != c || collectible <= 0 || v.document_date > self.desk.today {
                continue;
            }
            let fee = matches!(v.kind, InvoiceKind::DebitMemo(DebitReason::Fee | DebitReason::Interest));
            let first_due = v.installments.first().map_or(v.document_date, |i| i.due_date);
            open.push((fees_first && !fee, first_due, v.document_date, order, *id, collectible));
        }
        open.sort();
        let mut left = amount;
        let mut out = Vec::new();
        for (.., id, collectible) in open {
            if left == 0 {
                break;
            }
            let cash = left.min(collectible);
            out.push((id, cash));
            left -= cash;
        }
        out
    }

    fn pay(&mut self, c: usize, dollars: u32, fees_first: bool, n: u128) -> Result<(), TestCaseError> {
        self.desk.today = self.desk.today + Days::new(1);
        let amount = self.usd(dollars);
        let payment = self.desk.pay(n, self.customers[c], self.desk.today, amount);
        let target = if fees_first { Target::FeesFirst } else { Target::OldestDueFirst };
        let expected = self.expected(c, amount.minor(), fees_first);
        let result = self.desk.apply(n, payment, target, ApplicationPolicy::new());
        if result.is_ok() {
            self.applications.push(ApplicationId::from_u128(n));
        }
        let events = match result {
            Ok(events) => events,
            Err(LedgerError::NothingToApply { .. }) => {
                prop_assert!(expected.is_empty(), "refused, but the rule pays {:?}", expected);
                return Ok(());
            }
            Err(e) => return Err(TestCaseError::fail(format!("refused: {e}"))),
        };
        let applied: Vec<(InvoiceId, i64)> = events
            .iter()
            .filter_map(|e| match &e.change {
                Change::CashApplied(doc) => Some(doc.allocations.iter().map(|a| (a.invoice, a.cash.minor()))),
                _ => None,
            })
            .flatten()
            .collect();
        prop_assert_eq!(applied, expected);
        Ok(())
    }

    fn void(&mut self, k: usize) {
        if let Some((invoice, _)) = self.issued.get(k % self.issued.len().max(1)).copied() {
            let _ = self.desk.run(Action::VoidInvoice { invoice, reason: "issued in error".into() });
        }
    }

    fn dispute(&mut self, k: usize, all: bool, n: u128) {
        let Some((invoice, _)) = self.issued.get(k % self.issued.len().max(1)).copied() else { return };
        let v = self.desk.view(invoice);
        let collectible = v.open.minor() - v.disputed.minor();
        let minor = if all { collectible } else { collectible / 2 };
        if minor > 0 {
            let amount = Money::from_minor(minor, Currency::USD).expect("an amount of the invoice");
            let dispute = DisputeId::from_u128(n);
            if self.desk.run(Action::OpenDispute { dispute, invoice, amount, reason: "damaged".into() }).is_ok() {
                self.disputes.push(dispute);
            }
        }
    }

    fn resolve(&mut self, k: usize, credited: bool, n: u128) {
        let Some(dispute) = self.disputes.get(k % self.disputes.len().max(1)).copied() else { return };
        let resolution = if credited {
            DisputeResolution::Credited { credit_memo: CreditMemoId::from_u128(n), number: format!("CM-{n}") }
        } else {
            DisputeResolution::Rejected
        };
        // Refused once the dispute is resolved.
        let _ = self.desk.run(Action::ResolveDispute { dispute, resolution });
    }

    fn unapply(&mut self, k: usize) {
        if let Some(application) = self.applications.get(k % self.applications.len().max(1)).copied() {
            let _ = self.desk.run(Action::Unapply { application });
        }
    }

    /// The replayed ledger equals the live one, and each customer's open
    /// items list every document with something open, disputed or not.
    fn replay_is_equal(&self) -> Result<(), TestCaseError> {
        let replayed = Ledger::replay(LedgerConfig::new(), self.desk.ledger.journal()).expect("the journal replays");
        prop_assert!(replayed == self.desk.ledger, "replay differs from the live ledger");
        for (c, customer) in self.customers.iter().enumerate() {
            let mut listed: Vec<DocumentRef> = self
                .desk
                .ledger
                .open_items(*customer)
                .expect("a known customer")
                .into_iter()
                .map(|item| item.document)
                .filter(|d| matches!(d, DocumentRef::Invoice(_)))
                .collect();
            let mut open: Vec<DocumentRef> = self
                .issued
                .iter()
                .filter(|(id, owner)| *owner == c && self.desk.view(*id).open.is_positive())
                .map(|(id, _)| DocumentRef::Invoice(*id))
                .collect();
            listed.sort();
            open.sort();
            prop_assert_eq!(listed, open);
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Every fees-first and oldest-first application pays what the rule
    /// computed from the views pays, invoice by invoice and in that order; the
    /// replayed ledger equals the live one at the end.
    #[test]
    fn cash_is_applied_in_collection_order_fees_first_when_asked(ops in prop::collection::vec(op(), 1..80)) {
        let mut book = Book::new();
        for (step, op) in ops.into_iter().enumerate() {
            let n = 100_000 + step as u128;
            match op {
                Op::Issue(c, k, day, t, price) => book.issue(usize::from(c), k, day, t, price),
                Op::Pay(c, dollars, fees_first) => book.pay(usize::from(c), dollars, fees_first, n)?,
                Op::Void(k) => book.void(k),
                Op::Dispute(k, all) => book.dispute(k, all, n),
                Op::Unapply(k) => book.unapply(k),
                Op::Resolve(k, credited) => book.resolve(k, credited, n),
            }
        }
        book.replay_is_equal()?;
    }
}

/// Past 64 open fees a customer's set of them changes representation, and
/// back below 32; each payment pays about one document, so the set shrinks
/// through the change while the rule is checked on every application.
#[test]
fn many_open_fees_are_paid_in_the_rules_order() {
    let mut book = Book::new();
    for k in 0..300u32 {
        // Fees and invoices interleaved, with terms that put some of them due first.
        book.issue(0, (k % 3) as u8, k % 50, (k % 4) as u8, 10 + k % 7);
    }
    for k in 0..300u128 {
        book.pay(0, 13, k % 5 != 4, 500_000 + k).expect("the rule's order");
    }
    book.replay_is_equal().expect("replay");
}
