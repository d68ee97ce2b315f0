//! How a payment arrived.

use serde::{Deserialize, Serialize};

use crate::CardRef;

/// The payment method, with what the bank or processor needs to trace it.
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
        number: String,
    },
    /// Cash.
    Cash,
    /// Anything else, named by the host.
    Other(String),
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
