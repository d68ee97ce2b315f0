//! Queries over the ledger's state. Every list comes back in a defined order.

use chrono::NaiveDate;

use super::Ledger;
use super::state::{Deduction, Invoice, Settlement, State};
use crate::event::InvoiceIssued;
use crate::views::{
    CustomerBalance, DeductionView, DocumentRef, HistoryEntry, InvoiceStatus, InvoiceView, OpenInstallment, OpenItem,
    OpenItemKind, Unapplied,
};
use crate::{
    CashSource, Currency, CustomerId, DeductionStatus, InvoiceId, InvoiceKind, LedgerError, Money, PaymentTerms,
};

fn m(minor: i64, currency: Currency) -> Money {
    // State amounts come from checked `Money` values and their sums, which
    // `MAX_MINOR_UNITS` keeps far inside `i64`.
    Money::from_minor(minor, currency).unwrap_or_else(|_| Money::zero(currency))
}

/// Installments with their open amounts.
fn installments(inv: &Invoice) -> Vec<OpenInstallment> {
    let settled = if inv.void { inv.total } else { inv.settled() };
    inv.doc.open_installments(m(settled, inv.currency()))
}

impl InvoiceIssued {
    /// The schedule with each installment's open amount once `settled` (cash,
    /// credits, discounts, write-offs and deductions together) has been applied.
    /// Settlement fills installments from the first, so the open amounts depend
    /// on the settled total alone; a settled amount in another currency counts as
    /// nothing settled.
    pub fn open_installments(&self, settled: Money) -> Vec<OpenInstallment> {
        let currency = self.currency;
        let settled = if settled.currency() == currency { settled.minor() } else { 0 };
        let mut start = 0i64;
        self.installments
            .iter()
            .map(|i| {
                let amount = i.amount.minor();
                let open = (start + amount - settled.max(start)).clamp(0, amount.max(0));
                let untouched = settled <= start;
                start += amount;
                OpenInstallment {
                    number: i.number,
                    due_date: i.due_date,
                    amount: i.amount,
                    open: m(open, currency),
                    discounts: if untouched { i.discounts.clone() } else { Vec::new() },
                }
            })
            .collect()
    }
}

fn status(inv: &Invoice) -> InvoiceStatus {
    if inv.void {
        InvoiceStatus::Void
    } else if inv.open() > 0 {
        if inv.settled() == 0 { InvoiceStatus::Open } else { InvoiceStatus::PartiallyPaid }
    } else if inv.cash == 0 && inv.credited > 0 && inv.discounted + inv.deducted == 0 {
        InvoiceStatus::Credited
    } else if inv.cash == 0 && inv.credited == 0 && inv.written_off > 0 && inv.deducted == 0 {
        InvoiceStatus::WrittenOff
    } else {
        InvoiceStatus::Paid
    }
}

impl Ledger {
    fn st(&self) -> &State {
        &self.state
    }

    /// The customers' ids, in registration order.
    pub fn customers(&self) -> impl Iterator<Item = CustomerId> + '_ {
        self.st().customers.iter().map(|c| c.reg.customer)
    }

    /// A customer's name, currency, terms and hold, if the customer exists.
    pub fn customer_terms(&self, customer: CustomerId) -> Result<&PaymentTerms, LedgerError> {
        let c = self.st().customer(customer)?;
        Ok(self.st().cust(c).terms.as_ref())
    }

    /// A customer's account currency.
    pub fn customer_currency(&self, customer: CustomerId) -> Result<Currency, LedgerError> {
        let c = self.st().customer(customer)?;
        Ok(self.st().cust(c).currency)
    }

    /// A customer's collector, if one was assigned.
    pub fn customer_collector(&self, customer: CustomerId) -> Result<Option<&str>, LedgerError> {
        let c = self.st().customer(customer)?;
        Ok(self.st().cust(c).reg.collector.as_deref())
    }

    /// The reason a customer is on manual hold, if it is.
    pub fn hold(&self, customer: CustomerId) -> Result<Option<&str>, LedgerError> {
        let c = self.st().customer(customer)?;
        Ok(self.st().cust(c).hold.as_deref())
    }

    /// A customer's receivable position.
    pub fn balance(&self, customer: CustomerId) -> Result<CustomerBalance, LedgerError> {
        let c = self.st().customer(customer)?;
        let cust = self.st().cust(c);
        let cur = cust.currency;
        let balance = cust.receivable + cust.deductions_open - cust.unapplied_cash - cust.unapplied_credit;
        let exact = |minor| Money::from_minor(minor, cur);
        Ok(CustomerBalance {
            customer,
            open_invoices: exact(cust.receivable)?,
            disputed: exact(cust.disputed)?,
            open_deductions: exact(cust.deductions_open)?,
            unapplied_cash: exact(cust.unapplied_cash)?,
            unapplied_credit: exact(cust.unapplied_credit)?,
            balance: exact(balance)?,
        })
    }

    /// An invoice's amounts and status.
    pub fn invoice(&self, invoice: InvoiceId) -> Option<InvoiceView> {
        let i = self.st().invoice(invoice).ok()?;
        Some(self.invoice_view(self.st().inv(i)))
    }

    fn invoice_view(&self, inv: &Invoice) -> InvoiceView {
        let cur = inv.currency();
        InvoiceView {
            invoice: inv.doc.invoice,
            number: inv.doc.number.clone(),
            customer: inv.doc.customer,
            kind: inv.doc.kind.clone(),
            document_date: inv.doc.document_date,
            total: m(inv.total, cur),
            cash: m(inv.cash, cur),
            credited: m(inv.credited, cur),
            discounted: m(inv.discounted, cur),
            written_off: m(inv.written_off, cur),
            deducted: m(inv.deducted, cur),
            disputed: m(inv.disputed, cur),
            open: m(inv.open(), cur),
            status: status(inv),
            installments: installments(inv),
        }
    }

    /// Every application that touched an invoice, in the order applied.
    ///
    /// Costs what the invoice's applications hold, except that one settling
    /// many invoices is read through its parts sorted by invoice: listing the
    /// history of every invoice a large remittance paid stays n log n.
    pub fn invoice_history(&self, invoice: InvoiceId) -> Result<Vec<HistoryEntry>, LedgerError> {
        let i = self.st().invoice(invoice)?;
        let cur = self.st().inv(i).currency();
        Ok(self
            .st()
            .inv(i)
            .history
            .iter()
            .map(|a| {
                let app = &self.st().applications[a as usize];
                let share = self.share(a, i, invoice);
                HistoryEntry {
                    application: app.doc.application,
                    date: app.date,
                    source: app.doc.source,
                    cash: m(share.cash, cur),
                    discount: m(share.discount, cur),
                    write_off: m(share.write_off, cur),
                    deduction: m(share.deduction, cur),
                    reversed: app.reversed,
                }
            })
            .collect())
    }

    /// What application `a` did to invoice `i` (whose id is `invoice`).
    fn share(&self, a: u32, i: u32, invoice: InvoiceId) -> Settlement {
        if let Some(parts) = self.st().large_applications.get(&a) {
            let at = parts.binary_search_by_key(&i, |(k, _)| *k);
            return at.ok().and_then(|at| parts.get(at)).map_or_else(Settlement::default, |(_, s)| *s);
        }
        let doc = &self.st().applications[a as usize].doc;
        let mut share = Settlement::default();
        for x in doc.allocations.iter().filter(|x| x.invoice == invoice) {
            share.cash += x.cash.minor();
            share.discount += x.discount.minor();
        }
        share.write_off = doc.write_offs.iter().filter(|x| x.invoice == invoice).map(|x| x.amount.minor()).sum();
        share.deduction = doc.deductions.iter().filter(|x| x.invoice == invoice).map(|x| x.amount.minor()).sum();
        share
    }

    /// A customer's unapplied cash and credit, oldest first.
    pub fn unapplied(&self, customer: CustomerId) -> Result<Vec<Unapplied>, LedgerError> {
        let c = self.st().customer(customer)?;
        let cust = self.st().cust(c);
        let cur = cust.currency;
        let mut out: Vec<Unapplied> = Vec::new();
        for p in &cust.payments {
            let pay = &self.st().payments[*p as usize];
            if pay.unapplied() > 0 {
                let source = CashSource::Payment(pay.doc.payment);
                out.push(Unapplied { source, date: pay.doc.received, amount: m(pay.unapplied(), cur) });
            }
        }
        for k in &cust.credits {
            let credit = &self.st().credits[*k as usize];
            if credit.unapplied() > 0 {
                let source = CashSource::CreditMemo(credit.doc.credit_memo);
                out.push(Unapplied { source, date: credit.doc.document_date, amount: m(credit.unapplied(), cur) });
            }
        }
        out.sort_by_key(|a| (a.date, a.source));
        Ok(out)
    }

    /// Deductions, optionally of one customer and one status, by customer id, date taken, id.
    ///
    /// One customer's are read from its own list, and a view is built only
    /// for a deduction that passes the filters: asking for one customer's
    /// open deductions costs what that customer has, not what the ledger has.
    pub fn deductions(&self, customer: Option<CustomerId>, status: Option<DeductionStatus>) -> Vec<DeductionView> {
        let st = self.st();
        let wanted = |d: &&Deduction| status.is_none_or(|s| s == d.status);
        let mut out: Vec<DeductionView> = match customer {
            Some(customer) => match st.customer(customer) {
                Ok(c) => st
                    .cust(c)
                    .deductions
                    .iter()
                    .map(|d| &st.deductions[*d as usize])
                    .filter(wanted)
                    .map(|d| self.deduction_view(d))
                    .collect(),
                Err(_) => Vec::new(),
            },
            None => st.deductions.iter().filter(wanted).map(|d| self.deduction_view(d)).collect(),
        };
        out.sort_by_key(|a| (a.customer, a.opened, a.deduction));
        out
    }

    fn deduction_view(&self, d: &Deduction) -> DeductionView {
        let cust = self.st().cust(d.customer);
        let inv = self.st().inv(d.invoice);
        DeductionView {
            deduction: d.id,
            customer: cust.reg.customer,
            invoice: inv.doc.invoice,
            invoice_number: inv.doc.number.clone(),
            amount: m(d.amount, cust.currency),
            reason: d.reason.clone(),
            status: d.status,
            opened: d.opened,
        }
    }

    /// A customer's open items (invoices, debit memos, deductions, unapplied cash and
    /// credit), by due date, then document date, then number.
    pub fn open_items(&self, customer: CustomerId) -> Result<Vec<OpenItem>, LedgerError> {
        let c = self.st().customer(customer)?;
        let mut out = Vec::new();
        self.push_open_items(c, &mut out);
        Ok(out)
    }

    /// Every customer's open items, by customer id, then as [`Ledger::open_items`].
    pub fn all_open_items(&self) -> Vec<OpenItem> {
        let mut order: Vec<(CustomerId, u32)> =
            self.st().customers.iter().enumerate().map(|(k, c)| (c.reg.customer, k as u32)).collect();
        order.sort();
        let mut out = Vec::new();
        for (_, c) in order {
            self.push_open_items(c, &mut out);
        }
        out
    }

    fn push_open_items(&self, c: u32, out: &mut Vec<OpenItem>) {
        let st = self.st();
        let cust = st.cust(c);
        let cur = cust.currency;
        let start = out.len();
        // Sorted below: the invoices disputed in full follow the others here.
        for key in cust.open.iter().chain(cust.held.iter()) {
            out.push(self.invoice_item(st.inv(key.2)));
        }
        for d in cust.deductions.iter().map(|d| &st.deductions[*d as usize]) {
            if matches!(d.status, DeductionStatus::Open | DeductionStatus::UnderReview) {
                let inv = st.inv(d.invoice);
                out.push(OpenItem {
                    customer: cust.reg.customer,
                    document: DocumentRef::Deduction(d.id),
                    number: inv.doc.number.clone(),
                    kind: OpenItemKind::Deduction,
                    document_date: d.opened,
                    due_date: d.opened,
                    original: m(d.amount, cur),
                    open: m(d.amount, cur),
                    disputed: Money::zero(cur),
                    installments: Vec::new(),
                });
            }
        }
        self.push_unapplied(c, out);
        out[start..].sort_by(|a, b| {
            (a.due_date, a.document_date, &a.number, a.document).cmp(&(
                b.due_date,
                b.document_date,
                &b.number,
                b.document,
            ))
        });
    }

    fn push_unapplied(&self, c: u32, out: &mut Vec<OpenItem>) {
        let st = self.st();
        let cust = st.cust(c);
        let cur = cust.currency;
        let item = |document, number: String, kind, date: NaiveDate, original: i64, open: i64| OpenItem {
            customer: cust.reg.customer,
            document,
            number,
            kind,
            document_date: date,
            due_date: date,
            original: m(-original, cur),
            open: m(-open, cur),
            disputed: Money::zero(cur),
            installments: Vec::new(),
        };
        for p in cust.payments.iter().map(|p| &st.payments[*p as usize]) {
            if p.unapplied() > 0 {
                let number = match p.doc.payer_reference.as_str() {
                    "" => p.doc.payment.to_string(),
                    reference => reference.to_owned(),
                };
                let doc = DocumentRef::Payment(p.doc.payment);
                out.push(item(doc, number, OpenItemKind::UnappliedCash, p.doc.received, p.amount, p.unapplied()));
            }
        }
        for k in cust.credits.iter().map(|k| &st.credits[*k as usize]) {
            if k.unapplied() > 0 {
                let doc = DocumentRef::CreditMemo(k.doc.credit_memo);
                let number = k.doc.number.clone();
                out.push(item(doc, number, OpenItemKind::CreditMemo, k.doc.document_date, k.amount, k.unapplied()));
            }
        }
    }

    fn invoice_item(&self, inv: &Invoice) -> OpenItem {
        let cur = inv.currency();
        let installments = installments(inv);
        let due = installments.iter().find(|i| i.open.is_positive()).map_or(inv.first_due, |i| i.due_date);
        let kind = match inv.doc.kind {
            InvoiceKind::Invoice => OpenItemKind::Invoice,
            _ => OpenItemKind::DebitMemo,
        };
        OpenItem {
            customer: inv.doc.customer,
            document: DocumentRef::Invoice(inv.doc.invoice),
            number: inv.doc.number.clone(),
            kind,
            document_date: inv.doc.document_date,
            due_date: due,
            original: m(inv.total, cur),
            open: m(inv.open(), cur),
            disputed: m(inv.disputed, cur),
            installments,
        }
    }

    /// Counts of records, for reports and memory estimates.
    pub fn counts(&self) -> LedgerCounts {
        let st = self.st();
        LedgerCounts {
            customers: st.customers.len(),
            invoices: st.invoices.len(),
            open_invoices: st.customers.iter().map(|c| c.open.len() + c.held.len()).sum(),
            payments: st.payments.len(),
            credit_memos: st.credits.len(),
            applications: st.applications.len(),
            deductions: st.deductions.len(),
            events: self.journal.len(),
        }
    }
}

/// How many records the ledger holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LedgerCounts {
    /// Customers.
    pub customers: usize,
    /// Invoices and debit memos ever issued.
    pub invoices: usize,
    /// Of which open now.
    pub open_invoices: usize,
    /// Payments.
    pub payments: usize,
    /// Credit memos.
    pub credit_memos: usize,
    /// Applications.
    pub applications: usize,
    /// Deductions.
    pub deductions: usize,
    /// Events in the journal.
    pub events: usize,
}
