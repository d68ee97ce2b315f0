//! Identifiers: newtypes over [`Uuid`], supplied by the host.
//!
//! The engine never makes up an id: the host chooses them (UUIDv7, v4, or derived
//! from its own keys), which keeps the engine deterministic and lets an id double as
//! an idempotency key.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps a UUID the host chose.
            pub const fn new(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// An id from a 128-bit number (handy for ids derived from host keys and in tests).
            pub const fn from_u128(value: u128) -> Self {
                Self(Uuid::from_u128(value))
            }

            /// The UUID inside.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl crate::id_table::TableKey for $name {
            const BLANK: Self = Self(Uuid::nil());
            fn spread(&self) -> u64 {
                crate::id_table::spread_u128(self.0.as_u128())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }
    };
}

uuid_id! {
    /// A customer (the account that owes).
    ///
    /// ```
    /// use ar_core::CustomerId;
    /// let id: CustomerId = "67e55044-10b1-426f-9247-bb680e5fe0c8".parse()?;
    /// assert_eq!(id.to_string(), "67e55044-10b1-426f-9247-bb680e5fe0c8");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    CustomerId
}
uuid_id! {
    /// A receivable document: an invoice or a debit memo.
    InvoiceId
}
uuid_id! {
    /// A credit memo.
    CreditMemoId
}
uuid_id! {
    /// A payment received.
    PaymentId
}
uuid_id! {
    /// One application of cash or credit to invoices (what an unapply reverses).
    ApplicationId
}
uuid_id! {
    /// A deduction: a short payment the customer took on purpose.
    DeductionId
}
uuid_id! {
    /// A dispute over all or part of an invoice.
    DisputeId
}
uuid_id! {
    /// A bank deposit batch.
    DepositId
}
uuid_id! {
    /// A refund of unapplied cash or credit.
    RefundId
}
uuid_id! {
    /// A command: the idempotency key of everything the engine is asked to do.
    CommandId
}
