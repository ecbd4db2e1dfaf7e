// Azure Database for PostgreSQL flexible server and the smarttrip database. Private by default (inside the
// network, no public endpoint); with developmentClientIp set it is public instead, open to that address and to the
// app's own egress address (its NAT gateway) only, never to every Azure service. Storage grows by itself, and an alert
// fires when it is 80 % full.
param location string
param tags object
param resourceToken string
param administratorLogin string
@secure()
param administratorPassword string
param developmentClientIp string
param postgresSubnetId string
param postgresDnsZoneId string
param appEgressIp string
@description('Action group the storage alert notifies; empty = the alert is recorded but notifies nobody.')
param actionGroupId string

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
    storage: { storageSizeGB: 32, autoGrow: 'Enabled' }
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

resource app 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = if (!isPrivate) {
  parent: server
  name: 'function-app'
  properties: { startIpAddress: appEgressIp, endIpAddress: appEgressIp }
}

resource storageAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'alert-psql-storage-${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    description: 'PostgreSQL storage above 80 %: auto-grow is on, but look at what is growing (request log, events).'
    severity: 2
    enabled: true
    scopes: [server.id]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT30M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          name: 'storage-percent'
          criterionType: 'StaticThresholdCriterion'
          metricName: 'storage_percent'
          metricNamespace: 'Microsoft.DBforPostgreSQL/flexibleServers'
          operator: 'GreaterThan'
          threshold: 80
          timeAggregation: 'Maximum'
        }
      ]
    }
    actions: empty(actionGroupId) ? [] : [{ actionGroupId: actionGroupId }]
  }
}

output host string = server.properties.fullyQualifiedDomainName
output databaseName string = database.name
output isPrivate bool = isPrivate
