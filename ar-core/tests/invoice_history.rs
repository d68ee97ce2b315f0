//! An invoice's history lists every application that touched it, in the
//! order applied, with what each did to it: the sums of its lines in the
//! `CashApplied` event. An application settling more than 32 invoices keeps
//! its parts sorted by invoice so the history reads them without scanning
//! the remittance; these properties hold both paths to sums computed from the
//! journal, through remittances with write-offs and deductions, credit memos
//! spread pro rata, oldest-first payments and reversals.

mod common;

use ar_core::*;
use common::{Desk, date, line};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// What the remittance says of one invoice: (cash share in percent of its
/// open amount, what becomes of the rest).
type Paid = (u8, u8);

fn usd(minor: i64) -> Money {
    Money::from_minor(minor, Currency::USD).expect("an amount in range")
}

struct Book {
    desk: Desk,
    customer: CustomerId,
    invoices: Vec<InvoiceId>,
    next: u128,
}

impl Book {
    fn new(prices: &[u32]) -> Self {
        let mut desk = Desk::new();
        // 2/10 net 30, paid within ten days: cash comes with discounts.
        let customer = desk.customer(1, Currency::USD, PaymentTerms::two_ten_net_30());
        let invoices = prices
            .iter()
            .enumerate()
            .map(|(k, p)| desk.invoice(10 + k as u128, customer, date(2026, 1, 25), Decimal::from(*p)))
            .collect();
        Book { desk, customer, invoices, next: 10_000 }
    }

    fn id(&mut self) -> u128 {
        self.next += 1;
        self.next
    }

    /// A payment for what the remittance pays, applied line by line.
    fn remittance(&mut self, paid: &[(usize, Paid)]) -> Option<ApplicationId> {
        let mut lines = Vec::new();
        let mut total = 0;
        for (k, (share, rest)) in paid {
            let invoice = self.invoices[k % self.invoices.len()];
            if lines.iter().any(|l: &RemittanceLine| l.invoice == invoice) {
                continue;
            }
            let open = self.desk.view(invoice).open.minor();
            let cash = open * i64::from(*share) / 100;
            if cash <= 0 {
                continue;
            }
            let residual = match rest % 3 {
                0 => Residual::LeaveOpen,
                1 => Residual::WriteOff,
                _ => Residual::Deduction { id: DeductionId::from_u128(self.id()), reason: DeductionReason::Pricing },
            };
            total += cash;
            lines.push(RemittanceLine::new(invoice, usd(cash)).residual(residual));
        }
        if lines.is_empty() {
            return None;
        }
        self.apply_payment(total, Target::Remittance(lines))
    }

    fn apply_payment(&mut self, amount: i64, target: Target) -> Option<ApplicationId> {
        let n = self.id();
        let payment = self.desk.pay(n, self.customer, date(2026, 2, 1), usd(amount));
        let applied = self.desk.apply(n, payment, target, ApplicationPolicy::new()).is_ok();
        applied.then(|| ApplicationId::from_u128(n))
    }

    /// A credit memo on account, spread pro rata over the chosen invoices.
    fn credit_pro_rata(&mut self, amount: u32, chosen: &[usize]) -> Option<ApplicationId> {
        let n = self.id();
        let credit_memo = CreditMemoId::from_u128(n);
        self.desk.ok(Action::IssueCreditMemo(IssueCreditMemo {
            credit_memo,
            number: format!("CM-{n}"),
            customer: self.customer,
            document_date: date(2026, 2, 1),
            lines: vec![line(Decimal::from(amount))],
            against: None,
            reason: "volume rebate".into(),
            tax_rounding: TaxRounding::PerLine,
            rounding: Rounding::HalfUp,
        }));
        let ids: Vec<InvoiceId> = chosen.iter().map(|k| self.invoices[k % self.invoices.len()]).collect();
        let application = ApplicationId::from_u128(n);
        let source = CashSource::CreditMemo(credit_memo);
        let apply = ApplyCash {
            application,
            source,
            amount: None,
            target: Target::ProRata(ids),
            policy: ApplicationPolicy::new(),
        };
        self.desk.run(Action::ApplyCash(apply)).is_ok().then_some(application)
    }

    /// Each invoice's history as the journal tells it: every `CashApplied`
    /// naming the invoice, its lines summed, reversed if a later event says so.
    fn history_from_journal(&self, invoice: InvoiceId) -> Vec<HistoryEntry> {
        let mut out: Vec<HistoryEntry> = Vec::new();
        for event in self.desk.ledger.journal() {
            match &event.change {
                Change::CashApplied(doc) => {
                    let cash: i64 =
                        doc.allocations.iter().filter(|a| a.invoice == invoice).map(|a| a.cash.minor()).sum();
                    let discount: i64 =
                        doc.allocations.iter().filter(|a| a.invoice == invoice).map(|a| a.discount.minor()).sum();
                    let write_off: i64 =
                        doc.write_offs.iter().filter(|w| w.invoice == invoice).map(|w| w.amount.minor()).sum();
                    let deduction: i64 =
                        doc.deductions.iter().filter(|d| d.invoice == invoice).map(|d| d.amount.minor()).sum();
                    if cash + discount + write_off + deduction == 0 {
                        continue;
                    }
                    out.push(HistoryEntry {
                        application: doc.application,
                        date: event.effective_date,
                        source: doc.source,
                        cash: usd(cash),
                        discount: usd(discount),
                        write_off: usd(write_off),
                        deduction: usd(deduction),
                        reversed: false,
                    });
                }
                Change::ApplicationReversed { application } => {
                    out.iter_mut().filter(|h| h.application == *application).for_each(|h| h.reversed = true);
                }
                _ => {}
            }
        }
        out
    }

    fn check(&self) -> Result<(), TestCaseError> {
        for invoice in &self.invoices {
            let history = self.desk.ledger.invoice_history(*invoice).expect("a known invoice");
            prop_assert_eq!(history, self.history_from_journal(*invoice), "invoice {}", invoice);
        }
        let replayed = Ledger::replay(LedgerConfig::new(), self.desk.ledger.journal()).expect("the journal replays");
        prop_assert!(replayed == self.desk.ledger, "replay differs from the live ledger");
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Remittances of 20 to 90 lines (either side of 32 invoices), a credit
    /// memo spread over many invoices, an oldest-first payment, a reversal:
    /// every invoice's history equals the journal's sums.
    #[test]
    fn every_invoices_history_is_what_the_journal_says(
        prices in prop::collection::vec(5..500u32, 40..100),
        first in prop::collection::vec((any::<usize>(), (1..=100u8, any::<u8>())), 20..90),
        second in prop::collection::vec((any::<usize>(), (1..=100u8, any::<u8>())), 20..90),
        credit in (1..2_000u32, prop::collection::vec(any::<usize>(), 1..80)),
        oldest in 1..5_000i64,
        reverse in prop::option::of(0..4usize),
    ) {
        let mut book = Book::new(&prices);
        let mut applications = Vec::new();
        applications.extend(book.remittance(&first));
        applications.extend(book.credit_pro_rata(credit.0, &credit.1));
        applications.extend(book.apply_payment(oldest * 100, Target::OldestDueFirst));
        applications.extend(book.remittance(&second));
        if let Some(application) = reverse.and_then(|k| applications.get(k).copied()) {
            book.desk.ok(Action::Unapply { application });
        }
        book.check()?;
    }
}
