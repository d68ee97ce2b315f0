//! Who acts: every command carries the acting user and their role.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// The host's user id for the person or system acting.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
// `Arc<String>` rather than `Arc<str>`: one pointer instead of two, and every
// event carries an actor.
pub struct UserId(Arc<String>);

/// A role the host assigns ("clerk", "supervisor", "credit_manager"); the approval
/// policy says what each role may do.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Role(Arc<String>);

impl UserId {
    /// A user id.
    pub fn new(id: &str) -> Self {
        UserId(Arc::new(id.to_owned()))
    }
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Role {
    /// A role by name.
    pub fn new(name: &str) -> Self {
        Role(Arc::new(name.to_owned()))
    }
    /// The role's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UserId({})", self.0)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Role({})", self.0)
    }
}

/// The user acting and the role they act in.
///
/// ```
/// use ar_core::Actor;
/// let clerk = Actor::new("maria", "clerk");
/// assert_eq!(clerk.role.as_str(), "clerk");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Actor {
    /// Who.
    pub user: UserId,
    /// In which role.
    pub role: Role,
}

impl Actor {
    /// An actor from a user id and a role name.
    pub fn new(user: &str, role: &str) -> Self {
        Actor { user: UserId::new(user), role: Role::new(role) }
    }
}
