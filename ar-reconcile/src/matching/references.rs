//! Passes (a) and (b): invoices a bank line names, by structured reference or
//! in its free text.

use std::sync::Arc;

use super::dedup::{Positions, SCAN_MAX, keep_first_of_each};
use super::evidence::ReferenceSource;
use super::index::NONE;
use super::matcher::{LineCtx, RunState};
use super::normalize::{creditor_reference_body, digit_count, document_key, tokens};
use super::pattern::InvoicePattern;
use super::{Evidence, Matcher};
use crate::Reference;

/// How a referenced invoice was found, borrowing the line's text: the words
/// are copied only into the evidence of the invoices kept.
#[derive(Debug, Clone)]
pub(crate) enum Found<'l> {
    Structured {
        source: ReferenceSource,
        reference: &'l str,
    },
    /// A token of the text, or a prefix word joined to the number after it.
    Text {
        prefix: Option<&'l str>,
        token: &'l str,
    },
}

/// An invoice row a line refers to, with the amount the remittance says it pays.
#[derive(Debug, Clone)]
pub(crate) struct Ref<'l> {
    pub(crate) row: u32,
    pub(crate) paid: Option<i64>,
    /// The dense number of the invoice's customer: looked up once in
    /// [`Matcher::referenced`], which asks for it several times.
    pub(crate) owner: u32,
    pub(crate) found: Found<'l>,
}

impl Found<'_> {
    /// The text as the evidence shows it: a prefix word and its number joined
    /// by one space.
    fn shown(&self) -> String {
        match self {
            Found::Structured { reference, .. } => (*reference).to_owned(),
            Found::Text { prefix: Some(prefix), token } => [prefix, " ", token].concat(),
            Found::Text { prefix: None, token } => (*token).to_owned(),
        }
    }
}

/// The referenced invoices that may be settled, and the customer they belong to.
pub(crate) struct Referenced<'r, 'l> {
    pub(crate) customer: u32,
    pub(crate) refs: &'r [Ref<'l>],
}

impl Matcher<'_> {
    /// Pass (a): remittance documents, structured references and the end-to-end id,
    /// into `refs` (cleared first).
    pub(crate) fn structured_refs<'l>(
        &self,
        ctx: &LineCtx<'l>,
        state: &mut RunState<'_>,
        refs: &mut Vec<Ref<'l>>,
        evidence: &mut Vec<Evidence>,
    ) {
        let line = ctx.line;
        refs.clear();
        for r in &line.remittances {
            let paid = r.paid.filter(|m| m.currency() == ctx.currency).map(|m| m.minor());
            self.lookup(state, &r.document, &r.document, ReferenceSource::Remittance, paid, true, refs, evidence);
        }
        for reference in &line.references {
            match reference {
                Reference::Invoice(s) => {
                    self.lookup(state, s, s, ReferenceSource::Invoice, None, true, refs, evidence);
                }
                Reference::Creditor(s) => {
                    // The creditor's own reference sits inside the RF envelope.
                    let body = creditor_reference_body(s);
                    let source = ReferenceSource::Creditor;
                    let found = self.lookup(state, s, s, source, None, body.is_none(), refs, evidence);
                    if let (false, Some(body)) = (found, body) {
                        self.lookup(state, &body, s, source, None, true, refs, evidence);
                    }
                }
                Reference::Other(s) => {
                    self.lookup(state, s, s, ReferenceSource::Other, None, false, refs, evidence);
                }
            }
        }
        if let Some(e2e) = &line.end_to_end_id {
            self.lookup(state, e2e, e2e, ReferenceSource::EndToEndId, None, false, refs, evidence);
        }
        dedup_rows(refs);
    }

    /// Looks `reference` up; evidence names it as `shown` (the text as written).
    #[allow(clippy::too_many_arguments)]
    fn lookup<'l>(
        &self,
        state: &mut RunState<'_>,
        reference: &str,
        shown: &'l str,
        source: ReferenceSource,
        paid: Option<i64>,
        report_unknown: bool,
        refs: &mut Vec<Ref<'l>>,
        evidence: &mut Vec<Evidence>,
    ) -> bool {
        let prefixes = self.policy.prefixes();
        let key = document_key(reference, prefixes, &mut state.key);
        if key.is_empty() {
            return false;
        }
        state.hits.clear();
        self.index.documents(self.items, key, prefixes, &mut state.buf, &mut state.hits);
        if state.hits.is_empty() && report_unknown {
            evidence.push(Evidence::ReferenceUnknown { source, reference: shown.to_owned() });
        }
        for &row in &state.hits {
            refs.push(Ref { row, paid, owner: NONE, found: Found::Structured { source, reference: shown } });
        }
        !state.hits.is_empty()
    }

    /// Pass (b): invoice numbers in the free text, into `refs` (cleared first).
    /// A prefix word joins the token after it (`INV 00042`); a bare number
    /// needs the policy's minimum digits. Without an invoice number pattern a
    /// number the payer spaced (`SO 2026 00042`) is three words and not found;
    /// with one, [`Matcher::pattern_refs`] finds it.
    pub(crate) fn text_refs<'l>(&self, ctx: &LineCtx<'l>, state: &mut RunState<'_>, refs: &mut Vec<Ref<'l>>) {
        let prefixes = self.policy.prefixes();
        let has_digits = |w: &str| w.bytes().any(|b| b.is_ascii_digit());
        let mut words = tokens(&ctx.line.remittance_text).peekable();
        refs.clear();
        while let Some(word) = words.next() {
            // Document numbers in free text carry digits; a word without any is
            // looked at only as a prefix joined to the number after it (`INV 42`).
            let (prefix, token) = if has_digits(word) {
                (None, word)
            } else {
                match words.peek() {
                    Some(next) if has_digits(next) && is_prefix_word(word, prefixes) => {
                        state.joined.clear();
                        state.joined.extend([word, " ", next]);
                        (Some(word), *next)
                    }
                    _ => continue,
                }
            };
            let candidate: &str = if prefix.is_some() { &state.joined } else { token };
            let bare = !candidate.chars().any(char::is_alphabetic);
            if bare && digit_count(candidate) < self.policy.reference_digits_min() {
                continue;
            }
            let key = document_key(candidate, prefixes, &mut state.key);
            if key.len() < 2 {
                continue;
            }
            state.hits.clear();
            self.index.documents(self.items, key, prefixes, &mut state.buf, &mut state.hits);
            for &row in &state.hits {
                refs.push(Ref { row, paid: None, owner: NONE, found: Found::Text { prefix, token } });
            }
        }
        if let Some(pattern) = self.policy.number_pattern() {
            self.pattern_refs(pattern, ctx, state, refs);
        }
        dedup_rows(refs);
    }

    /// The host's numbers as its pattern finds them in the text, spaces and
    /// all (`so 2026 00042`), after the words: a number the words already
    /// found keeps the evidence it had. The match is brought to the index's
    /// normal form like any reference, and every hit is confirmed against the
    /// invoice's own number there.
    fn pattern_refs<'l>(
        &self,
        pattern: &InvoicePattern,
        ctx: &LineCtx<'l>,
        state: &mut RunState<'_>,
        refs: &mut Vec<Ref<'l>>,
    ) {
        let prefixes = self.policy.prefixes();
        for (_, token) in pattern.find_iter(&ctx.line.remittance_text) {
            let key = document_key(token, prefixes, &mut state.key);
            if key.is_empty() {
                continue;
            }
            state.hits.clear();
            self.index.documents(self.items, key, prefixes, &mut state.buf, &mut state.hits);
            for &row in &state.hits {
                refs.push(Ref { row, paid: None, owner: NONE, found: Found::Text { prefix: None, token } });
            }
        }
    }

    /// Keeps in `refs` the referenced invoices that can take money from this
    /// line: in its currency, of one customer, still open. Says why the others
    /// were left out.
    ///
    /// The customer is the payer's (by account) when a reference belongs to it;
    /// otherwise the first customer whose referenced invoices explain the amount
    /// on their own; otherwise the customer of the first reference.
    pub(crate) fn referenced<'r, 'l>(
        &self,
        state: &RunState<'_>,
        ctx: &LineCtx<'_>,
        refs: &'r mut Vec<Ref<'l>>,
        payer: Option<u32>,
        evidence: &mut Vec<Evidence>,
        settled_hint: &mut Option<(u32, u32)>,
    ) -> Option<Referenced<'r, 'l>> {
        for r in refs.iter_mut() {
            r.owner = self.owner(r.row);
        }
        let customer = self.choose_customer(state, ctx, refs, payer).unwrap_or(NONE);
        let mut others = OtherCustomers::default();
        refs.retain(|r| {
            let item = &self.items[r.row as usize];
            let owner = r.owner;
            if item.currency() == ctx.currency && owner != customer {
                if others.list(&item.number, evidence) {
                    evidence.push(Evidence::ReferenceOtherCustomer {
                        document: item.number.clone(),
                        customer_name: self.customer_name(owner),
                    });
                }
                return false;
            }
            if item.currency() != ctx.currency {
                evidence.push(Evidence::ReferenceOtherCurrency {
                    document: item.number.clone(),
                    currency: item.currency().code().to_owned(),
                });
                false
            } else if item.document_date > ctx.date {
                // Money booked before the invoice was issued cannot pay it (the
                // ledger refuses to apply cash to an invoice not issued yet).
                evidence
                    .push(Evidence::ReferenceIssuedLater { document: item.number.clone(), issued: item.document_date });
                false
            } else if self.remaining(state, r.row) == 0 {
                evidence.push(Evidence::ReferenceNotOpen { document: item.number.clone() });
                settled_hint.get_or_insert((customer, r.row));
                false
            } else {
                let document = item.number.clone();
                evidence.push(match &r.found {
                    Found::Structured { source, .. } => {
                        Evidence::ReferenceMatched { source: *source, reference: r.found.shown(), document }
                    }
                    Found::Text { .. } => Evidence::ReferenceInText { token: r.found.shown(), document },
                });
                true
            }
        });
        others.flush(evidence);
        let refs: &'r [Ref<'l>] = refs;
        (!refs.is_empty()).then_some(Referenced { customer, refs })
    }

    /// The customer of the referenced invoices in the line's currency: see [`Matcher::referenced`].
    ///
    /// The payer if it owns one of them; else, of their owners in the order
    /// they first appear, the first whose referenced items the amount pays (one
    /// of them alone, gross or net of its discount, or all together); else the
    /// first owner.
    fn choose_customer(
        &self,
        state: &RunState<'_>,
        ctx: &LineCtx<'_>,
        refs: &[Ref<'_>],
        payer: Option<u32>,
    ) -> Option<u32> {
        let in_currency = || refs.iter().filter(|r| self.items[r.row as usize].currency() == ctx.currency);
        if let Some(p) = payer.filter(|p| in_currency().any(|r| r.owner == *p)) {
            return Some(p);
        }
        let first = in_currency().next()?.owner;
        if in_currency().all(|r| r.owner == first) {
            return Some(first).filter(|c| *c != NONE);
        }
        let paid = if in_currency().nth(SCAN_MAX).is_none() {
            self.first_paid_owner_scan(state, ctx, in_currency())
        } else {
            self.first_paid_owner_sorted(state, ctx, &in_currency().collect::<Vec<_>>())
        };
        paid.or(Some(first)).filter(|c| *c != NONE)
    }

    /// `true` if the amount pays one of `refs` alone (gross or net of its
    /// discount) or all of them together.
    fn pays(&self, state: &RunState<'_>, ctx: &LineCtx<'_>, mut refs: impl Iterator<Item = u32> + Clone) -> bool {
        let left = |row: u32| self.remaining(state, row);
        let open: i128 = refs.clone().map(|row| i128::from(left(row))).sum();
        open == i128::from(ctx.amount)
            || refs.any(|row| {
                left(row) == ctx.amount || left(row) - self.discount_available(state, ctx, row) == ctx.amount
            })
    }

    /// Of the owners of `refs` in the order they first appear, the first the
    /// amount [pays](Matcher::pays): by comparing each with those before it,
    /// for the few a line usually names.
    fn first_paid_owner_scan<'r, 'l: 'r>(
        &self,
        state: &RunState<'_>,
        ctx: &LineCtx<'_>,
        refs: impl Iterator<Item = &'r Ref<'l>> + Clone,
    ) -> Option<u32> {
        refs.clone().enumerate().find_map(|(i, r)| {
            let owner = r.owner;
            let first_time = !refs.clone().take(i).any(|x| x.owner == owner);
            let rows = refs.clone().filter(move |x| x.owner == owner).map(|x| x.row);
            (first_time && self.pays(state, ctx, rows)).then_some(owner)
        })
    }

    /// [`Matcher::first_paid_owner_scan`] with the owners grouped by sorting:
    /// an advice can name invoices of thousands of customers (a payment
    /// service paying for many), where the scan is quadratic.
    fn first_paid_owner_sorted(&self, state: &RunState<'_>, ctx: &LineCtx<'_>, refs: &[&Ref<'_>]) -> Option<u32> {
        let by_owner = Positions::new(refs.iter().map(|r| r.owner));
        let pays = |group: &[(u32, usize)]| {
            self.pays(state, ctx, group.iter().filter_map(|(_, at)| refs.get(*at).map(|r| r.row)))
        };
        // A group's first entry is its owner's first appearance.
        let paid = by_owner.groups().filter(|group| pays(group)).map(|group| group[0]);
        paid.min_by_key(|(_, at)| *at).map(|(owner, _)| owner)
    }
}

/// Invoices of other customers listed one by one under one document number;
/// more are counted in one piece of evidence.
const OTHER_CUSTOMERS_LISTED: usize = 3;

/// A run of referenced invoices of other customers under one document number,
/// as when every customer has its own "INV-1001": a few are listed, the rest
/// counted (after the line's other evidence for that number), so a line does
/// not carry a piece of evidence per customer. The run ends at an invoice of
/// another customer under another number.
#[derive(Default)]
struct OtherCustomers {
    document: Option<Arc<str>>,
    count: usize,
}

impl OtherCustomers {
    /// Counts an invoice of another customer numbered `document`; `true` if
    /// it is to be listed.
    fn list(&mut self, document: &Arc<str>, evidence: &mut Vec<Evidence>) -> bool {
        if self.document.as_ref() != Some(document) {
            self.flush(evidence);
            self.document = Some(document.clone());
        }
        self.count += 1;
        self.count <= OTHER_CUSTOMERS_LISTED
    }

    /// Ends the run: the count of those not listed.
    fn flush(&mut self, evidence: &mut Vec<Evidence>) {
        if let Some(document) = self.document.take()
            && self.count > OTHER_CUSTOMERS_LISTED
        {
            evidence.push(Evidence::ReferenceOtherCustomersMore {
                document,
                customers: self.count - OTHER_CUSTOMERS_LISTED,
            });
        }
        self.count = 0;
    }
}

fn is_prefix_word(word: &str, prefixes: &[String]) -> bool {
    let letters = word.trim_end_matches(['.', ':', '-', '/']);
    !letters.is_empty()
        && letters.chars().all(|c| c.is_alphabetic())
        && prefixes.iter().any(|p| p.eq_ignore_ascii_case(letters))
}

/// Keeps the first reference to each invoice row: remittance documents come
/// first, so their stated amounts win.
fn dedup_rows(refs: &mut Vec<Ref<'_>>) {
    keep_first_of_each(refs, 0, |r| r.row);
}
