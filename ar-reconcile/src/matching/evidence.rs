//! [`Evidence`]: why the matcher proposed what it did, in words a clerk reads.

use std::fmt;
use std::sync::Arc;

use ar_core::{CustomerId, Money};
use chrono::NaiveDate;
use serde::Serialize;

use super::Pass;

/// Where on a bank line a reference was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[non_exhaustive]
pub enum ReferenceSource {
    /// A structured invoice reference.
    Invoice,
    /// An ISO 11649 creditor reference (`RF…`).
    Creditor,
    /// Another structured payment reference.
    Other,
    /// The payer's end-to-end id.
    EndToEndId,
    /// A document listed in a remittance advice.
    Remittance,
}

impl fmt::Display for ReferenceSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReferenceSource::Invoice => "invoice reference",
            ReferenceSource::Creditor => "creditor reference",
            ReferenceSource::Other => "payment reference",
            ReferenceSource::EndToEndId => "end-to-end id",
            ReferenceSource::Remittance => "remittance advice document",
        })
    }
}

/// One reason behind a [`Proposal`](super::Proposal). Its `Display` is a
/// sentence a clerk can read.
///
/// ```
/// use ar_reconcile::matching::Evidence;
/// use ar_core::{Currency, Money};
/// use rust_decimal_macros::dec;
/// let e = Evidence::ReferenceInText { token: "inv 42".into(), document: "INV-00042".into() };
/// assert_eq!(e.to_string(), "invoice number INV-00042 found in remittance text ('inv 42')");
/// let e = Evidence::Combination {
///     count: 3,
///     total: Money::new(dec!(1234.5), Currency::USD)?,
///     customer_name: "ACME".into(),
///     net_of_discount: false,
/// };
/// assert_eq!(e.to_string(), "3 open items of customer ACME sum to 1,234.50 USD (the fewest items that do, oldest first)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum Evidence {
    /// A structured reference matches an open invoice's number.
    ReferenceMatched {
        /// Where the reference was.
        source: ReferenceSource,
        /// The reference as written.
        reference: String,
        /// The invoice's document number.
        document: Arc<str>,
    },
    /// An invoice number was found in the free remittance text.
    ReferenceInText {
        /// The text as written.
        token: String,
        /// The invoice's document number.
        document: Arc<str>,
    },
    /// A structured reference matches no open invoice.
    ReferenceUnknown {
        /// Where the reference was.
        source: ReferenceSource,
        /// The reference as written.
        reference: String,
    },
    /// Invoice numbers found in the free text fit neither the amount nor the
    /// payer, so they are taken for other numbers (an order, a delivery note).
    TextReferenceNotUsed {
        /// The invoices' document numbers.
        documents: Vec<Arc<str>>,
    },
    /// A referenced invoice was issued after the line was booked, so the line
    /// cannot pay it.
    ReferenceIssuedLater {
        /// The invoice's document number.
        document: Arc<str>,
        /// The day it was issued.
        issued: NaiveDate,
    },
    /// A referenced invoice has nothing left open in this run.
    ReferenceNotOpen {
        /// The invoice's document number.
        document: Arc<str>,
    },
    /// A referenced invoice belongs to a customer other than the one paying.
    ReferenceOtherCustomer {
        /// The invoice's document number.
        document: Arc<str>,
        /// The name of the customer it belongs to.
        customer_name: Arc<str>,
    },
    /// More invoices of this number belong to other customers than are
    /// listed one by one (where each customer has its own "INV-1001").
    ReferenceOtherCustomersMore {
        /// The invoices' document number.
        document: Arc<str>,
        /// How many more customers have an invoice of that number.
        customers: usize,
    },
    /// A referenced invoice is in another currency than the payment.
    ReferenceOtherCurrency {
        /// The invoice's document number.
        document: Arc<str>,
        /// The invoice currency's code.
        currency: String,
    },
    /// The payer's account is a known account of a customer.
    PayerAccount {
        /// The account as the bank gave it.
        account: String,
        /// The customer.
        customer: CustomerId,
        /// The customer's name.
        customer_name: Arc<str>,
    },
    /// The payer's account belongs to a customer other than the one whose
    /// invoices the line references.
    PayerIsOtherCustomer {
        /// The account as the bank gave it.
        account: String,
        /// The name of the customer the account belongs to.
        customer_name: Arc<str>,
    },
    /// The payer's name, normalized, is a customer's name.
    PayerName {
        /// The payer's name as the bank gave it.
        payer_name: String,
        /// The customer.
        customer: CustomerId,
        /// The customer's name.
        customer_name: Arc<str>,
    },
    /// The payer's name fits several customers, so it identifies none.
    PayerNameAmbiguous {
        /// The payer's name as the bank gave it.
        payer_name: String,
        /// How many customers it fits.
        customers: usize,
    },
    /// A reference on the line is a known reference of a customer.
    CustomerReference {
        /// The reference as written.
        reference: String,
        /// The customer.
        customer: CustomerId,
        /// The customer's name.
        customer_name: Arc<str>,
    },
    /// The customer is the one a referenced invoice belongs to.
    CustomerOfInvoice {
        /// The invoice's document number.
        document: Arc<str>,
        /// The customer.
        customer: CustomerId,
        /// The customer's name.
        customer_name: Arc<str>,
    },
    /// The remittance advice states the amount paid on a document.
    RemittedAmount {
        /// The invoice's document number.
        document: Arc<str>,
        /// The amount stated.
        paid: Money,
    },
    /// The amount equals the open amount of the referenced invoices.
    AmountMatches {
        /// The amount.
        amount: Money,
        /// The invoices' document numbers.
        documents: Vec<Arc<str>>,
    },
    /// An invoice is paid net of its early-payment discount.
    NetOfDiscount {
        /// The invoice's document number.
        document: Arc<str>,
        /// The discount taken.
        discount: Money,
        /// The offer's last day.
        until: NaiveDate,
    },
    /// The shortfall equals a discount whose date had passed on the booking date.
    DiscountExpired {
        /// The invoice's document number.
        document: Arc<str>,
        /// The discount that was offered.
        discount: Money,
        /// The offer's last day.
        until: NaiveDate,
        /// The grace days the policy allows.
        grace_days: u32,
    },
    /// Some of the referenced invoices sum to the amount.
    ReferencedSubset {
        /// How many invoices the subset holds.
        count: usize,
        /// How many were referenced.
        of: usize,
        /// Their total.
        total: Money,
    },
    /// One open item of the customer equals the amount.
    SingleOpenItem {
        /// The invoice's document number.
        document: Arc<str>,
        /// The customer's name.
        customer_name: Arc<str>,
        /// `true` if it equals the amount net of its discount.
        net_of_discount: bool,
    },
    /// Several open items of the customer sum to the amount.
    Combination {
        /// How many items.
        count: usize,
        /// Their total (net of discounts where taken).
        total: Money,
        /// The customer's name.
        customer_name: Arc<str>,
        /// `true` if the items are taken net of their discounts.
        net_of_discount: bool,
    },
    /// The combination search ran out of its work budget.
    SearchExhausted {
        /// The open items searched.
        items: usize,
        /// The steps taken.
        steps: u64,
    },
    /// No open item or combination explains the amount.
    NoCombination {
        /// The customer's open items in the payment currency.
        items: usize,
        /// The most items a combination could hold.
        max_items: usize,
    },
    /// No open item explains the amount, and no combination of the oldest
    /// open items does: the customer has more open items than the
    /// combination search considers
    /// ([`MatchPolicy::combination_candidates`](super::MatchPolicy::combination_candidates)).
    NoCombinationAmongOldest {
        /// The open items the combination search considered, oldest first.
        searched: usize,
        /// The customer's open items in the payment currency.
        items: usize,
        /// The most items a combination could hold.
        max_items: usize,
    },
    /// The amount falls short of several open items, and of this one by the least.
    NearestItem {
        /// The invoice's document number.
        document: Arc<str>,
        /// The customer's open items in the payment currency.
        items: usize,
    },
    /// A short payment within tolerance is written off.
    WriteOff {
        /// The invoice's document number.
        document: Arc<str>,
        /// The amount written off.
        amount: Money,
    },
    /// A short payment beyond tolerance is proposed as a deduction.
    Deduction {
        /// The invoice's document number.
        document: Arc<str>,
        /// The deduction.
        amount: Money,
    },
    /// A referenced invoice got nothing: the amount ran out before it.
    NothingLeftFor {
        /// The invoice's document number.
        document: Arc<str>,
    },
    /// More was paid than the invoices: the rest stays on the customer.
    Overpayment {
        /// The amount left unapplied.
        amount: Money,
        /// The customer's name.
        customer_name: Arc<str>,
    },
    /// Nothing explains the amount: it stays on the customer unapplied.
    UnappliedOnCustomer {
        /// The amount.
        amount: Money,
        /// The customer's name.
        customer_name: Arc<str>,
    },
    /// No customer could be identified.
    Unidentified {
        /// The amount.
        amount: Money,
    },
    /// A debit (money out) is not matched against receivables.
    DebitSkipped {
        /// The line's amount.
        amount: Money,
    },
    /// The policy stopped matching after a pass.
    StoppedAfter {
        /// The last pass that ran.
        pass: Pass,
    },
}

/// Formats money for people: thousands separated, `1,234.50 USD`.
///
/// ```
/// use ar_reconcile::matching::evidence::Amount;
/// use ar_core::{Currency, Money};
/// assert_eq!(Amount(Money::from_minor(-123_456_789, Currency::USD)?).to_string(), "-1,234,567.89 USD");
/// assert_eq!(Amount(Money::from_minor(1500, Currency::JPY)?).to_string(), "1,500 JPY");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount(pub Money);

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.amount().abs().to_string();
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        if self.0.is_negative() {
            f.write_str("-")?;
        }
        let first = whole.len() % 3;
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (i + 3 - first) % 3 == 0 {
                f.write_str(",")?;
            }
            write!(f, "{c}")?;
        }
        if !fraction.is_empty() {
            write!(f, ".{fraction}")?;
        }
        write!(f, " {}", self.0.currency())
    }
}

fn list(documents: &[Arc<str>]) -> String {
    match documents {
        [one] => format!("invoice {one}"),
        many => format!("invoices {}", many.join(", ")),
    }
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Evidence::ReferenceMatched { source, reference, document } => {
                write!(f, "{source} {reference} matches invoice number {document}")
            }
            Evidence::ReferenceInText { token, document } => {
                write!(f, "invoice number {document} found in remittance text ('{token}')")
            }
            Evidence::ReferenceUnknown { source, reference } => {
                write!(f, "{source} {reference} matches no open invoice")
            }
            Evidence::TextReferenceNotUsed { documents } => write!(
                f,
                "{} found in the text fit neither the amount nor the payer: taken for another kind of number",
                list(documents)
            ),
            Evidence::ReferenceIssuedLater { document, issued } => {
                write!(f, "invoice {document} was issued on {issued}, after the payment was booked: not paid by it")
            }
            Evidence::ReferenceNotOpen { document } => {
                write!(f, "invoice {document} has nothing left open (paid, or settled by an earlier line)")
            }
            Evidence::ReferenceOtherCustomer { document, customer_name } => {
                write!(f, "invoice {document} belongs to another customer ({customer_name}): not used")
            }
            Evidence::ReferenceOtherCustomersMore { document, customers } => {
                write!(f, "invoice {document} also belongs to {customers} more other customers: not used")
            }
            Evidence::ReferenceOtherCurrency { document, currency } => {
                write!(f, "invoice {document} is in {currency}, not the payment's currency: not used")
            }
            Evidence::PayerAccount { account, customer_name, .. } => {
                write!(f, "payer account {account} belongs to customer {customer_name}")
            }
            Evidence::PayerIsOtherCustomer { account, customer_name } => write!(
                f,
                "payer account {account} belongs to customer {customer_name}, not to the referenced invoices' customer"
            ),
            Evidence::PayerName { payer_name, customer_name, .. } => {
                write!(f, "payer name '{payer_name}' matches customer {customer_name}")
            }
            Evidence::PayerNameAmbiguous { payer_name, customers } => {
                write!(f, "payer name '{payer_name}' fits {customers} customers: not used to identify the payer")
            }
            Evidence::CustomerReference { reference, customer_name, .. } => {
                write!(f, "customer reference {reference} identifies customer {customer_name}")
            }
            Evidence::CustomerOfInvoice { document, customer_name, .. } => {
                write!(f, "customer {customer_name} identified through invoice {document}")
            }
            Evidence::RemittedAmount { document, paid } => {
                write!(f, "remittance advice pays {} on invoice {document}", Amount(*paid))
            }
            Evidence::AmountMatches { amount, documents } => {
                write!(f, "amount {} equals the open amount of {}", Amount(*amount), list(documents))
            }
            Evidence::NetOfDiscount { document, discount, until } => write!(
                f,
                "invoice {document} paid net of its early-payment discount of {} (available until {until})",
                Amount(*discount)
            ),
            Evidence::DiscountExpired { document, discount, until, grace_days } => write!(
                f,
                "the early-payment discount of {} on invoice {document} ended on {until} \
                 ({grace_days} grace days): not granted",
                Amount(*discount)
            ),
            Evidence::ReferencedSubset { count, of, total } => {
                write!(f, "{count} of the {of} referenced invoices sum to {}", Amount(*total))
            }
            Evidence::SingleOpenItem { document, customer_name, net_of_discount } => {
                let net = if *net_of_discount { " net of its early-payment discount" } else { "" };
                write!(f, "open item {document} of customer {customer_name} equals the amount{net}")
            }
            Evidence::Combination { count, total, customer_name, net_of_discount } => {
                let net = if *net_of_discount { "net of early-payment discounts, " } else { "" };
                write!(
                    f,
                    "{count} open items of customer {customer_name} sum to {} ({net}the fewest items that do, oldest first)",
                    Amount(*total)
                )
            }
            Evidence::SearchExhausted { items, steps } => {
                write!(f, "combination search over {items} open items stopped after {steps} steps (work budget)")
            }
            Evidence::NoCombination { items, max_items } => write!(
                f,
                "no open item and no combination of up to {max_items} of the customer's {items} open items \
                 equals the amount"
            ),
            Evidence::NoCombinationAmongOldest { searched, items, max_items } => write!(
                f,
                "no open item of the customer's {items} equals the amount, and no combination of up to \
                 {max_items} of the oldest {searched} does"
            ),
            Evidence::NearestItem { document, items } => {
                write!(f, "of the customer's {items} open items, the amount falls short of {document} by the least")
            }
            Evidence::WriteOff { document, amount } => {
                write!(f, "short payment of {} within tolerance written off on invoice {document}", Amount(*amount))
            }
            Evidence::Deduction { document, amount } => {
                write!(f, "short payment of {} on invoice {document} proposed as a deduction", Amount(*amount))
            }
            Evidence::NothingLeftFor { document } => {
                write!(f, "invoice {document} was referenced but the amount did not reach it")
            }
            Evidence::Overpayment { amount, customer_name } => write!(
                f,
                "{} more than the invoices paid: left as unapplied cash on customer {customer_name}",
                Amount(*amount)
            ),
            Evidence::UnappliedOnCustomer { amount, customer_name } => write!(
                f,
                "no open item explains the amount: {} left as unapplied cash on customer {customer_name}",
                Amount(*amount)
            ),
            Evidence::Unidentified { amount } => write!(
                f,
                "no invoice reference, known account or known name: {} is unidentified cash for review",
                Amount(*amount)
            ),
            Evidence::DebitSkipped { amount } => {
                write!(f, "debit of {} (money out): not matched against receivables", Amount(*amount))
            }
            Evidence::StoppedAfter { pass } => write!(f, "matching stopped after the {pass} pass (policy)"),
        }
    }
}

impl fmt::Display for Pass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Pass::Reference => "structured reference",
            Pass::Text => "remittance text",
            Pass::SingleItem => "single open item",
            Pass::Combination => "combination",
        })
    }
}
