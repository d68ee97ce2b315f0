//! [`MatchPolicy`]: how eager the matcher is, as a builder with visible defaults.

use std::collections::BTreeMap;

use ar_core::Currency;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use super::Tier;
use super::pattern::InvoicePattern;

/// The matching passes, in the order they run.
///
/// [`MatchPolicy::last_pass`] stops the matcher after a pass; lines that pass did
/// not settle are left as unapplied (or unidentified) cash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Pass {
    /// (a) structured references, end-to-end ids and remittance documents.
    Reference,
    /// (b) invoice numbers found in the free remittance text.
    Text,
    /// (c)+(d) the payer identified by account, name or customer reference; one
    /// open item equal to the amount.
    SingleItem,
    /// (e) a combination of the customer's open items, then (f) what is left.
    Combination,
}

/// How the matcher decides: tolerances, discounts, search limits, reference
/// patterns and the tier that may be applied without review.
///
/// Every option has a default a reader can see in [`MatchPolicy::new`]:
///
/// | option | default |
/// | --- | --- |
/// | write-off tolerance | 5 (currency units) and at most 1 % of the amount due |
/// | discount grace days | 0 |
/// | take discounts | yes |
/// | combination: max items / steps per line | 6 / 50 000 |
/// | combination: open items searched per customer (oldest first) | 1 000 |
/// | deduction on the nearest of several open items | up to 10 % of it |
/// | auto-apply from tier | [`Tier::Certain`] |
/// | invoice prefixes | `INV`, `INVOICE`, `RE`, `RG`, `NR` |
/// | digits a bare number in free text needs | 4 |
/// | invoice number pattern for free text | none |
/// | last pass | [`Pass::Combination`] (all) |
///
/// ```
/// use ar_reconcile::matching::{MatchPolicy, Pass, Tier};
/// use ar_core::Currency;
/// use rust_decimal_macros::dec;
/// let policy = MatchPolicy::new()
///     .write_off_tolerance(dec!(2.00), dec!(0.5))
///     .write_off_tolerance_for(Currency::JPY, dec!(300))
///     .discount_grace_days(3)
///     .max_combination_items(4)
///     .auto_apply_from(Tier::High)
///     .invoice_prefixes(["INV", "SO"]);
/// assert_eq!(policy.write_off_minor(Currency::USD, 100_000), 200);
/// assert_eq!(policy.write_off_minor(Currency::USD, 10_000), 50);
/// assert_eq!(policy.write_off_minor(Currency::JPY, 1_000_000), 300);
/// assert_eq!(policy.last_pass_run(), Pass::Combination);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchPolicy {
    write_off_amount: Decimal,
    write_off_percent: Decimal,
    write_off_by_currency: BTreeMap<Currency, Decimal>,
    discount_grace_days: u32,
    take_discounts: bool,
    max_combination_items: usize,
    combination_steps_max: u64,
    /// Absent from a policy stored before it existed: such a policy reads
    /// with the default.
    #[serde(default = "default_combination_candidates")]
    combination_candidates_max: usize,
    auto_apply_from: Tier,
    invoice_prefixes: Vec<String>,
    min_reference_digits: usize,
    last_pass: Pass,
    #[serde(default = "default_nearest_deduction_percent")]
    nearest_deduction_percent: Decimal,
    /// Left out when unset, so a policy stored before it existed, or without
    /// one, reads and writes as it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    invoice_number_pattern: Option<InvoicePattern>,
}

fn default_nearest_deduction_percent() -> Decimal {
    Decimal::TEN
}

fn default_combination_candidates() -> usize {
    1_000
}

impl Default for MatchPolicy {
    fn default() -> Self {
        MatchPolicy::new()
    }
}

/// The most items a combination may hold: the search is exponential in it.
pub const MAX_COMBINATION_ITEMS: usize = 12;

impl MatchPolicy {
    /// The defaults listed in the type's documentation.
    pub fn new() -> Self {
        MatchPolicy {
            write_off_amount: Decimal::new(5, 0),
            write_off_percent: Decimal::ONE,
            write_off_by_currency: BTreeMap::new(),
            discount_grace_days: 0,
            take_discounts: true,
            max_combination_items: 6,
            combination_steps_max: 50_000,
            combination_candidates_max: default_combination_candidates(),
            auto_apply_from: Tier::Certain,
            invoice_prefixes: ["INV", "INVOICE", "RE", "RG", "NR"].map(str::to_owned).to_vec(),
            min_reference_digits: 4,
            last_pass: Pass::Combination,
            nearest_deduction_percent: default_nearest_deduction_percent(),
            invoice_number_pattern: None,
        }
    }

    /// A payment of an identified customer that no item or combination
    /// explains, and that falls short of several open items, is proposed as a
    /// deduction on the item it falls short of by the least, when the
    /// shortfall is at most `percent` % of that item (0 turns this off). With
    /// one open item the shortfall is always proposed as a deduction.
    pub fn nearest_item_deduction_up_to(mut self, percent: Decimal) -> Self {
        self.nearest_deduction_percent = percent;
        self
    }

    /// The largest shortfall, in minor units, proposed as a deduction on the
    /// nearest of several open items of `item_minor` minor units.
    pub fn nearest_deduction_minor(&self, item_minor: i64) -> i64 {
        let share = Decimal::from(item_minor.max(0)) * self.nearest_deduction_percent / Decimal::ONE_HUNDRED;
        share.floor().to_i64().unwrap_or(0).max(0)
    }

    /// A short payment is written off when the shortfall is at most `amount`
    /// (in currency units, e.g. `2.00`) and at most `percent` % of the amount due.
    /// A zero amount turns write-offs off.
    pub fn write_off_tolerance(mut self, amount: Decimal, percent: Decimal) -> Self {
        self.write_off_amount = amount;
        self.write_off_percent = percent;
        self
    }

    /// An absolute write-off limit for one currency (the percentage still applies):
    /// 5 units is a lot of euros but a few yen.
    pub fn write_off_tolerance_for(mut self, currency: Currency, amount: Decimal) -> Self {
        self.write_off_by_currency.insert(currency, amount);
        self
    }

    /// Days after a discount's last day during which it is still granted (bank
    /// transfers take time).
    pub fn discount_grace_days(mut self, days: u32) -> Self {
        self.discount_grace_days = days;
        self
    }

    /// Whether amounts net of an available early-payment discount are accepted.
    pub fn take_discounts(mut self, take: bool) -> Self {
        self.take_discounts = take;
        self
    }

    /// The most open items one combination may hold (1 to
    /// [`MAX_COMBINATION_ITEMS`]; larger values are clamped).
    pub fn max_combination_items(mut self, items: usize) -> Self {
        self.max_combination_items = items.clamp(1, MAX_COMBINATION_ITEMS);
        self
    }

    /// The work budget of the combination search for one line, in search steps.
    pub fn combination_steps(mut self, steps: u64) -> Self {
        self.combination_steps_max = steps;
        self
    }

    /// How many of a customer's open items, oldest first, the combination
    /// search considers (at least 1). Building the search's tables costs
    /// time in the items searched, before the step budget counts, so this
    /// keeps a customer with tens of thousands of open items from slowing
    /// every one of its lines; among that many items, a combination found by
    /// chance is likelier than a real one anyway. The other passes see all
    /// the customer's items.
    ///
    /// ```
    /// use ar_reconcile::matching::MatchPolicy;
    /// assert_eq!(MatchPolicy::new().combination_candidates_max(), 1_000);
    /// assert_eq!(MatchPolicy::new().combination_candidates(200).combination_candidates_max(), 200);
    /// assert_eq!(MatchPolicy::new().combination_candidates(0).combination_candidates_max(), 1);
    /// ```
    pub fn combination_candidates(mut self, items: usize) -> Self {
        self.combination_candidates_max = items.max(1);
        self
    }

    /// Proposals of this tier or better are marked `auto_apply`.
    /// [`Tier::Unmatched`] proposals are never auto-applied.
    pub fn auto_apply_from(mut self, tier: Tier) -> Self {
        self.auto_apply_from = tier;
        self
    }

    /// Letter prefixes that may stand before an invoice number and are ignored
    /// when numbers are compared (`INV-00042` meets `42`), case-insensitively.
    pub fn invoice_prefixes<S: AsRef<str>>(mut self, prefixes: impl IntoIterator<Item = S>) -> Self {
        self.invoice_prefixes = prefixes.into_iter().map(|p| p.as_ref().to_ascii_uppercase()).collect();
        self
    }

    /// The digits a bare number in free text must have to be looked up as an
    /// invoice number (so that quantities and house numbers are not).
    pub fn min_reference_digits(mut self, digits: usize) -> Self {
        self.min_reference_digits = digits;
        self
    }

    /// What the host's invoice numbers look like (see [`InvoicePattern`] for the
    /// pattern language). The text pass then also looks up every match of the
    /// pattern in the remittance text, however the payer spaced or punctuated
    /// it (`so 2026 00042` for `SO-2026-00042`), besides the words it looks up
    /// anyway; a match counts like any number found in text. Default: none.
    ///
    /// ```
    /// use ar_reconcile::matching::MatchPolicy;
    /// use ar_reconcile::matching::InvoicePattern;
    /// let policy = MatchPolicy::new().invoice_number_pattern(InvoicePattern::parse("SO-#{4}-#{5}")?);
    /// assert_eq!(policy.number_pattern().map(InvoicePattern::as_str), Some("SO-#{4}-#{5}"));
    /// assert_eq!(MatchPolicy::new().number_pattern(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn invoice_number_pattern(mut self, pattern: InvoicePattern) -> Self {
        self.invoice_number_pattern = Some(pattern);
        self
    }

    /// Stops after `pass`: [`Pass::Text`] runs only the reference passes.
    pub fn last_pass(mut self, pass: Pass) -> Self {
        self.last_pass = pass;
        self
    }

    /// The write-off limit in minor units for `due_minor` minor units due in
    /// `currency`: the smaller of the absolute and the percentage limit, rounded down.
    pub fn write_off_minor(&self, currency: Currency, due_minor: i64) -> i64 {
        let absolute = self.write_off_by_currency.get(&currency).copied().unwrap_or(self.write_off_amount);
        let scale = Decimal::from(10i64.pow(currency.minor_units()));
        let absolute_minor = (absolute * scale).floor().to_i64().unwrap_or(0).max(0);
        let share = Decimal::from(due_minor.max(0)) * self.write_off_percent / Decimal::ONE_HUNDRED;
        let percent_minor = share.floor().to_i64().unwrap_or(i64::MAX).max(0);
        absolute_minor.min(percent_minor)
    }

    /// Discount grace days.
    pub fn grace_days(&self) -> u32 {
        self.discount_grace_days
    }

    /// Whether discounts are taken.
    pub fn takes_discounts(&self) -> bool {
        self.take_discounts
    }

    /// The most items one combination may hold.
    pub fn combination_items_max(&self) -> usize {
        self.max_combination_items
    }

    /// The combination search's step budget per line.
    pub fn combination_steps_max(&self) -> u64 {
        self.combination_steps_max
    }

    /// How many of a customer's open items the combination search considers.
    pub fn combination_candidates_max(&self) -> usize {
        self.combination_candidates_max
    }

    /// The lowest tier that is auto-applied.
    pub fn auto_apply_tier(&self) -> Tier {
        self.auto_apply_from
    }

    /// The invoice prefixes, upper case.
    pub fn prefixes(&self) -> &[String] {
        &self.invoice_prefixes
    }

    /// The digits a bare number in free text needs.
    pub fn reference_digits_min(&self) -> usize {
        self.min_reference_digits
    }

    /// The invoice number pattern the text pass scans for, if any.
    pub fn number_pattern(&self) -> Option<&InvoicePattern> {
        self.invoice_number_pattern.as_ref()
    }

    /// The last pass that runs.
    pub fn last_pass_run(&self) -> Pass {
        self.last_pass
    }
}
