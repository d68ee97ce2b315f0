//! A small simulator that drives a real `ar_core::Ledger` with random but valid
//! command streams, for the reports' property tests.
#![allow(dead_code, clippy::unwrap_used)]

use ar_core::*;
use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// One step of a random stream; indices pick among existing records modulo their count.
#[derive(Debug, Clone)]
pub enum Op {
    Advance(u8),
    Invoice { customer: u8, minor: u32, terms: u8 },
    DebitMemo { customer: u8, minor: u32 },
    CreditMemo { customer: u8, minor: u32, against: Option<u8> },
    Payment { customer: u8, minor: u32, method: u8, back: u8 },
    Apply { payment: u8, mode: u8 },
    ApplyCredit { credit: u8 },
    WriteOff { invoice: u8, percent: u8 },
    Unapply { application: u8 },
    Refund { payment: u8, percent: u8 },
    Void { invoice: u8 },
    Dispute { invoice: u8, percent: u8 },
    ResolveDispute { dispute: u8, credit: bool },
    ResolveDeduction { deduction: u8, how: u8 },
}

pub fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1u8..6).prop_map(Op::Advance),
        5 => (any::<u8>(), 100u32..500_000, any::<u8>()).prop_map(|(customer, minor, terms)| Op::Invoice { customer, minor, terms }),
        1 => (any::<u8>(), 100u32..20_000).prop_map(|(customer, minor)| Op::DebitMemo { customer, minor }),
        1 => (any::<u8>(), 100u32..50_000, proptest::option::of(any::<u8>()))
            .prop_map(|(customer, minor, against)| Op::CreditMemo { customer, minor, against }),
        4 => (any::<u8>(), 100u32..600_000, any::<u8>(), 0u8..4)
            .prop_map(|(customer, minor, method, back)| Op::Payment { customer, minor, method, back }),
        4 => (any::<u8>(), 0u8..4).prop_map(|(payment, mode)| Op::Apply { payment, mode }),
        1 => any::<u8>().prop_map(|credit| Op::ApplyCredit { credit }),
        1 => (any::<u8>(), 1u8..101).prop_map(|(invoice, percent)| Op::WriteOff { invoice, percent }),
        1 => any::<u8>().prop_map(|application| Op::Unapply { application }),
        1 => (any::<u8>(), 1u8..101).prop_map(|(payment, percent)| Op::Refund { payment, percent }),
        1 => any::<u8>().prop_map(|invoice| Op::Void { invoice }),
        1 => (any::<u8>(), 1u8..101).prop_map(|(invoice, percent)| Op::Dispute { invoice, percent }),
        1 => (any::<u8>(), any::<bool>()).prop_map(|(dispute, credit)| Op::ResolveDispute { dispute, credit }),
        1 => (any::<u8>(), 0u8..4).prop_map(|(deduction, how)| Op::ResolveDeduction { deduction, how }),
    ]
}

pub fn ops(max: usize) -> impl Strategy<Value = Vec<Op>> {
    proptest::collection::vec(op(), 1..max)
}

pub fn day0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 6).unwrap()
}

/// What the live ledger showed at the end of a day.
#[derive(Debug, Clone)]
pub struct DaySnapshot {
    pub date: NaiveDate,
    pub open_items: Vec<OpenItem>,
    pub balances: Vec<CustomerBalance>,
}

pub struct Sim {
    pub ledger: Ledger,
    pub day: NaiveDate,
    next: u128,
    /// Payments may carry effective dates before the current day.
    pub backdate: bool,
    pub customers: Vec<CustomerId>,
    pub invoices: Vec<InvoiceId>,
    pub payments: Vec<PaymentId>,
    pub credits: Vec<CreditMemoId>,
    pub applications: Vec<ApplicationId>,
    pub disputes: Vec<DisputeId>,
    pub deductions: Vec<DeductionId>,
    pub snapshots: Vec<DaySnapshot>,
    pub executed: usize,
}

fn clerk() -> Actor {
    Actor::new("sim", "clerk")
}

impl Sim {
    pub fn new(backdate: bool) -> Sim {
        let mut sim = Sim {
            ledger: Ledger::new(LedgerConfig::new()),
            day: day0(),
            next: 1000,
            backdate,
            customers: Vec::new(),
            invoices: Vec::new(),
            payments: Vec::new(),
            credits: Vec::new(),
            applications: Vec::new(),
            disputes: Vec::new(),
            deductions: Vec::new(),
            snapshots: Vec::new(),
            executed: 0,
        };
        let setup = [
            (Currency::USD, Some("ana"), PaymentTerms::net_30()),
            (Currency::USD, Some("bo"), PaymentTerms::two_ten_net_30()),
            (Currency::EUR, Some("ana"), PaymentTerms::net(14)),
            (Currency::from_code("JPY").unwrap(), None, PaymentTerms::due_on_receipt()),
        ];
        for (k, (currency, collector, terms)) in setup.into_iter().enumerate() {
            let customer = CustomerId::from_u128(k as u128 + 1);
            sim.run(
                sim.day,
                Action::RegisterCustomer(RegisterCustomer {
                    customer,
                    name: format!("Customer {k}"),
                    currency,
                    terms,
                    credit_limit: None,
                    collector: collector.map(str::to_owned),
                }),
            );
            sim.customers.push(customer);
        }
        sim
    }

    fn id(&mut self) -> u128 {
        self.next += 1;
        self.next
    }

    pub fn run(&mut self, date: NaiveDate, action: Action) -> bool {
        let id = CommandId::from_u128(self.id());
        let ok = self.ledger.execute(Command { id, effective_date: date, actor: clerk(), action }).is_ok();
        self.executed += usize::from(ok);
        ok
    }

    fn currency(&self, customer: CustomerId) -> Currency {
        self.ledger.customer_currency(customer).unwrap()
    }

    fn money(&self, customer: CustomerId, minor: u32) -> Money {
        let currency = self.currency(customer);
        let minor = if currency.minor_units() == 0 { i64::from(minor / 100).max(1) } else { i64::from(minor) };
        Money::from_minor(minor, currency).unwrap()
    }

    fn pick<T: Copy>(list: &[T], k: u8) -> Option<T> {
        if list.is_empty() { None } else { Some(list[k as usize % list.len()]) }
    }

    fn line(amount: Money) -> Vec<DocumentLine> {
        vec![DocumentLine {
            description: "Goods".into(),
            quantity: Decimal::ONE,
            unit_price: amount.amount(),
            discount: None,
            taxes: vec![],
        }]
    }

    pub fn snapshot(&mut self) {
        let balances = self.customers.iter().map(|c| self.ledger.balance(*c).unwrap()).collect();
        let snap = DaySnapshot { date: self.day, open_items: self.ledger.all_open_items(), balances };
        match self.snapshots.last_mut() {
            Some(last) if last.date == self.day => *last = snap,
            _ => self.snapshots.push(snap),
        }
    }

    pub fn play(&mut self, ops: &[Op]) {
        for op in ops {
            self.step(op);
        }
        self.snapshot();
    }

    pub fn step(&mut self, op: &Op) {
        let day = self.day;
        match op {
            Op::Advance(n) => {
                self.snapshot();
                self.day = day.checked_add_days(Days::new(u64::from(*n))).unwrap();
            }
            Op::Invoice { customer, minor, terms } => {
                let customer = Self::pick(&self.customers, *customer).unwrap();
                let amount = self.money(customer, *minor);
                let terms = match terms % 4 {
                    0 => None,
                    1 => Some(PaymentTerms::net(45)),
                    2 => Some(PaymentTerms {
                        name: "half now, half in 30".into(),
                        installments: vec![
                            InstallmentRule {
                                portion: Portion::Percent(Decimal::from(50)),
                                due: DueRule::DaysAfter(0),
                            },
                            InstallmentRule { portion: Portion::Balance, due: DueRule::DaysAfter(30) },
                        ],
                        discounts: vec![],
                        discount_base: DiscountBase::Total,
                    }),
                    _ => Some(PaymentTerms::discount(Decimal::from(3), 5, 20)),
                };
                let invoice = InvoiceId::from_u128(self.id());
                let number = format!("INV-{}", self.next);
                let ok = self.run(
                    day,
                    Action::IssueInvoice(IssueInvoice {
                        invoice,
                        number,
                        customer,
                        kind: InvoiceKind::Invoice,
                        document_date: day,
                        lines: Self::line(amount),
                        discount: None,
                        terms,
                        tax_rounding: TaxRounding::PerLine,
                        rounding: Rounding::HalfUp,
                    }),
                );
                if ok {
                    self.invoices.push(invoice);
                }
            }
            Op::DebitMemo { customer, minor } => {
                let customer = Self::pick(&self.customers, *customer).unwrap();
                let amount = self.money(customer, *minor);
                let invoice = InvoiceId::from_u128(self.id());
                let ok = self.run(
                    day,
                    Action::IssueInvoice(IssueInvoice {
                        invoice,
                        number: format!("DM-{}", self.next),
                        customer,
                        kind: InvoiceKind::DebitMemo(DebitReason::Fee),
                        document_date: day,
                        lines: Self::line(amount),
                        discount: None,
                        terms: None,
                        tax_rounding: TaxRounding::PerLine,
                        rounding: Rounding::HalfUp,
                    }),
                );
                if ok {
                    self.invoices.push(invoice);
                }
            }
            Op::CreditMemo { customer, minor, against } => {
                let customer = Self::pick(&self.customers, *customer).unwrap();
                let amount = self.money(customer, *minor);
                let mine: Vec<InvoiceId> = self
                    .invoices
                    .iter()
                    .copied()
                    .filter(|i| self.ledger.invoice(*i).is_some_and(|v| v.customer == customer))
                    .collect();
                let against = against.and_then(|k| Self::pick(&mine, k));
                let credit_memo = CreditMemoId::from_u128(self.id());
                let id = self.next + 1;
                let ok = self.run(
                    day,
                    Action::IssueCreditMemo(IssueCreditMemo {
                        credit_memo,
                        number: format!("CM-{}", self.next),
                        customer,
                        document_date: day,
                        lines: Self::line(amount),
                        against,
                        reason: "returns".into(),
                        tax_rounding: TaxRounding::PerLine,
                        rounding: Rounding::HalfUp,
                    }),
                );
                if ok {
                    self.credits.push(credit_memo);
                    if against.is_some() {
                        // The application's id is the command's.
                        self.applications.push(ApplicationId::from_u128(id));
                    }
                }
            }
            Op::Payment { customer, minor, method, back } => {
                let customer = Self::pick(&self.customers, *customer).unwrap();
                let amount = self.money(customer, *minor);
                let payment = PaymentId::from_u128(self.id());
                let received = if self.backdate { day - Days::new(u64::from(*back)) } else { day };
                let method = match method % 4 {
                    0 => PaymentMethod::Wire,
                    1 => PaymentMethod::BankTransfer,
                    2 => PaymentMethod::Check { number: format!("{}", self.next).into() },
                    _ => PaymentMethod::Cash,
                };
                let reference = if self.next.is_multiple_of(3) { String::new() } else { format!("REF-{}", self.next) };
                let ok = self.run(
                    received,
                    Action::ReceivePayment(ReceivePayment {
                        payment,
                        customer,
                        amount,
                        received,
                        method,
                        payer_reference: FreeText::new(&reference),
                        remittance: FreeText::default(),
                        deposit: None,
                    }),
                );
                if ok {
                    self.payments.push(payment);
                }
            }
            Op::Apply { payment, mode } => {
                let Some(p) = Self::pick(&self.payments, *payment) else { return };
                let application = ApplicationId::from_u128(self.id());
                let base = self.next;
                let policy = match mode {
                    0 => ApplicationPolicy::new(),
                    1 => ApplicationPolicy::new().write_off_up_to(Decimal::new(500, 2)),
                    2 => ApplicationPolicy::new().deduct_short_pay(
                        (1..=4).map(|k| DeductionId::from_u128(base * 10 + k)).collect(),
                        DeductionReason::Shortage,
                    ),
                    _ => ApplicationPolicy::new().no_discounts(),
                };
                let ok = self.run(
                    day,
                    Action::ApplyCash(ApplyCash {
                        application,
                        source: CashSource::Payment(p),
                        amount: None,
                        target: if *mode == 3 { Target::FeesFirst } else { Target::OldestDueFirst },
                        policy,
                    }),
                );
                if ok {
                    self.applications.push(application);
                    for d in self.ledger.deductions(None, None) {
                        if !self.deductions.contains(&d.deduction) {
                            self.deductions.push(d.deduction);
                        }
                    }
                }
            }
            Op::ApplyCredit { credit } => {
                let Some(k) = Self::pick(&self.credits, *credit) else { return };
                let application = ApplicationId::from_u128(self.id());
                let ok = self.run(
                    day,
                    Action::ApplyCash(ApplyCash {
                        application,
                        source: CashSource::CreditMemo(k),
                        amount: None,
                        target: Target::OldestDueFirst,
                        policy: ApplicationPolicy::new(),
                    }),
                );
                if ok {
                    self.applications.push(application);
                }
            }
            Op::WriteOff { invoice, percent } => {
                let Some(i) = Self::pick(&self.invoices, *invoice) else { return };
                let view = self.ledger.invoice(i).unwrap();
                let collectible = view.open.minor() - view.disputed.minor();
                let minor = collectible * i64::from(*percent) / 100;
                if minor <= 0 {
                    return;
                }
                let amount = Money::from_minor(minor, view.open.currency()).unwrap();
                self.run(day, Action::WriteOff { invoice: i, amount, reason: "bad-debt".into() });
            }
            Op::Unapply { application } => {
                let Some(a) = Self::pick(&self.applications, *application) else { return };
                self.run(day, Action::Unapply { application: a });
            }
            Op::Refund { payment, percent } => {
                let Some(p) = Self::pick(&self.payments, *payment) else { return };
                let id = self.id();
                let customer =
                    self.customers.iter().copied().find(|c| {
                        self.ledger.unapplied(*c).unwrap().iter().any(|u| u.source == CashSource::Payment(p))
                    });
                let Some(customer) = customer else { return };
                let unapplied = self.ledger.unapplied(customer).unwrap();
                let u = unapplied.iter().find(|u| u.source == CashSource::Payment(p)).unwrap();
                let minor = u.amount.minor() * i64::from(*percent) / 100;
                if minor <= 0 {
                    return;
                }
                let amount = Money::from_minor(minor, u.amount.currency()).unwrap();
                self.run(
                    day,
                    Action::Refund { refund: RefundId::from_u128(id), source: CashSource::Payment(p), amount },
                );
            }
            Op::Void { invoice } => {
                let Some(i) = Self::pick(&self.invoices, *invoice) else { return };
                self.run(day, Action::VoidInvoice { invoice: i, reason: "wrong customer".into() });
            }
            Op::Dispute { invoice, percent } => {
                let Some(i) = Self::pick(&self.invoices, *invoice) else { return };
                let view = self.ledger.invoice(i).unwrap();
                let minor = (view.open.minor() - view.disputed.minor()) * i64::from(*percent) / 100;
                if minor <= 0 {
                    return;
                }
                let dispute = DisputeId::from_u128(self.id());
                let amount = Money::from_minor(minor, view.open.currency()).unwrap();
                if self.run(day, Action::OpenDispute { dispute, invoice: i, amount, reason: "quality".into() }) {
                    self.disputes.push(dispute);
                }
            }
            Op::ResolveDispute { dispute, credit } => {
                let Some(d) = Self::pick(&self.disputes, *dispute) else { return };
                let k = CreditMemoId::from_u128(self.id());
                let resolution = if *credit {
                    DisputeResolution::Credited { credit_memo: k, number: format!("DCM-{}", self.next) }
                } else {
                    DisputeResolution::Rejected
                };
                if self.run(day, Action::ResolveDispute { dispute: d, resolution }) && *credit {
                    self.credits.push(k);
                }
            }
            Op::ResolveDeduction { deduction, how } => {
                let Some(d) = Self::pick(&self.deductions, *deduction) else { return };
                let id = self.id();
                let resolution = match how {
                    0 => DeductionResolution::WriteOff { reason: "small".into() },
                    1 => {
                        DeductionResolution::Rebill { debit_memo: InvoiceId::from_u128(id), number: format!("RB-{id}") }
                    }
                    2 => DeductionResolution::Valid {
                        credit_memo: CreditMemoId::from_u128(id),
                        number: format!("VCM-{id}"),
                    },
                    _ => match Self::pick(&self.payments, d.as_uuid().as_u128() as u8) {
                        Some(payment) => DeductionResolution::Repaid { payment },
                        None => return,
                    },
                };
                if self.run(day, Action::ResolveDeduction { deduction: d, resolution }) {
                    match how {
                        1 => self.invoices.push(InvoiceId::from_u128(id)),
                        2 => self.credits.push(CreditMemoId::from_u128(id)),
                        _ => {}
                    }
                }
            }
        }
    }
}

/// A ledger the report scenario tests drive by hand: every command gets the next
/// id, and a refused command fails the test.
pub struct Book {
    pub ledger: Ledger,
    pub next: u128,
}

impl Book {
    pub fn new() -> Book {
        Book { ledger: Ledger::new(LedgerConfig::new()), next: 0 }
    }

    pub fn run(&mut self, date: NaiveDate, action: Action) {
        self.next += 1;
        let command = Command {
            id: CommandId::from_u128(self.next),
            effective_date: date,
            actor: Actor::new("t", "clerk"),
            action,
        };
        self.ledger.execute(command).unwrap();
    }

    /// Registers a USD customer.
    pub fn register(&mut self, date: NaiveDate, customer: u128, terms: PaymentTerms, collector: Option<&str>) {
        let action = Action::RegisterCustomer(RegisterCustomer {
            customer: CustomerId::from_u128(customer),
            name: format!("C{customer}"),
            currency: Currency::USD,
            terms,
            credit_limit: None,
            collector: collector.map(str::to_owned),
        });
        self.run(date, action);
    }

    /// Issues a one-line invoice (the customer's terms unless `terms` is given);
    /// its id and number come from the command counter.
    pub fn invoice(
        &mut self,
        customer: u128,
        date: NaiveDate,
        amount: Decimal,
        terms: Option<PaymentTerms>,
    ) -> InvoiceId {
        let invoice = InvoiceId::from_u128(1000 + self.next);
        let number = format!("INV-{}", self.next);
        let action = one_line_invoice(invoice, number, CustomerId::from_u128(customer), date, amount, terms);
        self.run(date, action);
        invoice
    }

    /// Receives `amount` USD by `method` and applies it to what `target` names
    /// (given the payment's amount); ids come from the command counter.
    pub fn pay(
        &mut self,
        customer: u128,
        date: NaiveDate,
        amount: Decimal,
        method: PaymentMethod,
        target: impl FnOnce(Money) -> Target,
    ) {
        let payment = PaymentId::from_u128(5000 + self.next);
        let money = Money::new(amount, Currency::USD).unwrap();
        self.run(
            date,
            Action::ReceivePayment(ReceivePayment {
                payment,
                customer: CustomerId::from_u128(customer),
                amount: money,
                received: date,
                method,
                payer_reference: FreeText::default(),
                remittance: FreeText::default(),
                deposit: None,
            }),
        );
        self.run(
            date,
            Action::ApplyCash(ApplyCash {
                application: ApplicationId::from_u128(7000 + self.next),
                source: CashSource::Payment(payment),
                amount: None,
                target: target(money),
                policy: ApplicationPolicy::new(),
            }),
        );
    }
}

/// Issuing a one-line invoice of `amount`, described by its number.
pub fn one_line_invoice(
    invoice: InvoiceId,
    number: String,
    customer: CustomerId,
    date: NaiveDate,
    amount: Decimal,
    terms: Option<PaymentTerms>,
) -> Action {
    Action::IssueInvoice(IssueInvoice {
        invoice,
        lines: vec![DocumentLine {
            description: number.clone().into(),
            quantity: Decimal::ONE,
            unit_price: amount,
            discount: None,
            taxes: vec![],
        }],
        number,
        customer,
        kind: InvoiceKind::Invoice,
        document_date: date,
        discount: None,
        terms,
        tax_rounding: TaxRounding::PerLine,
        rounding: Rounding::HalfUp,
    })
}
