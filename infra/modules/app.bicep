// The function app on the Flex Consumption plan (.NET 10 isolated), running as the user-assigned identity:
// identity-based storage, secrets as Key Vault references, every setting of local.settings.sample.json.
param location string
param tags object
param resourceToken string
param identityId string
param identityClientId string
param storageAccountName string
param blobEndpoint string
param deploymentContainer string
param appSubnetId string
param applicationInsightsConnectionString string
param connectionStringSecretUri string
param jwtSecretUri string
param jwks string
param jwksUrl string
param jwtAudience string
param jwtIssuer string
param corsAllowedOrigins string
param dailyMetricsSchedule string
param closeIdleSessionsSchedule string
param partitionMaintenanceSchedule string
@description('The Blob container of the logs\' archive.')
param archiveContainer string
param sessionIdleMinutes int
param recommendationsMaxResults int
param catalogRefreshMilliseconds int
param retryAfterSeconds int
param maximumInstanceCount int
@description('The Front Door profile whose traffic alone the app accepts (its X-Azure-FDID).')
param frontDoorId string

var origins = filter(map(split(corsAllowedOrigins, ','), origin => trim(origin)), origin => !empty(origin))

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${resourceToken}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: 'func-${resourceToken}'
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    virtualNetworkSubnetId: appSubnetId
    vnetRouteAllEnabled: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainer}'
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identityId }
        }
      }
      scaleAndConcurrency: { maximumInstanceCount: maximumInstanceCount, instanceMemoryMB: 2048 }
      runtime: { name: 'dotnet-isolated', version: '10.0' }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // Only Front Door reaches the app, and only this profile of it: the WAF's rate limits cannot be gone around.
      ipSecurityRestrictionsDefaultAction: 'Deny'
      ipSecurityRestrictions: [
        {
          name: 'front-door'
          priority: 100
          action: 'Allow'
          tag: 'ServiceTag'
          ipAddress: 'AzureFrontDoor.Backend'
          headers: { 'x-azure-fdid': [frontDoorId] }
        }
      ]
      // Credentials mode as api.md §1 specifies for the existing frontend; harmless, since the API sets and reads no
      // cookie, and limited to the origins named (the parameter is required, never a wildcard).
      cors: { allowedOrigins: origins, supportCredentials: true }
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: {
      AzureWebJobsStorage__accountName: storageAccountName
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identityClientId
      APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
      ConnectionStrings__SmartTripDb: '@Microsoft.KeyVault(SecretUri=${connectionStringSecretUri})'
      Auth__JwtSecret: empty(jwtSecretUri) ? '' : '@Microsoft.KeyVault(SecretUri=${jwtSecretUri})'
      Auth__Jwks: jwks
      Auth__JwksUrl: jwksUrl
      Auth__Audience: jwtAudience
      Auth__Issuer: jwtIssuer
      Cors__AllowedOrigins: corsAllowedOrigins
      DailyMetricsSchedule: dailyMetricsSchedule
      CloseIdleSessionsSchedule: closeIdleSessionsSchedule
      PartitionMaintenanceSchedule: partitionMaintenanceSchedule
      Lifecycle__ArchiveContainer: archiveContainer
      Tracking__SessionIdleMinutes: string(sessionIdleMinutes)
      Tracking__TrustedProxyHops: '2' // Front Door appends the caller's address, then Azure's front end Front Door's
      Exploration__Share: '0' // the randomised slice (docs/experiments.md §7): off until an operator turns it on
      Recommendations__MaxResults: string(recommendationsMaxResults)
      Recommendations__CatalogRefreshMilliseconds: string(catalogRefreshMilliseconds)
      RetryAfterSeconds: string(retryAfterSeconds)
    }
  }
}

// Deployments use the identity-based blob container, never publishing passwords.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: { allow: false }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: { allow: false }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
