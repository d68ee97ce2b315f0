//! ASC X12 820 Payment Order/Remittance Advice.
//!
//! The separators come from the interchange header itself: the element separator is
//! the byte after `ISA`, the sub-element separator is `ISA16` and the segment
//! terminator the byte after it. Line breaks after terminators are ignored.
//!
//! Each `ST*820`…`SE` transaction set becomes one [`Statement`] holding one
//! [`BankLine`]: the payment (`BPR`) with its remitted documents.
//!
//! * `BPR02` amount, `BPR03` `C` (credit, money in) or `D` (debit), `BPR04` payment
//!   method as the transaction code, `BPR16` the effective date (booking date),
//!   `BPR09` the payer's account, `BPR15` the payee's account (the statement account,
//!   else the `N1*PE` identifier);
//! * `TRN02` trace number: bank reference, end-to-end id and statement id;
//! * `CUR02` currency (USD when absent); `N1*PR` the payer's name;
//! * `RMR`: one [`Remittance`] each (`RMR02` document, `RMR04` paid, `RMR05` original,
//!   `RMR06` discount); qualifier `IV` also gives a [`Reference::Invoice`], any other a
//!   [`Reference::Other`]; a `REF` after an `RMR` adds a [`Reference::Other`];
//! * `ADX` (`ADX01` amount, `ADX02` reason): after an `RMR` it explains that
//!   document's payment; before any `RMR` of its `ENT` loop it is an adjustment on its
//!   own, kept as a [`Remittance`] with an empty document.
//!
//! The payment must equal what it remits: `BPR02 = Σ RMR04 + Σ ADX01` of the
//! adjustments not tied to a document (an `ADX` under an `RMR` is already inside that
//! document's `RMR04`), else `remittance_total_mismatch`.
//!
//! | code | severity | when |
//! |---|---|---|
//! | `remittance_total_mismatch` | error | the remitted amounts do not add up to `BPR02` |
//! | `segment_count_mismatch` | error | `SE01` differs from the segments `ST`…`SE` |
//! | `transaction_count_mismatch`, `group_count_mismatch` | error | `GE01` / `IEA01` differ from what was read |
//! | `control_number_mismatch` | error | `SE02`≠`ST02`, `GE02`≠`GS06` or `IEA02`≠`ISA13` |
//! | `bad_amount`, `bad_date`, `unknown_currency` | error | a value without its format; the segment is skipped |
//! | `missing_payment` | error | a transaction set without a usable `BPR`: no statement |
//! | `unexpected_segment`, `missing_trailer`, `not_820` | warning/error | structure problems |
//! | `not_x12` | error | the input does not start with an `ISA` header |
//!
//! Diagnostic positions are 1-based segment numbers ([`Position::Line`]), which are the
//! line numbers of a file written one segment per line.
//!
//! ```
//! use ar_reconcile::readers::x12_820;
//! let file = b"ISA*00*          *00*          *ZZ*PAYER          *ZZ*PAYEE          *250301*1200*U*00401*000000001*0*P*>~\
//! GS*RA*PAYER*PAYEE*20250301*1200*1*X*004010~ST*820*0001~BPR*C*150*C*ACH*CTX*01*011000015*DA*123*1234567890**01*021000021*DA*987*20250303~\
//! TRN*1*TRACE42*1234567890~N1*PR*ACME CORP~ENT*1~RMR*IV*INV-1**100~RMR*IV*INV-2**50~SE*8*0001~GE*1*1~IEA*1*000000001~";
//! let outcome = x12_820::read(file);
//! assert!(outcome.diagnostics.is_empty());
//! let payment = &outcome.statements[0].lines[0];
//! assert_eq!(payment.amount.to_string(), "150.00 USD");
//! assert_eq!(payment.remittances.len(), 2);
//! assert_eq!(payment.counterparty_name.as_deref(), Some("ACME CORP"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use chrono::NaiveDate;

use ar_core::{Currency, Money};

use crate::readers::common::{self, AmountFormat};
use crate::statement::{
    Adjustment, BankLine, Diagnostic, Position, ReadOutcome, Reference, Remittance, Severity, Statement,
};

/// Reads an X12 820 interchange. Never fails and never panics: returns one statement
/// per transaction set it could read plus diagnostics with 1-based segment numbers.
pub fn read(input: &[u8]) -> ReadOutcome {
    if let Some(too_large) = common::check_input_size(input) {
        return ReadOutcome { statements: Vec::new(), diagnostics: vec![too_large] };
    }
    // Editors on Windows put a byte-order mark before the first record.
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let Some(delimiters) = Delimiters::find(input) else {
        let message = "no ISA interchange header with its 16 elements at the start of the input".to_owned();
        return ReadOutcome {
            statements: Vec::new(),
            diagnostics: vec![common::error(Position::File, "not_x12", message)],
        };
    };
    let mut reader = Reader { delimiters, ..Reader::default() };
    let start = input.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(0);
    let body = input.get(start..).unwrap_or_default();
    let segments = body.split(|b| *b == delimiters.segment).map(<[u8]>::trim_ascii).filter(|s| !s.is_empty());
    for (index, segment) in segments.enumerate() {
        reader.segment(index + 1, segment);
    }
    reader.finish()
}

/// The separators an interchange declares in its ISA header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Delimiters {
    element: u8,
    component: u8,
    segment: u8,
}

impl Default for Delimiters {
    fn default() -> Self {
        Delimiters { element: b'*', component: b':', segment: b'~' }
    }
}

impl Delimiters {
    /// Reads the separators by counting the ISA's 16 elements rather than trusting
    /// the fixed width, so an unpadded header still reads.
    fn find(input: &[u8]) -> Option<Delimiters> {
        let start = input.iter().position(|b| !b.is_ascii_whitespace())?;
        let isa = input.get(start..)?;
        if !isa.starts_with(b"ISA") {
            return None;
        }
        let element = *isa.get(3)?;
        if element.is_ascii_alphanumeric() || element.is_ascii_whitespace() {
            return None;
        }
        let sixteenth = isa.iter().enumerate().filter(|(_, b)| **b == element).nth(15)?.0;
        let component = *isa.get(sixteenth + 1)?;
        let segment = *isa.get(sixteenth + 2)?;
        let distinct = component != element && segment != element && segment != component;
        (distinct && !segment.is_ascii_alphanumeric()).then_some(Delimiters { element, component, segment })
    }
}

/// One `ST`…`SE` payment being read.
#[derive(Debug, Default)]
struct Transaction {
    first_segment: usize,
    control_number: String,
    segments: u64,
    is_820: bool,
    payment: Option<Payment>,
    currency: Option<Currency>,
    trace: Option<String>,
    payer_name: Option<String>,
    payee_id: Option<String>,
    header_date: Option<NaiveDate>,
    /// Remittances in file order; `open_document` says whether the last one came
    /// from an `RMR` of the current `ENT` loop (so an `ADX` belongs to it).
    remittances: Vec<PendingRemittance>,
    open_document: bool,
    references: Vec<Reference>,
}

#[derive(Debug)]
struct Payment {
    segment: usize,
    amount: String,
    credit: bool,
    method: Option<String>,
    date: Option<NaiveDate>,
    payer_account: Option<String>,
    payee_account: Option<String>,
}

/// Amounts stay text until the currency (`CUR`, which may come later) is known.
#[derive(Debug)]
struct PendingRemittance {
    segment: usize,
    document: String,
    paid: Option<String>,
    original: Option<String>,
    discount: Option<String>,
    adjustments: Vec<(usize, String, String)>,
}

#[derive(Debug, Default)]
struct Reader {
    delimiters: Delimiters,
    interchange_control: Option<String>,
    groups: u64,
    group: Option<(usize, String, u64)>,
    transaction: Option<Transaction>,
    statements: Vec<Statement>,
    diagnostics: Vec<Diagnostic>,
    trailer_seen: bool,
}

impl Reader {
    fn error(&mut self, segment: usize, code: &str, message: String) {
        self.diagnostics.push(common::error(Position::Line(segment), code, message));
    }

    fn warning(&mut self, segment: usize, code: &str, message: String) {
        self.diagnostics.push(common::warning(Position::Line(segment), code, message));
    }

    fn segment(&mut self, number: usize, bytes: &[u8]) {
        let text = decode(bytes);
        let elements: Vec<&str> = text.split(char::from(self.delimiters.element)).collect();
        let id = elements.first().copied().unwrap_or_default().trim();
        let element = |i: usize| elements.get(i).map_or("", |e| e.trim());
        if let Some(transaction) = self.transaction.as_mut() {
            transaction.segments = transaction.segments.saturating_add(1);
        }
        match id {
            "ISA" => {
                if self.interchange_control.is_some() {
                    self.warning(
                        number,
                        "unexpected_segment",
                        "a second ISA header: read as a new interchange".to_owned(),
                    );
                }
                self.interchange_control = Some(element(13).to_owned());
                self.groups = 0;
                self.trailer_seen = false;
            }
            "GS" => {
                self.close_group(number);
                self.groups = self.groups.saturating_add(1);
                self.group = Some((number, element(6).to_owned(), 0));
            }
            "ST" => {
                self.close_transaction(number, None);
                if let Some(group) = self.group.as_mut() {
                    group.2 = group.2.saturating_add(1);
                }
                let is_820 = element(1) == "820";
                if !is_820 {
                    let message = format!("transaction set {} is not an 820: skipped", element(1));
                    self.warning(number, "not_820", message);
                }
                self.transaction = Some(Transaction {
                    first_segment: number,
                    control_number: element(2).to_owned(),
                    segments: 1,
                    is_820,
                    ..Transaction::default()
                });
            }
            "SE" => {
                let count = element(1).parse::<u64>().ok();
                let control = element(2).to_owned();
                self.close_transaction(number, Some((count, control)));
            }
            "GE" => {
                self.close_transaction(number, None);
                match self.group.take() {
                    Some((_, control, sets)) => {
                        self.check_count(
                            number,
                            "transaction_count_mismatch",
                            "GE01",
                            element(1),
                            sets,
                            "transaction sets",
                        );
                        self.check_control(number, "GE02", element(2), "GS06", &control);
                    }
                    None => self.warning(number, "unexpected_segment", "GE without a GS".to_owned()),
                }
            }
            "IEA" => {
                self.close_group(number);
                let groups = self.groups;
                self.check_count(number, "group_count_mismatch", "IEA01", element(1), groups, "functional groups");
                let control = self.interchange_control.clone().unwrap_or_default();
                self.check_control(number, "IEA02", element(2), "ISA13", &control);
                self.trailer_seen = true;
            }
            _ => self.detail(number, id, &elements),
        }
    }

    /// A segment inside a transaction set.
    fn detail(&mut self, number: usize, id: &str, elements: &[&str]) {
        let element = |i: usize| elements.get(i).map_or("", |e| e.trim());
        let Some(mut transaction) = self.transaction.take() else {
            self.warning(
                number,
                "unexpected_segment",
                format!("{id} segment outside any ST…SE transaction set: skipped"),
            );
            return;
        };
        if !transaction.is_820 {
            self.transaction = Some(transaction);
            return;
        }
        match id {
            "BPR" => {
                let credit = match element(3) {
                    "D" => false,
                    "C" | "" => true,
                    other => {
                        let message = format!("BPR03 '{other}' is neither C (credit) nor D (debit): read as a credit");
                        self.warning(number, "unexpected_segment", message);
                        true
                    }
                };
                let date = self.date(number, "BPR16", element(16));
                transaction.payment = Some(Payment {
                    segment: number,
                    amount: element(2).to_owned(),
                    credit,
                    method: non_empty(element(4)),
                    date,
                    payer_account: non_empty(element(9)),
                    payee_account: non_empty(element(15)),
                });
            }
            "TRN" => transaction.trace = transaction.trace.take().or_else(|| non_empty(element(2))),
            "CUR" => match Currency::from_code(element(2)) {
                Ok(currency) => transaction.currency = Some(currency),
                Err(_) => {
                    let message = format!("CUR02 '{}' is not an ISO 4217 currency code", element(2));
                    self.error(number, "unknown_currency", message);
                }
            },
            "N1" => match element(1) {
                "PR" => transaction.payer_name = non_empty(element(2)),
                "PE" => transaction.payee_id = non_empty(element(4)).or_else(|| non_empty(element(2))),
                _ => {}
            },
            // A header date stands in for a missing BPR16; detail dates (coverage periods) do not.
            "DTM" if transaction.remittances.is_empty() && transaction.header_date.is_none() => {
                transaction.header_date = parse_ccyymmdd(element(2));
            }
            "ENT" => transaction.open_document = false,
            "RMR" => {
                let document = element(2).to_owned();
                let reference = if element(1) == "IV" {
                    Reference::Invoice(document.clone())
                } else {
                    Reference::Other(document.clone())
                };
                if !document.is_empty() {
                    transaction.references.push(reference);
                }
                transaction.remittances.push(PendingRemittance {
                    segment: number,
                    document,
                    paid: non_empty(element(4)),
                    original: non_empty(element(5)),
                    discount: non_empty(element(6)),
                    adjustments: Vec::new(),
                });
                transaction.open_document = true;
            }
            "REF" if transaction.open_document => {
                if let Some(reference) = non_empty(element(2)) {
                    transaction.references.push(Reference::Other(reference));
                }
            }
            "ADX" => {
                let adjustment = (number, element(1).to_owned(), element(2).to_owned());
                match transaction.remittances.last_mut().filter(|_| transaction.open_document) {
                    Some(remittance) => remittance.adjustments.push(adjustment),
                    None => transaction.remittances.push(PendingRemittance {
                        segment: number,
                        document: String::new(),
                        paid: None,
                        original: None,
                        discount: None,
                        adjustments: vec![adjustment],
                    }),
                }
            }
            _ => {}
        }
        self.transaction = Some(transaction);
    }

    fn close_group(&mut self, number: usize) {
        self.close_transaction(number, None);
        if let Some((start, _, _)) = self.group.take() {
            self.error(start, "missing_trailer", "the functional group starting here has no GE trailer".to_owned());
        }
    }

    /// Ends a transaction set: at its `SE` (with `SE01`, `SE02`) or cut short.
    fn close_transaction(&mut self, number: usize, trailer: Option<(Option<u64>, String)>) {
        let Some(transaction) = self.transaction.take() else {
            if trailer.is_some() {
                self.warning(number, "unexpected_segment", "SE without an ST".to_owned());
            }
            return;
        };
        match trailer {
            Some((count, control)) => {
                if count != Some(transaction.segments) {
                    let stated = count.map_or_else(|| "no count".to_owned(), |c| c.to_string());
                    let message =
                        format!("SE01 says {stated} but the set has {} segments (ST to SE)", transaction.segments);
                    self.error(number, "segment_count_mismatch", message);
                }
                self.check_control(number, "SE02", &control, "ST02", &transaction.control_number);
            }
            None => {
                let message = "the transaction set starting here has no SE trailer".to_owned();
                self.error(transaction.first_segment, "missing_trailer", message);
            }
        }
        if transaction.is_820 {
            self.emit(transaction);
        }
    }

    fn emit(&mut self, transaction: Transaction) {
        let Some(payment) = transaction.payment else {
            let message = "transaction set without a BPR payment segment: no statement".to_owned();
            self.error(transaction.first_segment, "missing_payment", message);
            return;
        };
        let currency = transaction.currency.unwrap_or(Currency::USD);
        let Some(magnitude) = self.money(payment.segment, "BPR02", &payment.amount, currency) else { return };
        let Some(booking_date) = payment.date.or(transaction.header_date) else {
            let message = "no payment date (BPR16 or DTM): no statement".to_owned();
            self.error(payment.segment, "missing_payment", message);
            return;
        };
        // Negating stays in range: the bounds on minor units are symmetric.
        let amount = if payment.credit { Ok(magnitude) } else { Money::zero(currency).checked_sub(magnitude) };
        let Ok(amount) = amount else { return };
        let mut remittances = Vec::with_capacity(transaction.remittances.len());
        for pending in transaction.remittances {
            remittances.push(self.remittance(pending, currency));
        }
        self.check_total(payment.segment, magnitude, &remittances);
        let line = BankLine {
            booking_date,
            value_date: None,
            amount,
            bank_reference: transaction.trace.clone(),
            end_to_end_id: transaction.trace.clone(),
            counterparty_name: transaction.payer_name,
            counterparty_account: payment.payer_account,
            transaction_code: payment.method,
            remittance_text: String::new(),
            references: first_occurrences(transaction.references),
            remittances,
        };
        self.statements.push(Statement {
            id: transaction.trace.or_else(|| non_empty(&transaction.control_number)),
            account: payment.payee_account.or(transaction.payee_id).unwrap_or_default(),
            currency,
            opening: None,
            closing: None,
            lines: vec![line],
        });
    }

    fn remittance(&mut self, pending: PendingRemittance, currency: Currency) -> Remittance {
        let segment = pending.segment;
        let mut amount = |field: &str, text: Option<String>| -> Option<Money> {
            text.and_then(|t| self.money(segment, field, &t, currency))
        };
        let paid = amount("RMR04", pending.paid);
        let original = amount("RMR05", pending.original);
        let discount = amount("RMR06", pending.discount);
        let mut adjustments = Vec::with_capacity(pending.adjustments.len());
        for (number, value, reason) in pending.adjustments {
            if let Some(amount) = self.money(number, "ADX01", &value, currency) {
                adjustments.push(Adjustment { amount, reason });
            }
        }
        Remittance { document: pending.document, paid, original, discount, adjustments }
    }

    /// `BPR02 = Σ RMR04 + Σ ADX01` of adjustments outside any document.
    fn check_total(&mut self, segment: usize, payment: Money, remittances: &[Remittance]) {
        if remittances.is_empty() {
            return;
        }
        let mut total: i128 = 0;
        for remittance in remittances {
            if remittance.document.is_empty() && remittance.paid.is_none() {
                total += remittance.adjustments.iter().map(|a| i128::from(a.amount.minor())).sum::<i128>();
            } else {
                total += remittance.paid.map_or(0, |p| i128::from(p.minor()));
            }
        }
        let stated = i128::from(payment.minor());
        if total != stated {
            let currency = payment.currency();
            let message = format!(
                "the payment is {} but the remitted documents and adjustments add up to {} (difference {})",
                common::format_minor(stated, currency),
                common::format_minor(total, currency),
                common::format_minor(stated - total, currency),
            );
            self.error(segment, "remittance_total_mismatch", message);
        }
    }

    fn money(&mut self, segment: usize, field: &str, text: &str, currency: Currency) -> Option<Money> {
        match common::parse_signed_amount(text, currency, AmountFormat::POINT) {
            Ok(money) => Some(money),
            Err(problem) => {
                self.error(segment, "bad_amount", format!("{field}: {problem}"));
                None
            }
        }
    }

    fn date(&mut self, segment: usize, field: &str, text: &str) -> Option<NaiveDate> {
        if text.is_empty() {
            return None;
        }
        let parsed = parse_ccyymmdd(text);
        if parsed.is_none() {
            self.error(segment, "bad_date", format!("{field} '{text}' is not a CCYYMMDD date"));
        }
        parsed
    }

    fn check_count(&mut self, segment: usize, code: &str, field: &str, stated: &str, read: u64, what: &str) {
        if stated.parse::<u64>().ok() != Some(read) {
            self.error(segment, code, format!("{field} says '{stated}' but {read} {what} were read"));
        }
    }

    fn check_control(&mut self, segment: usize, field: &str, stated: &str, header: &str, expected: &str) {
        if stated != expected {
            let message = format!("{field} '{stated}' does not match {header} '{expected}'");
            self.error(segment, "control_number_mismatch", message);
        }
    }

    fn finish(mut self) -> ReadOutcome {
        let end = usize::MAX;
        self.close_group(end);
        if !self.trailer_seen {
            let message = "the interchange has no IEA trailer: it may be cut short".to_owned();
            self.diagnostics.push(Diagnostic {
                severity: Severity::Error,
                position: Position::File,
                code: "missing_trailer".to_owned(),
                message,
            });
        }
        ReadOutcome { statements: self.statements, diagnostics: self.diagnostics }
    }
}

/// Drops repeated references, keeping each first one in file order: O(n log n), as a
/// remittance advice can name thousands of documents.
fn first_occurrences(references: Vec<Reference>) -> Vec<Reference> {
    let mut order: Vec<usize> = (0..references.len()).collect();
    order.sort_by(|a, b| references[*a].cmp(&references[*b]).then(a.cmp(b)));
    order.dedup_by(|later, first| references[*later] == references[*first]);
    order.sort_unstable();
    let mut keep = vec![false; references.len()];
    for i in order {
        keep[i] = true;
    }
    references.into_iter().zip(keep).filter_map(|(r, k)| k.then_some(r)).collect()
}

fn parse_ccyymmdd(text: &str) -> Option<NaiveDate> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::from_ymd_opt(text.get(..4)?.parse().ok()?, text.get(4..6)?.parse().ok()?, text.get(6..8)?.parse().ok()?)
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// UTF-8 if it is, Windows-1252 otherwise.
fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => std::borrow::Cow::Owned(common::decode_windows_1252(bytes)),
    }
}
