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

@minLength(1)
@description('Comma-separated origins of the static frontend allowed by CORS (credentials mode, as the API specifies; no cookies are used). Required.')
param corsAllowedOrigins string

@description('PostgreSQL administrator login.')
param postgresAdministratorLogin string = 'smarttrip'

@secure()
@description('PostgreSQL administrator password (stored only in Key Vault, in the operators\' connection string).')
param postgresAdministratorPassword string

@description('The login the app connects as: data only (role smarttrip_app), created by `smarttrip migrate --app-login`.')
param postgresAppLogin string = 'smarttrip_api'

@secure()
@description('Password of postgresAppLogin (stored only in Key Vault, in the app\'s connection string).')
param postgresAppPassword string

@description('Leave empty for a private database (inside the network). An IP address makes it public, open to that address and the app\'s egress address only (and opens Key Vault to it): for development.')
param developmentClientIp string = ''

@description('Leave empty to keep the storage account unreachable from outside the network (deploy from inside it, e.g. a runner in the network). An IP address lets that address through the storage firewall to upload a package; remove it after.')
param storageDeploymentClientIp string = ''

@secure()
@description('HS256 shared secret of the Supabase project; empty = HS256 tokens are not accepted.')
param jwtSecret string = ''

@description('JWKS document (JSON text) with the Supabase public signing keys.')
param jwks string = ''

@description('URL of the JWKS document, used when jwks is empty.')
param jwksUrl string = ''

@description('Required JWT audience.')
param jwtAudience string = 'authenticated'

@minLength(1)
@description('Required JWT issuer (Supabase: https://<project>.supabase.co/auth/v1): tokens signed by any JWKS key must also name this project.')
param jwtIssuer string

@description('CRON (six fields, UTC) of the DailyMetrics timer.')
param dailyMetricsSchedule string = '0 15 0 * * *'

@description('CRON (six fields, UTC) of the CloseIdleSessions timer.')
param closeIdleSessionsSchedule string = '0 */15 * * * *'

@description('CRON (six fields, UTC) of MaintainPartitions: month partitions kept ahead, old event ids forgotten.')
param partitionMaintenanceSchedule string = '0 30 0 * * *'

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

// Connections: a B1ms server allows 50, of which Azure reserves 15 for itself, leaving 35; 5 of those stay for
// operators (migrations, psql, the archive tool), so the app's instances share 30, each with a pool of
// connectionBudget / maximumInstanceCount (at least 2, so at most 15 instances). The measured load (README: about
// 1 000 searches/s per instance on 2 cores, each holding a connection for about 1 ms) needs 2-3 connections per
// instance; the queue drain may hold at most half of an instance's pool (Tracking__DrainConnections).
var serverConnections = 50
var azureReserved = 15
var operatorConnections = 5
var connectionBudget = serverConnections - azureReserved - operatorConnections

@minValue(1)
@maxValue(15)
@description('Most function app instances; each gets 30 / this many database connections (at least 2).')
param maximumInstanceCount int = 4

@description('Who is told when an alert fires (5xx share, events set aside, drain lag, database storage above 80 %); empty = no notification.')
param alertEmail string = ''

@description('The drain-lag alert fires when the 95th percentile of the time from acceptance to drain exceeds this many seconds.')
param drainLagAlertSeconds int = 60

@minValue(1)
@description('The events-set-aside alert fires when more events than this an hour are dead-lettered or poisoned (one bad release, not one odd event).')
param setAsideAlertPerHour int = 20

@minValue(10)
@description('Most tracking writes (events, events/batch, session/start, user/identify) a minute from one address, at Front Door.')
param trackingWritesPerMinute int = 600

@minValue(10)
@description('Most recommendation searches a minute from one address, at Front Door.')
param searchesPerMinute int = 120

@minValue(10)
@description('Most requests a minute from one address, whatever the method and path, at Front Door.')
param requestsPerMinute int = 1200

@minValue(10)
@description('Most GET /api/health a minute from one address, at Front Door.')
param healthChecksPerMinute int = 60

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
  params: { location: location, tags: tags, resourceToken: resourceToken, principalId: identity.outputs.principalId, alertEmail: alertEmail, drainLagAlertSeconds: drainLagAlertSeconds, setAsideAlertPerHour: setAsideAlertPerHour }
}

module edge 'modules/edge.bicep' = {
  scope: group
  params: {
    tags: tags
    resourceToken: resourceToken
    requestsPerMinute: requestsPerMinute
    trackingWritesPerMinute: trackingWritesPerMinute
    searchesPerMinute: searchesPerMinute
    healthChecksPerMinute: healthChecksPerMinute
    workspaceId: monitoring.outputs.workspaceId
  }
}

module storage 'modules/storage.bicep' = {
  scope: group
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    principalId: identity.outputs.principalId
    endpointsSubnetId: network.outputs.endpointsSubnetId
    dnsZoneIds: network.outputs.storageDnsZoneIds
    deploymentClientIp: storageDeploymentClientIp
  }
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
    appEgressIp: network.outputs.egressIpAddress
    actionGroupId: monitoring.outputs.actionGroupId
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
    appLogin: postgresAppLogin
    appPassword: postgresAppPassword
    jwtSecret: jwtSecret
    storeJwtSecret: !empty(jwtSecret)
    appSubnetId: network.outputs.appSubnetId
    developmentClientIp: developmentClientIp
    maxPoolSize: max(2, connectionBudget / maximumInstanceCount)
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
    archiveContainer: storage.outputs.archiveContainer
    appSubnetId: network.outputs.appSubnetId
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
    partitionMaintenanceSchedule: partitionMaintenanceSchedule
    sessionIdleMinutes: sessionIdleMinutes
    recommendationsMaxResults: recommendationsMaxResults
    catalogRefreshMilliseconds: catalogRefreshMilliseconds
    retryAfterSeconds: retryAfterSeconds
    maximumInstanceCount: maximumInstanceCount
    frontDoorId: edge.outputs.frontDoorId
  }
}

module edgeRoutes 'modules/edge-routes.bicep' = {
  scope: group
  params: { profileName: edge.outputs.profileName, endpointName: edge.outputs.endpointName, appHostName: app.outputs.defaultHostName }
}

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = group.name
output FUNCTION_APP_NAME string = app.outputs.name
output FUNCTION_APP_URL string = 'https://${app.outputs.defaultHostName}'
output API_URL string = 'https://${edge.outputs.hostName}'
output KEY_VAULT_NAME string = vault.outputs.name
output POSTGRES_HOST string = database.outputs.host
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
