//! Creating a client's own user pool and app client, idempotently. A first attempt creates
//! the pool straight away (no listing: its cost does not grow with the number of clients);
//! only a resumed onboarding whose earlier attempt may have made a pool looks for it by name
//! ([`find_or_create_pool`]), so a resume does not make a second one.

use atrium_shared::cognito::MIN_PASSWORD_LENGTH;
use atrium_shared::{ApiError, ApiResult, App};
use aws_sdk_cognitoidentityprovider::types::{
    AccountRecoverySettingType, AdminCreateUserConfigType, DeletionProtectionType,
    ExplicitAuthFlowsType, PasswordPolicyType, PreventUserExistenceErrorTypes,
    RecoveryOptionNameType, RecoveryOptionType, SoftwareTokenMfaConfigType, TimeUnitsType,
    TokenValidityUnitsType, UserPoolMfaType, UserPoolPolicyType, UsernameAttributeType,
};

pub const APP_CLIENT_NAME: &str = "portal";

pub fn pool_name(app: &App, tenant_id: &str) -> String {
    format!("{}-client-{tenant_id}", app.config.resource_prefix)
}

/// The pool an earlier attempt made for this tenant, or a new one. Lists the account's pools
/// (60 a page), so only a resume whose record says a pool may exist calls it.
pub async fn find_or_create_pool(app: &App, tenant_id: &str) -> ApiResult<String> {
    let name = pool_name(app, tenant_id);
    if let Some(existing) = find_pool(app, &name).await? {
        // An earlier attempt may have died between creating the pool and setting its policy.
        set_mfa(app, &existing, false).await?;
        return Ok(existing);
    }
    create_pool(app, tenant_id).await
}

/// A new pool for the tenant, with the portal's password, recovery and MFA settings.
pub async fn create_pool(app: &App, tenant_id: &str) -> ApiResult<String> {
    let name = pool_name(app, tenant_id);
    let policy = PasswordPolicyType::builder()
        .minimum_length(MIN_PASSWORD_LENGTH)
        .require_uppercase(true)
        .require_lowercase(true)
        .require_numbers(true)
        .require_symbols(true)
        .temporary_password_validity_days(7)
        .build();
    let recovery = AccountRecoverySettingType::builder()
        .recovery_mechanisms(
            RecoveryOptionType::builder()
                .name(RecoveryOptionNameType::VerifiedEmail)
                .priority(1)
                .build()
                .map_err(|error| ApiError::internal("recovery option", error))?,
        )
        .build();
    let output = app
        .cognito
        .create_user_pool()
        .pool_name(&name)
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(policy)
                .build(),
        )
        .username_attributes(UsernameAttributeType::Email)
        .admin_create_user_config(
            AdminCreateUserConfigType::builder()
                .allow_admin_create_user_only(true)
                .build(),
        )
        .account_recovery_setting(recovery)
        .mfa_configuration(UserPoolMfaType::Off)
        .deletion_protection(DeletionProtectionType::Active)
        .user_pool_tags("atrium:tenant", tenant_id)
        .send()
        .await
        .map_err(|error| ApiError::dependency("cognito create_user_pool", error))?;
    let pool_id = output
        .user_pool
        .and_then(|pool| pool.id)
        .ok_or_else(|| ApiError::internal("create_user_pool", "no pool id"))?;
    set_mfa(app, &pool_id, false).await?;
    Ok(pool_id)
}

/// Deletes a client's pool (taking back an onboarding that cannot finish): deletion
/// protection is lifted first. A pool already gone counts as deleted.
pub async fn delete_pool(app: &App, pool_id: &str) -> ApiResult<()> {
    let gone = |error: &str| error == "ResourceNotFoundException";
    if let Err(error) = app
        .cognito
        .update_user_pool()
        .user_pool_id(pool_id)
        .deletion_protection(DeletionProtectionType::Inactive)
        .send()
        .await
    {
        if !atrium_shared::cognito::error_code(&error).is_some_and(gone) {
            return Err(ApiError::dependency("cognito update_user_pool", error));
        }
    }
    match app
        .cognito
        .delete_user_pool()
        .user_pool_id(pool_id)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(error) if atrium_shared::cognito::error_code(&error).is_some_and(gone) => Ok(()),
        Err(error) => Err(ApiError::dependency("cognito delete_user_pool", error)),
    }
}

/// TOTP is always available; `required` makes it mandatory for every sign-in of the pool.
pub async fn set_mfa(app: &App, pool_id: &str, required: bool) -> ApiResult<()> {
    app.cognito
        .set_user_pool_mfa_config()
        .user_pool_id(pool_id)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .mfa_configuration(if required {
            UserPoolMfaType::On
        } else {
            UserPoolMfaType::Optional
        })
        .send()
        .await
        .map(|_| ())
        .map_err(|error| ApiError::dependency("cognito set_user_pool_mfa_config", error))
}

async fn find_pool(app: &App, name: &str) -> ApiResult<Option<String>> {
    let mut next: Option<String> = None;
    loop {
        let output = app
            .cognito
            .list_user_pools()
            .max_results(60)
            .set_next_token(next.take())
            .send()
            .await
            .map_err(|error| ApiError::dependency("cognito list_user_pools", error))?;
        for pool in output.user_pools() {
            if pool.name() == Some(name) {
                return Ok(pool.id().map(str::to_string));
            }
        }
        match output.next_token {
            Some(token) if !token.is_empty() => next = Some(token),
            _ => return Ok(None),
        }
    }
}

pub async fn find_or_create_app_client(app: &App, pool_id: &str) -> ApiResult<String> {
    let mut next: Option<String> = None;
    loop {
        let output = app
            .cognito
            .list_user_pool_clients()
            .user_pool_id(pool_id)
            .max_results(60)
            .set_next_token(next.take())
            .send()
            .await
            .map_err(|error| ApiError::dependency("cognito list_user_pool_clients", error))?;
        for client in output.user_pool_clients() {
            if client.client_name() == Some(APP_CLIENT_NAME) {
                if let Some(id) = client.client_id() {
                    return Ok(id.to_string());
                }
            }
        }
        match output.next_token {
            Some(token) if !token.is_empty() => next = Some(token),
            _ => break,
        }
    }
    let output = app
        .cognito
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name(APP_CLIENT_NAME)
        .generate_secret(false)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        .enable_token_revocation(true)
        .access_token_validity(60)
        .id_token_validity(60)
        .refresh_token_validity(30)
        .token_validity_units(
            TokenValidityUnitsType::builder()
                .access_token(TimeUnitsType::Minutes)
                .id_token(TimeUnitsType::Minutes)
                .refresh_token(TimeUnitsType::Days)
                .build(),
        )
        .send()
        .await
        .map_err(|error| ApiError::dependency("cognito create_user_pool_client", error))?;
    output
        .user_pool_client
        .and_then(|client| client.client_id)
        .ok_or_else(|| ApiError::internal("create_user_pool_client", "no client id"))
}

/// Creates the contact in the pool without Cognito's own mail (ours carries the link), or
/// finds them if an earlier attempt already did. Answers their `sub`. An address Cognito
/// refuses (`InvalidParameterException`: the portal's own check is stricter, but Cognito has
/// the last word) is a 400 naming `field`, so callers can take back what they wrote.
pub async fn find_or_create_contact(
    app: &App,
    pool_id: &str,
    email: &str,
    name: &str,
    field: &str,
) -> ApiResult<String> {
    use aws_sdk_cognitoidentityprovider::types::{AttributeType, MessageActionType};
    let attribute = |name: &str, value: &str| {
        AttributeType::builder()
            .name(name)
            .value(value)
            .build()
            .map_err(|error| ApiError::internal("attribute", error))
    };
    let created = app
        .cognito
        .admin_create_user()
        .user_pool_id(pool_id)
        .username(email)
        .user_attributes(attribute("email", email)?)
        .user_attributes(attribute("email_verified", "true")?)
        .user_attributes(attribute("name", name)?)
        .message_action(MessageActionType::Suppress)
        .send()
        .await;
    let attributes = match created {
        Ok(output) => output
            .user
            .map(|user| user.attributes.unwrap_or_default())
            .unwrap_or_default(),
        Err(error)
            if atrium_shared::cognito::error_code(&error) == Some("UsernameExistsException") =>
        {
            app.cognito
                .admin_get_user()
                .user_pool_id(pool_id)
                .username(email)
                .send()
                .await
                .map_err(|error| ApiError::dependency("cognito admin_get_user", error))?
                .user_attributes
                .unwrap_or_default()
        }
        Err(error)
            if atrium_shared::cognito::error_code(&error) == Some("InvalidParameterException") =>
        {
            tracing::info!(?error, "cognito refused the address");
            return Err(ApiError::invalid(
                field,
                "was refused by the sign-in service; check the address",
            ));
        }
        Err(error) => return Err(ApiError::dependency("cognito admin_create_user", error)),
    };
    attributes
        .into_iter()
        .find(|attribute| attribute.name == "sub")
        .and_then(|attribute| attribute.value)
        .ok_or_else(|| ApiError::internal("admin_create_user", "no sub"))
}
