//! A small desk for driving the ledger in tests: numbered commands, short builders.
#![allow(dead_code)]

use ar_core::*;
use chrono::NaiveDate;
use rust_decimal::Decimal;

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

pub fn money(v: Decimal, c: Currency) -> Money {
    Money::new(v, c).expect("valid test amount")
}

pub fn line(price: Decimal) -> DocumentLine {
    DocumentLine {
        description: "Goods".into(),
        quantity: Decimal::ONE,
        unit_price: price,
        discount: None,
        taxes: vec![],
    }
}

pub struct Desk {
    pub ledger: Ledger,
    pub next: u128,
    pub actor: Actor,
    pub today: NaiveDate,
}

impl Desk {
    pub fn new() -> Self {
        Desk::with(LedgerConfig::new())
    }

    pub fn with(config: LedgerConfig) -> Self {
        Desk {
            ledger: Ledger::new(config),
            next: 1,
            actor: Actor::new("tester", "supervisor"),
            today: date(2026, 1, 1),
        }
    }

    pub fn as_role(&mut self, role: &str) -> &mut Self {
        self.actor = Actor::new("tester", role);
        self
    }

    pub fn command(&mut self, action: Action) -> Command {
        let id = CommandId::from_u128(self.next);
        self.next += 1;
        Command { id, effective_date: self.today, actor: self.actor.clone(), action }
    }

    pub fn run(&mut self, action: Action) -> Result<Vec<Event>, LedgerError> {
        let cmd = self.command(action);
        self.ledger.execute(cmd).map(<[Event]>::to_vec)
    }

    /// Runs `action`, which must be refused, and checks the ledger did not move.
    pub fn refused(&mut self, action: Action) -> LedgerError {
        let before = self.ledger.clone();
        let err = self.run(action).expect_err("must be refused");
        assert!(self.ledger == before, "a refused command changed the ledger: {err}");
        err
    }

    pub fn ok(&mut self, action: Action) -> Vec<Event> {
        match self.run(action) {
            Ok(events) => events,
            Err(e) => panic!("command refused: {e}"),
        }
    }

    pub fn customer(&mut self, n: u128, currency: Currency, terms: PaymentTerms) -> CustomerId {
        let customer = CustomerId::from_u128(n);
        self.ok(Action::RegisterCustomer(RegisterCustomer {
            customer,
            name: format!("Customer {n}"),
            currency,
            terms,
            credit_limit: None,
            collector: None,
        }));
        customer
    }

    pub fn issue_cmd(&self, n: u128, customer: CustomerId, on: NaiveDate, price: Decimal) -> IssueInvoice {
        IssueInvoice {
            invoice: InvoiceId::from_u128(n),
            number: format!("INV-{n:05}"),
            customer,
            kind: InvoiceKind::Invoice,
            document_date: on,
            lines: vec![line(price)],
            discount: None,
            terms: None,
            tax_rounding: TaxRounding::PerLine,
            rounding: Rounding::HalfUp,
        }
    }

    /// Issues an invoice dated `on`; the desk's day moves up to it, as a
    /// host's does: later commands are not dated before the documents they touch.
    pub fn invoice(&mut self, n: u128, customer: CustomerId, on: NaiveDate, price: Decimal) -> InvoiceId {
        self.today = self.today.max(on);
        let cmd = self.issue_cmd(n, customer, on, price);
        self.ok(Action::IssueInvoice(cmd));
        InvoiceId::from_u128(n)
    }

    /// Receives a payment on `on`; the desk's day moves up to it.
    pub fn pay(&mut self, n: u128, customer: CustomerId, on: NaiveDate, amount: Money) -> PaymentId {
        self.today = self.today.max(on);
        self.ok(Action::ReceivePayment(pay_cmd(n, customer, on, amount)));
        PaymentId::from_u128(n)
    }

    pub fn apply(
        &mut self,
        n: u128,
        payment: PaymentId,
        target: Target,
        policy: ApplicationPolicy,
    ) -> Result<Vec<Event>, LedgerError> {
        self.run(Action::ApplyCash(ApplyCash {
            application: ApplicationId::from_u128(n),
            source: CashSource::Payment(payment),
            amount: None,
            target,
            policy,
        }))
    }

    pub fn view(&self, invoice: InvoiceId) -> InvoiceView {
        self.ledger.invoice(invoice).expect("invoice exists")
    }
}

pub fn pay_cmd(n: u128, customer: CustomerId, on: NaiveDate, amount: Money) -> ReceivePayment {
    ReceivePayment {
        payment: PaymentId::from_u128(n),
        customer,
        amount,
        received: on,
        method: PaymentMethod::BankTransfer,
        payer_reference: FreeText::default(),
        remittance: FreeText::default(),
        deposit: None,
    }
}
