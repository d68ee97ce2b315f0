//! SWIFT MT940 customer statements, as banks send them.
//!
//! Reads messages wrapped in SWIFT blocks (`{1:…}{2:…}{4:` … `-}`) and bare ones,
//! several statements per file, with the quirks real files have: free text before the
//! first tag (skipped with a warning), soft hyphens and tabs inside `:86:` text,
//! entry dates that roll over a year end, Windows-1252 bytes.
//!
//! Each `:20:` starts one [`Statement`]: `:25:` is its account, `:60F:`/`:60M:` its
//! opening balance and currency, `:62F:`/`:62M:` its closing balance, and each `:61:`
//! one [`BankLine`]. The `:86:` that follows a `:61:` fills in the line:
//!
//! * German style (`166?00GUTSCHRIFT?20EREF+…?21SVWZ+…?31DE…?32NAME`): `?20`–`?29`
//!   and `?60`–`?63` are the remittance text (`EREF+` the end-to-end id), `?31` the
//!   counterparty account, `?32`/`?33` its name;
//! * Dutch style (`/EREF/…/CNTP/IBAN/BIC/NAME/CITY/REMI/USTD//text/`): `EREF`,
//!   `NAME`, `IBAN`, `CNTP` and `REMI` fill the matching fields;
//! * anything else is remittance text.
//!
//! | code | severity | when |
//! |---|---|---|
//! | `balance_mismatch` | error | opening + Σ lines ≠ closing for a statement; or a statement's `:60a:` is not the `:62a:` (amount, mark, currency) of the previous statement of the same `:25:` account in the file |
//! | `balance_date_mismatch` | warning | that opening balance is dated another day than the previous closing balance |
//! | `sequence_gap` | warning | a numeric `:28C:` is neither the next page of the previous statement of the account, nor the next statement, nor statement 1 of a new year (`0` is unnumbered and not checked) |
//! | `bad_line`, `bad_balance`, `bad_amount`, `bad_date` | error | a tag's value does not have its format; the line or balance is skipped |
//! | `missing_currency` | error | a statement with no readable opening or closing balance: its lines cannot be valued and it is skipped |
//! | `unknown_currency` | error | a balance in a code that is not ISO 4217 |
//! | `currency_mismatch` | error | the closing balance is in another currency than the opening |
//! | `text_skipped` | warning | text outside any statement (a bank's preamble, a non-SWIFT header) |
//! | `not_mt940` | error | no MT940 tag at all |
//!
//! ```
//! use ar_reconcile::readers::mt940;
//! let file = b":20:STMT1\n:25:NL91ABNA0417164300\n:28C:1/1\n:60F:C250301EUR1000,00\n\
//!              :61:2503010301C250,00NTRFNONREF//B1\n:86:/EREF/E2E-1/NAME/ACME BV/REMI/USTD//INV 42/\n\
//!              :62F:C250301EUR1250,00\n-\n";
//! let outcome = mt940::read(file);
//! assert!(outcome.diagnostics.is_empty());
//! let line = &outcome.statements[0].lines[0];
//! assert_eq!(line.amount.to_string(), "250.00 EUR");
//! assert_eq!(line.end_to_end_id.as_deref(), Some("E2E-1"));
//! assert_eq!(line.remittance_text, "INV 42");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use ar_core::{Currency, Money};

use crate::readers::common::{self, AmountFormat};
use crate::statement::{Balance, BankLine, Diagnostic, Position, ReadOutcome, Reference, Statement};

/// Reads an MT940 file. Never fails and never panics: returns every statement it could
/// read plus diagnostics with 1-based line numbers.
pub fn read(input: &[u8]) -> ReadOutcome {
    if let Some(too_large) = common::check_input_size(input) {
        return ReadOutcome { statements: Vec::new(), diagnostics: vec![too_large] };
    }
    // Editors on Windows put a byte-order mark before the first record.
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let text = decode(input);
    let mut reader = Reader::default();
    for (tag, value) in Tags::new(&text) {
        reader.tag(tag, value);
    }
    reader.finish()
}

/// A tag with its value, lines joined with `\n`.
#[derive(Debug)]
struct Tag<'a> {
    line: usize,
    name: &'a str,
}

#[derive(Debug)]
enum Item<'a> {
    Tag(Tag<'a>),
    /// The end of a message (`-}` or `-`).
    End,
    /// A run of text outside any tag.
    Skipped {
        first: usize,
        count: usize,
    },
}

/// Splits the text into tags, skipping block headers and free text.
struct Tags<'a> {
    lines: std::iter::Peekable<std::iter::Enumerate<std::str::Lines<'a>>>,
    /// Free text seen outside a tag: (first line, count), reported once per run.
    skipped: Option<(usize, usize)>,
    /// An item found while a skipped run was being reported.
    held: Option<(Item<'a>, String)>,
}

impl<'a> Tags<'a> {
    fn new(text: &'a str) -> Self {
        Tags { lines: text.lines().enumerate().peekable(), skipped: None, held: None }
    }

    /// Reports a pending skipped run before `item`.
    fn emit(&mut self, item: Item<'a>, value: String) -> Option<(Item<'a>, String)> {
        match self.skipped.take() {
            Some((first, count)) => {
                self.held = Some((item, value));
                Some((Item::Skipped { first, count }, String::new()))
            }
            None => Some((item, value)),
        }
    }
}

impl<'a> Iterator for Tags<'a> {
    type Item = (Item<'a>, String);

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(held) = self.held.take() {
            return Some(held);
        }
        loop {
            let Some((index, raw)) = self.lines.next() else {
                let (first, count) = self.skipped.take()?;
                return Some((Item::Skipped { first, count }, String::new()));
            };
            let line = index + 1;
            let content = strip_block_headers(raw);
            if is_message_end(content) {
                return self.emit(Item::End, String::new());
            }
            let Some((name, first)) = split_tag(content) else {
                if !content.trim().is_empty() {
                    match self.skipped.as_mut() {
                        Some((_, count)) => *count += 1,
                        None => self.skipped = Some((line, 1)),
                    }
                }
                continue;
            };
            let mut value = first.to_owned();
            // Continuation lines belong to this tag until the next tag or message end.
            while let Some((_, next)) = self.lines.peek() {
                let next = strip_block_headers(next);
                if split_tag(next).is_some() || is_message_end(next) {
                    break;
                }
                value.push('\n');
                value.push_str(next);
                self.lines.next();
            }
            return self.emit(Item::Tag(Tag { line, name }), value);
        }
    }
}

/// Drops `{1:…}{2:…}{3:…}` block headers and the `{4:` opener from a line's start.
fn strip_block_headers(line: &str) -> &str {
    let mut rest = line.trim_end();
    while let Some(after) = rest.strip_prefix('{') {
        if let Some(body) = after.strip_prefix("4:") {
            rest = body;
            break;
        }
        match after.find('}') {
            // Nested braces (block 3 `{3:{108:…}}`) close with their own `}`.
            Some(end) => rest = after.get(end + 1..).unwrap_or_default().trim_start_matches('}'),
            None => return "",
        }
    }
    rest
}

/// `-}`, `-}{5:…}`, a lone `-`, or a short trailer such as ING's `-XXX`.
fn is_message_end(line: &str) -> bool {
    let trimmed = line.trim();
    match trimmed.strip_prefix('-') {
        Some(rest) => {
            rest.is_empty()
                || rest.starts_with('}')
                || (rest.len() <= 3 && rest.bytes().all(|b| b.is_ascii_uppercase()))
        }
        None => false,
    }
}

/// `:61:rest` → `("61", "rest")`; a tag is two digits and an optional letter.
fn split_tag(line: &str) -> Option<(&str, &str)> {
    let body = line.strip_prefix(':')?;
    let end = body.find(':')?;
    let name = body.get(..end)?;
    let bytes = name.as_bytes();
    let well_formed = matches!(bytes.len(), 2 | 3)
        && bytes.iter().take(2).all(u8::is_ascii_digit)
        && bytes.get(2).is_none_or(u8::is_ascii_uppercase);
    well_formed.then(|| (name, body.get(end + 1..).unwrap_or_default()))
}

/// A statement line before its currency is known.
#[derive(Debug)]
struct PendingLine {
    line: usize,
    booking_date: NaiveDate,
    value_date: NaiveDate,
    amount: Decimal,
    transaction_code: String,
    customer_reference: Option<String>,
    bank_reference: Option<String>,
    supplementary: Option<String>,
    info: String,
}

#[derive(Debug)]
struct PendingBalance {
    line: usize,
    amount: Decimal,
    currency: Option<Currency>,
    date: NaiveDate,
}

#[derive(Debug, Default)]
struct PendingStatement {
    line: usize,
    id: Option<String>,
    account: String,
    /// The first `:28C:`, if numeric, with its line.
    number: Option<(usize, StatementNumber)>,
    opening: Option<PendingBalance>,
    closing: Option<PendingBalance>,
    lines: Vec<PendingLine>,
    /// `:86:` attaches to the last line until a balance tag closes the lines.
    lines_open: bool,
}

/// `:28C:` `5n[/5n]`: the statement number and the sequence (page) within it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct StatementNumber {
    statement: u32,
    sequence: Option<u32>,
}

impl StatementNumber {
    /// `None` unless the value is digits, optionally `/` and digits.
    fn parse(value: &str) -> Option<StatementNumber> {
        let number = |digits: &str| {
            let numeric = (1..=9).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
            numeric.then(|| digits.parse().ok()).flatten()
        };
        let value = value.trim();
        match value.split_once('/') {
            Some((statement, sequence)) => {
                Some(StatementNumber { statement: number(statement)?, sequence: Some(number(sequence)?) })
            }
            None => Some(StatementNumber { statement: number(value)?, sequence: None }),
        }
    }

    /// `true` if `self` can come right after `previous`: the next page of the same
    /// statement, the next statement, or statement 1 when numbering restarts with a
    /// new year. Zero means unnumbered (ING writes `000`) and is not checked.
    fn follows(self, previous: StatementNumber, new_year: bool) -> bool {
        if self.statement == 0 || previous.statement == 0 {
            return true;
        }
        let next_page = self.statement == previous.statement
            && matches!((previous.sequence, self.sequence), (Some(p), Some(s)) if p.checked_add(1) == Some(s));
        next_page || previous.statement.checked_add(1) == Some(self.statement) || (new_year && self.statement == 1)
    }
}

impl std::fmt::Display for StatementNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.sequence {
            Some(sequence) => write!(f, "{}/{sequence}", self.statement),
            None => write!(f, "{}", self.statement),
        }
    }
}

/// What the last statement of an account leaves for the next one to carry on.
#[derive(Debug)]
struct ChainLink {
    id: Option<String>,
    /// The closing balance and its line.
    closing: Option<(Balance, usize)>,
    number: Option<StatementNumber>,
}

#[derive(Debug, Default)]
struct Reader {
    statement: Option<PendingStatement>,
    statements: Vec<Statement>,
    /// The last statement read of each account (by `:25:`), for the chain check.
    chains: BTreeMap<String, ChainLink>,
    diagnostics: Vec<Diagnostic>,
    tags_seen: bool,
}

impl Reader {
    fn error(&mut self, line: usize, code: &str, message: String) {
        self.diagnostics.push(common::error(Position::Line(line), code, message));
    }

    fn tag(&mut self, item: Item<'_>, value: String) {
        let tag = match item {
            Item::End => {
                self.close_statement();
                return;
            }
            Item::Skipped { first, count } => {
                let message = format!("{count} line(s) of text outside any MT940 tag skipped");
                self.diagnostics.push(common::warning(Position::Line(first), "text_skipped", message));
                return;
            }
            Item::Tag(tag) => tag,
        };
        self.tags_seen = true;
        if tag.name == "20" {
            self.close_statement();
            let id = value.trim();
            self.statement = Some(PendingStatement {
                line: tag.line,
                id: (!id.is_empty()).then(|| id.to_owned()),
                ..PendingStatement::default()
            });
            return;
        }
        if self.statement.is_none() {
            // A bare file may start its statement without `:20:`.
            self.statement = Some(PendingStatement { line: tag.line, ..PendingStatement::default() });
        }
        match tag.name {
            "25" => self.with_statement(|s| s.account = value.trim().to_owned()),
            "28C" => self.with_statement(|s| {
                if s.number.is_none() {
                    s.number = StatementNumber::parse(&value).map(|n| (tag.line, n));
                }
            }),
            "60F" | "60M" => {
                let balance = self.balance(tag.line, &value);
                self.with_statement(|s| {
                    s.opening = balance;
                    s.lines_open = false;
                });
            }
            "62F" | "62M" => {
                let balance = self.balance(tag.line, &value);
                self.with_statement(|s| {
                    s.closing = balance;
                    s.lines_open = false;
                });
            }
            "64" | "65" => self.with_statement(|s| s.lines_open = false),
            "61" => {
                let line = self.statement_line(tag.line, &value);
                self.with_statement(|s| match line {
                    Some(line) => {
                        s.lines.push(line);
                        s.lines_open = true;
                    }
                    // The :86: of a skipped line must not land on the line before it.
                    None => s.lines_open = false,
                });
            }
            "86" => self.with_statement(|s| {
                if s.lines_open
                    && let Some(last) = s.lines.last_mut()
                {
                    if !last.info.is_empty() {
                        last.info.push('\n');
                    }
                    last.info.push_str(&value);
                }
            }),
            // :21: related reference, :28C: statement number, :13D: date-time, :34F: floor limit …
            _ => {}
        }
    }

    fn with_statement(&mut self, f: impl FnOnce(&mut PendingStatement)) {
        if let Some(statement) = self.statement.as_mut() {
            f(statement);
        }
    }

    /// `C250301EUR1000,00`: mark, YYMMDD, currency, amount.
    fn balance(&mut self, line: usize, value: &str) -> Option<PendingBalance> {
        let value = value.trim();
        let parsed = parse_balance(value);
        let Some((negative, date, code, amount)) = parsed else {
            self.error(line, "bad_balance", format!("'{value}' is not a balance (C/D, YYMMDD, currency, amount)"));
            return None;
        };
        let currency = match Currency::from_code(code) {
            Ok(currency) => Some(currency),
            Err(_) => {
                self.error(line, "unknown_currency", format!("'{code}' is not an ISO 4217 currency code"));
                None
            }
        };
        Some(PendingBalance { line, amount: if negative { -amount } else { amount }, currency, date })
    }

    fn statement_line(&mut self, line: usize, value: &str) -> Option<PendingLine> {
        match parse_statement_line(value) {
            Ok(parsed) => Some(PendingLine { line, info: String::new(), ..parsed }),
            Err(problem) => {
                let first = value.lines().next().unwrap_or_default();
                self.error(line, problem.code(), format!(":61: '{first}' skipped: {}", problem.message()));
                None
            }
        }
    }

    fn close_statement(&mut self) {
        let Some(pending) = self.statement.take() else { return };
        let currency = pending
            .opening
            .as_ref()
            .and_then(|b| b.currency)
            .or_else(|| pending.closing.as_ref().and_then(|b| b.currency));
        let Some(currency) = currency else {
            let message = format!(
                "statement {} has no readable opening or closing balance, so its currency is unknown: {} line(s) skipped",
                pending.id.as_deref().unwrap_or("without :20:"),
                pending.lines.len()
            );
            self.error(pending.line, "missing_currency", message);
            // The next statement of this account cannot be chained to one not read.
            self.chains.remove(&pending.account);
            return;
        };
        let opening_line = pending.opening.as_ref().map_or(pending.line, |b| b.line);
        let closing_line = pending.closing.as_ref().map_or(pending.line, |b| b.line);
        let opening = self.final_balance(pending.opening, currency);
        let closing = self.final_balance(pending.closing, currency);
        let mut lines = Vec::with_capacity(pending.lines.len());
        for line in pending.lines {
            match Money::new(line.amount, currency) {
                Ok(amount) => lines.push(bank_line(line, amount)),
                Err(problem) => self.error(line.line, "bad_amount", format!(":61: amount skipped: {problem}")),
            }
        }
        let statement = Statement { id: pending.id, account: pending.account, currency, opening, closing, lines };
        if let Some(mismatch) = common::check_balance(&statement, Position::Line(pending.line)) {
            self.diagnostics.push(mismatch);
        }
        let link = ChainLink {
            id: statement.id.clone(),
            closing: statement.closing.clone().map(|b| (b, closing_line)),
            number: pending.number.map(|(_, n)| n),
        };
        if !statement.account.is_empty()
            && let Some(previous) = self.chains.insert(statement.account.clone(), link)
        {
            self.check_chain(&previous, &statement, opening_line, pending.number);
        }
        self.statements.push(statement);
    }

    /// A statement must carry on where the previous statement of its account ended:
    /// SWIFT has `:60a:` repeat the last `:62a:` (amount, mark, currency and date), and
    /// `:28C:` count on.
    fn check_chain(
        &mut self,
        previous: &ChainLink,
        statement: &Statement,
        opening_line: usize,
        number: Option<(usize, StatementNumber)>,
    ) {
        let account = &statement.account;
        let id = statement.id.as_deref().unwrap_or("without :20:");
        let previous_id = previous.id.as_deref().unwrap_or("without :20:");
        if let (Some((closing, closing_line)), Some(opening)) = (&previous.closing, &statement.opening) {
            if closing.amount != opening.amount {
                let difference = opening
                    .amount
                    .checked_sub(closing.amount)
                    .map(|d| format!(" (difference {d})"))
                    .unwrap_or_default();
                let message = format!(
                    "statement {id} opens account {account} with {}, but the previous statement {previous_id} closed it \
                     with {} (line {closing_line}){difference}",
                    opening.amount, closing.amount
                );
                self.error(opening_line, "balance_mismatch", message);
            }
            if closing.date != opening.date {
                let message = format!(
                    "statement {id} opens account {account} on {}, but the previous statement {previous_id} closed it \
                     on {} (line {closing_line})",
                    opening.date, closing.date
                );
                self.diagnostics.push(common::warning(Position::Line(opening_line), "balance_date_mismatch", message));
            }
        }
        if let (Some(before), Some((line, now))) = (previous.number, number) {
            // The statement's own date is its closing date, else its opening date.
            let date = statement.closing.as_ref().or(statement.opening.as_ref()).map(|b| b.date);
            let new_year = match (&previous.closing, date) {
                (Some((closing, _)), Some(date)) => date.year() != closing.date.year(),
                _ => false,
            };
            if !now.follows(before, new_year) {
                let message = format!(
                    "statement number {now} of account {account} does not follow {before} of the previous statement \
                     {previous_id}: a statement may be missing or repeated"
                );
                self.diagnostics.push(common::warning(Position::Line(line), "sequence_gap", message));
            }
        }
    }

    fn final_balance(&mut self, balance: Option<PendingBalance>, currency: Currency) -> Option<Balance> {
        let balance = balance?;
        let own = balance.currency?;
        if own != currency {
            let message = format!("balance in {own} on a statement in {currency}: ignored");
            self.error(balance.line, "currency_mismatch", message);
            return None;
        }
        match Money::new(balance.amount, currency) {
            Ok(amount) => Some(Balance { amount, date: balance.date }),
            Err(problem) => {
                self.error(balance.line, "bad_amount", format!("balance skipped: {problem}"));
                None
            }
        }
    }

    fn finish(mut self) -> ReadOutcome {
        self.close_statement();
        if !self.tags_seen {
            let message = "no MT940 tag (:20:, :25:, :60F:, :61:, …) found".to_owned();
            self.diagnostics.push(common::error(Position::File, "not_mt940", message));
        }
        ReadOutcome { statements: self.statements, diagnostics: self.diagnostics }
    }
}

fn bank_line(line: PendingLine, amount: Money) -> BankLine {
    let info = parse_information(&line.info);
    let mut references = Vec::new();
    if let Some(reference) = line.customer_reference.filter(|r| !r.eq_ignore_ascii_case("NONREF")) {
        common::push_reference(&mut references, Reference::Other(reference));
    }
    for reference in info.references {
        common::push_reference(&mut references, reference);
    }
    if may_hold_creditor_reference(&info.text) {
        for creditor in common::find_creditor_references(&info.text) {
            common::push_reference(&mut references, Reference::Creditor(creditor));
        }
    }
    let mut remittance_text = info.text;
    if remittance_text.is_empty()
        && let Some(supplementary) = &line.supplementary
    {
        common::push_text(&mut remittance_text, supplementary);
    }
    BankLine {
        booking_date: line.booking_date,
        value_date: Some(line.value_date),
        amount,
        bank_reference: line.bank_reference,
        end_to_end_id: info.end_to_end_id,
        counterparty_name: info.name,
        counterparty_account: info.account,
        transaction_code: Some(line.transaction_code),
        remittance_text,
        references,
        remittances: Vec::new(),
    }
}

/// Why a `:61:` could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineProblem {
    ValueDate,
    EntryDate,
    Mark,
    Amount,
    TransactionType,
}

impl LineProblem {
    fn code(self) -> &'static str {
        match self {
            LineProblem::ValueDate | LineProblem::EntryDate => "bad_date",
            LineProblem::Amount => "bad_amount",
            LineProblem::Mark | LineProblem::TransactionType => "bad_line",
        }
    }

    fn message(self) -> &'static str {
        match self {
            LineProblem::ValueDate => "the value date is not YYMMDD",
            LineProblem::EntryDate => "the entry date is not MMDD",
            LineProblem::Mark => "no debit/credit mark (C, D, RC, RD)",
            LineProblem::Amount => "the amount is not digits with a decimal comma",
            LineProblem::TransactionType => "no transaction type (N, F or S and three characters)",
        }
    }
}

/// `6!n[4!n]2a[1!a]15d1!a3!c16x[//16x]` and an optional second line (34x).
fn parse_statement_line(value: &str) -> Result<PendingLine, LineProblem> {
    let mut lines = value.split('\n');
    let first = lines.next().unwrap_or_default().trim();
    let supplementary: String = lines.map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
    let mut cursor = Cursor { rest: first };

    let value_date = cursor.take_digits(6).and_then(parse_yymmdd).ok_or(LineProblem::ValueDate)?;
    let booking_date = match cursor.peek_digits(4) {
        Some(mmdd) => {
            cursor.advance(4);
            entry_date(value_date, mmdd).ok_or(LineProblem::EntryDate)?
        }
        None => value_date,
    };
    let credit = if cursor.eat("RC") {
        false
    } else if cursor.eat("RD") || cursor.eat("C") {
        true
    } else if cursor.eat("D") {
        false
    } else {
        return Err(LineProblem::Mark);
    };
    // The funds code is the third letter of the currency code, if given.
    if cursor.rest.as_bytes().first().is_some_and(u8::is_ascii_alphabetic) {
        cursor.advance(1);
    }
    let amount_len = cursor.rest.bytes().take_while(|b| b.is_ascii_digit() || *b == b',' || *b == b'.').count();
    let amount_text = cursor.rest.get(..amount_len).unwrap_or_default();
    cursor.advance(amount_len);
    let magnitude = parse_comma_amount(amount_text).ok_or(LineProblem::Amount)?;
    let code = cursor.rest.get(..4).filter(|c| c.is_ascii() && c.len() == 4).ok_or(LineProblem::TransactionType)?;
    if !matches!(code.as_bytes().first(), Some(b'N' | b'F' | b'S')) {
        return Err(LineProblem::TransactionType);
    }
    cursor.advance(4);
    let (customer, bank) = match cursor.rest.split_once("//") {
        Some((customer, bank)) => (customer, Some(bank)),
        None => (cursor.rest, None),
    };
    let non_empty = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    Ok(PendingLine {
        line: 0,
        booking_date,
        value_date,
        amount: if credit { magnitude } else { -magnitude },
        transaction_code: code.to_owned(),
        customer_reference: non_empty(customer),
        bank_reference: bank.and_then(non_empty),
        supplementary: non_empty(&supplementary),
        info: String::new(),
    })
}

struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn peek_digits(&self, n: usize) -> Option<&'a str> {
        self.rest.get(..n).filter(|d| d.len() == n && d.bytes().all(|b| b.is_ascii_digit()))
    }

    fn take_digits(&mut self, n: usize) -> Option<&'a str> {
        let digits = self.peek_digits(n)?;
        self.advance(n);
        Some(digits)
    }

    fn eat(&mut self, prefix: &str) -> bool {
        match self.rest.strip_prefix(prefix) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn advance(&mut self, n: usize) {
        self.rest = self.rest.get(n..).unwrap_or_default();
    }
}

/// The entry date `MMDD` in the year that puts it nearest the value date, so that a
/// value date of 31 December with entry `0102` books on 2 January of the next year.
fn entry_date(value_date: NaiveDate, mmdd: &str) -> Option<NaiveDate> {
    let month: u32 = mmdd.get(..2)?.parse().ok()?;
    let day: u32 = mmdd.get(2..4)?.parse().ok()?;
    let year = value_date.year();
    [year - 1, year, year + 1]
        .into_iter()
        .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
        .min_by_key(|d| (*d - value_date).num_days().abs())
}

/// `C250301EUR1000,00` → (negative, date, currency code, amount).
fn parse_balance(value: &str) -> Option<(bool, NaiveDate, &str, Decimal)> {
    let negative = match value.as_bytes().first()? {
        b'C' => false,
        b'D' => true,
        _ => return None,
    };
    let date = parse_yymmdd(value.get(1..7)?)?;
    let code = value.get(7..10)?;
    let amount = parse_comma_amount(value.get(10..)?.trim())?;
    Some((negative, date, code, amount))
}

/// `1234,56` (SWIFT), also `1234.56` as some banks write it; no sign, no grouping.
fn parse_comma_amount(text: &str) -> Option<Decimal> {
    let format = if text.contains(',') { AmountFormat::COMMA } else { AmountFormat::POINT };
    let normalized: Cow<'_, str> = match text.strip_suffix([',', '.']) {
        // SWIFT allows `100,` for a whole amount.
        Some(whole) => Cow::Owned(whole.to_owned()),
        None => Cow::Borrowed(text),
    };
    if normalized.is_empty() || !normalized.bytes().all(|b| b.is_ascii_digit() || b == format.decimal) {
        return None;
    }
    // Read at the widest scale any currency has; the statement currency checks it later.
    let money = common::parse_signed_amount(&normalized, Currency::CLF, format).ok()?;
    Some(money.amount().normalize())
}

/// `YYMMDD`; years 00–68 are 2000–2068, 69–99 are 1969–1999 (as chrono's `%y`).
fn parse_yymmdd(text: &str) -> Option<NaiveDate> {
    if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let yy: i32 = text.get(..2)?.parse().ok()?;
    let year = if yy < 69 { 2000 + yy } else { 1900 + yy };
    NaiveDate::from_ymd_opt(year, text.get(2..4)?.parse().ok()?, text.get(4..6)?.parse().ok()?)
}

/// What a `:86:` says about a line.
#[derive(Debug, Default, PartialEq, Eq)]
struct Information {
    text: String,
    end_to_end_id: Option<String>,
    name: Option<String>,
    account: Option<String>,
    references: Vec<Reference>,
}

/// `RF` in any case: the cheap test that spares most lines the full search.
fn may_hold_creditor_reference(text: &str) -> bool {
    text.as_bytes().windows(2).any(|w| w.eq_ignore_ascii_case(b"RF"))
}

fn parse_information(info: &str) -> Information {
    if info.trim().is_empty() {
        return Information::default();
    }
    if let Some(german) = parse_german(info) {
        return german;
    }
    if let Some(dutch) = parse_dutch(info) {
        return dutch;
    }
    let mut text = String::new();
    for line in info.split('\n') {
        common::push_text(&mut text, line);
    }
    Information { text, ..Information::default() }
}

/// German (DFÜ/DK) structure: a three-digit business code, then `?NN` subfields.
/// Lines are cut at fixed width, so they join without a separator.
fn parse_german(info: &str) -> Option<Information> {
    let joined: String = info.split('\n').collect();
    let start = joined.find('?')?;
    let prefix = joined.get(..start)?.trim();
    if !(prefix.is_empty() || (prefix.len() == 3 && prefix.bytes().all(|b| b.is_ascii_digit()))) {
        return None;
    }
    let mut fields: Vec<(u8, &str)> = Vec::new();
    for part in joined.get(start + 1..)?.split('?') {
        let key = part.get(..2).filter(|k| k.bytes().all(|b| b.is_ascii_digit()))?;
        fields.push((key.parse().ok()?, part.get(2..).unwrap_or_default()));
    }
    let mut purpose = Vec::new();
    let mut name = Vec::new();
    let mut account = None;
    for (key, value) in fields {
        match key {
            20..=29 | 60..=63 => purpose.push(value),
            31 => account = Some(value.trim().to_owned()).filter(|a| !a.is_empty()),
            32 | 33 => name.push(value),
            _ => {}
        }
    }
    let (text, end_to_end_id) = split_sepa_purpose(&join_subfields(&purpose));
    let name = join_subfields(&name);
    let mut joined_text = String::new();
    common::push_text(&mut joined_text, &text);
    let mut joined_name = String::new();
    common::push_text(&mut joined_name, &name);
    Some(Information {
        text: joined_text,
        end_to_end_id,
        name: Some(joined_name).filter(|n| !n.is_empty()),
        account,
        references: Vec::new(),
    })
}

/// Subfields hold 27 characters: a full one was cut mid-word and joins the next
/// without a space; a shorter one ended at a word boundary.
fn join_subfields(parts: &[&str]) -> String {
    const WIDTH: usize = 27;
    let mut joined = String::new();
    let mut glue = false;
    for part in parts {
        if glue {
            joined.push(' ');
        }
        joined.push_str(part);
        glue = part.chars().count() < WIDTH;
    }
    joined
}

/// SEPA purpose keywords inside German `?2x` text: `EREF+` end-to-end id, `SVWZ+`
/// remittance text; without keywords the whole purpose is the text.
fn split_sepa_purpose(purpose: &str) -> (String, Option<String>) {
    const KEYWORDS: [&str; 9] = ["EREF+", "KREF+", "MREF+", "CRED+", "DEBT+", "SVWZ+", "ABWA+", "ABWE+", "IBAN+"];
    let mut marks: Vec<(usize, &str)> =
        KEYWORDS.iter().flat_map(|k| purpose.match_indices(k).map(|(at, _)| (at, *k)).collect::<Vec<_>>()).collect();
    if marks.is_empty() {
        return (purpose.to_owned(), None);
    }
    marks.sort_unstable();
    let mut text = purpose.get(..marks.first().map_or(0, |m| m.0)).unwrap_or_default().to_owned();
    let mut end_to_end_id = None;
    for (i, (at, key)) in marks.iter().enumerate() {
        let end = marks.get(i + 1).map_or(purpose.len(), |m| m.0);
        let value = purpose.get(at + key.len()..end).unwrap_or_default().trim();
        match *key {
            "EREF+" if !value.eq_ignore_ascii_case("NOTPROVIDED") && !value.is_empty() => {
                end_to_end_id = Some(value.to_owned());
            }
            "SVWZ+" => {
                text.push(' ');
                text.push_str(value);
            }
            _ => {}
        }
    }
    (text, end_to_end_id)
}

/// Dutch (ING, ABN AMRO, Rabobank) structure: `/KEY/value/KEY/value…`.
fn parse_dutch(info: &str) -> Option<Information> {
    const KEYS: [&str; 22] = [
        "EREF", "REMI", "NAME", "IBAN", "BIC", "CNTP", "ORDP", "BENM", "TRTP", "MARF", "CSID", "PURP", "RTRN", "ID",
        "ADDR", "ULTC", "ULTD", "ULTB", "ISDT", "RTRE", "CREF", "SVCL",
    ];
    let joined: String = info.split('\n').map(str::trim_end).collect();
    let joined = joined.trim();
    // A key sits between two slashes and is at most four letters long.
    let is_key_at = |at: usize| -> Option<&'static str> {
        let after = joined.get(at + 1..)?;
        let end = after.bytes().take(5).position(|b| b == b'/')?;
        let candidate = after.get(..end)?;
        KEYS.iter().copied().find(|k| *k == candidate)
    };
    if !joined.starts_with('/') || is_key_at(0).is_none() {
        return None;
    }
    // Positions of `/KEY/`, in order.
    let mut marks = Vec::new();
    for (at, _) in joined.match_indices('/') {
        if let Some(key) = is_key_at(at) {
            marks.push((at, key));
        }
    }
    let mut info_out = Information::default();
    for (i, (at, key)) in marks.iter().enumerate() {
        let end = marks.get(i + 1).map_or(joined.len(), |m| m.0);
        let value = joined.get(at + key.len() + 2..end).unwrap_or_default().trim_end_matches('/').trim();
        match *key {
            "EREF" if !value.eq_ignore_ascii_case("NOTPROVIDED") && !value.is_empty() => {
                info_out.end_to_end_id = Some(value.to_owned());
            }
            "NAME" if info_out.name.is_none() && !value.is_empty() => info_out.name = Some(value.to_owned()),
            "IBAN" if info_out.account.is_none() && !value.is_empty() => info_out.account = Some(value.to_owned()),
            // CNTP/account/BIC/name/city
            "CNTP" => {
                let mut parts = value.split('/');
                let account = parts.next().unwrap_or_default().trim();
                let name = parts.nth(1).unwrap_or_default().trim();
                if info_out.account.is_none() && !account.is_empty() {
                    info_out.account = Some(account.to_owned());
                }
                if info_out.name.is_none() && !name.is_empty() {
                    info_out.name = Some(name.to_owned());
                }
            }
            "REMI" => remittance_info(value, &mut info_out),
            _ => {}
        }
    }
    Some(info_out)
}

/// `USTD//free text`, `STRD/CUR/RF18…` or plain text.
fn remittance_info(value: &str, out: &mut Information) {
    if let Some(text) = value.strip_prefix("USTD") {
        common::push_text(&mut out.text, text.trim_start_matches('/'));
    } else if let Some(structured) = value.strip_prefix("STRD") {
        let reference = structured.trim_start_matches('/').rsplit('/').next().unwrap_or_default().trim();
        if !reference.is_empty() {
            common::push_text(&mut out.text, reference);
            match common::normalize_creditor_reference(reference) {
                Some(creditor) => common::push_reference(&mut out.references, Reference::Creditor(creditor)),
                None => common::push_reference(&mut out.references, Reference::Other(reference.to_owned())),
            }
        }
    } else {
        common::push_text(&mut out.text, value);
    }
}

/// UTF-8 if it is, Windows-1252 otherwise; soft hyphens become `-` and control
/// characters (tabs) become spaces, so the text reads as the sender meant it.
fn decode(input: &[u8]) -> Cow<'_, str> {
    let plain = |b: &u8| (b' '..=b'~').contains(b) || *b == b'\n' || *b == b'\r';
    if input.iter().all(plain) {
        // Printable ASCII (the usual SWIFT character set) needs no cleaning.
        return Cow::Borrowed(std::str::from_utf8(input).unwrap_or_default());
    }
    let text: Cow<'_, str> = match std::str::from_utf8(input) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(common::decode_windows_1252(input)),
    };
    let cleaned: String = text
        .chars()
        .map(|c| match c {
            '\u{AD}' => '-',
            '\n' | '\r' => c,
            c if c.is_control() || c.is_whitespace() => ' ',
            c => c,
        })
        .collect();
    Cow::Owned(cleaned)
}
