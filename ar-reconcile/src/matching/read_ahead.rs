//! Reading ahead: the memory a block of lines' lookups will touch, read one
//! stage at a time across the block before its lines are matched.
//!
//! A run matches lines in order, because each line settles amounts the next
//! one sees. What a line's references and account find does not depend on
//! earlier lines, though, and against a million open items nearly every step
//! of a lookup misses the cache: the bucket, the invoice row, its number, the
//! row's running settled amount, the owner's entry and name. Within one line
//! those misses wait on each other. Across a block of lines they are
//! independent, so reading each stage for the whole block in a short loop lets
//! the processor overlap them, and the line-by-line pass then finds them in
//! cache. Nothing here decides anything: proposals are the same without it.

use super::Matcher;
use super::normalize::{creditor_reference_body, document_key, key_hash, normalize_account_into, tokens};
use super::policy::Pass;
use super::settled_rows::SettledRows;
use crate::{BankLine, Reference};

/// Lines read ahead at a time: enough overlapping misses to keep the memory
/// system busy, few enough that what they bring in is still cached when the
/// lines are matched.
pub(crate) const BLOCK: usize = 32;

/// Scratch space for reading ahead, reused across blocks.
#[derive(Default)]
pub(crate) struct ReadAhead {
    key: Vec<u8>,
    documents: Vec<u64>,
    accounts: Vec<u64>,
    /// The rows the block's references may name: every row the reference
    /// passes can find, and some they will reject.
    pub(crate) rows: Vec<u32>,
    owners: Vec<u32>,
    places: Vec<u32>,
    /// Folds what was read, so the reads are not optimized away.
    sink: u64,
}

impl Matcher<'_> {
    /// Reads what matching `lines` will look up; `settled` is the run's
    /// running settled amount per row.
    pub(crate) fn read_ahead(&self, ahead: &mut ReadAhead, settled: &SettledRows, lines: &[BankLine]) {
        self.block_keys(ahead, lines);
        let mut sink = self.index.read_documents(&ahead.documents, &mut ahead.rows);
        sink = sink.wrapping_add(self.read_rows(ahead, settled));
        sink = sink.wrapping_add(self.index.read_accounts(&ahead.accounts, &mut ahead.places));
        ahead.sink = std::hint::black_box(ahead.sink.wrapping_add(sink));
    }

    /// The key hashes of every document reference and account in `lines`: the
    /// structured references (and an `RF` reference's body), the end-to-end
    /// id, and, when the text pass runs, every word of the text with a digit
    /// and every match of the policy's invoice number pattern.
    fn block_keys(&self, ahead: &mut ReadAhead, lines: &[BankLine]) {
        let prefixes = self.policy.prefixes();
        let text = self.policy.last_pass_run() >= Pass::Text;
        let pattern = self.policy.number_pattern();
        let ReadAhead { key, documents, accounts, .. } = ahead;
        documents.clear();
        accounts.clear();
        let mut push = |raw: &str| {
            let key = document_key(raw, prefixes, key);
            if !key.is_empty() {
                documents.push(key_hash(key));
            }
        };
        for line in lines {
            line.remittances.iter().for_each(|r| push(&r.document));
            for reference in &line.references {
                match reference {
                    Reference::Invoice(s) | Reference::Other(s) => push(s),
                    Reference::Creditor(s) => {
                        push(s);
                        if let Some(body) = creditor_reference_body(s) {
                            push(&body);
                        }
                    }
                }
            }
            line.end_to_end_id.iter().for_each(|e2e| push(e2e));
            if text {
                tokens(&line.remittance_text).filter(|w| w.bytes().any(|b| b.is_ascii_digit())).for_each(&mut push);
                if let Some(pattern) = pattern {
                    pattern.find_iter(&line.remittance_text).for_each(|(_, m)| push(m));
                }
            }
        }
        for account in lines.iter().filter_map(|l| l.counterparty_account.as_deref()) {
            normalize_account_into(account, key);
            accounts.push(key_hash(key));
        }
    }

    /// Reads the rows' items, numbers and settled amounts, then their owners
    /// and the owners' names, each stage over all rows before the next.
    fn read_rows(&self, ahead: &mut ReadAhead, settled: &SettledRows) -> u64 {
        let items = || ahead.rows.iter().filter_map(|&row| self.items.get(row as usize));
        let mut sink = items().fold(0u64, |s, item| s.wrapping_add(item.number.len() as u64));
        for &row in &ahead.rows {
            let first = self.items.get(row as usize).and_then(|item| item.number.as_bytes().first().copied());
            let settled = settled.get(row);
            sink = sink.wrapping_add(u64::from(first.unwrap_or(0))).wrapping_add(settled as u64);
        }
        ahead.owners.clear();
        ahead.owners.extend(ahead.rows.iter().map(|&row| self.owner(row)));
        let customers = self.directory.customers();
        let names = || ahead.owners.iter().filter_map(|&c| customers.get(c as usize)).map(|c| &c.name);
        sink = names().fold(sink, |s, name| s.wrapping_add(name.len() as u64));
        names().fold(sink, |s, name| s.wrapping_add(u64::from(name.as_bytes().first().copied().unwrap_or(0))))
    }
}

#[cfg(test)]
mod tests {
    use ar_core::{Currency, CustomerId, InvoiceId, Money};
    use chrono::NaiveDate;
    use proptest::prelude::*;

    use super::*;
    use crate::Remittance;
    use crate::matching::matcher::{LineCtx, RunState};
    use crate::matching::{Customer, CustomerDirectory, MatchPolicy, OpenInvoice};

    /// How a line names an invoice, and how the number is written.
    #[derive(Debug, Clone, Copy)]
    enum Channel {
        Structured,
        Remittance,
        EndToEnd,
        TextWithPrefix,
        TextToken,
        TextBare,
        /// Spaced so that only the invoice number pattern finds it.
        TextSpaced,
    }

    fn channel() -> impl Strategy<Value = Channel> {
        prop_oneof![
            Just(Channel::Structured),
            Just(Channel::Remittance),
            Just(Channel::EndToEnd),
            Just(Channel::TextWithPrefix),
            Just(Channel::TextToken),
            Just(Channel::TextBare),
            Just(Channel::TextSpaced),
        ]
    }

    fn line(refs: &[(usize, Channel)], account: Option<usize>) -> BankLine {
        let day = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap_or_default();
        let mut line = BankLine {
            counterparty_account: account.map(|c| format!("DE00 0000 {c:04}")),
            remittance_text: "Payment 2024".to_owned(),
            ..BankLine::new(
                day,
                Money::from_minor(10_000, Currency::EUR).unwrap_or_else(|_| Money::zero(Currency::EUR)),
            )
        };
        for &(n, channel) in refs {
            match channel {
                Channel::Structured => line.references.push(Reference::Invoice(format!("inv{n}"))),
                Channel::Remittance => line.remittances.push(Remittance::new(format!("INV {n:07}"))),
                Channel::EndToEnd => line.end_to_end_id = Some(format!("INV-{n:05}")),
                Channel::TextWithPrefix => line.remittance_text.push_str(&format!(" Rechnung RE {n}")),
                Channel::TextToken => line.remittance_text.push_str(&format!(" see inv-{n:04},")),
                Channel::TextBare => line.remittance_text.push_str(&format!(" order {n:06}")),
                // No word of it normalizes to the number: only the pattern finds it.
                Channel::TextSpaced => line.remittance_text.push_str(&format!(" r e{n}")),
            }
        }
        line
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Every row the reference passes find in a block was read ahead: if a
        /// pass learns a new kind of reference, reading ahead must learn it too.
        #[test]
        fn read_ahead_covers_every_row_the_reference_passes_find(
            lines in prop::collection::vec(
                (prop::collection::vec((0usize..60, channel()), 0..4), prop::option::of(0usize..6)),
                1..80,
            ),
            with_pattern in any::<bool>(),
        ) {
            let day = NaiveDate::from_ymd_opt(2024, 5, 1).unwrap_or_default();
            let directory: CustomerDirectory = (0..6u128)
                .map(|c| Customer::new(CustomerId::from_u128(c), format!("Customer {c}")).account(format!("DE00 0000 {c:04}")))
                .collect();
            let items: Vec<OpenInvoice> = (0..60u128)
                .map(|n| {
                    let open = Money::from_minor(1_000 + n as i64, Currency::EUR).unwrap_or_else(|_| Money::zero(Currency::EUR));
                    // Two numbering schemes, so that some references name two invoices.
                    let number = if n % 2 == 0 { format!("INV-{n:05}") } else { format!("RE {}", n - 1) };
                    OpenInvoice::new(InvoiceId::from_u128(n), CustomerId::from_u128(n % 7), number, open, day, day)
                })
                .collect();
            let lines: Vec<BankLine> = lines.iter().map(|(refs, account)| line(refs, *account)).collect();
            let mut policy = MatchPolicy::new();
            if with_pattern {
                let pattern = crate::matching::InvoicePattern::parse("R-E-#{1,3}").map_err(|e| TestCaseError::fail(e.to_string()))?;
                policy = policy.invoice_number_pattern(pattern);
            }
            let matcher = Matcher::new(policy, &directory, &items).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut state = RunState::new(items.len());
            let mut ahead = ReadAhead::default();
            for (b, block) in lines.chunks(BLOCK).enumerate() {
                matcher.read_ahead(&mut ahead, &state.settled, block);
                for (i, line) in block.iter().enumerate() {
                    let ctx = LineCtx { index: b * BLOCK + i, line, currency: Currency::EUR, amount: 10_000, date: line.booking_date };
                    let (mut refs, mut evidence) = (Vec::new(), Vec::new());
                    matcher.structured_refs(&ctx, &mut state, &mut refs, &mut evidence);
                    let mut found: Vec<u32> = refs.iter().map(|r| r.row).collect();
                    matcher.text_refs(&ctx, &mut state, &mut refs);
                    found.extend(refs.iter().map(|r| r.row));
                    for row in found {
                        prop_assert!(ahead.rows.contains(&row), "line {}: row {row} found but not read ahead", ctx.index);
                    }
                }
            }
        }
    }
}
