//! The one integration-test binary (autotests = false): every file below is a module of it,
//! so the suite links once.

mod support;

mod deleting;
mod docs;
mod dry_run;
mod examples;
mod flags;
mod hostile;
mod listing;
mod login;
mod network;
mod output;
mod pipeline;
mod platform;
mod signals;
mod terminal;
mod tls_and_proxies;
