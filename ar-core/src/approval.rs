//! Approvals: which roles may do what, above which amounts.

use serde::{Deserialize, Serialize};

use crate::{Actor, Money, Role};

/// Something that may need authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Authority {
    /// Writing off an amount (tolerance write-offs, bad debt, deductions). An
    /// application's tolerance write-offs are checked one by one, each
    /// invoice's against the threshold, not their total.
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

/// A rule: doing `authority` for more than `above` needs one of `roles`; with
/// no threshold (`above: None`), doing it at all does.
///
/// How a threshold meets an amount is set out on [`ApprovalPolicy`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ApprovalRule {
    /// What the rule governs.
    pub authority: Authority,
    /// The threshold: the rule applies to amounts strictly above it.
    pub above: Option<Money>,
    /// The roles allowed when the rule applies.
    pub roles: Vec<Role>,
}

/// The approval policy: a list of rules; a command must satisfy every rule that
/// applies to it. With no rules, everybody may do everything.
///
/// When a rule applies:
/// - A rule without a threshold applies to every command of its authority.
/// - A threshold applies to amounts strictly above it, compared by absolute value
///   in the threshold's currency.
/// - The engine has no exchange rates, so an amount in another currency cannot
///   be compared with a threshold. Thresholds are therefore kept per currency:
///   for an amount in, say, JPY, the authority's JPY thresholds are the ones that
///   count, if it has any; if it has none, every threshold of the authority
///   applies whatever the amount, so a JPY write-off under a policy written in
///   USD needs the roles the largest USD write-off would. A host with customers
///   in several currencies gives each its own thresholds, all its tiers in each
///   (the thresholds of one currency replace those of the others entirely).
/// - A command with no amount where one could be given is above every threshold:
///   removing a credit limit (`SetCreditLimit { limit: None }`) makes it
///   unlimited, and needs what the largest limit would. Placing and releasing
///   holds carry no amount, so a threshold on [`Authority::CreditHold`] always
///   applies.
///
/// A refused command names the roles that would satisfy every rule that applies
/// (or, when no single role does, those of the first rule that refuses).
///
/// ```
/// use ar_core::{Actor, ApprovalPolicy, Authority, Currency, Money, Role};
/// use rust_decimal_macros::dec;
/// let policy = ApprovalPolicy::new()
///     .require(Authority::WriteOff, Some(Money::new(dec!(50.00), Currency::USD)?), &["supervisor"])
///     .require(Authority::CreditLimitChange, None, &["credit_manager"]);
/// let clerk = Actor::new("maria", "clerk");
/// let small = Money::new(dec!(0.02), Currency::USD)?;
/// let large = Money::new(dec!(75.00), Currency::USD)?;
/// assert!(policy.permits(&clerk, Authority::WriteOff, Some(small)).is_ok());
/// assert_eq!(policy.permits(&clerk, Authority::WriteOff, Some(large)), Err(vec![Role::new("supervisor")]));
/// // No JPY threshold: a yen write-off of any size needs the supervisor.
/// let yen = Money::new(dec!(10), Currency::JPY)?;
/// assert!(policy.permits(&clerk, Authority::WriteOff, Some(yen)).is_err());
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

    /// `Ok` if `actor` may do `authority` for `amount` (`None`: no amount, or an
    /// unlimited one); otherwise the roles that would be allowed. The type's
    /// documentation says which rules apply.
    pub fn permits(&self, actor: &Actor, authority: Authority, amount: Option<Money>) -> Result<(), Vec<Role>> {
        let applying = self.applying(authority, amount);
        let Some(refusing) = applying.clone().find(|rule| !rule.roles.contains(&actor.role)) else {
            return Ok(());
        };
        let mut required: Vec<Role> = refusing
            .roles
            .iter()
            .filter(|role| applying.clone().all(|rule| rule.roles.contains(role)))
            .cloned()
            .collect();
        if required.is_empty() {
            required = refusing.roles.clone();
        }
        Err(required)
    }

    /// The rules of `authority` that apply to `amount`.
    fn applying(&self, authority: Authority, amount: Option<Money>) -> impl Iterator<Item = &ApprovalRule> + Clone {
        let rules = self.rules.iter().filter(move |rule| rule.authority == authority);
        let own_thresholds = amount.is_some_and(|amount| {
            rules.clone().any(|rule| rule.above.is_some_and(|above| above.currency() == amount.currency()))
        });
        rules.filter(move |rule| match (rule.above, amount) {
            (None, _) | (Some(_), None) => true,
            (Some(above), Some(amount)) if above.currency() == amount.currency() => {
                amount.amount().abs() > above.amount()
            }
            (Some(_), Some(_)) => !own_thresholds,
        })
    }
}
