//! The one integration-test binary (autotests = false): every file below is a module of it,
//! so the suite links once.

mod support;

mod batch;
mod core;
mod docs;
mod examples;
mod flags;
mod hardening;
mod hostile;
mod interrupt;
mod listing;
mod login;
mod newcomer;
mod pipeline;
mod resilience;
