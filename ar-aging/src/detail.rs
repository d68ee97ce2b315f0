//! Per-document detail: every aged item with its age and column.

use ar_core::{Currency, CustomerId, Money};
use chrono::NaiveDate;

use crate::open_items::{CollectorId, DocumentRef, OpenItems, date_of};
use crate::policy::{AgingBasis, AgingPolicy, Column, FutureDocuments};

/// One aged document.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DetailLine<'a> {
    /// The customer.
    pub customer: CustomerId,
    /// The document.
    pub document: DocumentRef,
    /// The document number.
    pub number: &'a str,
    /// The document date.
    pub document_date: NaiveDate,
    /// The due date.
    pub due_date: NaiveDate,
    /// As-of date − due date: negative while not yet due.
    pub days_past_due: i32,
    /// The age the buckets use: days past due, or days since the document date
    /// under [`AgingBasis::DocumentDate`].
    pub age_days: i32,
    /// The column the item was summed into.
    pub column: Column,
    /// The open amount (negative for credits and unapplied cash).
    pub open_amount: Money,
    /// `true` if disputed.
    pub disputed: bool,
    /// The collector, if any.
    pub collector: Option<CollectorId>,
}

/// The detail lines of a set, sorted by customer id, then due date, then
/// document number (then document id, so the order is total). Made by
/// [`OpenItems::detail`]; sorts one customer's items at a time.
#[derive(Debug, Clone)]
pub struct Detail<'a> {
    items: &'a OpenItems,
    policy: &'a AgingPolicy,
    next_customer: usize,
    customer: CustomerId,
    next_segment: usize,
    /// The current customer's items (index, currency index), sorted.
    buffer: Vec<(u32, u16)>,
    at: usize,
}

impl OpenItems {
    /// Every aged item with its age and column, sorted by customer, due date
    /// and number. The amounts sum to [`OpenItems::totals`] column by column.
    ///
    /// ```
    /// # use ar_aging::{AgingPolicy, Column, DocumentRef, OpenItemRow, OpenItemsBuilder};
    /// # use ar_core::{Currency, CustomerId, InvoiceId};
    /// # use chrono::NaiveDate;
    /// # use rust_decimal_macros::dec;
    /// # let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).ok_or("bad date");
    /// # let mut builder = OpenItemsBuilder::new();
    /// # builder.push(OpenItemRow::new(CustomerId::from_u128(1), DocumentRef::Invoice(InvoiceId::from_u128(1)),
    /// #     "INV-1", Currency::USD, day(1, 1)?, day(1, 31)?, dec!(100.00)))?;
    /// # let items = builder.build();
    /// let policy = AgingPolicy::new(day(3, 15)?);
    /// let lines: Vec<_> = items.detail(&policy).collect();
    /// assert_eq!(lines[0].days_past_due, 43);
    /// assert_eq!(lines[0].column, Column::Bucket(2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn detail<'a>(&'a self, policy: &'a AgingPolicy) -> Detail<'a> {
        Detail {
            items: self,
            policy,
            next_customer: 0,
            customer: CustomerId::from_u128(0),
            next_segment: 0,
            buffer: Vec::new(),
            at: 0,
        }
    }
}

impl<'a> Detail<'a> {
    /// Loads and sorts the next customer's items; `false` when none is left.
    fn load_next_customer(&mut self) -> bool {
        let items = self.items;
        let as_of = self.policy.as_of_day();
        let exclude_future = self.policy.get_future_documents() == FutureDocuments::Exclude;
        while self.next_customer < items.customers.len() {
            let customer = self.next_customer as u32;
            self.customer = items.customers.get(self.next_customer).copied().unwrap_or(self.customer);
            self.next_customer += 1;
            self.buffer.clear();
            self.at = 0;
            while let Some(seg) = items.segments.get(self.next_segment) {
                let Some(pair) = items.pairs.get(seg.pair as usize) else { break };
                if pair.customer != customer {
                    break;
                }
                self.next_segment += 1;
                for i in seg.start..seg.end {
                    let doc_day = items.document_day.get(i as usize).copied().unwrap_or(i32::MIN);
                    if !(exclude_future && doc_day > as_of) {
                        self.buffer.push((i, pair.currency));
                    }
                }
            }
            self.buffer.sort_unstable_by(|&(a, _), &(b, _)| {
                let (a, b) = (a as usize, b as usize);
                let key = |i: usize| (items.due_day.get(i), items.number(i), items.document_uuid(i));
                key(a).cmp(&key(b))
            });
            if !self.buffer.is_empty() {
                return true;
            }
        }
        false
    }

    fn line(&self, item: usize, currency: Currency) -> DetailLine<'a> {
        let items = self.items;
        let due_day = items.due_day.get(item).copied().unwrap_or(0);
        let doc_day = items.document_day.get(item).copied().unwrap_or(0);
        let as_of = self.policy.as_of_day();
        let age_days = match self.policy.get_basis() {
            AgingBasis::DueDate => as_of - due_day,
            AgingBasis::DocumentDate => as_of - doc_day,
        };
        let kind = items.kind(item);
        let disputed = items.is_disputed(item);
        let minor = items.amount_minor.get(item).copied().unwrap_or(0);
        DetailLine {
            customer: self.customer,
            document: DocumentRef::from_parts(kind, items.document_uuid(item)),
            number: items.number(item),
            document_date: date_of(doc_day),
            due_date: date_of(due_day),
            days_past_due: as_of - due_day,
            age_days,
            column: self.policy.column_for(kind, disputed, age_days),
            // The builder bounded every amount to what `Money` holds.
            open_amount: Money::from_minor(minor, currency).unwrap_or(Money::zero(currency)),
            disputed,
            collector: items.collector_of(item),
        }
    }
}

impl<'a> Iterator for Detail<'a> {
    type Item = DetailLine<'a>;

    fn next(&mut self) -> Option<DetailLine<'a>> {
        if self.at >= self.buffer.len() && !self.load_next_customer() {
            return None;
        }
        let (item, currency) = *self.buffer.get(self.at)?;
        self.at += 1;
        let currency = self.items.currencies.get(currency as usize).copied()?;
        Some(self.line(item as usize, currency))
    }
}
