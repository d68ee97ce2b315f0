//! What can go wrong, in words a clerk can act on.

use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::{
    ApplicationId, Authority, CashSource, CommandId, CreditMemoId, Currency, CustomerId, DeductionId, DeductionStatus,
    DepositId, DisputeId, DocumentError, DocumentRef, InvoiceId, Money, MoneyError, PaymentId, RefundId, Role,
    TermsError, UserId,
};

/// Why a command was refused. The ledger is unchanged when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// No such customer.
    #[error("customer {0} does not exist")]
    UnknownCustomer(CustomerId),
    /// No such invoice or debit memo.
    #[error("invoice {0} does not exist")]
    UnknownInvoice(InvoiceId),
    /// No such credit memo.
    #[error("credit memo {0} does not exist")]
    UnknownCreditMemo(CreditMemoId),
    /// No such payment.
    #[error("payment {0} does not exist")]
    UnknownPayment(PaymentId),
    /// No such application.
    #[error("application {0} does not exist")]
    UnknownApplication(ApplicationId),
    /// No such deduction.
    #[error("deduction {0} does not exist")]
    UnknownDeduction(DeductionId),
    /// No such dispute.
    #[error("dispute {0} does not exist")]
    UnknownDispute(DisputeId),
    /// The id is already used by another record of the same kind.
    #[error("{kind} id {id} is already used")]
    DuplicateId {
        /// What kind of record ("invoice", "payment", …).
        kind: &'static str,
        /// The id.
        id: uuid::Uuid,
    },
    /// The document number is already used by another document.
    #[error("document number '{number}' of {} is already used by {}", Named(document), Named(used_by))]
    DuplicateNumber {
        /// The number.
        number: String,
        /// The document refused.
        document: DocumentRef,
        /// The document that carries the number already.
        used_by: DocumentRef,
    },
    /// The command id was used before for a different command.
    #[error("command id {0} was already used for a different command")]
    CommandIdReused(CommandId),
    /// An amount is not in the customer's currency.
    #[error("{what} is in {got}, but the customer's account is in {expected}")]
    WrongCurrency {
        /// What amount.
        what: &'static str,
        /// The account currency.
        expected: Currency,
        /// The currency given.
        got: Currency,
    },
    /// An amount must be greater than zero.
    #[error("{what} must be greater than zero, got {amount}")]
    NotPositive {
        /// What amount.
        what: &'static str,
        /// The amount given.
        amount: Money,
    },
    /// A date is before the document it refers to.
    #[error("{what} {date} is before invoice {number}'s date {document_date} ({invoice})")]
    DateBeforeDocument {
        /// What date.
        what: &'static str,
        /// The date given.
        date: NaiveDate,
        /// The invoice.
        invoice: InvoiceId,
        /// The invoice's number.
        number: String,
        /// The document's date.
        document_date: NaiveDate,
    },
    /// The invoice is void.
    #[error("invoice {number} ({invoice}) is void")]
    InvoiceVoid {
        /// The invoice.
        invoice: InvoiceId,
        /// Its number.
        number: String,
    },
    /// Something has been applied to the invoice, so it cannot be voided.
    #[error(
        "invoice {number} ({invoice}) cannot be voided: {settled} has already been applied to it; reverse that first or issue a credit memo"
    )]
    InvoiceHasActivity {
        /// The invoice.
        invoice: InvoiceId,
        /// Its number.
        number: String,
        /// What was applied.
        settled: Money,
    },
    /// The invoice belongs to another customer.
    #[error("invoice {number} ({invoice}) belongs to customer {owner}, not to customer {customer} whose money this is")]
    NotCustomersInvoice {
        /// The invoice.
        invoice: InvoiceId,
        /// Its number.
        number: String,
        /// The customer the invoice belongs to.
        owner: CustomerId,
        /// The customer the money belongs to.
        customer: CustomerId,
    },
    /// More was asked than is unapplied.
    #[error("only {available} is unapplied on {from:?}, {requested} was asked")]
    InsufficientUnapplied {
        /// Where the money was to come from.
        from: CashSource,
        /// What is unapplied.
        available: Money,
        /// What was asked.
        requested: Money,
    },
    /// Nothing is unapplied, or no open invoice to apply to.
    #[error("nothing to apply from {from:?}: {why}")]
    NothingToApply {
        /// Where the money was to come from.
        from: CashSource,
        /// Why.
        why: &'static str,
    },
    /// More would be applied to an invoice than it has open.
    #[error("invoice {number} ({invoice}) has {open} open (less any discount), {amount} cannot be applied to it")]
    OverApplication {
        /// The invoice.
        invoice: InvoiceId,
        /// Its number.
        number: String,
        /// What is open.
        open: Money,
        /// What was asked.
        amount: Money,
    },
    /// A remittance line states a discount the invoice does not offer on the
    /// payment's date (or offers less of).
    #[error("invoice {number} ({invoice}) offers {offered} discount on {received}, {claimed} was stated")]
    DiscountNotOffered {
        /// The invoice.
        invoice: InvoiceId,
        /// Its number.
        number: String,
        /// The payment's date.
        received: NaiveDate,
        /// The most discount the invoice offers on that date, were it settled in full.
        offered: Money,
        /// The discount stated.
        claimed: Money,
    },
    /// The application was already reversed.
    #[error("application {0} was already reversed")]
    AlreadyReversed(ApplicationId),
    /// The application opened a deduction that has been resolved since.
    #[error("application {application} cannot be reversed: deduction {deduction} it opened has been resolved")]
    DeductionResolvedSince {
        /// The application.
        application: ApplicationId,
        /// The deduction.
        deduction: DeductionId,
    },
    /// A short payment needs more deduction ids than were given.
    #[error(
        "invoice {number} ({invoice}) is left {short} short, which needs deduction number {needed}, but only {given} deduction ids were given"
    )]
    DeductionIdsExhausted {
        /// The invoice the deduction would be taken on.
        invoice: InvoiceId,
        /// Its number.
        number: String,
        /// What the payment leaves open on it.
        short: Money,
        /// How many are needed.
        needed: usize,
        /// How many were given.
        given: usize,
    },
    /// A deduction is resolved for another amount than it was opened for.
    #[error("deduction {deduction} is for {amount}; it is resolved for that whole amount, not for {resolved}")]
    DeductionAmountMismatch {
        /// The deduction.
        deduction: DeductionId,
        /// What it was opened for.
        amount: Money,
        /// The amount the resolution names.
        resolved: Money,
    },
    /// The credit memo that settles a valid deduction has less unapplied than the deduction.
    #[error(
        "credit memo {credit_memo} has {unapplied} unapplied, which does not cover deduction {deduction} of {amount}"
    )]
    DeductionNotCovered {
        /// The deduction.
        deduction: DeductionId,
        /// What it is for.
        amount: Money,
        /// The credit memo.
        credit_memo: CreditMemoId,
        /// What the credit memo has unapplied.
        unapplied: Money,
    },
    /// The deduction is not in a state that allows this.
    #[error("deduction {deduction} is {status:?}; {action} needs it open or under review")]
    DeductionClosed {
        /// The deduction.
        deduction: DeductionId,
        /// Its status.
        status: DeductionStatus,
        /// What was attempted.
        action: &'static str,
    },
    /// The dispute is already resolved.
    #[error("dispute {0} is already resolved")]
    DisputeClosed(DisputeId),
    /// More would be disputed than is open and undisputed.
    #[error("invoice {number} ({invoice}) has {available} open and undisputed; {amount} cannot be disputed")]
    DisputeTooLarge {
        /// The invoice.
        invoice: InvoiceId,
        /// The invoice's number.
        number: String,
        /// Open and not yet disputed.
        available: Money,
        /// What was asked.
        amount: Money,
    },
    /// The payment is already in a deposit.
    #[error("payment {payment} is already in deposit {deposit}")]
    AlreadyDeposited {
        /// The payment.
        payment: PaymentId,
        /// The deposit.
        deposit: DepositId,
    },
    /// A payment names a deposit that is already recorded: a recorded deposit's
    /// payments and total are fixed.
    #[error("payment {payment} names deposit {deposit}, which is already recorded")]
    DepositAlreadyRecorded {
        /// The payment.
        payment: PaymentId,
        /// The deposit.
        deposit: DepositId,
    },
    /// A deposit needs payments.
    #[error("deposit {deposit} has no payments; a deposit needs at least one")]
    EmptyDeposit {
        /// The deposit.
        deposit: DepositId,
    },
    /// A deposit's total is not the sum of its payments.
    #[error("deposit {deposit} says its total is {total}, but its {payments} payments add up to {sum}")]
    DepositTotalMismatch {
        /// The deposit.
        deposit: DepositId,
        /// The total it states.
        total: Money,
        /// What its payments add up to.
        sum: Money,
        /// How many payments it names.
        payments: usize,
    },
    /// A refund id is reused.
    #[error("refund id {0} is already used")]
    DuplicateRefund(RefundId),
    /// The customer is not on hold.
    #[error("customer {0} is not on hold")]
    NotOnHold(CustomerId),
    /// The terms produced a negative installment, which an open item cannot carry.
    #[error("the payment terms make installment {number} negative ({amount}); fixed portions exceed the total")]
    NegativeInstallment {
        /// The installment's number.
        number: u16,
        /// Its amount.
        amount: Money,
    },
    /// A tolerance or other policy value is unusable.
    #[error("invalid policy: {what} is {value}; {rule}")]
    InvalidPolicy {
        /// Which setting ("the write-off tolerance", …).
        what: &'static str,
        /// The value given.
        value: Decimal,
        /// What it must be.
        rule: &'static str,
    },
    /// A temporary credit increase would expire before the day it is granted.
    #[error(
        "the temporary credit increase of {amount} for customer {customer} would expire on {expires}, before it is granted on {granted}"
    )]
    CreditExpiresBeforeGrant {
        /// The customer.
        customer: CustomerId,
        /// The increase.
        amount: Money,
        /// The day it is granted (the command's date).
        granted: NaiveDate,
        /// The day it would expire.
        expires: NaiveDate,
    },
    /// An invoice is named more than once in one specific application.
    #[error(
        "invoice {number} ({invoice}) is named more than once in application {application}; name it once with the whole amount"
    )]
    InvoiceNamedTwice {
        /// The application.
        application: ApplicationId,
        /// The invoice.
        invoice: InvoiceId,
        /// Its number.
        number: String,
    },
    /// The amounts named per invoice add up to more than the amount applied.
    #[error(
        "the amounts named per invoice in application {application} add up to {named}, more than the {applied} it applies"
    )]
    SpecificAmountsExceedApplied {
        /// The application.
        application: ApplicationId,
        /// What the named amounts add up to.
        named: Money,
        /// The amount applied.
        applied: Money,
    },
    /// An application names another customer than the one its money belongs to.
    #[error("application {application} names customer {named}, but {} belongs to customer {owner}", Named(&source_document(*from)))]
    CustomerMismatch {
        /// The application.
        application: ApplicationId,
        /// Where its money comes from.
        from: CashSource,
        /// The customer the application names.
        named: CustomerId,
        /// The customer the payment or credit memo belongs to.
        owner: CustomerId,
    },
    /// The ledger holds as many records of one kind as it can number.
    #[error("the ledger already holds {count} {kind} records, as many as it can number")]
    TooManyRecords {
        /// What kind of record ("invoice", "payment", …).
        kind: &'static str,
        /// How many it holds.
        count: usize,
    },
    /// The actor's role may not do this.
    #[error("{user} acting as {role} may not do {authority:?}{}; it needs one of: {}", amount.map(|a| format!(" for {a}")).unwrap_or_default(), required.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "))]
    NotAuthorized {
        /// Who.
        user: UserId,
        /// In which role.
        role: Role,
        /// What.
        authority: Authority,
        /// For how much, where an amount is involved.
        amount: Option<Money>,
        /// The roles that may.
        required: Vec<Role>,
    },
    /// An amount is unusable (scale, overflow, currency).
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// The payment terms are unusable.
    #[error(transparent)]
    Terms(#[from] TermsError),
    /// The document lines are unusable.
    #[error(transparent)]
    Document(#[from] DocumentError),
}

/// Why events could not be replayed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The sequence has a gap or goes back.
    #[error("event sequence {got} arrived where {expected} was expected")]
    OutOfSequence {
        /// The next sequence number expected.
        expected: u64,
        /// The one given.
        got: u64,
    },
    /// The event contradicts the state built so far.
    #[error("event {sequence} does not fit the ledger: {error}")]
    Inconsistent {
        /// The event's sequence number.
        sequence: u64,
        /// What does not fit.
        error: LedgerError,
    },
}

/// A document named the way a clerk reads it: "invoice 0190…".
struct Named<'a>(&'a DocumentRef);

impl fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            DocumentRef::Invoice(id) => write!(f, "invoice {id}"),
            DocumentRef::CreditMemo(id) => write!(f, "credit memo {id}"),
            DocumentRef::Payment(id) => write!(f, "payment {id}"),
            DocumentRef::Deduction(id) => write!(f, "deduction {id}"),
        }
    }
}

/// The document a cash source is.
fn source_document(source: CashSource) -> DocumentRef {
    match source {
        CashSource::Payment(id) => DocumentRef::Payment(id),
        CashSource::CreditMemo(id) => DocumentRef::CreditMemo(id),
    }
}
