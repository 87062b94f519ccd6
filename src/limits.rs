//! Per-action limits the dispatcher applies before claiming jobs:
//! `max_concurrency` (attempts running at once) and `rate` (attempts
//! started in any window of the rate's length). Jobs over a limit are not
//! claimed, so they wait in the store instead of failing.

use crate::config::{ActionConfig, Rate};
use std::collections::{HashMap, VecDeque};
use tokio::time::Instant;

/// The limits of every action that has one, with what they have used.
#[derive(Debug, Default)]
pub struct ActionLimits {
    limits: HashMap<String, Limit>,
}

#[derive(Debug)]
struct Limit {
    max_concurrency: Option<usize>,
    rate: Option<Rate>,
    running: usize,
    /// Start times within the last `rate.per`, oldest first.
    starts: VecDeque<Instant>,
}

impl Limit {
    fn forget_old_starts(&mut self, now: Instant) {
        if let Some(rate) = self.rate {
            while self.starts.front().is_some_and(|start| now.duration_since(*start) >= rate.per) {
                self.starts.pop_front();
            }
        }
    }

    /// Returns how many more attempts may start now.
    fn allowance(&self) -> usize {
        let by_concurrency = self.max_concurrency.map_or(usize::MAX, |max| max.saturating_sub(self.running));
        let by_rate = self.rate.map_or(usize::MAX, |rate| (rate.count as usize).saturating_sub(self.starts.len()));
        by_concurrency.min(by_rate)
    }
}

impl ActionLimits {
    pub fn new<'a>(actions: impl IntoIterator<Item = &'a ActionConfig>) -> ActionLimits {
        let limits = actions
            .into_iter()
            .filter(|action| action.max_concurrency.is_some() || action.rate.is_some())
            .map(|action| {
                let limit = Limit {
                    max_concurrency: action.max_concurrency,
                    rate: action.rate,
                    running: 0,
                    starts: VecDeque::new(),
                };
                (action.name.clone(), limit)
            })
            .collect();
        ActionLimits { limits }
    }

    /// Returns the maximum attempts of each limited action that may start
    /// now. An action not in the map has no limit of its own.
    pub fn allowances(&mut self, now: Instant) -> HashMap<String, usize> {
        self.limits
            .iter_mut()
            .map(|(name, limit)| {
                limit.forget_old_starts(now);
                (name.clone(), limit.allowance())
            })
            .collect()
    }

    /// Records that an attempt of `action` started.
    pub fn started(&mut self, action: &str, now: Instant) {
        if let Some(limit) = self.limits.get_mut(action) {
            limit.running += 1;
            if limit.rate.is_some() {
                limit.starts.push_back(now);
            }
        }
    }

    /// Records that an attempt of `action` ended.
    pub fn finished(&mut self, action: &str) {
        if let Some(limit) = self.limits.get_mut(action) {
            limit.running = limit.running.saturating_sub(1);
        }
    }

    /// Returns the earliest time an action held back only by its rate may start again.
    pub fn next_rate_slot(&self) -> Option<Instant> {
        self.limits
            .values()
            .filter(|limit| limit.max_concurrency.is_none_or(|max| limit.running < max))
            .filter_map(|limit| {
                let rate = limit.rate?;
                if limit.starts.len() < rate.count as usize {
                    return None;
                }
                limit.starts.front().map(|oldest| *oldest + rate.per)
            })
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn action(name: &str, max_concurrency: Option<usize>, rate: Option<&str>) -> ActionConfig {
        ActionConfig {
            name: name.into(),
            on: Vec::new(),
            target: crate::config::ActionTarget::Forward { url: "http://127.0.0.1:9/".into(), secret: None },
            env: Vec::new(),
            cwd: ".".into(),
            timeout: Duration::from_secs(1),
            retries: 0,
            max_concurrency,
            rate: rate.map(|text| Rate::parse(text).unwrap()),
            reply: false,
            reply_on_failure: false,
            ack: false,
        }
    }

    #[test]
    fn unlimited_actions_are_absent() {
        let mut limits = ActionLimits::new(&[action("free", None, None)]);
        assert!(limits.allowances(Instant::now()).is_empty());
    }

    #[test]
    fn concurrency_frees_on_finish() {
        let mut limits = ActionLimits::new(&[action("one", Some(1), None)]);
        let now = Instant::now();
        assert_eq!(limits.allowances(now)["one"], 1);
        limits.started("one", now);
        assert_eq!(limits.allowances(now)["one"], 0);
        limits.finished("one");
        assert_eq!(limits.allowances(now)["one"], 1);
    }

    #[tokio::test(start_paused = true)]
    async fn rate_never_exceeded_in_any_window() {
        let mut limits = ActionLimits::new(&[action("rated", None, Some("3/second"))]);
        let mut starts = Vec::new();
        let begin = Instant::now();
        while starts.len() < 10 {
            let now = Instant::now();
            let allowance = limits.allowances(now)["rated"];
            for _ in 0..allowance {
                limits.started("rated", now);
                limits.finished("rated");
                starts.push(now);
            }
            match limits.next_rate_slot() {
                Some(slot) => tokio::time::sleep_until(slot).await,
                None => tokio::time::sleep(Duration::from_millis(1)).await,
            }
        }
        for window in starts.windows(4) {
            assert!(window[3].duration_since(window[0]) >= Duration::from_secs(1));
        }
        // Slots open as soon as the window allows: 10 starts take 3 s.
        assert_eq!(starts[9].duration_since(begin), Duration::from_secs(3));
    }
}
