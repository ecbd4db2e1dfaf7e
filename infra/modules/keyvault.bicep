// Key Vault (RBAC, purge protection) holding the database connection strings and the JWT secret; the app's identity may
// read its own two secrets only (role assignments scoped to each secret, none on the vault), never the administrator's. Its data plane is closed except to the app's subnet (service endpoint) and, when given, the developer's
// address; the secrets below are written through Azure Resource Manager, which the firewall does not concern.
param location string
param tags object
param resourceToken string
param principalId string
param databaseHost string
param databaseName string
param administratorLogin string
@secure()
param administratorPassword string
param appLogin string
@secure()
param appPassword string
@secure()
param jwtSecret string
@description('Whether a JWT secret was given (an empty secret is not stored).')
param storeJwtSecret bool
param appSubnetId string
param developmentClientIp string
@description('Npgsql pool size per instance: instances × pool stays under the server\'s connection limit (see main.bicep).')
param maxPoolSize int

var secretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-${resourceToken}'
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'None'
      virtualNetworkRules: [{ id: appSubnetId, ignoreMissingVnetServiceEndpoint: false }]
      ipRules: empty(developmentClientIp) ? [] : [{ value: developmentClientIp }]
    }
  }
}

// The app's: the data-only login, a bounded pool, the server's certificate checked.
resource connectionString 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'smarttrip-db'
  properties: {
    value: 'Host=${databaseHost};Database=${databaseName};Username=${appLogin};Password=${appPassword};Ssl Mode=VerifyFull;Maximum Pool Size=${maxPoolSize}'
  }
}

// The operators': the administrator, for `smarttrip migrate` and `seed` only; the app's identity is not given it.
resource adminConnectionString 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'smarttrip-db-admin'
  properties: {
    value: 'Host=${databaseHost};Database=${databaseName};Username=${administratorLogin};Password=${administratorPassword};Ssl Mode=VerifyFull'
  }
}

resource jwt 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (storeJwtSecret) {
  parent: vault
  name: 'jwt-secret'
  properties: {
    value: jwtSecret
  }
}

resource readsConnectionString 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: connectionString
  name: guid(connectionString.id, principalId, secretsUser)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUser)
  }
}

resource readsJwt 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (storeJwtSecret) {
  scope: jwt
  name: guid(jwt.id, principalId, secretsUser)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUser)
  }
}

output name string = vault.name
output connectionStringSecretUri string = connectionString.properties.secretUri
output jwtSecretUri string = storeJwtSecret ? jwt!.properties.secretUri : ''
