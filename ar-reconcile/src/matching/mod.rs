//! Matching bank lines to open invoices, with evidence.
