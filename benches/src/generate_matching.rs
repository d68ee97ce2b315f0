//! Seeded generator for the matching benchmarks: open items over customers and
//! bank lines with a realistic mix of what payers send, plus the truth of what
//! each line pays.
//!
//! The mix (per 100 lines): 40 exact structured references (in varied spellings,
//! some net of an early-payment discount, some as remittance advice), 20
//! references buried in free text (often next to order numbers), 15 known
//! payers paying one item without a reference, 10 combinations of 2–6 items,
//! 5 short payments, 3 overpayments and 7 unidentified payers. Each invoice is
//! paid by at most one line, so the truth is unambiguous.

use std::fmt::Write as _;

use ar_core::{Currency, CustomerId, DiscountOffer, InvoiceId, Money};
use ar_reconcile::matching::{Customer, CustomerDirectory, OpenInvoice};
use ar_reconcile::{BankLine, Reference, Remittance};
use chrono::{Days, NaiveDate};

use crate::rng::Rng;

/// What a generated line really is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scenario {
    /// A structured reference (invoice reference, end-to-end id or remittance advice).
    ExactReference,
    /// The invoice number is in the free text.
    ReferenceInText,
    /// A known payer pays one open item, no reference.
    PayerSingleItem,
    /// A known payer pays 2–6 open items, no reference.
    Combination,
    /// A referenced invoice paid short (half within the default tolerance).
    ShortPay,
    /// A referenced invoice paid with a little extra.
    OverPay,
    /// An unknown payer, no reference.
    Unidentified,
}

impl Scenario {
    /// All scenarios, in the order above.
    pub const ALL: [Scenario; 7] = [
        Scenario::ExactReference,
        Scenario::ReferenceInText,
        Scenario::PayerSingleItem,
        Scenario::Combination,
        Scenario::ShortPay,
        Scenario::OverPay,
        Scenario::Unidentified,
    ];

    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::ExactReference => "exact_reference",
            Scenario::ReferenceInText => "reference_in_text",
            Scenario::PayerSingleItem => "payer_single_item",
            Scenario::Combination => "combination",
            Scenario::ShortPay => "short_pay",
            Scenario::OverPay => "over_pay",
            Scenario::Unidentified => "unidentified",
        }
    }
}

/// The truth behind one generated line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Truth {
    /// What kind of payment it is.
    pub scenario: Scenario,
    /// The customer who paid, if known to the directory.
    pub customer: Option<CustomerId>,
    /// The invoices it pays, in no particular order.
    pub invoices: Vec<InvoiceId>,
    /// The cash it applies to them, in minor units (an overpayment's extra is not).
    pub cash_minor: i64,
    /// The early-payment discount it takes on them.
    pub discount_minor: i64,
    /// What it pays short of them (a write-off or a deduction, as the tolerance says).
    pub shortfall_minor: i64,
}

impl Truth {
    /// The truth of a line of `scenario` for `amount` that pays `invoices`,
    /// whose open amounts add up to `open`.
    fn paying(scenario: Scenario, customer: CustomerId, invoices: Vec<InvoiceId>, amount: i64, open: i64) -> Truth {
        let gap = open - amount;
        Truth {
            scenario,
            customer: Some(customer),
            invoices,
            cash_minor: amount.min(open),
            // An exact reference pays less than open only net of its discount.
            discount_minor: if scenario == Scenario::ExactReference { gap.max(0) } else { 0 },
            shortfall_minor: if scenario == Scenario::ShortPay { gap.max(0) } else { 0 },
        }
    }
}

/// Generated inputs with their truth.
#[derive(Debug, Clone)]
pub struct MatchingData {
    /// The customers.
    pub directory: CustomerDirectory,
    /// The open items.
    pub items: Vec<OpenInvoice>,
    /// The bank lines.
    pub lines: Vec<BankLine>,
    /// The truth, one per line.
    pub truth: Vec<Truth>,
}

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchingSpec {
    /// Open items.
    pub items: usize,
    /// Customers.
    pub customers: usize,
    /// Bank lines.
    pub lines: usize,
    /// The seed.
    pub seed: u64,
}

const SUFFIXES: [&str; 6] = ["GmbH", "Inc.", "Ltd", "LLC", "AG", "S.A."];
const WORDS: [&str; 8] = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell"];

fn customer_id(c: usize) -> CustomerId {
    CustomerId::from_u128((1u128 << 64) | c as u128)
}

fn invoice_id(i: usize) -> InvoiceId {
    InvoiceId::from_u128((2u128 << 64) | i as u128)
}

fn customer_name(c: usize) -> String {
    format!("{} {:06} {}", WORDS[c % WORDS.len()], c, SUFFIXES[c % SUFFIXES.len()])
}

fn account(c: usize) -> String {
    format!("DE{:02}{:018}", c % 97, c as u64 * 7_919 + 10_000_000)
}

fn eur(minor: i64) -> Money {
    // Generated amounts are far inside the range Money keeps exact.
    Money::from_minor(minor, Currency::EUR).unwrap_or_else(|_| Money::zero(Currency::EUR))
}

fn add_days(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days)).unwrap_or(date)
}

fn base_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default()
}

/// Generates `spec.items` open items over `spec.customers` customers (a few
/// large customers, a long tail of small ones) and `spec.lines` bank lines.
pub fn generate(spec: MatchingSpec) -> MatchingData {
    let customers = spec.customers.max(1);
    let mut rng = Rng::new(spec.seed);
    let directory: CustomerDirectory =
        (0..customers).map(|c| Customer::new(customer_id(c), customer_name(c)).account(account(c))).collect();
    let mut items = Vec::with_capacity(spec.items);
    let mut of_customer: Vec<Vec<u32>> = vec![Vec::new(); customers];
    for i in 0..spec.items {
        let c = rng.skewed(customers as u64) as usize;
        let mut minor = rng.range(500, 500_000);
        if rng.chance(10) {
            minor *= 10;
        }
        let date = add_days(base_date(), rng.below(90));
        let mut item = OpenInvoice::new(
            invoice_id(i),
            customer_id(c),
            format!("INV-{:08}", i + 1),
            eur(minor),
            date,
            add_days(date, 30),
        );
        if rng.chance(20) {
            item = item.with_discount(DiscountOffer { until: add_days(date, 10), amount: eur((minor / 50).max(1)) });
        }
        of_customer[c].push(i as u32);
        items.push(item);
    }
    let mut g =
        Lines { rng, items: &items, of_customer, used: vec![false; items.len()], lines: Vec::new(), truth: Vec::new() };
    for n in 0..spec.lines {
        g.line(n);
    }
    let (lines, truth) = (g.lines, g.truth);
    MatchingData { directory, items, lines, truth }
}

struct Lines<'a> {
    rng: Rng,
    items: &'a [OpenInvoice],
    of_customer: Vec<Vec<u32>>,
    used: Vec<bool>,
    lines: Vec<BankLine>,
    truth: Vec<Truth>,
}

fn blank(date: NaiveDate, minor: i64) -> BankLine {
    BankLine { value_date: Some(date), transaction_code: Some("NTRF".to_owned()), ..BankLine::new(date, eur(minor)) }
}

impl Lines<'_> {
    fn line(&mut self, n: usize) {
        let roll = self.rng.below(100);
        let scenario = match roll {
            0..40 => Scenario::ExactReference,
            40..60 => Scenario::ReferenceInText,
            60..75 => Scenario::PayerSingleItem,
            75..85 => Scenario::Combination,
            85..90 => Scenario::ShortPay,
            90..93 => Scenario::OverPay,
            _ => Scenario::Unidentified,
        };
        let made = match scenario {
            Scenario::Unidentified => Some(self.unidentified(n)),
            _ => self.unused().map(|row| self.paying(scenario, row)),
        };
        // Out of unused invoices: the rest of the lines are unidentified.
        let (line, truth) = made.unwrap_or_else(|| self.unidentified(n));
        self.lines.push(line);
        self.truth.push(truth);
    }

    /// A random invoice no earlier line paid.
    fn unused(&mut self) -> Option<usize> {
        for _ in 0..64 {
            let row = self.rng.below(self.items.len() as u64) as usize;
            if !self.used[row] {
                return Some(row);
            }
        }
        self.used.iter().position(|u| !u)
    }

    fn customer_of(&self, row: usize) -> usize {
        (self.items[row].customer.as_uuid().as_u128() & u128::from(u64::MAX)) as usize
    }

    fn paying(&mut self, scenario: Scenario, row: usize) -> (BankLine, Truth) {
        self.used[row] = true;
        let item = &self.items[row];
        let c = self.customer_of(row);
        let date = add_days(item.document_date, self.rng.range(12, 60) as u64);
        let open = item.open_amount.minor();
        let mut invoices = vec![item.invoice];
        let mut line = match scenario {
            Scenario::ExactReference => self.exact(row),
            Scenario::ReferenceInText => self.in_text(row, &mut invoices),
            Scenario::PayerSingleItem => self.by_payer(c, date, open),
            Scenario::Combination => self.combination(row, c, date, &mut invoices),
            Scenario::ShortPay => {
                let short = if self.rng.chance(50) {
                    self.rng.range(1, (open / 100).clamp(1, 500))
                } else {
                    self.rng.range(open / 20 + 1, open / 3 + 2)
                };
                self.referenced(row, date, open - short.min(open - 1))
            }
            Scenario::OverPay => {
                let extra = self.rng.range(1, 5_000);
                self.referenced(row, date, open + extra)
            }
            Scenario::Unidentified => blank(date, open),
        };
        if line.counterparty_name.is_none() {
            line.counterparty_name = Some(customer_name(c).to_uppercase());
        }
        // Invoice ids carry their row in the low bits (see `invoice_id`).
        let open: i64 = invoices
            .iter()
            .filter_map(|i| self.items.get((i.as_uuid().as_u128() & u128::from(u64::MAX)) as usize))
            .map(|item| item.open_amount.minor())
            .sum();
        let amount = line.amount.minor();
        (line, Truth::paying(scenario, customer_id(c), invoices, amount, open))
    }

    fn number_variant(&mut self, number: &str) -> String {
        let digits = number.trim_start_matches("INV-");
        match self.rng.below(4) {
            0 => number.to_owned(),
            1 => format!("inv{digits}"),
            2 => digits.trim_start_matches('0').to_owned(),
            _ => format!("INV {digits}"),
        }
    }

    /// A structured reference, sometimes net of a discount still available.
    fn exact(&mut self, row: usize) -> BankLine {
        let item = &self.items[row];
        let mut date = add_days(item.document_date, self.rng.range(12, 60) as u64);
        let mut minor = item.open_amount.minor();
        if let Some(offer) = item.discounts.first()
            && self.rng.chance(50)
        {
            date = add_days(item.document_date, self.rng.range(1, 10) as u64);
            minor -= offer.amount.minor();
        }
        let number = item.number.clone();
        let mut line = blank(date, minor);
        let variant = self.number_variant(&number);
        match self.rng.below(4) {
            0 | 1 => line.references.push(Reference::Invoice(variant)),
            2 => line.end_to_end_id = Some(variant),
            _ => line.remittances.push(Remittance::new(variant).paid(eur(minor))),
        }
        let c = self.customer_of(row);
        if self.rng.chance(70) {
            line.counterparty_account = Some(account(c));
        }
        line.remittance_text = format!("SEPA credit transfer {}", self.rng.range(100_000, 999_999));
        line
    }

    /// The invoice number in free text next to other numbers; one in ten
    /// lines pays a second invoice of the same customer too.
    fn in_text(&mut self, row: usize, invoices: &mut Vec<InvoiceId>) -> BankLine {
        let item = &self.items[row];
        let mut date = add_days(item.document_date, self.rng.range(12, 60) as u64);
        let mut minor = item.open_amount.minor();
        let mut numbers = vec![self.number_variant(&item.number.clone())];
        let c = self.customer_of(row);
        if self.rng.chance(10)
            && let Some(&other) = self.of_customer[c].iter().find(|&&r| !self.used[r as usize])
        {
            self.used[other as usize] = true;
            let second = &self.items[other as usize];
            date = date.max(paid_after(second.document_date));
            minor += second.open_amount.minor();
            invoices.push(second.invoice);
            numbers.push(second.number.to_string());
        }
        let mut line = blank(date, minor);
        let order = self.rng.range(10_000, 99_999);
        line.remittance_text = match self.rng.below(3) {
            0 => format!("Payment for {} order {order} thank you", numbers.join(" and ")),
            1 => format!("Order {order} / Rechnung {} / Kunde {c}", numbers.join(", ")),
            _ => format!("{} {}", numbers.join(" "), order),
        };
        if self.rng.chance(60) {
            line.counterparty_account = Some(account(c));
        }
        line
    }

    fn by_payer(&mut self, c: usize, date: NaiveDate, minor: i64) -> BankLine {
        let mut line = blank(date, minor);
        if self.rng.chance(80) {
            line.counterparty_account = Some(account(c));
        } else {
            // Known by name only, spelt the bank's way: capitals, no legal form.
            let name = customer_name(c);
            line.counterparty_name =
                Some(name.rsplit_once(' ').map_or(name.clone(), |(n, _)| n.to_owned()).to_uppercase());
        }
        line.remittance_text = "Thank you".to_owned();
        line
    }

    fn combination(&mut self, row: usize, c: usize, mut date: NaiveDate, invoices: &mut Vec<InvoiceId>) -> BankLine {
        let want = self.rng.range(2, 6) as usize;
        let mut minor = self.items[row].open_amount.minor();
        let unused: Vec<u32> =
            self.of_customer[c].iter().copied().filter(|&r| !self.used[r as usize] && r as usize != row).collect();
        for &other in unused.iter().take(want - 1) {
            self.used[other as usize] = true;
            date = date.max(paid_after(self.items[other as usize].document_date));
            minor += self.items[other as usize].open_amount.minor();
            invoices.push(self.items[other as usize].invoice);
        }
        let mut line = blank(date, minor);
        line.counterparty_account = Some(account(c));
        line.remittance_text = "Sammelzahlung".to_owned();
        line
    }

    fn referenced(&mut self, row: usize, date: NaiveDate, minor: i64) -> BankLine {
        let number = self.items[row].number.clone();
        let mut line = blank(date, minor);
        let variant = self.number_variant(&number);
        line.references.push(Reference::Invoice(variant));
        line
    }

    fn unidentified(&mut self, n: usize) -> (BankLine, Truth) {
        let date = add_days(base_date(), self.rng.range(30, 120) as u64);
        let mut line = blank(date, self.rng.range(100, 300_000));
        line.counterparty_name = Some(format!("Unknown Payer {n}"));
        line.counterparty_account = Some(format!("FR76{:023}", self.rng.below(u64::MAX)));
        line.remittance_text = "Payment".to_owned();
        let truth = Truth {
            scenario: Scenario::Unidentified,
            customer: None,
            invoices: Vec::new(),
            cash_minor: 0,
            discount_minor: 0,
            shortfall_minor: 0,
        };
        (line, truth)
    }
}

/// The earliest a line pays an invoice issued on `issued`: a line cannot pay an
/// invoice issued after it was booked, and twelve days on, its ten-day
/// discount has ended.
fn paid_after(issued: NaiveDate) -> NaiveDate {
    add_days(issued, 12)
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n']) { format!("\"{}\"", field.replace('"', "\"\"")) } else { field.to_owned() }
}

/// The open items as CSV (header included).
pub fn open_items_csv(items: &[OpenInvoice]) -> String {
    let mut out = String::from(
        "invoice,customer,number,currency,document_date,due_date,open_amount,discount_until,discount_amount\n",
    );
    for i in items {
        let (until, discount) = i
            .discounts
            .first()
            .map_or((String::new(), String::new()), |d| (d.until.to_string(), d.amount.amount().to_string()));
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{}",
            i.invoice,
            i.customer,
            quote(&i.number),
            i.currency(),
            i.document_date,
            i.due_date,
            i.open_amount.amount(),
            until,
            discount
        );
    }
    out
}

/// The bank lines with their truth as CSV (header included).
pub fn bank_lines_csv(lines: &[BankLine], truth: &[Truth]) -> String {
    let mut out = String::from(
        "line,booking_date,amount,currency,counterparty_name,counterparty_account,end_to_end_id,references,remittances,remittance_text,truth_scenario,truth_customer,truth_invoices\n",
    );
    for (n, (l, t)) in lines.iter().zip(truth).enumerate() {
        let references: Vec<String> = l
            .references
            .iter()
            .map(|r| match r {
                Reference::Invoice(s) => format!("invoice:{s}"),
                Reference::Creditor(s) => format!("creditor:{s}"),
                Reference::Other(s) => format!("other:{s}"),
                _ => String::new(),
            })
            .collect();
        let remittances: Vec<String> = l
            .remittances
            .iter()
            .map(|r| format!("{}={}", r.document, r.paid.map(|p| p.amount().to_string()).unwrap_or_default()))
            .collect();
        let invoices: Vec<String> = t.invoices.iter().map(ToString::to_string).collect();
        let _ = writeln!(
            out,
            "{n},{},{},{},{},{},{},{},{},{},{},{},{}",
            l.booking_date,
            l.amount.amount(),
            l.amount.currency(),
            quote(l.counterparty_name.as_deref().unwrap_or("")),
            quote(l.counterparty_account.as_deref().unwrap_or("")),
            quote(l.end_to_end_id.as_deref().unwrap_or("")),
            quote(&references.join(";")),
            quote(&remittances.join(";")),
            quote(&l.remittance_text),
            t.scenario.name(),
            t.customer.map(|c| c.to_string()).unwrap_or_default(),
            invoices.join(";")
        );
    }
    out
}
