//! The one signal handler: the first SIGINT or SIGTERM cancels `stop` (start nothing
//! new), the second cancels `abort` (stop at once).

use crate::apply::Cancel;

/// Watch for signals from now on, cancelling `cancel` as they come.
pub fn watch(cancel: &Cancel) {
    let cancel = cancel.clone();
    // Registered now, before anything starts: a signal from here on is seen.
    let mut signals = Signals::new();
    tokio::spawn(async move {
        signals.recv().await;
        cancel.stop.cancel();
        signals.recv().await;
        cancel.abort.cancel();
    });
}

/// SIGINT and SIGTERM, as a stream.
struct Signals {
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn new() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Signals {
                int: signal(SignalKind::interrupt()).ok(),
                term: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        {
            async fn one(s: &mut Option<tokio::signal::unix::Signal>) {
                match s {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            }
            tokio::select! {
                _ = one(&mut self.int) => {}
                _ = one(&mut self.term) => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
