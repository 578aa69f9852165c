//! Cognito helpers shared by sign-in, invitations and onboarding.

use crate::error::{ApiError, ApiResult};
use crate::principal::{Kind, Principal};
use crate::store::registry::registered_scope;
use crate::App;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_smithy_runtime_api::client::result::SdkError;
use serde::Deserialize;

/// Which pool and app client a person signs in with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolRef {
    pub pool_id: String,
    pub app_client_id: String,
    /// The tenant, for client pools.
    pub tenant_id: Option<String>,
}

/// The password policy every pool gets, in words a person can act on.
pub const PASSWORD_RULES: &str =
    "must be at least 12 characters with an upper-case and a lower-case letter, a digit and a symbol";
pub const MIN_PASSWORD_LENGTH: i32 = 12;

/// The error code of a failed Cognito call (`NotAuthorizedException`, …), if it got that far.
pub fn error_code<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> Option<&str> {
    match error {
        SdkError::ServiceError(service) => service.err().code(),
        _ => None,
    }
}

/// Errors of sign-in calls, mapped to what the person should hear.
pub fn sign_in_error<E: ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(
    context: &str,
    error: SdkError<E, R>,
) -> ApiError {
    match error_code(&error) {
        Some(
            "NotAuthorizedException"
            | "UserNotFoundException"
            | "PasswordResetRequiredException"
            | "UserNotConfirmedException",
        ) => ApiError::bad_credentials(),
        Some(
            "CodeMismatchException" | "ExpiredCodeException" | "EnableSoftwareTokenMFAException",
        ) => ApiError::new(
            http::StatusCode::UNAUTHORIZED,
            "bad_code",
            "code: that code did not match; use the current code from your authenticator app",
        ),
        Some("InvalidPasswordException") => ApiError::invalid("password", PASSWORD_RULES),
        Some(
            "TooManyRequestsException"
            | "LimitExceededException"
            | "TooManyFailedAttemptsException",
        ) => ApiError::throttled(),
        _ => ApiError::dependency(context, error),
    }
}

impl App {
    /// For a person who lost their authenticator: removes it from their account in `pool_id`
    /// (TOTP off, not preferred) and revokes their refresh tokens. Idempotent, so a retry after
    /// a failure re-applies it. The caller ends the portal's sessions and records who did it.
    pub async fn reset_authenticator(&self, pool_id: &str, username: &str) -> ApiResult<()> {
        use aws_sdk_cognitoidentityprovider::types::SoftwareTokenMfaSettingsType;
        let off = SoftwareTokenMfaSettingsType::builder()
            .enabled(false)
            .preferred_mfa(false)
            .build();
        self.cognito
            .admin_set_user_mfa_preference()
            .user_pool_id(pool_id)
            .username(username)
            .software_token_mfa_settings(off)
            .send()
            .await
            .map_err(|error| {
                ApiError::dependency("cognito admin_set_user_mfa_preference", error)
            })?;
        self.cognito
            .admin_user_global_sign_out()
            .user_pool_id(pool_id)
            .username(username)
            .send()
            .await
            .map_err(|error| ApiError::dependency("cognito admin_user_global_sign_out", error))?;
        Ok(())
    }

    pub fn staff_pool(&self) -> PoolRef {
        PoolRef {
            pool_id: self.config.staff_pool_id.clone(),
            app_client_id: self.config.staff_client_id.clone(),
            tenant_id: None,
        }
    }

    /// The pool of a client, by its slug. Unknown or unfinished clients are `None`.
    pub async fn client_pool_by_slug(&self, slug: &str) -> ApiResult<Option<PoolRef>> {
        let Some(record) = self.store.slug_record(slug).await? else {
            return Ok(None);
        };
        Ok(match (record.pool_id, record.app_client_id) {
            (Some(pool_id), Some(app_client_id)) => Some(PoolRef {
                pool_id,
                app_client_id,
                tenant_id: Some(record.tenant_id),
            }),
            _ => None,
        })
    }

    pub async fn client_pool_by_tenant(&self, tenant_id: &str) -> ApiResult<Option<PoolRef>> {
        let Some(record) = self.store.client_record(tenant_id).await? else {
            return Ok(None);
        };
        Ok(match (record.pool_id, record.app_client_id) {
            (Some(pool_id), Some(app_client_id)) => Some(PoolRef {
                pool_id,
                app_client_id,
                tenant_id: Some(record.tenant_id),
            }),
            _ => None,
        })
    }

    /// The pool the signed-in principal belongs to.
    pub async fn pool_of(&self, principal: &Principal) -> ApiResult<PoolRef> {
        match principal.kind {
            Kind::Staff => Ok(self.staff_pool()),
            Kind::Client => {
                let scope = principal.own_tenant()?;
                self.client_pool_by_tenant(scope.tenant_id())
                    .await?
                    .ok_or_else(ApiError::unauthorized)
            }
        }
    }
}

/// Reads the subject of a token Cognito has just issued to this process over TLS. Only for
/// tokens received directly from Cognito: anything a caller sends goes through the authorizer.
pub fn subject_of_fresh_token(token: &str) -> ApiResult<String> {
    #[derive(Deserialize)]
    struct Subject {
        sub: String,
    }
    jsonwebtoken::dangerous::insecure_decode_claims::<Subject>(token)
        .map(|claims| claims.sub)
        .map_err(|error| ApiError::internal("token from cognito", error))
}

/// A Cognito access token's `origin_jti`: the same for a sign-in and every refresh of it, so
/// it names the portal's session (`store::sessions`). Read from tokens Cognito just issued, or
/// that the authorizer has verified.
pub fn origin_jti_of_token(token: &str) -> ApiResult<String> {
    #[derive(Deserialize)]
    struct Origin {
        origin_jti: String,
    }
    jsonwebtoken::dangerous::insecure_decode_claims::<Origin>(token)
        .map(|claims| claims.origin_jti)
        .map_err(|error| ApiError::internal("token from cognito", error))
}

/// The scope of the tenant a pool belongs to, from the registry's record of it.
pub fn scope_of_pool(pool: &PoolRef) -> Option<crate::principal::TenantScope> {
    struct Named<'a>(&'a str);
    impl crate::store::registry::sealed::Sealed for Named<'_> {}
    impl crate::store::registry::RegisteredTenant for Named<'_> {
        fn registered_tenant_id(&self) -> &str {
            self.0
        }
    }
    pool.tenant_id
        .as_deref()
        .map(|tenant| registered_scope(&Named(tenant)))
}
