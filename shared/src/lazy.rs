//! An AWS client made on first use. Every function gets the same [`crate::App`], but most
//! call one or two services: building an SDK client costs about 0.1 ms of a cold start each
//! (`make bench`), so a function that never sends mail never builds the SES client.

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

type Make<T> = Arc<dyn Fn() -> T + Send + Sync>;

pub struct OnFirstUse<T> {
    value: Arc<OnceLock<T>>,
    make: Make<T>,
}

impl<T> OnFirstUse<T> {
    /// Made by `make` the first time it is used (once, even when used from several tasks).
    pub fn new(make: impl Fn() -> T + Send + Sync + 'static) -> Self {
        Self {
            value: Arc::new(OnceLock::new()),
            make: Arc::new(make),
        }
    }

    /// Already made (tests hand in mocked clients this way).
    pub fn ready(value: T) -> Self
    where
        T: Clone + Send + Sync + 'static,
    {
        let made = value.clone();
        let cell = OnceLock::new();
        let _ = cell.set(value);
        Self {
            value: Arc::new(cell),
            make: Arc::new(move || made.clone()),
        }
    }

    /// Whether it has been made yet.
    pub fn is_made(&self) -> bool {
        self.value.get().is_some()
    }
}

impl<T> Deref for OnFirstUse<T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.value.get_or_init(|| (self.make)())
    }
}

impl<T> Clone for OnFirstUse<T> {
    fn clone(&self) -> Self {
        Self {
            value: self.value.clone(),
            make: self.make.clone(),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for OnFirstUse<T> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value.get() {
            Some(value) => value.fmt(formatter),
            None => formatter.write_str("(not made yet)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn made_once_on_first_use_and_shared_by_clones() {
        let made = Arc::new(AtomicUsize::new(0));
        let counter = made.clone();
        let client = OnFirstUse::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            String::from("client")
        });
        let copy = client.clone();
        assert!(!client.is_made());
        assert_eq!(made.load(Ordering::SeqCst), 0);
        assert_eq!(copy.len(), 6);
        assert_eq!(client.as_str(), "client");
        assert!(client.is_made());
        assert_eq!(made.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_ready_value_is_never_made_again() {
        let client = OnFirstUse::ready(7_u8);
        assert!(client.is_made());
        assert_eq!(*client, 7);
    }
}
