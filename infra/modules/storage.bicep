// The Functions storage account (no shared keys, no public network access): the deployment package container, the
// host's own containers, the event queues and the archive of the logs' old months (Parquet: versioned, soft-deleted,
// immutable for archiveRetentionDays, moved to the cool tier and deleted after the retention by lifecycle rules),
// reached through private endpoints in the app's network. The app's managed identity gets data roles on the
// containers it writes (the host's and the archive), only reads the deployment package, and sends and receives on the
// two queues; nothing at the account's scope.
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

@description('Days an archived month\'s files are immutable (neither changed nor deleted), after which a rule deletes them.')
@minValue(1)
param archiveRetentionDays int = 1095

var blobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var blobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var blobDataReader = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
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
  properties: {
    isVersioningEnabled: true
    deleteRetentionPolicy: { enabled: true, days: 30 }
    containerDeleteRetentionPolicy: { enabled: true, days: 30 }
  }
}

// The Functions host's own containers (its locks, timer schedules and keys), made here so that its identity needs no
// right to create containers on the account.
resource hostContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for name in ['azure-webjobs-hosts', 'azure-webjobs-secrets']: {
  parent: blobs
  name: name
}]

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

// Written once, never rewritten: the archiver uploads each file and the manifest once and reads them back.
resource archiveImmutability 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2023-05-01' = {
  parent: archive
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: archiveRetentionDays
    allowProtectedAppendWrites: false
  }
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
        {
          name: 'archive-retention'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: { blobTypes: ['blockBlob'], prefixMatch: ['${archive.name}/table='] }
            actions: {
              baseBlob: { delete: { daysAfterModificationGreaterThan: archiveRetentionDays + 1 } }
              version: { delete: { daysAfterCreationGreaterThan: archiveRetentionDays + 1 } }
            }
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

// The host's containers: its locks and keys, which it writes and deletes.
resource hostRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (name, i) in ['azure-webjobs-hosts', 'azure-webjobs-secrets']: {
  scope: hostContainers[i]
  name: guid(hostContainers[i].id, principalId, blobDataOwner)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobDataOwner)
  }
}]

// The deployment package: read only, so the app cannot replace the code it runs.
resource packageReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: deployments
  name: guid(deployments.id, principalId, blobDataReader)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobDataReader)
  }
}

// The archive: the archiver writes new files and reads them back (the immutability policy keeps them as written).
resource archiveWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: archive
  name: guid(archive.id, principalId, blobDataContributor)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobDataContributor)
  }
}

// The two queues: the HTTP functions send, the drain receives, the host moves what fails to events-poison, operators replay.
resource eventsRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: events
  name: guid(events.id, principalId, queueDataContributor)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', queueDataContributor)
  }
}

resource poisonRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: poison
  name: guid(poison.id, principalId, queueDataContributor)
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
