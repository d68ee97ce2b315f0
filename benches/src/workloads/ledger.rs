//! The `ledger` workload: register customers, issue invoices, receive and apply
//! payments, replay the journal; commands per second and heap bytes per open invoice.
//!
//! `--items` is the number of invoices (default 1 000 000) and of payments,
//! `--customers` the number of customers (default 100 000), `--lines` the most
//! lines an invoice has (default 3). Measurements:
//!
//! - `ledger.register`: the `RegisterCustomer` commands;
//! - `ledger.issue`: the `IssueInvoice` commands; `bytes_per_item` is the heap the
//!   ledger grew by per invoice (all open then), journal included;
//! - `ledger.apply`: the `ReceivePayment` and `ApplyCash` commands, counted both;
//!   `check.payments_per_s` counts payments;
//! - `ledger.replay`: `Ledger::replay` of the whole journal, per event;
//! - `ledger.counter_ids`: issue and apply again on a small book (at most 20 000
//!   invoices) with ids made straight from counters ([`IdStyle::Counter`]), against
//!   the same book with scrambled ids: `check.slowdown` shows whether the engine's
//!   id indexes cope with ids whose only varying bytes are the last ones.
//!
//! The main steps use [`IdStyle::Scrambled`] ids (every byte varies, as with
//! random UUIDs).
//!
//! The engine runs first, then the SQLite baseline on the same data, so the
//! engine starts from the fresh heap of a process that runs only it.
//!
//! The `check` of every step but `counter_ids` (milliseconds long, where the
//! kernel's times would count whole 10 ms ticks) also holds what the thread spent on it
//! ([`CpuUse`](crate::harness::CpuUse)): `cpu_seconds`, `user_seconds` and
//! `system_seconds` apart, and `minor_faults`; on a virtual machine the
//! kernel's time for first touches of memory varies from run to run.
//!
//! The `check` of `ledger.apply` holds the end figures another engine can be
//! compared on: invoiced, received, cash applied, discounts, write-offs, unapplied
//! cash and open invoices, per currency in minor units.
//!
//! Memory comes from the counting allocator `arbench` registers (see [`heap`]);
//! without it the byte figures are absent. Besides `bytes_per_item` the checks
//! split it up: `journal_vec_bytes*` is the journal's own vector of events,
//! `document_bytes_per_*` what one recorded document (invoice, payment,
//! application) holds behind the `Arc` the journal and the state share, and the
//! rest is the state's records and indexes. `unshared_bytes` of the replay is what
//! the replayed ledger allocated itself: it shares the documents with the journal
//! it was replayed from.

pub mod heap;
pub mod sqlite;

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::Arc;

use ar_core::{Change, Command, Event, Ledger, LedgerConfig, LedgerError};
use serde::Serialize;
use serde_json::json;

use crate::generate_ledger::{IdStyle, LedgerData, LedgerSpec, generate};
use crate::harness::{Args, Baseline, Measurement, add_cpu, timed, timed_cpu};

/// Runs the workload.
pub fn run(args: &Args) -> Result<Vec<Measurement>, String> {
    let spec = LedgerSpec::new(args.customers_or(100_000), args.items_or(1_000_000))
        .max_lines(args.lines_or(3))
        .seed(args.seed);
    let data = generate(&spec)?;
    if let Some(dir) = &args.csv {
        data.write_csv(dir).map_err(|e| format!("writing CSV to {}: {e}", dir.display()))?;
    }
    // The engine runs first, on the fresh heap a host process running only the
    // engine would have; SQLite runs after it, on its own page cache.
    let (mut out, end) = measure(&data)?;
    let baseline = sqlite::run(&data)?;
    attach_baseline(&mut out, &baseline, &end);
    out.push(counter_ids(&spec)?);
    Ok(out)
}

/// Adds the SQLite baseline's times to the issue and apply measurements, and to
/// the apply check whether its end figures equal the engine's (`end`).
fn attach_baseline(out: &mut [Measurement], baseline: &sqlite::SqliteRun, end: &Figures) {
    let sqlite = |seconds: f64| Some(Baseline { engine: "sqlite".to_owned(), seconds });
    for m in out.iter_mut() {
        match m.workload.as_str() {
            "ledger.issue" => m.baseline = sqlite(baseline.issue_seconds),
            "ledger.apply" => {
                m.baseline = sqlite(baseline.apply_seconds);
                let same = baseline.figures.without_zeros() == end.without_zeros();
                if let Some(map) = m.check.as_object_mut() {
                    map.insert("sqlite_figures_equal".into(), json!(same));
                }
            }
            _ => {}
        }
    }
}

/// Issue and apply on a small book with counter ids, against scrambled ids.
fn counter_ids(spec: &LedgerSpec) -> Result<Measurement, String> {
    let invoices = spec.invoices.min(20_000);
    let customers = (spec.customers * invoices / spec.invoices.max(1)).max(1);
    let small = LedgerSpec { customers, invoices, payments: invoices, ..spec.clone() };
    let run = |ids: IdStyle| -> Result<(usize, f64), String> {
        let data = generate(&small.clone().ids(ids))?;
        let mut ledger = Ledger::new(LedgerConfig::new());
        let commands = data.invoices.len() + data.payments.len();
        execute_all(&mut ledger, data.customers)?;
        let (done, seconds) = timed(|| {
            execute_all(&mut ledger, data.invoices)?;
            execute_all(&mut ledger, data.payments)
        });
        done?;
        Ok((commands, seconds))
    };
    let (commands, counter) = run(IdStyle::Counter)?;
    let (_, scrambled) = run(IdStyle::Scrambled)?;
    let check = json!({
        "invoices": invoices,
        "customers": customers,
        "scrambled_seconds": scrambled,
        "slowdown": counter / scrambled.max(f64::MIN_POSITIVE),
    });
    Ok(Measurement::new("ledger.counter_ids", commands, counter, check))
}

/// Executes `commands` in order through [`Ledger::execute_each`], the bulk
/// path a host loading a book takes (the ledger takes each command by value,
/// as a host hands over a command it has just decoded), and returns how many `ApplyCash` were
/// refused for having nothing open to apply to (a host leaves that cash
/// unapplied: after an overpayment the payer's later payments may find every
/// invoice settled). Any other refusal stops it.
pub fn execute_all(ledger: &mut Ledger, commands: Vec<Command>) -> Result<usize, String> {
    let mut nothing_to_apply = 0;
    let flow = ledger.execute_each(commands, |id, outcome| match outcome {
        Ok(_) => ControlFlow::Continue(()),
        // Only an application finds nothing to apply: an earlier one took it all.
        Err(LedgerError::NothingToApply { .. }) => {
            nothing_to_apply += 1;
            ControlFlow::Continue(())
        }
        Err(e) => ControlFlow::Break(format!("command {}: {e}", id.as_uuid().as_u128())),
    });
    match flow {
        ControlFlow::Continue(()) => Ok(nothing_to_apply),
        ControlFlow::Break(error) => Err(error),
    }
}

/// Builds a ledger from `data` step by step, timing each step and counting the
/// heap; returns the measurements and the ledger's end figures.
fn measure(data: &LedgerData) -> Result<(Vec<Measurement>, Figures), String> {
    let counting = heap::counting();
    let bytes = |from: i64, per: usize| counting.then(|| (heap::live_bytes() - from) as f64 / per.max(1) as f64);
    let mut out = Vec::new();
    let mut ledger = Ledger::new(LedgerConfig::new());

    // Each step hands the ledger a copy of its commands, made before the step is
    // timed and after the heap is read: what the copy brings either moves into
    // the ledger or is freed, so the heap's growth is the ledger's.
    let start = heap::live_bytes();
    let customers = data.customers.clone();
    let (done, seconds, cpu) = timed_cpu(|| execute_all(&mut ledger, customers));
    done?;
    let customers = ledger.counts().customers;
    let mut check = json!({ "customers": customers });
    add_cpu(cpu, &mut check);
    let mut m = Measurement::new("ledger.register", data.customers.len(), seconds, check);
    m.bytes_per_item = bytes(start, customers);
    out.push(m);

    // A host loading a book this size says so up front, as with `Vec::reserve`:
    // the tables grow once instead of rehashing at every doubling. The room
    // reserved counts in each step's bytes.
    let before_issue = heap::live_bytes();
    ledger.reserve(data.invoices.len(), 0);
    let invoices = data.invoices.clone();
    let (done, seconds, cpu) = timed_cpu(|| execute_all(&mut ledger, invoices));
    done?;
    let open = ledger.counts().open_invoices;
    let issued = Figures::of(&ledger)?;
    let mut m = Measurement::new(
        "ledger.issue",
        data.invoices.len(),
        seconds,
        json!({
            "invoices": issued.invoices,
            "open_invoices": open,
            "invoiced_minor": issued.invoiced_minor,
            "journal_vec_bytes_per_invoice": counting.then(|| journal_vec_bytes(&ledger) as f64 / open.max(1) as f64),
            "document_bytes_per_invoice": counting.then(|| deep_bytes(ledger.changes().filter_map(|c| match c {
                Change::InvoiceIssued(doc) => Some(&**doc),
                _ => None,
            }))),
        }),
    );
    add_cpu(cpu, &mut m.check);
    m.bytes_per_item = bytes(before_issue, open);
    out.push(m);

    let before_apply = heap::live_bytes();
    ledger.reserve(0, data.payment_rows.len());
    let payments = data.payments.clone();
    let (done, seconds, cpu) = timed_cpu(|| execute_all(&mut ledger, payments));
    let nothing_to_apply = done?;
    let end = Figures::of(&ledger)?;
    end.conserves()?;
    let payments = data.payment_rows.len();
    let mut check = serde_json::to_value(&end).map_err(|e| e.to_string())?;
    if let Some(map) = check.as_object_mut() {
        map.insert("payments_per_s".into(), json!(payments as f64 / seconds.max(f64::MIN_POSITIVE)));
        map.insert("nothing_to_apply".into(), json!(nothing_to_apply));
        map.insert("ledger_bytes".into(), json!(counting.then(|| heap::live_bytes() - start)));
        map.insert("journal_vec_bytes".into(), json!(counting.then(|| journal_vec_bytes(&ledger))));
        let payments = ledger.changes().filter_map(|c| match c {
            Change::PaymentReceived(doc) => Some(&**doc),
            _ => None,
        });
        map.insert("document_bytes_per_payment".into(), json!(counting.then(|| deep_bytes(payments))));
        let applications = ledger.changes().filter_map(|c| match c {
            Change::CashApplied(doc) => Some(&**doc),
            _ => None,
        });
        map.insert("document_bytes_per_application".into(), json!(counting.then(|| deep_bytes(applications))));
    }
    add_cpu(cpu, &mut check);
    let mut m = Measurement::new("ledger.apply", data.payments.len(), seconds, check);
    m.bytes_per_item = bytes(before_apply, payments);
    out.push(m);

    let before_replay = heap::live_bytes();
    let (replayed, seconds, cpu) = timed_cpu(|| Ledger::replay(LedgerConfig::new(), ledger.journal()));
    let replayed = replayed.map_err(|e| format!("replay: {e}"))?;
    let replayed_bytes = counting.then(|| heap::live_bytes() - before_replay);
    let events = ledger.journal().len();
    let equal = replayed == ledger;
    if !equal {
        return Err("the replayed ledger differs from the live one".to_owned());
    }
    let mut check = json!({ "events": events, "equal": equal, "unshared_bytes": replayed_bytes });
    add_cpu(cpu, &mut check);
    let mut m = Measurement::new("ledger.replay", events, seconds, check);
    m.bytes_per_item = replayed_bytes.map(|b| b as f64 / events.max(1) as f64);
    out.push(m);
    Ok((out, end))
}

/// Bytes the journal's own vector holds: events are pushed one by one, so its
/// capacity is the next power of two (each event's documents sit behind `Arc`s
/// the state shares, and are counted with the state).
fn journal_vec_bytes(ledger: &Ledger) -> usize {
    ledger.journal().len().next_power_of_two() * std::mem::size_of::<Event>()
}

/// Heap bytes one recorded document takes behind its `Arc` (shared by the journal
/// and the state), averaged over the first 1000: measured by copying them.
fn deep_bytes<'a, T: Clone + 'a>(docs: impl Iterator<Item = &'a T>) -> f64 {
    let docs: Vec<&T> = docs.take(1000).collect();
    let before = heap::live_bytes();
    let copies: Vec<Arc<T>> = docs.iter().map(|doc| Arc::new((*doc).clone())).collect();
    let list = copies.capacity() * std::mem::size_of::<Arc<T>>();
    let bytes = heap::live_bytes() - before - list as i64;
    drop(copies);
    bytes as f64 / docs.len().max(1) as f64
}

/// Figures another engine can be compared on, per currency in minor units.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// Invoices issued.
    pub invoices: usize,
    /// Payments received.
    pub payments: usize,
    /// Cash applications.
    pub applications: usize,
    /// Invoice totals.
    pub invoiced_minor: BTreeMap<String, i64>,
    /// Payment amounts.
    pub received_minor: BTreeMap<String, i64>,
    /// Cash applied to invoices.
    pub cash_applied_minor: BTreeMap<String, i64>,
    /// Early-payment discounts taken.
    pub discounts_minor: BTreeMap<String, i64>,
    /// Residuals written off within tolerance (and by hand, if any).
    pub write_offs_minor: BTreeMap<String, i64>,
    /// Cash received and not applied.
    pub unapplied_cash_minor: BTreeMap<String, i64>,
    /// Invoices with an open balance.
    pub open_invoices: usize,
    /// Their open balance.
    pub open_minor: BTreeMap<String, i64>,
}

fn add(map: &mut BTreeMap<String, i128>, currency: ar_core::Currency, minor: i64) {
    *map.entry(currency.code().to_owned()).or_default() += i128::from(minor);
}

fn narrow(map: BTreeMap<String, i128>) -> Result<BTreeMap<String, i64>, String> {
    map.into_iter()
        .map(|(k, v)| i64::try_from(v).map(|v| (k, v)).map_err(|_| "a total does not fit 64 bits".to_owned()))
        .collect()
}

impl Figures {
    /// Reads the figures from a ledger's journal and customer balances.
    pub fn of(ledger: &Ledger) -> Result<Figures, String> {
        let mut sums: [BTreeMap<String, i128>; 7] = Default::default();
        let [invoiced, received, cash, discounts, write_offs, unapplied, open] = &mut sums;
        let mut f = Figures::default();
        for change in ledger.changes() {
            match change {
                Change::InvoiceIssued(doc) => {
                    f.invoices += 1;
                    add(invoiced, doc.currency, doc.totals.total.minor());
                }
                Change::PaymentReceived(doc) => {
                    f.payments += 1;
                    add(received, doc.amount.currency(), doc.amount.minor());
                }
                Change::CashApplied(doc) => {
                    f.applications += 1;
                    for a in &doc.allocations {
                        add(cash, a.cash.currency(), a.cash.minor());
                        add(discounts, a.discount.currency(), a.discount.minor());
                    }
                    for w in &doc.write_offs {
                        add(write_offs, w.amount.currency(), w.amount.minor());
                    }
                }
                Change::InvoiceWrittenOff(w) => add(write_offs, w.amount.currency(), w.amount.minor()),
                _ => {}
            }
        }
        for customer in ledger.customers() {
            let balance = ledger.balance(customer).map_err(|e| e.to_string())?;
            add(unapplied, balance.unapplied_cash.currency(), balance.unapplied_cash.minor());
            add(open, balance.open_invoices.currency(), balance.open_invoices.minor());
        }
        f.open_invoices = ledger.counts().open_invoices;
        let [invoiced, received, cash, discounts, write_offs, unapplied, open] = sums;
        f.invoiced_minor = narrow(invoiced)?;
        f.received_minor = narrow(received)?;
        f.cash_applied_minor = narrow(cash)?;
        f.discounts_minor = narrow(discounts)?;
        f.write_offs_minor = narrow(write_offs)?;
        f.unapplied_cash_minor = narrow(unapplied)?;
        f.open_minor = narrow(open)?;
        Ok(f)
    }

    /// The same figures without the currencies whose amount is zero (an engine may
    /// list them or not).
    pub fn without_zeros(&self) -> Figures {
        let keep =
            |m: &BTreeMap<String, i64>| m.iter().filter(|(_, v)| **v != 0).map(|(k, v)| (k.clone(), *v)).collect();
        Figures {
            invoiced_minor: keep(&self.invoiced_minor),
            received_minor: keep(&self.received_minor),
            cash_applied_minor: keep(&self.cash_applied_minor),
            discounts_minor: keep(&self.discounts_minor),
            write_offs_minor: keep(&self.write_offs_minor),
            unapplied_cash_minor: keep(&self.unapplied_cash_minor),
            open_minor: keep(&self.open_minor),
            ..self.clone()
        }
    }

    /// Checks that money is conserved, per currency: what was invoiced is applied,
    /// discounted, written off or still open; what was received is applied or unapplied.
    /// Holds for the commands this workload sends (no credit memos, deductions or refunds).
    pub fn conserves(&self) -> Result<(), String> {
        let get = |m: &BTreeMap<String, i64>, c: &str| i128::from(m.get(c).copied().unwrap_or(0));
        let mut currencies: Vec<&String> = self.invoiced_minor.keys().chain(self.received_minor.keys()).collect();
        currencies.sort();
        currencies.dedup();
        for c in currencies {
            let settled = get(&self.cash_applied_minor, c)
                + get(&self.discounts_minor, c)
                + get(&self.write_offs_minor, c)
                + get(&self.open_minor, c);
            if settled != get(&self.invoiced_minor, c) {
                return Err(format!("{c}: invoiced {} but settled and open {settled}", get(&self.invoiced_minor, c)));
            }
            let received = get(&self.cash_applied_minor, c) + get(&self.unapplied_cash_minor, c);
            if received != get(&self.received_minor, c) {
                return Err(format!(
                    "{c}: received {} but applied and unapplied {received}",
                    get(&self.received_minor, c)
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ar_core::{Action, CashSource};

    fn book(ids: IdStyle, seed: u64) -> (LedgerData, Ledger) {
        let data = generate(&LedgerSpec::new(300, 3_000).seed(seed).ids(ids)).unwrap();
        let mut ledger = Ledger::new(LedgerConfig::new());
        for commands in [&data.customers, &data.invoices, &data.payments] {
            execute_all(&mut ledger, commands.clone()).unwrap();
        }
        (data, ledger)
    }

    fn sum_by_currency<'a>(rows: impl Iterator<Item = (&'a str, i64)>) -> BTreeMap<String, i64> {
        let mut out = BTreeMap::new();
        for (currency, minor) in rows {
            *out.entry(currency.to_owned()).or_insert(0) += minor;
        }
        out
    }

    #[test]
    fn money_is_conserved_and_matches_the_generated_rows() {
        for seed in [1, 2, 3, 42] {
            let (data, ledger) = book(IdStyle::Scrambled, seed);
            let f = Figures::of(&ledger).unwrap();
            f.conserves().unwrap();
            assert_eq!(f.invoices, data.invoice_rows.len());
            assert_eq!(f.payments, data.payment_rows.len());
            let invoiced = sum_by_currency(data.invoice_rows.iter().map(|r| (r.currency.code(), r.total_minor)));
            let received = sum_by_currency(data.payment_rows.iter().map(|r| (r.currency.code(), r.amount_minor)));
            assert_eq!(f.invoiced_minor, invoiced);
            assert_eq!(f.received_minor, received);
        }
    }

    #[test]
    fn sqlite_following_the_same_rules_ends_with_the_same_figures() {
        for seed in [1, 2, 42] {
            let (data, ledger) = book(IdStyle::Scrambled, seed);
            let engine = Figures::of(&ledger).unwrap();
            let baseline = sqlite::run(&data).unwrap();
            assert_eq!(baseline.figures.without_zeros(), engine.without_zeros(), "seed {seed}");
            baseline.figures.conserves().unwrap();
        }
    }

    #[test]
    fn a_broken_book_is_caught_by_the_conservation_check() {
        let (_, ledger) = book(IdStyle::Scrambled, 5);
        let mut f = Figures::of(&ledger).unwrap();
        *f.open_minor.entry("USD".into()).or_default() += 1;
        assert!(f.conserves().is_err());
        let mut f = Figures::of(&ledger).unwrap();
        *f.unapplied_cash_minor.entry("EUR".into()).or_default() -= 1;
        assert!(f.conserves().is_err());
    }

    #[test]
    fn the_engine_computes_the_totals_and_due_dates_the_generator_wrote() {
        let (data, ledger) = book(IdStyle::Scrambled, 7);
        for row in &data.invoice_rows {
            let view = ledger.invoice(row.invoice).unwrap();
            assert_eq!(view.total.minor(), row.total_minor);
            assert_eq!(view.total.currency(), row.currency);
            assert_eq!(view.customer, row.customer);
            assert_eq!(view.installments[0].due_date, row.due_date);
        }
    }

    #[test]
    fn the_mix_has_every_kind_of_payment() {
        let (data, ledger) = book(IdStyle::Scrambled, 11);
        let f = Figures::of(&ledger).unwrap();
        let positive = |m: &BTreeMap<String, i64>| m.values().sum::<i64>() > 0;
        assert!(positive(&f.discounts_minor), "no discount taken");
        assert!(positive(&f.write_offs_minor), "nothing written off");
        assert!(positive(&f.unapplied_cash_minor), "no overpayment left unapplied");
        assert!(f.open_invoices > 0 && f.open_invoices < f.invoices / 5, "open invoices: {}", f.open_invoices);
        let currencies: Vec<&String> = f.invoiced_minor.keys().collect();
        assert_eq!(currencies, ["EUR", "JPY", "USD"]);
        let several = ledger.changes().any(|c| matches!(c, Change::CashApplied(a) if a.allocations.len() >= 3));
        assert!(several, "no payment settled several invoices");
        let partial = data.invoice_rows.iter().any(|r| ledger.invoice_history(r.invoice).map_or(0, |h| h.len()) >= 2);
        assert!(partial, "no invoice was paid in parts");
        let in_order = data.payment_rows.windows(2).all(|w| w[0].received <= w[1].received);
        assert!(in_order, "payments are not in date order");
        let in_order = data.invoice_rows.windows(2).all(|w| w[0].document_date <= w[1].document_date);
        assert!(in_order, "invoices are not in date order");
    }

    #[test]
    fn the_same_seed_gives_the_same_book_and_ids_do_not_change_the_money() {
        let (a, la) = book(IdStyle::Scrambled, 3);
        let (b, _) = book(IdStyle::Scrambled, 3);
        assert_eq!(a.invoice_rows, b.invoice_rows);
        assert_eq!(a.payment_rows, b.payment_rows);
        assert_eq!(a.payments, b.payments);
        let (c, _) = book(IdStyle::Scrambled, 4);
        assert_ne!(a.invoice_rows, c.invoice_rows);
        let (d, ld) = book(IdStyle::Counter, 3);
        assert_eq!(d.invoice_rows[0].invoice, ar_core::InvoiceId::from_u128(1));
        assert_eq!(Figures::of(&la).unwrap(), Figures::of(&ld).unwrap());
    }

    #[test]
    fn every_payment_is_applied_right_after_it_is_received() {
        let (data, _) = book(IdStyle::Scrambled, 9);
        assert_eq!(data.payments.len(), 2 * data.payment_rows.len());
        for (pair, row) in data.payments.chunks(2).zip(&data.payment_rows) {
            let (Action::ReceivePayment(r), Action::ApplyCash(a)) = (&pair[0].action, &pair[1].action) else {
                panic!("not a receive, apply pair");
            };
            assert_eq!(r.payment, row.payment);
            assert_eq!(a.source, CashSource::Payment(row.payment));
            assert_eq!(r.amount.minor(), row.amount_minor);
        }
    }

    #[test]
    fn csv_files_have_a_header_and_one_row_per_item() {
        let data = generate(&LedgerSpec::new(20, 200).seed(5)).unwrap();
        let dir = std::env::temp_dir().join(format!("ar-ledger-csv-{}", std::process::id()));
        data.write_csv(&dir).unwrap();
        let invoices = std::fs::read_to_string(dir.join("invoices.csv")).unwrap();
        let payments = std::fs::read_to_string(dir.join("payments.csv")).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let lines: Vec<&str> = invoices.lines().collect();
        assert_eq!(lines[0], "invoice,customer,currency,document_date,due_date,total_minor");
        assert_eq!(lines.len(), data.invoice_rows.len() + 1);
        let total: i64 = lines[1..].iter().map(|l| l.rsplit(',').next().unwrap().parse::<i64>().unwrap()).sum();
        assert_eq!(total, data.invoice_rows.iter().map(|r| r.total_minor).sum::<i64>());
        let lines: Vec<&str> = payments.lines().collect();
        assert_eq!(lines[0], "payment,customer,currency,received,amount_minor");
        assert_eq!(lines.len(), data.payment_rows.len() + 1);
    }

    #[test]
    fn the_workload_reports_every_step() {
        let args = Args::parse(["ledger", "--items", "1500", "--customers", "150"].into_iter().map(String::from));
        let out = run(&args.unwrap()).unwrap();
        let names: Vec<&str> = out.iter().map(|m| m.workload.as_str()).collect();
        assert_eq!(names, ["ledger.register", "ledger.issue", "ledger.apply", "ledger.replay", "ledger.counter_ids"]);
        assert_eq!(out[1].items, 1500);
        assert_eq!(out[2].items, 2 * out[2].check["payments"].as_u64().unwrap() as usize);
        assert_eq!(out[3].check["equal"], json!(true));
        assert_eq!(out[2].check["sqlite_figures_equal"], json!(true));
        assert!(out[1].baseline.is_some() && out[2].baseline.is_some());
        // No counting allocator in tests: no memory figure rather than a wrong one.
        assert!(!heap::counting());
        assert!(out.iter().all(|m| m.bytes_per_item.is_none()));
    }
}
