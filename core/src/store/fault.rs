//! Faults a test injects into the next write, to prove that a failure mid-transaction leaves
//! the previous state intact. The hook ([`Store::inject_fault`]) and the [`Fault`] type are
//! public only for tests (`cfg(test)` or the `fault-injection` feature, which the system tests
//! enable); a production build has no way to arm a fault.

#[cfg(any(test, feature = "fault-injection"))]
use super::Store;

/// A fault a test can inject into the next write, to prove that a failure mid-transaction leaves
/// the previous state intact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(any(test, feature = "fault-injection")), allow(dead_code))]
pub enum Fault {
    /// Fail after the record rows are written, before the views.
    AfterRecords,
    /// Fail after the views are written, just before commit.
    BeforeCommit,
}

#[cfg(any(test, feature = "fault-injection"))]
impl Store {
    /// Makes the next write fail at `fault` (tests only).
    #[doc(hidden)]
    pub fn inject_fault(&self, fault: Fault) {
        self.lock().fault = Some(fault);
    }
}
