//! A small wholesaler's month, told through the `ar` API.
//!
//! Two customers (one billed in USD on 2/10 net 30, one in JPY on EOM 30), a
//! month of invoices, a payment that takes its early-payment discount, a short
//! payment turned into a deduction, an overpayment left on account, a credit
//! check that holds an order, and aging as of month end and later — printed as tables.
//!
//! Run it with `cargo run --release --example quickstart`.
#![allow(clippy::print_stdout)]

use ar_aging::reports::History;
use ar_aging::{AgingPolicy, AgingTotals, Placement};
use ar_core::*;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Sends numbered commands to the ledger and keeps the date.
struct Desk {
    ledger: Ledger,
    next: u128,
    clerk: Actor,
}

impl Desk {
    fn run(&mut self, on: NaiveDate, action: Action) -> Result<Vec<Event>> {
        self.next += 1;
        let command =
            Command { id: CommandId::from_u128(self.next), effective_date: on, actor: self.clerk.clone(), action };
        Ok(self.ledger.execute(command)?.to_vec())
    }
}

fn day(d: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(2026, 3, d).ok_or_else(|| "bad date".into())
}

fn line(description: &str, quantity: Decimal, unit_price: Decimal, tax: Option<Decimal>) -> DocumentLine {
    let taxes = tax.map(|percent| vec![TaxRate { code: "SALES".into(), percent }]).unwrap_or_default();
    DocumentLine { description: description.into(), quantity, unit_price, discount: None, taxes }
}

fn invoice(n: u128, number: &str, customer: CustomerId, on: NaiveDate, lines: Vec<DocumentLine>) -> Action {
    Action::IssueInvoice(IssueInvoice {
        invoice: InvoiceId::from_u128(n),
        number: number.into(),
        customer,
        kind: InvoiceKind::Invoice,
        document_date: on,
        lines,
        discount: None,
        terms: None,
        tax_rounding: TaxRounding::PerLine,
        rounding: Rounding::HalfUp,
    })
}

fn payment(n: u128, customer: CustomerId, amount: Money, on: NaiveDate, reference: &str) -> Action {
    Action::ReceivePayment(ReceivePayment {
        payment: PaymentId::from_u128(n),
        customer,
        amount,
        received: on,
        method: PaymentMethod::BankTransfer,
        payer_reference: reference.into(),
        remittance: FreeText::default(),
        deposit: None,
    })
}

fn apply(n: u128, payment: u128, target: Target, policy: ApplicationPolicy) -> Action {
    Action::ApplyCash(ApplyCash {
        application: ApplicationId::from_u128(n),
        source: CashSource::Payment(PaymentId::from_u128(payment)),
        amount: None,
        target,
        policy,
    })
}

fn main() -> Result<()> {
    let approvals = ApprovalPolicy::new().require(
        Authority::WriteOff,
        Some(Money::new(dec!(50.00), Currency::USD)?),
        &["supervisor"],
    );
    let config = LedgerConfig::new().approvals(approvals).credit(CreditPolicy::new().hold_when_overdue_beyond(30));
    let mut desk = Desk { ledger: Ledger::new(config), next: 0, clerk: Actor::new("maria", "clerk") };

    let acme = CustomerId::from_u128(1);
    let sakura = CustomerId::from_u128(2);
    desk.clerk = Actor::new("olga", "credit_manager");
    desk.run(
        day(1)?,
        Action::RegisterCustomer(RegisterCustomer {
            customer: acme,
            name: "Acme Hardware (Chicago)".into(),
            currency: Currency::USD,
            terms: PaymentTerms::two_ten_net_30(),
            credit_limit: Some(Money::new(dec!(5000.00), Currency::USD)?),
            collector: Some("maria".into()),
        }),
    )?;
    desk.run(
        day(1)?,
        Action::RegisterCustomer(RegisterCustomer {
            customer: sakura,
            name: "Sakura Trading (Osaka)".into(),
            currency: Currency::JPY,
            terms: PaymentTerms::eom(30),
            credit_limit: Some(Money::new(dec!(2000000), Currency::JPY)?),
            collector: Some("kenji".into()),
        }),
    )?;
    desk.clerk = Actor::new("maria", "clerk");

    println!("== Invoices issued in March 2026");
    desk.run(
        day(2)?,
        invoice(
            101,
            "INV-2026-0101",
            acme,
            day(2)?,
            vec![
                line("Cordless drill", dec!(12), dec!(89.90), Some(dec!(8.25))),
                line("Drill bits, set of 20", dec!(12), dec!(14.95), Some(dec!(8.25))),
            ],
        ),
    )?;
    desk.run(
        day(5)?,
        invoice(102, "INV-2026-0102", acme, day(5)?, vec![line("Workbench", dec!(3), dec!(412.00), Some(dec!(8.25)))]),
    )?;
    desk.run(
        day(6)?,
        invoice(103, "INV-2026-0103", sakura, day(6)?, vec![line("Chisel set", dec!(40), dec!(4980), Some(dec!(10)))]),
    )?;
    desk.run(
        day(20)?,
        invoice(
            104,
            "INV-2026-0104",
            sakura,
            day(20)?,
            vec![line("Hand plane", dec!(25), dec!(12800), Some(dec!(10)))],
        ),
    )?;
    print_invoices(&desk.ledger, &[101, 102, 103, 104])?;

    println!("\n== Payments");
    // Acme pays INV-0101 within 10 days: 2 % of 1,362.00 is 27.24 off.
    desk.run(day(12)?, payment(201, acme, Money::new(dec!(1334.76), Currency::USD)?, day(12)?, "INV-2026-0101"))?;
    desk.run(day(12)?, apply(301, 201, Target::OldestDueFirst, ApplicationPolicy::new().write_off_up_to(dec!(0.05))))?;
    println!("Acme paid 1,334.76 USD on 03-12 for INV-0101 (1,362.00): the 2/10 discount of 27.24 is taken");
    // Acme short-pays INV-0102 by 60.00, claiming damage: a deduction.
    desk.run(
        day(28)?,
        payment(202, acme, Money::new(dec!(1277.97), Currency::USD)?, day(28)?, "INV-2026-0102 less damage"),
    )?;
    let deduction = DeductionId::from_u128(401);
    let policy = ApplicationPolicy::new().deduct_short_pay(vec![deduction], DeductionReason::Damage);
    desk.run(day(28)?, apply(302, 202, Target::OldestDueFirst, policy))?;
    println!("Acme paid 1,277.97 USD on 03-28 for INV-0102 (1,337.97): 60.00 becomes a deduction for damage");
    // Sakura pays INV-0103 and rounds up: the excess stays on account.
    desk.run(day(31)?, payment(203, sakura, Money::new(dec!(230000), Currency::JPY)?, day(31)?, "INV-2026-0103"))?;
    let only_0103 = Target::OldestDueFirstAmong(vec![InvoiceId::from_u128(103)]);
    desk.run(day(31)?, apply(303, 203, only_0103, ApplicationPolicy::new()))?;
    println!("Sakura paid 230,000 JPY on 03-31 for INV-0103 (219,120): 10,880 JPY stays on account");
    print_invoices(&desk.ledger, &[101, 102, 103, 104])?;

    println!("\n== Balances on 2026-03-31");
    println!("{:<26} {:>14} {:>12} {:>12} {:>14}", "customer", "open invoices", "deductions", "unapplied", "balance");
    for (id, name) in [(acme, "Acme Hardware"), (sakura, "Sakura Trading")] {
        let b = desk.ledger.balance(id)?;
        println!(
            "{:<26} {:>14} {:>12} {:>12} {:>14}",
            name,
            b.open_invoices.to_string(),
            b.open_deductions.amount(),
            b.unapplied_cash.amount(),
            b.balance.to_string()
        );
    }

    println!("\n== Deductions");
    for d in desk.ledger.deductions(None, None) {
        println!("{}  {:?}  on {}  {:?}", d.amount, d.reason, d.invoice_number, d.status);
    }

    println!("\n== Credit check for new orders");
    let acme_order = Money::new(dec!(5200.00), Currency::USD)?;
    let decision = desk.ledger.credit_check(acme, acme_order, day(31)?, Money::zero(Currency::USD))?;
    println!("Acme, order of {acme_order}: {}", describe(&decision));
    let sakura_order = Money::new(dec!(150000), Currency::JPY)?;
    let later = NaiveDate::from_ymd_opt(2026, 6, 15).ok_or("bad date")?;
    let decision = desk.ledger.credit_check(sakura, sakura_order, later, Money::zero(Currency::JPY))?;
    println!("Sakura, order of {sakura_order} on {later}: {}", describe(&decision));

    println!("\n== Open items on 2026-03-31");
    println!("{:<8} {:<14} {:<14} {:<11} {:>16} {:>16}", "customer", "kind", "document", "due", "original", "open");
    for item in desk.ledger.all_open_items() {
        let who = if item.customer == acme { "Acme" } else { "Sakura" };
        println!(
            "{:<8} {:<14} {:<14} {:<11} {:>16} {:>16}",
            who,
            format!("{:?}", item.kind),
            item.number,
            item.due_date.to_string(),
            item.original.to_string(),
            item.open.to_string()
        );
    }

    // Aging as it stood on a date, rebuilt from the journal (here: the month end, and
    // the middle of April, when INV-0104 is past due).
    let history = History::new(desk.ledger.journal())?;
    for as_of in [day(31)?, NaiveDate::from_ymd_opt(2026, 5, 15).ok_or("bad date")?] {
        let policy = AgingPolicy::new(as_of).unapplied_cash(Placement::OwnColumn).deductions(Placement::OwnColumn);
        let totals = history.as_of(as_of)?.aging_items()?.totals(&policy);
        print_aging(&totals, &policy)?;
    }

    let replayed = Ledger::replay(desk.ledger.config().clone(), desk.ledger.journal())?;
    println!(
        "\n{} events recorded; replaying them rebuilds the same ledger: {}",
        desk.ledger.journal().len(),
        replayed == desk.ledger
    );
    Ok(())
}

fn print_invoices(ledger: &Ledger, ids: &[u128]) -> Result<()> {
    println!(
        "{:<15} {:<11} {:>16} {:>14} {:>12} {:>14}  status",
        "invoice", "due", "total", "paid", "discount", "open"
    );
    for id in ids {
        let v = ledger.invoice(InvoiceId::from_u128(*id)).ok_or("unknown invoice")?;
        let due = v.installments.first().map(|i| i.due_date.to_string()).unwrap_or_default();
        println!(
            "{:<15} {:<11} {:>16} {:>14} {:>12} {:>14}  {:?}",
            v.number,
            due,
            v.total.to_string(),
            v.cash.amount(),
            v.discounted.amount(),
            v.open.amount(),
            v.status
        );
    }
    Ok(())
}

fn print_aging(totals: &AgingTotals, policy: &AgingPolicy) -> Result<()> {
    println!("\n== Aging as of {}", policy.get_as_of());
    let columns = policy.columns();
    let mut header = format!("{:<8}", "currency");
    for column in &columns {
        header.push_str(&format!(" {:>14}", policy.label(*column).unwrap_or("?")));
    }
    println!("{header} {:>14}", "total");
    for row in totals.rows() {
        let mut line = format!("{:<8}", row.currency().code());
        for column in &columns {
            line.push_str(&format!(" {:>14}", row.money(*column)?.amount()));
        }
        println!("{line} {:>14}", row.total()?.amount());
    }
    Ok(())
}

fn describe(decision: &CreditDecision) -> String {
    let reasons: Vec<String> = decision
        .reasons()
        .iter()
        .map(|r| match r {
            CreditReason::OverLimit { over_by, limit, .. } => format!("over the {limit} limit by {over_by}"),
            CreditReason::NearLimit { exposure, limit } => format!("exposure {exposure} near the {limit} limit"),
            CreditReason::Overdue { number, days, open, .. } => format!("{number} is {days} days past due ({open})"),
            CreditReason::ManualHold { reason } => format!("on manual hold: {reason}"),
            CreditReason::NoLimit => "no credit limit set".to_owned(),
            other => format!("{other:?}"),
        })
        .collect();
    let verdict = match decision {
        CreditDecision::Approve => "APPROVE",
        CreditDecision::ApproveWithWarnings(_) => "APPROVE with warnings",
        CreditDecision::Hold(_) => "HOLD",
        _ => "?",
    };
    if reasons.is_empty() { verdict.to_owned() } else { format!("{verdict}: {}", reasons.join("; ")) }
}
