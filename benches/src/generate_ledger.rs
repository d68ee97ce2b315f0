//! Seeded receivables data for the ledger benchmarks: customers, invoices and
//! payments as the engine's own [`Command`]s, made up front so nothing but the
//! engine is timed.
//!
//! The mix is meant to look like a real book of receivables:
//!
//! - customers: mostly USD, some EUR and JPY; terms net 30, 2/10 net 30, EOM 30 or
//!   net 60; how much each buys is skewed (a few large customers, a long tail);
//! - invoices: 1 to `max_lines` lines with quantities, unit prices and sometimes a
//!   line discount or a sales tax, dated over a year in order;
//! - payments: most pay one invoice in full (on time, late, or early with the
//!   discount), some pay part now and the rest later, some pay several invoices at
//!   once, some overpay, some short-pay by less than the write-off tolerance. Each
//!   payment is followed by an `ApplyCash` oldest-due-first.
//!
//! A customer's payments are dated in the order of the invoices they meant to pay,
//! so oldest-first application mostly lands where the payer intended; where it does
//! not (an overpayment, a missed discount), the engine's rules decide, as they would.

use std::io::Write;
use std::path::Path;

use ar_core::{
    Action, Actor, ApplicationId, ApplicationPolicy, ApplyCash, CardRef, CardScheme, CashSource, Command, CommandId,
    Currency, CustomerId, Discount, DocumentLine, FreeText, InvoiceId, InvoiceKind, IssueInvoice, Money, PaymentId,
    PaymentMethod, PaymentTerms, ReceivePayment, RegisterCustomer, Rounding, Target, TaxRate, TaxRounding,
    compute_totals,
};
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use crate::rng::Rng;

/// What to generate. Defaults: 100 000 customers, 1 000 000 invoices, as many
/// payments as invoices, up to 3 lines an invoice, seed 42, dated from 2025-01-01,
/// [`IdStyle::Scrambled`] ids.
///
/// ```
/// use ar_benches::generate_ledger::{LedgerSpec, generate};
/// let data = generate(&LedgerSpec::new(50, 400).seed(7))?;
/// assert_eq!(data.customers.len(), 50);
/// assert_eq!(data.invoices.len(), 400);
/// assert_eq!(data.payments.len(), 2 * data.payment_rows.len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerSpec {
    /// Customers registered.
    pub customers: usize,
    /// Invoices issued.
    pub invoices: usize,
    /// Payments received, at most (fewer if the invoices run out first).
    pub payments: usize,
    /// Lines per invoice, at most (at least 1).
    pub max_lines: usize,
    /// The generator's seed.
    pub seed: u64,
    /// The first invoice date; invoices spread over the 365 days from it.
    pub start: NaiveDate,
    /// How ids are made from their counters.
    pub ids: IdStyle,
}

/// How the generator turns its counters (customer 1, 2, 3…) into ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum IdStyle {
    /// `from_u128(n)`: a host's integer keys as they are. Only the last bytes vary.
    Counter,
    /// `from_u128(n × odd constant)`: one id per counter, every byte varying, as
    /// with random (v4) UUIDs. The default.
    #[default]
    Scrambled,
}

impl IdStyle {
    /// The id number for counter `n`.
    pub fn id(self, n: u128) -> u128 {
        match self {
            IdStyle::Counter => n,
            // Odd, so multiplying is a bijection on u128: no two counters share an id.
            IdStyle::Scrambled => n.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835),
        }
    }
}

impl Default for LedgerSpec {
    fn default() -> Self {
        LedgerSpec::new(100_000, 1_000_000)
    }
}

impl LedgerSpec {
    /// `customers` customers and `invoices` invoices, as many payments as invoices.
    pub fn new(customers: usize, invoices: usize) -> Self {
        LedgerSpec {
            customers: customers.max(1),
            invoices,
            payments: invoices,
            max_lines: 3,
            seed: 42,
            start: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default(),
            ids: IdStyle::Scrambled,
        }
    }
    /// Sets the number of payments.
    pub fn payments(mut self, payments: usize) -> Self {
        self.payments = payments;
        self
    }
    /// Sets the most lines an invoice has.
    pub fn max_lines(mut self, max_lines: usize) -> Self {
        self.max_lines = max_lines.max(1);
        self
    }
    /// Sets the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Sets how ids are made.
    pub fn ids(mut self, ids: IdStyle) -> Self {
        self.ids = ids;
        self
    }
    /// Sets the first invoice date.
    pub fn start(mut self, start: NaiveDate) -> Self {
        self.start = start;
        self
    }
}

/// An invoice as generated, with the total and due date the engine will compute
/// (the generator computes them with the engine's own public functions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceRow {
    /// The invoice.
    pub invoice: InvoiceId,
    /// The customer.
    pub customer: CustomerId,
    /// The customer's currency.
    pub currency: Currency,
    /// The document date.
    pub document_date: NaiveDate,
    /// The (first) installment's due date.
    pub due_date: NaiveDate,
    /// The total in minor units.
    pub total_minor: i64,
    /// The early-payment discount, if the terms offer one: the last day to take it
    /// and its amount in minor units.
    pub discount: Option<(NaiveDate, i64)>,
}

/// A payment as generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    /// The payment.
    pub payment: PaymentId,
    /// Who paid.
    pub customer: CustomerId,
    /// The customer's currency.
    pub currency: Currency,
    /// The date received.
    pub received: NaiveDate,
    /// The amount in minor units.
    pub amount_minor: i64,
}

/// The generated commands, in the order to execute them, and the rows behind them.
#[derive(Debug, Clone)]
pub struct LedgerData {
    /// One `RegisterCustomer` per customer.
    pub customers: Vec<Command>,
    /// One `IssueInvoice` per invoice, by document date.
    pub invoices: Vec<Command>,
    /// `ReceivePayment`, `ApplyCash` pairs, by date received.
    pub payments: Vec<Command>,
    /// The invoices, in issue order.
    pub invoice_rows: Vec<InvoiceRow>,
    /// The payments, in the order received.
    pub payment_rows: Vec<PaymentRow>,
}

impl LedgerData {
    /// Writes `invoices.csv` (invoice, customer, currency, document_date, due_date,
    /// total_minor) and `payments.csv` (payment, customer, currency, received,
    /// amount_minor) with headers into `dir`, creating it if needed.
    pub fn write_csv(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("invoices.csv"))?);
        writeln!(out, "invoice,customer,currency,document_date,due_date,total_minor")?;
        for r in &self.invoice_rows {
            let (i, c, cur) = (r.invoice, r.customer, r.currency);
            writeln!(out, "{i},{c},{cur},{},{},{}", r.document_date, r.due_date, r.total_minor)?;
        }
        out.flush()?;
        let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("payments.csv"))?);
        writeln!(out, "payment,customer,currency,received,amount_minor")?;
        for r in &self.payment_rows {
            writeln!(out, "{},{},{},{},{}", r.payment, r.customer, r.currency, r.received, r.amount_minor)?;
        }
        out.flush()
    }
}

/// Generates the data `spec` describes. The same spec gives the same data.
pub fn generate(spec: &LedgerSpec) -> Result<LedgerData, String> {
    let clerk = Actor::new("bench", "clerk");
    let sales_taxes = TABLE_CURRENCIES.map(sales_tax);
    let descriptions = DESCRIPTIONS.iter().map(|d| FreeText::new(d)).collect();
    let policies = TABLE_CURRENCIES.map(policy);
    let mut g = Generator {
        rng: Rng::new(spec.seed),
        ids: spec.ids,
        next_command: 0,
        clerk,
        sales_taxes,
        descriptions,
        policies,
    };
    let customers: Vec<Profile> = (0..spec.customers).map(|c| g.profile(c)).collect();
    let registrations = customers.iter().map(|p| g.register(p, spec.start)).collect();
    let mut invoices = Vec::with_capacity(spec.invoices);
    let mut invoice_rows = Vec::with_capacity(spec.invoices);
    let mut customer_of = Vec::with_capacity(spec.invoices);
    for k in 0..spec.invoices {
        let days = (k as u64 * 365) / spec.invoices.max(1) as u64;
        let date = spec.start.checked_add_days(Days::new(days)).ok_or("invoice date out of range")?;
        let c = g.rng.skewed(customers.len() as u64) as usize;
        let (command, row) = g.invoice(k, &customers[c], date, spec.max_lines)?;
        invoices.push(command);
        invoice_rows.push(row);
        customer_of.push(c);
    }
    let planned = plan_payments(&mut g.rng, customers.len(), &customer_of, &invoice_rows, spec.payments);
    let mut payments = Vec::with_capacity(2 * planned.len());
    let mut payment_rows = Vec::with_capacity(planned.len());
    for (p, plan) in planned.iter().enumerate() {
        let profile = &customers[plan.customer];
        let (receive, apply, row) = g.payment(p, profile, plan)?;
        payments.push(receive);
        payments.push(apply);
        payment_rows.push(row);
    }
    Ok(LedgerData { customers: registrations, invoices, payments, invoice_rows, payment_rows })
}

/// What the generator keeps of a customer.
#[derive(Debug, Clone)]
struct Profile {
    number: usize,
    id: CustomerId,
    currency: Currency,
    terms: PaymentTerms,
    /// Unit prices scale with the customer: a few buy big.
    size: i64,
}

/// A payment to make: who, when, how much (minor units), for which invoice (its number as reference).
#[derive(Debug, Clone, Copy)]
struct Planned {
    customer: usize,
    date: NaiveDate,
    amount: i64,
    invoice: usize,
}

struct Generator {
    rng: Rng,
    ids: IdStyle,
    next_command: u128,
    clerk: Actor,
    /// The host's tax table: each code allocated once and shared by every line
    /// that uses it, as a host keeps its tax codes.
    sales_taxes: [TaxRate; 3],
    /// The host's product catalog: each description made once and shared by
    /// every line that sells the product.
    descriptions: Vec<FreeText>,
    /// The host's application rules per currency (EUR, JPY, USD), made once:
    /// every application carries a clone.
    policies: [ApplicationPolicy; 3],
}

const DESCRIPTIONS: [&str; 8] = [
    "Widgets, blue",
    "Consulting hours",
    "Freight",
    "Maintenance plan",
    "Spare parts kit",
    "Software licence",
    "Installation",
    "Packaging material",
];

const COLLECTORS: [&str; 4] = ["ana", "ben", "chen", "dora"];

impl Generator {
    /// The sales tax for `currency`, from the tax table.
    fn sales_tax(&self, currency: Currency) -> TaxRate {
        self.sales_taxes[currency_row(currency)].clone()
    }

    fn command(&mut self, date: NaiveDate, action: Action) -> Command {
        self.next_command += 1;
        Command {
            id: CommandId::from_u128(self.ids.id(self.next_command)),
            effective_date: date,
            actor: self.clerk.clone(),
            action,
        }
    }

    fn profile(&mut self, c: usize) -> Profile {
        let currency = match self.rng.below(100) {
            0..85 => Currency::USD,
            85..95 => Currency::EUR,
            _ => Currency::JPY,
        };
        let terms = match self.rng.below(100) {
            0..50 => PaymentTerms::net_30(),
            50..70 => PaymentTerms::two_ten_net_30(),
            70..85 => PaymentTerms::eom(30),
            _ => PaymentTerms::net(60),
        };
        // 1..=50, small far more often than large.
        let size = 50 - self.rng.skewed(50) as i64;
        Profile { number: c + 1, id: CustomerId::from_u128(self.ids.id(c as u128 + 1)), currency, terms, size }
    }

    fn register(&mut self, p: &Profile, date: NaiveDate) -> Command {
        let collector = self.rng.chance(30).then(|| COLLECTORS[self.rng.below(4) as usize].to_owned());
        let reg = RegisterCustomer {
            customer: p.id,
            name: format!("Customer {:06}", p.number),
            currency: p.currency,
            terms: p.terms.clone(),
            credit_limit: None,
            collector,
        };
        self.command(date, Action::RegisterCustomer(reg))
    }

    fn line(&mut self, p: &Profile, tax: Option<&TaxRate>) -> DocumentLine {
        let quantity = if self.rng.chance(10) {
            Decimal::new(self.rng.range(5, 400), 1)
        } else {
            Decimal::from(1 + self.rng.skewed(40))
        };
        // Cents (or yen) per unit: a customer's size times a skewed base price.
        let base = 1 + self.rng.skewed(2_000) as i64;
        let unit_price = match p.currency.minor_units() {
            0 => Decimal::from(base * p.size * 10),
            units => Decimal::new(base * p.size, units),
        };
        let discount = self.rng.chance(5).then(|| Discount::Percent(Decimal::from(5 * (1 + self.rng.below(2)))));
        DocumentLine {
            description: self.descriptions[self.rng.below(DESCRIPTIONS.len() as u64) as usize].clone(),
            quantity,
            unit_price,
            discount,
            taxes: tax.into_iter().cloned().collect(),
        }
    }

    fn invoice(
        &mut self,
        k: usize,
        p: &Profile,
        date: NaiveDate,
        max_lines: usize,
    ) -> Result<(Command, InvoiceRow), String> {
        let lines = match self.rng.below(100) {
            0..50 => 1,
            50..80 => 2,
            _ => 3,
        }
        .min(max_lines);
        let tax = self.rng.chance(40).then(|| self.sales_tax(p.currency));
        let lines: Vec<DocumentLine> = (0..lines).map(|_| self.line(p, tax.as_ref())).collect();
        let discount = self.rng.chance(2).then(|| Discount::Percent(Decimal::from(3)));
        let (tax_rounding, rounding) = (TaxRounding::PerLine, Rounding::HalfUp);
        let totals = compute_totals(&lines, discount.as_ref(), p.currency, tax_rounding, rounding)
            .map_err(|e| format!("invoice {k}: {e}"))?;
        let schedule = p
            .terms
            .schedule(date, totals.total, totals.net, None, rounding)
            .map_err(|e| format!("invoice {k}: {e}"))?;
        let first = schedule.first().ok_or("terms without installments")?;
        let offer = first.discounts.first().map(|o| (o.until, o.amount.minor()));
        let invoice = InvoiceId::from_u128(self.ids.id(k as u128 + 1));
        let row = InvoiceRow {
            invoice,
            customer: p.id,
            currency: p.currency,
            document_date: date,
            due_date: first.due_date,
            total_minor: totals.total.minor(),
            discount: offer,
        };
        let issue = IssueInvoice {
            invoice,
            number: invoice_number(k),
            customer: p.id,
            kind: InvoiceKind::Invoice,
            document_date: date,
            lines,
            discount,
            terms: None,
            tax_rounding,
            rounding,
        };
        Ok((self.command(date, Action::IssueInvoice(issue)), row))
    }

    fn method(&mut self, p: usize) -> Result<PaymentMethod, String> {
        Ok(match self.rng.below(100) {
            0..60 => PaymentMethod::BankTransfer,
            60..85 => PaymentMethod::Check { number: format!("{}", 100_000 + p).into() },
            85..95 => PaymentMethod::Wire,
            _ => PaymentMethod::Card(
                CardRef::new(CardScheme::Visa, "4242", &format!("tok_{p:x}")).map_err(|e| e.to_string())?,
            ),
        })
    }

    fn payment(
        &mut self,
        p: usize,
        profile: &Profile,
        plan: &Planned,
    ) -> Result<(Command, Command, PaymentRow), String> {
        let payment = PaymentId::from_u128(self.ids.id(p as u128 + 1));
        let amount = Money::from_minor(plan.amount, profile.currency).map_err(|e| e.to_string())?;
        let receive = ReceivePayment {
            payment,
            customer: profile.id,
            amount,
            received: plan.date,
            method: self.method(p)?,
            payer_reference: FreeText::new(&invoice_number(plan.invoice)),
            remittance: FreeText::default(),
            deposit: None,
        };
        let apply = ApplyCash {
            application: ApplicationId::from_u128(self.ids.id(p as u128 + 1)),
            source: CashSource::Payment(payment),
            amount: None,
            target: Target::OldestDueFirst,
            policy: self.policies[currency_row(profile.currency)].clone(),
        };
        let row = PaymentRow {
            payment,
            customer: profile.id,
            currency: profile.currency,
            received: plan.date,
            amount_minor: plan.amount,
        };
        let receive = self.command(plan.date, Action::ReceivePayment(receive));
        Ok((receive, self.command(plan.date, Action::ApplyCash(apply)), row))
    }
}

fn invoice_number(k: usize) -> String {
    format!("INV-{:07}", k + 1)
}

/// The row of `currency` in the generator's tables: EUR, JPY, else USD.
fn currency_row(currency: Currency) -> usize {
    TABLE_CURRENCIES.iter().position(|c| *c == currency).unwrap_or(TABLE_CURRENCIES.len() - 1)
}

/// The currencies of the generator's tables, in row order.
const TABLE_CURRENCIES: [Currency; 3] = [Currency::EUR, Currency::JPY, Currency::USD];

/// The sales tax of the currency's country.
fn sales_tax(currency: Currency) -> TaxRate {
    let (code, percent) = match currency.code() {
        "EUR" => ("VAT20", Decimal::from(20)),
        "JPY" => ("JCT10", Decimal::from(10)),
        _ => ("US-SALES", Decimal::new(725, 2)),
    };
    TaxRate { code: code.into(), percent }
}

/// The write-off tolerance in minor units: 1.00 in cent currencies, 100 yen.
const TOLERANCE_MINOR: i64 = 100;

/// Default application rules, residuals up to [`TOLERANCE_MINOR`] written off.
fn policy(currency: Currency) -> ApplicationPolicy {
    ApplicationPolicy::new().write_off_up_to(Decimal::new(TOLERANCE_MINOR, currency.minor_units()))
}

fn add_days(date: NaiveDate, days: i64) -> NaiveDate {
    let moved = if days >= 0 {
        date.checked_add_days(Days::new(days as u64))
    } else {
        date.checked_sub_days(Days::new(days.unsigned_abs()))
    };
    moved.unwrap_or(date)
}

/// A payment date for an invoice: mostly on time, some late, a few very late.
fn pay_date(rng: &mut Rng, row: &InvoiceRow) -> NaiveDate {
    let window = (row.due_date - row.document_date).num_days().max(3);
    match rng.below(100) {
        0..60 => add_days(row.document_date, rng.range(3, window)),
        60..90 => add_days(row.due_date, rng.range(1, 45)),
        _ => add_days(row.due_date, rng.range(46, 150)),
    }
}

/// Walks the invoices in issue order and decides how each is paid, until `limit`
/// payments are planned; returns them by date received (ties in planning order).
fn plan_payments(
    rng: &mut Rng,
    customers: usize,
    customer_of: &[usize],
    rows: &[InvoiceRow],
    limit: usize,
) -> Vec<Planned> {
    // The next invoice of the same customer, for payments that cover several.
    let mut next_same = vec![usize::MAX; rows.len()];
    let mut last = vec![usize::MAX; customers];
    for i in (0..rows.len()).rev() {
        next_same[i] = last[customer_of[i]];
        last[customer_of[i]] = i;
    }
    let mut claimed = vec![false; rows.len()];
    // A customer's payments are dated in the order they are planned.
    let mut latest = vec![NaiveDate::MIN; customers];
    let mut planned: Vec<Planned> = Vec::with_capacity(limit + 1);
    for i in 0..rows.len() {
        if planned.len() >= limit {
            break;
        }
        if claimed[i] {
            continue;
        }
        claimed[i] = true;
        let (row, c) = (&rows[i], customer_of[i]);
        let mut at = |date: NaiveDate| {
            let date = date.max(latest[c]);
            latest[c] = date;
            date
        };
        let total = row.total_minor;
        match rng.below(100) {
            // In full, early with the discount where the terms offer one and the payer is in time.
            0..72 => {
                let (date, amount) = match row.discount {
                    Some((until, discount)) if rng.chance(60) => {
                        let date = at(add_days(row.document_date, rng.range(1, 10)));
                        (date, if date <= until { total - discount } else { total })
                    }
                    _ => (at(pay_date(rng, row)), total),
                };
                planned.push(Planned { customer: c, date, amount, invoice: i });
            }
            // Several invoices at once, when the latest of them falls due.
            72..79 => {
                let (mut amount, mut last_row, mut j) = (total, row, next_same[i]);
                for _ in 0..rng.range(1, 3) {
                    while j != usize::MAX && claimed[j] {
                        j = next_same[j];
                    }
                    if j == usize::MAX {
                        break;
                    }
                    claimed[j] = true;
                    amount += rows[j].total_minor;
                    last_row = &rows[j];
                    j = next_same[j];
                }
                let date = at(add_days(last_row.due_date, rng.range(-10, 20)).max(last_row.document_date));
                planned.push(Planned { customer: c, date, amount, invoice: i });
            }
            // Part now, the rest some weeks later.
            79..92 => {
                let first = (total * rng.range(20, 80) / 100).clamp(1, total);
                let d1 = at(pay_date(rng, row));
                planned.push(Planned { customer: c, date: d1, amount: first, invoice: i });
                if first < total {
                    let d2 = at(add_days(d1, rng.range(10, 45)));
                    planned.push(Planned { customer: c, date: d2, amount: total - first, invoice: i });
                }
            }
            // Too much: the rest stays unapplied or goes to the next invoice.
            92..96 => {
                let extra = (total * rng.range(1, 5) / 100).max(1);
                let date = at(pay_date(rng, row));
                planned.push(Planned { customer: c, date, amount: total + extra, invoice: i });
            }
            // A little short: within the write-off tolerance.
            _ => {
                let short = rng.range(1, TOLERANCE_MINOR).min(total - 1);
                let date = at(pay_date(rng, row));
                planned.push(Planned { customer: c, date, amount: total - short, invoice: i });
            }
        }
    }
    planned.truncate(limit);
    // Stable: a customer's same-day payments keep their planned order.
    planned.sort_by_key(|p| p.date);
    planned
}
