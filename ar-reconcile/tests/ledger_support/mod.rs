//! What the ledger-seam tests share.

use ar_core::{ApplicationId, CommandId, DeductionId, PaymentId};
use ar_reconcile::matching::ledger::CommandIds;

/// The ids of the `n`-th line's commands: payment `500 + n`, application
/// `600 + n`, receive `700 + n`, apply `800 + n`, and `deductions` deduction
/// ids from `900 + 10n`.
pub fn command_ids(n: u128, deductions: u128) -> CommandIds {
    CommandIds {
        payment: PaymentId::from_u128(500 + n),
        application: ApplicationId::from_u128(600 + n),
        receive: CommandId::from_u128(700 + n),
        apply: CommandId::from_u128(800 + n),
        deductions: (0..deductions).map(|k| DeductionId::from_u128(900 + 10 * n + k)).collect(),
    }
}
