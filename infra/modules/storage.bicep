// The Functions storage account (no shared keys, no public network access): the deployment package container, the
// event queues and the archive of the logs' old months (Parquet, moved to the cool tier by a lifecycle rule), reached through private endpoints in the app's network, with the data roles the app's managed
// identity needs.
param location string
param tags object
@minLength(13)
@maxLength(13)
param resourceToken string
param principalId string

@description('The subnet that holds the private endpoints of blob, queue and table.')
param endpointsSubnetId string

@description('Private DNS zone ids by service (blob, queue, table), linked to the app\'s network.')
param dnsZoneIds object

@description('An address allowed through the storage firewall while deploying from outside the network (empty: none; public access stays disabled).')
param deploymentClientIp string = ''

@description('Days after its last write before an archived month\'s files move to the cool tier.')
@minValue(1)
param archiveCoolAfterDays int = 30

var blobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var queueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'st${resourceToken}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    defaultToOAuthAuthentication: true
    publicNetworkAccess: empty(deploymentClientIp) ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'None'
      ipRules: empty(deploymentClientIp) ? [] : [{ value: deploymentClientIp, action: 'Allow' }]
    }
  }
}

resource endpoints 'Microsoft.Network/privateEndpoints@2024-05-01' = [for service in ['blob', 'queue', 'table']: {
  name: 'pe-${service}-${resourceToken}'
  location: location
  tags: tags
  properties: {
    subnet: { id: endpointsSubnetId }
    privateLinkServiceConnections: [
      {
        name: service
        properties: { privateLinkServiceId: storage.id, groupIds: [service] }
      }
    ]
  }
}]

resource endpointDns 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = [for (service, i) in ['blob', 'queue', 'table']: {
  parent: endpoints[i]
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [{ name: service, properties: { privateDnsZoneId: dnsZoneIds[service] } }]
  }
}]

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource deployments 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: 'deployments'
}

// The archive of the logs (decision 0013): table=<log>/month=YYYY-MM/part-NNNNN.parquet and manifest.json, written by
// the MaintainPartitions timer with the app's identity (Storage Blob Data Owner below).
resource archive 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: 'archive'
}

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'archive-to-cool'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: { blobTypes: ['blockBlob'], prefixMatch: ['${archive.name}/table='] }
            actions: { baseBlob: { tierToCool: { daysAfterModificationGreaterThan: archiveCoolAfterDays } } }
          }
        }
      ]
    }
  }
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource events 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queues
  name: 'events'
}

resource poison 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queues
  name: 'events-poison'
}

resource blobRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, principalId, blobDataOwner)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobDataOwner)
  }
}

resource queueRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, principalId, queueDataContributor)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', queueDataContributor)
  }
}

output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output deploymentContainer string = deployments.name
output archiveContainer string = archive.name
