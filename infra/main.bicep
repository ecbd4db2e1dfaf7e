// SmartTrip in one resource group: function app (Flex Consumption, .NET 10 isolated) with a user-assigned identity,
// storage without shared keys (events queues), PostgreSQL flexible server (private by default), Key Vault for the
// secrets, Application Insights with Log Analytics. Deploy with `azd up` or `az deployment sub create`.
targetScope = 'subscription'

@minLength(1)
@maxLength(40)
@description('Environment name (azd); part of every resource name and the resource group name.')
param environmentName string

@minLength(1)
@description('Azure region of every resource.')
param location string

@description('Comma-separated origins of the static frontend allowed by CORS (with credentials).')
param corsAllowedOrigins string = 'http://localhost:3000'

@description('PostgreSQL administrator login.')
param postgresAdministratorLogin string = 'smarttrip'

@secure()
@description('PostgreSQL administrator password (stored only in Key Vault, inside the connection string).')
param postgresAdministratorPassword string

@description('Leave empty for a private database (inside the network). An IP address makes it public, open to that address and Azure services only: for development.')
param developmentClientIp string = ''

@secure()
@description('HS256 shared secret of the Supabase project; empty = HS256 tokens are not accepted.')
param jwtSecret string = ''

@description('JWKS document (JSON text) with the Supabase public signing keys.')
param jwks string = ''

@description('URL of the JWKS document, used when jwks is empty.')
param jwksUrl string = ''

@description('Required JWT audience.')
param jwtAudience string = 'authenticated'

@description('Required JWT issuer (Supabase: https://<project>.supabase.co/auth/v1); empty = not checked.')
param jwtIssuer string = ''

@description('CRON (six fields, UTC) of the DailyMetrics timer.')
param dailyMetricsSchedule string = '0 15 0 * * *'

@description('CRON (six fields, UTC) of the CloseIdleSessions timer.')
param closeIdleSessionsSchedule string = '0 */15 * * * *'

@minValue(1)
@maxValue(1440)
param sessionIdleMinutes int = 30

@minValue(1)
@maxValue(100)
param recommendationsMaxResults int = 10

@minValue(0)
param catalogRefreshMilliseconds int = 1000

@minValue(1)
@maxValue(3600)
param retryAfterSeconds int = 5

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

var tags = { 'azd-env-name': environmentName, application: 'smarttrip' }
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))

resource group 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: group
  params: { location: location, tags: tags, resourceToken: resourceToken }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: group
  params: { location: location, tags: tags, resourceToken: resourceToken, principalId: identity.outputs.principalId }
}

module storage 'modules/storage.bicep' = {
  scope: group
  params: { location: location, tags: tags, resourceToken: resourceToken, principalId: identity.outputs.principalId }
}

module network 'modules/network.bicep' = {
  scope: group
  params: { location: location, tags: tags, resourceToken: resourceToken }
}

module database 'modules/database.bicep' = {
  scope: group
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    administratorLogin: postgresAdministratorLogin
    administratorPassword: postgresAdministratorPassword
    developmentClientIp: developmentClientIp
    postgresSubnetId: network.outputs.postgresSubnetId
    postgresDnsZoneId: network.outputs.postgresDnsZoneId
  }
}

module vault 'modules/keyvault.bicep' = {
  scope: group
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    principalId: identity.outputs.principalId
    databaseHost: database.outputs.host
    databaseName: database.outputs.databaseName
    administratorLogin: postgresAdministratorLogin
    administratorPassword: postgresAdministratorPassword
    jwtSecret: jwtSecret
    storeJwtSecret: !empty(jwtSecret)
  }
}

module app 'modules/app.bicep' = {
  scope: group
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    blobEndpoint: storage.outputs.blobEndpoint
    deploymentContainer: storage.outputs.deploymentContainer
    appSubnetId: database.outputs.isPrivate ? network.outputs.appSubnetId : ''
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    connectionStringSecretUri: vault.outputs.connectionStringSecretUri
    jwtSecretUri: vault.outputs.jwtSecretUri
    jwks: jwks
    jwksUrl: jwksUrl
    jwtAudience: jwtAudience
    jwtIssuer: jwtIssuer
    corsAllowedOrigins: corsAllowedOrigins
    dailyMetricsSchedule: dailyMetricsSchedule
    closeIdleSessionsSchedule: closeIdleSessionsSchedule
    sessionIdleMinutes: sessionIdleMinutes
    recommendationsMaxResults: recommendationsMaxResults
    catalogRefreshMilliseconds: catalogRefreshMilliseconds
    retryAfterSeconds: retryAfterSeconds
    maximumInstanceCount: maximumInstanceCount
  }
}

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = group.name
output FUNCTION_APP_NAME string = app.outputs.name
output FUNCTION_APP_URL string = 'https://${app.outputs.defaultHostName}'
output KEY_VAULT_NAME string = vault.outputs.name
output POSTGRES_HOST string = database.outputs.host
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
