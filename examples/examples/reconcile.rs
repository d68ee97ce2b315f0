//! The cash-application desk: read a camt.053 and a BAI2 file, propose which
//! open invoices each incoming amount pays (with the evidence in plain words),
//! apply the certain ones to the ledger, and list what is left for review.
//!
//! Run it with `cargo run --release --example reconcile`.
#![allow(clippy::print_stdout)]

use ar_core::*;
use ar_reconcile::matching::ledger::{CommandIds, commands_for, open_invoices};
use ar_reconcile::matching::{Customer, CustomerDirectory, MatchPolicy, Proposal, Tier, match_lines};
use ar_reconcile::readers::{bai2, camt};
use ar_reconcile::{BankLine, ReadOutcome};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const CAMT: &[u8] = include_bytes!("../data/demo_camt053.xml");
const BAI2: &[u8] = include_bytes!("../data/demo.bai2");

struct Desk {
    ledger: Ledger,
    next: u128,
    actor: Actor,
}

impl Desk {
    fn id(&mut self) -> u128 {
        self.next += 1;
        self.next
    }

    fn run(&mut self, on: NaiveDate, action: Action) -> Result<()> {
        let id = CommandId::from_u128(self.id());
        self.ledger.execute(Command { id, effective_date: on, actor: self.actor.clone(), action })?;
        Ok(())
    }
}

fn date(m: u32, d: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(2026, m, d).ok_or_else(|| "bad date".into())
}

/// A small ledger: four customers, eight open invoices.
fn ledger() -> Result<Desk> {
    let mut desk = Desk { ledger: Ledger::new(LedgerConfig::new()), next: 1000, actor: Actor::new("ar-desk", "clerk") };
    let customers = [
        (1, "Acme Hardware Inc.", PaymentTerms::net_30()),
        (2, "Blue Ridge Supply LLC", PaymentTerms::net_30()),
        (3, "Cedar Builders Ltd", PaymentTerms::two_ten_net_30()),
        (4, "Dunmore & Co", PaymentTerms::net_30()),
    ];
    for (n, name, terms) in customers {
        let reg = RegisterCustomer {
            customer: CustomerId::from_u128(n),
            name: name.into(),
            currency: Currency::USD,
            terms,
            credit_limit: None,
            collector: None,
        };
        desk.run(date(3, 1)?, Action::RegisterCustomer(reg))?;
    }
    let invoices: [(u128, u128, u32, Decimal); 8] = [
        (201, 1, 2, dec!(1250.00)),
        (202, 2, 5, dec!(300.00)),
        (203, 2, 6, dec!(450.00)),
        (204, 2, 9, dec!(200.00)),
        (205, 3, 25, dec!(1000.00)),
        (206, 1, 12, dec!(795.50)),
        (207, 1, 14, dec!(1000.00)),
        (208, 4, 10, dec!(520.00)),
    ];
    for (n, customer, day, amount) in invoices {
        let issue = IssueInvoice {
            invoice: InvoiceId::from_u128(n),
            number: format!("INV-2026-{n:04}"),
            customer: CustomerId::from_u128(customer),
            kind: InvoiceKind::Invoice,
            document_date: date(3, day)?,
            lines: vec![DocumentLine {
                description: "Goods".into(),
                quantity: Decimal::ONE,
                unit_price: amount,
                discount: None,
                taxes: vec![],
            }],
            discount: None,
            terms: None,
            tax_rounding: TaxRounding::PerLine,
            rounding: Rounding::HalfUp,
        };
        desk.run(date(3, day)?, Action::IssueInvoice(issue))?;
    }
    Ok(desk)
}

/// Who the customers are to the bank: names, and the accounts they pay from.
fn directory() -> CustomerDirectory {
    [
        Customer::new(CustomerId::from_u128(1), "Acme Hardware Inc.").account("US12ACME00000000000001"),
        Customer::new(CustomerId::from_u128(2), "Blue Ridge Supply LLC"),
        Customer::new(CustomerId::from_u128(3), "Cedar Builders Ltd").account("US98CEDAR0000000000042"),
        Customer::new(CustomerId::from_u128(4), "Dunmore & Co"),
    ]
    .into_iter()
    .collect()
}

fn read(name: &str, outcome: ReadOutcome, lines: &mut Vec<BankLine>) {
    for s in &outcome.statements {
        let opening = s.opening.as_ref().map_or("-".to_owned(), |b| b.amount.to_string());
        let closing = s.closing.as_ref().map_or("-".to_owned(), |b| b.amount.to_string());
        println!(
            "{name}: account {} {}, {} lines, opening {opening}, closing {closing}",
            s.account,
            s.currency,
            s.lines.len()
        );
        lines.extend(s.lines.iter().cloned());
    }
    for d in &outcome.diagnostics {
        println!("  {:?} {}: {}", d.severity, d.code, d.message);
    }
}

fn main() -> Result<()> {
    let mut desk = ledger()?;

    println!("== Bank files");
    let mut lines = Vec::new();
    read("camt.053", camt::read(CAMT), &mut lines);
    read("BAI2", bai2::read(BAI2), &mut lines);

    println!("\n== Proposals");
    let policy = MatchPolicy::new().write_off_tolerance(dec!(1.00), dec!(0.5)).invoice_prefixes(["INV"]);
    let items = open_invoices(&desk.ledger.all_open_items());
    let outcome = match_lines(policy.clone(), &directory(), &items, &lines)?;
    for (line, p) in lines.iter().zip(&outcome.proposals) {
        print_proposal(&desk.ledger, line, p)?;
    }

    println!("\n== Applying the certain proposals");
    let mut review = Vec::new();
    for (line, p) in lines.iter().zip(&outcome.proposals) {
        if p.tier != Tier::Certain {
            review.push((line, p));
            continue;
        }
        let ids = CommandIds {
            payment: PaymentId::from_u128(desk.id()),
            application: ApplicationId::from_u128(desk.id()),
            receive: CommandId::from_u128(desk.id()),
            apply: CommandId::from_u128(desk.id()),
            deductions: vec![DeductionId::from_u128(desk.id())],
        };
        for command in commands_for(p, line, &policy, &ids, &desk.actor)? {
            desk.ledger.execute(command)?;
        }
        println!("line {}: {} applied", p.line + 1, p.amount);
    }

    println!("\n== Left for review");
    for (line, p) in review {
        let who = line.counterparty_name.as_deref().unwrap_or("unknown payer");
        println!("line {}: {} from {who} — {:?}", p.line + 1, p.amount, p.tier);
    }

    println!("\n== Open items after applying");
    for item in desk.ledger.all_open_items() {
        println!("{:<14} {:<14?} {:>12}", item.number, item.kind, item.open.to_string());
    }
    Ok(())
}

fn print_proposal(ledger: &Ledger, line: &BankLine, p: &Proposal) -> Result<()> {
    let who = line.counterparty_name.as_deref().unwrap_or("?");
    let customer = match p.customer {
        Some(c) => ledger.customer_currency(c).map(|_| format!("customer {}", c.as_uuid().as_u128()))?,
        None => "no customer".to_owned(),
    };
    println!("line {} — {} from {who}: {:?}, {customer}", p.line + 1, p.amount, p.tier);
    for a in &p.allocations {
        println!("    pays {} {} (discount {})", a.document, a.applied, a.discount);
    }
    for w in &p.write_offs {
        println!("    writes off {} on {}", w.amount, w.document);
    }
    for d in &p.deductions {
        println!("    deduction {} on {}", d.amount, d.document);
    }
    if p.unapplied.is_positive() {
        println!("    unapplied {}", p.unapplied);
    }
    for e in &p.evidence {
        println!("    because {e}");
    }
    Ok(())
}
