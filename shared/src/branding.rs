//! The firm's branding as the portal and its mail use it: the stored settings
//! ([`BrandingRecord`]) or, until a firm admin saves any, the stack's firm name and the
//! default colours. Mail reads it through [`App::branding`], cached per warm sandbox.

use crate::mail::{Branding, DEFAULT_ACCENT_COLOUR, DEFAULT_PRIMARY_COLOUR};
use crate::store::settings::BrandingRecord;
use crate::App;
use serde::Serialize;
use std::time::{Duration, Instant};

/// How long a warm sandbox keeps the branding it read for mail. A change shows in other
/// functions' mail within this window (at once in the function that made it).
pub const MAIL_BRANDING_TTL: Duration = Duration::from_secs(60);

/// The cache behind [`App::branding`].
pub type BrandingCache = std::sync::Mutex<Option<(Instant, Branding)>>;

/// The defaults: the stack's `FirmName` and the portal's own colours.
pub fn default_record(firm_name: &str) -> BrandingRecord {
    BrandingRecord {
        firm_name: firm_name.to_string(),
        primary_colour: DEFAULT_PRIMARY_COLOUR.to_string(),
        accent_colour: DEFAULT_ACCENT_COLOUR.to_string(),
        support_email: None,
        logo_key: None,
        logo_content_type: None,
        updated_at: String::new(),
        updated_by: String::new(),
        version: 0,
    }
}

/// The public address of the current logo: the portal's own `/api/branding/logo` (which
/// redirects to a short-lived download), with the logo's id so that a new logo is a new URL
/// for browsers and mail clients that cached the old one.
pub fn logo_url(portal_origin: &str, record: &BrandingRecord) -> Option<String> {
    let key = record.logo_key.as_deref()?;
    let id = key.rsplit('/').next().unwrap_or_default();
    Some(format!(
        "{}/api/branding/logo?v={id}",
        portal_origin.trim_end_matches('/')
    ))
}

/// What `GET /api/branding` answers (and `PUT` after a change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrandingView {
    pub firm_name: String,
    pub primary_colour: String,
    pub accent_colour: String,
    pub support_email: Option<String>,
    pub logo_url: Option<String>,
    pub version: u64,
}

impl BrandingView {
    pub fn of(portal_origin: &str, record: &BrandingRecord) -> Self {
        Self {
            logo_url: logo_url(portal_origin, record),
            firm_name: record.firm_name.clone(),
            primary_colour: record.primary_colour.clone(),
            accent_colour: record.accent_colour.clone(),
            support_email: record.support_email.clone(),
            version: record.version,
        }
    }
}

impl App {
    /// The stored branding or the defaults (one `GetItem`).
    pub async fn branding_record(&self) -> crate::ApiResult<BrandingRecord> {
        Ok(self
            .store
            .branding_record()
            .await?
            .unwrap_or_else(|| default_record(&self.config.firm_name)))
    }

    /// The branding for mail: cached for [`MAIL_BRANDING_TTL`]; if it cannot be read, the
    /// defaults (a notice is never lost for want of a colour).
    pub async fn branding(&self) -> Branding {
        if let Ok(cache) = self.branding_cache.lock() {
            if let Some((read_at, branding)) = cache.as_ref() {
                if read_at.elapsed() < MAIL_BRANDING_TTL {
                    return branding.clone();
                }
            }
        }
        let record = match self.branding_record().await {
            Ok(record) => record,
            Err(error) => {
                tracing::warn!(?error, "branding not read; mail goes out with the defaults");
                return Branding::plain(&self.config.firm_name);
            }
        };
        let branding = Branding {
            logo_url: logo_url(&self.config.portal_origin, &record),
            firm_name: record.firm_name,
            primary_colour: record.primary_colour,
            accent_colour: record.accent_colour,
            support_email: record.support_email,
        };
        if let Ok(mut cache) = self.branding_cache.lock() {
            *cache = Some((Instant::now(), branding.clone()));
        }
        branding
    }

    /// Drops the cached branding (after this sandbox changed it).
    pub fn forget_branding(&self) {
        if let Ok(mut cache) = self.branding_cache.lock() {
            *cache = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_logo_url_names_the_logo() {
        let mut record = default_record("Firm");
        assert_eq!(logo_url("https://portal.example/", &record), None);
        record.logo_key = Some("firm/branding/logo/01JABCDEFGHJKMNPQRSTVWXYZ0".into());
        assert_eq!(
            logo_url("https://portal.example/", &record).as_deref(),
            Some("https://portal.example/api/branding/logo?v=01JABCDEFGHJKMNPQRSTVWXYZ0")
        );
    }
}
