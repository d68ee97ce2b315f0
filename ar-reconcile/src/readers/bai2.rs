//! BAI2 (BAI Cash Management Balance Reporting Specifications, version 2).
//!
//! A BAI2 file is a stream of comma-separated records, each ending with `/`:
//! `01` file header, `02` group header (as-of date, default currency), `03` account
//! with summary amounts (`010` opening ledger, `015` closing ledger, …), `16`
//! transaction detail, `88` continuation of the record before it, `49` account
//! trailer, `98` group trailer, `99` file trailer.
//!
//! Each `03`…`49` account section becomes one [`Statement`]: opening and closing from
//! the `010`/`015` summary amounts, one [`BankLine`] per `16` record whose type code
//! says credit (100–399) or debit (400–699), booked on the group's as-of date.
//!
//! Amounts are integers in the currency's minor units (the decimals are implied by
//! the currency: `10000` is 100.00 GBP but 10000 JPY). The reader checks what the
//! file itself promises and reports what does not hold:
//!
//! | code | severity | when |
//! |---|---|---|
//! | `control_total_mismatch` | error | a `49`/`98`/`99` control total differs from the sum of the amounts it covers |
//! | `record_count_mismatch` | error | a trailer's record, account or group count differs from what was read |
//! | `balance_mismatch` | error | opening ledger + credits − debits ≠ closing ledger |
//! | `bad_amount`, `bad_date` | error | a field that should be a number or a `YYMMDD` date is not |
//! | `unknown_currency` | error | an account's currency is not an ISO 4217 code; its statement is skipped |
//! | `blank_amount` | warning | a `16` record without an amount: kept as a zero line |
//! | `unknown_type_code` | warning | a `16` type code that is neither credit nor debit: the line is skipped |
//! | `unknown_funds_type`, `unknown_record`, `unexpected_record`, `missing_trailer`, `not_bai2` | warning/error | structure problems |
//!
//! An account's control total is the sum of the amounts in its `03` summary items and
//! `16` details (not item counts, not availability amounts of funds types `S` and `D`);
//! a group's is the sum of its `49` totals as stated, a file's the sum of its `98`s, so
//! each trailer is checked against what it covers directly.
//!
//! Customer references go to [`BankLine::references`] as [`Reference::Other`]; the
//! text field, with its `88` continuations, is joined with single spaces.
//!
//! ```
//! use ar_reconcile::readers::bai2;
//! let file = b"01,BANK,CUST,250301,0800,1,,,2/\n\
//!              02,CUST,BANK,1,250228,,USD,2/\n\
//!              03,1234567,USD,010,100000,,,015,112500,,/\n\
//!              16,175,12500,0,BREF1,CREF1,INVOICE 4711/\n\
//!              49,225000,3/\n\
//!              98,225000,1,5/\n\
//!              99,225000,1,7/\n";
//! let outcome = bai2::read(file);
//! assert!(outcome.diagnostics.is_empty());
//! let line = &outcome.statements[0].lines[0];
//! assert_eq!(line.amount.to_string(), "125.00 USD");
//! assert_eq!(line.remittance_text, "INVOICE 4711");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use chrono::NaiveDate;

use ar_core::{Currency, Money};

use crate::readers::common;
use crate::statement::{Balance, BankLine, Diagnostic, Position, ReadOutcome, Reference, Severity, Statement};

/// Reads a BAI2 file. Never fails and never panics: returns every account section it
/// could read plus diagnostics with 1-based record (line) numbers.
pub fn read(input: &[u8]) -> ReadOutcome {
    if let Some(too_large) = common::check_input_size(input) {
        return ReadOutcome { statements: Vec::new(), diagnostics: vec![too_large] };
    }
    // Editors on Windows put a byte-order mark before the first record.
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let mut reader = Reader::default();
    // One buffer for every record and its continuations; empty until the first record.
    let mut pending = Logical { code: &[], line: 0, segments: Vec::new() };
    for (index, raw) in physical_lines(input).enumerate() {
        let line = index + 1;
        let content = trim_ascii(raw);
        if content.is_empty() {
            continue;
        }
        let (code, body) = split_code(content);
        if code == b"88" {
            if pending.segments.is_empty() {
                let message = "an 88 continuation with no record before it".to_owned();
                reader.diag(Severity::Error, line, "unexpected_record", message);
            } else {
                pending.segments.push(Segment { line, bytes: body });
            }
            continue;
        }
        if !pending.segments.is_empty() {
            reader.record(&pending);
        }
        pending.code = code;
        pending.line = line;
        pending.segments.clear();
        pending.segments.push(Segment { line, bytes: body });
    }
    if !pending.segments.is_empty() {
        reader.record(&pending);
    }
    reader.finish()
}

/// One physical record's fields (after the record code).
#[derive(Debug, Clone, Copy)]
struct Segment<'a> {
    line: usize,
    bytes: &'a [u8],
}

/// A record with its `88` continuations.
#[derive(Debug)]
struct Logical<'a> {
    code: &'a [u8],
    line: usize,
    segments: Vec<Segment<'a>>,
}

/// Walks the fields of a logical record across its continuations.
///
/// A field ends at `,` or at the record's `/`; after a `/` the next field comes from
/// the next continuation.
struct Fields<'a, 'b> {
    segments: &'b [Segment<'a>],
    segment: usize,
    pos: Option<usize>,
}

impl<'a, 'b> Fields<'a, 'b> {
    fn new(segments: &'b [Segment<'a>]) -> Self {
        Fields { segments, segment: 0, pos: Some(0) }
    }

    fn next(&mut self) -> Option<&'a [u8]> {
        loop {
            let segment = self.segments.get(self.segment)?;
            let Some(start) = self.pos else {
                self.segment += 1;
                self.pos = Some(0);
                continue;
            };
            let bytes = segment.bytes.get(start..).unwrap_or_default();
            let end = bytes.iter().position(|b| *b == b',' || *b == b'/');
            return Some(match end {
                Some(end) => {
                    self.pos = if bytes.get(end) == Some(&b',') { Some(start + end + 1) } else { None };
                    trim_ascii(bytes.get(..end).unwrap_or_default())
                }
                None => {
                    self.pos = None;
                    trim_ascii(bytes)
                }
            });
        }
    }

    /// The line the cursor is on, for diagnostics.
    fn line(&self) -> usize {
        let last = self.segments.len().saturating_sub(1);
        self.segments.get(self.segment.min(last)).map_or(0, |s| s.line)
    }

    /// The text field: the rest of the record, continuations joined with spaces.
    fn rest_text(mut self) -> String {
        let mut text = String::new();
        while let Some(segment) = self.segments.get(self.segment) {
            if let Some(start) = self.pos {
                let piece = trim_end_ascii(segment.bytes.get(start..).unwrap_or_default());
                // The record's closing slash is not part of the text.
                let piece = piece.strip_suffix(b"/").unwrap_or(piece);
                common::push_text(&mut text, &decode(piece));
            }
            self.segment += 1;
            self.pos = Some(0);
        }
        text
    }
}

#[derive(Debug, Default)]
struct FileState {
    header_seen: bool,
    trailer_seen: bool,
    records: u64,
    groups: u64,
    /// Σ of the group control totals (stated where a `98` gave one).
    control_total: i128,
}

#[derive(Debug)]
struct GroupState {
    line: usize,
    as_of: Option<NaiveDate>,
    /// `None` if the group's code is not a known currency.
    currency: Option<Currency>,
    records: u64,
    accounts: u64,
    control_total: i128,
}

#[derive(Debug)]
struct AccountState {
    line: usize,
    number: String,
    currency: Option<Currency>,
    as_of: Option<NaiveDate>,
    opening_minor: Option<i128>,
    closing_minor: Option<i128>,
    records: u64,
    control_total: i128,
    lines: Vec<BankLine>,
}

#[derive(Debug, Default)]
struct Reader {
    file: FileState,
    group: Option<GroupState>,
    account: Option<AccountState>,
    recognised: bool,
    outcome: ReadOutcome,
}

impl Reader {
    fn diag(&mut self, severity: Severity, line: usize, code: &str, message: String) {
        self.outcome.diagnostics.push(Diagnostic {
            severity,
            position: Position::Line(line),
            code: code.to_owned(),
            message,
        });
    }

    fn record(&mut self, logical: &Logical<'_>) {
        let physical = logical.segments.len() as u64;
        self.file.records = self.file.records.saturating_add(physical);
        if let Some(group) = self.group.as_mut() {
            group.records = group.records.saturating_add(physical);
        }
        // A 03 starts its own count; the open account (if any) lost its trailer.
        if logical.code != b"03"
            && let Some(account) = self.account.as_mut()
        {
            account.records = account.records.saturating_add(physical);
        }
        if self.file.trailer_seen {
            self.diag(
                Severity::Warning,
                logical.line,
                "unexpected_record",
                "a record after the 99 file trailer".to_owned(),
            );
        }
        match logical.code {
            b"01" => self.file_header(logical),
            b"02" => self.group_header(logical),
            b"03" => self.account_header(logical),
            b"16" => self.detail(logical),
            b"49" => self.account_trailer(logical),
            b"98" => self.group_trailer(logical),
            b"99" => self.file_trailer(logical),
            other => {
                let code = decode(other);
                self.diag(
                    Severity::Warning,
                    logical.line,
                    "unknown_record",
                    format!("record type '{code}' is not BAI2: skipped"),
                );
            }
        }
    }

    fn file_header(&mut self, logical: &Logical<'_>) {
        self.recognised = true;
        if self.file.header_seen {
            self.diag(Severity::Error, logical.line, "unexpected_record", "a second 01 file header".to_owned());
        }
        self.file.header_seen = true;
        let mut fields = Fields::new(&logical.segments);
        let _sender = fields.next();
        let _receiver = fields.next();
        let created = fields.next().unwrap_or_default();
        if !created.is_empty() && parse_yymmdd(created).is_none() {
            self.bad_date(logical.line, "file creation date", created);
        }
    }

    fn group_header(&mut self, logical: &Logical<'_>) {
        self.recognised = true;
        if !self.file.header_seen {
            self.diag(
                Severity::Warning,
                logical.line,
                "unexpected_record",
                "a 02 group header before any 01 file header".to_owned(),
            );
        }
        self.close_group_if_open();
        let mut fields = Fields::new(&logical.segments);
        let _receiver = fields.next();
        let _originator = fields.next();
        let _status = fields.next();
        let date_field = fields.next().unwrap_or_default();
        let _time = fields.next();
        let currency_field = fields.next().unwrap_or_default();
        let as_of = parse_yymmdd(date_field);
        if as_of.is_none() {
            self.bad_date(logical.line, "group as-of date", date_field);
        }
        let currency = self.currency(logical.line, currency_field, Some(Currency::USD));
        self.file.groups = self.file.groups.saturating_add(1);
        let physical = logical.segments.len() as u64;
        self.group =
            Some(GroupState { line: logical.line, as_of, currency, records: physical, accounts: 0, control_total: 0 });
    }

    fn account_header(&mut self, logical: &Logical<'_>) {
        self.recognised = true;
        self.close_account_if_open();
        let (default_currency, as_of) = match self.group.as_mut() {
            Some(group) => {
                group.accounts = group.accounts.saturating_add(1);
                (group.currency, group.as_of)
            }
            None => {
                self.diag(
                    Severity::Error,
                    logical.line,
                    "unexpected_record",
                    "a 03 account record outside any 02 group".to_owned(),
                );
                (Some(Currency::USD), None)
            }
        };
        let mut fields = Fields::new(&logical.segments);
        let number = decode(fields.next().unwrap_or_default()).into_owned();
        let currency_field = fields.next().unwrap_or_default();
        let currency = self.currency(fields.line(), currency_field, default_currency);
        let mut account = AccountState {
            line: logical.line,
            number,
            currency,
            as_of,
            opening_minor: None,
            closing_minor: None,
            records: logical.segments.len() as u64,
            control_total: 0,
            lines: Vec::new(),
        };
        while let Some(type_code) = fields.next() {
            let line = fields.line();
            let amount_field = fields.next().unwrap_or_default();
            let _item_count = fields.next();
            let amount = self.amount(line, amount_field);
            self.funds(&mut fields);
            if type_code.is_empty() {
                continue;
            }
            if let Some(amount) = amount {
                account.control_total = account.control_total.saturating_add(amount);
                match type_code {
                    b"010" => account.opening_minor = Some(amount),
                    b"015" => account.closing_minor = Some(amount),
                    _ => {}
                }
            }
        }
        self.account = Some(account);
    }

    fn detail(&mut self, logical: &Logical<'_>) {
        self.recognised = true;
        let mut fields = Fields::new(&logical.segments);
        let type_field = fields.next().unwrap_or_default();
        let amount_field = fields.next().unwrap_or_default();
        let amount = self.amount(logical.line, amount_field);
        let value_date = self.funds(&mut fields);
        let bank_reference = non_empty(fields.next().unwrap_or_default());
        let customer_reference = non_empty(fields.next().unwrap_or_default());
        let text = fields.rest_text();

        let Some(mut account) = self.account.take() else {
            self.diag(
                Severity::Error,
                logical.line,
                "unexpected_record",
                "a 16 detail record outside any 03 account".to_owned(),
            );
            return;
        };
        if let Some(amount) = amount {
            account.control_total = account.control_total.saturating_add(amount);
        }
        let type_name = decode(type_field).into_owned();
        let credit = match type_field_number(type_field) {
            Some(100..=399) => true,
            Some(400..=699) => false,
            _ => {
                let message = format!(
                    "type code '{type_name}' is neither a credit (100–399) nor a debit (400–699): line skipped"
                );
                self.diag(Severity::Warning, logical.line, "unknown_type_code", message);
                self.account = Some(account);
                return;
            }
        };
        let magnitude = match amount {
            Some(amount) => amount,
            None => {
                if amount_field.is_empty() {
                    self.diag(
                        Severity::Warning,
                        logical.line,
                        "blank_amount",
                        format!("detail {type_name} has no amount: kept as zero"),
                    );
                    0
                } else {
                    // `amount` already reported the bad field.
                    self.account = Some(account);
                    return;
                }
            }
        };
        let signed = if credit { magnitude } else { magnitude.saturating_neg() };
        if let (Some(currency), Some(booking_date)) = (account.currency, account.as_of) {
            match money(signed, currency) {
                Some(amount) => {
                    let mut references = Vec::new();
                    if let Some(reference) = customer_reference {
                        common::push_reference(&mut references, Reference::Other(reference));
                    }
                    if may_hold_creditor_reference(&text) {
                        for creditor in common::find_creditor_references(&text) {
                            common::push_reference(&mut references, Reference::Creditor(creditor));
                        }
                    }
                    account.lines.push(BankLine {
                        booking_date,
                        value_date,
                        amount,
                        bank_reference,
                        end_to_end_id: None,
                        counterparty_name: None,
                        counterparty_account: None,
                        transaction_code: Some(type_name),
                        remittance_text: text,
                        references,
                        remittances: Vec::new(),
                    });
                }
                None => self.out_of_range(logical.line, signed, currency),
            }
        }
        self.account = Some(account);
    }

    fn account_trailer(&mut self, logical: &Logical<'_>) {
        self.recognised = true;
        let mut fields = Fields::new(&logical.segments);
        let total = self.amount(logical.line, fields.next().unwrap_or_default());
        let count = self.count(logical.line, fields.next().unwrap_or_default());
        let Some(account) = self.account.take() else {
            self.diag(
                Severity::Error,
                logical.line,
                "unexpected_record",
                "a 49 account trailer with no 03 account open".to_owned(),
            );
            return;
        };
        if let Some(total) = total
            && total != account.control_total
        {
            let message = format!(
                "account {} control total is {total} but its amounts add up to {}",
                account.number, account.control_total
            );
            self.diag(Severity::Error, logical.line, "control_total_mismatch", message);
        }
        if let Some(count) = count
            && count != account.records
        {
            let message =
                format!("account {} trailer counts {count} records but {} were read", account.number, account.records);
            self.diag(Severity::Error, logical.line, "record_count_mismatch", message);
        }
        self.close_account(account, total);
    }

    fn group_trailer(&mut self, logical: &Logical<'_>) {
        self.recognised = true;
        self.close_account_if_open();
        let mut fields = Fields::new(&logical.segments);
        let total = self.amount(logical.line, fields.next().unwrap_or_default());
        let accounts = self.count(logical.line, fields.next().unwrap_or_default());
        let records = self.count(logical.line, fields.next().unwrap_or_default());
        let Some(group) = self.group.take() else {
            self.diag(
                Severity::Error,
                logical.line,
                "unexpected_record",
                "a 98 group trailer with no 02 group open".to_owned(),
            );
            return;
        };
        if let Some(total) = total
            && total != group.control_total
        {
            let message = format!("group control total is {total} but its accounts add up to {}", group.control_total);
            self.diag(Severity::Error, logical.line, "control_total_mismatch", message);
        }
        self.check_count(logical.line, "group", "accounts", accounts, group.accounts);
        self.check_count(logical.line, "group", "records", records, group.records);
        let carried = total.unwrap_or(group.control_total);
        self.file.control_total = self.file.control_total.saturating_add(carried);
    }

    fn file_trailer(&mut self, logical: &Logical<'_>) {
        self.recognised = true;
        self.close_group_if_open();
        let mut fields = Fields::new(&logical.segments);
        let total = self.amount(logical.line, fields.next().unwrap_or_default());
        let groups = self.count(logical.line, fields.next().unwrap_or_default());
        let records = self.count(logical.line, fields.next().unwrap_or_default());
        if let Some(total) = total
            && total != self.file.control_total
        {
            let message = format!("file control total is {total} but its groups add up to {}", self.file.control_total);
            self.diag(Severity::Error, logical.line, "control_total_mismatch", message);
        }
        self.check_count(logical.line, "file", "groups", groups, self.file.groups);
        self.check_count(logical.line, "file", "records", records, self.file.records);
        self.file.trailer_seen = true;
    }

    fn check_count(&mut self, line: usize, level: &str, what: &str, stated: Option<u64>, read: u64) {
        if let Some(stated) = stated
            && stated != read
        {
            let message = format!("{level} trailer counts {stated} {what} but {read} were read");
            self.diag(Severity::Error, line, "record_count_mismatch", message);
        }
    }

    /// Ends a group whose 98 trailer never came, carrying its computed total.
    fn close_group_if_open(&mut self) {
        self.close_account_if_open();
        if let Some(group) = self.group.take() {
            self.missing_trailer(group.line, "98 group trailer");
            self.file.control_total = self.file.control_total.saturating_add(group.control_total);
        }
    }

    fn close_account_if_open(&mut self) {
        if let Some(account) = self.account.take() {
            self.missing_trailer(account.line, "49 account trailer");
            self.close_account(account, None);
        }
    }

    /// Ends an account section: checks the ledger balances and emits its statement.
    fn close_account(&mut self, account: AccountState, stated_total: Option<i128>) {
        if let Some(group) = self.group.as_mut() {
            let carried = stated_total.unwrap_or(account.control_total);
            group.control_total = group.control_total.saturating_add(carried);
        }
        let Some(currency) = account.currency else { return };
        let Some(date) = account.as_of else { return };
        let opening = self.balance(account.line, account.opening_minor, currency, date);
        let closing = self.balance(account.line, account.closing_minor, currency, date);
        let statement =
            Statement { id: None, account: account.number, currency, opening, closing, lines: account.lines };
        if let Some(mismatch) = common::check_balance(&statement, Position::Line(account.line)) {
            self.outcome.diagnostics.push(mismatch);
        }
        self.outcome.statements.push(statement);
    }

    fn balance(&mut self, line: usize, minor: Option<i128>, currency: Currency, date: NaiveDate) -> Option<Balance> {
        let minor = minor?;
        match money(minor, currency) {
            Some(amount) => Some(Balance { amount, date }),
            None => {
                self.out_of_range(line, minor, currency);
                None
            }
        }
    }

    fn missing_trailer(&mut self, line: usize, what: &str) {
        self.diag(Severity::Error, line, "missing_trailer", format!("the section starting here has no {what}"));
    }

    /// Reads a funds type and the fields it brings; returns the value date of type `V`.
    fn funds(&mut self, fields: &mut Fields<'_, '_>) -> Option<NaiveDate> {
        let line = fields.line();
        let funds_type = fields.next()?;
        match funds_type {
            b"" | b"Z" | b"0" | b"1" | b"2" => None,
            b"V" => {
                let date = fields.next().unwrap_or_default();
                let _time = fields.next();
                let parsed = parse_yymmdd(date);
                if parsed.is_none() {
                    self.bad_date(line, "value date", date);
                }
                parsed
            }
            b"S" => {
                for _ in 0..3 {
                    let amount = fields.next().unwrap_or_default();
                    self.amount(line, amount);
                }
                None
            }
            b"D" => {
                let count = self.count(line, fields.next().unwrap_or_default()).unwrap_or(0);
                for _ in 0..count {
                    let Some(_days) = fields.next() else { break };
                    let amount = fields.next().unwrap_or_default();
                    self.amount(line, amount);
                }
                None
            }
            other => {
                let name = decode(other);
                let message = format!("funds type '{name}' is not 0, 1, 2, V, S, D or Z: read as no availability data");
                self.diag(Severity::Warning, line, "unknown_funds_type", message);
                None
            }
        }
    }

    /// A signed integer amount; `None` if blank (silently) or bad (with a diagnostic).
    fn amount(&mut self, line: usize, field: &[u8]) -> Option<i128> {
        if field.is_empty() {
            return None;
        }
        let parsed = parse_signed(field);
        if parsed.is_none() {
            let text = decode(field);
            self.diag(Severity::Error, line, "bad_amount", format!("'{text}' is not an amount in minor units"));
        }
        parsed
    }

    fn count(&mut self, line: usize, field: &[u8]) -> Option<u64> {
        if field.is_empty() {
            return None;
        }
        let parsed = parse_signed(field).and_then(|n| u64::try_from(n).ok());
        if parsed.is_none() {
            let text = decode(field);
            self.diag(Severity::Error, line, "bad_amount", format!("'{text}' is not a count"));
        }
        parsed
    }

    fn currency(&mut self, line: usize, field: &[u8], default: Option<Currency>) -> Option<Currency> {
        if field.is_empty() {
            return default;
        }
        let code = decode(field);
        match Currency::from_code(&code) {
            Ok(currency) => Some(currency),
            Err(_) => {
                let message = format!("'{code}' is not an ISO 4217 currency code: the amounts it scales are skipped");
                self.diag(Severity::Error, line, "unknown_currency", message);
                None
            }
        }
    }

    fn bad_date(&mut self, line: usize, what: &str, field: &[u8]) {
        let text = decode(field);
        self.diag(Severity::Error, line, "bad_date", format!("{what} '{text}' is not a YYMMDD date"));
    }

    fn out_of_range(&mut self, line: usize, minor: i128, currency: Currency) {
        self.diag(Severity::Error, line, "bad_amount", format!("{minor} minor units of {currency} is out of range"));
    }

    fn finish(mut self) -> ReadOutcome {
        self.close_group_if_open();
        if !self.recognised {
            self.outcome.diagnostics.push(Diagnostic {
                severity: Severity::Error,
                position: Position::File,
                code: "not_bai2".to_owned(),
                message: "no BAI2 records (01, 02, 03, 16, 49, 98, 99) found".to_owned(),
            });
        } else if !self.file.trailer_seen {
            self.outcome.diagnostics.push(Diagnostic {
                severity: Severity::Error,
                position: Position::File,
                code: "missing_trailer".to_owned(),
                message: "the file has no 99 file trailer: it may be cut short".to_owned(),
            });
        }
        self.outcome
    }
}

/// Splits on `\n`, `\r\n` or a lone `\r`.
fn physical_lines(input: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = input;
    let mut done = input.is_empty();
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        match rest.iter().position(|b| *b == b'\n' || *b == b'\r') {
            Some(end) => {
                let line = rest.get(..end).unwrap_or_default();
                let mut next = end + 1;
                if rest.get(end) == Some(&b'\r') && rest.get(end + 1) == Some(&b'\n') {
                    next += 1;
                }
                rest = rest.get(next..).unwrap_or_default();
                if rest.is_empty() {
                    done = true;
                }
                Some(line)
            }
            None => {
                done = true;
                Some(rest)
            }
        }
    })
}

/// The record code and the rest after its comma.
fn split_code(record: &[u8]) -> (&[u8], &[u8]) {
    match record.iter().position(|b| *b == b',' || *b == b'/') {
        Some(end) if record.get(end) == Some(&b',') => {
            (trim_ascii(record.get(..end).unwrap_or_default()), record.get(end + 1..).unwrap_or_default())
        }
        Some(end) => (trim_ascii(record.get(..end).unwrap_or_default()), &[]),
        None => (record, &[]),
    }
}

fn type_field_number(field: &[u8]) -> Option<u16> {
    if field.len() != 3 || !field.iter().all(u8::is_ascii_digit) {
        return None;
    }
    field.iter().try_fold(0u16, |acc, d| acc.checked_mul(10)?.checked_add(u16::from(d - b'0')))
}

/// `[+-]digits`, at most 30 digits so the value fits an `i128` with room for sums.
fn parse_signed(field: &[u8]) -> Option<i128> {
    let (negative, digits) = match field.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, field),
    };
    if digits.is_empty() || digits.len() > 30 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = digits.iter().try_fold(0i128, |acc, d| acc.checked_mul(10)?.checked_add(i128::from(d - b'0')))?;
    Some(if negative { -value } else { value })
}

/// `YYMMDD`; years 00–68 are 2000–2068, 69–99 are 1969–1999 (as chrono's `%y`).
fn parse_yymmdd(field: &[u8]) -> Option<NaiveDate> {
    if field.len() != 6 || !field.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let two = |i: usize| -> Option<u32> {
        let hi = u32::from(*field.get(i)? - b'0');
        let lo = u32::from(*field.get(i + 1)? - b'0');
        Some(hi * 10 + lo)
    };
    let yy = two(0)?;
    let year = if yy < 69 { 2000 + yy } else { 1900 + yy };
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, two(2)?, two(4)?)
}

fn money(minor: i128, currency: Currency) -> Option<Money> {
    Money::from_minor(i64::try_from(minor).ok()?, currency).ok()
}

/// `RF` in any case: the cheap test that spares most lines the full search.
fn may_hold_creditor_reference(text: &str) -> bool {
    text.as_bytes().windows(2).any(|w| w.eq_ignore_ascii_case(b"RF"))
}

fn non_empty(field: &[u8]) -> Option<String> {
    if field.is_empty() { None } else { Some(decode(field).into_owned()) }
}

/// UTF-8 if it is, Windows-1252 otherwise (banks still send 8-bit text).
fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => std::borrow::Cow::Owned(common::decode_windows_1252(bytes)),
    }
}

fn trim_ascii(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

fn trim_end_ascii(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii_end()
}
