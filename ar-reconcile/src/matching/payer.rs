//! Pass (c): who is paying, when the line names no open invoice it can settle.

use super::matcher::{LineCtx, RunState};
use super::normalize::{normalize_account_into, normalize_document, normalize_name, tokens};
use super::{Evidence, Matcher, Tier};
use crate::Reference;

impl Matcher<'_> {
    /// The customer whose known account the payer's account is.
    pub(crate) fn payer_by_account(&self, ctx: &LineCtx<'_>, state: &mut RunState<'_>) -> Option<u32> {
        let account = ctx.line.counterparty_account.as_deref()?;
        normalize_account_into(account, &mut state.key);
        if state.key.is_empty() { None } else { self.index.account(&state.key) }
    }

    /// Identifies the customer by account, then by name, then by a customer
    /// reference, then by an invoice the line named that was already settled.
    /// Returns the customer and the best tier that identification allows.
    pub(crate) fn identify(
        &self,
        ctx: &LineCtx<'_>,
        payer: Option<u32>,
        settled_hint: Option<(u32, u32)>,
        evidence: &mut Vec<Evidence>,
    ) -> Option<(u32, Tier)> {
        if let Some(c) = payer {
            evidence.push(Evidence::PayerAccount {
                account: ctx.line.counterparty_account.clone().unwrap_or_default(),
                customer: self.customer_id(c)?,
                customer_name: self.customer_name(c),
            });
            return Some((c, Tier::High));
        }
        if let Some(c) = self.payer_by_name(ctx, evidence) {
            return Some((c, Tier::NeedsReview));
        }
        if let Some(c) = self.payer_by_reference(ctx, evidence) {
            return Some((c, Tier::High));
        }
        let (c, row) = settled_hint?;
        evidence.push(Evidence::CustomerOfInvoice {
            document: self.items[row as usize].number.clone(),
            customer: self.customer_id(c)?,
            customer_name: self.customer_name(c),
        });
        Some((c, Tier::NeedsReview))
    }

    /// `true` if the payer's name, normalized, is `customer`'s name or alias.
    pub(crate) fn named_payer_is(&self, ctx: &LineCtx<'_>, customer: u32) -> bool {
        let Some(payer_name) = ctx.line.counterparty_name.as_deref() else { return false };
        let Some(c) = self.directory.customers().get(customer as usize) else { return false };
        let key = normalize_name(payer_name);
        !key.is_empty()
            && std::iter::once(&*c.name).chain(c.aliases.iter().map(String::as_str)).any(|n| normalize_name(n) == key)
    }

    fn payer_by_name(&self, ctx: &LineCtx<'_>, evidence: &mut Vec<Evidence>) -> Option<u32> {
        let payer_name = ctx.line.counterparty_name.as_deref()?;
        let key = normalize_name(payer_name);
        if key.is_empty() {
            return None;
        }
        match self.payers().name(&key)? {
            (one, 1) => {
                evidence.push(Evidence::PayerName {
                    payer_name: payer_name.to_owned(),
                    customer: self.customer_id(one)?,
                    customer_name: self.customer_name(one),
                });
                Some(one)
            }
            (_, many) => {
                evidence
                    .push(Evidence::PayerNameAmbiguous { payer_name: payer_name.to_owned(), customers: many as usize });
                None
            }
        }
    }

    fn payer_by_reference(&self, ctx: &LineCtx<'_>, evidence: &mut Vec<Evidence>) -> Option<u32> {
        if !self.payers().has_references() {
            return None;
        }
        let line = ctx.line;
        let structured = line.references.iter().map(|r| match r {
            Reference::Creditor(s) | Reference::Invoice(s) | Reference::Other(s) => s.as_str(),
        });
        let candidates = structured
            .chain(line.end_to_end_id.as_deref())
            .chain(line.remittances.iter().map(|r| r.document.as_str()))
            .chain(tokens(&line.remittance_text));
        let prefixes = self.policy.prefixes();
        for candidate in candidates {
            let key = normalize_document(candidate, prefixes);
            if key.len() < 2 {
                continue;
            }
            if let Some(c) = self.payers().reference(&key) {
                evidence.push(Evidence::CustomerReference {
                    reference: candidate.to_owned(),
                    customer: self.customer_id(c)?,
                    customer_name: self.customer_name(c),
                });
                return Some(c);
            }
        }
        None
    }
}
