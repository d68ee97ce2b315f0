//! Bank account exports in CSV, read through a [`CsvMapping`] that says which column
//! holds what and how numbers and dates are written.
//!
//! Every bank lays its export out differently, so nothing is guessed: the mapping
//! names the columns (by header name or 0-based index), the date formats, the decimal
//! and thousands separators and the sign convention. A row that does not fit is
//! reported with its line number and skipped; the other rows are still read.
//!
//! One [`Statement`] is returned per currency, in order of first appearance, without
//! balances (exports carry none that can be trusted). Creditor references (`RF…`) in
//! the reference and remittance columns become [`Reference::Creditor`].
//!
//! Diagnostic codes: `input_too_large`, `bad_mapping` and `missing_column` (file level;
//! nothing is read), and per row (`Position::Line`) `missing_field`, `bad_date`,
//! `bad_amount`, `missing_amount`, `ambiguous_amount`, `bad_currency`, `bad_encoding`.

use ar_core::{Currency, Money};
use chrono::NaiveDate;
use chrono::format::{Item, Parsed, StrftimeItems};

use super::common::{
    AmountFormat, check_input_size, decode_windows_1252, error, find_creditor_references, negate, parse_signed_amount,
    push_reference, push_text,
};
use crate::statement::{BankLine, Diagnostic, Position, ReadOutcome, Reference, Statement};

/// Where a value is in a row: by header name (trimmed, case-insensitive) or by
/// 0-based index.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Column {
    /// The column whose header is this name.
    Name(String),
    /// The column at this 0-based position.
    Index(usize),
}

impl From<&str> for Column {
    fn from(name: &str) -> Column {
        Column::Name(name.to_owned())
    }
}

impl From<String> for Column {
    fn from(name: String) -> Column {
        Column::Name(name)
    }
}

impl From<usize> for Column {
    fn from(index: usize) -> Column {
        Column::Index(index)
    }
}

/// Which column(s) hold the amount.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AmountColumns {
    /// One signed amount column, read by the [`SignConvention`].
    Signed(Column),
    /// Separate unsigned debit (money out) and credit (money in) columns, one of
    /// which is filled per row, as German exports have (`Soll`/`Haben`).
    DebitCredit {
        /// The debit (money out) column.
        debit: Column,
        /// The credit (money in) column.
        credit: Column,
    },
}

/// How a signed amount column shows money in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SignConvention {
    /// Money in is positive (most banks).
    #[default]
    CreditPositive,
    /// Money in is negative (card-account style exports that show the customer's debt).
    CreditNegative,
}

/// Where the currency comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CurrencySource {
    /// A column with ISO 4217 codes.
    Column(Column),
    /// One currency for the whole file.
    Fixed(Currency),
}

/// The character encoding of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TextEncoding {
    /// UTF-8 (a byte-order mark is ignored).
    #[default]
    Utf8,
    /// Windows-1252 / ISO 8859-1, common in European bank exports.
    Windows1252,
}

/// How to read one bank's CSV export: a builder value with visible defaults.
///
/// | setting | default |
/// |---|---|
/// | [`delimiter`](Self::delimiter) | `,` |
/// | [`header`](Self::header) | `true` (the first row after the skipped lines names the columns) |
/// | [`skip_lines`](Self::skip_lines) | `0` |
/// | [`booking_date`](Self::booking_date) | column `"Date"` |
/// | [`value_date`](Self::value_date) | none |
/// | amount | [`amount`](Self::amount) column `"Amount"`, or [`debit_credit`](Self::debit_credit) columns |
/// | currency | [`currency_column`](Self::currency_column) `"Currency"`, or a fixed [`currency`](Self::currency) |
/// | [`reference`](Self::reference), [`counterparty_name`](Self::counterparty_name), [`counterparty_account`](Self::counterparty_account), [`transaction_code`](Self::transaction_code) | none |
/// | [`remittance_text`](Self::remittance_text) | none (may name several columns, joined in order) |
/// | [`date_formats`](Self::date_formats) | `%Y-%m-%d`, `%d.%m.%Y`, `%m/%d/%Y`, tried in order |
/// | [`decimal_separator`](Self::decimal_separator) / [`thousands_separator`](Self::thousands_separator) | `.` / none |
/// | [`sign`](Self::sign) | [`SignConvention::CreditPositive`] |
/// | [`encoding`](Self::encoding) | [`TextEncoding::Utf8`] |
/// | [`account`](Self::account) | empty |
///
/// ```
/// use ar_core::Currency;
/// use ar_reconcile::readers::csv::{self, CsvMapping};
///
/// let export = "Buchungstag;Soll;Haben;Verwendungszweck\n\
///               02.01.2024;;1.234,56;RE 4711\n\
///               03.01.2024;-12,00;;Gebühren\n";
/// let mapping = CsvMapping::new()
///     .delimiter(b';')
///     .booking_date("Buchungstag")
///     .debit_credit("Soll", "Haben")
///     .currency(Currency::EUR)
///     .decimal_comma()
///     .remittance_text("Verwendungszweck");
/// let outcome = csv::read(export.as_bytes(), &mapping);
/// assert!(outcome.diagnostics.is_empty());
/// let amounts: Vec<String> = outcome.statements[0].lines.iter().map(|l| l.amount.to_string()).collect();
/// assert_eq!(amounts, ["1234.56 EUR", "-12.00 EUR"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvMapping {
    delimiter: u8,
    header: bool,
    skip_lines: usize,
    booking_date: Column,
    value_date: Option<Column>,
    amount: AmountColumns,
    currency: CurrencySource,
    reference: Option<Column>,
    counterparty_name: Option<Column>,
    counterparty_account: Option<Column>,
    transaction_code: Option<Column>,
    remittance_text: Vec<Column>,
    date_formats: Vec<String>,
    decimal_separator: u8,
    thousands_separator: Option<u8>,
    sign: SignConvention,
    encoding: TextEncoding,
    account: String,
}

impl Default for CsvMapping {
    fn default() -> CsvMapping {
        CsvMapping::new()
    }
}

impl CsvMapping {
    /// The defaults listed on [`CsvMapping`].
    pub fn new() -> CsvMapping {
        CsvMapping {
            delimiter: b',',
            header: true,
            skip_lines: 0,
            booking_date: Column::from("Date"),
            value_date: None,
            amount: AmountColumns::Signed(Column::from("Amount")),
            currency: CurrencySource::Column(Column::from("Currency")),
            reference: None,
            counterparty_name: None,
            counterparty_account: None,
            transaction_code: None,
            remittance_text: Vec::new(),
            date_formats: ["%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y"].map(String::from).to_vec(),
            decimal_separator: b'.',
            thousands_separator: None,
            sign: SignConvention::CreditPositive,
            encoding: TextEncoding::Utf8,
            account: String::new(),
        }
    }

    /// The field delimiter (`b','`, `b';'`, `b'\t'`).
    pub fn delimiter(mut self, delimiter: u8) -> CsvMapping {
        self.delimiter = delimiter;
        self
    }

    /// Whether the first row (after [`skip_lines`](Self::skip_lines)) names the columns.
    pub fn header(mut self, header: bool) -> CsvMapping {
        self.header = header;
        self
    }

    /// Lines to skip before the header or the first row (an export's preamble with
    /// account name and period). Line numbers in diagnostics still count them.
    pub fn skip_lines(mut self, lines: usize) -> CsvMapping {
        self.skip_lines = lines;
        self
    }

    /// The booking (posting) date column.
    pub fn booking_date(mut self, column: impl Into<Column>) -> CsvMapping {
        self.booking_date = column.into();
        self
    }

    /// The value date column; an empty cell gives no value date.
    pub fn value_date(mut self, column: impl Into<Column>) -> CsvMapping {
        self.value_date = Some(column.into());
        self
    }

    /// One signed amount column.
    pub fn amount(mut self, column: impl Into<Column>) -> CsvMapping {
        self.amount = AmountColumns::Signed(column.into());
        self
    }

    /// Separate debit and credit columns. Their values are taken as unsigned (a sign
    /// there is ignored): a debit is money out, a credit money in.
    pub fn debit_credit(mut self, debit: impl Into<Column>, credit: impl Into<Column>) -> CsvMapping {
        self.amount = AmountColumns::DebitCredit { debit: debit.into(), credit: credit.into() };
        self
    }

    /// A column holding each row's ISO 4217 currency code.
    pub fn currency_column(mut self, column: impl Into<Column>) -> CsvMapping {
        self.currency = CurrencySource::Column(column.into());
        self
    }

    /// One currency for every row.
    pub fn currency(mut self, currency: Currency) -> CsvMapping {
        self.currency = CurrencySource::Fixed(currency);
        self
    }

    /// The bank's reference column (becomes [`BankLine::bank_reference`]).
    pub fn reference(mut self, column: impl Into<Column>) -> CsvMapping {
        self.reference = Some(column.into());
        self
    }

    /// The counterparty (payer) name column.
    pub fn counterparty_name(mut self, column: impl Into<Column>) -> CsvMapping {
        self.counterparty_name = Some(column.into());
        self
    }

    /// The counterparty account (IBAN or account number) column.
    pub fn counterparty_account(mut self, column: impl Into<Column>) -> CsvMapping {
        self.counterparty_account = Some(column.into());
        self
    }

    /// The bank's transaction type column (`Buchungstext`, `Type`).
    pub fn transaction_code(mut self, column: impl Into<Column>) -> CsvMapping {
        self.transaction_code = Some(column.into());
        self
    }

    /// Adds a remittance text column. Called several times, the columns' texts are
    /// joined in that order with single spaces (exports that split the purpose over
    /// `Verwendungszweck 1`, `Verwendungszweck 2`, …).
    pub fn remittance_text(mut self, column: impl Into<Column>) -> CsvMapping {
        self.remittance_text.push(column.into());
        self
    }

    /// The date formats (chrono `strftime` syntax), tried in order until one fits.
    pub fn date_formats<S: Into<String>>(mut self, formats: impl IntoIterator<Item = S>) -> CsvMapping {
        self.date_formats = formats.into_iter().map(Into::into).collect();
        self
    }

    /// The decimal separator (`b'.'` or `b','`).
    pub fn decimal_separator(mut self, separator: u8) -> CsvMapping {
        self.decimal_separator = separator;
        self
    }

    /// The thousands separator, if amounts group digits (`Some(b',')` for
    /// `1,234.56`). Groups are checked, so `1,5` is not read as fifteen.
    pub fn thousands_separator(mut self, separator: Option<u8>) -> CsvMapping {
        self.thousands_separator = separator;
        self
    }

    /// Decimal comma with dot grouping (`1.234,56`), as German, Dutch and Italian
    /// exports write amounts.
    pub fn decimal_comma(self) -> CsvMapping {
        self.decimal_separator(b',').thousands_separator(Some(b'.'))
    }

    /// How a signed amount column shows money in.
    pub fn sign(mut self, sign: SignConvention) -> CsvMapping {
        self.sign = sign;
        self
    }

    /// The file's character encoding.
    pub fn encoding(mut self, encoding: TextEncoding) -> CsvMapping {
        self.encoding = encoding;
        self
    }

    /// The account the export is for (exports rarely name it in the rows).
    pub fn account(mut self, account: impl Into<String>) -> CsvMapping {
        self.account = account.into();
        self
    }

    fn amount_format(&self) -> AmountFormat {
        AmountFormat { decimal: self.decimal_separator, thousands: self.thousands_separator }
    }
}

/// Reads a bank CSV export as `mapping` describes it.
///
/// Never fails and never panics: a row that does not fit gives a diagnostic with its
/// 1-based line number and is skipped; a mapping that does not fit the file (a named
/// column missing from the header) gives one file-level error and nothing else.
pub fn read(input: &[u8], mapping: &CsvMapping) -> ReadOutcome {
    let mut outcome = ReadOutcome::default();
    if let Some(too_large) = check_input_size(input) {
        outcome.diagnostics.push(too_large);
        return outcome;
    }
    if let Err(bad) = check_mapping(mapping) {
        outcome.diagnostics.push(bad);
        return outcome;
    }
    let body = skip_lines(input, mapping.skip_lines);
    let decoded;
    let body = match mapping.encoding {
        TextEncoding::Utf8 => body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body),
        TextEncoding::Windows1252 => {
            decoded = decode_windows_1252(body);
            decoded.as_bytes()
        }
    };
    let mut rows =
        ::csv::ReaderBuilder::new().delimiter(mapping.delimiter).has_headers(false).flexible(true).from_reader(body);
    let mut record = ::csv::ByteRecord::new();
    // Reading from a byte slice has no I/O to fail, and byte records skip UTF-8
    // checks, so a read error is not expected; it ends the file all the same.
    let header = match mapping.header {
        true if !matches!(rows.read_byte_record(&mut record), Ok(true)) => return outcome,
        true => Some(&record),
        false => None,
    };
    let columns = match resolve(mapping, header) {
        Ok(columns) => columns,
        Err(missing) => {
            outcome.diagnostics.push(missing);
            return outcome;
        }
    };
    let formats: Vec<DateFormat<'_>> = mapping.date_formats.iter().filter_map(|f| DateFormat::compile(f)).collect();
    let mut lines = LineCounter { text: body, counted: 0, newlines: mapping.skip_lines };
    while let Ok(true) = rows.read_byte_record(&mut record) {
        if record.iter().all(|field| field.trim_ascii().is_empty()) {
            continue;
        }
        match read_row(&record, &columns, &formats, mapping) {
            Ok(line) => add_line(&mut outcome.statements, line, &mapping.account),
            Err(problem) => outcome.diagnostics.push(problem.at(lines.line_of(&record))),
        }
    }
    outcome
}

fn check_mapping(mapping: &CsvMapping) -> Result<(), Diagnostic> {
    let bad = |message: String| Err(error(Position::File, "bad_mapping", message));
    if Some(mapping.decimal_separator) == mapping.thousands_separator {
        return bad("the decimal and thousands separators are the same".into());
    }
    if mapping.date_formats.is_empty() {
        return bad("no date format is given".into());
    }
    if let Some(format) = mapping.date_formats.iter().find(|f| DateFormat::compile(f).is_none()) {
        return bad(format!("\"{format}\" is not a chrono date format"));
    }
    if !mapping.header
        && let Some(Column::Name(name)) = mapping.columns().find(|c| matches!(c, Column::Name(_)))
    {
        return bad(format!("column \"{name}\" is named, but the mapping says the file has no header row"));
    }
    Ok(())
}

impl CsvMapping {
    fn columns(&self) -> impl Iterator<Item = &Column> {
        let amount: Vec<&Column> = match &self.amount {
            AmountColumns::Signed(column) => vec![column],
            AmountColumns::DebitCredit { debit, credit } => vec![debit, credit],
        };
        let currency = match &self.currency {
            CurrencySource::Column(column) => Some(column),
            CurrencySource::Fixed(_) => None,
        };
        std::iter::once(&self.booking_date)
            .chain(amount)
            .chain(currency)
            .chain(&self.value_date)
            .chain(&self.reference)
            .chain(&self.counterparty_name)
            .chain(&self.counterparty_account)
            .chain(&self.transaction_code)
            .chain(&self.remittance_text)
    }
}

/// The input after its first `lines` lines.
fn skip_lines(input: &[u8], lines: usize) -> &[u8] {
    let mut rest = input;
    for _ in 0..lines {
        match rest.iter().position(|&b| b == b'\n') {
            Some(at) => rest = &rest[at + 1..],
            None => return &[],
        }
    }
    rest
}

/// 1-based line numbers of records, counted once through the text.
///
/// The csv crate's own line count lags by one after a `\r\n` record end, so lines
/// are counted here from the record's byte offset.
struct LineCounter<'t> {
    text: &'t [u8],
    counted: usize,
    newlines: usize,
}

impl LineCounter<'_> {
    fn line_of(&mut self, record: &::csv::ByteRecord) -> usize {
        let byte = record.position().map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        let rest = self.text.get(byte..).unwrap_or_default();
        // The offset may point at the line break ending the previous record.
        let start = byte.saturating_add(rest.iter().take_while(|&&b| b == b'\r' || b == b'\n').count());
        let start = start.min(self.text.len()).max(self.counted);
        // Like the csv crate, `\r\n`, `\n` and a lone `\r` each end a line.
        let text = self.text;
        self.newlines += (self.counted..start)
            .filter(|&i| match text[i] {
                b'\n' => true,
                b'\r' => text.get(i + 1) != Some(&b'\n'),
                _ => false,
            })
            .count();
        self.counted = start;
        self.newlines + 1
    }
}

/// The mapping's columns as indices into a row.
#[derive(Debug)]
struct Columns {
    booking_date: usize,
    value_date: Option<usize>,
    amount: ResolvedAmount,
    currency: Result<usize, Currency>,
    reference: Option<usize>,
    counterparty_name: Option<usize>,
    counterparty_account: Option<usize>,
    transaction_code: Option<usize>,
    remittance_text: Vec<usize>,
}

#[derive(Debug)]
enum ResolvedAmount {
    Signed(usize),
    DebitCredit { debit: usize, credit: usize },
}

fn resolve(mapping: &CsvMapping, header: Option<&::csv::ByteRecord>) -> Result<Columns, Diagnostic> {
    let find = |column: &Column| -> Result<usize, Diagnostic> {
        match column {
            Column::Index(index) => Ok(*index),
            Column::Name(name) => header
                .and_then(|h| h.iter().position(|cell| header_matches(cell, name)))
                .ok_or_else(|| missing_column(name, header)),
        }
    };
    let optional = |column: &Option<Column>| column.as_ref().map(find).transpose();
    Ok(Columns {
        booking_date: find(&mapping.booking_date)?,
        value_date: optional(&mapping.value_date)?,
        amount: match &mapping.amount {
            AmountColumns::Signed(column) => ResolvedAmount::Signed(find(column)?),
            AmountColumns::DebitCredit { debit, credit } => {
                ResolvedAmount::DebitCredit { debit: find(debit)?, credit: find(credit)? }
            }
        },
        currency: match &mapping.currency {
            CurrencySource::Column(column) => Ok(find(column)?),
            CurrencySource::Fixed(currency) => Err(*currency),
        },
        reference: optional(&mapping.reference)?,
        counterparty_name: optional(&mapping.counterparty_name)?,
        counterparty_account: optional(&mapping.counterparty_account)?,
        transaction_code: optional(&mapping.transaction_code)?,
        remittance_text: mapping.remittance_text.iter().map(find).collect::<Result<_, _>>()?,
    })
}

fn header_matches(cell: &[u8], name: &str) -> bool {
    let cell = cell.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(cell);
    let cell = cell.trim_ascii();
    let cell = cell.strip_prefix(b"\"").and_then(|c| c.strip_suffix(b"\"")).unwrap_or(cell);
    cell.eq_ignore_ascii_case(name.trim().as_bytes())
        || std::str::from_utf8(cell).is_ok_and(|c| c.to_lowercase() == name.trim().to_lowercase())
}

fn missing_column(name: &str, header: Option<&::csv::ByteRecord>) -> Diagnostic {
    let found: Vec<String> =
        header.map(|h| h.iter().map(|c| String::from_utf8_lossy(c).trim().to_owned()).collect()).unwrap_or_default();
    error(Position::File, "missing_column", format!("the header has no column \"{name}\"; it has {found:?}"))
}

/// What is wrong with a row; placed on its line by [`RowProblem::at`].
struct RowProblem {
    code: &'static str,
    message: String,
}

impl RowProblem {
    fn new(code: &'static str, message: impl Into<String>) -> RowProblem {
        RowProblem { code, message: message.into() }
    }

    fn at(self, line: usize) -> Diagnostic {
        error(Position::Line(line), self.code, self.message)
    }
}

fn read_row(
    record: &::csv::ByteRecord,
    columns: &Columns,
    formats: &[DateFormat<'_>],
    mapping: &CsvMapping,
) -> Result<BankLine, RowProblem> {
    let row = Row { record, encoding: mapping.encoding };
    let booking_date = parse_date(row.required(columns.booking_date, "booking date")?, formats, mapping)?;
    let value_date = match columns.value_date.map(|c| row.optional(c)).transpose()?.flatten() {
        Some(text) => Some(parse_date(text, formats, mapping)?),
        None => None,
    };
    let currency = match columns.currency {
        Ok(column) => {
            let code = row.required(column, "currency")?;
            Currency::from_code(&code.to_ascii_uppercase())
                .map_err(|bad| RowProblem::new("bad_currency", bad.to_string()))?
        }
        Err(fixed) => fixed,
    };
    let amount = read_amount(&row, &columns.amount, currency, mapping)?;
    let text_of = |column: Option<usize>| -> Result<Option<String>, RowProblem> {
        Ok(column.map(|c| row.optional(c)).transpose()?.flatten().map(str::to_owned))
    };
    let mut remittance_text = String::new();
    for &column in &columns.remittance_text {
        if let Some(text) = row.optional(column)? {
            push_text(&mut remittance_text, text);
        }
    }
    let bank_reference = text_of(columns.reference)?;
    let mut references = Vec::new();
    for text in bank_reference.iter().map(String::as_str).chain([remittance_text.as_str()]) {
        for found in find_creditor_references(text) {
            push_reference(&mut references, Reference::Creditor(found));
        }
    }
    Ok(BankLine {
        booking_date,
        value_date,
        amount,
        bank_reference,
        end_to_end_id: None,
        counterparty_name: text_of(columns.counterparty_name)?,
        counterparty_account: text_of(columns.counterparty_account)?,
        transaction_code: text_of(columns.transaction_code)?,
        remittance_text,
        references,
        remittances: Vec::new(),
    })
}

/// One row's cells as trimmed text.
struct Row<'r> {
    record: &'r ::csv::ByteRecord,
    encoding: TextEncoding,
}

impl<'r> Row<'r> {
    /// The cell's text, `None` if empty; an error if the row is too short or the
    /// cell is not valid text.
    fn optional(&self, column: usize) -> Result<Option<&'r str>, RowProblem> {
        let Some(cell) = self.record.get(column) else {
            let message = format!("the row has {} fields; column {} is missing", self.record.len(), column + 1);
            return Err(RowProblem::new("missing_field", message));
        };
        let text = std::str::from_utf8(cell).map_err(|_| {
            let hint = match self.encoding {
                TextEncoding::Utf8 => "; is the file Windows-1252?",
                TextEncoding::Windows1252 => "",
            };
            RowProblem::new("bad_encoding", format!("column {} is not valid UTF-8{hint}", column + 1))
        })?;
        let text = text.trim();
        Ok((!text.is_empty()).then_some(text))
    }

    fn required(&self, column: usize, what: &str) -> Result<&'r str, RowProblem> {
        self.optional(column)?
            .ok_or_else(|| RowProblem::new("missing_field", format!("the {what} (column {}) is empty", column + 1)))
    }
}

/// A date format, compiled once per file.
enum DateFormat<'f> {
    /// `%Y-%m-%d`, `%d.%m.%Y` or `%m/%d/%Y` in their common zero-padded form, read
    /// without chrono's format interpreter; other spellings fall back to `items`.
    Fixed { order: FieldOrder, separator: u8, items: Vec<Item<'f>> },
    /// Any other chrono format.
    Chrono(Vec<Item<'f>>),
}

#[derive(Clone, Copy)]
enum FieldOrder {
    YearMonthDay,
    DayMonthYear,
    MonthDayYear,
}

impl<'f> DateFormat<'f> {
    /// `None` if chrono cannot read the format string itself.
    fn compile(format: &'f str) -> Option<DateFormat<'f>> {
        let items = StrftimeItems::new(format).parse().ok()?;
        let (order, separator) = match format {
            "%Y-%m-%d" => (FieldOrder::YearMonthDay, b'-'),
            "%d.%m.%Y" => (FieldOrder::DayMonthYear, b'.'),
            "%m/%d/%Y" => (FieldOrder::MonthDayYear, b'/'),
            _ => return Some(DateFormat::Chrono(items)),
        };
        Some(DateFormat::Fixed { order, separator, items })
    }

    fn parse(&self, text: &str) -> Option<NaiveDate> {
        let items = match self {
            DateFormat::Fixed { order, separator, items } => {
                if let Some(date) = fixed_date(text.as_bytes(), *order, *separator) {
                    return Some(date);
                }
                items
            }
            DateFormat::Chrono(items) => items,
        };
        let mut parsed = Parsed::new();
        chrono::format::parse(&mut parsed, text, items.iter()).ok()?;
        parsed.to_naive_date().ok()
    }
}

/// `2024-03-01`, `01.03.2024` or `03/01/2024`, zero-padded, exactly.
fn fixed_date(b: &[u8], order: FieldOrder, separator: u8) -> Option<NaiveDate> {
    let number = |range: std::ops::Range<usize>| {
        let digits = b.get(range)?;
        digits.iter().all(u8::is_ascii_digit).then(|| digits.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
    };
    if b.len() != 10 {
        return None;
    }
    let (year, month, day) = match order {
        FieldOrder::YearMonthDay if b[4] == separator && b[7] == separator => {
            (number(0..4)?, number(5..7)?, number(8..10)?)
        }
        FieldOrder::DayMonthYear if b[2] == separator && b[5] == separator => {
            (number(6..10)?, number(3..5)?, number(0..2)?)
        }
        FieldOrder::MonthDayYear if b[2] == separator && b[5] == separator => {
            (number(6..10)?, number(0..2)?, number(3..5)?)
        }
        _ => return None,
    };
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

fn parse_date(text: &str, formats: &[DateFormat<'_>], mapping: &CsvMapping) -> Result<NaiveDate, RowProblem> {
    formats.iter().find_map(|format| format.parse(text)).ok_or_else(|| {
        RowProblem::new("bad_date", format!("'{text}' fits none of the date formats {:?}", mapping.date_formats))
    })
}

fn read_amount(
    row: &Row<'_>,
    columns: &ResolvedAmount,
    currency: Currency,
    mapping: &CsvMapping,
) -> Result<Money, RowProblem> {
    let parse = |text: &str| {
        parse_signed_amount(text, currency, mapping.amount_format())
            .map_err(|bad| RowProblem::new("bad_amount", bad.to_string()))
    };
    match *columns {
        ResolvedAmount::Signed(column) => {
            let amount = parse(row.required(column, "amount")?)?;
            Ok(match mapping.sign {
                SignConvention::CreditPositive => amount,
                SignConvention::CreditNegative => negate(amount),
            })
        }
        ResolvedAmount::DebitCredit { debit, credit } => {
            let debit = row.optional(debit)?.map(parse).transpose()?.filter(|m| !m.is_zero());
            let credit = row.optional(credit)?.map(parse).transpose()?.filter(|m| !m.is_zero());
            match (debit, credit) {
                (Some(debit), None) => Ok(negate(debit.abs())),
                (None, Some(credit)) => Ok(credit.abs()),
                (None, None) => {
                    Err(RowProblem::new("missing_amount", "neither the debit nor the credit column has an amount"))
                }
                (Some(debit), Some(credit)) => Err(RowProblem::new(
                    "ambiguous_amount",
                    format!("both the debit ({debit}) and the credit ({credit}) column have an amount"),
                )),
            }
        }
    }
}

/// Adds the line to the statement of its currency, opening one if needed.
fn add_line(statements: &mut Vec<Statement>, line: BankLine, account: &str) {
    let currency = line.amount.currency();
    match statements.iter_mut().find(|s| s.currency == currency) {
        Some(statement) => statement.lines.push(line),
        None => statements.push(Statement {
            id: None,
            account: account.to_owned(),
            currency,
            opening: None,
            closing: None,
            lines: vec![line],
        }),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn skipping_lines_counts_newlines() {
        assert_eq!(skip_lines(b"a\nb\nc", 0), b"a\nb\nc");
        assert_eq!(skip_lines(b"a\nb\nc", 2), b"c");
        assert_eq!(skip_lines(b"a\nb\nc", 3), b"");
        assert_eq!(skip_lines(b"a\r\nb", 1), b"b");
    }

    #[test]
    fn fixed_date_formats_agree_with_chrono() {
        let formats = ["%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y"];
        let mut day = NaiveDate::from_ymd_opt(2023, 12, 25).unwrap();
        let end = NaiveDate::from_ymd_opt(2025, 3, 5).unwrap();
        while day <= end {
            for format in formats {
                let text = day.format(format).to_string();
                let compiled = DateFormat::compile(format).unwrap();
                assert!(matches!(compiled, DateFormat::Fixed { .. }));
                assert_eq!(compiled.parse(&text), Some(day), "{text} in {format}");
            }
            day = day.succ_opt().unwrap();
        }
        let odd = [
            "2024-02-30",
            "2024-13-01",
            "1.3.2024",
            "2024-3-1",
            "03/1/2024",
            "2024/03/01",
            "2024-03-0x",
            "",
            " 2024-03-01",
        ];
        for format in formats {
            let compiled = DateFormat::compile(format).unwrap();
            for text in odd {
                let mut parsed = Parsed::new();
                let items: Vec<Item<'_>> = StrftimeItems::new(format).parse().unwrap();
                let chrono = chrono::format::parse(&mut parsed, text, items.iter())
                    .ok()
                    .and_then(|()| parsed.to_naive_date().ok());
                assert_eq!(compiled.parse(text), chrono, "{text:?} in {format}");
            }
        }
    }

    #[test]
    fn headers_match_trimmed_and_case_insensitively() {
        assert!(header_matches(b"\xEF\xBB\xBF Booking Date ", "booking date"));
        assert!(header_matches("Währung".as_bytes(), "WÄHRUNG"));
        assert!(!header_matches(b"Amount (EUR)", "Amount"));
    }
}
