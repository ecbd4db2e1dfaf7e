// Azure Database for PostgreSQL flexible server and the smarttrip database. Private by default (inside the
// network, no public endpoint); with developmentClientIp set it is public instead, open to that address and to
// Azure services only.
param location string
param tags object
param resourceToken string
param administratorLogin string
@secure()
param administratorPassword string
param developmentClientIp string
param postgresSubnetId string
param postgresDnsZoneId string

var isPrivate = empty(developmentClientIp)

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: 'psql-${resourceToken}'
  location: location
  tags: tags
  sku: { name: 'Standard_B1ms', tier: 'Burstable' }
  properties: {
    version: '16'
    administratorLogin: administratorLogin
    administratorLoginPassword: administratorPassword
    storage: { storageSizeGB: 32 }
    backup: { backupRetentionDays: 7, geoRedundantBackup: 'Disabled' }
    highAvailability: { mode: 'Disabled' }
    network: isPrivate
      ? { delegatedSubnetResourceId: postgresSubnetId, privateDnsZoneArmResourceId: postgresDnsZoneId, publicNetworkAccess: 'Disabled' }
      : { publicNetworkAccess: 'Enabled' }
  }
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: server
  name: 'smarttrip'
  properties: { charset: 'UTF8', collation: 'en_US.utf8' }
}

resource developer 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = if (!isPrivate) {
  parent: server
  name: 'development-client'
  properties: { startIpAddress: developmentClientIp, endIpAddress: developmentClientIp }
}

resource azureServices 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = if (!isPrivate) {
  parent: server
  name: 'azure-services'
  properties: { startIpAddress: '0.0.0.0', endIpAddress: '0.0.0.0' }
}

output host string = server.properties.fullyQualifiedDomainName
output databaseName string = database.name
output isPrivate bool = isPrivate
