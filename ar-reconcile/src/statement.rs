//! The common model every bank-file reader produces.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use ar_core::{Currency, DeductionReason, Money};

/// Which way money moved on the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Direction {
    /// Money in (a customer paid).
    Credit,
    /// Money out.
    Debit,
}

/// A balance reported by the bank on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    /// Signed: negative for a debit (overdrawn) balance.
    pub amount: Money,
    /// The date the balance is for.
    pub date: NaiveDate,
}

/// A structured reference carried with a line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Reference {
    /// An ISO 11649 creditor reference (`RF18539007547034`), checksum verified.
    Creditor(String),
    /// An invoice or document number the remitter gave.
    Invoice(String),
    /// Any other structured reference (payment reference, customer reference).
    Other(String),
}

/// One remitted document inside a line (camt.054 `RmtInf/Strd`, X12 820 RMR loops).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remittance {
    /// The document number as the payer wrote it.
    pub document: String,
    /// The amount paid against it, if stated.
    pub paid: Option<Money>,
    /// The document's original amount, if stated.
    pub original: Option<Money>,
    /// Discount taken, if stated.
    pub discount: Option<Money>,
    /// Adjustments with their reason codes (X12 `ADX`), if any.
    pub adjustments: Vec<Adjustment>,
}

impl Remittance {
    /// A remitted document with nothing else stated: no amount paid, original
    /// or discount, no adjustments.
    ///
    /// ```
    /// use ar_reconcile::Remittance;
    /// use ar_core::{Currency, Money};
    /// let paid = Money::from_minor(69_972, Currency::EUR)?;
    /// let r = Remittance::new("INV-2024-0042").paid(paid);
    /// assert_eq!(r.document, "INV-2024-0042");
    /// assert_eq!(r.paid, Some(paid));
    /// assert_eq!((r.original, r.discount, r.adjustments.len()), (None, None, 0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(document: impl Into<String>) -> Self {
        Remittance { document: document.into(), paid: None, original: None, discount: None, adjustments: Vec::new() }
    }

    /// The same document with the amount paid against it stated.
    pub fn paid(mut self, amount: Money) -> Self {
        self.paid = Some(amount);
        self
    }
}

/// An adjustment the payer made to a remitted document, with its reason code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    /// Signed amount as the payer stated it.
    pub amount: Money,
    /// The payer's reason code (X12 426 codes such as `01`, `CS`).
    pub reason: String,
}

impl Adjustment {
    /// The ledger's deduction reason for this adjustment's reason code. X12
    /// 426 codes (`ADX02`) the ledger has a reason for map to it: pricing,
    /// terms and discount errors are `Pricing`; contested or missing
    /// quantities `Shortage`; goods refused as damaged `Damage`; returns
    /// `Returns`; advertising and volume allowances `Promotion`; freight and
    /// delivery charges `Freight`; tax `Tax`. Any other code (another X12
    /// code, a camt.054 `Rsn`, a payer's own text) is kept as given in
    /// `Other`, so nothing the payer said is lost.
    ///
    /// ```
    /// use ar_core::{Currency, DeductionReason, Money};
    /// use ar_reconcile::Adjustment;
    /// let amount = Money::from_minor(-500, Currency::USD)?;
    /// let adjustment = |reason: &str| Adjustment { amount, reason: reason.into() };
    /// assert_eq!(adjustment("04").deduction_reason(), DeductionReason::Damage);
    /// assert_eq!(adjustment("19").deduction_reason(), DeductionReason::Other("19".into()));
    /// # Ok::<(), ar_core::MoneyError>(())
    /// ```
    pub fn deduction_reason(&self) -> DeductionReason {
        match self.reason.trim() {
            "01" | "03" | "09" | "24" | "43" => DeductionReason::Pricing,
            "06" | "42" | "59" => DeductionReason::Shortage,
            "04" => DeductionReason::Damage,
            "11" | "12" | "13" | "14" | "15" | "72" => DeductionReason::Returns,
            "56" | "57" | "71" => DeductionReason::Promotion,
            "30" | "46" | "54" => DeductionReason::Freight,
            "55" => DeductionReason::Tax,
            "" => DeductionReason::Other("payer's adjustment without a reason code".into()),
            other => DeductionReason::Other(other.into()),
        }
    }
}

/// One entry on a bank statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankLine {
    /// Booking (posting) date.
    pub booking_date: NaiveDate,
    /// Value date, if the bank gave one.
    pub value_date: Option<NaiveDate>,
    /// Signed amount: positive for credits (money in), negative for debits.
    pub amount: Money,
    /// The bank's own reference for the entry.
    pub bank_reference: Option<String>,
    /// The end-to-end id the payer set.
    pub end_to_end_id: Option<String>,
    /// The counterparty's (payer's) name.
    pub counterparty_name: Option<String>,
    /// The counterparty's account (IBAN or local number).
    pub counterparty_account: Option<String>,
    /// The bank transaction code as given (BAI2 type code, MT940 `NTRF`, camt domain/family/sub-family).
    pub transaction_code: Option<String>,
    /// Unstructured remittance text, joined with single spaces.
    pub remittance_text: String,
    /// Structured references found in the line.
    pub references: Vec<Reference>,
    /// Remitted documents, where the format carries them.
    pub remittances: Vec<Remittance>,
}

impl BankLine {
    /// A line with its booking date and signed amount and nothing else: for a
    /// host that builds lines from its own data, filling in what it has.
    ///
    /// ```
    /// use ar_core::{Currency, Money};
    /// use ar_reconcile::{BankLine, Direction, Reference};
    /// let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).ok_or("date")?;
    /// let line = BankLine {
    ///     references: vec![Reference::Invoice("INV-42".into())],
    ///     ..BankLine::new(day, Money::from_minor(12_500, Currency::EUR)?)
    /// };
    /// assert_eq!(line.direction(), Direction::Credit);
    /// assert!(line.remittance_text.is_empty() && line.end_to_end_id.is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(booking_date: NaiveDate, amount: Money) -> Self {
        BankLine {
            booking_date,
            value_date: None,
            amount,
            bank_reference: None,
            end_to_end_id: None,
            counterparty_name: None,
            counterparty_account: None,
            transaction_code: None,
            remittance_text: String::new(),
            references: Vec::new(),
            remittances: Vec::new(),
        }
    }

    /// Credit (money in) or debit.
    pub fn direction(&self) -> Direction {
        if self.amount.is_negative() { Direction::Debit } else { Direction::Credit }
    }
}

/// One statement (or notification) for one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// The statement's id as the bank gave it.
    pub id: Option<String>,
    /// The account (IBAN, or bank + account number).
    pub account: String,
    /// The account currency.
    pub currency: Currency,
    /// Opening balance, if the format carries one.
    pub opening: Option<Balance>,
    /// Closing balance, if the format carries one.
    pub closing: Option<Balance>,
    /// The entries, in file order.
    pub lines: Vec<BankLine>,
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Severity {
    /// Something unusual that did not stop the reader (an unknown code).
    Warning,
    /// Something was skipped or does not add up (a bad amount, a balance mismatch).
    Error,
}

/// Where in the input a diagnostic points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Position {
    /// A 1-based line (record) number in a line-oriented file.
    Line(usize),
    /// A byte offset in the input.
    Byte(usize),
    /// An XML element path, e.g. `Document/BkToCstmrStmt/Stmt[2]/Ntry[3]/Amt`.
    Element(String),
    /// The file as a whole.
    File,
}

/// Something a reader noticed: what, where, and how bad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// How serious it is.
    pub severity: Severity,
    /// Where it is.
    pub position: Position,
    /// A stable, machine-readable kind (`"balance_mismatch"`, `"bad_amount"`, …).
    pub code: String,
    /// What a person needs to know.
    pub message: String,
}

/// What a reader returns: every statement it could read, plus diagnostics.
///
/// Readers never fail and never panic: a file that is garbage gives no statements
/// and an error diagnostic.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadOutcome {
    /// The statements read, in file order.
    pub statements: Vec<Statement>,
    /// What the reader noticed, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl ReadOutcome {
    /// `true` if any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x12_adjustment_codes_map_to_deduction_reasons() {
        let reason = |code: &str| {
            let amount = Money::from_minor(-100, Currency::USD).unwrap_or_else(|_| Money::zero(Currency::USD));
            Adjustment { amount, reason: code.into() }.deduction_reason()
        };
        let cases = [
            ("01", DeductionReason::Pricing),
            ("24", DeductionReason::Pricing),
            ("06", DeductionReason::Shortage),
            ("59", DeductionReason::Shortage),
            ("04", DeductionReason::Damage),
            ("11", DeductionReason::Returns),
            ("72", DeductionReason::Returns),
            ("57", DeductionReason::Promotion),
            ("54", DeductionReason::Freight),
            (" 55 ", DeductionReason::Tax),
            ("19", DeductionReason::Other("19".into())),
            ("CS", DeductionReason::Other("CS".into())),
            ("DAMG ", DeductionReason::Other("DAMG".into())),
            (" ", DeductionReason::Other("payer's adjustment without a reason code".into())),
        ];
        for (code, expected) in cases {
            assert_eq!(reason(code), expected, "code {code:?}");
        }
    }
}
