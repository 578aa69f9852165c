//! Requests as they arrive through the portal's CloudFront distribution.
//!
//! API Gateway sees the CloudFront edge that forwarded a request, not the person behind it,
//! so its `sourceIp` would put an edge address into the audit trail and on signing
//! certificates. The distribution (template.yaml) therefore adds two headers to every request
//! it sends to the API:
//! - [`VIEWER_ADDRESS_HEADER`], the viewer's IP address, written by a viewer-request function
//!   (any value the browser sent under that name is replaced);
//! - [`ORIGIN_VERIFY_HEADER`], a value only the stack knows (a generated secret, also given to
//!   every function as `ATRIUM_ORIGIN_SECRET`).
//!
//! When the secret is configured, a request without it did not come through the distribution
//! (someone called the execute-api address directly, and could claim any viewer address): it
//! is refused before any handler runs. Without a configured secret (the local stack, whose
//! gateway sees the browser itself) nothing is checked and the source address is used.

use crate::error::{ApiError, ApiResult};
use lambda_http::Request;
use std::net::IpAddr;

pub const ORIGIN_VERIFY_HEADER: &str = "x-atrium-origin-verify";
pub const VIEWER_ADDRESS_HEADER: &str = "x-atrium-viewer-address";

/// The viewer's address as the distribution reported it, once the request is admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewerAddress(pub IpAddr);

/// Lets a request through, noting the viewer's address on it, or refuses it (403) when a
/// secret is configured and the request does not carry it.
pub fn admit(origin_secret: Option<&str>, request: &mut Request) -> ApiResult<()> {
    let Some(secret) = origin_secret else {
        return Ok(());
    };
    let presented = request
        .headers()
        .get(ORIGIN_VERIFY_HEADER)
        .map(|value| value.as_bytes())
        .unwrap_or_default();
    if !same_secret(presented, secret.as_bytes()) {
        tracing::warn!("request refused: it did not come through the portal's distribution");
        return Err(ApiError::forbidden(
            "Requests reach the API through the portal's own address.",
        ));
    }
    let viewer = request
        .headers()
        .get(VIEWER_ADDRESS_HEADER)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.trim().parse::<IpAddr>().ok());
    if let Some(address) = viewer {
        request.extensions_mut().insert(ViewerAddress(address));
    }
    Ok(())
}

/// Compares every byte whatever the first difference, so the time taken says nothing about
/// how much of a guess was right.
fn same_secret(presented: &[u8], expected: &[u8]) -> bool {
    presented.len() == expected.len()
        && presented
            .iter()
            .zip(expected)
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::Body;

    fn request(headers: &[(&'static str, &'static str)]) -> Request {
        let mut builder = http::Request::builder().uri("/api/me");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Body::Empty).expect("request")
    }

    #[test]
    fn without_a_secret_everything_passes_and_no_viewer_is_claimed() {
        let mut plain = request(&[(VIEWER_ADDRESS_HEADER, "203.0.113.9")]);
        assert!(admit(None, &mut plain).is_ok());
        assert!(plain.extensions().get::<ViewerAddress>().is_none());
    }

    #[test]
    fn the_right_secret_admits_and_carries_the_viewer_address() {
        let mut through = request(&[
            (ORIGIN_VERIFY_HEADER, "s3cret"),
            (VIEWER_ADDRESS_HEADER, "2001:db8::7"),
        ]);
        assert!(admit(Some("s3cret"), &mut through).is_ok());
        let expected: IpAddr = "2001:db8::7".parse().expect("address");
        assert_eq!(
            through.extensions().get::<ViewerAddress>(),
            Some(&ViewerAddress(expected))
        );
    }

    #[test]
    fn a_missing_or_wrong_secret_is_refused_whatever_the_viewer_header_says() {
        for headers in [
            vec![(VIEWER_ADDRESS_HEADER, "203.0.113.9")],
            vec![
                (ORIGIN_VERIFY_HEADER, "s3cre"),
                (VIEWER_ADDRESS_HEADER, "203.0.113.9"),
            ],
            vec![
                (ORIGIN_VERIFY_HEADER, "s3cret!"),
                (VIEWER_ADDRESS_HEADER, "203.0.113.9"),
            ],
            vec![(ORIGIN_VERIFY_HEADER, "S3CRET")],
        ] {
            let mut bypass = request(&headers);
            let error = admit(Some("s3cret"), &mut bypass).expect_err("refused");
            assert_eq!(error.status.as_u16(), 403);
            assert!(bypass.extensions().get::<ViewerAddress>().is_none());
        }
    }

    #[test]
    fn an_unreadable_viewer_address_is_left_out() {
        let mut odd = request(&[
            (ORIGIN_VERIFY_HEADER, "s3cret"),
            (VIEWER_ADDRESS_HEADER, "edge"),
        ]);
        assert!(admit(Some("s3cret"), &mut odd).is_ok());
        assert!(odd.extensions().get::<ViewerAddress>().is_none());
    }
}
