//! [`CustomerDirectory`]: what the matcher knows about who pays: accounts, names
//! and the references customers put on their payments.

use std::sync::Arc;

use ar_core::CustomerId;
use serde::{Deserialize, Serialize};

/// One customer as the matcher identifies it.
///
/// ```
/// use ar_reconcile::matching::Customer;
/// use ar_core::CustomerId;
/// let acme = Customer::new(CustomerId::from_u128(7), "ACME GmbH")
///     .account("DE89 3704 0044 0532 0130 00")
///     .alias("Acme Deutschland")
///     .reference("K-10023");
/// assert_eq!(acme.accounts.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// The customer.
    pub id: CustomerId,
    /// The name shown to people, also matched against payer names; shared with
    /// the evidence that names the customer.
    pub name: Arc<str>,
    /// Other names the customer pays under.
    pub aliases: Vec<String>,
    /// Accounts (IBANs or local numbers) the customer pays from.
    pub accounts: Vec<String>,
    /// References that identify the customer when they appear on a payment
    /// (a customer number, a contract number), compared like document numbers.
    pub references: Vec<String>,
}

impl Customer {
    /// A customer with a name and nothing else.
    pub fn new(id: CustomerId, name: impl Into<Arc<str>>) -> Self {
        Customer { id, name: name.into(), aliases: Vec::new(), accounts: Vec::new(), references: Vec::new() }
    }

    /// Adds an account the customer pays from (builder style).
    pub fn account(mut self, account: impl Into<String>) -> Self {
        self.accounts.push(account.into());
        self
    }

    /// Adds another name the customer pays under (builder style).
    pub fn alias(mut self, name: impl Into<String>) -> Self {
        self.aliases.push(name.into());
        self
    }

    /// Adds a reference that identifies the customer (builder style).
    pub fn reference(mut self, reference: impl Into<String>) -> Self {
        self.references.push(reference.into());
        self
    }
}

/// The customers the matcher may identify payers as.
///
/// Customers whose invoices are open but who are not listed here can still be
/// matched through invoice references; they just cannot be identified by account
/// or name.
///
/// ```
/// use ar_reconcile::matching::{Customer, CustomerDirectory};
/// use ar_core::CustomerId;
/// let mut directory = CustomerDirectory::new();
/// directory.push(Customer::new(CustomerId::from_u128(1), "ACME Inc.").account("US12 3456"));
/// directory.push(Customer::new(CustomerId::from_u128(2), "Globex Ltd"));
/// assert_eq!(directory.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerDirectory {
    customers: Vec<Customer>,
}

impl CustomerDirectory {
    /// An empty directory.
    pub fn new() -> Self {
        CustomerDirectory::default()
    }

    /// Adds a customer.
    pub fn push(&mut self, customer: Customer) {
        self.customers.push(customer);
    }

    /// The customers, in the order added.
    pub fn customers(&self) -> &[Customer] {
        &self.customers
    }

    /// The number of customers.
    pub fn len(&self) -> usize {
        self.customers.len()
    }

    /// `true` if no customer is listed.
    pub fn is_empty(&self) -> bool {
        self.customers.is_empty()
    }
}

impl FromIterator<Customer> for CustomerDirectory {
    fn from_iter<I: IntoIterator<Item = Customer>>(iter: I) -> Self {
        CustomerDirectory { customers: iter.into_iter().collect() }
    }
}
