//! ISO 20022 bank-to-customer cash management messages: camt.053 statements
//! (`BkToCstmrStmt/Stmt`), camt.054 debit/credit notifications
//! (`BkToCstmrDbtCdtNtfctn/Ntfctn`) and camt.052 intraday account reports
//! (`BkToCstmrAcctRpt/Rpt`), versions .001.02 through .001.13.
//!
//! Elements are matched on their local names, so every version's namespace
//! (`urn:iso:std:iso:20022:tech:xsd:camt.053.001.08`, …) and any prefix read alike.
//! Where versions differ the reader accepts both shapes (`Dbtr/Nm` and `Dbtr/Pty/Nm`,
//! `Sts` and `Sts/Cd`, `DscntApldAmt` and `DscntApldAmt/Amt`).
//!
//! # What is read
//!
//! | model | camt element (under `Stmt`, `Ntfctn` or `Rpt`) |
//! |---|---|
//! | [`Statement::id`] | `Id` |
//! | [`Statement::account`] | `Acct/Id/IBAN`, else `Acct/Id/Othr/Id` |
//! | [`Statement::currency`] | `Acct/Ccy`, else the first balance's or entry's `Ccy` |
//! | [`Statement::opening`] / [`closing`](Statement::closing) | `Bal` of type `OPBD` (or `PRCD`) / `CLBD`; `CdtDbtInd` `DBIT` is negative |
//! | one [`BankLine`] per `Ntry` | `Amt` with `CdtDbtInd`, `BookgDt` and `ValDt` (`Dt` or `DtTm`) |
//! | [`BankLine::bank_reference`] | `AcctSvcrRef`, else `NtryRef`, else `TxDtls/Refs/AcctSvcrRef` |
//! | [`BankLine::transaction_code`] | `BkTxCd/Domn` as `PMNT/RCDT/ESCT`, else `BkTxCd/Prtry/Cd` (entry level, else the first `TxDtls`) |
//! | [`BankLine::end_to_end_id`] | the first `TxDtls/Refs/EndToEndId` other than `NOTPROVIDED`; the others become [`Reference::Other`] |
//! | counterparty | `RltdPties/Dbtr` and `DbtrAcct` for a credit, `Cdtr` and `CdtrAcct` for a debit |
//! | [`BankLine::remittance_text`] | every `RmtInf/Ustrd`, joined |
//! | [`BankLine::references`] | `Strd/CdtrRefInf/Ref` (a valid ISO 11649 `RF…` → [`Reference::Creditor`], else [`Reference::Other`]), `Strd/RfrdDocInf/Nb` → [`Reference::Invoice`], and `RF…` references found in the `Ustrd` text |
//! | [`BankLine::remittances`] | one per `Strd/RfrdDocInf/Nb` with `RfrdDocAmt/RmtdAmt` (paid), `DuePyblAmt` (original), `DscntApldAmt` (discount) |
//! | control totals (checked, not kept) | `TxsSummry/TtlNtries`, `TtlCdtNtries`, `TtlDbtNtries` |
//! | [`Remittance::adjustments`](crate::Remittance::adjustments) | each `RfrdDocAmt/AdjstmntAmtAndRsn`: `Amt`, negative when `CdtDbtInd` is `DBIT` (a decrease), with `Rsn` as the reason, else `AddtlInf` |
//!
//! # Choices
//!
//! - **One line per entry.** An entry with several `TxDtls` (a batch booking) stays
//!   one [`BankLine`] carrying the amount the bank booked, with the remittances,
//!   references and text of all its transactions collected. The booked amount is what
//!   the balance and the bank account show; the matcher splits it over invoices.
//! - **Booked entries only.** An entry whose status is not `BOOK` (pending `PDNG`,
//!   information `INFO`) is left out with an `entry_not_booked` warning: it has not
//!   moved money and must not be applied as cash.
//! - **A report reads like a statement.** A camt.052 `Rpt` becomes one
//!   [`Statement`]. Its interim balances (`ITBD`, `ITAV`, …) are not read, so the
//!   opening + entries = closing check runs only on a report that carries `OPBD`
//!   (or `PRCD`) and `CLBD`; its pending entries are left out like any other.
//! - **The counterparty follows the direction**: the debtor pays us on a credit, we
//!   pay the creditor on a debit. The other party is usually the account holder.
//! - **Reversals need no special case**: with `RvslInd` true, `CdtDbtInd` already
//!   gives the direction of the reversing entry (a returned credit is a debit).
//! - **Dates as written.** A `DtTm` gives the date part as the bank wrote it, with
//!   no time-zone conversion.
//! - **The statement's own control totals are checked.** `TxsSummry` may state
//!   `TtlNtries` (`NbOfNtries`, `Sum` of the amounts without sign, and the net as
//!   `TtlNetNtry/Amt` + `CdtDbtInd`, or in .001.02 `TtlNetNtryAmt` + `CdtDbtInd`),
//!   `TtlCdtNtries` and `TtlDbtNtries` (`NbOfNtries`, `Sum`); both net shapes are read
//!   in every version. Each figure present is compared, exactly in minor units, with
//!   the booked entries (a pending entry is not counted, as it is not read): the
//!   count, the sum, credits − debits, and the count and sum of each direction. A
//!   figure that differs gives a `record_count_mismatch` (counts) or
//!   `control_total_mismatch` (amounts) error at the figure's element, stating both
//!   values. When a booked entry's amount, direction or currency could not be read
//!   (already an error of its own) only the entry count is compared; a statement cut
//!   short is not compared at all.
//! - **Amounts in remittance detail** must have a valid currency and scale too; a bad
//!   one is reported and left out, the line is kept. A bad booked amount, sign, date
//!   or currency skips the whole entry.
//!
//! # Untrusted input
//!
//! A `DOCTYPE` is refused before anything is read (so no entity can be declared, let
//! alone expanded), any entity beyond the five predefined ones stops the reader, the
//! input is bounded at [`MAX_INPUT_BYTES`](super::MAX_INPUT_BYTES) and the element
//! depth at [`MAX_DEPTH`]. These give an error diagnostic and the statements
//! completed before it. UTF-8 is expected; a file that is not UTF-8 but declares
//! ISO-8859-1 or Windows-1252 is decoded from that.
//!
//! # Diagnostic codes
//!
//! Errors: `input_too_large`, `bad_encoding`, `doctype_rejected`, `undefined_entity`,
//! `bad_character_reference`, `too_deep`, `malformed_xml`, `truncated`, `no_document`,
//! `unsupported_message`,
//! `bad_amount`, `bad_currency`, `missing_currency`, `currency_mismatch`,
//! `bad_credit_debit`, `bad_date`, `missing_amount`, `missing_date`, `bad_balance`,
//! `missing_account`, `balance_mismatch`, `record_count_mismatch`, `control_total_mismatch`.
//! Warnings: `entry_not_booked`,
//! `missing_booking_date`, `duplicate_balance`, `bad_creditor_reference`,
//! `ambiguous_remittance_amounts`.

use std::borrow::Cow;

use ar_core::{Currency, Money};
use chrono::NaiveDate;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use rust_decimal::Decimal;

use super::common::{
    check_balance, check_input_size, decode_windows_1252, error, find_creditor_references, format_minor, negate,
    normalize_creditor_reference, parse_amount, push_reference, push_text, warning,
};
use crate::statement::{
    Adjustment, Balance, BankLine, Diagnostic, Direction, Position, ReadOutcome, Reference, Remittance, Statement,
};

/// The deepest element nesting read. camt messages nest about 15 levels; anything
/// far deeper is not a bank statement.
pub const MAX_DEPTH: usize = 128;

/// Reads a camt.052, camt.053 or camt.054 message.
///
/// Never fails and never panics: what could not be read is reported in
/// [`ReadOutcome::diagnostics`], each with its element path.
///
/// ```
/// use ar_reconcile::readers::camt;
/// let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
/// <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><Stmt>
///   <Id>S1</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
///   <Ntry><Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
///     <BookgDt><Dt>2024-03-01</Dt></BookgDt></Ntry>
/// </Stmt></BkToCstmrStmt></Document>"#;
/// let outcome = camt::read(xml);
/// assert!(outcome.diagnostics.is_empty());
/// assert_eq!(outcome.statements[0].lines[0].amount.to_string(), "100.00 EUR");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read(input: &[u8]) -> ReadOutcome {
    if let Some(too_large) = check_input_size(input) {
        return ReadOutcome { statements: Vec::new(), diagnostics: vec![too_large] };
    }
    let xml = match decode(input) {
        Ok(xml) => xml,
        Err(bad) => return ReadOutcome { statements: Vec::new(), diagnostics: vec![bad] },
    };
    let mut parser = Parser::default();
    parser.run(&xml);
    parser.outcome
}

/// The input as text: UTF-8 (a byte-order mark is dropped), or decoded from the
/// single-byte encoding its XML declaration names.
fn decode(input: &[u8]) -> Result<Cow<'_, str>, Diagnostic> {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    if input.starts_with(b"\xFF\xFE") || input.starts_with(b"\xFE\xFF") {
        return Err(error(Position::Byte(0), "bad_encoding", "the file is UTF-16; only UTF-8 is read"));
    }
    match std::str::from_utf8(input) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(_) if declares_single_byte_encoding(input) => Ok(Cow::Owned(decode_windows_1252(input))),
        Err(bad) => Err(error(
            Position::Byte(bad.valid_up_to()),
            "bad_encoding",
            "the file is not valid UTF-8 and does not declare ISO-8859-1 or Windows-1252",
        )),
    }
}

fn declares_single_byte_encoding(input: &[u8]) -> bool {
    let head = &input[..input.len().min(256)];
    let Some(end) = head.windows(2).position(|w| w == b"?>") else { return false };
    let decl = String::from_utf8_lossy(&head[..end]).to_ascii_lowercase();
    ["iso-8859-1", "iso8859-1", "latin1", "latin-1", "windows-1252", "cp1252"]
        .iter()
        .any(|name| decl.contains(&format!("encoding=\"{name}\"")) || decl.contains(&format!("encoding='{name}'")))
}

/// The element names the reader knows; everything else is [`Tag::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Document,
    BkToCstmrStmt,
    BkToCstmrDbtCdtNtfctn,
    BkToCstmrAcctRpt,
    Stmt,
    Ntfctn,
    Rpt,
    Id,
    Acct,
    Iban,
    Othr,
    Ccy,
    Bal,
    Tp,
    CdOrPrtry,
    Cd,
    Amt,
    CdtDbtInd,
    Dt,
    DtTm,
    Ntry,
    NtryRef,
    Sts,
    BookgDt,
    ValDt,
    AcctSvcrRef,
    BkTxCd,
    Domn,
    Fmly,
    SubFmlyCd,
    Prtry,
    NtryDtls,
    TxDtls,
    Refs,
    EndToEndId,
    RltdPties,
    Dbtr,
    Cdtr,
    Pty,
    Nm,
    DbtrAcct,
    CdtrAcct,
    RmtInf,
    Ustrd,
    Strd,
    CdtrRefInf,
    Ref,
    RfrdDocInf,
    Nb,
    RfrdDocAmt,
    RmtdAmt,
    DuePyblAmt,
    DscntApldAmt,
    AdjstmntAmtAndRsn,
    Rsn,
    AddtlInf,
    TxsSummry,
    TtlNtries,
    TtlCdtNtries,
    TtlDbtNtries,
    NbOfNtries,
    Sum,
    TtlNetNtry,
    TtlNetNtryAmt,
    Other,
}

impl Tag {
    fn of(name: &str) -> Tag {
        match name {
            "Document" => Tag::Document,
            "BkToCstmrStmt" => Tag::BkToCstmrStmt,
            "BkToCstmrDbtCdtNtfctn" => Tag::BkToCstmrDbtCdtNtfctn,
            "BkToCstmrAcctRpt" => Tag::BkToCstmrAcctRpt,
            "Stmt" => Tag::Stmt,
            "Ntfctn" => Tag::Ntfctn,
            "Rpt" => Tag::Rpt,
            "Id" => Tag::Id,
            "Acct" => Tag::Acct,
            "IBAN" => Tag::Iban,
            "Othr" => Tag::Othr,
            "Ccy" => Tag::Ccy,
            "Bal" => Tag::Bal,
            "Tp" => Tag::Tp,
            "CdOrPrtry" => Tag::CdOrPrtry,
            "Cd" => Tag::Cd,
            "Amt" => Tag::Amt,
            "CdtDbtInd" => Tag::CdtDbtInd,
            "Dt" => Tag::Dt,
            "DtTm" => Tag::DtTm,
            "Ntry" => Tag::Ntry,
            "NtryRef" => Tag::NtryRef,
            "Sts" => Tag::Sts,
            "BookgDt" => Tag::BookgDt,
            "ValDt" => Tag::ValDt,
            "AcctSvcrRef" => Tag::AcctSvcrRef,
            "BkTxCd" => Tag::BkTxCd,
            "Domn" => Tag::Domn,
            "Fmly" => Tag::Fmly,
            "SubFmlyCd" => Tag::SubFmlyCd,
            "Prtry" => Tag::Prtry,
            "NtryDtls" => Tag::NtryDtls,
            "TxDtls" => Tag::TxDtls,
            "Refs" => Tag::Refs,
            "EndToEndId" => Tag::EndToEndId,
            "RltdPties" => Tag::RltdPties,
            "Dbtr" => Tag::Dbtr,
            "Cdtr" => Tag::Cdtr,
            "Pty" => Tag::Pty,
            "Nm" => Tag::Nm,
            "DbtrAcct" => Tag::DbtrAcct,
            "CdtrAcct" => Tag::CdtrAcct,
            "RmtInf" => Tag::RmtInf,
            "Ustrd" => Tag::Ustrd,
            "Strd" => Tag::Strd,
            "CdtrRefInf" => Tag::CdtrRefInf,
            "Ref" => Tag::Ref,
            "RfrdDocInf" => Tag::RfrdDocInf,
            "Nb" => Tag::Nb,
            "RfrdDocAmt" => Tag::RfrdDocAmt,
            "RmtdAmt" => Tag::RmtdAmt,
            "DuePyblAmt" => Tag::DuePyblAmt,
            "DscntApldAmt" => Tag::DscntApldAmt,
            "AdjstmntAmtAndRsn" => Tag::AdjstmntAmtAndRsn,
            "Rsn" => Tag::Rsn,
            "AddtlInf" => Tag::AddtlInf,
            "TxsSummry" => Tag::TxsSummry,
            "TtlNtries" => Tag::TtlNtries,
            "TtlCdtNtries" => Tag::TtlCdtNtries,
            "TtlDbtNtries" => Tag::TtlDbtNtries,
            "NbOfNtries" => Tag::NbOfNtries,
            "Sum" => Tag::Sum,
            "TtlNetNtry" => Tag::TtlNetNtry,
            "TtlNetNtryAmt" => Tag::TtlNetNtryAmt,
            _ => Tag::Other,
        }
    }

    /// A statement, notification or report: what becomes one [`Statement`].
    fn is_message_part(self) -> bool {
        matches!(self, Tag::Stmt | Tag::Ntfctn | Tag::Rpt)
    }

    /// `true` if `part` is the statement-like element this message holds.
    fn holds(self, part: Tag) -> bool {
        matches!(
            (self, part),
            (Tag::BkToCstmrStmt, Tag::Stmt)
                | (Tag::BkToCstmrDbtCdtNtfctn, Tag::Ntfctn)
                | (Tag::BkToCstmrAcctRpt, Tag::Rpt)
        )
    }

    /// Elements whose position among their siblings is shown in diagnostics.
    fn is_counted(self) -> bool {
        self.is_message_part() || matches!(self, Tag::Bal | Tag::Ntry | Tag::TxDtls | Tag::Strd)
    }
}

/// Which party of a transaction a value belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Debtor,
    Creditor,
}

/// Which part of a bank transaction code a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CodePart {
    Domain,
    Family,
    SubFamily,
    Proprietary,
}

/// A leaf value the reader keeps, by where it sits. This is the schema mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    StatementId,
    Account,
    AccountCurrency,
    BalanceCode,
    BalanceAmount,
    BalanceSign,
    BalanceDate,
    EntryAmount,
    EntrySign,
    EntryStatus,
    BookingDate,
    ValueDate,
    ServicerRef,
    EntryRef,
    EntryCode(CodePart),
    TxCode(CodePart),
    TxServicerRef,
    EndToEndId,
    PartyName(Side),
    PartyAccount(Side),
    Unstructured,
    CreditorRef,
    DocumentNumber,
    Remitted,
    DuePayable,
    Discount,
    Adjustment(AdjustmentPart),
    Summary(Figure),
}

/// A figure of the statement's `TxsSummry`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Figure {
    /// `NbOfNtries` of `TtlNtries`, `TtlCdtNtries` or `TtlDbtNtries`.
    Count(Group),
    /// `Sum` (of absolute amounts) of the same three.
    Sum(Group),
    /// `TtlNetNtry/Amt` (from .001.03 on) or `TtlNetNtryAmt` (.001.02): the net's magnitude.
    NetAmount,
    /// The net's `CdtDbtInd`.
    NetSign,
}

/// Which entries a `TxsSummry` block totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    All,
    Credits,
    Debits,
}

/// Which part of a remitted document's adjustment a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AdjustmentPart {
    Amount,
    Sign,
    Reason,
    Information,
}

fn field(path: &[Tag]) -> Option<Field> {
    use Tag::*;
    let field = match path {
        [.., Stmt | Ntfctn | Rpt, Id] => Field::StatementId,
        [.., Stmt | Ntfctn | Rpt, Acct, Id, Iban] | [.., Stmt | Ntfctn | Rpt, Acct, Id, Othr, Id] => Field::Account,
        [.., Stmt | Ntfctn | Rpt, Acct, Ccy] => Field::AccountCurrency,
        [.., Bal, Tp, CdOrPrtry, Cd] => Field::BalanceCode,
        [.., Bal, Amt] => Field::BalanceAmount,
        [.., Bal, CdtDbtInd] => Field::BalanceSign,
        [.., Bal, Dt, Dt | DtTm] => Field::BalanceDate,
        [.., Ntry, Amt] => Field::EntryAmount,
        [.., Ntry, CdtDbtInd] => Field::EntrySign,
        [.., Ntry, Sts] | [.., Ntry, Sts, Cd] => Field::EntryStatus,
        [.., Ntry, BookgDt, Dt | DtTm] => Field::BookingDate,
        [.., Ntry, ValDt, Dt | DtTm] => Field::ValueDate,
        [.., Ntry, AcctSvcrRef] => Field::ServicerRef,
        [.., Ntry, NtryRef] => Field::EntryRef,
        [.., level @ (Ntry | TxDtls), BkTxCd, Domn, Cd] => code(*level, CodePart::Domain),
        [.., level @ (Ntry | TxDtls), BkTxCd, Domn, Fmly, Cd] => code(*level, CodePart::Family),
        [.., level @ (Ntry | TxDtls), BkTxCd, Domn, Fmly, SubFmlyCd] => code(*level, CodePart::SubFamily),
        [.., level @ (Ntry | TxDtls), BkTxCd, Prtry, Cd] => code(*level, CodePart::Proprietary),
        [.., TxDtls, Refs, AcctSvcrRef] => Field::TxServicerRef,
        [.., TxDtls, Refs, EndToEndId] => Field::EndToEndId,
        [.., RltdPties, Dbtr, Nm] | [.., RltdPties, Dbtr, Pty, Nm] => Field::PartyName(Side::Debtor),
        [.., RltdPties, Cdtr, Nm] | [.., RltdPties, Cdtr, Pty, Nm] => Field::PartyName(Side::Creditor),
        [.., RltdPties, DbtrAcct, Id, Iban] | [.., RltdPties, DbtrAcct, Id, Othr, Id] => {
            Field::PartyAccount(Side::Debtor)
        }
        [.., RltdPties, CdtrAcct, Id, Iban] | [.., RltdPties, CdtrAcct, Id, Othr, Id] => {
            Field::PartyAccount(Side::Creditor)
        }
        [.., RmtInf, Ustrd] => Field::Unstructured,
        [.., Strd, CdtrRefInf, Ref] => Field::CreditorRef,
        [.., Strd, RfrdDocInf, Nb] => Field::DocumentNumber,
        [.., RfrdDocAmt, RmtdAmt] => Field::Remitted,
        [.., RfrdDocAmt, DuePyblAmt] => Field::DuePayable,
        [.., RfrdDocAmt, DscntApldAmt] | [.., RfrdDocAmt, DscntApldAmt, Amt] => Field::Discount,
        [.., RfrdDocAmt, AdjstmntAmtAndRsn, Amt] => Field::Adjustment(AdjustmentPart::Amount),
        [.., RfrdDocAmt, AdjstmntAmtAndRsn, CdtDbtInd] => Field::Adjustment(AdjustmentPart::Sign),
        [.., RfrdDocAmt, AdjstmntAmtAndRsn, Rsn] => Field::Adjustment(AdjustmentPart::Reason),
        [.., RfrdDocAmt, AdjstmntAmtAndRsn, AddtlInf] => Field::Adjustment(AdjustmentPart::Information),
        [.., Stmt | Ntfctn | Rpt, TxsSummry, totals, NbOfNtries] => Field::Summary(Figure::Count(group(*totals)?)),
        [.., Stmt | Ntfctn | Rpt, TxsSummry, totals, Sum] => Field::Summary(Figure::Sum(group(*totals)?)),
        [.., Stmt | Ntfctn | Rpt, TxsSummry, TtlNtries, TtlNetNtry, Amt]
        | [.., Stmt | Ntfctn | Rpt, TxsSummry, TtlNtries, TtlNetNtryAmt] => Field::Summary(Figure::NetAmount),
        [.., Stmt | Ntfctn | Rpt, TxsSummry, TtlNtries, TtlNetNtry, CdtDbtInd]
        | [.., Stmt | Ntfctn | Rpt, TxsSummry, TtlNtries, CdtDbtInd] => Field::Summary(Figure::NetSign),
        _ => return None,
    };
    Some(field)
}

/// The entries a `TxsSummry` child totals; `None` for any other element.
fn group(totals: Tag) -> Option<Group> {
    match totals {
        Tag::TtlNtries => Some(Group::All),
        Tag::TtlCdtNtries => Some(Group::Credits),
        Tag::TtlDbtNtries => Some(Group::Debits),
        _ => None,
    }
}

/// A bank transaction code part, at entry or transaction level.
fn code(level: Tag, part: CodePart) -> Field {
    if level == Tag::Ntry { Field::EntryCode(part) } else { Field::TxCode(part) }
}

/// The `Ccy` attribute of the element being read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum CcyAttr {
    #[default]
    Absent,
    Known(Currency),
    Bad(String),
}

fn ccy_attribute(element: &BytesStart<'_>) -> CcyAttr {
    if element.attributes_raw().trim().is_empty() {
        return CcyAttr::Absent;
    }
    match element.try_get_attribute("Ccy") {
        Ok(Some(attr)) => match Currency::from_code(attr.value.trim()) {
            Ok(currency) => CcyAttr::Known(currency),
            Err(_) => CcyAttr::Bad(attr.value.into_owned()),
        },
        Ok(None) => CcyAttr::Absent,
        Err(bad) => CcyAttr::Bad(bad.to_string()),
    }
}

/// A bank transaction code as its parts arrive.
#[derive(Debug, Default)]
struct TxCode {
    domain: Option<String>,
    family: Option<String>,
    sub_family: Option<String>,
    proprietary: Option<String>,
}

impl TxCode {
    fn set(&mut self, part: CodePart, value: &str) {
        let slot = match part {
            CodePart::Domain => &mut self.domain,
            CodePart::Family => &mut self.family,
            CodePart::SubFamily => &mut self.sub_family,
            CodePart::Proprietary => &mut self.proprietary,
        };
        set_once(slot, value);
    }

    /// `PMNT/RCDT/ESCT` from the ISO domain, else the proprietary code.
    fn render(&self) -> Option<String> {
        match (&self.domain, &self.family, &self.sub_family) {
            (Some(d), Some(f), Some(s)) => Some(format!("{d}/{f}/{s}")),
            (Some(d), Some(f), None) => Some(format!("{d}/{f}")),
            _ => self.proprietary.clone().or_else(|| self.domain.clone()),
        }
    }
}

/// Stores `value` in an empty slot; the first non-empty value wins.
fn set_once(slot: &mut Option<String>, value: &str) {
    if slot.is_none() && !value.is_empty() {
        *slot = Some(value.to_owned());
    }
}

#[derive(Debug, Default)]
struct Party {
    name: Option<String>,
    account: Option<String>,
}

/// One `Strd` block: documents and the amounts stated for them.
#[derive(Debug, Default)]
struct StrdBuilder {
    documents: Vec<String>,
    creditor_ref: Option<String>,
    paid: Option<Money>,
    original: Option<Money>,
    discount: Option<Money>,
    adjustments: Vec<AdjustmentBuilder>,
}

/// One `AdjstmntAmtAndRsn` as its parts arrive.
#[derive(Debug, Default)]
struct AdjustmentBuilder {
    amount: Option<Money>,
    direction: Option<Direction>,
    reason: Option<String>,
    information: Option<String>,
    broken: bool,
}

impl AdjustmentBuilder {
    /// The adjustment, signed: `DBIT` is a decrease. `None` without a usable amount.
    fn build(self) -> Option<Adjustment> {
        let amount = self.amount.filter(|_| !self.broken)?;
        let amount = if self.direction == Some(Direction::Debit) { amount.negated() } else { amount };
        Some(Adjustment { amount, reason: self.reason.or(self.information).unwrap_or_default() })
    }
}

#[derive(Debug, Default)]
struct EntryBuilder {
    amount: Option<Money>,
    direction: Option<Direction>,
    status: Option<String>,
    booking_date: Option<NaiveDate>,
    value_date: Option<NaiveDate>,
    servicer_ref: Option<String>,
    entry_ref: Option<String>,
    tx_servicer_ref: Option<String>,
    code: TxCode,
    tx_code: TxCode,
    end_to_end_ids: Vec<String>,
    debtor: Party,
    creditor: Party,
    remittance_text: String,
    references: Vec<Reference>,
    remittances: Vec<Remittance>,
    /// A diagnostic already explained why this entry cannot become a line.
    broken: bool,
}

#[derive(Debug, Default)]
struct BalanceBuilder {
    code: Option<String>,
    amount: Option<Money>,
    direction: Option<Direction>,
    date: Option<NaiveDate>,
    broken: bool,
}

/// Opening balances by preference: `OPBD` wins over `PRCD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum OpeningKind {
    PreviousClosing,
    Opening,
}

#[derive(Debug, Default)]
struct StatementBuilder {
    /// The statement's element path, for statement-level diagnostics.
    path: String,
    id: Option<String>,
    account: Option<String>,
    account_currency: Option<Currency>,
    /// The first currency seen in a balance or an entry, used without `Acct/Ccy`.
    seen_currency: Option<Currency>,
    opening: Option<(OpeningKind, Balance)>,
    closing: Option<Balance>,
    lines: Vec<BankLine>,
    summary: SummaryBuilder,
    tally: EntryTally,
}

impl StatementBuilder {
    fn currency(&self) -> Option<Currency> {
        self.account_currency.or(self.seen_currency)
    }

    /// Adds a booked entry to the tally, whether or not it becomes a line: an entry
    /// skipped for its date still moved money the summary counts.
    fn tally_entry(&mut self, entry: &EntryBuilder) {
        if entry.status.as_deref().is_some_and(|status| status != "BOOK") {
            return;
        }
        let currency = self.currency();
        let tally = &mut self.tally;
        tally.booked += 1;
        let (Some(amount), Some(direction)) = (entry.amount, entry.direction) else {
            tally.unreadable += 1;
            return;
        };
        let own = amount.currency();
        if currency.is_some_and(|c| c != own) || tally.currency.is_some_and(|c| c != own) {
            tally.unreadable += 1;
            return;
        }
        tally.currency = Some(own);
        let side = match direction {
            Direction::Credit => &mut tally.credits,
            Direction::Debit => &mut tally.debits,
        };
        side.count += 1;
        side.minor = side.minor.saturating_add(i128::from(amount.minor()));
    }
}

/// A `TxsSummry` figure as the file states it, with the element it stands in.
#[derive(Debug)]
struct Stated<T> {
    value: T,
    /// The figure as written, for messages.
    text: String,
    path: String,
}

/// `NbOfNtries` and `Sum` of one `TxsSummry` block.
#[derive(Debug, Default)]
struct StatedTotals {
    count: Option<Stated<u64>>,
    sum: Option<Stated<Decimal>>,
}

/// What the statement's `TxsSummry` says about its entries; every figure is optional.
#[derive(Debug, Default)]
struct SummaryBuilder {
    all: StatedTotals,
    credits: StatedTotals,
    debits: StatedTotals,
    /// The net's magnitude; its sign is [`SummaryBuilder::net_direction`].
    net: Option<Stated<Decimal>>,
    net_direction: Option<Direction>,
}

impl SummaryBuilder {
    fn totals(&mut self, group: Group) -> &mut StatedTotals {
        match group {
            Group::All => &mut self.all,
            Group::Credits => &mut self.credits,
            Group::Debits => &mut self.debits,
        }
    }
}

/// Count and exact sum (minor units) of one direction's booked entries.
#[derive(Debug, Default, Clone, Copy)]
struct SideTally {
    count: u64,
    minor: i128,
}

/// The booked entries as read, for the `TxsSummry` check.
#[derive(Debug, Default)]
struct EntryTally {
    booked: u64,
    credits: SideTally,
    debits: SideTally,
    /// The currency of the amounts added (all in one, so minor units add).
    currency: Option<Currency>,
    /// Booked entries whose amount, direction or currency could not be added: the
    /// sums are then unknown, and only the entry count is checked.
    unreadable: u64,
}

/// Why reading stopped early; the diagnostic is already recorded.
struct Stop;

#[derive(Default)]
struct Parser {
    tags: Vec<Tag>,
    /// The element path (`Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/Amt`), kept in one
    /// reused buffer; `path_ends[i]` is its length before element `i` was added.
    path: String,
    path_ends: Vec<usize>,
    /// Text of the element being read, reused across elements.
    text: String,
    /// No child element has started since the current element did.
    leaf: bool,
    ccy: CcyAttr,
    root_closed: bool,
    /// Sibling counters for the counted elements.
    statement_count: usize,
    balance_count: usize,
    entry_count: usize,
    tx_count: usize,
    strd_count: usize,
    statement: Option<StatementBuilder>,
    balance: Option<BalanceBuilder>,
    entry: Option<EntryBuilder>,
    strd: Option<StrdBuilder>,
    outcome: ReadOutcome,
}

impl Parser {
    fn run(&mut self, xml: &str) {
        let mut reader = Reader::from_str(xml);
        loop {
            let step = match reader.read_event() {
                Ok(Event::Start(element)) => self.start(&element),
                Ok(Event::Empty(element)) => self.start(&element).map(|()| self.end()),
                Ok(Event::End(_)) => {
                    self.end();
                    Ok(())
                }
                Ok(Event::Text(text)) => {
                    self.push_raw_text(&text);
                    Ok(())
                }
                Ok(Event::CData(data)) => {
                    self.push_raw_text(&data);
                    Ok(())
                }
                Ok(Event::GeneralRef(reference)) => self.push_entity(&reference, reader.buffer_position()),
                Ok(Event::DocType(_)) => Err(self.fatal(
                    Position::Byte(offset(reader.buffer_position())),
                    "doctype_rejected",
                    "the file declares a DOCTYPE; document type definitions and entities are refused in bank files",
                )),
                Ok(Event::Decl(_) | Event::PI(_) | Event::Comment(_)) => Ok(()),
                Ok(Event::Eof) => {
                    self.eof(reader.buffer_position());
                    return;
                }
                Err(bad) => Err(self.fatal(
                    Position::Byte(offset(reader.error_position())),
                    "malformed_xml",
                    format!("the XML is malformed: {bad}"),
                )),
            };
            if step.is_err() {
                self.abandon();
                return;
            }
        }
    }

    fn fatal(&mut self, position: Position, code: &str, message: impl Into<String>) -> Stop {
        self.outcome.diagnostics.push(error(position, code, message));
        Stop
    }

    fn here(&self) -> Position {
        Position::Element(self.path.clone())
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.outcome.diagnostics.push(diagnostic);
    }

    fn start(&mut self, element: &BytesStart<'_>) -> Result<(), Stop> {
        let local = element.local_name();
        let name: &str = local.as_ref();
        let tag = Tag::of(name);
        if self.tags.len() >= MAX_DEPTH {
            let message = format!("elements nest deeper than {MAX_DEPTH} levels; this is not a bank statement");
            return Err(self.fatal(self.here(), "too_deep", message));
        }
        self.check_structure(tag, name)?;
        self.open(tag);
        self.path_ends.push(self.path.len());
        if !self.path.is_empty() {
            self.path.push('/');
        }
        self.path.push_str(name);
        if tag.is_counted() {
            self.push_sibling_index(tag);
        }
        self.tags.push(tag);
        if tag.is_message_part()
            && let Some(statement) = self.statement.as_mut()
            && statement.path.is_empty()
        {
            statement.path.clone_from(&self.path);
        }
        self.text.clear();
        self.leaf = true;
        self.ccy = ccy_attribute(element);
        Ok(())
    }

    fn push_sibling_index(&mut self, tag: Tag) {
        use std::fmt::Write;
        let n = match tag {
            t if t.is_message_part() => self.statement_count,
            Tag::Bal => self.balance_count,
            Tag::Ntry => self.entry_count,
            Tag::TxDtls => self.tx_count,
            _ => self.strd_count,
        };
        // Writing to a String cannot fail.
        let _ = write!(self.path, "[{n}]");
    }

    /// Refuses a document that is not a camt.052/053/054 message.
    fn check_structure(&mut self, tag: Tag, name: &str) -> Result<(), Stop> {
        if self.root_closed {
            return Err(self.fatal(self.here(), "malformed_xml", "there is content after the document element"));
        }
        match (self.tags.as_slice(), tag) {
            ([], Tag::Document)
            | ([Tag::Document], Tag::BkToCstmrStmt | Tag::BkToCstmrDbtCdtNtfctn | Tag::BkToCstmrAcctRpt) => Ok(()),
            ([], _) => Err(self.fatal(
                Position::Element(name.to_owned()),
                "unsupported_message",
                format!("the root element is <{name}>, not an ISO 20022 <Document>"),
            )),
            ([Tag::Document], _) => Err(self.fatal(
                Position::Element(format!("{}/{name}", self.path)),
                "unsupported_message",
                format!("<{name}> is not a camt.052 report, camt.053 statement or camt.054 notification"),
            )),
            _ => Ok(()),
        }
    }

    /// Starts the builder for a structural element in its proper place.
    fn open(&mut self, tag: Tag) {
        let parent = self.tags.last().copied();
        match (parent, tag) {
            (Some(parent), tag) if parent.holds(tag) => {
                self.statement_count += 1;
                (self.balance_count, self.entry_count) = (0, 0);
                self.statement = Some(StatementBuilder::default());
            }
            (Some(part), Tag::Bal) if part.is_message_part() && self.statement.is_some() => {
                self.balance_count += 1;
                self.balance = Some(BalanceBuilder::default());
            }
            (Some(part), Tag::Ntry) if part.is_message_part() && self.statement.is_some() => {
                self.entry_count += 1;
                self.tx_count = 0;
                self.entry = Some(EntryBuilder::default());
            }
            (Some(Tag::NtryDtls), Tag::TxDtls) => {
                self.tx_count += 1;
                self.strd_count = 0;
            }
            (Some(Tag::RmtInf), Tag::Strd) if self.entry.is_some() => {
                self.strd_count += 1;
                self.strd = Some(StrdBuilder::default());
            }
            (Some(Tag::RfrdDocAmt), Tag::AdjstmntAmtAndRsn) => {
                self.with_strd(|s| s.adjustments.push(AdjustmentBuilder::default()));
            }
            _ => {}
        }
    }

    fn push_raw_text(&mut self, text: &str) {
        if self.leaf && !self.tags.is_empty() {
            self.text.push_str(text);
        }
    }

    /// Resolves `&name;`: character references and the five predefined entities only.
    fn push_entity(&mut self, reference: &str, at: u64) -> Result<(), Stop> {
        let resolved = match reference {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "apos" => Some('\''),
            "quot" => Some('"'),
            _ => reference.strip_prefix('#').and_then(char_reference),
        };
        match resolved {
            Some(c) => {
                if self.leaf && !self.tags.is_empty() {
                    self.text.push(c);
                }
                Ok(())
            }
            None if reference.starts_with('#') => Err(self.fatal(
                Position::Byte(offset(at)),
                "bad_character_reference",
                format!("the character reference &{reference}; names no valid character"),
            )),
            None => Err(self.fatal(
                Position::Byte(offset(at)),
                "undefined_entity",
                format!("the entity &{reference}; is not one of the five XML defines; entities are not expanded"),
            )),
        }
    }

    fn end(&mut self) {
        let Some(&tag) = self.tags.last() else { return };
        if self.leaf
            && let Some(field) = field(&self.tags)
        {
            let text = std::mem::take(&mut self.text);
            self.assign(field, text.trim());
            self.text = text;
        }
        self.close(tag);
        self.tags.pop();
        if let Some(end) = self.path_ends.pop() {
            self.path.truncate(end);
        }
        self.leaf = false;
        if self.tags.is_empty() {
            self.root_closed = true;
        }
    }

    fn eof(&mut self, at: u64) {
        if !self.tags.is_empty() {
            let message = format!("the file ends inside <{}>: it is cut short", self.path);
            self.report(error(Position::Byte(offset(at)), "truncated", message));
            self.abandon();
        } else if !self.root_closed {
            self.report(error(Position::File, "no_document", "the file holds no XML document"));
        }
    }

    /// Keeps the lines of a statement cut short by an error; its balances are not
    /// checked, since the entries after the error are missing.
    fn abandon(&mut self) {
        if let Some(statement) = self.statement.take() {
            self.push_statement(statement, false);
        }
    }

    fn close(&mut self, tag: Tag) {
        let parent = self.tags.len().checked_sub(2).and_then(|i| self.tags.get(i)).copied();
        match (parent, tag) {
            (Some(parent), tag) if parent.holds(tag) => {
                if let Some(statement) = self.statement.take() {
                    self.push_statement(statement, true);
                }
            }
            (Some(part), Tag::Bal) if part.is_message_part() => self.close_balance(),
            (Some(part), Tag::Ntry) if part.is_message_part() => self.close_entry(),
            (Some(Tag::RmtInf), Tag::Strd) => self.close_strd(),
            _ => {}
        }
    }
}

/// Leaf values.
impl Parser {
    /// The first currency a statement names (or shows in an amount) stays its
    /// currency: entries and balances were checked against it, so a later,
    /// different `Acct/Ccy` (a stray nested element in a broken file) is
    /// reported and ignored rather than left to contradict them.
    fn set_account_currency(&mut self, currency: Currency) {
        let Some(known) = self.statement.as_ref().map(|s| s.account_currency.or(s.seen_currency)) else { return };
        match known {
            Some(known) if known != currency => {
                let message =
                    format!("the account currency {currency} contradicts {known} given before it; {known} is kept");
                self.report(error(self.here(), "currency_mismatch", message));
            }
            _ => self.with_statement(|s| s.account_currency = Some(currency)),
        }
    }

    fn assign(&mut self, field: Field, value: &str) {
        match field {
            Field::StatementId => self.with_statement(|s| set_once(&mut s.id, value)),
            Field::Account => self.with_statement(|s| set_once(&mut s.account, value)),
            Field::AccountCurrency => match Currency::from_code(value) {
                Ok(currency) => self.set_account_currency(currency),
                Err(bad) => self.report(error(self.here(), "bad_currency", bad.to_string())),
            },
            Field::BalanceCode => self.with_balance(|b| set_once(&mut b.code, value)),
            Field::BalanceAmount => {
                let amount = self.amount(value);
                self.with_balance(|b| match amount {
                    Some(amount) => b.amount = Some(amount),
                    None => b.broken = true,
                });
            }
            Field::BalanceSign => {
                let direction = self.direction(value);
                self.with_balance(|b| b.direction = direction);
            }
            Field::BalanceDate => {
                let date = self.date(value);
                self.with_balance(|b| b.date = b.date.or(date));
            }
            Field::Summary(figure) => self.assign_summary(figure, value),
            _ => self.assign_entry(field, value),
        }
    }

    fn assign_summary(&mut self, figure: Figure, value: &str) {
        if self.statement.is_none() {
            return;
        }
        match figure {
            Figure::Count(group) => {
                let Some(count) = parse_count(value) else {
                    let message = format!("'{value}' is not a number of entries");
                    return self.report(error(self.here(), "bad_amount", message));
                };
                let stated = Stated { value: count, text: value.to_owned(), path: self.path.clone() };
                self.with_statement(|s| {
                    let slot = &mut s.summary.totals(group).count;
                    slot.get_or_insert(stated);
                });
            }
            Figure::Sum(_) | Figure::NetAmount => {
                let Some(amount) = parse_decimal(value) else {
                    let message = format!("'{value}' is not a decimal number");
                    return self.report(error(self.here(), "bad_amount", message));
                };
                let stated = Stated { value: amount, text: value.to_owned(), path: self.path.clone() };
                self.with_statement(|s| {
                    let slot = match figure {
                        Figure::Sum(group) => &mut s.summary.totals(group).sum,
                        _ => &mut s.summary.net,
                    };
                    slot.get_or_insert(stated);
                });
            }
            Figure::NetSign => {
                let direction = self.direction(value);
                self.with_statement(|s| s.summary.net_direction = s.summary.net_direction.or(direction));
            }
        }
    }

    fn assign_entry(&mut self, field: Field, value: &str) {
        if self.entry.is_none() {
            return;
        }
        match field {
            Field::EntryAmount => {
                let amount = self.amount(value);
                self.with_entry(|e| match amount {
                    Some(amount) => e.amount = Some(amount),
                    None => e.broken = true,
                });
            }
            Field::EntrySign => {
                let direction = self.direction(value);
                self.with_entry(|e| match direction {
                    Some(direction) => e.direction = Some(direction),
                    None => e.broken = true,
                });
            }
            Field::EntryStatus => self.with_entry(|e| set_once(&mut e.status, value)),
            Field::BookingDate | Field::ValueDate => {
                let date = self.date(value);
                self.with_entry(|e| match (date, field) {
                    (None, _) => e.broken = true,
                    (Some(date), Field::BookingDate) => e.booking_date = e.booking_date.or(Some(date)),
                    (Some(date), _) => e.value_date = e.value_date.or(Some(date)),
                });
            }
            Field::ServicerRef => self.with_entry(|e| set_once(&mut e.servicer_ref, value)),
            Field::EntryRef => self.with_entry(|e| set_once(&mut e.entry_ref, value)),
            Field::TxServicerRef => self.with_entry(|e| set_once(&mut e.tx_servicer_ref, value)),
            Field::EntryCode(part) => self.with_entry(|e| e.code.set(part, value)),
            Field::TxCode(part) => self.with_entry(|e| e.tx_code.set(part, value)),
            Field::EndToEndId => self.with_entry(|e| {
                let id = value.to_owned();
                if !value.is_empty() && !value.eq_ignore_ascii_case("NOTPROVIDED") && !e.end_to_end_ids.contains(&id) {
                    e.end_to_end_ids.push(id);
                }
            }),
            Field::PartyName(side) => self.with_entry(|e| set_once(&mut e.party(side).name, value)),
            Field::PartyAccount(side) => self.with_entry(|e| set_once(&mut e.party(side).account, value)),
            Field::Unstructured => self.with_entry(|e| push_text(&mut e.remittance_text, value)),
            _ => self.assign_remittance(field, value),
        }
    }

    fn assign_remittance(&mut self, field: Field, value: &str) {
        if self.strd.is_none() || value.is_empty() {
            return;
        }
        match field {
            Field::CreditorRef => self.with_strd(|s| set_once(&mut s.creditor_ref, value)),
            Field::DocumentNumber => self.with_strd(|s| s.documents.push(value.to_owned())),
            Field::Remitted | Field::DuePayable | Field::Discount => {
                let Some(amount) = self.amount(value) else { return };
                self.with_strd(|s| {
                    let slot = match field {
                        Field::Remitted => &mut s.paid,
                        Field::DuePayable => &mut s.original,
                        _ => &mut s.discount,
                    };
                    // Several discounts (`DscntApldAmt` repeats from .001.03 on) add up.
                    *slot = match *slot {
                        Some(prior) if field == Field::Discount => prior.checked_add(amount).ok(),
                        Some(prior) => Some(prior),
                        None => Some(amount),
                    };
                });
            }
            Field::Adjustment(part) => self.assign_adjustment(part, value),
            _ => {}
        }
    }

    fn assign_adjustment(&mut self, part: AdjustmentPart, value: &str) {
        match part {
            AdjustmentPart::Amount => {
                let amount = self.amount(value);
                self.with_adjustment(|a| match amount {
                    Some(amount) => a.amount = a.amount.or(Some(amount)),
                    None => a.broken = true,
                });
            }
            AdjustmentPart::Sign => {
                let direction = self.direction(value);
                self.with_adjustment(|a| match direction {
                    Some(direction) => a.direction = Some(direction),
                    None => a.broken = true,
                });
            }
            AdjustmentPart::Reason => self.with_adjustment(|a| set_once(&mut a.reason, value)),
            AdjustmentPart::Information => self.with_adjustment(|a| set_once(&mut a.information, value)),
        }
    }

    fn with_adjustment(&mut self, f: impl FnOnce(&mut AdjustmentBuilder)) {
        self.with_strd(|s| {
            if let Some(adjustment) = s.adjustments.last_mut() {
                f(adjustment);
            }
        });
    }

    fn with_statement(&mut self, f: impl FnOnce(&mut StatementBuilder)) {
        if let Some(statement) = self.statement.as_mut() {
            f(statement);
        }
    }

    fn with_balance(&mut self, f: impl FnOnce(&mut BalanceBuilder)) {
        if let Some(balance) = self.balance.as_mut() {
            f(balance);
        }
    }

    fn with_entry(&mut self, f: impl FnOnce(&mut EntryBuilder)) {
        if let Some(entry) = self.entry.as_mut() {
            f(entry);
        }
    }

    fn with_strd(&mut self, f: impl FnOnce(&mut StrdBuilder)) {
        if let Some(strd) = self.strd.as_mut() {
            f(strd);
        }
    }

    /// The amount in the current element, in its `Ccy` (or the account currency);
    /// `None` after reporting why not.
    fn amount(&mut self, value: &str) -> Option<Money> {
        let currency = match std::mem::take(&mut self.ccy) {
            CcyAttr::Known(currency) => currency,
            CcyAttr::Bad(code) => {
                let message = format!("'{code}' is not an ISO 4217 currency code");
                self.report(error(self.here(), "bad_currency", message));
                return None;
            }
            CcyAttr::Absent => match self.statement.as_ref().and_then(StatementBuilder::currency) {
                Some(currency) => currency,
                None => {
                    let message =
                        format!("the amount {value} has no Ccy attribute and the account currency is unknown");
                    self.report(error(self.here(), "missing_currency", message));
                    return None;
                }
            },
        };
        match parse_amount(value, currency) {
            Ok(amount) => Some(amount),
            Err(bad) => {
                self.report(error(self.here(), "bad_amount", bad.to_string()));
                None
            }
        }
    }

    fn direction(&mut self, value: &str) -> Option<Direction> {
        match value {
            "CRDT" => Some(Direction::Credit),
            "DBIT" => Some(Direction::Debit),
            _ => {
                let message = format!("'{value}' is neither CRDT nor DBIT");
                self.report(error(self.here(), "bad_credit_debit", message));
                None
            }
        }
    }

    fn date(&mut self, value: &str) -> Option<NaiveDate> {
        let date = parse_iso_date(value);
        if date.is_none() {
            let message = format!("'{value}' is not an ISO date (YYYY-MM-DD)");
            self.report(error(self.here(), "bad_date", message));
        }
        date
    }
}

impl EntryBuilder {
    fn party(&mut self, side: Side) -> &mut Party {
        match side {
            Side::Debtor => &mut self.debtor,
            Side::Creditor => &mut self.creditor,
        }
    }
}

/// Structural elements closing.
impl Parser {
    fn close_balance(&mut self) {
        let Some(balance) = self.balance.take() else { return };
        let Some(statement) = self.statement.as_mut() else { return };
        let kind = match balance.code.as_deref() {
            Some("OPBD") => OpeningKind::Opening,
            Some("PRCD") => OpeningKind::PreviousClosing,
            Some("CLBD") => {
                let Some(closing) = finish_balance(&balance) else { return self.bad_balance(&balance) };
                return self.set_closing(closing);
            }
            _ => return,
        };
        let Some(opening) = finish_balance(&balance) else { return self.bad_balance(&balance) };
        statement.seen_currency = statement.seen_currency.or(Some(opening.amount.currency()));
        match &statement.opening {
            Some((prior, _)) if *prior >= kind => {
                let message = "a second opening balance is ignored; the first OPBD (or PRCD) is used";
                self.report(warning(self.here(), "duplicate_balance", message));
            }
            _ => statement.opening = Some((kind, opening)),
        }
    }

    fn set_closing(&mut self, closing: Balance) {
        let Some(statement) = self.statement.as_mut() else { return };
        statement.seen_currency = statement.seen_currency.or(Some(closing.amount.currency()));
        if statement.closing.is_some() {
            self.report(warning(self.here(), "duplicate_balance", "a second CLBD balance is ignored"));
        } else {
            statement.closing = Some(closing);
        }
    }

    fn bad_balance(&mut self, balance: &BalanceBuilder) {
        if !balance.broken {
            let message = "the balance lacks its amount, credit/debit indicator or date and is ignored";
            self.report(error(self.here(), "bad_balance", message));
        }
    }

    fn close_strd(&mut self) {
        let Some(strd) = self.strd.take() else { return };
        let Some(entry) = self.entry.as_mut() else { return };
        let mut diagnostics = Vec::new();
        if let Some(reference) = &strd.creditor_ref {
            let reference = match normalize_creditor_reference(reference) {
                Some(valid) => Reference::Creditor(valid),
                None => {
                    if reference.get(..2).is_some_and(|rf| rf.eq_ignore_ascii_case("RF")) {
                        let message = format!("'{reference}' looks like an RF creditor reference but fails its check");
                        diagnostics.push(warning(
                            Position::Element(self.path.clone()),
                            "bad_creditor_reference",
                            message,
                        ));
                    }
                    Reference::Other(reference.clone())
                }
            };
            push_reference(&mut entry.references, reference);
        }
        for document in &strd.documents {
            push_reference(&mut entry.references, Reference::Invoice(document.clone()));
        }
        let adjustments: Vec<Adjustment> = strd.adjustments.into_iter().filter_map(AdjustmentBuilder::build).collect();
        let has_amounts =
            strd.paid.is_some() || strd.original.is_some() || strd.discount.is_some() || !adjustments.is_empty();
        let documents = match (&strd.documents[..], &strd.creditor_ref) {
            ([], Some(reference)) if has_amounts => vec![reference.clone()],
            _ => strd.documents,
        };
        let amounts_apply = documents.len() == 1;
        if has_amounts && documents.len() > 1 {
            let message =
                "one RfrdDocAmt for several documents cannot be split; the documents are kept without amounts";
            diagnostics.push(warning(Position::Element(self.path.clone()), "ambiguous_remittance_amounts", message));
        }
        for document in documents {
            entry.remittances.push(Remittance {
                document,
                paid: strd.paid.filter(|_| amounts_apply),
                original: strd.original.filter(|_| amounts_apply),
                discount: strd.discount.filter(|_| amounts_apply),
                adjustments: if amounts_apply { adjustments.clone() } else { Vec::new() },
            });
        }
        self.outcome.diagnostics.extend(diagnostics);
    }

    fn close_entry(&mut self) {
        let Some(entry) = self.entry.take() else { return };
        if let Some(statement) = self.statement.as_mut() {
            statement.tally_entry(&entry);
        }
        if entry.broken {
            return;
        }
        if let Some(status) = entry.status.as_deref().filter(|s| *s != "BOOK") {
            let message = format!("the entry has status {status}, not BOOK (booked), and is left out");
            return self.report(warning(self.here(), "entry_not_booked", message));
        }
        let (Some(amount), Some(direction)) = (entry.amount, entry.direction) else {
            let message = "the entry lacks its amount or credit/debit indicator and is skipped";
            return self.report(error(self.here(), "missing_amount", message));
        };
        let Some(booking_date) = entry.booking_date.or(entry.value_date) else {
            let message = "the entry has neither a booking nor a value date and is skipped";
            return self.report(error(self.here(), "missing_date", message));
        };
        if entry.booking_date.is_none() {
            let message = "the entry has no booking date; its value date is used";
            self.report(warning(self.here(), "missing_booking_date", message));
        }
        let Some(statement) = self.statement.as_mut() else { return };
        let currency = *statement.seen_currency.get_or_insert(amount.currency());
        let expected = statement.account_currency.unwrap_or(currency);
        if amount.currency() != expected {
            let message =
                format!("the entry is in {} but the account is in {expected}; it is skipped", amount.currency());
            return self.report(error(self.here(), "currency_mismatch", message));
        }
        let amount = if direction == Direction::Debit { negate(amount) } else { amount };
        statement.lines.push(entry.into_line(booking_date, amount, direction));
    }

    /// Finishes a statement: checks its currency and balances and records it.
    fn push_statement(&mut self, statement: StatementBuilder, check: bool) {
        let position = Position::Element(statement.path.clone());
        let Some(currency) = statement.currency() else {
            let message = "the statement has no account currency and no amounts; it is skipped";
            return self.report(error(position, "missing_currency", message));
        };
        let account = statement.account.unwrap_or_else(|| {
            let message = "the statement names no account (Acct/Id/IBAN or Acct/Id/Othr/Id)";
            self.outcome.diagnostics.push(error(position.clone(), "missing_account", message));
            String::new()
        });
        let mut balance_in_currency = |balance: Option<Balance>, which: &str| {
            let balance = balance?;
            if balance.amount.currency() == currency {
                return Some(balance);
            }
            let message = format!("the {which} balance {} is not in the account currency {currency}", balance.amount);
            self.outcome.diagnostics.push(error(position.clone(), "currency_mismatch", message));
            None
        };
        let opening = balance_in_currency(statement.opening.map(|(_, b)| b), "opening");
        let closing = balance_in_currency(statement.closing, "closing");
        let (summary, tally) = (statement.summary, statement.tally);
        let statement = Statement { id: statement.id, account, currency, opening, closing, lines: statement.lines };
        if check {
            if let Some(mismatch) = check_balance(&statement, position) {
                self.report(mismatch);
            }
            self.outcome.diagnostics.extend(summary.check(&tally, currency));
        }
        self.outcome.statements.push(statement);
    }
}

/// The `TxsSummry` check.
impl SummaryBuilder {
    /// A diagnostic for each stated figure the booked entries contradict, in the
    /// schema's order: `TtlNtries` (`NbOfNtries`, `Sum`, net), `TtlCdtNtries`,
    /// `TtlDbtNtries`. Without a complete tally only the entry count is checked.
    fn check(&self, tally: &EntryTally, currency: Currency) -> Vec<Diagnostic> {
        let mut found = Vec::new();
        check_count(&mut found, self.all.count.as_ref(), tally.booked, "the number of entries");
        if tally.unreadable > 0 || tally.currency.is_some_and(|c| c != currency) {
            return found;
        }
        let (credits, debits) = (tally.credits, tally.debits);
        let all = credits.minor.saturating_add(debits.minor);
        check_sum(&mut found, self.all.sum.as_ref(), all, currency, "the sum of all entries");
        self.check_net(&mut found, credits.minor.saturating_sub(debits.minor), currency);
        check_count(&mut found, self.credits.count.as_ref(), credits.count, "the number of credit entries");
        check_sum(&mut found, self.credits.sum.as_ref(), credits.minor, currency, "the sum of credit entries");
        check_count(&mut found, self.debits.count.as_ref(), debits.count, "the number of debit entries");
        check_sum(&mut found, self.debits.sum.as_ref(), debits.minor, currency, "the sum of debit entries");
        found
    }

    /// The net is stated as a magnitude and a `CdtDbtInd`; without the indicator
    /// (optional in .001.02) only the magnitude can be checked.
    fn check_net(&self, found: &mut Vec<Diagnostic>, net_minor: i128, currency: Currency) {
        let Some(stated) = &self.net else { return };
        let (expected, shown) = match self.net_direction {
            Some(Direction::Credit) => (stated.value, format!("{} CRDT", stated.text)),
            Some(Direction::Debit) => (-stated.value, format!("{} DBIT", stated.text)),
            None => (stated.value, stated.text.clone()),
        };
        let computed = if self.net_direction.is_some() { net_minor } else { net_minor.saturating_abs() };
        if differs(expected, computed, currency) {
            let direction = if net_minor < 0 { " DBIT" } else { " CRDT" };
            let computed = format!("{}{}", format_minor(net_minor.saturating_abs(), currency), direction);
            found.push(summary_mismatch(stated, "control_total_mismatch", "the net of all entries", &shown, &computed));
        }
    }
}

fn check_count(found: &mut Vec<Diagnostic>, stated: Option<&Stated<u64>>, read: u64, what: &str) {
    if let Some(stated) = stated
        && stated.value != read
    {
        found.push(summary_mismatch(stated, "record_count_mismatch", what, &stated.text, &read.to_string()));
    }
}

fn check_sum(
    found: &mut Vec<Diagnostic>,
    stated: Option<&Stated<Decimal>>,
    minor: i128,
    currency: Currency,
    what: &str,
) {
    if let Some(stated) = stated
        && differs(stated.value, minor, currency)
    {
        let computed = format_minor(minor, currency);
        found.push(summary_mismatch(stated, "control_total_mismatch", what, &stated.text, &computed));
    }
}

/// `true` unless `stated` is exactly `minor` units of `currency`.
fn differs(stated: Decimal, minor: i128, currency: Currency) -> bool {
    Decimal::try_from_i128_with_scale(minor, currency.minor_units()) != Ok(stated)
}

fn summary_mismatch<T>(stated: &Stated<T>, code: &str, what: &str, shown: &str, computed: &str) -> Diagnostic {
    let message = format!("{what} is stated as {shown}, but the booked entries give {computed}");
    error(Position::Element(stated.path.clone()), code, message)
}

/// `NbOfNtries`: up to 15 digits (`Max15NumericText`).
fn parse_count(value: &str) -> Option<u64> {
    let well_formed = (1..=15).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit());
    well_formed.then(|| value.parse().ok()).flatten()
}

/// An XML Schema `decimal` (`DecimalNumber`): an optional sign, digits and at most
/// one point, read exactly (more than 28 decimals are refused, not rounded).
fn parse_decimal(value: &str) -> Option<Decimal> {
    let (negative, digits) = match value.as_bytes().first()? {
        b'-' => (true, value.get(1..)?),
        b'+' => (false, value.get(1..)?),
        _ => (false, value),
    };
    let points = digits.bytes().filter(|&b| b == b'.').count();
    let well_formed = points <= 1
        && digits.bytes().any(|b| b.is_ascii_digit())
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    if !well_formed {
        return None;
    }
    let magnitude = Decimal::from_str_exact(digits).ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

fn finish_balance(balance: &BalanceBuilder) -> Option<Balance> {
    if balance.broken {
        return None;
    }
    let amount = balance.amount?;
    let amount = if balance.direction? == Direction::Debit { negate(amount) } else { amount };
    Some(Balance { amount, date: balance.date? })
}

impl EntryBuilder {
    fn into_line(self, booking_date: NaiveDate, amount: Money, direction: Direction) -> BankLine {
        let party = match direction {
            Direction::Credit => self.debtor,
            Direction::Debit => self.creditor,
        };
        let mut references = self.references;
        for reference in find_creditor_references(&self.remittance_text) {
            push_reference(&mut references, Reference::Creditor(reference));
        }
        let mut end_to_end_ids = self.end_to_end_ids.into_iter();
        let end_to_end_id = end_to_end_ids.next();
        for other in end_to_end_ids {
            push_reference(&mut references, Reference::Other(other));
        }
        BankLine {
            booking_date,
            value_date: self.value_date,
            amount,
            bank_reference: self.servicer_ref.or(self.entry_ref).or(self.tx_servicer_ref),
            end_to_end_id,
            counterparty_name: party.name,
            counterparty_account: party.account,
            transaction_code: self.code.render().or_else(|| self.tx_code.render()),
            remittance_text: self.remittance_text,
            references,
            remittances: self.remittances,
        }
    }
}

/// `YYYY-MM-DD`, alone or starting an ISO date-time (`2024-03-01T10:00:00+01:00`) or
/// followed by a zone offset (`2024-03-01+01:00`, `2024-03-01Z`).
fn parse_iso_date(value: &str) -> Option<NaiveDate> {
    let b = value.as_bytes();
    let shaped = b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && [0, 1, 2, 3, 5, 6, 8, 9].iter().all(|&i| b[i].is_ascii_digit())
        && matches!(b.get(10), None | Some(b'T' | b'Z' | b'+' | b'-'));
    if !shaped {
        return None;
    }
    let number = |range: std::ops::Range<usize>| b[range].iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    NaiveDate::from_ymd_opt(i32::try_from(number(0..4)).ok()?, number(5..7), number(8..10))
}

fn char_reference(code: &str) -> Option<char> {
    let value = match code.strip_prefix('x') {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => code.parse().ok()?,
    };
    char::from_u32(value).filter(|&c| c != '\0')
}

fn offset(position: u64) -> usize {
    usize::try_from(position).unwrap_or(usize::MAX)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_and_date_times_read_as_written() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(parse_iso_date("2024-02-29"), d(2024, 2, 29));
        assert_eq!(parse_iso_date("2024-03-01T23:30:00-05:00"), d(2024, 3, 1));
        assert_eq!(parse_iso_date("2024-03-01+01:00"), d(2024, 3, 1));
        for bad in ["2023-02-29", "2024-3-01", "20240301", "2024-03-01 10:00", "", "２０２４-03-01"] {
            assert_eq!(parse_iso_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_field_table_matches_both_party_shapes() {
        use Tag::*;
        assert_eq!(field(&[TxDtls, RltdPties, Dbtr, Nm]), Some(Field::PartyName(Side::Debtor)));
        assert_eq!(field(&[TxDtls, RltdPties, Dbtr, Pty, Nm]), Some(Field::PartyName(Side::Debtor)));
        assert_eq!(field(&[Ntry, BkTxCd, Domn, Fmly, SubFmlyCd]), Some(Field::EntryCode(CodePart::SubFamily)));
        assert_eq!(field(&[Ntry, Other, Amt]), None, "an amount deeper than Ntry/Amt is not the booked amount");
    }

    #[test]
    fn summary_figures_read_exactly_or_not_at_all() {
        use rust_decimal_macros::dec;
        assert_eq!(parse_decimal("2250.00"), Some(dec!(2250.00)));
        assert_eq!(parse_decimal("-7.5"), Some(dec!(-7.5)));
        assert_eq!(parse_decimal("+.5"), Some(dec!(0.5)));
        assert_eq!(parse_decimal("12."), Some(dec!(12)));
        for bad in ["", "-", ".", "+", "1.2.3", "1e3", "1,5", " 1", "0.12345678901234567890123456789"] {
            assert_eq!(parse_decimal(bad), None, "{bad:?}");
        }
        assert_eq!(parse_count("007"), Some(7));
        assert_eq!(parse_count("999999999999999"), Some(999_999_999_999_999));
        for bad in ["", "-1", "+1", "1.0", "1000000000000000"] {
            assert_eq!(parse_count(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn char_references_resolve_but_nul_does_not() {
        assert_eq!(char_reference("x41"), Some('A'));
        assert_eq!(char_reference("252"), Some('ü'));
        assert_eq!(char_reference("0"), None);
        assert_eq!(char_reference("xD800"), None);
        assert_eq!(char_reference("x"), None);
    }
}
