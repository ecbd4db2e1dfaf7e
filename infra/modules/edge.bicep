// The edge in front of the function app: Azure Front Door (Standard) with a WAF policy whose rate-limit rules bound
// what one client address can write anonymously, per minute (decision 0009). The routes to the app are added by
// edge-routes.bicep once the app exists; the app accepts traffic from this profile only (its X-Azure-FDID).
param tags object
param resourceToken string
@description('Most POSTs a minute one address may send to events, events/batch, session/start and user/identify.')
param trackingWritesPerMinute int
@description('Most recommendation searches a minute one address may send.')
param searchesPerMinute int

resource profile 'Microsoft.Cdn/profiles@2024-02-01' = {
  name: 'afd-${resourceToken}'
  location: 'global'
  tags: tags
  sku: { name: 'Standard_AzureFrontDoor' }
}

resource endpoint 'Microsoft.Cdn/profiles/afdEndpoints@2024-02-01' = {
  parent: profile
  name: 'api-${resourceToken}'
  location: 'global'
  tags: tags
  properties: { enabledState: 'Enabled' }
}

resource waf 'Microsoft.Network/FrontDoorWebApplicationFirewallPolicies@2024-02-01' = {
  name: 'waf${resourceToken}'
  location: 'global'
  tags: tags
  sku: { name: 'Standard_AzureFrontDoor' }
  properties: {
    policySettings: { enabledState: 'Enabled', mode: 'Prevention', customBlockResponseStatusCode: 429 }
    customRules: {
      rules: [
        {
          name: 'TrackingWrites'
          priority: 10
          enabledState: 'Enabled'
          ruleType: 'RateLimitRule'
          rateLimitDurationInMinutes: 1
          rateLimitThreshold: trackingWritesPerMinute
          groupBy: [{ variableName: 'SocketAddr' }]
          matchConditions: [
            { matchVariable: 'RequestMethod', operator: 'Equal', matchValue: ['POST'] }
            {
              matchVariable: 'RequestUri'
              operator: 'Contains'
              transforms: ['Lowercase']
              matchValue: ['/api/events', '/api/session/start', '/api/user/identify']
            }
          ]
          action: 'Block'
        }
        {
          name: 'Searches'
          priority: 20
          enabledState: 'Enabled'
          ruleType: 'RateLimitRule'
          rateLimitDurationInMinutes: 1
          rateLimitThreshold: searchesPerMinute
          groupBy: [{ variableName: 'SocketAddr' }]
          matchConditions: [
            { matchVariable: 'RequestMethod', operator: 'Equal', matchValue: ['POST'] }
            { matchVariable: 'RequestUri', operator: 'Contains', transforms: ['Lowercase'], matchValue: ['/api/v2/recommendations'] }
          ]
          action: 'Block'
        }
      ]
    }
  }
}

resource security 'Microsoft.Cdn/profiles/securityPolicies@2024-02-01' = {
  parent: profile
  name: 'rate-limits'
  properties: {
    parameters: {
      type: 'WebApplicationFirewall'
      wafPolicy: { id: waf.id }
      associations: [{ domains: [{ id: endpoint.id }], patternsToMatch: ['/*'] }]
    }
  }
}

output profileName string = profile.name
output endpointName string = endpoint.name
output frontDoorId string = profile.properties.frontDoorId
output hostName string = endpoint.properties.hostName
