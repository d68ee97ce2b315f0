//! How a payment arrived.

use serde::{Deserialize, Serialize};

use crate::{CardRef, FreeText};

/// The payment method, with what the bank or processor needs to trace it.
///
/// The host's strings (a check number, an other method's name) are
/// [`FreeText`], so a card number typed into them is masked like any other
/// text and never reaches an event; they serialize as plain strings.
///
/// ```
/// use ar_core::PaymentMethod;
/// let method = PaymentMethod::Other("card 4111 1111 1111 1111".into());
/// assert_eq!(serde_json::to_string(&method)?, r#"{"Other":"card ************1111"}"#);
/// let check = PaymentMethod::Check { number: format!("{}", 100_042).into() };
/// assert_eq!(serde_json::to_string(&check)?, r#"{"Check":{"number":"100042"}}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum PaymentMethod {
    /// A card payment, masked.
    Card(CardRef),
    /// ACH or another bank transfer (SEPA credit transfer, BACS…).
    BankTransfer,
    /// A wire.
    Wire,
    /// A check, with its number.
    Check {
        /// The check number.
        number: FreeText,
    },
    /// Cash.
    Cash,
    /// Anything else, named by the host.
    Other(FreeText),
}

impl PaymentMethod {
    /// A short stable name: `card`, `bank_transfer`, `wire`, `check`, `cash`, `other`.
    pub fn kind(&self) -> &'static str {
        match self {
            PaymentMethod::Card(_) => "card",
            PaymentMethod::BankTransfer => "bank_transfer",
            PaymentMethod::Wire => "wire",
            PaymentMethod::Check { .. } => "check",
            PaymentMethod::Cash => "cash",
            PaymentMethod::Other(_) => "other",
        }
    }
}
