//! An open item as the aging tests write it, and the store built from a list
//! of them. Shared by `aging_props.rs` and `aging_scenarios.rs`.

use ar_aging::{DocumentKind, DocumentRef, OpenItemRow, OpenItems, OpenItemsBuilder};
use ar_core::{CreditMemoId, Currency, CustomerId, DeductionId, InvoiceId, PaymentId};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// One open item, with the customer and document ids as plain numbers.
#[derive(Debug, Clone)]
pub struct Row {
    pub customer: u128,
    pub kind: DocumentKind,
    pub id: u128,
    pub number: String,
    pub currency: Currency,
    pub document: NaiveDate,
    pub due: NaiveDate,
    pub amount: Decimal,
    pub disputed: bool,
}

/// The document reference of `kind` with id `id`.
pub fn document(kind: DocumentKind, id: u128) -> DocumentRef {
    match kind {
        DocumentKind::Invoice => DocumentRef::Invoice(InvoiceId::from_u128(id)),
        DocumentKind::DebitMemo => DocumentRef::DebitMemo(InvoiceId::from_u128(id)),
        DocumentKind::CreditMemo => DocumentRef::CreditMemo(CreditMemoId::from_u128(id)),
        DocumentKind::UnappliedCash => DocumentRef::UnappliedCash(PaymentId::from_u128(id)),
        _ => DocumentRef::Deduction(DeductionId::from_u128(id)),
    }
}

/// The store holding `rows`; panics on a row the builder refuses (a failed test).
pub fn build(rows: &[Row]) -> OpenItems {
    let mut b = OpenItemsBuilder::new();
    for r in rows {
        let item = OpenItemRow::new(
            CustomerId::from_u128(r.customer),
            document(r.kind, r.id),
            &r.number,
            r.currency,
            r.document,
            r.due,
            r.amount,
        )
        .disputed(r.disputed);
        b.push(item).unwrap();
    }
    b.build()
}
