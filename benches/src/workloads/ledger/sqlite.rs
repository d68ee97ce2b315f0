//! The same book kept in SQLite (in memory, no journal, no fsync): the baseline
//! for `ledger.issue` and `ledger.apply`, and a reference the engine's end figures
//! are checked against.
//!
//! Issuing inserts each invoice's header and lines; its total, due date and
//! discount come from the generator (the engine computes them itself, SQLite only
//! stores them). Applying follows the engine's rules for what this workload sends:
//! the payer's open invoices oldest due first (then document date, then issue
//! order); an untouched invoice paid inside its discount window settles for its
//! total less the discount; when the payment is used up, a residual up to the
//! tolerance is written off; a payment that finds nothing open stays unapplied.

use std::collections::BTreeMap;

use ar_core::{Action, Command};
use chrono::{Datelike, NaiveDate};
use rusqlite::{Connection, params};

use super::Figures;
use crate::generate_ledger::{LedgerData, PaymentRow};
use crate::harness::timed;

/// The residual written off, in minor units (the generator's policy: 1.00, or 100 yen).
const TOLERANCE_MINOR: i64 = 100;

/// What the baseline took and what it ended with.
#[derive(Debug, Clone)]
pub struct SqliteRun {
    /// Seconds to insert the invoices.
    pub issue_seconds: f64,
    /// Seconds to receive and apply the payments.
    pub apply_seconds: f64,
    /// The end figures, read back with SQL.
    pub figures: Figures,
}

fn err(e: rusqlite::Error) -> String {
    format!("sqlite: {e}")
}

fn day(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce())
}

const SCHEMA: &str = "
    PRAGMA journal_mode = OFF;
    PRAGMA synchronous = OFF;
    CREATE TABLE invoices (
        id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE, customer INTEGER NOT NULL, currency TEXT NOT NULL,
        document_date INTEGER NOT NULL, due_date INTEGER NOT NULL, total INTEGER NOT NULL, open INTEGER NOT NULL,
        discount INTEGER NOT NULL, discount_until INTEGER);
    CREATE INDEX open_by_due ON invoices (customer, due_date, document_date, id) WHERE open > 0;
    CREATE TABLE lines (
        invoice INTEGER NOT NULL, position INTEGER NOT NULL, description TEXT NOT NULL,
        quantity TEXT NOT NULL, unit_price TEXT NOT NULL, PRIMARY KEY (invoice, position)) WITHOUT ROWID;
    CREATE TABLE payments (
        id INTEGER PRIMARY KEY, customer INTEGER NOT NULL, currency TEXT NOT NULL, received INTEGER NOT NULL,
        amount INTEGER NOT NULL, unapplied INTEGER NOT NULL);
    CREATE TABLE applications (
        payment INTEGER NOT NULL, invoice INTEGER NOT NULL, currency TEXT NOT NULL,
        cash INTEGER NOT NULL, discount INTEGER NOT NULL, write_off INTEGER NOT NULL);
";

/// Issues and applies `data` in a fresh in-memory database.
pub fn run(data: &LedgerData) -> Result<SqliteRun, String> {
    let mut db = Connection::open_in_memory().map_err(err)?;
    db.execute_batch(SCHEMA).map_err(err)?;
    let customer_ix: BTreeMap<ar_core::CustomerId, i64> =
        data.customers.iter().enumerate().filter_map(|(k, c)| registered(c).map(|id| (id, k as i64))).collect();
    let (done, issue_seconds) = timed(|| issue(&mut db, data, &customer_ix));
    done?;
    let (done, apply_seconds) = timed(|| apply(&mut db, &data.payment_rows, &customer_ix));
    done?;
    Ok(SqliteRun { issue_seconds, apply_seconds, figures: figures(&db)? })
}

fn registered(command: &Command) -> Option<ar_core::CustomerId> {
    match &command.action {
        Action::RegisterCustomer(reg) => Some(reg.customer),
        _ => None,
    }
}

fn issue(
    db: &mut Connection,
    data: &LedgerData,
    customer_ix: &BTreeMap<ar_core::CustomerId, i64>,
) -> Result<(), String> {
    let tx = db.transaction().map_err(err)?;
    {
        let mut header =
            tx.prepare("INSERT INTO invoices VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9)").map_err(err)?;
        let mut line = tx.prepare("INSERT INTO lines VALUES (?1, ?2, ?3, ?4, ?5)").map_err(err)?;
        for (k, (command, row)) in data.invoices.iter().zip(&data.invoice_rows).enumerate() {
            let Action::IssueInvoice(doc) = &command.action else { continue };
            let customer = customer_ix.get(&row.customer).ok_or("an invoice for an unknown customer")?;
            let (until, discount) = row.discount.map_or((None, 0), |(until, amount)| (Some(day(until)), amount));
            header
                .execute(params![
                    k as i64,
                    doc.number,
                    customer,
                    row.currency.code(),
                    day(row.document_date),
                    day(row.due_date),
                    row.total_minor,
                    discount,
                    until
                ])
                .map_err(err)?;
            for (n, l) in doc.lines.iter().enumerate() {
                let (quantity, price) = (l.quantity.to_string(), l.unit_price.to_string());
                line.execute(params![k as i64, n as i64, l.description.as_str(), quantity, price]).map_err(err)?;
            }
        }
    }
    tx.commit().map_err(err)
}

/// One open invoice as the payer's query returns it.
struct Open {
    id: i64,
    total: i64,
    open: i64,
    discount: i64,
    until: Option<i64>,
}

fn apply(
    db: &mut Connection,
    payments: &[PaymentRow],
    customer_ix: &BTreeMap<ar_core::CustomerId, i64>,
) -> Result<(), String> {
    let tx = db.transaction().map_err(err)?;
    {
        let mut receive = tx.prepare("INSERT INTO payments VALUES (?1, ?2, ?3, ?4, ?5, ?5)").map_err(err)?;
        let mut open = tx
            .prepare(
                "SELECT id, total, open, discount, discount_until FROM invoices
                 WHERE customer = ?1 AND open > 0 AND document_date <= ?2 ORDER BY due_date, document_date, id",
            )
            .map_err(err)?;
        let mut settle = tx.prepare("UPDATE invoices SET open = open - ?2 WHERE id = ?1").map_err(err)?;
        let mut record = tx.prepare("INSERT INTO applications VALUES (?1, ?2, ?3, ?4, ?5, ?6)").map_err(err)?;
        let mut leave = tx.prepare("UPDATE payments SET unapplied = ?2 WHERE id = ?1").map_err(err)?;
        for (p, pay) in payments.iter().enumerate() {
            let customer = customer_ix.get(&pay.customer).ok_or("a payment from an unknown customer")?;
            let (id, currency, received) = (p as i64, pay.currency.code(), day(pay.received));
            receive.execute(params![id, customer, currency, received, pay.amount_minor]).map_err(err)?;
            let rows = open
                .query_map([*customer, received], |r| {
                    Ok(Open { id: r.get(0)?, total: r.get(1)?, open: r.get(2)?, discount: r.get(3)?, until: r.get(4)? })
                })
                .map_err(err)?;
            let mut remaining = pay.amount_minor;
            let mut lines: Vec<(i64, i64, i64, i64)> = Vec::new();
            for inv in rows {
                let inv = inv.map_err(err)?;
                if remaining == 0 {
                    break;
                }
                let offer = match inv.until {
                    Some(until) if inv.open == inv.total && received <= until => inv.discount.min(inv.open),
                    _ => 0,
                };
                let need = inv.open - offer;
                let (cash, discount) = if remaining >= need { (need, offer) } else { (remaining, 0) };
                remaining -= cash;
                lines.push((inv.id, inv.open, cash, discount));
            }
            for (invoice, open_before, cash, discount) in lines.iter().copied() {
                let residual = open_before - cash - discount;
                let write_off = if remaining == 0 && residual <= TOLERANCE_MINOR { residual } else { 0 };
                settle.execute(params![invoice, cash + discount + write_off]).map_err(err)?;
                record.execute(params![id, invoice, currency, cash, discount, write_off]).map_err(err)?;
            }
            leave.execute(params![id, remaining]).map_err(err)?;
        }
    }
    tx.commit().map_err(err)
}

fn by_currency(db: &Connection, sql: &str) -> Result<BTreeMap<String, i64>, String> {
    let mut query = db.prepare(sql).map_err(err)?;
    let rows = query.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))).map_err(err)?;
    let mut out = BTreeMap::new();
    for row in rows {
        let (currency, minor) = row.map_err(err)?;
        out.insert(currency, minor);
    }
    Ok(out)
}

fn count(db: &Connection, sql: &str) -> Result<usize, String> {
    db.query_row(sql, [], |r| r.get::<_, i64>(0)).map(|n| n as usize).map_err(err)
}

fn figures(db: &Connection) -> Result<Figures, String> {
    let sum = |table: &str, column: &str| {
        by_currency(db, &format!("SELECT currency, SUM({column}) FROM {table} GROUP BY currency"))
    };
    Ok(Figures {
        invoices: count(db, "SELECT COUNT(*) FROM invoices")?,
        payments: count(db, "SELECT COUNT(*) FROM payments")?,
        applications: count(db, "SELECT COUNT(DISTINCT payment) FROM applications")?,
        invoiced_minor: sum("invoices", "total")?,
        received_minor: sum("payments", "amount")?,
        cash_applied_minor: sum("applications", "cash")?,
        discounts_minor: sum("applications", "discount")?,
        write_offs_minor: sum("applications", "write_off")?,
        unapplied_cash_minor: sum("payments", "unapplied")?,
        open_invoices: count(db, "SELECT COUNT(*) FROM invoices WHERE open > 0")?,
        open_minor: sum("invoices", "open")?,
    })
}
