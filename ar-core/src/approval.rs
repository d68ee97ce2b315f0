//! Approvals: which roles may do what, above which amounts.

use serde::{Deserialize, Serialize};

use crate::{Actor, Money, Role};

/// Something that may need authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Authority {
    /// Writing off an amount (tolerance write-offs, bad debt, deductions).
    WriteOff,
    /// Setting a credit limit or granting a temporary increase.
    CreditLimitChange,
    /// Placing or releasing a credit hold.
    CreditHold,
    /// Issuing a credit memo.
    CreditMemo,
    /// Refunding unapplied cash or credit.
    Refund,
    /// Voiding an invoice.
    Void,
    /// Reversing an application.
    Unapply,
    /// Resolving a deduction or a dispute.
    Resolution,
}

/// A rule: doing `authority` for more than `above` (in `above`'s currency; any
/// amount when `None`) needs one of `roles`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ApprovalRule {
    /// What the rule governs.
    pub authority: Authority,
    /// The threshold: the rule applies to amounts strictly above it (same currency).
    pub above: Option<Money>,
    /// The roles allowed when the rule applies.
    pub roles: Vec<Role>,
}

/// The approval policy: a list of rules; a command must satisfy every rule that
/// applies to it. With no rules, everybody may do everything.
///
/// ```
/// use ar_core::{Actor, ApprovalPolicy, Authority, Currency, Money};
/// use rust_decimal_macros::dec;
/// let policy = ApprovalPolicy::new()
///     .require(Authority::WriteOff, Some(Money::new(dec!(50.00), Currency::USD)?), &["supervisor"])
///     .require(Authority::CreditLimitChange, None, &["credit_manager"]);
/// let clerk = Actor::new("maria", "clerk");
/// let small = Money::new(dec!(0.02), Currency::USD)?;
/// let large = Money::new(dec!(75.00), Currency::USD)?;
/// assert!(policy.permits(&clerk, Authority::WriteOff, Some(small)).is_ok());
/// let required = policy.permits(&clerk, Authority::WriteOff, Some(large)).unwrap_err();
/// assert_eq!(required[0].as_str(), "supervisor");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ApprovalPolicy {
    rules: Vec<ApprovalRule>,
}

impl ApprovalPolicy {
    /// A policy with no rules.
    pub fn new() -> Self {
        ApprovalPolicy::default()
    }

    /// Adds a rule (builder style).
    pub fn require(mut self, authority: Authority, above: Option<Money>, roles: &[&str]) -> Self {
        self.rules.push(ApprovalRule { authority, above, roles: roles.iter().map(|r| Role::new(r)).collect() });
        self
    }

    /// The rules, in the order given.
    pub fn rules(&self) -> &[ApprovalRule] {
        &self.rules
    }

    /// `Ok` if `actor` may do `authority` for `amount`; otherwise the roles that
    /// would be allowed by the first rule that refuses.
    pub fn permits(&self, actor: &Actor, authority: Authority, amount: Option<Money>) -> Result<(), Vec<Role>> {
        for rule in self.rules.iter().filter(|r| r.authority == authority) {
            if applies(rule.above, amount) && !rule.roles.contains(&actor.role) {
                return Err(rule.roles.clone());
            }
        }
        Ok(())
    }
}

fn applies(above: Option<Money>, amount: Option<Money>) -> bool {
    match (above, amount) {
        (None, _) => true,
        (Some(limit), Some(amount)) => limit.currency() == amount.currency() && amount.amount().abs() > limit.amount(),
        // A threshold rule with no amount to compare does not apply.
        (Some(_), None) => false,
    }
}
