//! Random command streams against the ledger, checked after every step against a
//! simple reference model folded from the emitted events, plus the engine laws:
//! a refused command changes nothing, a repeated command changes nothing, and a
//! replay of the journal equals the live ledger.

mod common;

use std::collections::BTreeMap;

use ar_core::*;
use common::*;
use proptest::prelude::*;
use rust_decimal::Decimal;

/// One step, with small numbers the driver maps onto existing records.
#[derive(Debug, Clone)]
enum Op {
    Issue { customer: u8, cents: u32, day: u8, terms: u8 },
    Pay { customer: u8, cents: u32, day: u8 },
    Apply { payment: u8, target: u8, amount_pct: u8, tolerance: bool, deduct: bool },
    ApplyCredit { credit: u8 },
    Unapply { application: u8 },
    Credit { customer: u8, cents: u32, against: Option<u8> },
    Void { invoice: u8 },
    WriteOff { invoice: u8, cents: u32 },
    Dispute { invoice: u8, cents: u32 },
    ResolveDispute { dispute: u8, credit: bool },
    Refund { payment: u8, cents: u32 },
    Deduction { deduction: u8, how: u8 },
    Repeat { back: u8 },
    Bad { kind: u8 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..3u8, 1..50_000u32, 0..60u8, 0..4u8).prop_map(|(customer, cents, day, terms)| Op::Issue { customer, cents, day, terms }),
        3 => (0..3u8, 1..60_000u32, 0..90u8).prop_map(|(customer, cents, day)| Op::Pay { customer, cents, day }),
        4 => (any::<u8>(), 0..8u8, 0..120u8, any::<bool>(), any::<bool>())
            .prop_map(|(payment, target, amount_pct, tolerance, deduct)| Op::Apply { payment, target, amount_pct, tolerance, deduct }),
        1 => any::<u8>().prop_map(|credit| Op::ApplyCredit { credit }),
        1 => any::<u8>().prop_map(|application| Op::Unapply { application }),
        1 => (0..3u8, 1..20_000u32, proptest::option::of(any::<u8>())).prop_map(|(customer, cents, against)| Op::Credit { customer, cents, against }),
        1 => any::<u8>().prop_map(|invoice| Op::Void { invoice }),
        1 => (any::<u8>(), 1..5_000u32).prop_map(|(invoice, cents)| Op::WriteOff { invoice, cents }),
        1 => (any::<u8>(), 1..10_000u32).prop_map(|(invoice, cents)| Op::Dispute { invoice, cents }),
        1 => (any::<u8>(), any::<bool>()).prop_map(|(dispute, credit)| Op::ResolveDispute { dispute, credit }),
        1 => (any::<u8>(), 1..10_000u32).prop_map(|(payment, cents)| Op::Refund { payment, cents }),
        1 => (any::<u8>(), 0..5u8).prop_map(|(deduction, how)| Op::Deduction { deduction, how }),
        1 => any::<u8>().prop_map(|back| Op::Repeat { back }),
        1 => (0..6u8).prop_map(|kind| Op::Bad { kind }),
    ]
}

/// The reference model: per document, what the events say, in plain Decimals.
#[derive(Default, Debug)]
struct Model {
    invoices: BTreeMap<InvoiceId, Inv>,
    payments: BTreeMap<PaymentId, Src>,
    credits: BTreeMap<CreditMemoId, Src>,
    applications: BTreeMap<ApplicationId, CashApplied>,
    deductions: BTreeMap<DeductionId, (Decimal, bool)>,
}

#[derive(Default, Debug, Clone)]
struct Inv {
    customer: u128,
    total: Decimal,
    cash: Decimal,
    credited: Decimal,
    discounted: Decimal,
    written_off: Decimal,
    deducted: Decimal,
    void: bool,
}

#[derive(Default, Debug, Clone)]
struct Src {
    customer: u128,
    amount: Decimal,
    applied: Decimal,
    refunded: Decimal,
    repaid: Decimal,
}

impl Model {
    fn fold(&mut self, change: &Change) {
        match change {
            Change::InvoiceIssued(d) => {
                let customer = d.customer.as_uuid().as_u128();
                self.invoices.insert(d.invoice, Inv { customer, total: d.totals.total.amount(), ..Inv::default() });
            }
            Change::CreditMemoIssued(d) => {
                let customer = d.customer.as_uuid().as_u128();
                self.credits.insert(d.credit_memo, Src { customer, amount: d.totals.total.amount(), ..Src::default() });
            }
            Change::PaymentReceived(p) => {
                let customer = p.customer.as_uuid().as_u128();
                self.payments.insert(p.payment, Src { customer, amount: p.amount.amount(), ..Src::default() });
            }
            Change::InvoiceVoided(voided) => self.inv(voided.invoice).void = true,
            Change::CashApplied(a) => {
                self.applications.insert(a.application, (**a).clone());
                self.settle(a, Decimal::ONE);
            }
            Change::ApplicationReversed { application } => {
                let a = self.applications[application].clone();
                self.settle(&a, Decimal::NEGATIVE_ONE);
            }
            Change::Refunded(r) => self.src(r.source).refunded += r.amount.amount(),
            Change::InvoiceWrittenOff(w) => self.inv(w.invoice).written_off += w.amount.amount(),
            Change::DeductionResolved(r) => {
                let amount = r.amount;
                self.deductions.insert(r.deduction, (amount.amount(), false));
                match &r.resolution {
                    DeductionResolution::Valid { credit_memo, .. } => {
                        self.src(CashSource::CreditMemo(*credit_memo)).applied += amount.amount()
                    }
                    DeductionResolution::Repaid { payment } => {
                        self.src(CashSource::Payment(*payment)).repaid += amount.amount()
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn settle(&mut self, a: &CashApplied, sign: Decimal) {
        let from_credit = matches!(a.source, CashSource::CreditMemo(_));
        for x in &a.allocations {
            let inv = self.inv(x.invoice);
            if from_credit {
                inv.credited += sign * x.cash.amount();
            } else {
                inv.cash += sign * x.cash.amount();
            }
            inv.discounted += sign * x.discount.amount();
            self.src(a.source).applied += sign * x.cash.amount();
        }
        for w in &a.write_offs {
            self.inv(w.invoice).written_off += sign * w.amount.amount();
        }
        for d in &a.deductions {
            self.inv(d.invoice).deducted += sign * d.amount.amount();
            self.deductions.insert(d.deduction, (d.amount.amount(), sign.is_sign_positive()));
        }
    }

    fn inv(&mut self, id: InvoiceId) -> &mut Inv {
        self.invoices.get_mut(&id).expect("the model knows every invoice the events name")
    }

    fn src(&mut self, source: CashSource) -> &mut Src {
        match source {
            CashSource::Payment(p) => self.payments.get_mut(&p).expect("known payment"),
            CashSource::CreditMemo(c) => self.credits.get_mut(&c).expect("known credit memo"),
            _ => panic!("unknown source kind"),
        }
    }

    /// Every invariant, against the ledger's own answers.
    fn check(&self, ledger: &Ledger) -> Result<(), TestCaseError> {
        for (id, m) in &self.invoices {
            let v = ledger.invoice(*id).ok_or_else(|| TestCaseError::fail("invoice missing"))?;
            let open = if m.void {
                Decimal::ZERO
            } else {
                m.total - m.cash - m.credited - m.discounted - m.written_off - m.deducted
            };
            prop_assert!(open >= Decimal::ZERO, "invoice {} open {} is negative", v.number, open);
            prop_assert_eq!(v.open.amount(), open);
            prop_assert_eq!(v.cash.amount(), m.cash);
            prop_assert_eq!(v.credited.amount(), m.credited);
            prop_assert_eq!(v.discounted.amount(), m.discounted);
            prop_assert_eq!(v.written_off.amount(), m.written_off);
            prop_assert_eq!(v.deducted.amount(), m.deducted);
            prop_assert!(v.disputed <= v.open || m.void);
            let inst_open: Decimal = v.installments.iter().map(|i| i.open.amount()).sum();
            prop_assert_eq!(inst_open, open, "installments of {} do not add up to its open amount", v.number);
        }
        for customer in ledger.customers() {
            let n = customer.as_uuid().as_u128();
            let unapplied: BTreeMap<CashSource, Decimal> = ledger
                .unapplied(customer)
                .map_err(|e| TestCaseError::fail(e.to_string()))?
                .into_iter()
                .map(|u| (u.source, u.amount.amount()))
                .collect();
            let mut expected_unapplied = Decimal::ZERO;
            for (id, p) in self.payments.iter().filter(|(_, p)| p.customer == n) {
                let left = p.amount - p.applied - p.refunded - p.repaid;
                prop_assert!(left >= Decimal::ZERO, "payment {id} over-used");
                // payment = applied + refunded + repaid + unapplied
                prop_assert_eq!(unapplied.get(&CashSource::Payment(*id)).copied().unwrap_or_default(), left);
                expected_unapplied += left;
            }
            for (id, c) in self.credits.iter().filter(|(_, c)| c.customer == n) {
                let left = c.amount - c.applied - c.refunded;
                prop_assert!(left >= Decimal::ZERO);
                prop_assert_eq!(unapplied.get(&CashSource::CreditMemo(*id)).copied().unwrap_or_default(), left);
                expected_unapplied += left;
            }
            let open: Decimal = self
                .invoices
                .iter()
                .filter(|(_, m)| m.customer == n && !m.void)
                .map(|(_, m)| m.total - m.cash - m.credited - m.discounted - m.written_off - m.deducted)
                .sum();
            let b = ledger.balance(customer).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(b.open_invoices.amount(), open);
            prop_assert_eq!(b.unapplied_cash.amount() + b.unapplied_credit.amount(), expected_unapplied);
            prop_assert_eq!(b.balance.amount(), open + b.open_deductions.amount() - expected_unapplied);
            let items: Decimal = ledger
                .open_items(customer)
                .map_err(|e| TestCaseError::fail(e.to_string()))?
                .iter()
                .map(|i| i.open.amount())
                .sum();
            prop_assert_eq!(items, b.balance.amount(), "open items must add up to the balance");
        }
        Ok(())
    }
}

struct Driver {
    desk: Desk,
    model: Model,
    executed: Vec<Command>,
    /// Every command sent, refused and repeated ones too, with its outcome.
    sent: Vec<(Command, Outcome)>,
    invoices: Vec<InvoiceId>,
    payments: Vec<PaymentId>,
    credits: Vec<CreditMemoId>,
    applications: Vec<ApplicationId>,
    disputes: Vec<DisputeId>,
    deductions: Vec<DeductionId>,
    serial: u128,
}

type Outcome = Result<Vec<Event>, LedgerError>;

const CURRENCIES: [Currency; 3] = [Currency::USD, Currency::JPY, Currency::KWD];

fn pick<T: Copy>(list: &[T], k: u8) -> Option<T> {
    (!list.is_empty()).then(|| list[k as usize % list.len()])
}

impl Driver {
    fn new() -> Self {
        let mut desk = Desk::new();
        let terms = [PaymentTerms::net_30(), PaymentTerms::two_ten_net_30(), PaymentTerms::eom(30)];
        for (k, currency) in CURRENCIES.iter().enumerate() {
            desk.customer(k as u128 + 1, *currency, terms[k].clone());
        }
        let mut model = Model::default();
        for e in desk.ledger.journal() {
            model.fold(&e.change);
        }
        // Commands take effect after every document the driver dates (up to day
        // 90): dated on the first day, most would be refused for coming before
        // the invoice or payment they touch, and applications would pass over
        // every invoice as not yet issued.
        desk.today = date(2026, 6, 1);
        Driver {
            desk,
            model,
            executed: Vec::new(),
            sent: Vec::new(),
            invoices: Vec::new(),
            payments: Vec::new(),
            credits: Vec::new(),
            applications: Vec::new(),
            disputes: Vec::new(),
            deductions: Vec::new(),
            serial: 1000,
        }
    }

    fn id(&mut self) -> u128 {
        self.serial += 1;
        self.serial
    }

    fn cents(&self, customer: u8, cents: u32) -> Money {
        let currency = CURRENCIES[customer as usize % 3];
        let minor = i64::from(cents) * 10i64.pow(currency.minor_units()) / 100;
        Money::from_minor(minor.max(1), currency).expect("small amount")
    }

    /// An invoice's open amount less `short` minor units (at least one minor unit).
    /// Remittance lines for the last three of `own`, each just short of what is
    /// open, the residuals as the policy says, deducted with a fresh id,
    /// written off, or left open in turn.
    fn remittance(&mut self, own: &[InvoiceId], short: u8) -> Vec<RemittanceLine> {
        let mut lines = Vec::new();
        for (k, i) in own.iter().rev().take(3).enumerate() {
            let cash = self.nearly_open(*i, short.wrapping_mul(k as u8 + 1));
            let residual = match (usize::from(short) + k) % 4 {
                0 => Residual::AsPolicy,
                1 => {
                    let id = DeductionId::from_u128(self.id());
                    self.deductions.push(id);
                    Residual::Deduction { id, reason: DeductionReason::Pricing }
                }
                2 => Residual::WriteOff,
                _ => Residual::LeaveOpen,
            };
            lines.push(RemittanceLine::new(*i, cash).residual(residual));
        }
        lines
    }

    fn nearly_open(&self, id: InvoiceId, short: u8) -> Money {
        let currency = CURRENCIES[self.customer_of_invoice(id) as usize % 3];
        let open = self
            .model
            .invoices
            .get(&id)
            .map_or(Decimal::ZERO, |m| m.total - m.cash - m.credited - m.discounted - m.written_off - m.deducted);
        let minor = Money::new(open, currency).map_or(0, |m| m.minor()) - i64::from(short);
        Money::from_minor(minor.max(1), currency).expect("small amount")
    }

    /// The customer index of an invoice the ledger accepted (255 for one it refused).
    fn customer_of_invoice(&self, id: InvoiceId) -> u8 {
        self.model.invoices.get(&id).map_or(255, |i| (i.customer - 1) as u8)
    }

    fn action(&mut self, op: &Op) -> Option<Action> {
        let base = date(2026, 1, 1);
        Some(match *op {
            Op::Issue { customer, cents, day, terms } => {
                let n = self.id();
                let mut cmd = self.desk.issue_cmd(
                    n,
                    CustomerId::from_u128(u128::from(customer) + 1),
                    base + chrono::Days::new(u64::from(day)),
                    self.cents(customer, cents).amount(),
                );
                cmd.terms = match terms {
                    0 => None,
                    1 => Some(PaymentTerms::two_ten_net_30()),
                    2 => Some(PaymentTerms {
                        name: "30/70".into(),
                        installments: vec![
                            InstallmentRule {
                                portion: Portion::Percent(Decimal::from(30)),
                                due: DueRule::DaysAfter(15),
                            },
                            InstallmentRule { portion: Portion::Balance, due: DueRule::DaysAfter(45) },
                        ],
                        discounts: vec![DiscountTier { within_days: 5, rate: DiscountRate::Percent(Decimal::ONE) }],
                        discount_base: DiscountBase::Total,
                    }),
                    _ => Some(PaymentTerms::due_on_receipt()),
                };
                self.invoices.push(InvoiceId::from_u128(n));
                Action::IssueInvoice(cmd)
            }
            Op::Pay { customer, cents, day } => {
                let n = self.id();
                self.payments.push(PaymentId::from_u128(n));
                let c = CustomerId::from_u128(u128::from(customer) + 1);
                Action::ReceivePayment(pay_cmd(
                    n,
                    c,
                    base + chrono::Days::new(u64::from(day)),
                    self.cents(customer, cents),
                ))
            }
            Op::Apply { payment, target, amount_pct, tolerance, deduct } => {
                let p = pick(&self.payments, payment)?;
                let paid = self.model.payments.get(&p)?.clone();
                let n = self.id();
                self.applications.push(ApplicationId::from_u128(n));
                let customer = (paid.customer - 1) as u8;
                let own: Vec<InvoiceId> =
                    self.invoices.iter().copied().filter(|i| self.customer_of_invoice(*i) == customer).collect();
                let target = match target {
                    0 => Target::OldestDueFirst,
                    1 => Target::FeesFirst,
                    2 => Target::ProRata(own.iter().rev().take(3).copied().collect()),
                    3 => Target::OldestDueFirstAmong(own.iter().take(2).copied().collect()),
                    4 => {
                        Target::Specific(own.last().map(|i| vec![(*i, self.cents(customer, 500))]).unwrap_or_default())
                    }
                    // Just short of what is open, so a tolerance may write the rest off.
                    5 => Target::Specific(
                        own.last().map(|i| vec![(*i, self.nearly_open(*i, amount_pct))]).unwrap_or_default(),
                    ),
                    // The last invoices short by a little or a lot, each residual its own way.
                    _ => Target::Remittance(self.remittance(&own, amount_pct)),
                };
                let mut policy = ApplicationPolicy::new();
                if tolerance {
                    policy = policy.write_off_up_to(Decimal::ONE).write_off_up_to_percent(Decimal::from(5));
                }
                if deduct {
                    let ids: Vec<DeductionId> = (0..3).map(|_| DeductionId::from_u128(self.id())).collect();
                    self.deductions.extend(&ids);
                    policy = policy.deduct_short_pay(ids, DeductionReason::Shortage);
                }
                let unapplied = paid.amount - paid.applied - paid.refunded - paid.repaid;
                let amount = (amount_pct < 100 && unapplied > Decimal::ZERO).then(|| {
                    let currency = CURRENCIES[customer as usize];
                    Money::round(
                        unapplied * Decimal::from(amount_pct.max(1)) / Decimal::ONE_HUNDRED,
                        currency,
                        Rounding::Down,
                    )
                    .ok()
                });
                Action::ApplyCash(ApplyCash {
                    application: ApplicationId::from_u128(n),
                    source: CashSource::Payment(p),
                    amount: amount.flatten(),
                    target,
                    policy,
                })
            }
            Op::ApplyCredit { credit } => {
                let c = pick(&self.credits, credit)?;
                let n = self.id();
                self.applications.push(ApplicationId::from_u128(n));
                Action::ApplyCash(ApplyCash {
                    application: ApplicationId::from_u128(n),
                    source: CashSource::CreditMemo(c),
                    amount: None,
                    target: Target::OldestDueFirst,
                    policy: ApplicationPolicy::new(),
                })
            }
            Op::Unapply { application } => Action::Unapply { application: pick(&self.applications, application)? },
            Op::Credit { customer, cents, against } => {
                let n = self.id();
                self.credits.push(CreditMemoId::from_u128(n));
                let against =
                    against.and_then(|k| pick(&self.invoices, k)).filter(|i| self.customer_of_invoice(*i) == customer);
                if against.is_some() {
                    self.applications.push(ApplicationId::from_u128(0));
                }
                Action::IssueCreditMemo(IssueCreditMemo {
                    credit_memo: CreditMemoId::from_u128(n),
                    number: format!("CM-{n}"),
                    customer: CustomerId::from_u128(u128::from(customer) + 1),
                    document_date: date(2026, 3, 1),
                    lines: vec![line(self.cents(customer, cents).amount())],
                    against,
                    reason: "test".into(),
                    tax_rounding: TaxRounding::PerLine,
                    rounding: Rounding::HalfUp,
                })
            }
            Op::Void { invoice } => {
                Action::VoidInvoice { invoice: pick(&self.invoices, invoice)?, reason: "test".into() }
            }
            Op::WriteOff { invoice, cents } => {
                let i = pick(&self.invoices, invoice)?;
                let amount = self.cents(self.customer_of_invoice(i) % 3, cents);
                Action::WriteOff { invoice: i, amount, reason: "test".into() }
            }
            Op::Dispute { invoice, cents } => {
                let i = pick(&self.invoices, invoice)?;
                let n = self.id();
                self.disputes.push(DisputeId::from_u128(n));
                let amount = self.cents(self.customer_of_invoice(i) % 3, cents);
                Action::OpenDispute { dispute: DisputeId::from_u128(n), invoice: i, amount, reason: "test".into() }
            }
            Op::ResolveDispute { dispute, credit } => {
                let d = pick(&self.disputes, dispute)?;
                let resolution = if credit {
                    let n = self.id();
                    self.credits.push(CreditMemoId::from_u128(n));
                    DisputeResolution::Credited { credit_memo: CreditMemoId::from_u128(n), number: format!("CMD-{n}") }
                } else {
                    DisputeResolution::Rejected
                };
                Action::ResolveDispute { dispute: d, resolution }
            }
            Op::Refund { payment, cents } => {
                let p = pick(&self.payments, payment)?;
                let customer = (self.model.payments.get(&p)?.customer - 1) as u8;
                Action::Refund {
                    refund: RefundId::from_u128(self.id()),
                    source: CashSource::Payment(p),
                    amount: self.cents(customer, cents),
                }
            }
            Op::Deduction { deduction, how } => {
                let d = pick(&self.deductions, deduction)?;
                let n = self.id();
                let resolution = match how {
                    0 => return Some(Action::ReviewDeduction { deduction: d }),
                    1 => DeductionResolution::Valid {
                        credit_memo: CreditMemoId::from_u128(n),
                        number: format!("CMV-{n}"),
                    },
                    2 => DeductionResolution::Rebill { debit_memo: InvoiceId::from_u128(n), number: format!("DM-{n}") },
                    3 => DeductionResolution::Repaid { payment: pick(&self.payments, deduction)? },
                    _ => DeductionResolution::WriteOff { reason: "test".into() },
                };
                if how == 1 {
                    self.credits.push(CreditMemoId::from_u128(n));
                }
                if how == 2 {
                    self.invoices.push(InvoiceId::from_u128(n));
                }
                Action::ResolveDeduction { deduction: d, resolution }
            }
            Op::Repeat { .. } => return None,
            Op::Bad { kind } => {
                let c = CustomerId::from_u128(1);
                match kind {
                    0 => Action::ReceivePayment(pay_cmd(
                        self.id(),
                        c,
                        base,
                        Money::from_minor(-500, Currency::USD).ok()?,
                    )),
                    1 => {
                        Action::ReceivePayment(pay_cmd(self.id(), c, base, Money::from_minor(500, Currency::EUR).ok()?))
                    }
                    2 => Action::ReceivePayment(pay_cmd(
                        self.id(),
                        CustomerId::from_u128(99),
                        base,
                        Money::from_minor(500, Currency::USD).ok()?,
                    )),
                    3 => Action::WriteOff {
                        invoice: InvoiceId::from_u128(1),
                        amount: Money::from_minor(1, Currency::USD).ok()?,
                        reason: "x".into(),
                    },
                    4 => Action::Unapply { application: ApplicationId::from_u128(7) },
                    _ => {
                        let n = self.id();
                        Action::IssueInvoice(self.desk.issue_cmd(n, c, base, Decimal::ZERO))
                    }
                }
            }
        })
    }

    fn step(&mut self, op: &Op) -> Result<(), TestCaseError> {
        let command = match (op, self.action(op)) {
            (Op::Repeat { back }, _) => {
                match (!self.executed.is_empty()).then(|| self.executed[*back as usize % self.executed.len()].clone()) {
                    Some(c) => c,
                    None => return Ok(()),
                }
            }
            (_, Some(action)) => self.desk.command(action),
            (_, None) => return Ok(()),
        };
        let before = self.desk.ledger.clone();
        let outcome = self.desk.ledger.execute(command.clone()).map(<[_]>::to_vec);
        self.sent.push((command.clone(), outcome.clone()));
        match outcome {
            Ok(events) => {
                let is_repeat = matches!(op, Op::Repeat { .. });
                if is_repeat {
                    prop_assert!(self.desk.ledger == before, "a repeated command changed the ledger");
                } else {
                    for e in &events {
                        self.model.fold(&e.change);
                    }
                    self.executed.push(command.clone());
                    if let Some(Change::CashApplied(a)) =
                        events.iter().map(|e| &e.change).find(|c| matches!(c, Change::CashApplied(_)))
                    {
                        self.applications.push(a.application);
                    }
                }
                let snapshot = self.desk.ledger.clone();
                let again = self.desk.ledger.execute(command.clone()).map(<[_]>::to_vec);
                self.sent.push((command, again.clone()));
                prop_assert_eq!(again, Ok(events));
                prop_assert!(self.desk.ledger == snapshot, "executing a command twice changed the ledger");
            }
            Err(_) => prop_assert!(self.desk.ledger == before, "a refused command changed the ledger"),
        }
        self.model.check(&self.desk.ledger)
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_command_streams_keep_every_invariant(ops in proptest::collection::vec(op(), 1..60)) {
        let mut driver = Driver::new();
        for op in &ops {
            driver.step(op)?;
        }
        let replayed = Ledger::replay(LedgerConfig::new(), driver.desk.ledger.journal())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(replayed == driver.desk.ledger, "replay differs from the live ledger");
        let json = serde_json::to_string(driver.desk.ledger.journal()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let events: Vec<Event> = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&events[..], driver.desk.ledger.journal());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// `execute_each` reads ahead in blocks, then executes: it must give every
    /// command the outcome `execute` one by one gave, refusals and repeats
    /// included, end in the same ledger, and stop right after a break.
    #[test]
    fn execute_each_equals_executing_one_by_one(ops in proptest::collection::vec(op(), 1..120), stop in any::<u16>()) {
        let mut driver = Driver::new();
        let start = driver.desk.ledger.clone();
        for op in &ops {
            driver.step(op)?;
        }
        let mut batched = start.clone();
        let mut outcomes: Vec<Outcome> = Vec::new();
        let commands = driver.sent.iter().map(|(c, _)| c.clone());
        let flow = batched.execute_each(commands, |_, outcome| {
            outcomes.push(outcome.map(<[_]>::to_vec));
            std::ops::ControlFlow::<()>::Continue(())
        });
        prop_assert_eq!(flow, std::ops::ControlFlow::Continue(()));
        let expected: Vec<Outcome> = driver.sent.iter().map(|(_, o)| o.clone()).collect();
        prop_assert_eq!(&outcomes, &expected);
        prop_assert!(batched == driver.desk.ledger, "execute_each ended in another ledger");

        // Breaking after command `k` leaves the ledger as executing the first k + 1 would.
        let k = usize::from(stop) % driver.sent.len().max(1);
        let mut stopped = start.clone();
        let mut seen = 0;
        let flow = stopped.execute_each(driver.sent.iter().map(|(c, _)| c.clone()), |_, _| {
            seen += 1;
            if seen > k { std::ops::ControlFlow::Break(seen) } else { std::ops::ControlFlow::Continue(()) }
        });
        let mut one_by_one = start;
        for (command, _) in driver.sent.iter().take(k + 1) {
            let _ = one_by_one.execute(command.clone());
        }
        if driver.sent.is_empty() {
            prop_assert_eq!(flow, std::ops::ControlFlow::Continue(()));
        } else {
            prop_assert_eq!(flow, std::ops::ControlFlow::Break(k + 1));
        }
        prop_assert!(stopped == one_by_one, "execute_each went on after a break");
    }
}

/// The roles random actors act in.
const ROLES: [&str; 3] = ["clerk", "supervisor", "credit_manager"];

/// Write-offs above 5 units and refunds above 20 units need a supervisor, any
/// credit-limit change a credit manager. Thresholds are given in every
/// currency the driver uses, so each amount meets its own.
fn approvals() -> ApprovalPolicy {
    let mut policy = ApprovalPolicy::new().require(Authority::CreditLimitChange, None, &["credit_manager"]);
    for currency in CURRENCIES {
        let units = |n: i64| Money::from_minor(n * 10i64.pow(currency.minor_units()), currency).expect("small amount");
        policy = policy.require(Authority::WriteOff, Some(units(5)), &["supervisor"]).require(
            Authority::Refund,
            Some(units(20)),
            &["supervisor"],
        );
    }
    policy
}

/// Whether `amount` is strictly above `units` whole units of its currency.
fn above(amount: Money, units: i64) -> bool {
    amount.amount().abs() > Decimal::from(units)
}

/// The authority and role the policy demands of a command, judged from the
/// command and from what it does (the events a ledger without rules gave).
fn needs(action: &Action, events: &[Event]) -> Option<(Authority, Role)> {
    let supervisor = || Role::new("supervisor");
    match action {
        Action::RegisterCustomer(_) | Action::SetCreditLimit { .. } | Action::GrantTemporaryCredit { .. } => {
            return Some((Authority::CreditLimitChange, Role::new("credit_manager")));
        }
        Action::Refund { amount, .. } if above(*amount, 20) => return Some((Authority::Refund, supervisor())),
        _ => {}
    }
    // Every amount written off: by hand, as a tolerance inside an application (per
    // invoice), or as a deduction resolved by writing it off.
    let written_off = events.iter().flat_map(|e| match &e.change {
        Change::InvoiceWrittenOff(w) => vec![w.amount],
        Change::CashApplied(a) => a.write_offs.iter().map(|w| w.amount).collect(),
        Change::DeductionResolved(r) if matches!(r.resolution, DeductionResolution::WriteOff { .. }) => vec![r.amount],
        _ => vec![],
    });
    written_off.into_iter().any(|amount| above(amount, 5)).then(|| (Authority::WriteOff, supervisor()))
}

#[derive(Debug, Clone)]
enum Guarded {
    Op(Op),
    Limit {
        customer: u8,
        cents: Option<u32>,
    },
    /// A write-off or refund within a minor unit of its threshold.
    AtThreshold {
        index: u8,
        delta: i64,
        refund: bool,
    },
}

fn guarded() -> impl Strategy<Value = (Guarded, u8)> {
    let limit =
        (0..3u8, proptest::option::of(1..100_000u32)).prop_map(|(customer, cents)| Guarded::Limit { customer, cents });
    let edge = (any::<u8>(), -1..2i64, any::<bool>()).prop_map(|(index, delta, refund)| Guarded::AtThreshold {
        index,
        delta,
        refund,
    });
    (prop_oneof![10 => op().prop_map(Guarded::Op), 1 => limit, 2 => edge], 0..ROLES.len() as u8)
}

/// Runs one command by a random actor on a ledger with the approval policy and
/// on one without rules (the driver's), and asserts the policy only ever stops
/// what it should: a command needing a role the actor lacks is refused with
/// `NotAuthorized` naming that role and changes nothing; any other is decided
/// exactly as without the policy.
fn guarded_step(driver: &mut Driver, ruled: &mut Ledger, step: &(Guarded, u8)) -> Result<(), TestCaseError> {
    let (what, role) = step;
    let action = match what {
        Guarded::Op(op) => match driver.action(op) {
            Some(action) => action,
            None => return Ok(()),
        },
        Guarded::Limit { customer, cents } => Action::SetCreditLimit {
            customer: CustomerId::from_u128(u128::from(*customer) + 1),
            limit: cents.map(|c| driver.cents(*customer, c)),
        },
        Guarded::AtThreshold { index, delta, refund } => {
            let (units, customer) = if *refund {
                let Some(p) = pick(&driver.payments, *index) else { return Ok(()) };
                let Some(paid) = driver.model.payments.get(&p) else { return Ok(()) };
                (20, paid.customer)
            } else {
                let Some(i) = pick(&driver.invoices, *index) else { return Ok(()) };
                let Some(inv) = driver.model.invoices.get(&i) else { return Ok(()) };
                (5, inv.customer)
            };
            let currency = CURRENCIES[(customer - 1) as usize % 3];
            let minor = units * 10i64.pow(currency.minor_units()) + delta;
            let amount = Money::from_minor(minor, currency).expect("small amount");
            if *refund {
                let source = CashSource::Payment(pick(&driver.payments, *index).expect("picked above"));
                Action::Refund { refund: RefundId::from_u128(driver.id()), source, amount }
            } else {
                let invoice = pick(&driver.invoices, *index).expect("picked above");
                Action::WriteOff { invoice, amount, reason: "bad debt".into() }
            }
        }
    };
    driver.desk.actor = Actor::new("user", ROLES[usize::from(*role)]);
    let command = driver.desk.command(action.clone());
    let (free_before, ruled_before) = (driver.desk.ledger.clone(), ruled.clone());
    let free = driver.desk.ledger.execute(command.clone()).map(<[_]>::to_vec);
    let outcome = ruled.execute(command.clone()).map(<[_]>::to_vec);
    let Ok(events) = free else {
        prop_assert!(outcome.is_err(), "the policy let through a command refused without it: {:?}", action);
        prop_assert!(*ruled == ruled_before, "a refused command changed the ledger");
        return Ok(());
    };
    match needs(&action, &events) {
        Some((authority, required)) if required != command.actor.role => {
            match outcome {
                Err(LedgerError::NotAuthorized { authority: a, required: r, .. }) => {
                    prop_assert_eq!(a, authority);
                    prop_assert_eq!(r, vec![required]);
                }
                other => {
                    return Err(TestCaseError::fail(format!(
                        "{} needs {required} for {authority:?}, got {other:?}: {action:?}",
                        command.actor.role
                    )));
                }
            }
            prop_assert!(*ruled == ruled_before, "a command refused for authority changed the ledger");
            driver.desk.ledger = free_before;
        }
        _ => {
            prop_assert_eq!(outcome, Ok(events.clone()), "the policy changed a permitted decision: {:?}", action);
            for e in &events {
                driver.model.fold(&e.change);
            }
            if let Some(Change::CashApplied(a)) =
                events.iter().map(|e| &e.change).find(|c| matches!(c, Change::CashApplied(_)))
            {
                driver.applications.push(a.application);
            }
        }
    }
    prop_assert!(*ruled == driver.desk.ledger, "the ruled ledger went another way than the free one");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

    #[test]
    fn approvals_refuse_exactly_what_the_actor_may_not_do(steps in proptest::collection::vec(guarded(), 1..60)) {
        let mut driver = Driver::new();
        let mut ruled = Ledger::replay(LedgerConfig::new().approvals(approvals()), driver.desk.ledger.journal())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        for step in &steps {
            guarded_step(&mut driver, &mut ruled, step)?;
            driver.model.check(&ruled)?;
        }
    }
}
