//! SIGINT and SIGTERM once a run is under way: the first one asks the run to stop cleanly,
//! a second one ends the process at once.
//!
//! The handler only notes the signal and gives both signals back their default action, two
//! async-signal-safe steps. Everything else happens on the run's own thread, which looks at
//! [`caught`] between organizations, before a retry and while waiting for one
//! ([`sleep`]). An attempt in flight is never cut short: the handlers are installed with
//! `SA_RESTART`, and ureq retries a socket read that a signal interrupted, within the
//! attempt's deadline, so the attempt ends with its answer or at its deadline.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::time::{Duration, Instant};

/// A signal that stops a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT: Ctrl-C at a terminal.
    Interrupt,
    /// SIGTERM: `kill`, `timeout`, systemd, a CI runner stopping a job.
    Terminate,
}

impl Signal {
    const ALL: [Signal; 2] = [Signal::Interrupt, Signal::Terminate];

    pub fn number(self) -> i32 {
        match self {
            Signal::Interrupt => libc::SIGINT,
            Signal::Terminate => libc::SIGTERM,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }

    fn from_number(n: i32) -> Option<Signal> {
        Signal::ALL.into_iter().find(|s| s.number() == n)
    }

    /// Whether the handler took this signal over, so that it gives back only those.
    fn handled(self) -> &'static AtomicBool {
        static INTERRUPT: AtomicBool = AtomicBool::new(false);
        static TERMINATE: AtomicBool = AtomicBool::new(false);
        match self {
            Signal::Interrupt => &INTERRUPT,
            Signal::Terminate => &TERMINATE,
        }
    }
}

/// The number of the first signal caught, 0 until then. Lock-free atomics are the one kind
/// of shared state a signal handler may touch.
static CAUGHT: AtomicI32 = AtomicI32::new(0);

/// The signal that asked the run to stop, if one did.
pub fn caught() -> Option<Signal> {
    Signal::from_number(CAUGHT.load(Ordering::SeqCst))
}

/// Catches SIGINT and SIGTERM from now on. Called once the confirmation is behind the run:
/// before, a signal ends the process the default way, and nothing has been sent.
///
/// A signal that was ignored when the process started (`nohup`, or SIGINT for a command that
/// a script started with `&`) stays ignored: whoever started the tool chose that.
pub fn install() {
    for signal in Signal::ALL {
        if disposition(signal) == libc::SIG_IGN {
            continue;
        }
        signal.handled().store(true, Ordering::SeqCst);
        let handler: extern "C" fn(libc::c_int) = on_signal;
        set_disposition(signal, handler as libc::sighandler_t);
    }
}

extern "C" fn on_signal(number: libc::c_int) {
    // Only the first one counts: a second one never reaches this handler (see below).
    let _ = CAUGHT.compare_exchange(0, number, Ordering::SeqCst, Ordering::SeqCst);
    // From now on the next SIGINT or SIGTERM ends the process at once. Both are blocked
    // while this runs (the action's mask), so one that arrives meanwhile is delivered after
    // the return, to the default action.
    for signal in Signal::ALL {
        if signal.handled().load(Ordering::SeqCst) {
            set_disposition(signal, libc::SIG_DFL);
        }
    }
}

/// The current action of `signal`.
fn disposition(signal: Signal) -> libc::sighandler_t {
    let mut current = empty_action();
    // SAFETY: a null new action only reads the current one into `current`, a valid,
    // writable `sigaction`.
    let rc = unsafe { libc::sigaction(signal.number(), std::ptr::null(), &mut current) };
    if rc == 0 {
        current.sa_sigaction
    } else {
        libc::SIG_DFL
    }
}

/// Sets the action of `signal`: `SA_RESTART`, with both signals blocked while a handler
/// runs. Async-signal-safe: only `sigemptyset`, `sigaddset` and `sigaction` are called.
fn set_disposition(signal: Signal, handler: libc::sighandler_t) {
    let mut action = empty_action();
    action.sa_sigaction = handler;
    action.sa_flags = libc::SA_RESTART;
    // SAFETY: `sa_mask` is a valid, writable signal set inside `action`; the signal numbers
    // are valid; `action` is fully initialised, and `handler` is SIG_DFL or `on_signal`,
    // which only touches atomics and calls `sigaction`, all async-signal-safe.
    unsafe {
        libc::sigemptyset(&mut action.sa_mask);
        for blocked in Signal::ALL {
            libc::sigaddset(&mut action.sa_mask, blocked.number());
        }
        // Cannot fail for these two signals and a valid action.
        libc::sigaction(signal.number(), &action, std::ptr::null_mut());
    }
}

fn empty_action() -> libc::sigaction {
    // SAFETY: `sigaction` is a plain C struct of integers, a signal set and (on some
    // systems) a nullable function pointer; all zeros is a valid value of each (SIG_DFL, no
    // flags, an empty set, no restorer).
    unsafe { std::mem::zeroed() }
}

/// Slice of a wait: a signal ends a wait this fast at the latest, while a waiting run stays
/// asleep nearly all the time.
const SLICE: Duration = Duration::from_millis(20);

/// Waits `d`, or less if a signal asks the run to stop: `Err` with the signal then.
/// `std::thread::sleep` goes back to sleep after a signal, hence the slices.
pub fn sleep(d: Duration) -> Result<(), Signal> {
    let start = Instant::now();
    loop {
        if let Some(signal) = caught() {
            return Err(signal);
        }
        let left = d.saturating_sub(start.elapsed());
        if left.is_zero() {
            return Ok(());
        }
        std::thread::sleep(left.min(SLICE));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Installing handlers would change the test harness's own process, so the handler's
    // effect is tested from outside, on the binary (tests/interrupt.rs).

    #[test]
    fn numbers_and_names() {
        assert_eq!(Signal::Interrupt.number(), 2);
        assert_eq!(Signal::Terminate.number(), 15);
        assert_eq!(Signal::from_number(15), Some(Signal::Terminate));
        assert_eq!(Signal::from_number(0), None);
        assert_eq!(Signal::Interrupt.name(), "SIGINT");
    }

    #[test]
    fn a_wait_without_a_signal_lasts_its_time() {
        let started = Instant::now();
        assert_eq!(sleep(Duration::from_millis(30)), Ok(()));
        assert!(started.elapsed() >= Duration::from_millis(30));
        assert_eq!(sleep(Duration::ZERO), Ok(()));
    }
}
