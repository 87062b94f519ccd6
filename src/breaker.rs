//! A circuit breaker for one provider API host.
//!
//! Closed, it lets every call through and counts consecutive failures.
//! After `failure_threshold` of them it opens: calls fail fast for
//! `recovery_timeout`. Then it is half-open and lets exactly one trial
//! call through, which closes it on success and opens it again on failure.
//! Failures are timeouts, connection errors and 5xx responses. Any other
//! response (2xx, 4xx, 429) shows that the host is up, so it counts as a
//! success.

use crate::config::CircuitBreakerConfig;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// The state of a breaker, as exported in metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

impl BreakerState {
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
        }
    }

    /// The gauge value: 0 closed, 1 open, 2 half-open.
    pub fn as_gauge(self) -> u8 {
        match self {
            BreakerState::Closed => 0,
            BreakerState::Open => 1,
            BreakerState::HalfOpen => 2,
        }
    }
}

#[derive(Debug)]
enum Phase {
    Closed { failures: u32 },
    Open { until: Instant },
    HalfOpen { trial_running: bool },
}

/// Returned by [`Breaker::try_acquire`] while the breaker is open, or
/// half-open with its trial call still running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rejected {
    /// When a call may be tried again.
    pub retry_at: Instant,
}

/// A circuit breaker; cheap to clone, clones share the state.
#[derive(Debug, Clone)]
pub struct Breaker {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    host: String,
    failure_threshold: u32,
    recovery_timeout: Duration,
    phase: Mutex<Phase>,
}

impl Breaker {
    pub fn new(host: impl Into<String>, config: &CircuitBreakerConfig) -> Breaker {
        Breaker {
            inner: Arc::new(Inner {
                host: host.into(),
                failure_threshold: config.failure_threshold.max(1),
                recovery_timeout: config.recovery_timeout,
                phase: Mutex::new(Phase::Closed { failures: 0 }),
            }),
        }
    }

    pub fn host(&self) -> &str {
        &self.inner.host
    }

    /// Returns the current state. An open breaker whose recovery timeout has
    /// passed reports half-open, because the next call is its trial.
    pub fn state(&self) -> BreakerState {
        match &*self.phase() {
            Phase::Closed { .. } => BreakerState::Closed,
            Phase::Open { until } if Instant::now() < *until => BreakerState::Open,
            Phase::Open { .. } | Phase::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }

    /// When calls are next allowed, or `None` when they are allowed now.
    pub fn blocked_until(&self) -> Option<Instant> {
        match &*self.phase() {
            Phase::Open { until } if Instant::now() < *until => Some(*until),
            Phase::HalfOpen { trial_running: true } => Some(Instant::now() + TRIAL_POLL),
            _ => None,
        }
    }

    /// Asks to make one call. The permit must be resolved with
    /// [`Permit::success`] or [`Permit::failure`]; dropping it unresolved
    /// (a cancelled call) leaves the failure count as it was.
    pub fn try_acquire(&self) -> Result<Permit, Rejected> {
        let mut phase = self.phase();
        let now = Instant::now();
        match &mut *phase {
            Phase::Closed { .. } => Ok(Permit { breaker: self.clone(), trial: false, resolved: false }),
            Phase::Open { until } if now < *until => Err(Rejected { retry_at: *until }),
            Phase::Open { .. } | Phase::HalfOpen { trial_running: false } => {
                *phase = Phase::HalfOpen { trial_running: true };
                tracing::info!(host = %self.inner.host, "circuit breaker half-open, sending one trial call");
                Ok(Permit { breaker: self.clone(), trial: true, resolved: false })
            }
            Phase::HalfOpen { trial_running: true } => Err(Rejected { retry_at: now + TRIAL_POLL }),
        }
    }

    fn record(&self, trial: bool, success: bool) {
        let mut phase = self.phase();
        let host = &self.inner.host;
        if success {
            if !matches!(*phase, Phase::Closed { .. }) {
                tracing::info!(host = %host, "circuit breaker closed");
            }
            *phase = Phase::Closed { failures: 0 };
            return;
        }
        match &mut *phase {
            Phase::Closed { failures } => {
                *failures += 1;
                if *failures >= self.inner.failure_threshold {
                    tracing::warn!(
                        host = %host,
                        failures = *failures,
                        recovery_secs = self.inner.recovery_timeout.as_secs_f64(),
                        "circuit breaker open, calls fail fast"
                    );
                    *phase = Phase::Open { until: Instant::now() + self.inner.recovery_timeout };
                }
            }
            Phase::HalfOpen { .. } if trial => {
                tracing::warn!(host = %host, recovery_secs = self.inner.recovery_timeout.as_secs_f64(), "circuit breaker trial failed, open again");
                *phase = Phase::Open { until: Instant::now() + self.inner.recovery_timeout };
            }
            // A call let through before the breaker opened, finishing late.
            Phase::HalfOpen { .. } | Phase::Open { .. } => {}
        }
    }

    fn release_trial(&self) {
        let mut phase = self.phase();
        if let Phase::HalfOpen { trial_running } = &mut *phase {
            *trial_running = false;
        }
    }

    fn phase(&self) -> std::sync::MutexGuard<'_, Phase> {
        self.inner.phase.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// How long a caller rejected during a running trial waits before asking again.
const TRIAL_POLL: Duration = Duration::from_millis(100);

/// Permission for one call through a [`Breaker`].
#[derive(Debug)]
pub struct Permit {
    breaker: Breaker,
    trial: bool,
    resolved: bool,
}

impl Permit {
    /// Records that the host sent a response that is not a 5xx.
    pub fn success(mut self) {
        self.resolved = true;
        self.breaker.record(self.trial, true);
    }

    /// Records a timeout, connection error or 5xx response.
    pub fn failure(mut self) {
        self.resolved = true;
        self.breaker.record(self.trial, false);
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if !self.resolved && self.trial {
            self.breaker.release_trial();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker(threshold: u32, recovery_secs: u64) -> Breaker {
        let config = CircuitBreakerConfig { failure_threshold: threshold, recovery_timeout: Duration::from_secs(recovery_secs) };
        Breaker::new("api.example.test", &config)
    }

    fn fail(breaker: &Breaker, times: u32) {
        for _ in 0..times {
            breaker.try_acquire().unwrap().failure();
        }
    }

    #[tokio::test(start_paused = true)]
    async fn opens_at_threshold() {
        let breaker = breaker(5, 30);
        fail(&breaker, 4);
        assert_eq!(breaker.state(), BreakerState::Closed);
        fail(&breaker, 1);
        assert_eq!(breaker.state(), BreakerState::Open);
        assert!(breaker.try_acquire().is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn success_resets_count() {
        let breaker = breaker(3, 30);
        fail(&breaker, 2);
        breaker.try_acquire().unwrap().success();
        fail(&breaker, 2);
        assert_eq!(breaker.state(), BreakerState::Closed);
    }

    #[tokio::test(start_paused = true)]
    async fn one_trial_after_recovery() {
        let breaker = breaker(1, 30);
        fail(&breaker, 1);
        tokio::time::advance(Duration::from_secs(29)).await;
        assert!(breaker.try_acquire().is_err());
        tokio::time::advance(Duration::from_secs(1)).await;
        assert_eq!(breaker.state(), BreakerState::HalfOpen);
        let trial = breaker.try_acquire().unwrap();
        assert!(breaker.try_acquire().is_err());
        trial.success();
        assert_eq!(breaker.state(), BreakerState::Closed);
        assert!(breaker.try_acquire().is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn failed_trial_reopens() {
        let breaker = breaker(1, 30);
        fail(&breaker, 1);
        tokio::time::advance(Duration::from_secs(30)).await;
        breaker.try_acquire().unwrap().failure();
        assert_eq!(breaker.state(), BreakerState::Open);
        let rejected = breaker.try_acquire().unwrap_err();
        assert_eq!(rejected.retry_at, Instant::now() + Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn dropped_trial_frees_slot() {
        let breaker = breaker(1, 30);
        fail(&breaker, 1);
        tokio::time::advance(Duration::from_secs(30)).await;
        drop(breaker.try_acquire().unwrap());
        assert!(breaker.try_acquire().is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn late_failure_while_open_ignored() {
        let breaker = breaker(1, 30);
        let late = breaker.try_acquire().unwrap();
        fail(&breaker, 1);
        late.failure();
        tokio::time::advance(Duration::from_secs(30)).await;
        assert_eq!(breaker.state(), BreakerState::HalfOpen);
    }
}
